import FacteurXML

/// Why a CII document could not be turned into an `Invoice`: which element, where, and what was expected.
///
/// Only what the model cannot represent is an error. A missing business term (a missing BT-1, a missing
/// party name…) is read as empty or absent so that validation can name it; a value that is present but
/// unreadable (an amount `12,50`, a date `2024-13-01`) cannot be kept in a `Decimal` or a `LocalDate`
/// without inventing a number, so reading stops there.
public enum CIIReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not well-formed XML (or are refused by the safe parser).
    case notXML(XMLInputError)
    /// The root element is not `rsm:CrossIndustryInvoice`.
    case notCII(root: String, namespace: String, line: Int)
    /// A structure without which no invoice can be built (e.g. `rsm:ExchangedDocument`).
    case missingStructure(element: String, parent: String, line: Int)
    /// An amount, quantity or percentage that is not an `xs:decimal`, or one too large or too precise for
    /// `Decimal` (38 significant digits).
    case invalidNumber(term: String, value: String, path: String, line: Int)
    /// A date that is not a real calendar date in the announced format.
    case invalidDate(term: String, value: String, format: String?, path: String, line: Int)
    /// Base64 content of an attachment that does not decode.
    case invalidBinary(term: String, path: String, line: Int)

    /// French, the default language of Facteur's messages.
    public var description: String { message(english: false) }

    public var englishDescription: String { message(english: true) }

    public func message(english: Bool) -> String {
        switch self {
        case .notXML(let error):
            return english ? "not an XML document: \(error)" : "ce n'est pas un document XML lisible : \(error)"
        case let .notCII(root, namespace, line):
            return english
                ? "line \(line): root element \(root) {\(namespace)} is not a CII invoice (rsm:CrossIndustryInvoice {\(Namespace.rsm)})"
                : "ligne \(line) : l'élément racine \(root) {\(namespace)} n'est pas une facture CII (rsm:CrossIndustryInvoice {\(Namespace.rsm)})"
        case let .missingStructure(element, parent, line):
            return english
                ? "line \(line): \(parent) has no \(element), which every CII invoice must contain"
                : "ligne \(line) : \(parent) ne contient pas \(element), obligatoire dans toute facture CII"
        case let .invalidNumber(term, value, path, line):
            return english
                ? "\(term) at \(path) (line \(line)): «\(value)» is not a decimal number that can be held (expected e.g. 1234.56, with a point, at most 38 significant digits)"
                : "\(term) en \(path) (ligne \(line)) : « \(value) » n'est pas un nombre décimal représentable (attendu par exemple 1234.56, avec un point, 38 chiffres significatifs au plus)"
        case let .invalidDate(term, value, format, path, line):
            let f = format.map { english ? " with format \($0)" : " au format \($0)" } ?? ""
            return english
                ? "\(term) at \(path) (line \(line)): «\(value)»\(f) is not a date in format 102 (YYYYMMDD)"
                : "\(term) en \(path) (ligne \(line)) : « \(value) »\(f) n'est pas une date au format 102 (AAAAMMJJ)"
        case let .invalidBinary(term, path, line):
            return english
                ? "\(term) at \(path) (line \(line)): the attachment is not valid base64"
                : "\(term) en \(path) (ligne \(line)) : la pièce jointe n'est pas du base64 valide"
        }
    }
}
