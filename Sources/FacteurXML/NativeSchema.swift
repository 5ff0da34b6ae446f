import Foundation

/// An XML Schema compiled for checking `XMLTree`s without libxml2 (see `XMLSchema.conforms`).
///
/// The check is one-sided by design: `conforms` returns true only when the document is certainly
/// valid. Every construct the compiler does not implement, every value in a form it does not
/// prove (see `NativeValues`), every `xsi:` attribute, makes it answer false, and libxml2 then
/// gives the verdict and the messages. Content models are deterministic automata over interned
/// element names (subset construction of the particles, occurrence bounds unrolled), so checking a
/// document is one walk with one table lookup per element.
final class NativeSchema: Sendable {
    enum TypeRef: Sendable, Equatable {
        case simple(Int32)
        case complex(Int32)
        /// anyType, an unresolved reference, a construct not implemented: never proven.
        case unsupported
    }

    struct ElementDecl: Sendable {
        var type: TypeRef
        var supported: Bool
    }

    struct AttributeUse: Sendable {
        var name: Int32
        var type: Int32
        var required: Bool
        var fixed: String?
    }

    enum Process: UInt8, Sendable { case skip, lax, strict }

    struct Wildcard: Sendable {
        enum Namespaces: Sendable {
            case any
            /// ##other: neither the target namespace nor no namespace.
            case other(String)
            case list(Set<String>)
        }
        var namespaces: Namespaces
        var process: Process

        func allows(_ namespace: String) -> Bool {
            switch namespaces {
            case .any: return true
            case let .other(tns): return namespace != tns && !namespace.isEmpty
            case let .list(set): return set.contains(namespace)
            }
        }
    }

    enum Content: Sendable {
        case empty
        case simple(Int32)
        case elements(start: Int32)
    }

    struct ComplexType: Sendable {
        var content: Content = .empty
        var mixed = false
        var attributes: [AttributeUse] = []
        var requiredCount = 0
        var anyAttribute: Wildcard?
        var supported = true
    }

    struct State: Sendable {
        var accepting: Bool
        /// Index in `wildcards` for names without an explicit transition; -1 none, -2 several
        /// wildcards compete (not implemented: never proven).
        var wildcard: Int32
        var wildcardTarget: Int32
    }

    struct Transition: Sendable {
        var target: Int32
        /// -1: the name is matched by several particles in a way not implemented.
        var decl: Int32
    }

    /// What the walk reads of a complex type, without reference-counted fields (copying a
    /// `ComplexType` out of its array cost a retain and release per field and per element).
    struct HotComplex: Sendable {
        var kind: UInt8 // 0 empty, 1 simple content, 2 element content
        var value: Int32
        var mixed: Bool
        var supported: Bool
        var requiredCount: Int32
        var firstAttribute: Int32
        var attributeCount: Int32
        /// Index in `wildcards` of an anyAttribute with processContents="skip", -1 for none or another kind.
        var skipAttributes: Int32
    }

    struct HotAttribute: Sendable {
        var name: Int32
        var type: Int32
        var required: Bool
        var fixed: Int32 // index in `fixedValues`, -1 for none
    }

    let globalElements: [Int32: Int32]
    let decls: [ElementDecl]
    let hot: [HotComplex]
    let hotAttributes: [HotAttribute]
    let fixedValues: [String]
    let complexTypes: [ComplexType]
    let simpleTypes: [NativeSimpleType]
    let wildcards: [Wildcard]
    /// `wildcards` followed by the attribute wildcards that `hot` points to.
    let allWildcards: [Wildcard]
    let states: [State]
    let transitions: NativeTransitionTable
    let xsiSchemaLocation = NameTable.shared.id(QName("http://www.w3.org/2001/XMLSchema-instance", "schemaLocation"))
    let xsiNoNamespaceSchemaLocation = NameTable.shared.id(QName("http://www.w3.org/2001/XMLSchema-instance", "noNamespaceSchemaLocation"))

