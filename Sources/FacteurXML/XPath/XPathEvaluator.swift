import Foundation

/// An XPath 2.0 item. Nodes are indices into the context tree. Values read from nodes are
/// `untyped` (no schema awareness, like Saxon-HE), which decides how they compare and add up.
public enum XPathItem: Sendable {
    case node(Int32)
    case string(String)
    case untyped(String)
    case integer(Int)
    case decimal(XPathDecimal)
    case double(Double)
    case boolean(Bool)
    /// xs:date as days since 0001-01-01 (no time zone: invoices carry none).
    case date(Int)
}

/// An XPath sequence. Most expressions yield zero or one item: those are held inline, without
/// allocating an array — evaluation allocates far less.
public struct XPathSequence: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    enum Storage: Sendable {
        case empty
        case one(XPathItem)
        case many([XPathItem])
    }

    var storage: Storage

    public init() { storage = .empty }
    public init(_ item: XPathItem) { storage = .one(item) }
    public init(arrayLiteral elements: XPathItem...) { self.init(elements) }
    public init(_ items: [XPathItem]) {
        switch items.count {
        case 0: storage = .empty
        case 1: storage = .one(items[0])
        default: storage = .many(items)
        }
    }
    public init<S: Sequence>(_ items: S) where S.Element == XPathItem { self.init(Array(items)) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .empty: return 0
        case .one: return 1
        case .many(let a): return a.count
        }
    }

    public subscript(i: Int) -> XPathItem {
        switch storage {
        case .one(let x): precondition(i == 0); return x
        case .many(let a): return a[i]
        case .empty: preconditionFailure("index out of range")
        }
    }

    public var array: [XPathItem] {
        switch storage {
        case .empty: return []
        case .one(let x): return [x]
        case .many(let a): return a
        }
    }

    public mutating func append(_ x: XPathItem) {
        switch storage {
        case .empty: storage = .one(x)
        case .one(let y): storage = .many([y, x])
        case .many(var a):
            storage = .empty
            a.append(x)
            storage = .many(a)
        }
    }

    public mutating func append(contentsOf other: XPathSequence) {
        switch (storage, other.storage) {
        case (_, .empty): return
        case (.empty, _): self = other
        case (.many(var a), _):
            storage = .empty
            a.append(contentsOf: other.array)
            storage = .many(a)
        default:
            storage = .many(array + other.array)
        }
    }

    public mutating func reserveCapacity(_ n: Int) {}

    public static func + (a: XPathSequence, b: XPathSequence) -> XPathSequence {
        var r = a
        r.append(contentsOf: b)
        return r
    }

    public static func += (a: inout XPathSequence, b: XPathSequence) { a.append(contentsOf: b) }
}

public struct XPathError: Error, CustomStringConvertible, Sendable {
    public var code: String
    public var message: String
    public var description: String { "\(code): \(message)" }
}

/// User-defined functions (XSLT `xsl:function`) made available to expressions.
public struct XPathFunction: Sendable {
    public var parameters: [String]
    /// Local variables evaluated in order, then the result.
    public var lets: [(String, XPathExpr)]
    public var body: XPathExpr
    public init(parameters: [String], lets: [(String, XPathExpr)], body: XPathExpr) {
        self.parameters = parameters
        self.lets = lets
        self.body = body
    }
}

/// Evaluates expressions against one tree. Cheap to create; not shared between threads.
public final class XPathEvaluator {
    public let tree: XMLTree
    /// In-scope variables, innermost last. A handful at a time: a linear search comparing (mostly
    /// small, inline) strings costs less than hashing the name for a dictionary lookup, and
    /// quantifiers bind and unbind by push and pop.
    var scope: [(name: String, value: XPathSequence)] = []

    /// The in-scope variables as a dictionary (the innermost binding of each name).
    public var variables: [String: XPathSequence] {
        get { Dictionary(scope.map { ($0.name, $0.value) }, uniquingKeysWith: { _, inner in inner }) }
        set { scope = newValue.map { (name: $0.key, value: $0.value) } }
    }

    /// Binds `name` (shadowing any outer binding) until `unbind(to:)` with a mark taken before.
    public func bind(_ name: String, _ value: XPathSequence) { scope.append((name, value)) }
    public var scopeMark: Int { scope.count }
    public func unbind(to mark: Int) { if scope.count > mark { scope.removeSubrange(mark...) } }

    func lookup(_ name: String) -> XPathSequence? {
        var i = scope.count - 1
        while i >= 0 {
            if scope[i].name == name { return scope[i].value }
            i -= 1
        }
        return nil
    }
    public let functions: [String: XPathFunction]
    /// XSLT's current(): the node a schematron rule fired on.
    public var currentNode: Int32 = -1
    var depth = 0
    /// Elements by name, built on the first `//name`: descendant lookups become binary searches.
    /// One counting sort over the document (elements grouped by name, each group in document
    /// order) rather than a dictionary of arrays: no allocation per name.
    final class NameIndex {
        var built = false
        /// Elements, or attributes (`//@name`).
        let kind: XMLTree.Kind
        init(kind: XMLTree.Kind = .element) { self.kind = kind }
        /// Open addressing: name id → group (keys -1 = empty).
        var keys: [Int32] = []
        var groups: [Int32] = []
        /// Group g's elements are order[start[g]..<start[g + 1]].
        var start: [Int32] = []
        var order: [Int32] = []

        func group(_ id: Int32) -> Int {
            guard !keys.isEmpty else { return -1 }
            var h = NameIndex.hash(id, keys.count)
            while true {
                let k = keys[h]
                if k == id { return Int(groups[h]) }
                if k == -1 { return -1 }
                h = (h + 1) & (keys.count - 1)
            }
        }

        static func hash(_ id: Int32, _ size: Int) -> Int {
            Int(truncatingIfNeeded: UInt64(UInt32(bitPattern: id)) &* 0x9E37_79B9_7F4A_7C15 >> 32) & (size - 1)
        }

