import CLibXML2
import Foundation
import Synchronization

/// Why a document could not be read as XML. Each case says what a person can do about it.
public enum XMLInputError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(bytes: Int, limit: Int)
    case doctypeForbidden
    case malformed(line: Int, message: String)

    public var description: String {
        switch self {
        case .empty:
            return "the document is empty"
        case let .tooLarge(bytes, limit):
            return "the document is \(bytes) bytes long; the limit is \(limit) bytes"
        case .doctypeForbidden:
            return "the document declares a DOCTYPE; invoices never need one and it is refused (entity expansion and external entities are not allowed)"
        case let .malformed(line, message):
            return "not well-formed XML at line \(line): \(message)"
        }
    }
}

/// Limits applied to every parse. Invoices are small; these bounds keep hostile input harmless.
public struct XMLParseLimits: Sendable, Equatable {
    public var maxBytes: Int
    public init(maxBytes: Int = 32 * 1024 * 1024) { self.maxBytes = maxBytes }
}

/// An expanded name: namespace URI + local name, interned process-wide so that compiled
/// XPath expressions can compare names as integers across documents.
public struct QName: Hashable, Sendable {
    public let namespace: String
    public let local: String
    public init(_ namespace: String, _ local: String) {
        self.namespace = namespace
        self.local = local
    }
}

public final class NameTable: Sendable {
    public static let shared = NameTable()
    private struct State {
        var ids: [QName: Int32] = [:]
        var names: [QName] = []
        /// The same ids keyed by a hash of the raw UTF-8 bytes (namespace, then local name), so
        /// that a parsed document's names are found without building and hashing two Strings each:
        /// open addressing on the hash itself (a Dictionary would hash the hash again), 0 = empty.
        var hashKeys = [UInt64](repeating: 0, count: 1024)
        var hashIDs = [Int32](repeating: 0, count: 1024)
        var hashCount = 0

        func byBytes(_ h: UInt64) -> Int32? {
            let mask = hashKeys.count - 1
            var b = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
            while hashKeys[b] != 0 {
                if hashKeys[b] == h { return hashIDs[b] }
                b = (b + 1) & mask
            }
            return nil
        }

        mutating func remember(_ h: UInt64, _ id: Int32) {
            if (hashCount + 1) * 2 > hashKeys.count {
                let keys = hashKeys, ids = hashIDs
                hashKeys = [UInt64](repeating: 0, count: keys.count * 2)
                hashIDs = [Int32](repeating: 0, count: keys.count * 2)
                hashCount = 0
                for k in keys.indices where keys[k] != 0 { remember(keys[k], ids[k]) }
            }
            let mask = hashKeys.count - 1
            var b = Int(truncatingIfNeeded: h ^ (h >> 32)) & mask
            while hashKeys[b] != 0 { b = (b + 1) & mask }
            hashKeys[b] = h
            hashIDs[b] = id
            hashCount += 1
        }
    }
    private let state = Mutex(State())

    public func id(_ name: QName) -> Int32 {
        state.withLock { s in
            if let id = s.ids[name] { return id }
            let id = Int32(s.names.count)
            s.names.append(name)
            s.ids[name] = id
            return id
        }
    }

    /// The id if the name was ever interned; a name never seen cannot match any node.
    /// Ids for names given as NUL-terminated UTF-8 (namespace URI, local name; nil = empty), under
    /// one lock: a parsed document's distinct names.
    func ids(utf8 names: [(namespace: UnsafePointer<UInt8>?, local: UnsafePointer<UInt8>?)]) -> [Int32] {
        ids(utf8Slices: names.map { (NameTable.bytes($0.namespace), NameTable.bytes($0.local)) })
    }

    /// The same for names given as byte ranges (the native parser's names point into the document).
    func ids(utf8Slices names: [(namespace: UnsafeBufferPointer<UInt8>, local: UnsafeBufferPointer<UInt8>)]) -> [Int32] {
        state.withLock { s in
            names.map { pair in
                let ns = pair.namespace, local = pair.local
                var h = NameTable.hash(local, seed: NameTable.hash(ns, seed: 0xCBF2_9CE4_8422_2325) ^ 0xFF)
                if h == 0 { h = 1 } // 0 marks an empty slot
                if let id = s.byBytes(h) {
                    let q = s.names[Int(id)]
                    if NameTable.equal(q.namespace, ns) && NameTable.equal(q.local, local) { return id }
                }
                let name = QName(String(decoding: ns, as: UTF8.self), String(decoding: local, as: UTF8.self))
                let id: Int32
                if let known = s.ids[name] { id = known } else {
                    id = Int32(s.names.count)
                    s.names.append(name)
                    s.ids[name] = id
                }
                if s.byBytes(h) == nil { s.remember(h, id) } // on a collision the first name keeps the fast path
                return id
            }
        }
    }

