import FacteurXML
import Foundation

/// The simple properties of an XMP packet (rdf:Description attributes and simple child elements),
/// flattened as the Factur-X checks need them, plus the namespaces PDF/A extension schemas declare.
public struct XMPPacket: Sendable {
    public static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    public static let pdfaid = "http://www.aiim.org/pdfa/ns/id/"
    public static let pdfaSchema = "http://www.aiim.org/pdfa/ns/schema#"

    /// (namespace, local name) → values, in document order.
    public var properties: [QName: [String]] = [:]
    /// `pdfaSchema:namespaceURI` values of the extension schemas.
    public var extensionNamespaces: [String] = []

    public init(_ data: Data) throws {
        let tree = try XMLParser.parse(data, limits: XMLParseLimits(maxBytes: 8 << 20))
        var stack = [tree.root]
        var visited = 0
        while let e = stack.popLast() {
            visited += 1
            if visited > 200_000 { break }
            if e.namespace == Self.rdf && e.localName == "Description" {
                for (q, v) in e.attributes where !q.namespace.isEmpty && q.namespace != Self.rdf {
                    properties[q, default: []].append(v.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                for c in e.children where !c.namespace.isEmpty {
                    let text = c.trimmedText
                    if c.children.isEmpty, !text.isEmpty {
                        properties[c.name, default: []].append(text)
                    } else if let r = c.attribute("resource", namespace: Self.rdf) {
                        properties[c.name, default: []].append(r)
                    }
                }
                if let ns = e.attribute("namespaceURI", namespace: Self.pdfaSchema) {
                    extensionNamespaces.append(ns.trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }
            if e.namespace == Self.pdfaSchema && e.localName == "namespaceURI" {
                extensionNamespaces.append(e.trimmedText)
            }
            stack.append(contentsOf: e.children.reversed())
        }
    }

    public func first(_ namespace: String, _ local: String) -> String? {
        properties[QName(namespace, local)]?.first
    }

    /// Whether any property is in this namespace.
    public func uses(_ namespace: String) -> Bool {
        properties.keys.contains { $0.namespace == namespace }
    }
}
