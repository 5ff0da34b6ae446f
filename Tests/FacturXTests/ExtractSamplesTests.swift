import Foundation
import Testing
@testable import FacturX
@testable import PDF

/// Every PDF of the shared Factur-X samples, read by Facteur and compared with what the reference
/// tools (pikepdf, factur-x) recorded in `samples.json` and `expected-check_pdf.tsv`.
@Suite struct ExtractSamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.deletingLastPathComponent().appendingPathComponent("shared/oracle/facturx-samples")

    struct Sample: @unchecked Sendable, CustomStringConvertible {
        var file: String
        var info: [String: Any]
        var fields: [String: Any]
        var description: String { file }
    }

    static let all: [Sample] = {
        guard let data = try? Data(contentsOf: samples.appendingPathComponent("samples.json")),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return list.compactMap { entry in
            guard let file = entry["file"] as? String, file.hasSuffix(".pdf") else { return nil }
            let info = (entry["check_pdf"] as? [String: Any])?["info"] as? [String: Any] ?? [:]
            return Sample(file: file, info: info, fields: entry["fields"] as? [String: Any] ?? [:])
        }
    }()

    /// check_pdf.py's expected failure ids per file.
    static let expectedCheck: [String: Set<String>] = {
        guard let text = try? String(contentsOf: samples.appendingPathComponent("expected-check_pdf.tsv"), encoding: .utf8) else { return [:] }
        var out: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t")
            guard parts.count == 2 else { continue }
            out[String(parts[0])] = parts[1] == "valid" ? [] : Set(parts[1].split(separator: ",").map(String.init))
        }
        return out
    }()

    @Test func allSamplesAreListed() {
        #expect(Self.all.count == 20)
    }

    @Test(arguments: all)
    func extractsWhatTheReferenceToolsFound(_ sample: Sample) throws {
        let data = try Data(contentsOf: Self.samples.appendingPathComponent(sample.file))
        let doc = try PDFDocument(data: data)
        #expect(doc.recovered == false, "the cross-reference of \(sample.file) should be readable")
        let x = try FacturX.extract(document: doc)
        let attachments = sample.info["attachments"] as? [String] ?? []
        #expect(attachments.contains(x.attachmentName))
        #expect(Set(try doc.attachments().filter(\.inNameTree).map(\.name)) == Set(attachments))
        #expect(x.xmpLevel == sample.info["fx_ConformanceLevel"] as? String)
        #expect(x.relationship.map { "/" + $0 } == sample.info["AFRelationship"] as? String)
        #expect(x.mimeType.map { "/" + $0 } == sample.info["mime"] as? String)
        #expect(sample.info["fx_DocumentFileName"] as? String == x.attachmentName)
        // The XML itself: the invoice number and the BT-24 the reference tools read from it.
        let xml = String(decoding: x.xml, as: UTF8.self)
        if let bt24 = sample.info["xml_bt24"] as? String { #expect(xml.contains(bt24)) }
        #expect(x.xml.count > 1000)
        #expect(xml.contains("CrossIndustry"))
        // The page text is there too, and carries the invoice number (the reference tools read no BT-1
        // from the ZUGFeRD 1.0 and the malformed sample).
        let text = try PDFTextExtractor.text(of: doc)
        #expect(text.count > 200)
        if let number = sample.fields["BT-1 invoice number"] as? String {
            #expect(xml.contains(">\(number)<"))
            #expect(text.contains(number))
        }
    }

    @Test(arguments: all)
    func containerChecksAgreeWithTheReference(_ sample: Sample) throws {
        let data = try Data(contentsOf: Self.samples.appendingPathComponent(sample.file))
        let report = FacturX.checkContainer(pdf: data)
        let expected = try #require(Self.expectedCheck[sample.file])
        // Only the container's own ids: the XML rules, XSD and signatures are checked elsewhere.
        let containerIDs = expected.filter {
            ($0.hasPrefix("PDF-") || $0.hasPrefix("PDFA-") || $0.hasPrefix("FX-")) && !$0.hasPrefix("FX-XML-") && $0 != "FX-XMP-LEVEL-MISMATCH"
                && $0 != "FX-NOT-USED" && !$0.hasPrefix("FX-SCH-")
        }
        #expect(Set(report.findings.map(\.rule)) == containerIDs)
        #expect(report.xml != nil)
        #expect(report.pdfaPart == (sample.info["pdfa"] as? String).map { String($0.prefix(1)) })
    }

    /// The page text holds the same characters as poppler's `pdftotext` finds (spacing aside), when installed.
    @Test(arguments: all)
    func textAgreesWithPdftotext(_ sample: Sample) throws {
        guard let tool = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let url = Self.samples.appendingPathComponent(sample.file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = [url.path, "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let theirs = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let ours = try PDFTextExtractor.text(of: PDFDocument(data: Data(contentsOf: url)))
        func histogram(_ s: String) -> [Character: Int] {
            var h: [Character: Int] = [:]
            for c in s where !c.isWhitespace { h[c, default: 0] += 1 }
            return h
        }
        let a = histogram(ours), b = histogram(theirs)
        let common = a.reduce(0) { $0 + min($1.value, b[$1.key] ?? 0) }
        let total = b.values.reduce(0, +), mine = a.values.reduce(0, +)
        #expect(total > 300)
        #expect(Double(common) >= Double(total) * 0.995, "recall \(common)/\(total)")
        #expect(Double(common) >= Double(mine) * 0.995, "precision \(common)/\(mine)")
    }

    @Test func brokenSamplesGiveClearErrors() throws {
        // The XML with an impossible encoding declaration is extracted as is; parsing it is the validator's job.
        let bad = try Data(contentsOf: Self.samples.appendingPathComponent("corpus/factur-x-invalid-xml-encoding-attribute.pdf"))
        let x = try FacturX.extract(pdf: bad)
        #expect(String(decoding: x.xml.prefix(100), as: UTF8.self).contains("encoding=\"UTF-8-W/O-BOM\""))
        // python-factur-x.pdf: no /AF reference and no trailer /ID.
        let py = FacturX.checkContainer(pdf: try Data(contentsOf: Self.samples.appendingPathComponent("corpus/python-factur-x.pdf")))
        let af = try #require(py.findings.first { $0.rule == "FX-AF-ARRAY" })
        #expect(af.french.contains("/AF") && af.english.contains("/AF"))
        #expect(py.findings.contains { $0.rule == "PDF-TRAILER-ID" })
        // Not a PDF at all.
        #expect(throws: FacturXExtractError.unreadable(.notPDF)) { try FacturX.extract(pdf: Data("<Invoice/>".utf8)) }
        // A PDF without invoice.
        let plain = try PDFDocument(data: Self.minimalPDF())
        #expect(throws: FacturXExtractError.noInvoice(attachments: [])) { try FacturX.extract(document: plain) }
    }

    /// An XMP packet with an entity-expansion bomb: refused by the safe XML parser (PDFA-XMP), quickly.
    @Test func xmpBomb() throws {
        var entities = "<!ENTITY a0 \"lol\">"
        for i in 1...12 { entities += "<!ENTITY a\(i) \"" + String(repeating: "&a\(i - 1);", count: 10) + "\">" }
        let xmp = "<?xml version=\"1.0\"?><!DOCTYPE x [\(entities)]><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">&a12;</x:xmpmeta>"
        var out = "%PDF-1.7\n"
        var offsets: [Int] = []
        for body in ["<< /Type /Catalog /Pages 2 0 R /Metadata 3 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>",
                     "<< /Type /Metadata /Subtype /XML /Length \(xmp.utf8.count) >>\nstream\n\(xmp)\nendstream"] {
            offsets.append(out.utf8.count)
            out += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
        }
        let x = out.utf8.count
        out += "xref\n0 4\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
        out += "trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n\(x)\n%%EOF\n"
        let start = Date()
        let report = FacturX.checkContainer(pdf: Data(out.utf8))
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(report.findings.contains { $0.rule == "PDFA-XMP" })
        #expect(report.findings.contains { $0.rule == "FX-ATTACHMENT" })
    }

    @Test func levelMismatch() {
        #expect(FacturX.levelMismatch(xmpLevel: "EN 16931", specificationIdentifier: "urn:cen.eu:en16931:2017") == nil)
        #expect(FacturX.levelMismatch(xmpLevel: "BASIC", specificationIdentifier: "urn:cen.eu:en16931:2017")?.rule == "FX-XMP-LEVEL-MISMATCH")
        #expect(FacturX.levelMismatch(xmpLevel: "XRECHNUNG",
                                      specificationIdentifier: "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.1") == nil)
        #expect(FacturX.levelMismatch(xmpLevel: "basic wl", specificationIdentifier: "urn:factur-x.eu:1p0:basicwl") == nil)
    }

    static func minimalPDF() -> Data {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for body in ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"] {
            offsets.append(out.utf8.count)
            out += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
        }
        let x = out.utf8.count
        out += "xref\n0 3\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
        out += "trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n\(x)\n%%EOF\n"
        return Data(out.utf8)
    }
}