    /// Bytes mixed eight at a time, their count included (so that the namespace/local split counts).
    static func hash(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(b.count) &* 0xFF51_AFD7_ED55_8CCD)
        guard let base = b.baseAddress else { return h }
        var k = 0
        while k + 8 <= b.count {
            h = (h ^ UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            k += 8
        }
        while k < b.count {
            h = (h ^ UInt64(base[k])) &* 0x100_0000_01B3
            k += 1
        }
        return h ^ (h >> 31)
    }

    private static func equal(_ s: String, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.utf8.count == b.count else { return false }
        guard let base = b.baseAddress, b.count > 0 else { return true }
        // Interned names are native Strings, hence contiguous; the generic comparison is the fallback.
        return s.utf8.withContiguousStorageIfAvailable { a in memcmp(a.baseAddress!, base, b.count) == 0 }
            ?? s.utf8.elementsEqual(b)
    }

    private static func bytes(_ p: UnsafePointer<UInt8>?) -> UnsafeBufferPointer<UInt8> {
        guard let p else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: p, count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)))
    }

    /// Ids for several names under one lock.
    public func ids(_ names: [QName]) -> [Int32] {
        state.withLock { s in
            names.map { name in
                if let id = s.ids[name] { return id }
                let id = Int32(s.names.count)
                s.names.append(name)
                s.ids[name] = id
                return id
            }
        }
    }

    public func existingID(_ name: QName) -> Int32? {
        state.withLock { $0.ids[name] }
    }

    public func name(_ id: Int32) -> QName {
        state.withLock { $0.names[Int(id)] }
    }
}

/// A read-only XML document stored as a flat array of nodes in document order
/// (an element's attributes come right after it, then its children). Built once from
/// libxml2's tree, then shared freely between threads.
public final class XMLTree: Sendable {
    public enum Kind: UInt8, Sendable {
        case document, element, attribute, text
    }


    /// Visible to inlinable code only: the rule engine walks nodes millions of times per second and
    /// the accessors below must compile to plain loads in other modules too.
    @usableFromInline
    struct Node: Sendable {
        @usableFromInline var kind: Kind
        @usableFromInline var name: Int32 = -1
        @usableFromInline var parent: Int32 = -1
        @usableFromInline var firstChild: Int32 = -1
        @usableFromInline var nextSibling: Int32 = -1
        @usableFromInline var firstAttribute: Int32 = -1
        @usableFromInline var line: Int32 = 0
        /// Index into `values` for text and attribute nodes.
        @usableFromInline var value: Int32 = -1

        init(kind: Kind, name: Int32 = -1, parent: Int32 = -1, firstChild: Int32 = -1, nextSibling: Int32 = -1,
             firstAttribute: Int32 = -1, line: Int32 = 0, value: Int32 = -1) {
            self.kind = kind
            self.name = name
            self.parent = parent
            self.firstChild = firstChild
            self.nextSibling = nextSibling
            self.firstAttribute = firstAttribute
            self.line = line
            self.value = value
        }
    }

    @usableFromInline let nodes: [Node]
    let values: [String]
    /// Namespace declarations (prefix → URI) by element, kept for stylesheets whose XPath needs them.
    public let namespaceDeclarations: [Int32: [String: String]]

    /// For each node, the index just past its subtree (nodes are stored in document order).
    let subtreeEnds: [Int32]

    init(nodes: [Node], values: [String], namespaceDeclarations: [Int32: [String: String]]) {
        self.nodes = nodes
        self.values = values
        self.namespaceDeclarations = namespaceDeclarations
        var ends = [Int32](repeating: Int32(nodes.count), count: nodes.count)
        for i in 1..<max(1, nodes.count) {
            let n = nodes[i]
            if n.kind == .attribute || n.kind == .text { ends[i] = Int32(i + 1); continue }
            ends[i] = n.nextSibling >= 0 ? n.nextSibling : ends[Int(n.parent)]
        }
        self.subtreeEnds = ends
    }

    public func subtreeEnd(_ i: Int32) -> Int32 { subtreeEnds[Int(i)] }