        func build(_ tree: XMLTree) {
            built = true
            let count = tree.nodeCount
            var size = 256
            while size < 2 * count { size *= 2 } // at most half full: distinct names ≤ elements
            // Local arrays walked through raw buffers: the same counting sort as before, without a
            // bounds and exclusivity check per node and per probe (this ran at ≈ 60 instructions a node).
            var keys = [Int32](repeating: -1, count: size)
            var groups = [Int32](repeating: -1, count: size)
            var elementGroup = [Int32](repeating: -1, count: count)
            var sizes: [Int32] = []
            tree.nodes.withUnsafeBufferPointer { nodes in
            keys.withUnsafeMutableBufferPointer { keys in
            groups.withUnsafeMutableBufferPointer { groups in
            elementGroup.withUnsafeMutableBufferPointer { elementGroup in
                var i = 1
                while i < count {
                    if nodes[i].kind == kind {
                        let id = nodes[i].name
                        var h = NameIndex.hash(id, size)
                        while keys[h] != -1 && keys[h] != id { h = (h + 1) & (size - 1) }
                        if keys[h] == -1 {
                            keys[h] = id
                            groups[h] = Int32(sizes.count)
                            sizes.append(0)
                        }
                        let g = groups[h]
                        sizes[Int(g)] += 1
                        elementGroup[i] = g
                    }
                    i += 1
                }
            }}}}
            var start = [Int32](repeating: 0, count: sizes.count + 1)
            for g in sizes.indices { start[g + 1] = start[g] + sizes[g] }
            var fill = start
            var order = [Int32](repeating: 0, count: Int(start[sizes.count]))
            elementGroup.withUnsafeBufferPointer { elementGroup in
            fill.withUnsafeMutableBufferPointer { fill in
            order.withUnsafeMutableBufferPointer { order in
                var i = 1
                while i < count {
                    let g = Int(elementGroup[i])
                    if g >= 0 { order[Int(fill[g])] = Int32(i); fill[g] += 1 }
                    i += 1
                }
            }}}
            self.keys = keys
            self.groups = groups
            self.start = start
            self.order = order
        }
    }
    let nameIndex = NameIndex()
    /// Attributes by name, built on the first compiled `//@name`.
    let attributeIndex = NameIndex(kind: .attribute)
    /// Values of context-free sub-expressions, per document.
    /// Values of context-free sub-expressions, per document: a few hundred at most, keyed by memo
    /// id in a small open-addressing table (a Swift dictionary hashed and rehashed as it grew, ≈ 2 %
    /// of validation; an array indexed by id would have to span every id of every artefact loaded).
    /// A struct held in one `var` of the evaluator: each lookup or insertion is one exclusivity-checked
    /// access, where a class's array properties cost a check per element read.
    struct Memo {
        /// Memo id per slot, -1 = empty; `index` gives the value's position in `values`.
        var keys = [Int](repeating: -1, count: 256)
        var index = [Int32](repeating: 0, count: 256)
        var values: [XPathSequence] = []

        private static func hash(_ id: Int, _ size: Int) -> Int {
            Int(truncatingIfNeeded: UInt64(bitPattern: Int64(id)) &* 0x9E37_79B9_7F4A_7C15 >> 32) & (size - 1)
        }

        func value(_ id: Int) -> XPathSequence? {
            var h = Memo.hash(id, keys.count)
            while true {
                let k = keys[h]
                if k == id { return values[Int(index[h])] }
                if k == -1 { return nil }
                h = (h + 1) & (keys.count - 1)
            }
        }

        mutating func set(_ id: Int, _ v: XPathSequence) {
            if (values.count + 1) * 2 > keys.count {
                let oldKeys = keys, oldIndex = index
                keys = [Int](repeating: -1, count: oldKeys.count * 2)
                index = [Int32](repeating: 0, count: oldKeys.count * 2)
                for i in oldKeys.indices where oldKeys[i] != -1 { insert(oldKeys[i], oldIndex[i]) }
            }
            insert(id, Int32(values.count))
            values.append(v)
        }

        private mutating func insert(_ id: Int, _ at: Int32) {
            var h = Memo.hash(id, keys.count)
            while keys[h] != -1 && keys[h] != id { h = (h + 1) & (keys.count - 1) }
            keys[h] = id
            index[h] = at
        }
    }
    var memo = Memo()

    /// The attributes named `id`, in document order, as a range of `attributeIndex.order`.
    func attributes(named id: Int32) -> Range<Int> {
        if !attributeIndex.built { attributeIndex.build(tree) }
        let g = attributeIndex.group(id)
        if g < 0 { return 0..<0 }
        return Int(attributeIndex.start[g])..<Int(attributeIndex.start[g + 1])
    }

    /// The elements named `id`, in document order, as a range of `nameIndex.order`.
    func elements(named id: Int32) -> Range<Int> {
        if !nameIndex.built { nameIndex.build(tree) }
        let g = nameIndex.group(id)
        if g < 0 { return 0..<0 }
        return Int(nameIndex.start[g])..<Int(nameIndex.start[g + 1])
    }

    public init(tree: XMLTree, functions: [String: XPathFunction] = [:]) {
        self.tree = tree
        self.functions = functions
    }

    struct Focus {
        var item: XPathItem
        var position: Int
        var size: Int
    }

    public func evaluate(_ e: XPathExpr, contextNode: Int32) throws(XPathError) -> XPathSequence {
        try eval(e, Focus(item: .node(contextNode), position: 1, size: 1))
    }

    public func effectiveBoolean(_ e: XPathExpr, contextNode: Int32) throws(XPathError) -> Bool {
        try truth(e, Focus(item: .node(contextNode), position: 1, size: 1))
    }

