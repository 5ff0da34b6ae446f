import FacteurXML
import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation
import Testing

/// The deliberately broken invoices of `Tests/Fixtures/mutants` (made by scripts/make-mutants.py from the
/// official examples): a defective document is read, written and judged again, and keeps its defects —
/// except those that live in the XML syntax only, which the model has no place for.
@Suite struct CIIDefectiveDocumentTests {
    typealias Corpus = CIIRoundTripTests

    static func mutants() throws -> [URL] {
        let dir = Corpus.packageRoot.appendingPathComponent("Tests/Fixtures/mutants")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".xml") }.sorted()
            .map { dir.appendingPathComponent($0) }
            .filter { url in
                let tree = try XMLParser.parse(Data(contentsOf: url))
                return InvoiceSyntax(root: tree.root.name) == .cii
            }
    }

    /// The kind of defect, from the file name (`CII_example1--bad-currency.xml` → `bad-currency`).
    static func kind(_ url: URL) -> String {
        url.deletingPathExtension().lastPathComponent.components(separatedBy: "--").last ?? ""
    }

    /// Defects the model cannot carry, so that the written document is judged differently, and why.
    static let syntaxOnly: [String: String] = [
        "unknown-element": "an element outside the CII vocabulary is no business term: it is not read, not written",
        "duplicated-note": "a second ram:TypeCode where the schema allows one: the model has one BT-3",
        "bad-currency": "BT-5 differs from the currencyID of BT-110; the model keeps amounts, not their currencyID "
            + "attributes, and writes BT-5 there (BR-CO-15 becomes BR-CL-03 or the profile's code-list rule)",
    ]

    /// Dates the model cannot hold: reading stops with a typed error naming BT-2 and the line.
    static let unreadable: Set<String> = ["bad-date-format", "impossible-date"]

    @Test func theMutantsAreThere() throws {
        #expect(try Self.mutants().count >= 100)
    }

    @Test(arguments: try! mutants())
    func defectsSurviveTheRoundTrip(url: URL) throws {
        let name = url.lastPathComponent, kind = Self.kind(url)
        let data = try Data(contentsOf: url)
        if Self.unreadable.contains(kind) {
            #expect {
                try CII.read(data)
            } throws: { error in
                guard case let .invalidDate(term, _, _, path, line)? = error as? CIIReadError else { return false }
                return term == "BT-2" && path.hasSuffix("IssueDateTime/DateTimeString") && line > 1
            }
            return
        }
        let invoice = try CII.read(data)
        let written = CII.write(invoice)
        #expect(try CII.read(written) == invoice, "\(name)")
        let before = Set(Corpus.validator.validate(data, file: name).errors.map(\.rule))
        let after = Set(Corpus.validator.validate(written, file: name).errors.map(\.rule))
        if let why = Self.syntaxOnly[kind] {
            #expect(before != after, "\(name): listed as syntax-only (\(why)) but judged the same")
        } else {
            #expect(before == after, "\(name): lost \(before.subtracting(after).sorted()), new \(after.subtracting(before).sorted())")
        }
    }
}
