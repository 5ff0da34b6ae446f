import FacteurXML
import Foundation
import InvoiceModel

/// The syntaxes Facteur writes.
public enum TargetSyntax: String, Sendable, CaseIterable, Codable {
    case cii, ubl
}

/// Why a document could not be read as an invoice, whatever its syntax.
public enum InvoiceDocumentError: Error, Sendable, CustomStringConvertible {
    case notXML(XMLInputError)
    /// The root element is neither CII nor UBL (ZUGFeRD 1.0, an order, any other XML).
    case unsupportedDocument(root: String, namespace: String, line: Int)
    case ubl(UBLReadError)
    case cii(CIIReadError)

    public var description: String { message(english: false) }
    public var englishDescription: String { message(english: true) }

    public func message(english: Bool) -> String {
        switch self {
        case .notXML(let error):
            return english ? "not an XML document: \(error)" : "ce n'est pas un document XML lisible : \(error)"
        case let .unsupportedDocument(root, namespace, line):
            return english
                ? "line \(line): root element \(root) {\(namespace)} is neither a CII invoice (rsm:CrossIndustryInvoice) nor a UBL 2.1 Invoice or CreditNote"
                : "ligne \(line) : l'élément racine \(root) {\(namespace)} n'est ni une facture CII (rsm:CrossIndustryInvoice) ni une Invoice ou CreditNote UBL 2.1"
        case .ubl(let error):
            return error.message(english: english)
        case .cii(let error):
            return error.message(english: english)
        }
    }
}

/// Reads any EN 16931 invoice (CII or UBL, told by the root element) and writes it in either syntax.
public enum InvoiceDocument {
    public static func read(_ data: Data) throws(InvoiceDocumentError) -> (Invoice, InvoiceSyntax) {
        let tree: XMLTree
        do { tree = try XMLParser.parse(data) } catch { throw .notXML(error) }
        let root = tree.root
        guard let syntax = InvoiceSyntax(root: root.name) else {
            throw .unsupportedDocument(root: root.localName, namespace: root.namespace, line: root.line)
        }
        switch syntax {
        case .cii:
            do { return (try CII.read(tree), syntax) } catch { throw .cii(error) }
        case .ublInvoice, .ublCreditNote:
            do { return (try UBL.read(tree), syntax) } catch { throw .ubl(error) }
        }
    }

    /// Writes `invoice` in `target`. `profile` applies to CII (the Factur-X profile whose BT-24 and
    /// element subset are used); UBL ignores it.
    public static func write(_ invoice: Invoice, as target: TargetSyntax, profile: FacturXProfile? = nil) -> Data {
        switch target {
        case .ubl:
            return UBL.write(invoice)
        case .cii:
            return CII.write(invoice, profile: profile)
        }
    }
}
