import Foundation

/// Reads an XSD and the schema documents it imports and includes, and compiles them into a
/// `NativeSchema`. The XSD files are parsed with Facteur's own safe parser; a file it refuses
/// (the W3C xmldsig schema declares a DOCTYPE) leaves its components unresolved, and whatever
/// refers to them is compiled as unsupported.
struct NativeSchemaCompiler {
    static let xs = "http://www.w3.org/2001/XMLSchema"

    /// One schema document: its tree and the defaults that apply to its declarations.
    final class Document {
        let tree: XMLTree
        let targetNamespace: String
        let elementsQualified: Bool
        let attributesQualified: Bool
        init(tree: XMLTree, targetNamespace: String, elementsQualified: Bool, attributesQualified: Bool) {
            self.tree = tree
            self.targetNamespace = targetNamespace
            self.elementsQualified = elementsQualified
            self.attributesQualified = attributesQualified
        }
    }

    struct Ref {
        let doc: Document
        let node: Int32
    }

    // Global components by expanded name.
    var elements: [QName: Ref] = [:]
    var complexTypeDefs: [QName: Ref] = [:]
    var simpleTypeDefs: [QName: Ref] = [:]
    var attributeDefs: [QName: Ref] = [:]
    var groupDefs: [QName: Ref] = [:]
    var attributeGroupDefs: [QName: Ref] = [:]
    var substitutionHeads: Set<QName> = []
    var loaded: Set<String> = []

    // Compiled parts.
    var decls: [NativeSchema.ElementDecl] = []
    var complexTypes: [NativeSchema.ComplexType] = []
    var simpleTypes: [NativeSimpleType] = []
    var wildcards: [NativeSchema.Wildcard] = []
    var states: [NativeSchema.State] = []
    var transitions = NativeTransitionTable()

    var globalDeclIndex: [QName: Int32] = [:]
    var complexIndex: [QName: Int32] = [:]
    var simpleIndex: [QName: Int32] = [:]
    var builtinIndex: [NativeBuiltin: Int32] = [:]
    /// Complex types whose definition is still to be compiled (index, definition).
    var pending: [(Int32, Ref)] = []
    /// 0 not started, 1 in progress, 2 done.
    var complexState: [UInt8] = []
    var complexRefs: [Ref?] = []
    /// Local element declarations still to be given their type.
    var pendingDecls: [(Int32, Ref)] = []

    static func compile(path: String) -> NativeSchema? {
        var c = NativeSchemaCompiler()
        guard c.load(path: path, chameleonNamespace: nil) else { return nil }
        var globals: [Int32: Int32] = [:]
        for (name, _) in c.elements {
            let idx = c.globalDecl(name)
            globals[NameTable.shared.id(name)] = idx
        }
        c.drain()
        return NativeSchema(globalElements: globals, decls: c.decls, complexTypes: c.complexTypes, simpleTypes: c.simpleTypes,
                            wildcards: c.wildcards, states: c.states, transitions: c.transitions)
    }

    // MARK: Loading

