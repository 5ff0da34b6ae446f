import FacteurXML
import Foundation
import InvoiceFormats
import InvoiceModel
import Testing

/// Reading stops only where the model cannot hold what the document says, and then names element and line.
@Suite struct CIIReadErrorTests {
    static let example1 = CIIRoundTripTests.oracle.appendingPathComponent("en16931/cii/examples/CII_example1.xml")

    /// CII_example1 with `old` replaced by `new` (first occurrence), and the line the change lands on.
    static func mutated(_ old: String, _ new: String) throws -> (Data, Int) {
        let text = try String(contentsOf: example1, encoding: .utf8)
        let range = try #require(text.range(of: old))
        let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        return (Data(text.replacingCharacters(in: range, with: new).utf8), line)
    }

    @Test func ublIsNotCII() throws {
        let ubl = Data("""
        <?xml version="1.0"?>
        <Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>
        """.utf8)
        #expect(throws: CIIReadError.notCII(root: "Invoice", namespace: Namespace.ublInvoice, line: 2)) { try CII.read(ubl) }
        let error = CIIReadError.notCII(root: "Invoice", namespace: Namespace.ublInvoice, line: 2)
        #expect(error.description.contains("ligne 2") && error.englishDescription.contains("line 2"))
    }

    @Test func notXMLAtAll() {
        #expect {
            try CII.read(Data("facture".utf8))
        } throws: { error in
            guard case .notXML(.malformed)? = error as? CIIReadError else { return false }
            return true
        }
    }

    @Test func missingMandatoryStructure() throws {
        let text = try String(contentsOf: Self.example1, encoding: .utf8)
        let start = try #require(text.range(of: "<ram:ApplicableHeaderTradeSettlement>"))
        let end = try #require(text.range(of: "</ram:ApplicableHeaderTradeSettlement>"))
        let cut = text.replacingCharacters(in: start.lowerBound..<end.upperBound, with: "")
        #expect {
            try CII.read(Data(cut.utf8))
        } throws: { error in
            guard case let .missingStructure(element, parent, line)? = error as? CIIReadError else { return false }
            return element == "ram:ApplicableHeaderTradeSettlement" && parent.hasSuffix("SupplyChainTradeTransaction") && line > 1
        }
    }

    @Test func unparseableAmountNamesTermAndLine() throws {
        let (data, line) = try Self.mutated("<ram:DuePayableAmount>", "<ram:DuePayableAmount>12,5")
        #expect {
            try CII.read(data)
        } throws: { error in
            guard case let .invalidNumber(term, value, path, errorLine)? = error as? CIIReadError else { return false }
            return term == "BT-115" && value.hasPrefix("12,5") && path.hasSuffix("/DuePayableAmount") && errorLine == line
        }
    }

    @Test func unparseableDateNamesTermAndLine() throws {
        let text = try String(contentsOf: Self.example1, encoding: .utf8)
        let issue = try #require(text.range(of: #"<udt:DateTimeString format="102">"#))
        let line = text[..<issue.lowerBound].filter { $0 == "\n" }.count + 1
        let valueEnd = try #require(text.range(of: "</udt:DateTimeString>", range: issue.upperBound..<text.endIndex))
        let broken = text.replacingCharacters(in: issue.upperBound..<valueEnd.lowerBound, with: "20260230")
        #expect {
            try CII.read(Data(broken.utf8))
        } throws: { error in
            guard case let .invalidDate(term, value, format, _, errorLine)? = error as? CIIReadError else { return false }
            return term == "BT-2" && value == "20260230" && format == "102" && errorLine == line
        }
    }

    /// A defective document the model can hold is read, so that validation can report on it.
    @Test func missingTermsAreReadAsEmpty() throws {
        let text = try String(contentsOf: Self.example1, encoding: .utf8)
        let document = try #require(text.range(of: "<rsm:ExchangedDocument>"))
        let id = try #require(text.range(of: "<ram:ID>", range: document.upperBound..<text.endIndex))
        let idEnd = try #require(text.range(of: "</ram:ID>", range: id.upperBound..<text.endIndex))
        let withoutNumber = text.replacingCharacters(in: id.lowerBound..<idEnd.upperBound, with: "")
        let invoice = try CII.read(Data(withoutNumber.utf8))
        #expect(invoice.invoiceNumber.isEmpty)
        #expect(!invoice.lines.isEmpty && invoice.totals.amountDueForPayment > 0)
    }
}