    public var nodeCount: Int { nodes.count }
    public var document: XMLNodeRef { XMLNodeRef(tree: self, index: 0) }
    /// The root element.
    public var root: XMLElement {
        var c = nodes[0].firstChild
        while c >= 0 {
            if nodes[Int(c)].kind == .element { return XMLElement(tree: self, index: c) }
            c = nodes[Int(c)].nextSibling
        }
        preconditionFailure("a parsed document always has a root element")
    }

    // MARK: Raw accessors used by the XPath engine (indices, no allocation)

    @inlinable public func kind(_ i: Int32) -> Kind { nodes[Int(i)].kind }
    @inlinable public func nameID(_ i: Int32) -> Int32 { nodes[Int(i)].name }
    @inlinable public func parent(_ i: Int32) -> Int32 { nodes[Int(i)].parent }
    @inlinable public func firstChild(_ i: Int32) -> Int32 { nodes[Int(i)].firstChild }
    @inlinable public func nextSibling(_ i: Int32) -> Int32 { nodes[Int(i)].nextSibling }
    @inlinable public func firstAttribute(_ i: Int32) -> Int32 { nodes[Int(i)].firstAttribute }
    @inlinable public func line(_ i: Int32) -> Int { Int(nodes[Int(i)].line) }

    /// The XPath string value: the text of a text/attribute node, or the concatenated
    /// descendant text of an element or document.
    public func stringValue(_ i: Int32) -> String {
        let n = nodes[Int(i)]
        switch n.kind {
        case .text, .attribute:
            return values[Int(n.value)]
        case .element, .document:
            // Fast path: most invoice elements hold a single text node.
            let c = n.firstChild
            if c < 0 { return "" }
            let cn = nodes[Int(c)]
            if cn.kind == .text && cn.nextSibling < 0 { return values[Int(cn.value)] }
            var out = ""
            appendText(i, to: &out)
            return out
        }
    }

    private func appendText(_ i: Int32, to out: inout String) {
        var c = nodes[Int(i)].firstChild
        while c >= 0 {
            let cn = nodes[Int(c)]
            if cn.kind == .text { out += values[Int(cn.value)] } else if cn.kind == .element { appendText(c, to: &out) }
            c = cn.nextSibling
        }
    }

    /// A path such as `/*:Invoice[1]/*:InvoiceLine[2]/*:ID[1]` as the official schematron reports locations.
    public func locationPath(_ i: Int32) -> String {
        var parts: [String] = []
        var cur = i
        while cur > 0 {
            let n = nodes[Int(cur)]
            switch n.kind {
            case .element:
                let qn = NameTable.shared.name(n.name)
                var pos = 1
                var s = nodes[Int(n.parent)].firstChild
                while s >= 0 && s != cur {
                    if nodes[Int(s)].kind == .element && nodes[Int(s)].name == n.name { pos += 1 }
                    s = nodes[Int(s)].nextSibling
                }
                parts.append("*:\(qn.local)[namespace-uri()='\(qn.namespace)'][\(pos)]")
            case .attribute:
                let qn = NameTable.shared.name(n.name)
                parts.append(qn.namespace.isEmpty ? "@\(qn.local)" : "@*[local-name()='\(qn.local)' and namespace-uri()='\(qn.namespace)']")
            case .text:
                parts.append("text()")
            case .document:
                break
            }
            cur = n.parent
        }
        return "/" + parts.reversed().joined(separator: "/")
    }

    /// A compact, readable path: `/Invoice/InvoiceLine[2]/Item/Name`.
    public func shortPath(_ i: Int32) -> String {
        var parts: [String] = []
        var cur = i
        while cur > 0 {
            let n = nodes[Int(cur)]
            let qn = n.name >= 0 ? NameTable.shared.name(n.name) : QName("", "text()")
            switch n.kind {
            case .element:
                var pos = 0, count = 0
                var s = nodes[Int(n.parent)].firstChild
                while s >= 0 {
                    if nodes[Int(s)].kind == .element && nodes[Int(s)].name == n.name {
                        count += 1
                        if s == cur { pos = count }
                    }
                    s = nodes[Int(s)].nextSibling
                }
                parts.append(count > 1 ? "\(qn.local)[\(pos)]" : qn.local)
            case .attribute: parts.append("@" + qn.local)
            case .text: parts.append("text()")
            case .document: break
            }
            cur = n.parent
        }
        return "/" + parts.reversed().joined(separator: "/")
    }
}

/// Any node of a tree (document, element, attribute or text).
public struct XMLNodeRef: Hashable, Sendable {
    public let tree: XMLTree
    public let index: Int32
    public static func == (a: XMLNodeRef, b: XMLNodeRef) -> Bool { a.tree === b.tree && a.index == b.index }
    public func hash(into h: inout Hasher) { h.combine(index) }
}