    /// Loads a schema document and, recursively, what it imports and includes. False only when the
    /// main document cannot be read; an unreadable import just leaves its names unresolved.
    mutating func load(path: String, chameleonNamespace: String?) -> Bool {
        let canonical = URL(fileURLWithPath: path).standardizedFileURL.path
        let key = canonical + "|" + (chameleonNamespace ?? "")
        if loaded.contains(key) { return true }
        loaded.insert(key)
        guard let data = FileManager.default.contents(atPath: canonical), let tree = try? XMLParser.parse(data) else { return false }
        let root = tree.root.index
        guard tree.root.name == QName(Self.xs, "schema") else { return false }
        let declared = attr(tree, root, "targetNamespace")
        let tns = declared ?? chameleonNamespace ?? ""
        let doc = Document(tree: tree, targetNamespace: tns,
                           elementsQualified: attr(tree, root, "elementFormDefault") == "qualified",
                           attributesQualified: attr(tree, root, "attributeFormDefault") == "qualified")
        let dir = URL(fileURLWithPath: canonical).deletingLastPathComponent()
        for child in xsChildren(tree, root) {
            let local = NameTable.shared.name(tree.nameID(child)).local
            switch local {
            case "import", "include":
                if let loc = attr(tree, child, "schemaLocation") {
                    let target = dir.appendingPathComponent(loc).path
                    _ = load(path: target, chameleonNamespace: local == "include" ? tns : nil)
                }
            case "element":
                if let n = attr(tree, child, "name") {
                    let q = QName(tns, n)
                    if elements[q] == nil { elements[q] = Ref(doc: doc, node: child) }
                    if let head = attr(tree, child, "substitutionGroup"), let h = resolve(head, tree, child) {
                        substitutionHeads.insert(h)
                    }
                }
            case "complexType":
                if let n = attr(tree, child, "name") { complexTypeDefs[QName(tns, n)] = complexTypeDefs[QName(tns, n)] ?? Ref(doc: doc, node: child) }
            case "simpleType":
                if let n = attr(tree, child, "name") { simpleTypeDefs[QName(tns, n)] = simpleTypeDefs[QName(tns, n)] ?? Ref(doc: doc, node: child) }
            case "attribute":
                if let n = attr(tree, child, "name") { attributeDefs[QName(tns, n)] = attributeDefs[QName(tns, n)] ?? Ref(doc: doc, node: child) }
            case "group":
                if let n = attr(tree, child, "name") { groupDefs[QName(tns, n)] = groupDefs[QName(tns, n)] ?? Ref(doc: doc, node: child) }
            case "attributeGroup":
                if let n = attr(tree, child, "name") { attributeGroupDefs[QName(tns, n)] = attributeGroupDefs[QName(tns, n)] ?? Ref(doc: doc, node: child) }
            default:
                break
            }
        }
        return true
    }

    // MARK: Tree helpers

    func attr(_ tree: XMLTree, _ e: Int32, _ local: String) -> String? {
        guard let id = NameTable.shared.existingID(QName("", local)) else { return nil }
        var a = tree.firstAttribute(e)
        while a >= 0 {
            if tree.nameID(a) == id { return tree.stringValue(a) }
            a = tree.nextSibling(a)
        }
        return nil
    }

    /// Child elements in the XSD namespace, annotations left out.
    func xsChildren(_ tree: XMLTree, _ e: Int32) -> [Int32] {
        var out: [Int32] = []
        var c = tree.firstChild(e)
        while c >= 0 {
            if tree.kind(c) == .element {
                let q = NameTable.shared.name(tree.nameID(c))
                if q.namespace == Self.xs && q.local != "annotation" { out.append(c) }
            }
            c = tree.nextSibling(c)
        }
        return out
    }

    /// Children not in the XSD namespace, or unknown XSD elements, make a definition unsupported.
    func hasForeignChildren(_ tree: XMLTree, _ e: Int32) -> Bool {
        var c = tree.firstChild(e)
        while c >= 0 {
            if tree.kind(c) == .element && NameTable.shared.name(tree.nameID(c)).namespace != Self.xs { return true }
            c = tree.nextSibling(c)
        }
        return false
    }

    func localName(_ tree: XMLTree, _ e: Int32) -> String { NameTable.shared.name(tree.nameID(e)).local }

    /// A QName-valued attribute resolved with the namespace declarations in scope.
    func resolve(_ value: String, _ tree: XMLTree, _ at: Int32) -> QName? {
        let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let prefix = parts.count == 2 ? String(parts[0]) : ""
        let local = String(parts.count == 2 ? parts[1] : parts[0])
        var e = at
        while e > 0 {
            if let map = tree.namespaceDeclarations[e], let uri = map[prefix] { return QName(uri, local) }
            e = tree.parent(e)
        }
        if prefix.isEmpty { return QName("", local) }
        if prefix == "xml" { return QName("http://www.w3.org/XML/1998/namespace", local) }
        return nil
    }

    // MARK: Types

    mutating func builtin(_ b: NativeBuiltin) -> Int32 {
        if let i = builtinIndex[b] { return i }
        let i = Int32(simpleTypes.count)
        simpleTypes.append(NativeSimpleType(builtin: b))
        builtinIndex[b] = i
        return i
    }

    mutating func unsupportedSimple() -> Int32 {
        let i = Int32(simpleTypes.count)
        simpleTypes.append(NativeSimpleType(builtin: .string, supported: false))
        return i
    }

    mutating func typeRef(_ name: QName) -> NativeSchema.TypeRef {
        if name.namespace == Self.xs {
            if let b = NativeBuiltin.named(name.local) { return .simple(builtin(b)) }
            return .unsupported
        }
        if let r = complexTypeDefs[name] { return .complex(complexTypeIndex(name, r)) }
        if simpleTypeDefs[name] != nil { return .simple(simpleTypeIndex(name)) }
        return .unsupported
    }

