import Foundation
import Testing

/// `facteur extract` and `facteur validate FILE.pdf`: outputs, messages, exit codes, and the verdicts of
/// the reference checker (`check_pdf.py`) on every shared Factur-X sample.
@Suite struct ExtractCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = "../shared/oracle/facturx-samples"

    static var binary: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("facteur")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/facteur")
    }

    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
        var out: String { String(decoding: stdout, as: UTF8.self) }
    }

    func facteur(_ args: [String], timeout: TimeInterval = 120) throws -> Run {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        p.currentDirectoryURL = Self.root
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-extract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning { p.terminate(); Issue.record("facteur \(args) did not finish within \(timeout) s") }
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: p.terminationStatus, stdout: try Data(contentsOf: outURL), stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    func temp(_ name: String, _ data: Data) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-extract-in-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    @Test func extractWritesTheXMLAndReportsTheContainer() throws {
        let r = try facteur(["extract", "\(Self.samples)/corpus/MustangGnuaccountingBeispielRE-20201121_508.pdf"])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("<?xml"))
        #expect(r.out.contains("<rsm:CrossIndustryInvoice"))
        #expect(r.out.contains("urn:cen.eu:en16931:2017"))
        #expect(r.stderr.contains("pièce jointe : factur-x.xml"))
        #expect(r.stderr.contains("profil (XMP) : EN 16931"))
        #expect(r.stderr.contains("AFRelationship : /Alternative"))

        let en = try facteur(["extract", "--lang", "en", "\(Self.samples)/corpus/zugferd_2p2_XRECHNUNG_Einfach.pdf"])
        #expect(en.status == 0)
        #expect(en.stderr.contains("attachment: xrechnung.xml"))
        #expect(en.stderr.contains("profile (XMP): XRECHNUNG"))
        #expect(en.stderr.contains("AFRelationship: /Source"))

        let legacy = try facteur(["extract", "\(Self.samples)/corpus/ZUGFeRD_1p0_BASIC_Einfach.pdf"])
        #expect(legacy.status == 0)
        #expect(legacy.stderr.contains("ZUGFeRD-invoice.xml"))
        #expect(legacy.out.contains("CrossIndustryDocument"))
    }

    @Test func extractToAFile() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-\(UUID().uuidString).xml")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try facteur(["extract", "\(Self.samples)/akretion/invoice_EN16931.pdf", "-o", out.path])
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        let xml = try String(contentsOf: out, encoding: .utf8)
        #expect(xml.contains("F20260023"))
        #expect(r.stderr.contains("AFRelationship : /Source"))
    }

    @Test func extractText() throws {
        let r = try facteur(["extract", "--text", "\(Self.samples)/akretion/invoice_EN16931.pdf"])
        #expect(r.status == 0)
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("FACTURE N° : F20260023") })
        #expect(lines.contains { $0.contains("SIREN : 123 456 782") })
    }

    @Test func extractErrors() throws {
        let garbage = try temp("faux.pdf", Data("ceci n'est pas un PDF".utf8))
        let r = try facteur(["extract", garbage])
        #expect(r.status == 2)
        #expect(r.stderr.contains("ce n'est pas un fichier PDF"))
        let en = try facteur(["extract", "--lang", "en", garbage])
        #expect(en.stderr.contains("not a PDF file"))
        let missing = try facteur(["extract", "/nonexistent/facture.pdf"])
        #expect(missing.status == 2)
        // A readable PDF without an invoice attachment.
        var pdf = "%PDF-1.4\n"
        let o1 = pdf.utf8.count
        pdf += "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        let o2 = pdf.utf8.count
        pdf += "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        let x = pdf.utf8.count
        pdf += "xref\n0 3\n0000000000 65535 f \n" + String(format: "%010d 00000 n \n%010d 00000 n \n", o1, o2)
        pdf += "trailer << /Size 3 /Root 1 0 R >>\nstartxref\n\(x)\n%%EOF\n"
        let none = try facteur(["extract", try temp("vide.pdf", Data(pdf.utf8))])
        #expect(none.status == 1)
        #expect(none.stderr.contains("aucune facture Factur-X/ZUGFeRD jointe"))
        // Truncated: what survives is read (the objects are found by scanning), else a clear error.
        let whole = try Data(contentsOf: Self.root.appendingPathComponent("\(Self.samples)/corpus/python-factur-x.pdf"))
        let third = try facteur(["extract", try temp("tronque.pdf", whole.prefix(whole.count / 3))])
        #expect(third.status == 0)
        #expect(third.out.contains("CrossIndustryInvoice"))
        let head = try facteur(["extract", try temp("tronque.pdf", whole.prefix(200))])
        #expect(head.status == 2)
        #expect(head.stderr.contains("aucun catalogue de document"))
    }

    /// Findings of the reference that Facteur does not produce (none: for PDFs both run the Factur-X
    /// profile schematron even on EN 16931 files, where CII-SR-465 is an error and FX-SCH-A-000556 its own).
    static let knownGaps: [String: Set<String>] = [:]

    /// The verdict of `check_pdf.py` on every sample, except signatures (not verified by Facteur).
    @Test func validatePDFAgreesWithTheReferenceChecker() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("\(Self.samples)/expected-check_pdf.tsv"), encoding: .utf8)
        var expected: [String: Set<String>] = [:]
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            let ids = parts[1] == "valid" ? [] : parts[1].split(separator: ",").map(String.init)
            let gaps = Self.knownGaps[String(parts[0])] ?? []
            expected["\(Self.samples)/\(parts[0])"] = Set(ids.filter { !$0.hasPrefix("SIG-") && !gaps.contains($0) })
        }
        #expect(expected.count == 20)
        let files = expected.keys.sorted()
        let r = try facteur(["validate", "--format", "json"] + files, timeout: 300)
        let reports = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]])
        #expect(reports.count == files.count)
        var anyInvalid = false
        for report in reports {
            let file = try #require(report["file"] as? String)
            let errors = (report["errors"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
            #expect(Set(errors) == expected[file], "\(file)")
            if !errors.isEmpty { anyInvalid = true }
        }
        #expect(r.status == (anyInvalid ? 1 : 0))
    }

    @Test func validatePDFTextAndExitCodes() throws {
        let ok = try facteur(["validate", "\(Self.samples)/corpus/zugferd_2p1_EN16931_1_Teilrechnung.pdf"])
        #expect(ok.status == 0)
        #expect(ok.out.hasPrefix("OK "))
        let ko = try facteur(["validate", "--lang", "en", "\(Self.samples)/corpus/python-factur-x.pdf"])
        #expect(ko.status == 1)
        #expect(ko.out.contains("FX-AF-ARRAY [fatal]"))
        #expect(ko.out.contains("the catalog /AF array does not reference"))
        let fr = try facteur(["validate", "\(Self.samples)/corpus/factur-x-invalid-xml-encoding-attribute.pdf"])
        #expect(fr.status == 1)
        #expect(fr.out.contains("FX-XML-PARSE"))
        #expect(fr.out.contains("mal formé"))
        let broken = try facteur(["validate", try temp("casse.pdf", Data("%PDF-1.7\n1 0 obj << /Type /Catalog".utf8))])
        #expect(broken.status == 2)
        #expect(broken.out.contains("PDF-OPEN"))
    }

    /// A sample encrypted by qpdf (when installed): reported as encrypted, never decrypted, exit 2.
    @Test func encryptedPDF() throws {
        guard let qpdf = ["/usr/bin/qpdf", "/usr/local/bin/qpdf"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-chiffre-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: qpdf)
        p.arguments = ["--encrypt", "", "owner", "256", "--", Self.root.appendingPathComponent("\(Self.samples)/corpus/MustangGnuaccountingBeispielRE-20201121_508.pdf").path, out.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let r = try facteur(["extract", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("chiffré"))
        let v = try facteur(["validate", "--format", "json", out.path])
        #expect(v.status == 2)
        #expect(v.out.contains("\"PDF-ENCRYPTED\""))
    }

    /// What `facteur render` writes, `facteur extract` reads back and `facteur validate` accepts, container included.
    @Test func renderedInvoiceRoundTrip() throws {
        let pdf = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-rendu-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: pdf) }
        let render = try facteur(["render", "examples/facture-en16931.xml", "-o", pdf.path])
        try #require(render.status == 0, "render: \(render.stderr)")
        let x = try facteur(["extract", pdf.path])
        #expect(x.status == 0)
        #expect(x.out.contains("F20260023"))
        #expect(x.stderr.contains("pièce jointe : factur-x.xml"))
        #expect(x.stderr.contains("profil (XMP) : EN 16931"))
        let v = try facteur(["validate", pdf.path])
        #expect(v.status == 0, "\(v.out)")
        let t = try facteur(["extract", "--text", pdf.path])
        #expect(t.out.contains("F20260023"))
    }
}