    init(globalElements: [Int32: Int32], decls: [ElementDecl], complexTypes: [ComplexType], simpleTypes: [NativeSimpleType],
         wildcards: [Wildcard], states: [State], transitions: NativeTransitionTable) {
        self.globalElements = globalElements
        self.decls = decls
        self.complexTypes = complexTypes
        var hot: [HotComplex] = [], attrs: [HotAttribute] = [], fixed: [String] = []
        var extraWildcards = wildcards
        for t in complexTypes {
            var h = HotComplex(kind: 0, value: -1, mixed: t.mixed, supported: t.supported, requiredCount: Int32(t.requiredCount),
                               firstAttribute: Int32(attrs.count), attributeCount: Int32(t.attributes.count), skipAttributes: -1)
            switch t.content {
            case .empty: break
            case let .simple(st): h.kind = 1; h.value = st
            case let .elements(start): h.kind = 2; h.value = start
            }
            if let w = t.anyAttribute {
                if w.process == .skip {
                    extraWildcards.append(w)
                    h.skipAttributes = Int32(extraWildcards.count - 1)
                } else {
                    h.skipAttributes = -1
                }
            }
            for a in t.attributes {
                var f: Int32 = -1
                if let v = a.fixed { fixed.append(v); f = Int32(fixed.count - 1) }
                attrs.append(HotAttribute(name: a.name, type: a.type, required: a.required, fixed: f))
            }
            hot.append(h)
        }
        self.hot = hot
        self.hotAttributes = attrs
        self.fixedValues = fixed
        self.allWildcards = extraWildcards
        self.simpleTypes = simpleTypes
        self.wildcards = wildcards
        self.states = states
        self.transitions = transitions
    }

    /// libxml2 refuses documents nested deeper than this, so nothing deeper is proven here either.
    static let maxDepth = 256

    func conforms(_ tree: XMLTree) -> Bool {
        var why: Unproven? = nil
        return check(tree, &why, explain: false)
    }

    /// Why a document is not proven: the node and what the native check could not prove there
    /// (a violation, or something it does not implement). For tests and diagnostics.
    struct Unproven: Sendable, CustomStringConvertible {
        var node: Int32
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    func unproven(_ tree: XMLTree) -> Unproven? {
        var why: Unproven? = nil
        return check(tree, &why, explain: true) ? nil : (why ?? Unproven(node: 0, path: "/", reason: "not proven"))
    }

    private func check(_ tree: XMLTree, _ why: inout Unproven?, explain: Bool) -> Bool {
        guard tree.nodeCount > 1 else { return false }
        let root = tree.root.index
        guard let decl = globalElements[tree.nameID(root)] else {
            return fail(&why, explain, tree, root, "no global declaration for the root element")
        }
        return element(tree, root, decl: decl, depth: 1, &why, explain)
    }

    private func fail(_ why: inout Unproven?, _ explain: Bool, _ tree: XMLTree, _ node: Int32, _ reason: @autoclosure () -> String) -> Bool {
        if explain && why == nil { why = Unproven(node: node, path: tree.shortPath(node), reason: reason()) }
        return false
    }

    private func element(_ tree: XMLTree, _ e: Int32, decl d: Int32, depth: Int, _ why: inout Unproven?, _ explain: Bool) -> Bool {
        guard depth <= NativeSchema.maxDepth else { return fail(&why, explain, tree, e, "nested too deep") }
        let decl = decls[Int(d)]
        guard decl.supported else { return fail(&why, explain, tree, e, "element declaration not implemented") }
        switch decl.type {
        case .unsupported:
            return fail(&why, explain, tree, e, "type not implemented")
        case let .simple(st):
            // No attribute at all is allowed on a simply typed element (xsi: ones are not proven).
            if tree.firstAttribute(e) >= 0 { return fail(&why, explain, tree, e, "attribute on a simple type") }
            guard let text = textContent(tree, e) else { return fail(&why, explain, tree, e, "element inside a simple type") }
            return NativeValues.isValid(text, simpleTypes[Int(st)]) || fail(&why, explain, tree, e, "value '\(text)' not proven for \(simpleTypes[Int(st)])")
        case let .complex(ct):
            let type = hot[Int(ct)]
            guard type.supported else { return fail(&why, explain, tree, e, "complex type not implemented") }
            guard attributes(tree, e, type, &why, explain) else { return false }
            switch type.kind {
            case 0:
                var c = tree.firstChild(e)
                while c >= 0 {
                    if tree.kind(c) != .text { return fail(&why, explain, tree, c, "element in empty content") }
                    // Empty content allows no character at all, whitespace included (XML Schema 1.0, cvc-complex-type.2.1).
                    if !type.mixed { return fail(&why, explain, tree, c, "text in empty content") }
                    c = tree.nextSibling(c)
                }
                return true
            case 1:
                guard let text = textContent(tree, e) else { return fail(&why, explain, tree, e, "element inside simple content") }
                return NativeValues.isValid(text, simpleTypes[Int(type.value)]) || fail(&why, explain, tree, e, "value '\(text)' not proven for \(simpleTypes[Int(type.value)])")
            default:
                return children(tree, e, start: type.value, mixed: type.mixed, depth: depth, &why, explain)
            }
        }
    }