    mutating func complexTypeIndex(_ name: QName, _ r: Ref) -> Int32 {
        if let i = complexIndex[name] { return i }
        let i = newComplex(r)
        complexIndex[name] = i
        return i
    }

    mutating func newComplex(_ r: Ref) -> Int32 {
        let i = Int32(complexTypes.count)
        complexTypes.append(NativeSchema.ComplexType(supported: false))
        complexState.append(0)
        complexRefs.append(r)
        pending.append((i, r))
        return i
    }

    mutating func simpleTypeIndex(_ name: QName) -> Int32 {
        if let i = simpleIndex[name] { return i }
        guard let r = simpleTypeDefs[name] else { return unsupportedSimple() }
        simpleIndex[name] = unsupportedSimple() // placeholder against (invalid) cycles
        let t = simpleType(r)
        let i = Int32(simpleTypes.count)
        simpleTypes.append(t)
        simpleIndex[name] = i
        return i
    }

    /// A simpleType element: a restriction of a built-in or of another simple type.
    mutating func simpleType(_ r: Ref) -> NativeSimpleType {
        let tree = r.doc.tree
        let kids = xsChildren(tree, r.node)
        guard kids.count == 1, localName(tree, kids[0]) == "restriction", !hasForeignChildren(tree, r.node) else {
            return NativeSimpleType(builtin: .string, supported: false)
        }
        return restriction(Ref(doc: r.doc, node: kids[0]), base: nil)
    }

    /// A restriction element's base type with its facets added; `base` is given for simpleContent
    /// restrictions, whose base is the complex type's simple content.
    mutating func restriction(_ r: Ref, base given: NativeSimpleType?) -> NativeSimpleType {
        let tree = r.doc.tree
        var base: NativeSimpleType
        var facetNodes: [Int32] = []
        var inline: Int32?
        for k in xsChildren(tree, r.node) {
            switch localName(tree, k) {
            case "simpleType": inline = k
            case "attribute", "attributeGroup", "anyAttribute": continue
            default: facetNodes.append(k)
            }
        }
        if let inline {
            base = simpleType(Ref(doc: r.doc, node: inline))
            if let given { base.facets = given.facets + base.facets; base.supported = base.supported && given.supported && given.builtin == base.builtin }
        } else if let given {
            base = given
        } else if let b = attr(tree, r.node, "base"), let q = resolve(b, tree, r.node), case let .simple(i) = typeRef(q) {
            base = simpleTypes[Int(i)]
        } else {
            return NativeSimpleType(builtin: .string, supported: false)
        }
        var f = NativeFacets()
        for k in facetNodes {
            let v = attr(tree, k, "value") ?? ""
            switch localName(tree, k) {
            case "enumeration":
                guard base.builtin.comparesAsString else { base.supported = false; continue }
                f.enumeration = (f.enumeration ?? []).union([v])
            case "length": if let n = Int(v) { f.length = n } else { base.supported = false }
            case "minLength": if let n = Int(v) { f.minLength = n } else { base.supported = false }
            case "maxLength": if let n = Int(v) { f.maxLength = n } else { base.supported = false }
            default:
                // pattern, whiteSpace, numeric facets: not implemented.
                base.supported = false
            }
        }
        if !f.isEmpty { base.facets.append(f) }
        return base
    }

    // MARK: Element declarations

    mutating func globalDecl(_ name: QName) -> Int32 {
        if let i = globalDeclIndex[name] { return i }
        let i = Int32(decls.count)
        decls.append(NativeSchema.ElementDecl(type: .unsupported, supported: false))
        globalDeclIndex[name] = i
        if let r = elements[name], !substitutionHeads.contains(name) { pendingDecls.append((i, r)) }
        return i
    }

    mutating func localDecl(_ r: Ref) -> Int32 {
        let i = Int32(decls.count)
        decls.append(NativeSchema.ElementDecl(type: .unsupported, supported: false))
        pendingDecls.append((i, r))
        return i
    }