    /// The effective boolean value of `e`, short-cutting the forms that need no sequence.
    func truth(_ e: XPathExpr, _ f: Focus) throws(XPathError) -> Bool {
        switch e {
        case .simplePath(let steps):
            guard case .node(let n) = f.item else { return try ebv(try eval(e, f)) }
            return pathExists(steps[...], from: n)
        case .builtin(.not, let args) where args.count == 1:
            return !(try truth(args[0], f))
        case .builtin(.exists, let args) where args.count == 1:
            return try exists(args[0], f)
        case .or(let a, let b):
            if try truth(a, f) { return true }
            return try truth(b, f)
        case .and(let a, let b):
            if !(try truth(a, f)) { return false }
            return try truth(b, f)
        case .generalCompare(let op, let a, let b):
            return try compareGeneral(op, a, b, f)
        default:
            return try ebv(try eval(e, f))
        }
    }

    /// A general comparison. `path = 'literal'` (the commonest shape in rules and patterns) compares
    /// each node's string value in turn, in document order, stopping at the first true pair as the
    /// full comparison does — without building the node and value sequences.
    func compareGeneral(_ op: CompareOp, _ a: XPathExpr, _ b: XPathExpr, _ f: Focus) throws(XPathError) -> Bool {
        if case .node(let n) = f.item {
            // An untyped or string value `=` / `!=` a string literal is a plain string comparison
            // (the untyped side is cast to xs:string): no items to build. Ordering and numeric
            // comparisons take `compareValues`.
            let equality = op == .eq || op == .ne
            // `count(a/b) <= 1`, the syntax rules' cardinality checks: the nodes are only counted.
            if case .builtin(.count, let args) = a, args.count == 1, case .simplePath(let steps) = args[0], case .integer(let k) = b {
                return try compareValues(op, .integer(pathCount(steps[...], from: n)), .integer(k), general: true)
            }
            if case .simplePath(let steps) = a, let lit = XPathEvaluator.literal(b) {
                var nodes = NodeCollector()
                pathNodes(steps[...], from: n, into: &nodes)
                if equality, case .string(let s) = lit {
                    let want = op == .eq
                    return try nodes.forEach { (x) throws(XPathError) in (tree.stringValue(x) == s) == want }
                }
                return try nodes.forEach { (x) throws(XPathError) in try compareValues(op, .untyped(tree.stringValue(x)), lit, general: true) }
            }
            if case .simplePath(let steps) = b, let lit = XPathEvaluator.literal(a) {
                var nodes = NodeCollector()
                pathNodes(steps[...], from: n, into: &nodes)
                if equality, case .string(let s) = lit {
                    let want = op == .eq
                    return try nodes.forEach { (x) throws(XPathError) in (s == tree.stringValue(x)) == want }
                }
                return try nodes.forEach { (x) throws(XPathError) in try compareValues(op, lit, .untyped(tree.stringValue(x)), general: true) }
            }
            if let lit = XPathEvaluator.literal(b), let v = try stringOfPath(a, n) {
                if equality, case .string(let s) = lit { return (v == s) == (op == .eq) }
                return try compareValues(op, .string(v), lit, general: true)
            }
            if let lit = XPathEvaluator.literal(a), let v = try stringOfPath(b, n) {
                if equality, case .string(let s) = lit { return (s == v) == (op == .eq) }
                return try compareValues(op, lit, .string(v), general: true)
            }
        }
        return try generalCompare(op, try atomize(try eval(a, f)), try atomize(try eval(b, f)))
    }

    static func literal(_ e: XPathExpr) -> XPathItem? {
        switch e {
        case .string(let s): return .string(s)
        case .integer(let v): return .integer(v)
        case .decimal(let v): return .decimal(v)
        case .double(let v): return .double(v)
        // true() and false() are constants too (`udt:Indicator = false()`).
        case .builtin(.true, let args) where args.isEmpty: return .boolean(true)
        case .builtin(.false, let args) where args.isEmpty: return .boolean(false)
        default: return nil
        }
    }

    /// How many nodes `pathNodes` would collect, without collecting them.
    func pathCount(_ steps: ArraySlice<SimpleStep>, from n: Int32) -> Int {
        guard let step = steps.first else { return 1 }
        var count = 0
        if step.attribute {
            guard tree.kind(n) == .element else { return 0 }
            var a = tree.firstAttribute(n)
            while a >= 0 { if tree.nameID(a) == step.name { count += 1 }; a = tree.nextSibling(a) }
            return count
        }
        var c = tree.firstChild(n)
        let rest = steps.dropFirst()
        while c >= 0 {
            if tree.nameID(c) == step.name && tree.kind(c) == .element { count += rest.isEmpty ? 1 : pathCount(rest, from: c) }
            c = tree.nextSibling(c)
        }
        return count
    }

    func exists(_ e: XPathExpr, _ f: Focus) throws(XPathError) -> Bool {
        if case .simplePath = e { return try truth(e, f) }
        return !(try eval(e, f)).isEmpty
    }

    func pathExists(_ steps: ArraySlice<SimpleStep>, from n: Int32) -> Bool {
        guard let step = steps.first else { return true }
        if step.attribute {
            guard tree.kind(n) == .element else { return false }
            var a = tree.firstAttribute(n)
            while a >= 0 { if tree.nameID(a) == step.name { return true }; a = tree.nextSibling(a) }
            return false
        }
        var c = tree.firstChild(n)
        let rest = steps.dropFirst()
        while c >= 0 {
            if tree.nameID(c) == step.name && tree.kind(c) == .element && pathExists(rest, from: c) { return true }
            c = tree.nextSibling(c)
        }
        return false
    }