/// A convenient element handle for readers of known vocabularies (CII, UBL).
public struct XMLElement: Sendable {
    public let tree: XMLTree
    public let index: Int32

    public init(tree: XMLTree, index: Int32) {
        self.tree = tree
        self.index = index
    }

    public var name: QName { NameTable.shared.name(tree.nameID(index)) }
    public var localName: String { name.local }
    public var namespace: String { name.namespace }
    public var line: Int { tree.line(index) }
    /// Concatenated text content.
    public var text: String { tree.stringValue(index) }
    /// Text content with surrounding whitespace removed.
    public var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
    public var path: String { tree.shortPath(index) }
    public var parent: XMLElement? {
        let p = tree.parent(index)
        return p > 0 && tree.kind(p) == .element ? XMLElement(tree: tree, index: p) : nil
    }

    /// Child elements in document order.
    public var children: [XMLElement] {
        var out: [XMLElement] = []
        var c = tree.firstChild(index)
        while c >= 0 {
            if tree.kind(c) == .element { out.append(XMLElement(tree: tree, index: c)) }
            c = tree.nextSibling(c)
        }
        return out
    }

    public func children(_ namespace: String, _ local: String) -> [XMLElement] {
        guard let id = NameTable.shared.existingID(QName(namespace, local)) else { return [] }
        var out: [XMLElement] = []
        var c = tree.firstChild(index)
        while c >= 0 {
            if tree.kind(c) == .element && tree.nameID(c) == id { out.append(XMLElement(tree: tree, index: c)) }
            c = tree.nextSibling(c)
        }
        return out
    }

    public func child(_ namespace: String, _ local: String) -> XMLElement? {
        guard let id = NameTable.shared.existingID(QName(namespace, local)) else { return nil }
        var c = tree.firstChild(index)
        while c >= 0 {
            if tree.kind(c) == .element && tree.nameID(c) == id { return XMLElement(tree: tree, index: c) }
            c = tree.nextSibling(c)
        }
        return nil
    }

    /// Attribute value by local name (and namespace, empty for unqualified attributes).
    public func attribute(_ local: String, namespace: String = "") -> String? {
        guard let id = NameTable.shared.existingID(QName(namespace, local)) else { return nil }
        var a = tree.firstAttribute(index)
        while a >= 0 {
            if tree.nameID(a) == id { return tree.stringValue(a) }
            a = tree.nextSibling(a)
        }
        return nil
    }

    /// All attributes as (name, value) in document order.
    public var attributes: [(QName, String)] {
        var out: [(QName, String)] = []
        var a = tree.firstAttribute(index)
        while a >= 0 {
            out.append((NameTable.shared.name(tree.nameID(a)), tree.stringValue(a)))
            a = tree.nextSibling(a)
        }
        return out
    }
}

// MARK: - Parsing

public enum XMLParser {
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `data` safely: no network, no DTD, no entity expansion, bounded size and depth
    /// (libxml2 refuses nesting deeper than 256 levels unless told otherwise, which we never do).
    /// `inspect` sees libxml2's document before it is freed (used for XSD validation on the same tree).
    public static func parse<T>(
        _ data: Data, limits: XMLParseLimits = .init(),
        inspect: (xmlDocPtr, XMLTree) -> T
    ) throws(XMLInputError) -> (XMLTree, T) {
        _ = initialised
        try checkBeforeParsing(data, limits: limits)

        guard let ctxt = xmlNewParserCtxt() else { throw .malformed(line: 0, message: "out of memory") }
        defer { xmlFreeParserCtxt(ctxt) }
        let options = parseOptions
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            raw.baseAddress.flatMap { base in
                xmlCtxtReadMemory(ctxt, base.assumingMemoryBound(to: CChar.self), Int32(raw.count), "document.xml", nil, options)
            }
        }
        guard let doc else {
            let err = xmlCtxtGetLastError(ctxt)
            let line = err.map { Int($0.pointee.line) } ?? 0
            let msg = err.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unreadable document"
            throw .malformed(line: line, message: msg.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        defer { xmlFreeDoc(doc) }
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil { throw .doctypeForbidden }
        if ctxt.pointee.wellFormed == 0 {
            let err = xmlCtxtGetLastError(ctxt)
            throw .malformed(line: err.map { Int($0.pointee.line) } ?? 0,
                             message: err.flatMap { $0.pointee.message.map { String(cString: $0) } }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "not well-formed")
        }
        let tree = build(doc)
        return (tree, inspect(doc, tree))
    }

    /// What is refused before any parser reads the document: nothing to read, too much, a DOCTYPE.
    static func checkBeforeParsing(_ data: Data, limits: XMLParseLimits) throws(XMLInputError) {
        if data.isEmpty || data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw .empty
        }
        if data.count > limits.maxBytes { throw .tooLarge(bytes: data.count, limit: limits.maxBytes) }
        if declaresDoctype(data) { throw .doctypeForbidden }
    }