    /// Gives a declaration its type: named, inline, or none (anyType: never proven).
    mutating func declare(_ i: Int32, _ r: Ref) {
        let tree = r.doc.tree
        var supported = !hasForeignChildren(tree, r.node)
        for a in ["abstract", "fixed", "default", "substitutionGroup"] where attr(tree, r.node, a) != nil {
            if a == "abstract" && attr(tree, r.node, a) == "false" { continue }
            supported = false
        }
        var type: NativeSchema.TypeRef = .unsupported
        if let t = attr(tree, r.node, "type") {
            if let q = resolve(t, tree, r.node) { type = typeRef(q) }
        } else {
            for k in xsChildren(tree, r.node) {
                switch localName(tree, k) {
                case "complexType": type = .complex(newComplex(Ref(doc: r.doc, node: k)))
                case "simpleType":
                    let st = simpleType(Ref(doc: r.doc, node: k))
                    type = .simple(Int32(simpleTypes.count))
                    simpleTypes.append(st)
                case "unique", "key", "keyref": supported = false
                default: break
                }
            }
        }
        decls[Int(i)] = NativeSchema.ElementDecl(type: type, supported: supported && type != .unsupported)
    }

    /// Compiles everything reachable, breadth first.
    mutating func drain() {
        while !pending.isEmpty || !pendingDecls.isEmpty {
            if let (i, r) = pendingDecls.popLast() { declare(i, r); continue }
            let (i, _) = pending.removeLast()
            ensureComplex(i)
        }
    }

    // MARK: Complex types

    mutating func ensureComplex(_ i: Int32) {
        switch complexState[Int(i)] {
        case 2: return
        case 1: complexTypes[Int(i)].supported = false; return // a derivation cycle
        default: break
        }
        complexState[Int(i)] = 1
        complexTypes[Int(i)] = complexType(complexRefs[Int(i)]!)
        complexState[Int(i)] = 2
    }

    mutating func complexType(_ r: Ref) -> NativeSchema.ComplexType {
        let tree = r.doc.tree
        var t = NativeSchema.ComplexType()
        t.mixed = attr(tree, r.node, "mixed") == "true"
        if hasForeignChildren(tree, r.node) { t.supported = false; return t }
        if let a = attr(tree, r.node, "abstract"), a != "false" { t.supported = false; return t }
        var particle: Particle?
        var attributeNodes: [Int32] = []
        for k in xsChildren(tree, r.node) {
            switch localName(tree, k) {
            case "simpleContent":
                return simpleContent(Ref(doc: r.doc, node: k), mixed: t.mixed)
            case "complexContent":
                t.supported = false // derivation of element content: not used by the invoice schemas
                return t
            case "sequence", "choice", "group", "all":
                particle = self.particle(Ref(doc: r.doc, node: k))
            case "attribute", "attributeGroup", "anyAttribute":
                attributeNodes.append(k)
            default:
                t.supported = false
                return t
            }
        }
        if !collectAttributes(r.doc, attributeNodes, into: &t) { t.supported = false }
        if let particle {
            if let start = automaton(particle) { t.content = .elements(start: start) } else { t.supported = false }
        }
        return t
    }

    mutating func simpleContent(_ r: Ref, mixed: Bool) -> NativeSchema.ComplexType {
        let tree = r.doc.tree
        var t = NativeSchema.ComplexType()
        let kids = xsChildren(tree, r.node)
        guard kids.count == 1, !hasForeignChildren(tree, r.node), let b = attr(tree, kids[0], "base"),
              let base = resolve(b, tree, kids[0]) else { t.supported = false; return t }
        let derivation = localName(tree, kids[0])
        let attributeNodes = xsChildren(tree, kids[0]).filter {
            ["attribute", "attributeGroup", "anyAttribute"].contains(localName(tree, $0))
        }
        var baseSimple: NativeSimpleType
        switch typeRef(base) {
        case let .simple(s):
            guard derivation == "extension" else { t.supported = false; return t }
            baseSimple = simpleTypes[Int(s)]
        case let .complex(c):
            ensureComplex(c)
            let bt = complexTypes[Int(c)]
            guard bt.supported, case let .simple(s) = bt.content else { t.supported = false; return t }
            baseSimple = simpleTypes[Int(s)]
            t.attributes = bt.attributes
            t.anyAttribute = bt.anyAttribute
        case .unsupported:
            t.supported = false
            return t
        }
        if derivation == "extension" {
            if xsChildren(tree, kids[0]).count != attributeNodes.count { t.supported = false; return t }
        } else if derivation == "restriction" {
            baseSimple = restriction(Ref(doc: r.doc, node: kids[0]), base: baseSimple)
        } else {
            t.supported = false
            return t
        }
        let st = Int32(simpleTypes.count)
        simpleTypes.append(baseSimple)
        t.content = .simple(st)
        if !collectAttributes(r.doc, attributeNodes, into: &t, restricting: derivation == "restriction") { t.supported = false }
        t.requiredCount = t.attributes.filter(\.required).count
        _ = mixed
        return t
    }