    /// Nodes in document order; the first is kept inline so that the usual zero-or-one result
    /// allocates nothing.
    struct NodeCollector {
        var first: Int32 = -1
        var rest: [Int32] = []
        var count: Int { first < 0 ? 0 : 1 + rest.count }
        mutating func append(_ n: Int32) { if first < 0 { first = n } else { rest.append(n) } }
        var sequence: XPathSequence {
            if first < 0 { return XPathSequence() }
            if rest.isEmpty { return XPathSequence(.node(first)) }
            var items: [XPathItem] = [.node(first)]
            items.reserveCapacity(1 + rest.count)
            for n in rest { items.append(.node(n)) }
            return XPathSequence(items)
        }
        func forEach(_ body: (Int32) throws(XPathError) -> Bool) throws(XPathError) -> Bool {
            if first < 0 { return false }
            if try body(first) { return true }
            for n in rest where try body(n) { return true }
            return false
        }
    }

    func pathNodes(_ steps: ArraySlice<SimpleStep>, from n: Int32, into out: inout NodeCollector) {
        guard let step = steps.first else { out.append(n); return }
        if step.attribute {
            guard tree.kind(n) == .element else { return }
            var a = tree.firstAttribute(n)
            while a >= 0 { if tree.nameID(a) == step.name { out.append(a) }; a = tree.nextSibling(a) }
            return
        }
        var c = tree.firstChild(n)
        let rest = steps.dropFirst()
        while c >= 0 {
            if tree.nameID(c) == step.name && tree.kind(c) == .element { pathNodes(rest, from: c, into: &out) }
            c = tree.nextSibling(c)
        }
    }

    /// Does node `n` match an XSLT pattern made of `|`-separated location paths?
    public func matches(pattern: XPathExpr, node n: Int32) throws(XPathError) -> Bool {
        switch pattern {
        case .union(let a, let b):
            if try matches(pattern: a, node: n) { return true }
            return try matches(pattern: b, node: n)
        case .root:
            return tree.kind(n) == .document
        case .filter(let inner, let preds):
            // XSLT 3.0 pattern `(A | B)[p]`
            guard try matches(pattern: inner, node: n) else { return false }
            for p in preds where !(try ebv(try eval(p, Focus(item: .node(n), position: 1, size: 1)))) { return false }
            return true
        case .step(let axis, let test, let preds):
            // A relative pattern `x` matches any node that some parent could select as a child (or attribute)
            guard stepKindMatches(axis: axis, node: n) && nodeTest(test, n, axis: axis) else { return false }
            return try predicatesHold(preds, node: n, axis: axis)
        case .slash(let lhs, let rhs):
            // rhs is a step; descendant-or-self::node() in lhs encodes `//`
            guard try matches(pattern: rhs, node: n) else { return false }
            let parent = tree.parent(n)
            if parent < 0 { return false }
            if case .slash(let base, let dos) = lhs, dos.isDescendantOrSelfNode {
                // `//x`: every node's ancestors end at the document node, which `/` matches.
                if case .root = base { return true }
                var a = parent
                while a >= 0 {
                    if try matches(pattern: base, node: a) { return true }
                    a = tree.parent(a)
                }
                return false
            }
            return try matches(pattern: lhs, node: parent)
        default:
            throw XPathError(code: "XTSE0340", message: "unsupported pattern")
        }
    }

    private func stepKindMatches(axis: Axis, node n: Int32) -> Bool {
        let k = tree.kind(n)
        return axis == .attribute ? k == .attribute : k != .attribute && k != .document
    }

    func predicatesHold(_ preds: [XPathExpr], node n: Int32, axis: Axis) throws(XPathError) -> Bool {
        if preds.isEmpty { return true }
        // Position among the siblings that pass the node test is rarely needed in patterns;
        // compute it only for numeric predicates.
        for p in preds {
            if p.isBooleanValued {
                if !(try truth(p, Focus(item: .node(n), position: 1, size: 1))) { return false }
                continue
            }
            let r = try eval(p, Focus(item: .node(n), position: 1, size: 1))
            if r.count == 1, let num = numericValue(r[0]) {
                let pos = siblingPosition(n)
                if Double(pos) != num { return false }
            } else if !(try ebv(r)) { return false }
        }
        return true
    }

    private func siblingPosition(_ n: Int32) -> Int {
        let p = tree.parent(n)
        var pos = 1
        var s = tree.firstChild(p)
        while s >= 0 && s != n {
            if tree.kind(s) == tree.kind(n) && tree.nameID(s) == tree.nameID(n) { pos += 1 }
            s = tree.nextSibling(s)
        }
        return pos
    }

    // MARK: - Core