    /// libxml2's parse and nothing else, with the options `parse` uses: the benchmark's baseline.
    public static func libxml2Only(_ data: Data) {
        _ = initialised
        guard let ctxt = xmlNewParserCtxt() else { return }
        defer { xmlFreeParserCtxt(ctxt) }
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            raw.baseAddress.flatMap { base in
                xmlCtxtReadMemory(ctxt, base.assumingMemoryBound(to: CChar.self), Int32(raw.count), "document.xml", nil, parseOptions)
            }
        }
        if let doc { xmlFreeDoc(doc) }
    }

    static let parseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_COMPACT.rawValue
        | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// The native reader when it accepts the document (the same tree, proven on the corpus and on
    /// broken variants by `NativeParserTests`), libxml2 otherwise.
    public static func parse(_ data: Data, limits: XMLParseLimits = .init()) throws(XMLInputError) -> XMLTree {
        try parseNatively(data, limits: limits)
    }

    /// Parses once, then validates the same libxml2 tree against the schemas `schemasFor` picks
    /// after looking at the document (root element, BT-24…). Returns violations per schema key.
    public static func parse<Key>(_ data: Data, limits: XMLParseLimits = .init(), schemasFor: (XMLTree) -> [(Key, XMLSchema)])
        throws(XMLInputError) -> (tree: XMLTree, violations: [(Key, [SchemaViolation])]) {
        try parse(data, limits: limits, shortenBinaries: true, schemasFor: schemasFor)
    }

    /// `shortenBinaries: false` is for the test that proves the shortcut below changes no verdict.
    static func parse<Key>(_ data: Data, limits: XMLParseLimits, shortenBinaries: Bool, schemasFor: (XMLTree) -> [(Key, XMLSchema)])
        throws(XMLInputError) -> (tree: XMLTree, violations: [(Key, [SchemaViolation])]) {
        // libxml2 is needed only when a schema check is not proven natively: it then parses again and
        // judges, and its tree and messages are returned exactly as before.
        try checkBeforeParsing(data, limits: limits)
        if let tree = nativeTree(data) {
            let schemas = schemasFor(tree)
            if schemas.allSatisfy({ $0.1.conforms(tree) }) { return (tree, schemas.map { ($0.0, []) }) }
        }
        return try parse(data, limits: limits, inspect: { doc, tree in
            let schemas = schemasFor(tree)
            if shortenBinaries && !schemas.isEmpty && data.count >= BinaryValues.minimumLength { BinaryValues.shorten(doc) }
            return schemas.map { key, schema in (key, schema.validate(doc)) }
        })
    }

    /// Attachments (a PDF in base64) make most of a large invoice, and libxml2's XML Schema check
    /// spends ≈ 4 ns per byte on a base64Binary value — 14 ms for the 3 MB of an official UBL
    /// example. In libxml2's copy of the document only, once `XMLTree` holds the real value, a long
    /// attachment value that is strictly valid base64 is replaced by `AAAA` before the schema check.
    ///
    /// The verdict cannot change: these elements are typed base64Binary without facets in every
    /// schema Facteur checks (UBL 2.1 `cbc:EmbeddedDocumentBinaryObject`; CII D16B and Factur-X
    /// `ram:AttachmentBinaryObject`, the only declaration of that name), the check here is stricter
    /// than libxml2's (which skips stray characters), so libxml2 accepts both values, and its
    /// messages never quote a value it accepts. Anything else — whitespace inside, an odd length,
    /// misplaced padding, an `xsi:` attribute, mixed content — is left for libxml2 to judge.
    enum BinaryValues {
        static let minimumLength = 4096
        static let elements: [(namespace: String, local: String)] = [
            ("urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2", "EmbeddedDocumentBinaryObject"),
            ("urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100", "AttachmentBinaryObject"),
        ]
        static let xsi = "http://www.w3.org/2001/XMLSchema-instance"

        /// Base64 alphabet value per byte, -1 outside it.
        static let alphabet: [Int8] = {
            var t = [Int8](repeating: -1, count: 256)
            for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = Int8(i) }
            return t
        }()

        /// XSD base64Binary without any whitespace: groups of four alphabet characters, the last
        /// group possibly ending in `=` after a character of the 16 that leave no stray bits, or in
        /// `==` after one of the 4.
        static func isStrictBase64(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
            guard count > 0, count % 4 == 0 else { return false }
            let pad = p[count - 1] == UInt8(ascii: "=") ? (p[count - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
            return alphabet.withUnsafeBufferPointer { t in
                var i = 0
                let end = count - pad
                // Sixteen bytes at a time (this runs over megabytes): letters, digits, '+' and '/'.
                typealias Bytes = SIMD16<UInt8>
                let lowerBit = Bytes(repeating: 0x20), a = Bytes(repeating: 0x61), zero = Bytes(repeating: 0x30)
                let plus = Bytes(repeating: 0x2B), slash = Bytes(repeating: 0x2F)
                let letterCount = Bytes(repeating: 26), digitCount = Bytes(repeating: 10)
                while i + 16 <= end {
                    let v = UnsafeRawPointer(p + i).loadUnaligned(as: Bytes.self)
                    let folded: Bytes = (v | lowerBit) &- a
                    let letters: SIMDMask<SIMD16<Int8>> = folded .< letterCount
                    let shifted: Bytes = v &- zero
                    let digits: SIMDMask<SIMD16<Int8>> = shifted .< digitCount
                    let signs: SIMDMask<SIMD16<Int8>> = (v .== plus) .| (v .== slash)
                    let ok: SIMDMask<SIMD16<Int8>> = letters .| digits .| signs
                    // all(ok), read as two words: the generic `all` is not vectorised.
                    let words = unsafeBitCast(ok, to: SIMD2<UInt64>.self)
                    if words[0] & words[1] != UInt64.max { return false }
                    i += 16
                }
                while i < end {
                    if t[Int(p[i])] < 0 { return false }
                    i += 1
                }
                if pad == 1 { return t[Int(p[end - 1])] & 0x03 == 0 }
                if pad == 2 { return t[Int(p[end - 1])] & 0x0F == 0 }
                return true
            }
        }

        static func equal(_ a: UnsafePointer<xmlChar>?, _ b: String) -> Bool {
            guard let a else { return b.isEmpty }
            return b.withCString { strcmp(UnsafeRawPointer(a).assumingMemoryBound(to: CChar.self), $0) == 0 }
        }

        static func isAttachment(_ n: xmlNodePtr) -> Bool {
            guard let ns = n.pointee.ns?.pointee.href else { return false }
            return elements.contains { equal(n.pointee.name, $0.local) && equal(ns, $0.namespace) }
        }

        /// How many values were shortened.
        @discardableResult
        static func shorten(_ doc: xmlDocPtr) -> Int {
            var shortened = 0
            // Iterative walk (parent links), elements only.
            var n = doc.pointee.children
            while let node = n {
                if node.pointee.type == XML_ELEMENT_NODE && isAttachment(node) && shortenValue(of: node) { shortened += 1 }
                if node.pointee.type == XML_ELEMENT_NODE, let child = node.pointee.children {
                    n = child
                    continue
                }
                var cur: xmlNodePtr? = node
                n = nil
                while let c = cur {
                    if let next = c.pointee.next { n = next; break }
                    cur = c.pointee.parent
                    if cur == nil || cur!.pointee.type == XML_DOCUMENT_NODE { break }
                }
            }
            return shortened
        }

        static func shortenValue(of element: xmlNodePtr) -> Bool {
            var a = element.pointee.properties
            while let attr = a {
                if let ns = attr.pointee.ns?.pointee.href, equal(ns, xsi) { return false }
                a = attr.pointee.next
            }
            guard let text = element.pointee.children, text.pointee.next == nil, text.pointee.type == XML_TEXT_NODE,
                  let content = text.pointee.content else { return false }
            let count = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
            guard count >= minimumLength, isStrictBase64(content, count) else { return false }
            xmlNodeSetContent(text, "AAAA")
            return true
        }
    }

    /// A DOCTYPE can only appear before the root element: look there, skipping the XML
    /// declaration, comments and processing instructions.
    static func declaresDoctype(_ data: Data) -> Bool {
        let needle = Array("<!DOCTYPE".utf8)
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            let n = b.count
            while i < n {
                if b[i] != UInt8(ascii: "<") { i += 1; continue }
                if i + 1 < n, b[i + 1] == UInt8(ascii: "?") || (i + 3 < n && b[i + 1] == UInt8(ascii: "!") && b[i + 2] == UInt8(ascii: "-")) {
                    // skip a PI or a comment
                    let end: [UInt8] = b[i + 1] == UInt8(ascii: "?") ? Array("?>".utf8) : Array("-->".utf8)
                    var j = i + 2
                    while j + end.count <= n && !zip(end, b[j..<(j + end.count)]).allSatisfy({ $0 == $1 }) { j += 1 }
                    i = j + end.count
                    continue
                }
                if i + needle.count <= n {
                    var match = true
                    for k in 0..<needle.count where b[i + k] != needle[k] {
                        // case-insensitive for the keyword letters
                        if !(k >= 2 && (b[i + k] | 0x20) == (needle[k] | 0x20)) { match = false; break }
                    }
                    return match
                }
                return false
            }
            return false
        }
    }

    static func string(_ p: UnsafePointer<xmlChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    private static func build(_ doc: xmlDocPtr) -> XMLTree {
        var b = Builder()
        b.nodes.append(XMLTree.Node(kind: .document))
        var c = doc.pointee.children
        var last: Int32 = -1
        while let n = c {
            b.add(n, parent: 0, previous: &last)
            c = n.pointee.next
        }
        b.resolveNames()
        return XMLTree(nodes: b.nodes, values: b.values, namespaceDeclarations: b.nsDecls)
    }

    /// Copies libxml2's tree into the flat array, in document order. Recursion depth is bounded
    /// by libxml2's own nesting limit (256).
    ///
    /// Names: libxml2 interns every name in its parser dictionary, so within one document a
    /// (local name, namespace URI) pointer pair identifies a name. Nodes first get a per-document
    /// slot from a small open-addressing table on those pointers; the slots are resolved to
    /// process-wide ids in one batch at the end (one lock, one string pair per distinct name).
    private struct Builder {
        var nodes: [XMLTree.Node] = []
        var values: [String] = []
        var nsDecls: [Int32: [String: String]] = [:]
        /// Open addressing on (name, href) pointers → slot + 1 (0 = empty).
        var table = [Int32](repeating: 0, count: 1024)
        var tableKeys = [(UInt, UInt)](repeating: (0, 0), count: 1024)
        var slots: [(UnsafePointer<xmlChar>?, UnsafePointer<xmlChar>?)] = []
        /// Whitespace-only text made of a newline and spaces (indentation), by number of spaces.
        var indentation: [String?] = Array(repeating: nil, count: 65)

        init() {
            nodes.reserveCapacity(2048)
            values.reserveCapacity(1024)
        }

        private static func hash(_ a: UInt, _ b: UInt, _ size: Int) -> Int {
            Int(truncatingIfNeeded: ((a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xC2B2_AE3D_27D4_EB4F)) >> 20) & (size - 1)
        }

        mutating func nameID(_ name: UnsafePointer<xmlChar>?, _ ns: xmlNsPtr?) -> Int32 {
            let href = ns?.pointee.href
            let a = UInt(bitPattern: name), b = UInt(bitPattern: href)
            var h = Builder.hash(a, b, table.count)
            while true {
                let v = table[h]
                if v == 0 { break }
                if tableKeys[h] == (a, b) { return v - 1 }
                h = (h + 1) & (table.count - 1)
            }
            let slot = Int32(slots.count)
            slots.append((name, href))
            table[h] = slot + 1
            tableKeys[h] = (a, b)
            if slots.count * 2 > table.count { grow() }
            return slot
        }

        private mutating func grow() {
            let oldKeys = tableKeys, oldTable = table
            table = [Int32](repeating: 0, count: oldTable.count * 2)
            tableKeys = [(UInt, UInt)](repeating: (0, 0), count: oldTable.count * 2)
            for i in oldTable.indices where oldTable[i] != 0 {
                let (a, b) = oldKeys[i]
                var h = Builder.hash(a, b, table.count)
                while table[h] != 0 { h = (h + 1) & (table.count - 1) }
                table[h] = oldTable[i]
                tableKeys[h] = (a, b)
            }
        }

        /// Replaces per-document slots by process-wide name ids.
        mutating func resolveNames() {
            let ids = NameTable.shared.ids(utf8: slots.map { (namespace: $0.1, local: $0.0) })
            ids.withUnsafeBufferPointer { ids in
                for i in nodes.indices where nodes[i].name >= 0 { nodes[i].name = ids[Int(nodes[i].name)] }
            }
        }

        mutating func text(_ p: UnsafePointer<xmlChar>?) -> String {
            guard let p else { return "" }
            // Indentation between elements is most text nodes of a pretty-printed invoice.
            if p[0] == 0x0A {
                var k = 1
                while k < indentation.count && p[k] == 0x20 { k += 1 }
                if k < indentation.count && p[k] == 0 {
                    if let s = indentation[k - 1] { return s }
                    let s = String(cString: p)
                    indentation[k - 1] = s
                    return s
                }
            }
            return String(cString: p)
        }

        mutating func link(_ idx: Int32, parent: Int32, previous: inout Int32) {
            if previous >= 0 { nodes[Int(previous)].nextSibling = idx } else { nodes[Int(parent)].firstChild = idx }
            previous = idx
        }

        mutating func add(_ n: xmlNodePtr, parent: Int32, previous: inout Int32) {
            switch n.pointee.type {
            case XML_ELEMENT_NODE:
                let idx = Int32(nodes.count)
                nodes.append(XMLTree.Node(kind: .element, name: nameID(n.pointee.name, n.pointee.ns), parent: parent,
                                          line: Int32(truncatingIfNeeded: xmlGetLineNo(n))))
                link(idx, parent: parent, previous: &previous)
                if let defs = n.pointee.nsDef {
                    var map: [String: String] = [:]
                    var d: xmlNsPtr? = defs
                    while let ns = d { map[XMLParser.string(ns.pointee.prefix)] = XMLParser.string(ns.pointee.href); d = ns.pointee.next }
                    nsDecls[idx] = map
                }
                var a = n.pointee.properties
                var prevAttr: Int32 = -1
                while let attr = a {
                    let aidx = Int32(nodes.count)
                    // An attribute's value is almost always one text node: read it without copying twice.
                    let v: String
                    if let t = attr.pointee.children, t.pointee.next == nil, t.pointee.type == XML_TEXT_NODE {
                        v = text(t.pointee.content)
                    } else if let content = xmlNodeGetContent(UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self)) {
                        v = String(cString: content)
                        facteur_xml_free(content)
                    } else { v = "" }
                    values.append(v)
                    nodes.append(XMLTree.Node(kind: .attribute, name: nameID(attr.pointee.name, attr.pointee.ns), parent: idx,
                                              line: nodes[Int(idx)].line, value: Int32(values.count - 1)))
                    if prevAttr < 0 { nodes[Int(idx)].firstAttribute = aidx } else { nodes[Int(prevAttr)].nextSibling = aidx }
                    prevAttr = aidx
                    a = attr.pointee.next
                }
                var lastChild: Int32 = -1
                var k = n.pointee.children
                while let kn = k {
                    add(kn, parent: idx, previous: &lastChild)
                    k = kn.pointee.next
                }
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                guard parent > 0 else { return }
                let idx = Int32(nodes.count)
                values.append(text(n.pointee.content))
                nodes.append(XMLTree.Node(kind: .text, parent: parent, line: Int32(truncatingIfNeeded: xmlGetLineNo(n)),
                                          value: Int32(values.count - 1)))
                link(idx, parent: parent, previous: &previous)
            default:
                return // comments, processing instructions and entity references play no part in invoices
            }
        }
    }
}

