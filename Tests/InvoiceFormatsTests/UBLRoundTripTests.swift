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
        // The writer adds no warning of its own (it may drop some: elements outside the binding are not written).
        let newWarnings = Set(after.warnings.map(\.rule)).subtracting(before.warnings.map(\.rule))
        #expect(newWarnings.isEmpty, "\(file.lastPathComponent): \(newWarnings.sorted())")
    }
}

/// Every single `cbc:` element of every official file removed in turn (about 3,000 defective documents):
/// reading never traps, and read → write → read gives the same model, apart from the mandatory UBL
/// elements the writer fills from other terms (`UBL.bindingNotes`).
@Suite struct UBLMissingElementTests {
    /// What the writer derives when UBL needs an element the model leaves empty.
    static func asUBLWritesIt(_ source: Invoice) -> Invoice {
        var inv = source
        func derive(_ ac: inout AllowanceCharge) {
            if ac.amount == nil, let base = ac.baseAmount, let percentage = ac.percentage {
                ac.amount = (base * percentage / 100).rounded(scale: 2)
            }
        }
        for i in inv.allowanceCharges.indices { derive(&inv.allowanceCharges[i]) }
        if inv.totals.totalVAT == nil, !inv.vatBreakdown.isEmpty {
            inv.totals.totalVAT = inv.vatBreakdown.reduce(0) { $0 + $1.taxAmount }
        }
        for i in inv.lines.indices {
            for j in inv.lines[i].allowanceCharges.indices { derive(&inv.lines[i].allowanceCharges[j]) }
            let price = inv.lines[i].price
            if price.discount == nil, let gross = price.grossPrice { inv.lines[i].price.discount = gross - price.netPrice }
        }
        return inv
    }

    @Test(arguments: UBLRoundTripTests.ublFiles)
    func anyMissingElementSurvivesTheRoundTrip(file: URL) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        let element = try NSRegularExpression(pattern: "<cbc:(\\w+)[^>]*>[^<]*</cbc:\\1>")
        let matches = element.matches(in: text, range: NSRange(text.startIndex..., in: text))
        #expect(matches.count > 10)
        var failures: [String] = []
        for match in matches {
            guard let range = Range(match.range, in: text) else { continue }
            var defective = text
            defective.removeSubrange(range)
            guard let invoice = try? UBL.read(Data(defective.utf8)) else {
                failures.append("without \(text[range]): unreadable")
                continue
            }
            let back = try UBL.read(UBL.write(invoice))
            if back != Self.asUBLWritesIt(invoice) {
                failures.append("without \(text[range]):\n\(ModelDiff.describe(Self.asUBLWritesIt(invoice), back))")
            }
        }
        #expect(failures.isEmpty, "\(file.lastPathComponent): \(failures.prefix(5).joined(separator: "\n"))")
    }
}

/// The deliberately broken invoices (Tests/Fixtures/mutants): a defect the model can hold must survive a
/// round trip, so the written file fails the same rules. The exceptions are kinds of defect the model has
/// no place for, each named with its reason.
@Suite struct UBLDefectRoundTripTests {
    static var ublMutants: [URL] {
        let dir = UBLRoundTripTests.packageRoot.appendingPathComponent("Tests/Fixtures/mutants")
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .filter { url in
                guard url.pathExtension == "xml", let data = try? Data(contentsOf: url) else { return false }
                return String(decoding: data, as: UTF8.self).contains("urn:oasis:names:specification:ubl:schema:xsd")
            }.sorted { $0.path < $1.path }
    }

    @Test func thereAreUBLMutants() {
        #expect(Self.ublMutants.count >= 40)
    }

    @Test(arguments: ublMutants)
    func defectsSurviveTheRoundTrip(file: URL) throws {
        let original = try Data(contentsOf: file)
        let kind = file.deletingPathExtension().lastPathComponent.components(separatedBy: "--").last ?? ""
        if kind == "impossible-date" {
            // 30 February cannot be held in a LocalDate: reading stops, naming the element and line.
            #expect {
                try UBL.read(original)
            } throws: { error in
                guard case let .invalidDate(term, _, _, line) = error as? UBLReadError else { return false }
                return term.hasPrefix("BT-") && line > 0
            }
            return
        }
        let invoice = try UBL.read(original)
        let written = UBL.write(invoice)
        #expect(try UBL.read(written) == invoice, "\(file.lastPathComponent)")
        var before = Set(UBLRoundTripTests.validator.validate(original, file: file.lastPathComponent).errors.map(\.rule))
        var after = Set(UBLRoundTripTests.validator.validate(written, file: file.lastPathComponent).errors.map(\.rule))
        switch kind {
        case "unknown-element":
            // An element outside the UBL schema is not a business term: it is not read, so not written.
            before.remove("XSD-UBL-2.1")
        case "bad-currency":
            // The mutant changes BT-5 only. BR-CO-15 takes BT-110 from the TaxAmount whose currencyID is
            // BT-5, which no amount of the source has; the writer gives every amount BT-5 as currencyID, so
            // BR-CO-15 holds and the unknown code is reported on the amounts instead (BR-CL-03).
            before.remove("BR-CO-15")
            after.remove("BR-CL-03")
        default:
            break
        }
        #expect(before == after, "\(file.lastPathComponent): lost \(before.subtracting(after).sorted()), new \(after.subtracting(before).sorted())")
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