    /// Adds attribute uses (overriding inherited ones of the same name; `use="prohibited"`
    /// removes one). False on a construct not implemented.
    mutating func collectAttributes(_ doc: Document, _ nodes: [Int32], into t: inout NativeSchema.ComplexType,
                                    restricting: Bool = false) -> Bool {
        let tree = doc.tree
        for k in nodes {
            switch localName(tree, k) {
            case "attribute":
                // A restricting attribute without a type: which type libxml2 then applies is not settled here.
                if restricting && attr(tree, k, "type") == nil && attr(tree, k, "ref") == nil
                    && !xsChildren(tree, k).contains(where: { localName(tree, $0) == "simpleType" }) { return false }
                guard let (use, prohibited) = attributeUse(Ref(doc: doc, node: k)) else { return false }
                t.attributes.removeAll { $0.name == use.name }
                if !prohibited { t.attributes.append(use) }
            case "attributeGroup":
                guard let ref = attr(tree, k, "ref"), let q = resolve(ref, tree, k), let g = attributeGroupDefs[q] else { return false }
                let inner = xsChildren(g.doc.tree, g.node)
                if !collectAttributes(g.doc, inner, into: &t) { return false }
            case "anyAttribute":
                guard let w = wildcard(Ref(doc: doc, node: k)) else { return false }
                t.anyAttribute = w
            default:
                return false
            }
        }
        t.requiredCount = t.attributes.filter(\.required).count
        return true
    }

    /// An attribute (local or a reference to a global one) → its use, and whether it is prohibited.
    mutating func attributeUse(_ r: Ref) -> (NativeSchema.AttributeUse, Bool)? {
        let tree = r.doc.tree
        if hasForeignChildren(tree, r.node) { return nil }
        let use = attr(tree, r.node, "use") ?? "optional"
        var fixed = attr(tree, r.node, "fixed")
        if attr(tree, r.node, "default") != nil && use == "required" { return nil }
        var name: QName
        var decl = r
        if let ref = attr(tree, r.node, "ref") {
            guard let q = resolve(ref, tree, r.node), let g = attributeDefs[q] else { return nil }
            name = q
            decl = g
            fixed = fixed ?? attr(g.doc.tree, g.node, "fixed")
        } else {
            guard let n = attr(tree, r.node, "name") else { return nil }
            let form = attr(tree, r.node, "form")
            let qualified = form == nil ? r.doc.attributesQualified : form == "qualified"
            // A global attribute declaration (child of xsd:schema) is always qualified.
            let global = tree.parent(r.node) == tree.root.index
            name = QName(qualified || global ? r.doc.targetNamespace : "", n)
        }
        let dt = decl.doc.tree
        var type: Int32
        if let tn = attr(dt, decl.node, "type") {
            guard let q = resolve(tn, dt, decl.node), case let .simple(s) = typeRef(q) else { return nil }
            type = s
        } else if let inline = xsChildren(dt, decl.node).first(where: { localName(dt, $0) == "simpleType" }) {
            let st = simpleType(Ref(doc: decl.doc, node: inline))
            type = Int32(simpleTypes.count)
            simpleTypes.append(st)
        } else {
            type = builtin(.anySimpleType)
        }
        // ID values must also be unique in the document: not implemented, and never proven.
        if let tn = attr(dt, decl.node, "type"), let q = resolve(tn, dt, decl.node), q.namespace == Self.xs,
           ["ID", "IDREF", "IDREFS"].contains(q.local) { return nil }
        return (NativeSchema.AttributeUse(name: NameTable.shared.id(name), type: type, required: use == "required", fixed: fixed),
                use == "prohibited")
    }

