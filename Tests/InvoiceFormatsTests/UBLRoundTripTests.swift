import FacteurXML
import Foundation
import InvoiceModel
import InvoiceValidation
import Testing
@testable import InvoiceFormats

/// Every official UBL example and test file goes through read → write → read: the model must come back
/// equal (every business term survived), and the written XML must get the same verdict, with the same
/// failing rules, from the validator as the original.
@Suite struct UBLRoundTripTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oracle = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracle")
    static let validator = try! Validator()

    static var ublFiles: [URL] {
        let dirs = ["en16931/ubl/examples", "en16931/ubl/testfiles"].map { oracle.appendingPathComponent($0) }
        return dirs.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.pathExtension.lowercased() == "xml" }
        }.sorted { $0.path < $1.path }
    }

    @Test func theOfficialFilesAreThere() {
        #expect(Self.ublFiles.count >= 32, "../shared/oracle/en16931/ubl is missing or incomplete")
    }

    @Test(arguments: ublFiles)
    func readWriteReadKeepsEveryTerm(file: URL) throws {
        let original = try Data(contentsOf: file)
        let first = try UBL.read(original)
        let written = UBL.write(first)
        let second = try UBL.read(written)
        if first != second {
            Issue.record("\(file.lastPathComponent): the model changed through UBL\n\(ModelDiff.describe(first, second))")
        }
        // The written file is the syntax the document type asks for.
        let root = try XMLParser.parse(written).root
        #expect(InvoiceSyntax(root: root.name) == (first.isCreditNote ? .ublCreditNote : .ublInvoice))
    }

    @Test(arguments: ublFiles)
    func theWrittenFileGetsTheSameVerdict(file: URL) throws {
        let original = try Data(contentsOf: file)
        let written = UBL.write(try UBL.read(original))
        let before = Self.validator.validate(original, file: file.lastPathComponent)
        let after = Self.validator.validate(written, file: file.lastPathComponent)
        #expect(before.valid == after.valid, "\(file.lastPathComponent)")
        #expect(Set(before.errors.map(\.rule)) == Set(after.errors.map(\.rule)),
                "\(file.lastPathComponent): \(after.errors.map { "\($0.rule) \($0.location)" })")
    }
}

/// Read → write → read is blind to a term the reader never reads. This test looks at the XML instead:
/// every value of the source (leaf text and attributes, numbers compared as numbers) must reappear in the
/// written file, except what is listed here with the reason it is not a business term.
@Suite struct UBLCoverageTests {
    /// (file or "*", "Parent/Element=value" or "Element@attribute=value" prefix) → why it may be dropped.
    static let notBusinessTerms: [(file: String, prefix: String, reason: String)] = [
        ("*", "Invoice@schemaLocation=", "xsi:schemaLocation is a hint for tools, not a term"),
        ("*", "Invoice/UBLVersionID=", "UBLVersionID is not an EN 16931 term"),
        ("*", "CreditNote/UBLVersionID=", "UBLVersionID is not an EN 16931 term"),
        // BT-32 is 'any tax scheme other than VAT'; the scheme's own name is not a term and is written as TAX.
        ("ubl-tc434-example5.xml", "TaxScheme/ID=LOC", "BT-32 scheme name"),
        ("BIS_Billing_30-Resor_Bokning.xml", "TaxScheme/ID=Tax", "BT-32 scheme name"),
        // The buyer has no BT for a tax scheme other than VAT; this file names one "VA".
        ("ubl-tc434-test-1.xml", "TaxScheme/ID=VA", "buyer tax scheme other than VAT: no business term"),
        ("ubl-tc434-test-1.xml", "PartyTaxScheme/CompanyID=NO987654321MVA", "buyer tax scheme other than VAT: no business term"),
    ]

    static func values(_ data: Data) throws -> Set<String> {
        let tree = try XMLParser.parse(data)
        var out = Set<String>()
        func visit(_ e: XMLElement) {
            let children = e.children
            if children.isEmpty {
                let local = e.localName
                var v = e.trimmedText
                if ["Amount", "Quantity", "Percent", "Numeric"].contains(where: { local.hasSuffix($0) }), let d = Decimal(plain: v) {
                    v = d == 0 ? "0" : d.plainString
                }
                if local == "ChargeIndicator" { v = (v == "1" || v == "true") ? "true" : "false" }
                if local == "EmbeddedDocumentBinaryObject" { v = String(v.filter { !$0.isWhitespace }) }
                out.insert("\(e.parent?.localName ?? "")/\(local)=\(v)")
            }
            for (name, value) in e.attributes { out.insert("\(e.localName)@\(name.local)=\(value)") }
            children.forEach(visit)
        }
        visit(tree.root)
        return out
    }

    @Test(arguments: UBLRoundTripTests.ublFiles)
    func everySourceValueIsWritten(file: URL) throws {
        let original = try Data(contentsOf: file)
        let written = UBL.write(try UBL.read(original))
        let dropped = try Self.values(original).subtracting(Self.values(written)).filter { value in
            !Self.notBusinessTerms.contains { ($0.file == "*" || $0.file == file.lastPathComponent) && value.hasPrefix($0.prefix) }
        }
        #expect(dropped.isEmpty, "\(file.lastPathComponent) lost \(dropped.sorted())")
    }

    /// The check itself must be able to fail: a writer that forgot item attributes would be caught.
    @Test func theCoverageCheckSeesALostTerm() throws {
        let file = UBLRoundTripTests.oracle.appendingPathComponent("en16931/ubl/testfiles/Invoice-Max_content.xml")
        let original = try Data(contentsOf: file)
        var invoice = try UBL.read(original)
        invoice.lines[0].item.attributes = []
        let dropped = try Self.values(original).subtracting(Self.values(UBL.write(invoice)))
        #expect(dropped.contains("AdditionalItemProperty/Name=Surface grade"))
    }
}

/// Names the first differing terms of two invoices, for readable failures.
enum ModelDiff {
    static func describe(_ a: Invoice, _ b: Invoice) -> String {
        var out: [String] = []
        diff(Mirror(reflecting: a), Mirror(reflecting: b), a, b, path: "invoice", into: &out)
        return out.prefix(12).joined(separator: "\n")
    }

    private static func diff(_ ma: Mirror, _ mb: Mirror, _ a: Any, _ b: Any, path: String, into out: inout [String]) {
        let ca = Array(ma.children), cb = Array(mb.children)
        if ca.isEmpty || ca.count != cb.count || ma.displayStyle == .enum {
            let sa = String(describing: a), sb = String(describing: b)
            if sa != sb { out.append("\(path): \(sa) ≠ \(sb)") }
            return
        }
        for (i, (x, y)) in zip(ca, cb).enumerated() {
            let label = x.label ?? "[\(i)]"
            if String(describing: x.value) == String(describing: y.value) { continue }
            diff(Mirror(reflecting: x.value), Mirror(reflecting: y.value), x.value, y.value, path: path + "." + label, into: &out)
        }
    }
}