    func eval(_ e: XPathExpr, _ f: Focus) throws(XPathError) -> XPathSequence {
        switch e {
        case .string(let s): return XPathSequence(.string(s))
        case .integer(let v): return XPathSequence(.integer(v))
        case .decimal(let v): return XPathSequence(.decimal(v))
        case .double(let v): return XPathSequence(.double(v))
        case .variable(let name):
            guard let v = lookup(name) else { throw XPathError(code: "XPST0008", message: "variable $\(name) is not defined") }
            return v
        case .contextItem:
            return XPathSequence(f.item)
        case .sequence(let items):
            var out: XPathSequence = []
            for x in items { out += try eval(x, f) }
            return out
        case .or, .and:
            return XPathSequence(.boolean(try truth(e, f)))
        case .memo(let id, let inner):
            if let v = memo.value(id) { return v }
            let v = try eval(inner, f)
            memo.set(id, v)
            return v
        case .simplePath(let steps):
            guard case .node(let n) = f.item else { throw XPathError(code: "XPTY0020", message: "the context item is not a node") }
            var out = NodeCollector()
            pathNodes(steps[...], from: n, into: &out)
            return out.sequence
        case .generalCompare(let op, let a, let b):
            return XPathSequence(.boolean(try compareGeneral(op, a, b, f)))
        case .valueCompare(let op, let a, let b):
            let l = try atomize(try eval(a, f)), r = try atomize(try eval(b, f))
            if l.isEmpty || r.isEmpty { return [] }
            guard l.count == 1, r.count == 1 else { throw XPathError(code: "XPTY0004", message: "value comparison on a sequence") }
            return XPathSequence(.boolean(try compareValues(op, l[0], r[0], general: false)))
        case .nodeIs(let a, let b):
            let l = try eval(a, f), r = try eval(b, f)
            guard case .node(let x)? = l.first, case .node(let y)? = r.first else { return [] }
            return XPathSequence(.boolean(x == y))
        case .arithmetic(let op, let a, let b):
            let l = try atomize(try eval(a, f)), r = try atomize(try eval(b, f))
            if l.isEmpty || r.isEmpty { return [] }
            guard l.count == 1, r.count == 1 else {
                throw XPathError(code: "XPTY0004", message: "arithmetic on a sequence of more than one item")
            }
            return [try arithmetic(op, l[0], r[0])]
        case .negate(let a):
            let v = try atomize(try eval(a, f))
            if v.isEmpty { return [] }
            return [try arithmetic(.sub, .integer(0), v[0])]
        case .range(let a, let b):
            let l = try atomize(try eval(a, f)), r = try atomize(try eval(b, f))
            guard let lo = l.first.flatMap(numericValue), let hi = r.first.flatMap(numericValue), lo <= hi else { return [] }
            // Ranges only count small things in the artefacts; a document must not make one huge.
            guard hi - lo < 1_000_000 else { throw XPathError(code: "FOAR0002", message: "range too large") }
            return XPathSequence((try XPathEvaluator.integer(fromDouble: lo)...XPathEvaluator.integer(fromDouble: hi)).map { XPathItem.integer($0) })
        case .union(let a, let b):
            return try nodeSet(try eval(a, f) + eval(b, f))
        case .intersect(let a, let b):
            let r = Set(try nodes(try eval(b, f)))
            return XPathSequence(try nodes(try eval(a, f)).filter { r.contains($0) }.sorted().map { XPathItem.node($0) })
        case .except(let a, let b):
            let r = Set(try nodes(try eval(b, f)))
            return XPathSequence(Array(Set(try nodes(try eval(a, f)).filter { !r.contains($0) })).sorted().map { XPathItem.node($0) })
        case .root:
            guard case .node = f.item else { throw XPathError(code: "XPDY0050", message: "no context node for /") }
            return XPathSequence(.node(0))
        case .slash(let lhs, let rhs):
            return try evalSlash(lhs, rhs, f)
        case .step(let axis, let test, let preds):
            guard case .node(let n) = f.item else { throw XPathError(code: "XPTY0020", message: "the context item is not a node") }
            var result: [Int32]
            if let filter = XPathEvaluator.streamablePredicate(preds) {
                result = []
                try appendStep(axis, test, filter, from: n, into: &result)
            } else {
                result = axisNodes(axis, test, from: n)
                for p in preds { result = try applyPredicate(p, to: result, reverse: isReverse(axis)) }
            }
            if result.count == 1 { return XPathSequence(.node(result[0])) }
            return XPathSequence(result.map { XPathItem.node($0) })
        case .filter(let primary, let preds):
            var items = try eval(primary, f)
            for p in preds { items = try filterItems(p, items) }
            return items
        case .builtin(let b, let args):
            return try call(b, args, f)
        case .function(let name, let args):
            return try callNamed(name, args, f)
        case .quantified(let every, let bindings, let body):
            return XPathSequence(.boolean(try quantify(every: every, bindings[...], body, f)))
        case .forExpr(let bindings, let body):
            return try forEach(bindings[...], body, f)
        case .ifExpr(let c, let t, let el):
            return try ebv(try eval(c, f)) ? eval(t, f) : eval(el, f)
        case .castable(let a, let type, let optional):
            let v = try atomize(try eval(a, f))
            if v.isEmpty { return XPathSequence(.boolean(optional)) }
            if v.count > 1 { return XPathSequence(.boolean(false)) }
            do { _ = try cast(v[0], to: type) } catch { return XPathSequence(.boolean(false)) }
            return XPathSequence(.boolean(true))
        case .cast(let a, let type, let optional):
            let v = try atomize(try eval(a, f))
            if v.isEmpty {
                if optional { return [] }
                throw XPathError(code: "XPTY0004", message: "empty sequence cast as \(type)")
            }
            guard v.count == 1 else { throw XPathError(code: "XPTY0004", message: "cast of a sequence") }
            return [try cast(v[0], to: type)]
        case .instanceOf(let a, let type):
            let v = try eval(a, f)
            return XPathSequence(.boolean(instanceOf(v, type)))
        case .inTokenList(let tokens, let list, let needleExpr):
            // The code-list idiom's needle, `concat(' ', X, ' ')`: when X is a plain visible ASCII
            // code (no space), the answer is whether X is one of the tokens — without building the
            // padded needle. Anything else takes the general path below.
            if case .builtin(.concat, let parts) = needleExpr, parts.count == 3,
               case .string(let pre) = parts[0], pre == " ", case .string(let post) = parts[2], post == " " {
                let code = try str(parts[1], f, Builtin.concat.rawValue)
                if !code.isEmpty && code.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                    return XPathSequence(.boolean(tokens.contains(code)))
                }
            }
            let v = try atomize(try eval(needleExpr, f))
            guard v.count <= 1 else { throw XPathError(code: "XPTY0004", message: "contains() expects one item") }
            let needle = v.first.map(stringValue) ?? ""
            if needle.isEmpty { return XPathSequence(.boolean(true)) }
            // " X " with X free of spaces is a token lookup; anything else falls back to substring search.
            if needle.count >= 3, needle.hasPrefix(" "), needle.hasSuffix(" ") {
                let inner = needle.dropFirst().dropLast()
                if !inner.contains(" ") { return XPathSequence(.boolean(tokens.contains(String(inner)))) }
            }
            return XPathSequence(.boolean(XPathEvaluator.byteOffset(of: needle, in: list) != nil))
        }
    }

    private func evalSlash(_ lhs: XPathExpr, _ rhs: XPathExpr, _ f: Focus) throws(XPathError) -> XPathSequence {
        // `//name[preds]` without positional predicates is the descendant axis: avoids building
        // the descendant-or-self node list first.
        if case .slash(let base, let dos) = lhs, dos.isDescendantOrSelfNode,
           case .step(.child, let test, let preds) = rhs, preds.allSatisfy(XPathEvaluator.positionFree) {
            return try evalSlash(base, .step(.descendant, test, preds), f)
        }
        if case .slash(let base, let dos) = lhs, dos.isDescendantOrSelfNode {
            // `//(a | b)`: the union of `//a` and `//b`, instead of evaluating the union once per
            // node of the document.
            if let steps = childStepUnion(rhs) {
                var all: XPathSequence = []
                for (test, preds) in steps { all += try evalSlash(base, .step(.descendant, test, preds), f) }
                return try nodeSet(all)
            }
            // `//@name`: attributes are stored right after their element, so those of a subtree
            // are the attribute nodes of its index range — one scan, no node list per element.
            if case .step(.attribute, let test, let preds) = rhs, preds.isEmpty {
                let left = try eval(base, f)
                var out: [Int32] = []
                for item in left {
                    guard case .node(let n) = item else { throw XPathError(code: "XPTY0019", message: "left side of / is not a node") }
                    guard tree.kind(n) == .element || tree.kind(n) == .document else { continue }
                    let end = tree.subtreeEnd(n)
                    var i = n + 1
                    while i < end {
                        if tree.kind(i) == .attribute && nodeTest(test, i, axis: .attribute) { out.append(i) }
                        i += 1
                    }
                }
                if left.count > 1 {
                    out.sort()
                    var dedup: [Int32] = []
                    for n in out where dedup.last != n { dedup.append(n) }
                    out = dedup
                }
                if out.count == 1 { return XPathSequence(.node(out[0])) }
                return XPathSequence(out.map { XPathItem.node($0) })
            }
        }
        let left = try eval(lhs, f)
        if left.isEmpty { return [] }
        // Fast path: a location step after nodes, collected as indices without boxing each result.
        if case .step(let axis, let test, let preds) = rhs {
            var collected: [Int32] = []
            let filter = XPathEvaluator.streamablePredicate(preds)
            for item in left {
                guard case .node(let n) = item else { throw XPathError(code: "XPTY0019", message: "left side of / is not a node") }
                if let filter {
                    try appendStep(axis, test, filter, from: n, into: &collected)
                    continue
                }
                var r = axisNodes(axis, test, from: n)
                for p in preds { r = try applyPredicate(p, to: r, reverse: isReverse(axis)) }
                collected += r
            }
            if left.count > 1 {
                var ordered = true
                var i = 1
                while i < collected.count { if collected[i - 1] >= collected[i] { ordered = false; break }; i += 1 }
                if !ordered {
                    collected.sort()
                    var dedup: [Int32] = []
                    dedup.reserveCapacity(collected.count)
                    for n in collected where dedup.last != n { dedup.append(n) }
                    collected = dedup
                }
            }
            if collected.count == 1 { return XPathSequence(.node(collected[0])) }
            return XPathSequence(collected.map { XPathItem.node($0) })
        }
        var out: XPathSequence = []
        var sawNode = false, sawAtomic = false
        let size = left.count
        for (i, item) in left.enumerated() {
            guard case .node = item else { throw XPathError(code: "XPTY0019", message: "left side of / is not a node") }
            let r = try eval(rhs, Focus(item: item, position: i + 1, size: size))
            for x in r { if case .node = x { sawNode = true } else { sawAtomic = true } }
            out += r
        }
        if sawNode && sawAtomic { throw XPathError(code: "XPTY0018", message: "path mixes nodes and atomic values") }
        if sawNode && size > 1 { return try nodeSet(out) }
        return out
    }

    /// `a | b | …` made only of child steps without positional predicates, or nil.
    private func childStepUnion(_ e: XPathExpr) -> [(NodeTest, [XPathExpr])]? {
        switch e {
        case .union(let a, let b):
            guard let x = childStepUnion(a), let y = childStepUnion(b) else { return nil }
            return x + y
        case .filter(let inner, let preds) where preds.isEmpty:
            return childStepUnion(inner)
        case .step(.child, let test, let preds) where preds.allSatisfy(XPathEvaluator.positionFree):
            return [(test, preds)]
        // A lone element name inside `//( … )` was turned into a simple path by `optimized()`.
        case .simplePath(let steps) where steps.count == 1 && !steps[0].attribute:
            return [(.name(NameTable.shared.name(steps[0].name), steps[0].name), [])]
        default:
            return nil
        }
    }

    /// What `appendStep` can filter with while it walks the axis: no predicate (`.true`), or a single
    /// predicate that yields a boolean and never reads position() or last() — its value for a node
    /// does not depend on the other nodes. Nil: the predicates need the whole list (`applyPredicate`).
    enum StepFilter { case none, test(XPathExpr) }

    static func streamablePredicate(_ preds: [XPathExpr]) -> StepFilter? {
        if preds.isEmpty { return StepFilter.none }
        guard preds.count == 1, preds[0].isBooleanValued, !preds[0].mayReadPosition else { return nil }
        return .test(preds[0])
    }

    /// `axis::test[filter]` from `n`, appended to `out` in the order `axisNodes` gives and with the
    /// predicate evaluated on the same nodes in the same order as `applyPredicate` — so the same
    /// result and the same first error — but without the intermediate node lists. The child axis,
    /// the commonest, is walked in place.
    func appendStep(_ axis: Axis, _ test: NodeTest, _ filter: StepFilter, from n: Int32, into out: inout [Int32]) throws(XPathError) {
        if axis == .child {
            guard tree.kind(n) == .element || tree.kind(n) == .document else { return }
            var wantedName: Int32 = -2
            if case .name(_, let id) = test { wantedName = id }
            var c = tree.firstChild(n)
            while c >= 0 {
                let passes = wantedName != -2 ? tree.nameID(c) == wantedName && tree.kind(c) == .element : nodeTest(test, c, axis: .child)
                if passes {
                    switch filter {
                    case .none: out.append(c)
                    case .test(let p): if try truth(p, Focus(item: .node(c), position: 1, size: 1)) { out.append(c) }
                    }
                }
                c = tree.nextSibling(c)
            }
            return
        }
        let r = axisNodes(axis, test, from: n)
        switch filter {
        case .none: out += r
        case .test(let p):
            for c in r where try truth(p, Focus(item: .node(c), position: 1, size: 1)) { out.append(c) }
        }
    }

    /// A predicate that filters each node on its own: `//x[p]` is then `descendant::x[p]`. Either it
    /// cannot yield a number, or it always yields a boolean and reads neither position() nor last()
    /// (`[cac:X/xs:decimal(cbc:Percent) = $rate]`: a comparison is a boolean whatever `$rate` holds).
    static func positionFree(_ p: XPathExpr) -> Bool {
        !mayBePositional(p) || (p.isBooleanValued && !p.mayReadPosition)
    }

    static func mayBePositional(_ p: XPathExpr) -> Bool {
        switch p {
        case .integer, .decimal, .double: return true
        case .builtin(.position, _), .builtin(.last, _): return true
        case .generalCompare(_, let a, let b), .valueCompare(_, let a, let b), .and(let a, let b), .or(let a, let b),
             .arithmetic(_, let a, let b):
            return mayBePositional(a) || mayBePositional(b)
        case .builtin(_, let args), .function(_, let args): return args.contains(where: XPathEvaluator.mayBePositional)
        case .variable: return true // a variable may hold a number
        default: return false
        }
    }

    func isReverse(_ axis: Axis) -> Bool {
        axis == .parent || axis == .ancestor || axis == .ancestorOrSelf || axis == .precedingSibling || axis == .preceding
    }

    func applyPredicate(_ p: XPathExpr, to nodes: [Int32], reverse: Bool) throws(XPathError) -> [Int32] {
        // Fast path for the very common `[position literal]`
        if case .integer(let k) = p { return k >= 1 && k <= nodes.count ? [reverse ? nodes[nodes.count - k] : nodes[k - 1]] : [] }
        var out: [Int32] = []
        let size = nodes.count
        let boolean = p.isBooleanValued
        for (i, n) in nodes.enumerated() {
            let pos = reverse ? size - i : i + 1
            if boolean {
                if try truth(p, Focus(item: .node(n), position: pos, size: size)) { out.append(n) }
                continue
            }
            let r = try eval(p, Focus(item: .node(n), position: pos, size: size))
            if r.count == 1, let num = numericValue(r[0]), !isNodeItem(r[0]) {
                if Double(pos) == num { out.append(n) }
            } else if try ebv(r) { out.append(n) }
        }
        return out
    }

    private func filterItems(_ p: XPathExpr, _ items: XPathSequence) throws(XPathError) -> XPathSequence {
        var out: XPathSequence = []
        for (i, item) in items.enumerated() {
            let r = try eval(p, Focus(item: item, position: i + 1, size: items.count))
            if r.count == 1, let num = numericValue(r[0]), !isNodeItem(r[0]) {
                if Double(i + 1) == num { out.append(item) }
            } else if try ebv(r) { out.append(item) }
        }
        return out
    }

    private func isNodeItem(_ i: XPathItem) -> Bool { if case .node = i { return true }; return false }

    // MARK: Axes

    func nodeTest(_ t: NodeTest, _ n: Int32, axis: Axis) -> Bool {
        let k = tree.kind(n)
        switch t {
        case .anyNode: return true
        case .text: return k == .text
        case .comment: return false
        case .anyElement: return axis == .attribute ? k == .attribute : k == .element
        case .name(_, let id):
            if axis == .attribute ? k != .attribute : k != .element { return false }
            return tree.nameID(n) == id
        case .namespaceWildcard(let uri):
            guard axis == .attribute ? k == .attribute : k == .element else { return false }
            return NameTable.shared.name(tree.nameID(n)).namespace == uri
        case .localWildcard(let local):
            guard axis == .attribute ? k == .attribute : k == .element else { return false }
            return NameTable.shared.name(tree.nameID(n)).local == local
        }
    }

    func axisNodes(_ axis: Axis, _ test: NodeTest, from n: Int32) -> [Int32] {
        var wantedName: Int32 = -2
        if case .name(_, let id) = test { wantedName = id }
        let wantedKind: XMLTree.Kind = axis == .attribute ? .attribute : .element
        let tree = self.tree
        func ok(_ c: Int32) -> Bool {
            if wantedName != -2 { return tree.nameID(c) == wantedName && tree.kind(c) == wantedKind }
            return nodeTest(test, c, axis: axis)
        }
        var out: [Int32] = []
        switch axis {
        case .child:
            guard tree.kind(n) == .element || tree.kind(n) == .document else { return [] }
            var c = tree.firstChild(n)
            while c >= 0 { if ok(c) { out.append(c) }; c = tree.nextSibling(c) }
        case .attribute:
            guard tree.kind(n) == .element else { return [] }
            var a = tree.firstAttribute(n)
            while a >= 0 { if ok(a) { out.append(a) }; a = tree.nextSibling(a) }
        case .selfAxis:
            if ok(n) { out.append(n) }
        case .parent:
            let p = tree.parent(n)
            if p >= 0 && ok(p) { out.append(p) }
        case .ancestor, .ancestorOrSelf:
            var a = axis == .ancestor ? tree.parent(n) : n
            var chain: [Int32] = []
            while a >= 0 { if ok(a) { chain.append(a) }; a = tree.parent(a) }
            out = chain.reversed()
        case .descendant, .descendantOrSelf:
            if case .name(_, let id) = test, axis == .descendant || tree.kind(n) != .element || tree.nameID(n) != id {
                guard tree.kind(n) == .element || tree.kind(n) == .document else { return [] }
                let range = elements(named: id)
                let all = nameIndex.order
                let end = tree.subtreeEnd(n)
                // first index > n
                var lo = range.lowerBound, hi = range.upperBound
                while lo < hi { let mid = (lo + hi) / 2; if all[mid] <= n { lo = mid + 1 } else { hi = mid } }
                var k = lo
                while k < range.upperBound && all[k] < end { out.append(all[k]); k += 1 }
                return out
            }
            if axis == .descendantOrSelf && ok(n) { out.append(n) }
            guard tree.kind(n) == .element || tree.kind(n) == .document else { return out }
            collectDescendants(n, ok, &out)
        case .followingSibling:
            guard tree.kind(n) != .attribute else { return [] }
            var s = tree.nextSibling(n)
            while s >= 0 { if ok(s) { out.append(s) }; s = tree.nextSibling(s) }
        case .precedingSibling:
            guard tree.kind(n) != .attribute, tree.parent(n) >= 0 else { return [] }
            var s = tree.firstChild(tree.parent(n))
            while s >= 0 && s != n { if ok(s) { out.append(s) }; s = tree.nextSibling(s) }
        case .following:
            var cur = n
            while cur >= 0 {
                var s = tree.kind(cur) == .attribute ? -1 : tree.nextSibling(cur)
                if tree.kind(cur) == .attribute { s = tree.firstChild(tree.parent(cur)) }
                while s >= 0 {
                    if tree.kind(s) != .attribute {
                        if ok(s) { out.append(s) }
                        collectDescendants(s, ok, &out)
                    }
                    s = tree.nextSibling(s)
                }
                cur = tree.parent(cur)
            }
            out.sort()
        case .preceding:
            let ancestors = Set(axisNodes(.ancestor, .anyNode, from: n))
            var i: Int32 = 1
            while i < n {
                if tree.kind(i) != .attribute && !ancestors.contains(i) && ok(i) { out.append(i) }
                i += 1
            }
        }
        return out
    }

    private func collectDescendants(_ n: Int32, _ ok: (Int32) -> Bool, _ out: inout [Int32]) {
        var c = tree.firstChild(n)
        while c >= 0 {
            if ok(c) { out.append(c) }
            if tree.kind(c) == .element { collectDescendants(c, ok, &out) }
            c = tree.nextSibling(c)
        }
    }

    // MARK: Sequences and values

    func nodes(_ s: XPathSequence) throws(XPathError) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(s.count)
        for x in s {
            guard case .node(let n) = x else { throw XPathError(code: "XPTY0004", message: "expected nodes") }
            out.append(n)
        }
        return out
    }

    func nodeSet(_ s: XPathSequence) throws(XPathError) -> XPathSequence {
        var ns = try nodes(s)
        ns.sort()
        var out: XPathSequence = []
        out.reserveCapacity(ns.count)
        var last: Int32 = -1
        for n in ns where n != last { out.append(.node(n)); last = n }
        return out
    }

    func atomize(_ s: XPathSequence) throws(XPathError) -> XPathSequence {
        var needs = false
        for x in s { if case .node = x { needs = true; break } }
        if !needs { return s }
        if case .one(.node(let n)) = s.storage { return XPathSequence(.untyped(tree.stringValue(n))) }
        return XPathSequence(s.map { x -> XPathItem in
            if case .node(let n) = x { return .untyped(tree.stringValue(n)) }
            return x
        })
    }

    public func stringValue(_ x: XPathItem) -> String {
        switch x {
        case .node(let n): return tree.stringValue(n)
        case .string(let s), .untyped(let s): return s
        case .integer(let v): return String(v)
        case .decimal(let d): return d.description
        case .double(let d): return XPathEvaluator.canonicalDouble(d)
        case .boolean(let b): return b ? "true" : "false"
        case .date(let days): return XPathEvaluator.formatDate(days)
        }
    }

    static func canonicalDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "INF" : "-INF" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        let a = abs(d)
        if a >= 1e-6 && a < 1e6 { return "\(d)" }
        return "\(d)".replacingOccurrences(of: "e+", with: "E").replacingOccurrences(of: "e", with: "E")
    }

    func ebv(_ s: XPathSequence) throws(XPathError) -> Bool {
        guard let first = s.first else { return false }
        if case .node = first { return true }
        guard s.count == 1 else { throw XPathError(code: "FORG0006", message: "effective boolean value of a sequence of atomic values") }
        switch first {
        case .boolean(let b): return b
        case .string(let v), .untyped(let v): return !v.isEmpty
        case .integer(let v): return v != 0
        case .decimal(let v): return !v.isZero
        case .double(let v): return v != 0 && !v.isNaN
        case .date: throw XPathError(code: "FORG0006", message: "effective boolean value of a date")
        case .node: return true
        }
    }

    func numericValue(_ x: XPathItem) -> Double? {
        switch x {
        case .integer(let v): return Double(v)
        case .decimal(let d): return d.doubleValue
        case .double(let d): return d
        default: return nil
        }
    }
}

extension XPathExpr {
    /// `descendant-or-self::node()`, the expansion of `//`.
    var isDescendantOrSelfNode: Bool {
        if case .step(.descendantOrSelf, .anyNode, let preds) = self { return preds.isEmpty }
        return false
    }
}