    mutating func wildcard(_ r: Ref) -> NativeSchema.Wildcard? {
        let tree = r.doc.tree
        let process: NativeSchema.Process
        switch attr(tree, r.node, "processContents") ?? "strict" {
        case "skip": process = .skip
        case "lax": process = .lax
        case "strict": process = .strict
        default: return nil
        }
        let ns = (attr(tree, r.node, "namespace") ?? "##any").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(String.init)
        if ns == ["##any"] { return .init(namespaces: .any, process: process) }
        if ns == ["##other"] { return .init(namespaces: .other(r.doc.targetNamespace), process: process) }
        var set: Set<String> = []
        for n in ns {
            switch n {
            case "##targetNamespace": set.insert(r.doc.targetNamespace)
            case "##local": set.insert("")
            case "##any", "##other": return nil
            default: set.insert(n)
            }
        }
        return .init(namespaces: .list(set), process: process)
    }

    // MARK: Particles and automata

    indirect enum Particle {
        case element(name: Int32, decl: Int32, min: Int, max: Int)
        case wildcard(Int32, min: Int, max: Int)
        case sequence([Particle], min: Int, max: Int)
        case choice([Particle], min: Int, max: Int)
        case unsupported
    }

    func occurs(_ tree: XMLTree, _ e: Int32) -> (Int, Int)? {
        let min = attr(tree, e, "minOccurs").map { Int($0) } ?? 1
        let maxText = attr(tree, e, "maxOccurs") ?? "1"
        let max = maxText == "unbounded" ? -1 : Int(maxText)
        guard let min, let max, min >= 0, max == -1 || max >= min else { return nil }
        return (min, max)
    }

    mutating func particle(_ r: Ref) -> Particle {
        let tree = r.doc.tree
        guard let (min, max) = occurs(tree, r.node), !hasForeignChildren(tree, r.node) else { return .unsupported }
        switch localName(tree, r.node) {
        case "element":
            if let ref = attr(tree, r.node, "ref") {
                guard let q = resolve(ref, tree, r.node), elements[q] != nil, !substitutionHeads.contains(q) else {
                    return .unsupported
                }
                return .element(name: NameTable.shared.id(q), decl: globalDecl(q), min: min, max: max)
            }
            guard let n = attr(tree, r.node, "name") else { return .unsupported }
            let form = attr(tree, r.node, "form")
            let qualified = form == nil ? r.doc.elementsQualified : form == "qualified"
            let q = QName(qualified ? r.doc.targetNamespace : "", n)
            return .element(name: NameTable.shared.id(q), decl: localDecl(r), min: min, max: max)
        case "any":
            guard let w = wildcard(r) else { return .unsupported }
            wildcards.append(w)
            return .wildcard(Int32(wildcards.count - 1), min: min, max: max)
        case "sequence", "choice":
            let parts = xsChildren(tree, r.node).map { particle(Ref(doc: r.doc, node: $0)) }
            return localName(tree, r.node) == "sequence" ? .sequence(parts, min: min, max: max) : .choice(parts, min: min, max: max)
        case "group":
            guard let ref = attr(tree, r.node, "ref"), let q = resolve(ref, tree, r.node), let g = groupDefs[q] else { return .unsupported }
            let inner = xsChildren(g.doc.tree, g.node)
            guard inner.count == 1 else { return .unsupported }
            let p = particle(Ref(doc: g.doc, node: inner[0]))
            switch p {
            case let .sequence(ps, 1, 1): return .sequence(ps, min: min, max: max)
            case let .choice(ps, 1, 1): return .choice(ps, min: min, max: max)
            default: return .unsupported
            }
        default:
            return .unsupported // xsd:all and anything else
        }
    }

