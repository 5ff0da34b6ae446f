import Foundation

/// Builds XML text for the writers: elements with prefixes declared once on the root, text and
/// attributes escaped, two-space indentation. Small on purpose: invoices are plain data trees.
public struct XMLWriter {
    private var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var stack: [(name: String, hasChildren: Bool)] = []
    private var pendingNamespaces: [(String, String)]

    /// `namespaces`: (prefix, URI) pairs declared on the root element.
    public init(namespaces: [(String, String)]) {
        pendingNamespaces = namespaces
    }

    public static func escape(_ s: String, attribute: Bool = false) -> String {
        var r = ""
        r.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"" where attribute: r += "&quot;"
            case "\r": r += "&#13;"
            case "\t" where attribute: r += "&#9;"
            case "\n" where attribute: r += "&#10;"
            default:
                // Characters XML 1.0 forbids are dropped rather than producing an unreadable file.
                if c.value < 0x20 && c != "\n" && c != "\t" { continue }
                r.unicodeScalars.append(c)
            }
        }
        return r
    }

    private var indent: String { String(repeating: "  ", count: stack.count) }

    private mutating func openTag(_ name: String, _ attributes: [(String, String)]) -> String {
        var tag = "<" + name
        if !pendingNamespaces.isEmpty {
            for (p, uri) in pendingNamespaces { tag += " xmlns:\(p)=\"\(XMLWriter.escape(uri, attribute: true))\"" }
            pendingNamespaces = []
        }
        for (k, v) in attributes { tag += " \(k)=\"\(XMLWriter.escape(v, attribute: true))\"" }
        return tag
    }

    private mutating func markParent() {
        if let last = stack.last, !last.hasChildren {
            stack[stack.count - 1].hasChildren = true
            out += "\n"
        }
    }

    /// `<name attr="…">` — children follow until `end()`.
    public mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        markParent()
        out += indent + openTag(name, attributes) + ">"
        stack.append((name, false))
    }

    public mutating func end() {
        guard let (name, hasChildren) = stack.popLast() else { return }
        if hasChildren { out += indent }
        out += "</\(name)>\n"
    }

    /// `<name attr="…">text</name>`; nothing when `text` is nil.
    public mutating func leaf(_ name: String, _ text: String?, _ attributes: [(String, String)] = []) {
        guard let text else { return }
        markParent()
        out += indent + openTag(name, attributes) + ">" + XMLWriter.escape(text) + "</\(name)>\n"
    }

    /// Runs `body` between `start(name)` and `end()`.
    public mutating func element(_ name: String, _ attributes: [(String, String)] = [], _ body: (inout XMLWriter) -> Void) {
        start(name, attributes)
        body(&self)
        end()
    }

    public var text: String { out }
    public var data: Data { Data(out.utf8) }
}

/// Why a document could not be turned into an invoice: which term, where, and what to do.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedDocument(root: String)
    case missing(term: String, path: String)
    case invalidValue(term: String, value: String, path: String, line: Int, expected: String)

    public var description: String {
        switch self {
        case .unsupportedDocument(let root):
            return "\(root) is neither a CII invoice (rsm:CrossIndustryInvoice) nor a UBL 2.1 Invoice or CreditNote"
        case let .missing(term, path):
            return "\(term) is missing (expected at \(path))"
        case let .invalidValue(term, value, path, line, expected):
            return "\(term) at \(path) (line \(line)): «\(value)» is not \(expected)"
        }
    }
}
