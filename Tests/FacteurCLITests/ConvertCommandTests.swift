import Foundation
import Testing

/// `facteur convert` run as the real binary: output to stdout or -o, the exit codes 0/1/2, French by
/// default, and what it writes validates.
@Suite struct ConvertCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oracle = root.deletingLastPathComponent().appendingPathComponent("shared/oracle")

    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    func facteur(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = ValidateCommandTests.binary
        p.arguments = args
        p.currentDirectoryURL = Self.root
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning { p.terminate(); Issue.record("facteur \(args) did not finish within 60 s") }
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: p.terminationStatus, stdout: try Data(contentsOf: outURL),
                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func ciiToUBLOnStdoutThenBackToCIIInAFile() throws {
        let r = try facteur(["convert", "examples/facture-en16931.xml", "--to", "ubl"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("<Invoice xmlns:cac="))
        #expect(r.text.contains("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"))
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ubl = dir.appendingPathComponent("facture.ubl.xml")
        try r.stdout.write(to: ubl)
        // What convert wrote is a valid invoice for `facteur validate`.
        let check = try facteur(["validate", ubl.path])
        #expect(check.status == 0, "\(check.text)")

        let cii = dir.appendingPathComponent("facture.cii.xml")
        let back = try facteur(["convert", ubl.path, "--to", "cii", "--profile", "en16931", "-o", cii.path])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout.isEmpty)
        let written = try String(contentsOf: cii, encoding: .utf8)
        #expect(written.contains("rsm:CrossIndustryInvoice"))
        #expect(written.contains("urn:cen.eu:en16931:2017"))
        #expect(try facteur(["validate", cii.path]).status == 0)
    }

    /// A wrong invoice stays wrong in the other syntax: the same rules fail.
    @Test func aDefectSurvivesTheConversion() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ubl = dir.appendingPathComponent("faux.xml")
        let r = try facteur(["convert", "examples/facture-montant-tva-faux.xml", "--to", "ubl", "-o", ubl.path])
        #expect(r.status == 0)
        let before = try facteur(["validate", "--format", "json", "examples/facture-montant-tva-faux.xml"])
        let after = try facteur(["validate", "--format", "json", ubl.path])
        #expect(before.status == 1 && after.status == 1)
        func rules(_ run: Run) throws -> Set<String> {
            let files = try JSONSerialization.jsonObject(with: run.stdout) as? [[String: Any]] ?? []
            let errors = files.first?["errors"] as? [[String: Any]] ?? []
            return Set(errors.compactMap { $0["rule"] as? String })
        }
        #expect(try rules(before) == rules(after))
        #expect(try rules(after).contains("BR-CO-14"))
    }

    @Test func aMinimumInvoiceConvertsWithAWarning() throws {
        let minimum = Self.oracle.appendingPathComponent("facturx-samples/akretion/xml/factur-x-minimum.xml")
        let r = try facteur(["convert", minimum.path, "--to", "ubl"])
        #expect(r.status == 0)
        #expect(r.text.contains("<Invoice "))
        #expect(r.stderr.contains("MINIMUM"))
        #expect(r.stderr.contains("n'est pas une facture EN 16931 valide"))
    }

    @Test func severalPrecedingInvoicesWarnBelowExtended() throws {
        let file = Self.oracle.appendingPathComponent("en16931/ubl/testfiles/Invoice-Max_content.xml")
        let r = try facteur(["convert", file.path, "--to", "cii"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("BG-3"))
        let extended = try facteur(["convert", file.path, "--to", "cii", "--profile", "extended", "--lang", "en"])
        #expect(extended.status == 0)
        #expect(!extended.stderr.contains("BG-3"))
        #expect(extended.text.contains("urn:factur-x.eu:1p0:extended"))
    }

    @Test func aCreditNoteBecomesACreditNote() throws {
        let file = Self.oracle.appendingPathComponent("en16931/ubl/testfiles/CreditNote-Max_content.xml")
        let r = try facteur(["convert", file.path, "--to", "ubl"])
        #expect(r.status == 0)
        #expect(r.text.contains("<CreditNote "))
        #expect(r.text.contains("<cac:CreditNoteLine>"))
    }

    @Test func notAnInvoiceExitsOneInFrenchOrEnglish() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let order = dir.appendingPathComponent("order.xml")
        try Data("<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>".utf8).write(to: order)
        let fr = try facteur(["convert", order.path, "--to", "cii"])
        #expect(fr.status == 1)
        #expect(fr.stdout.isEmpty)
        #expect(fr.stderr.contains("n'est ni une facture CII"))
        let en = try facteur(["convert", order.path, "--to", "cii", "--lang", "en"])
        #expect(en.status == 1)
        #expect(en.stderr.contains("is neither a CII invoice"))

        let badAmount = dir.appendingPathComponent("bad.xml")
        let ubl = try String(contentsOf: Self.oracle.appendingPathComponent("en16931/ubl/testfiles/Invoice-Min_content_with_VAT.xml"), encoding: .utf8)
        let broken = ubl.replacingOccurrences(of: #"(<cbc:PayableAmount[^>]*>)"#, with: "$1x", options: .regularExpression)
        try #require(broken != ubl)
        try Data(broken.utf8).write(to: badAmount)
        let bad = try facteur(["convert", badAmount.path, "--to", "cii"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("BT-115"))
        #expect(bad.stderr.contains("ligne"))
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        #expect(try facteur(["convert", "examples/facture-en16931.xml"]).status == 2)              // no --to
        #expect(try facteur(["convert", "examples/facture-en16931.xml", "--to", "pdf"]).status == 2)
        #expect(try facteur(["convert", "examples/facture-en16931.xml", "--to", "cii", "--profile", "gold"]).status == 2)
        let profileForUBL = try facteur(["convert", "examples/facture-en16931.xml", "--to", "ubl", "--profile", "basic"])
        #expect(profileForUBL.status == 2)
        #expect(profileForUBL.stderr.contains("--profile"))
        let missing = try facteur(["convert", "no/such/file.xml", "--to", "ubl"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("impossible de lire"))
        let unwritable = try facteur(["convert", "examples/facture-en16931.xml", "--to", "ubl", "-o", "/no/such/dir/out.xml"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("impossible d'écrire"))
    }
}