    /// A Thompson automaton with epsilon moves, then its subset construction into `states` and
    /// `transitions`. nil when a particle is unsupported or the automaton would be too large.
    mutating func automaton(_ p: Particle) -> Int32? {
        var nfa = NFA()
        let start = nfa.newState()
        guard let end = nfa.build(p, from: start) else { return nil }
        // Subset construction. Epsilon closures mark states with a stamp instead of hashing them
        // into sets (compiling UBL spent most of its time hashing).
        var mark = [Int](repeating: 0, count: nfa.epsilon.count)
        var stamp = 0
        func closure(_ set: [Int]) -> [Int] {
            stamp += 1
            var out: [Int] = []
            var stack: [Int] = []
            for s in set where mark[s] != stamp { mark[s] = stamp; out.append(s); stack.append(s) }
            while let s = stack.popLast() {
                for t in nfa.epsilon[s] where mark[t] != stamp { mark[t] = stamp; out.append(t); stack.append(t) }
            }
            out.sort()
            return out
        }
        var index: [[Int]: Int32] = [:]
        var queue: [[Int]] = []
        let base = Int32(states.count)
        func stateID(_ set: [Int]) -> Int32 {
            if let i = index[set] { return i }
            let i = base + Int32(index.count)
            index[set] = i
            queue.append(set)
            return i
        }
        let startID = stateID(closure([start]))
        var built: [(Int32, NativeSchema.State)] = []
        var head = 0
        while head < queue.count {
            let set = queue[head]
            head += 1
            if index.count > 20_000 { return nil }
            let id = index[set]!
            var byName: [Int32: (targets: [Int], decl: Int32)] = [:]
            var wild: [Int32: [Int]] = [:]
            for s in set {
                for edge in nfa.edges[s] {
                    switch edge.label {
                    case let .element(name, decl):
                        if var e = byName[name] {
                            e.targets.append(edge.to)
                            // Two declarations for one name from one state: not implemented.
                            if e.decl != decl { e.decl = -1 }
                            byName[name] = e
                        } else {
                            byName[name] = ([edge.to], decl)
                        }
                    case let .wildcard(w):
                        wild[w, default: []].append(edge.to)
                    }
                }
            }
            var state = NativeSchema.State(accepting: set.contains(end), wildcard: -1, wildcardTarget: -1)
            if wild.count > 1 {
                state.wildcard = -2
            } else if let (w, targets) = wild.first {
                state.wildcard = w
                state.wildcardTarget = stateID(closure(targets))
            }
            for (name, e) in byName {
                var decl = e.decl
                // A name that a wildcard of this state also matches: which particle wins is libxml2's call.
                if !wild.isEmpty {
                    let ns = NameTable.shared.name(name).namespace
                    if wild.keys.contains(where: { wildcards[Int($0)].allows(ns) }) { decl = -1 }
                }
                let target = stateID(closure(e.targets))
                transitions.insert(state: id, name: name, NativeSchema.Transition(target: target, decl: decl))
            }
            built.append((id, state))
        }
        states.append(contentsOf: [NativeSchema.State](repeating: .init(accepting: false, wildcard: -1, wildcardTarget: -1), count: index.count))
        for (id, s) in built { states[Int(id)] = s }
        return startID
    }

    struct NFA {
        enum Label { case element(Int32, Int32), wildcard(Int32) }
        var epsilon: [[Int]] = []
        var edges: [[(label: Label, to: Int)]] = []

        mutating func newState() -> Int {
            epsilon.append([])
            edges.append([])
            return epsilon.count - 1
        }

        /// Builds `p` with its occurrence bounds from state `from`; returns the end state.
        mutating func build(_ p: Particle, from: Int) -> Int? {
            let (min, max): (Int, Int)
            switch p {
            case .unsupported: return nil
            case let .element(_, _, a, b), let .wildcard(_, a, b), let .sequence(_, a, b), let .choice(_, a, b): (min, max) = (a, b)
            }
            // Unrolled bounds: the invoice schemas use 0, 1, 2 and unbounded.
            if min > 50 || max > 50 { return nil }
            var cur = from
            for _ in 0..<min {
                guard let e = once(p, from: cur) else { return nil }
                cur = e
            }
            if max == -1 {
                let loop = newState()
                epsilon[cur].append(loop)
                guard let e = once(p, from: loop) else { return nil }
                epsilon[e].append(loop)
                return loop
            }
            var ends = [cur]
            for _ in min..<max {
                guard let e = once(p, from: cur) else { return nil }
                cur = e
                ends.append(cur)
            }
            let end = newState()
            for e in ends { epsilon[e].append(end) }
            return end
        }

        mutating func once(_ p: Particle, from: Int) -> Int? {
            switch p {
            case .unsupported:
                return nil
            case let .element(name, decl, _, _):
                let to = newState()
                edges[from].append((.element(name, decl), to))
                return to
            case let .wildcard(w, _, _):
                let to = newState()
                edges[from].append((.wildcard(w), to))
                return to
            case let .sequence(parts, _, _):
                var cur = from
                for q in parts {
                    guard let e = build(q, from: cur) else { return nil }
                    cur = e
                }
                return cur
            case let .choice(parts, _, _):
                let end = newState()
                // An empty choice matches nothing.
                for q in parts {
                    let s = newState()
                    epsilon[from].append(s)
                    guard let e = build(q, from: s) else { return nil }
                    epsilon[e].append(end)
                }
                return end
            }
        }
    }
}
