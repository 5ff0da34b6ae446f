import Foundation
import Testing

/// `facteur render` run as the real binary: exit codes, refusal of invalid invoices, UBL converted to CII.
@Suite(.serialized) struct RenderCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = root.deletingLastPathComponent().appendingPathComponent("shared/oracle/en16931")

    static var binary: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("facteur")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/facteur")
    }

    struct Run { var status: Int32; var out: String; var err: String }

    func run(_ executable: URL, _ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = Self.root
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fxc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = dir.appendingPathComponent("o"), e = dir.appendingPathComponent("e")
        FileManager.default.createFile(atPath: o.path, contents: nil)
        FileManager.default.createFile(atPath: e.path, contents: nil)
        let oh = try FileHandle(forWritingTo: o), eh = try FileHandle(forWritingTo: e)
        p.standardOutput = oh
        p.standardError = eh
        try p.run()
        p.waitUntilExit()
        try oh.close(); try eh.close()
        return Run(status: p.terminationStatus, out: String(decoding: try Data(contentsOf: o), as: UTF8.self),
                   err: String(decoding: try Data(contentsOf: e), as: UTF8.self))
    }

    func facteur(_ args: [String]) throws -> Run { try run(Self.binary, args) }

    func tool(_ name: String, _ args: [String]) throws -> Run { try run(URL(fileURLWithPath: "/usr/bin/env"), [name] + args) }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fxc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func ciiInvoiceBecomesAFacturXWithTheSameXMLBytes() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.examples.appendingPathComponent("cii/examples/CII_example2.xml")
        let out = dir.appendingPathComponent("f.pdf")
        let r = try facteur(["render", input.path, "-o", out.path])
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(r.out.hasPrefix("OK "))
        let check = try tool("python3", [Self.root.deletingLastPathComponent().appendingPathComponent("shared/oracle/check_pdf.py").path, out.path])
        #expect(check.status == 0, "\(check.out)")
        let saved = dir.appendingPathComponent("x.xml")
        _ = try tool("pdfdetach", ["-savefile", "factur-x.xml", "-o", saved.path, out.path])
        #expect(try Data(contentsOf: saved) == Data(contentsOf: input))
    }

    @Test func ublInvoiceIsConvertedToCIIAndRenderedInEnglish() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.examples.appendingPathComponent("ubl/examples/ubl-tc434-example2.xml")
        let out = dir.appendingPathComponent("u.pdf")
        let r = try facteur(["render", input.path, "-o", out.path, "--lang", "en", "--profile", "en16931"])
        #expect(r.status == 0, "\(r.out) \(r.err)")
        let saved = dir.appendingPathComponent("x.xml")
        _ = try tool("pdfdetach", ["-savefile", "factur-x.xml", "-o", saved.path, out.path])
        let xml = String(decoding: try Data(contentsOf: saved), as: UTF8.self)
        #expect(xml.contains("CrossIndustryInvoice"))
        #expect(try facteur(["validate", saved.path]).status == 0)
        let text = try tool("pdftotext", [out.path, "-"]).out
        #expect(text.contains("INVOICE") && text.contains("Amount due"))
    }

    @Test func everyProfileGivesAPDFTheReferenceCheckerAccepts() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.examples.appendingPathComponent("cii/examples/CII_example2.xml")
        var outputs: [String] = []
        for (profile, level) in [("minimum", "MINIMUM"), ("basicwl", "BASIC WL"), ("basic", "BASIC"), ("extended", "EXTENDED")] {
            let out = dir.appendingPathComponent("\(profile).pdf")
            let r = try facteur(["render", input.path, "-o", out.path, "--profile", profile])
            #expect(r.status == 0, "\(profile): \(r.out) \(r.err)")
            #expect(r.out.contains("Factur-X \(level)"))
            outputs.append(out.path)
        }
        let check = try tool("python3", [Self.root.deletingLastPathComponent().appendingPathComponent("shared/oracle/check_pdf.py").path, "-v"] + outputs)
        #expect(check.out.contains("4 passed, 0 failed"), "\(check.out)")
        for level in ["MINIMUM", "BASIC WL", "BASIC", "EXTENDED"] { #expect(check.out.contains("fx_ConformanceLevel: \(level)")) }
    }

    @Test func invalidInvoiceIsRefusedUnlessForced() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.root.appendingPathComponent("examples/facture-montant-tva-faux.xml")
        let out = dir.appendingPathComponent("bad.pdf")
        let r = try facteur(["render", input.path, "-o", out.path])
        #expect(r.status == 1)
        #expect(r.out.contains("BR-CO-14") || r.out.contains("BR-S-08"), "\(r.out)")
        #expect(r.err.contains("PDF non produit"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let forced = try facteur(["render", input.path, "-o", out.path, "--force"])
        #expect(forced.status == 0, "\(forced.err)")
        #expect(FileManager.default.fileExists(atPath: out.path))
    }

    @Test func usageErrorsExitTwo() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = Self.examples.appendingPathComponent("cii/examples/CII_example2.xml")
        #expect(try facteur(["render", input.path, "-o", dir.appendingPathComponent("a.pdf").path, "--profile", "gold"]).status == 2)
        #expect(try facteur(["render", dir.appendingPathComponent("missing.xml").path, "-o", dir.appendingPathComponent("b.pdf").path]).status == 2)
        let logo = dir.appendingPathComponent("logo.png")
        try Data("not a picture".utf8).write(to: logo)
        #expect(try facteur(["render", input.path, "-o", dir.appendingPathComponent("c.pdf").path, "--logo", logo.path]).status == 2)
    }
}