    private func children(_ tree: XMLTree, _ e: Int32, start: Int32, mixed: Bool, depth: Int, _ why: inout Unproven?, _ explain: Bool) -> Bool {
        var state = start
        var c = tree.firstChild(e)
        var seenBits = unsafeBitCast("", to: (UInt64, UInt64).self)
        while c >= 0 {
            let node = tree.nodes[Int(c)]
            if node.kind == .text {
                if !mixed {
                    // Siblings' indentation is usually one shared string (or the same short inline string):
                    // a string whose two words equal those of one already found to be whitespace is that
                    // same text (the tree holds all its strings for the whole check, so no storage is reused).
                    let text = tree.values[Int(node.value)]
                    let bits = unsafeBitCast(text, to: (UInt64, UInt64).self)
                    if bits != seenBits {
                        guard NativeValues.isXMLWhitespace(text) else { return fail(&why, explain, tree, c, "text in element-only content") }
                        seenBits = bits
                    }
                }
            } else if node.kind == .element {
                if let t = transitions[state, node.name] {
                    guard t.decl >= 0 else { return fail(&why, explain, tree, c, "ambiguous particle") }
                    guard element(tree, c, decl: t.decl, depth: depth + 1, &why, explain) else { return false }
                    state = t.target
                } else {
                    let s = states[Int(state)]
                    guard s.wildcard >= 0 else { return fail(&why, explain, tree, c, "element not expected here") }
                    let w = wildcards[Int(s.wildcard)]
                    guard w.allows(NameTable.shared.name(node.name).namespace) else { return fail(&why, explain, tree, c, "namespace not allowed by the wildcard") }
                    switch w.process {
                    case .skip:
                        break
                    case .lax, .strict:
                        // Lax with no declaration lets libxml2 look deeper in its own way: not proven.
                        guard let g = globalElements[node.name] else { return fail(&why, explain, tree, c, "wildcard element without declaration") }
                        guard element(tree, c, decl: g, depth: depth + 1, &why, explain) else { return false }
                    }
                    state = s.wildcardTarget
                }
            }
            c = node.nextSibling
        }
        return states[Int(state)].accepting || fail(&why, explain, tree, e, "content ends too early")
    }

    private func attributes(_ tree: XMLTree, _ e: Int32, _ type: HotComplex, _ why: inout Unproven?, _ explain: Bool) -> Bool {
        var required: Int32 = 0
        var a = tree.firstAttribute(e)
        let first = Int(type.firstAttribute), end = first + Int(type.attributeCount)
        while a >= 0 {
            let name = tree.nameID(a)
            if name == xsiSchemaLocation || name == xsiNoNamespaceSchemaLocation {
                // libxml2 reads these hints only when told to load schemas from them, which Facteur never does.
                a = tree.nextSibling(a)
                continue
            }
            var k = first
            while k < end && hotAttributes[k].name != name { k += 1 }
            if k < end {
                let use = hotAttributes[k]
                let value = tree.values[Int(tree.nodes[Int(a)].value)]
                guard NativeValues.isValid(value, simpleTypes[Int(use.type)]) else { return fail(&why, explain, tree, a, "value '\(value)' not proven for \(simpleTypes[Int(use.type)])") }
                if use.fixed >= 0 && fixedValues[Int(use.fixed)] != value { return fail(&why, explain, tree, a, "not the fixed value") }
                if use.required { required += 1 }
            } else {
                // Undeclared (xsi: attributes included): only a skip wildcard is proven.
                guard type.skipAttributes >= 0, allWildcards[Int(type.skipAttributes)].allows(NameTable.shared.name(name).namespace)
                else { return fail(&why, explain, tree, a, "attribute not declared") }
            }
            a = tree.nextSibling(a)
        }
        return required == type.requiredCount || fail(&why, explain, tree, e, "a required attribute is missing")
    }

    /// The text of an element that has no element children; nil when it has some.
    private func textContent(_ tree: XMLTree, _ e: Int32) -> String? {
        var c = tree.firstChild(e)
        if c < 0 { return "" }
        var first: String?
        var out: String?
        while c >= 0 {
            let node = tree.nodes[Int(c)]
            guard node.kind == .text else { return nil }
            let v = tree.values[Int(node.value)]
            if first == nil { first = v } else {
                if out == nil { out = first }
                out! += v
            }
            c = node.nextSibling
        }
        return out ?? first ?? ""
    }

    private func isWhitespace(_ tree: XMLTree, _ text: Int32) -> Bool {
        NativeValues.isXMLWhitespace(tree.values[Int(tree.nodes[Int(text)].value)])
    }
}