extension XMLTree {
    /// A new document whose root element is a copy of element `i` and its descendants —
    /// used to validate a fragment embedded in a larger file (e.g. the official rule unit tests).
    public func subtree(_ i: Int32) -> XMLTree {
        func isInside(_ j: Int32) -> Bool {
            var p = j
            while p >= 0 { if p == i { return true }; p = nodes[Int(p)].parent }
            return false
        }
        var end = Int(i) + 1
        while end < nodes.count && isInside(Int32(end)) { end += 1 }
        let shift = i - 1
        func map(_ x: Int32) -> Int32 { x < 0 ? -1 : (x >= i && x < Int32(end) ? x - shift : -1) }
        var copy: [Node] = [Node(kind: .document, firstChild: 1)]
        copy.reserveCapacity(end - Int(i) + 1)
        for k in Int(i)..<end {
            var n = nodes[k]
            n.parent = Int32(k) == i ? 0 : map(n.parent)
            n.firstChild = map(n.firstChild)
            n.nextSibling = Int32(k) == i ? -1 : map(n.nextSibling)
            n.firstAttribute = map(n.firstAttribute)
            copy.append(n)
        }
        var decls: [Int32: [String: String]] = [:]
        for (k, v) in namespaceDeclarations where k >= i && k < Int32(end) { decls[k - shift] = v }
        return XMLTree(nodes: copy, values: values, namespaceDeclarations: decls)
    }
}
