import FacteurXML
import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation
import Testing

/// Every CII file of the official EN 16931 examples and of the Factur-X samples goes through
/// read → write → read, and the written XML is judged by the validator like the original.
@Suite struct CIIRoundTripTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oracle = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracle")
    static let validator = try! Validator()

    /// The CII inputs: every `*.xml` of the official examples folder, and the XML files the Factur-X samples
    /// manifest lists, kept when their root is a CII invoice.
    static func corpus() throws -> [URL] {
        let fm = FileManager.default
        let examples = oracle.appendingPathComponent("en16931/cii/examples")
        var urls = try fm.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".xml") }.sorted()
            .map { examples.appendingPathComponent($0) }
        let samples = oracle.appendingPathComponent("facturx-samples")
        let manifest = try String(contentsOf: samples.appendingPathComponent("expected-validate.tsv"), encoding: .utf8)
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") {
            let path = String(line.split(separator: "\t")[0])
            if path.hasSuffix(".xml") { urls.append(samples.appendingPathComponent(path)) }
        }
        return try urls.filter { url in
            let tree = try XMLParser.parse(Data(contentsOf: url))
            return InvoiceSyntax(root: tree.root.name) == .cii
        }
    }

    static func verdict(_ data: Data, _ name: String) -> (valid: Bool, rules: Set<String>) {
        let report = validator.validate(data, file: name)
        return (report.valid, Set(report.errors.map(\.rule)))
    }

    /// Where written files go for inspection and for the oracle (`python3 …/validate_cii.py DIR`).
    static let outputFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-cii-roundtrip")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test func corpusIsComplete() throws {
        let files = try Self.corpus()
        // 10 official CII examples + 5 Factur-X profile samples (the UBL sample is left out by its root).
        #expect(files.count == 15, "\(files.map(\.lastPathComponent))")
    }

    @Test(arguments: try! corpus())
    func readWriteReadKeepsEveryTerm(url: URL) throws {
        let original = try Data(contentsOf: url)
        let first = try CII.read(original)
        let written = CII.write(first)
        try written.write(to: Self.outputFolder.appendingPathComponent(url.lastPathComponent))
        let second = try CII.read(written)
        #expect(first == second, "\(url.lastPathComponent): \(differences(first, second))")
        // Nothing the source states is lost on the way: spot-check terms every profile has.
        #expect(!first.invoiceNumber.isEmpty)
        #expect(first.issueDate != nil)
        #expect(first.totals.amountDueForPayment == second.totals.amountDueForPayment)
    }

    @Test(arguments: try! corpus())
    func writtenDocumentGetsTheSameVerdict(url: URL) throws {
        let original = try Data(contentsOf: url)
        let invoice = try CII.read(original)
        let before = Self.verdict(original, url.lastPathComponent)
        let after = Self.verdict(CII.write(invoice), url.lastPathComponent)
        #expect(before.valid == after.valid && before.rules == after.rules,
                "\(url.lastPathComponent): before \(before.rules.sorted()), after \(after.rules.sorted())")

        // Written again for the profile the input declares: the same judgement.
        if let profile = FacturXProfile(specificationIdentifier: invoice.processControl.specificationIdentifier) {
            let data = CII.write(invoice, profile: profile)
            try data.write(to: Self.outputFolder.appendingPathComponent("profile-" + url.lastPathComponent))
            let again = Self.verdict(data, url.lastPathComponent)
            #expect(before.valid == again.valid && before.rules == again.rules,
                    "\(url.lastPathComponent) as \(profile): before \(before.rules.sorted()), after \(again.rules.sorted())")
            // The input already fits its profile, so nothing is dropped either.
            #expect(try CII.read(data) == invoice, "\(url.lastPathComponent) as \(profile)")
        }
    }
}

/// Names the top-level properties that differ, so that a failing round trip says where to look.
func differences(_ a: Invoice, _ b: Invoice) -> String {
    var out: [String] = []
    let ma = Mirror(reflecting: a), mb = Mirror(reflecting: b)
    for (ca, cb) in zip(ma.children, mb.children) where "\(ca.value)" != "\(cb.value)" {
        out.append("\(ca.label ?? "?"): \(ca.value) ≠ \(cb.value)")
    }
    return out.joined(separator: "\n")
}
