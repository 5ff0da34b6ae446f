import Foundation
import InvoiceFormats
import Testing
@testable import FacteurXML
@testable import InvoiceValidation

/// Long attachment values are shortened in libxml2's copy of a document before the XML Schema check
/// (`XMLParser.BinaryValues`). Proof that no verdict moves: every document of the corpus — official
/// examples and test invoices, Factur-X samples, broken invoices — and variants of the attachments
/// (valid, broken in each way base64 can be) get exactly the same violations, line and message,
/// with and without the shortcut.
@Suite struct SchemaShortcutTests {
    static let validator = OfficialAgreementTests.validator

    func violations(_ data: Data, shorten: Bool) throws -> [[SchemaViolation]] {
        let artefacts = Self.validator.artefacts
        return try XMLParser.parse(data, limits: .init(), shortenBinaries: shorten) { tree -> [(String, XMLSchema)] in
            guard let syntax = InvoiceSyntax(root: tree.root.name) else { return [] }
            var schemas = [("syntax", artefacts.schema(for: syntax))]
            if syntax == .cii {
                for profile in [FacturXProfile.minimum, .basicWL, .basic, .en16931, .extended] {
                    schemas.append((profile.rawValue, try! artefacts.profileSchema(profile)))
                }
            }
            return schemas
        }.violations.map(\.1)
    }

    func corpus() throws -> [URL] {
        var files: [URL] = []
        for list in ["en16931.tsv", "mutants.tsv", "facturx-xml.tsv", "french.tsv", "french-en16931.tsv"] {
            for e in try OfficialAgreementTests.expectations(list) {
                let base = e.path.hasPrefix("Tests/") ? OfficialAgreementTests.packageRoot : OfficialAgreementTests.oracle
                files.append(base.appendingPathComponent(e.path))
            }
        }
        return files
    }

    @Test func corpusVerdictsAreUnchanged() throws {
        try #require(FileManager.default.fileExists(atPath: OfficialAgreementTests.oracle.path))
        let files = try corpus()
        #expect(files.count > 250)
        var checked = 0
        for url in files {
            guard let data = try? Data(contentsOf: url), (try? XMLParser.parse(data)) != nil else { continue }
            #expect(try violations(data, shorten: true) == violations(data, shorten: false), "\(url.lastPathComponent)")
            checked += 1
        }
        print("schema shortcut: \(checked) documents, same violations with and without")
    }

    static let bigUBL = OfficialAgreementTests.oracle.appendingPathComponent("en16931/ubl/examples/FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml")

    /// The value between the first `open` tag's `>` and the next `<`, replaced.
    func replacingValue(in text: String, after open: String, with value: (String) -> String) throws -> Data {
        let start = try #require(text.range(of: open))
        let gt = try #require(text[start.upperBound...].firstIndex(of: ">"))
        let lt = try #require(text[gt...].firstIndex(of: "<"))
        let old = String(text[text.index(after: gt)..<lt])
        return Data((text[..<text.index(after: gt)] + value(old) + text[lt...]).utf8)
    }

    /// Each way a base64 value can be broken, and ways it stays valid, in both syntaxes.
    func variants(of value: String) -> [(String, String)] {
        let body = String(value.filter { $0 != "=" && !$0.isWhitespace }.prefix(12_000))   // a multiple of 4
        return [
            ("unchanged", value),
            ("valid, no padding", body),
            ("valid, '==' padding", body + "AQ=="),
            ("valid, '=' padding", body + "AAE="),
            ("one character short", String(body.dropLast())),
            ("stray '!' (libxml2 skips it)", String(body.prefix(5000)) + "!" + String(body.dropFirst(5000))),
            ("'=' inside", String(body.prefix(5000)) + "=" + String(body.dropFirst(5001))),
            ("line breaks every 76", stride(from: 0, to: body.count, by: 76).map { i in
                String(body.dropFirst(i).prefix(76)) }.joined(separator: "\n")),
            ("padding after a character with stray bits", body + "AB=="),
            ("three '='", body + "A==="),
            ("non-ASCII", String(body.prefix(5000)) + "é" + String(body.dropFirst(5001))),
            ("leading space", " " + body),
        ]
    }

    @Test func attachmentVariantsGiveTheSameViolations() throws {
        try #require(FileManager.default.fileExists(atPath: Self.bigUBL.path))
        let ubl = try String(contentsOf: Self.bigUBL, encoding: .utf8)
        let cii = try String(contentsOf: OfficialAgreementTests.oracle.appendingPathComponent("en16931/cii/examples/CII_example2.xml"), encoding: .utf8)
        let bigValue = try #require(ubl.range(of: "<cbc:EmbeddedDocumentBinaryObject")).upperBound
        let pdf = String(ubl[bigValue...].drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
        var invalid = 0
        for (name, value) in variants(of: pdf) {
            for (label, text, tag) in [("UBL", ubl, "<cbc:EmbeddedDocumentBinaryObject"), ("CII", cii, "<ram:AttachmentBinaryObject")] {
                let data = try replacingValue(in: text, after: tag) { _ in value }
                let with = try violations(data, shorten: true), without = try violations(data, shorten: false)
                #expect(with == without, "\(label), \(name)")
                if !without[0].isEmpty { invalid += 1 }
            }
        }
        // The broken variants are caught (by libxml2, untouched), the valid ones pass.
        #expect(invalid >= 8)
    }

    @Test func onlyStrictlyValidLongValuesAreShortened() throws {
        func shortened(_ data: Data) throws -> Int {
            try XMLParser.parse(data, inspect: { doc, _ in XMLParser.BinaryValues.shorten(doc) }).1
        }
        try #require(FileManager.default.fileExists(atPath: Self.bigUBL.path))
        let ubl = try String(contentsOf: Self.bigUBL, encoding: .utf8)
        #expect(try shortened(Data(ubl.utf8)) == 1)
        let broken = try replacingValue(in: ubl, after: "<cbc:EmbeddedDocumentBinaryObject") { String($0.dropLast()) }
        #expect(try shortened(broken) == 0)
        let typed = try replacingValue(in: ubl, after: "<cbc:EmbeddedDocumentBinaryObject") { $0 }
        #expect(try shortened(typed) == 1)
        let xsi = Data(ubl.replacingOccurrences(of: "<cbc:EmbeddedDocumentBinaryObject ",
            with: "<cbc:EmbeddedDocumentBinaryObject xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"cbc:NameType\" ").utf8)
        #expect(try shortened(xsi) == 0)

        func strict(_ s: String) -> Bool {
            let bytes = Array(s.utf8)
            return bytes.withUnsafeBufferPointer { XMLParser.BinaryValues.isStrictBase64($0.baseAddress!, $0.count) }
        }
        #expect(strict("AAAA") && strict("AQ==") && strict("AAE=") && strict("ab+/"))
        #expect(!strict("AB==") && !strict("AAF=") && !strict("AAA") && !strict("AA A") && !strict("A===") && !strict("AA=A"))
        // Every byte, in the sixteen-byte blocks and in the tail.
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for b in 0...255 {
            for at in [3, 20] {
                var bytes = [UInt8](repeating: UInt8(ascii: "Q"), count: 24)
                bytes[at] = UInt8(b)
                let accepted = bytes.withUnsafeBufferPointer { XMLParser.BinaryValues.isStrictBase64($0.baseAddress!, $0.count) }
                #expect(accepted == alphabet.contains(UInt8(b)), "byte \(b) at \(at)")
            }
        }
    }
}
