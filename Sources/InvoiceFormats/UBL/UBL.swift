import FacteurXML
import Foundation
import InvoiceModel

/// UBL 2.1 `Invoice` and `CreditNote` documents as the EN 16931 UBL binding (CEN/TS 16931-3-2) maps them.
///
/// Reading keeps every business term of the binding; writing produces a document that the UBL 2.1 schema
/// accepts, elements in the schema's order. What UBL cannot carry, or carries differently from CII, is
/// listed in `UBL.bindingNotes`.
public enum UBL {
    /// Reads a UBL `Invoice` or `CreditNote`.
    public static func read(_ data: Data) throws(UBLReadError) -> Invoice {
        let tree: XMLTree
        do { tree = try XMLParser.parse(data) } catch { throw .notXML(error) }
        return try read(tree)
    }

    /// Reads an already parsed document (the validator and the converter parse once).
    public static func read(_ tree: XMLTree) throws(UBLReadError) -> Invoice {
        var reader = UBLReader(root: tree.root)
        return try reader.read()
    }

    /// Writes `invoice` as a UBL `Invoice`, or as a `CreditNote` when `invoice.isCreditNote`.
    public static func write(_ invoice: Invoice) -> Data {
        var writer = UBLWriter(invoice: invoice)
        return writer.write()
    }

    /// Where UBL and the model, or UBL and CII, do not line up one to one. Kept as data so that the tests
    /// and the documentation name the same list.
    public static let bindingNotes: [String] = [
        "BT-8: UBL uses UNTDID 2005 (3, 35, 432); CII codes 5, 29, 72 are written as 3, 35, 432.",
        "BT-9 of a CreditNote lives in PaymentMeans/PaymentDueDate: without payment instructions (BG-16) it cannot be written.",
        "BT-14 without BT-13: OrderReference/ID is mandatory in UBL and is written as NA, read back as absent.",
        "BT-21: UBL has no note subject code; it is written as the #CODE# prefix of the note text (the PEPPOL and XRechnung convention).",
        "BT-110 absent with a VAT breakdown: UBL's TaxTotal/TaxAmount is mandatory and is written as the sum of BT-117.",
        "BT-92, BT-99, BT-136, BT-141 absent: AllowanceCharge/Amount is mandatory in UBL; written as base × percentage / 100 when both are known, else left out (an XSD error, as the defect deserves).",
        "BT-148 without BT-147: Price/AllowanceCharge/Amount is mandatory and is written as gross minus net price.",
        "BG-18: CardAccount/NetworkID is mandatory in UBL and has no business term; it is written as NA.",
        "BT-90: written in the payee's PartyIdentification when there is a payee, else in the seller's, with schemeID SEPA.",
        "BT-84 IBAN or proprietary: UBL has a single element; the CII distinction is not kept.",
        "BG-3 type code: not an EN 16931 term; written in InvoiceDocumentReference/DocumentTypeCode (a UBL-CR warning).",
    ]
}

/// Why a UBL document could not be turned into an `Invoice`: which element, where, and what was expected.
///
/// Only what the model cannot represent is an error: a missing business term is read as empty or absent so
/// that validation can name it, while an amount `12,50` or a date `2024-13-01` cannot be kept without
/// inventing a value.
public enum UBLReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not well-formed XML (or are refused by the safe parser).
    case notXML(XMLInputError)
    /// The root element is neither `Invoice` nor `CreditNote` in the UBL 2.1 namespaces.
    case notUBL(root: String, namespace: String, line: Int)
    /// An amount, quantity or percentage that is not an `xs:decimal`.
    case invalidNumber(term: String, value: String, path: String, line: Int)
    /// A date that is not a real `YYYY-MM-DD` calendar date.
    case invalidDate(term: String, value: String, path: String, line: Int)
    /// A `ChargeIndicator` that is neither true nor false.
    case invalidIndicator(value: String, path: String, line: Int)
    /// Base64 content of an attachment that does not decode.
    case invalidBinary(term: String, path: String, line: Int)

    /// French, the default language of Facteur's messages.
    public var description: String { message(english: false) }

    public var englishDescription: String { message(english: true) }

    public func message(english: Bool) -> String {
        switch self {
        case .notXML(let error):
            return english ? "not an XML document: \(error)" : "ce n'est pas un document XML lisible : \(error)"
        case let .notUBL(root, namespace, line):
            return english
                ? "line \(line): root element \(root) {\(namespace)} is not a UBL 2.1 Invoice or CreditNote"
                : "ligne \(line) : l'élément racine \(root) {\(namespace)} n'est ni une Invoice ni une CreditNote UBL 2.1"
        case let .invalidNumber(term, value, path, line):
            return english
                ? "\(term) at \(path) (line \(line)): «\(value)» is not a decimal number (expected e.g. 1234.56, with a point)"
                : "\(term) en \(path) (ligne \(line)) : « \(value) » n'est pas un nombre décimal (attendu par exemple 1234.56, avec un point)"
        case let .invalidDate(term, value, path, line):
            return english
                ? "\(term) at \(path) (line \(line)): «\(value)» is not a date YYYY-MM-DD"
                : "\(term) en \(path) (ligne \(line)) : « \(value) » n'est pas une date AAAA-MM-JJ"
        case let .invalidIndicator(value, path, line):
            return english
                ? "\(path) (line \(line)): «\(value)» is neither true nor false"
                : "\(path) (ligne \(line)) : « \(value) » n'est ni true ni false"
        case let .invalidBinary(term, path, line):
            return english
                ? "\(term) at \(path) (line \(line)): the attachment is not valid base64"
                : "\(term) en \(path) (ligne \(line)) : la pièce jointe n'est pas du base64 valide"
        }
    }
}

/// UNTDID 2475 (CII) to UNTDID 2005 (UBL) for BT-8: invoice date, delivery date, payment date.
enum VATPointDateCode {
    static let ciiToUBL = ["5": "3", "29": "35", "72": "432"]
    static let ublToCII = ["3": "5", "35": "29", "432": "72"]
}
