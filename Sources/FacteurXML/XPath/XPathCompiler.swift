import Foundation

/// An assertion test compiled once per rule set into closures, specialised by result type (boolean,
/// string, integer, node list), instead of walking the `XPathExpr` enum at every evaluation: the
/// shortcuts `XPathEvaluator.truth` and `compareGeneral` look for at each call are chosen here once,
/// and no child expression is copied out of its enum box (a retain and a release each) per node.
///
/// Every compiled form computes what the interpreter computes, in the same order (same nodes, same
/// first dynamic error); a shape that is not compiled is handed to the interpreter as it stands, so
/// the interpreter stays the reference (`XPathCompilerTests`, and the rule corpus test comparing both
/// on every context node of the official examples).
///
/// Compiled code runs with a node as the focus, at position 1 of 1: the focus of an assertion on its
/// context node, of a rule context's predicate, and of a predicate filtered while an axis is walked
/// (which never reads position).
public struct XPathCompiledTest: Sendable {
    let code: BoolCode
    /// Whether the top of the expression was compiled (false: the interpreter runs all of it).
    public let isCompiled: Bool

    public init(_ e: XPathExpr) {
        if let c = XPathCompiler.compileBoolean(e) {
            code = c
            isCompiled = true
        } else {
            code = XPathCompiler.interpretedBoolean(e)
            isCompiled = false
        }
    }
}

extension XPathEvaluator {
    /// The effective boolean value of a compiled test with `contextNode` as the focus.
    public func effectiveBoolean(_ test: XPathCompiledTest, contextNode: Int32) throws(XPathError) -> Bool {
        try test.code.run(self, contextNode)
    }
}

/// NSRegularExpression matching is thread-safe once built; the box only states it to the compiler.
final class CompiledRegex: @unchecked Sendable {
    let re: NSRegularExpression
    init(_ re: NSRegularExpression) { self.re = re }
}

/// Compiled closures are held in these boxes, never in an Optional or an Array of closures: a
/// function value stored in a generic container is called through reabstraction thunks (two extra
/// calls per evaluation, measured under callgrind).
final class BoolCode: Sendable {
    let run: @Sendable (XPathEvaluator, Int32) throws(XPathError) -> Bool
    init(_ run: @escaping @Sendable (XPathEvaluator, Int32) throws(XPathError) -> Bool) { self.run = run }
}
final class StringCode: Sendable {
    let run: @Sendable (XPathEvaluator, Int32) throws(XPathError) -> String
    init(_ run: @escaping @Sendable (XPathEvaluator, Int32) throws(XPathError) -> String) { self.run = run }
}
final class IntCode: Sendable {
    let run: @Sendable (XPathEvaluator, Int32) throws(XPathError) -> Int
    init(_ run: @escaping @Sendable (XPathEvaluator, Int32) throws(XPathError) -> Int) { self.run = run }
}
/// Appends the selected nodes, in document order without duplicates, as `eval` would yield them.
final class NodesCode: Sendable {
    let run: @Sendable (XPathEvaluator, Int32, inout [Int32]) throws(XPathError) -> Void
    init(_ run: @escaping @Sendable (XPathEvaluator, Int32, inout [Int32]) throws(XPathError) -> Void) { self.run = run }
}
/// Exactly one atomic item.
final class ItemCode: Sendable {
    let run: @Sendable (XPathEvaluator, Int32) throws(XPathError) -> XPathItem
    init(_ run: @escaping @Sendable (XPathEvaluator, Int32) throws(XPathError) -> XPathItem) { self.run = run }
}

/// Zero or one atomic item.
final class OptionalItemCode: Sendable {
    let run: @Sendable (XPathEvaluator, Int32) throws(XPathError) -> XPathItem?
    init(_ run: @escaping @Sendable (XPathEvaluator, Int32) throws(XPathError) -> XPathItem?) { self.run = run }
}

/// Boolean codes in order (an array of class references: no reabstraction).
final class PredicateList: Sendable {
    /// nil: evaluated by `applyPredicate`.
    let items: [BoolCode?]
    init(_ items: [BoolCode?]) { self.items = items }
}

enum XPathCompiler {
    static func focus(_ n: Int32) -> XPathEvaluator.Focus { XPathEvaluator.Focus(item: .node(n), position: 1, size: 1) }

    static func interpretedBoolean(_ e: XPathExpr) -> BoolCode {
        BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in try ev.truth(e, focus(n)) }
    }

    static func bool(_ e: XPathExpr) -> BoolCode { compileBoolean(e) ?? interpretedBoolean(e) }

    // MARK: Booleans (what `truth` answers)

    static func compileBoolean(_ e: XPathExpr) -> BoolCode? {
        switch e {
        case .or(let a, let b):
            let x = bool(a), y = bool(b)
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                if try x.run(ev, n) { return true }
                return try y.run(ev, n)
            }
        case .and(let a, let b):
            let x = bool(a), y = bool(b)
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                if !(try x.run(ev, n)) { return false }
                return try y.run(ev, n)
            }
        case .builtin(.not, let args) where args.count == 1:
            let x = bool(args[0])
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in !(try x.run(ev, n)) }
        case .builtin(.boolean, let args) where args.count == 1:
            return bool(args[0])
        case .builtin(.true, let args) where args.isEmpty:
            return BoolCode { (_: XPathEvaluator, _: Int32) throws(XPathError) -> Bool in true }
        case .builtin(.false, let args) where args.isEmpty:
            return BoolCode { (_: XPathEvaluator, _: Int32) throws(XPathError) -> Bool in false }
        case .builtin(.exists, let args) where args.count == 1:
            return exists(args[0])
        case .builtin(.empty, let args) where args.count == 1:
            guard let x = exists(args[0]) else { return nil }
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in !(try x.run(ev, n)) }
        case .simplePath(let steps):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in ev.pathExists(steps[...], from: n) }
        case .generalCompare(let op, let a, let b):
            return compare(op, a, b)
        case .quantified(let every, let bindings, let body) where bindings.count == 1:
            // `every/some $x in E satisfies B`, as `quantify` runs it: E by the interpreter, then B
            // compiled with $x bound to each item in turn, stopping at the first decisive one.
            let (name, source) = bindings[0]
            let test = bool(body)
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let items = try ev.eval(source, focus(n))
                let mark = ev.scope.count
                ev.scope.append((name, XPathSequence()))
                defer { ev.unbind(to: mark) }
                for item in items {
                    ev.scope[mark].value = XPathSequence(item)
                    let r = try test.run(ev, n)
                    if every && !r { return false }
                    if !every && r { return true }
                }
                return every
            }
        case .inTokenList(let tokens, let list, let needle):
            return tokenList(tokens, list, needle)
        case .memo(let id, let inner):
            // A value computed once per document: read it when it is there, else compute and keep
            // it. Shapes whose value is always one boolean are computed compiled (and kept as that
            // boolean, as `eval` would keep it); the others by the interpreter.
            if inner.alwaysOneBoolean, let code = compileBoolean(inner) {
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    if let v = ev.memo.value(id) { return try ev.ebv(v) }
                    let b = try code.run(ev, n)
                    ev.memo.set(id, XPathSequence(.boolean(b)))
                    return b
                }
            }
            if let ns = nodes(inner) {
                // A node list: kept as `eval` gives it; true when not empty.
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    if let v = ev.memo.value(id) { return try ev.ebv(v) }
                    var out: [Int32] = []
                    try ns.run(ev, n, &out)
                    ev.memo.set(id, out.count == 1 ? XPathSequence(.node(out[0])) : XPathSequence(out.map { XPathItem.node($0) }))
                    return !out.isEmpty
                }
            }
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                if let v = ev.memo.value(id) { return try ev.ebv(v) }
                return try ev.truth(e, focus(n))
            }
        case .builtin(let f, let args) where (f == .contains || f == .startsWith || f == .endsWith) && args.count == 2:
            let a = stringArgument(args[0], f.rawValue), b = stringArgument(args[1], f.rawValue)
            switch f {
            case .contains:
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    let x = try a.run(ev, n), y = try b.run(ev, n)
                    return y.isEmpty || XPathEvaluator.byteOffset(of: y, in: x) != nil
                }
            case .startsWith:
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    let x = try a.run(ev, n)
                    return x.hasPrefix(try b.run(ev, n))
                }
            default:
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    let x = try a.run(ev, n)
                    return x.hasSuffix(try b.run(ev, n))
                }
            }
        case .builtin(.matches, let args) where args.count == 2 || args.count == 3:
            // The regular expression built once; an invalid one is left to the interpreter's error.
            guard case .string(let pattern) = args[1] else { return nil }
            var flags = ""
            if args.count == 3 {
                guard case .string(let f) = args[2] else { return nil }
                flags = f
            }
            guard let re = try? XPathEvaluator.regex(pattern, flags) else { return nil }
            let box = CompiledRegex(re)
            let s = stringArgument(args[0], Builtin.matches.rawValue)
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let v = try s.run(ev, n)
                return box.re.firstMatch(in: v, range: NSRange(location: 0, length: (v as NSString).length)) != nil
            }
        default:
            // A node list's effective boolean value: whether it has a node.
            return exists(e)
        }
    }

    /// `exists(e)`: whether `e` yields anything (the whole node list is computed, as `eval` does,
    /// except for a simple path, which the interpreter also answers at the first match).
    static func exists(_ e: XPathExpr) -> BoolCode? {
        if case .simplePath(let steps) = e {
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in ev.pathExists(steps[...], from: n) }
        }
        guard let nodes = nodes(e) else { return nil }
        return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
            var out: [Int32] = []
            try nodes.run(ev, n, &out)
            return !out.isEmpty
        }
    }

    /// The code-list idiom, as `eval` answers `.inTokenList`.
    static func tokenList(_ tokens: Set<String>, _ list: String, _ needleExpr: XPathExpr) -> BoolCode? {
        guard case .builtin(.concat, let parts) = needleExpr, parts.count == 3,
              case .string(let pre) = parts[0], pre == " ", case .string(let post) = parts[2], post == " " else { return nil }
        let code = stringArgument(parts[1], Builtin.concat.rawValue)
        return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
            let c = try code.run(ev, n)
            if !c.isEmpty && c.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return tokens.contains(c) }
            // The padded needle, looked up as `eval` does after its shortcut.
            let needle = " " + c + " "
            if needle.count >= 3, needle.hasPrefix(" "), needle.hasSuffix(" ") {
                let inner = needle.dropFirst().dropLast()
                if !inner.contains(" ") { return tokens.contains(String(inner)) }
            }
            return XPathEvaluator.byteOffset(of: needle, in: list) != nil
        }
    }

    // MARK: Comparisons (what `compareGeneral` answers)

    /// One side of a general comparison.
    enum Side {
        case literal(XPathItem)
        case single(ItemCode)
        /// Nodes, compared by their untyped string values.
        case nodes(NodesCode)
        /// Zero or one atomic item (numbers: casts, arithmetic, rounding, sums).
        case optional(OptionalItemCode)
        /// `path/f(…)` (`cac:TaxScheme/normalize-space(cbc:ID)`): f's item, if any, for each node.
        case mapped(NodesCode, OptionalItemCode)
        /// Anything else (a variable, a filter…), evaluated and atomized by the interpreter.
        case sequence(XPathExpr)

        /// The atomized values, as `atomize(eval(e))` gives them.
        func values(_ ev: XPathEvaluator, _ n: Int32) throws(XPathError) -> [XPathItem] {
            switch self {
            case .literal(let x): return [x]
            case .single(let c): return [try c.run(ev, n)]
            case .optional(let c): if let x = try c.run(ev, n) { return [x] }; return []
            case .nodes(let c):
                var out: [Int32] = []
                try c.run(ev, n, &out)
                return out.map { XPathItem.untyped(ev.tree.stringValue($0)) }
            case .mapped(let path, let f):
                var nodes: [Int32] = []
                try path.run(ev, n, &nodes)
                var out: [XPathItem] = []
                for x in nodes { if let v = try f.run(ev, x) { out.append(v) } }
                return out
            case .sequence(let e):
                return try ev.atomize(try ev.eval(e, focus(n))).array
            }
        }
    }

    static func side(_ e: XPathExpr) -> Side? {
        if let lit = XPathEvaluator.literal(e) { return .literal(lit) }
        if let s = stringValued(e) {
            return .single(ItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem in .string(try s.run(ev, n)) })
        }
        if let i = integerValued(e) {
            return .single(ItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem in .integer(try i.run(ev, n)) })
        }
        if let ns = nodes(e) { return .nodes(ns) }
        if let o = optionalItem(e) { return .optional(o) }
        if let (left, f) = mapping(e) { return .mapped(left, f) }
        return .sequence(e)
    }

    // MARK: Numbers (zero or one item, as `eval` computes them)

    /// An operand of arithmetic or of a one-item function: zero or one item; more is an error whose
    /// message the caller gives, as `eval` and `call` do.
    enum Operand {
        case optional(OptionalItemCode)
        case nodes(NodesCode)
        /// `path/f(…)`: f's item (if any) for each node of the path, in its order.
        case mapped(NodesCode, OptionalItemCode)
        case interpreted(XPathExpr)

        /// The atomized value, nil when empty; `tooMany` is thrown for two items or more.
        func value(_ ev: XPathEvaluator, _ n: Int32) throws(XPathError) -> XPathSequence {
            switch self {
            case .optional(let c):
                if let x = try c.run(ev, n) { return XPathSequence(x) }
                return XPathSequence()
            case .nodes(let c):
                var out: [Int32] = []
                try c.run(ev, n, &out)
                if out.count == 1 { return XPathSequence(.untyped(ev.tree.stringValue(out[0]))) }
                return XPathSequence(out.map { XPathItem.untyped(ev.tree.stringValue($0)) })
            case .mapped(let path, let f):
                var nodes: [Int32] = []
                try path.run(ev, n, &nodes)
                var out = XPathSequence()
                for x in nodes { if let v = try f.run(ev, x) { out.append(v) } }
                return out
            case .interpreted(let e):
                return try ev.atomize(try ev.eval(e, focus(n)))
            }
        }
    }

    static func operand(_ e: XPathExpr) -> Operand {
        if let lit = XPathEvaluator.literal(e) {
            return .optional(OptionalItemCode { (_: XPathEvaluator, _: Int32) throws(XPathError) -> XPathItem? in lit })
        }
        if let o = optionalItem(e) { return .optional(o) }
        if let ns = nodes(e) { return .nodes(ns) }
        // `evalSlash`'s general case for a right side that yields atomic values and reads neither
        // position() nor last(): the left side's nodes, the right side evaluated on each in turn.
        if let (left, f) = mapping(e) { return .mapped(left, f) }
        return .interpreted(e)
    }

    /// `evalSlash`'s general case for a right side that yields zero or one atomic item and reads
    /// neither position() nor last(): the left side's nodes, the right side evaluated on each in turn
    /// (no sorting: atomic values keep that order).
    static func mapping(_ e: XPathExpr) -> (NodesCode, OptionalItemCode)? {
        guard case .slash(let lhs, let rhs) = e, !rhs.mayReadPosition, !lhs.isDescendantOrSelfNode else { return nil }
        if case .slash(_, let dos) = lhs, dos.isDescendantOrSelfNode { return nil }
        guard let left = nodes(lhs), let f = optionalItem(rhs) else { return nil }
        return (left, f)
    }

    static func optionalItem(_ e: XPathExpr) -> OptionalItemCode? {
        if let s = stringValued(e) {
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in .string(try s.run(ev, n)) }
        }
        if let i = integerValued(e) {
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in .integer(try i.run(ev, n)) }
        }
        switch e {
        case .memo(let id, let inner):
            // Computed once per document and kept as `eval` keeps it: no item or one.
            guard let o = optionalItem(inner) else { return nil }
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in
                if let v = ev.memo.value(id), v.count <= 1 { return v.first }
                let x = try o.run(ev, n)
                ev.memo.set(id, x.map { XPathSequence($0) } ?? XPathSequence())
                return x
            }
        case .arithmetic(let op, let a, let b):
            // Both operands computed before either is checked, as `eval` does.
            let x = operand(a), y = operand(b)
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in
                let l = try x.value(ev, n), r = try y.value(ev, n)
                if l.isEmpty || r.isEmpty { return nil }
                guard l.count == 1, r.count == 1 else {
                    throw XPathError(code: "XPTY0004", message: "arithmetic on a sequence of more than one item")
                }
                return try ev.arithmetic(op, l[0], r[0])
            }
        case .builtin(let f, let args) where args.count == 1 && (f == .xsDecimal || f == .xsDouble || f == .xsInteger):
            let x = operand(args[0])
            let name = f.rawValue
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in
                guard let v = try ev.one(try x.value(ev, n), name) else { return nil }
                return try ev.cast(v, to: name)
            }
        case .builtin(let f, let args) where args.count == 1 && (f == .abs || f == .floor || f == .ceiling || f == .round || f == .roundHalfToEven):
            let x = operand(args[0])
            let name = f.rawValue
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in
                guard var v = try ev.one(try x.value(ev, n), name) else { return nil }
                if case .untyped(let s) = v { v = .double(try XPathEvaluator.parseDouble(s)) }
                return try XPathEvaluator.numericFunction(name, v, precision: 0)
            }
        case .builtin(.sum, let args) where args.count == 1:
            let x = operand(args[0])
            return OptionalItemCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem? in
                let items = try x.value(ev, n)
                if items.isEmpty { return .integer(0) }
                var acc: XPathItem = .integer(0)
                var first = true
                for item in items {
                    var v = item
                    if case .untyped(let s) = v { v = .double(try XPathEvaluator.parseDouble(s)) }
                    if case .string = v { throw XPathError(code: "FORG0006", message: "sum() of strings") }
                    acc = first ? v : try ev.arithmetic(.add, acc, v)
                    first = false
                }
                return acc
            }
        default:
            return nil
        }
    }

    static func compare(_ op: CompareOp, _ a: XPathExpr, _ b: XPathExpr) -> BoolCode? {
        let equality = op == .eq || op == .ne
        let want = op == .eq
        // `path = 'literal'`, the commonest shape: the nodes gathered with the first one inline (no
        // array for zero or one node), compared in document order as `compareGeneral` does.
        if case .simplePath(let steps) = a, let lit = XPathEvaluator.literal(b) {
            if equality, case .string(let s) = lit {
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    var nodes = XPathEvaluator.NodeCollector()
                    ev.pathNodes(steps[...], from: n, into: &nodes)
                    let tree = ev.tree
                    return try nodes.forEach { (x) throws(XPathError) in (tree.stringValue(x) == s) == want }
                }
            }
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var nodes = XPathEvaluator.NodeCollector()
                ev.pathNodes(steps[...], from: n, into: &nodes)
                return try nodes.forEach { (x) throws(XPathError) in try ev.compareValues(op, .untyped(ev.tree.stringValue(x)), lit, general: true) }
            }
        }
        if case .simplePath(let steps) = b, let lit = XPathEvaluator.literal(a) {
            if equality, case .string(let s) = lit {
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    var nodes = XPathEvaluator.NodeCollector()
                    ev.pathNodes(steps[...], from: n, into: &nodes)
                    let tree = ev.tree
                    return try nodes.forEach { (x) throws(XPathError) in (s == tree.stringValue(x)) == want }
                }
            }
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var nodes = XPathEvaluator.NodeCollector()
                ev.pathNodes(steps[...], from: n, into: &nodes)
                return try nodes.forEach { (x) throws(XPathError) in try ev.compareValues(op, lit, .untyped(ev.tree.stringValue(x)), general: true) }
            }
        }
        guard let l = side(a), let r = side(b) else { return nil }
        switch (l, r) {
        case (.literal, .literal), (.sequence, .sequence), (.sequence, .literal), (.literal, .sequence):
            return nil
        case (.optional, _), (_, .optional), (.sequence, _), (_, .sequence), (.mapped, _), (_, .mapped):
            // Both sides' values, then every pair in order, as `generalCompare` does.
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let u = try l.values(ev, n), v = try r.values(ev, n)
                for x in u {
                    for y in v where try ev.compareValues(op, x, y, general: true) { return true }
                }
                return false
            }
        case (.nodes(let ns), .literal(let lit)):
            if equality, case .string(let s) = lit {
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    var out: [Int32] = []
                    try ns.run(ev, n, &out)
                    let tree = ev.tree
                    for x in out where (tree.stringValue(x) == s) == want { return true }
                    return false
                }
            }
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var out: [Int32] = []
                try ns.run(ev, n, &out)
                for x in out where try ev.compareValues(op, .untyped(ev.tree.stringValue(x)), lit, general: true) { return true }
                return false
            }
        case (.literal(let lit), .nodes(let ns)):
            if equality, case .string(let s) = lit {
                return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    var out: [Int32] = []
                    try ns.run(ev, n, &out)
                    let tree = ev.tree
                    for x in out where (s == tree.stringValue(x)) == want { return true }
                    return false
                }
            }
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var out: [Int32] = []
                try ns.run(ev, n, &out)
                for x in out where try ev.compareValues(op, lit, .untyped(ev.tree.stringValue(x)), general: true) { return true }
                return false
            }
        case (.single(let x), .literal(let lit)):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                try ev.compareValues(op, try x.run(ev, n), lit, general: true)
            }
        case (.literal(let lit), .single(let y)):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                try ev.compareValues(op, lit, try y.run(ev, n), general: true)
            }
        case (.single(let x), .single(let y)):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let u = try x.run(ev, n)
                return try ev.compareValues(op, u, try y.run(ev, n), general: true)
            }
        case (.nodes(let ns), .single(let y)):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var out: [Int32] = []
                try ns.run(ev, n, &out)
                let v = try y.run(ev, n)
                for x in out where try ev.compareValues(op, .untyped(ev.tree.stringValue(x)), v, general: true) { return true }
                return false
            }
        case (.single(let x), .nodes(let ns)):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let v = try x.run(ev, n)
                var out: [Int32] = []
                try ns.run(ev, n, &out)
                for y in out where try ev.compareValues(op, v, .untyped(ev.tree.stringValue(y)), general: true) { return true }
                return false
            }
        case (.nodes(let ls), .nodes(let rs)):
            return BoolCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var left: [Int32] = [], right: [Int32] = []
                try ls.run(ev, n, &left)
                try rs.run(ev, n, &right)
                let tree = ev.tree
                for x in left {
                    let u = XPathItem.untyped(tree.stringValue(x))
                    for y in right where try ev.compareValues(op, u, .untyped(tree.stringValue(y)), general: true) { return true }
                }
                return false
            }
        }
    }

    // MARK: Strings

    /// An argument of a string function, as `str(e, focus, fn)` reads it: zero or one item, as a string.
    static func stringArgument(_ e: XPathExpr, _ fn: String) -> StringCode {
        switch e {
        case .contextItem:
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in ev.tree.stringValue(n) }
        case .simplePath(let steps):
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                var nodes = XPathEvaluator.NodeCollector()
                ev.pathNodes(steps[...], from: n, into: &nodes)
                if nodes.first < 0 { return "" }
                if nodes.rest.isEmpty { return ev.tree.stringValue(nodes.first) }
                throw XPathError(code: "XPTY0004", message: "\(fn)() expects at most one item, got \(nodes.count)")
            }
        case .string(let s):
            return StringCode { (_: XPathEvaluator, _: Int32) throws(XPathError) -> String in s }
        default:
            if let s = stringValued(e) { return s }
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in try ev.str(e, focus(n), fn) }
        }
    }

    /// Expressions whose value is always exactly one `xs:string`.
    static func stringValued(_ e: XPathExpr) -> StringCode? {
        guard case .builtin(let f, let args) = e else { return nil }
        switch f {
        case .normalizeSpace where args.count <= 1:
            if args.isEmpty {
                return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in XPathEvaluator.normalizeSpace(ev.tree.stringValue(n)) }
            }
            let a = stringArgument(args[0], f.rawValue)
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in XPathEvaluator.normalizeSpace(try a.run(ev, n)) }
        case .upperCase where args.count == 1:
            let a = stringArgument(args[0], f.rawValue)
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in XPathEvaluator.upperCase(try a.run(ev, n)) }
        case .string where args.count <= 1:
            if args.isEmpty { return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in ev.tree.stringValue(n) } }
            return stringArgument(args[0], f.rawValue)
        case .concat:
            let parts = args.map { stringArgument($0, f.rawValue) }
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                var s = ""
                for p in parts { s += try p.run(ev, n) }
                return s
            }
        case .substringAfter where args.count == 2:
            let a = stringArgument(args[0], f.rawValue), b = stringArgument(args[1], f.rawValue)
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                let x = try a.run(ev, n), y = try b.run(ev, n)
                if y.isEmpty { return x }
                guard let k = XPathEvaluator.byteOffset(of: y, in: x) else { return "" }
                return String(x[x.utf8.index(x.utf8.startIndex, offsetBy: k + y.utf8.count)...])
            }
        case .substringBefore where args.count == 2:
            let a = stringArgument(args[0], f.rawValue), b = stringArgument(args[1], f.rawValue)
            return StringCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                let x = try a.run(ev, n), y = try b.run(ev, n)
                guard !y.isEmpty, let k = XPathEvaluator.byteOffset(of: y, in: x) else { return "" }
                return String(x[..<x.utf8.index(x.utf8.startIndex, offsetBy: k)])
            }
        default:
            return nil
        }
    }

    /// Expressions whose value is always exactly one `xs:integer`.
    static func integerValued(_ e: XPathExpr) -> IntCode? {
        guard case .builtin(let f, let args) = e else { return nil }
        switch f {
        case .count where args.count == 1:
            if case .simplePath(let steps) = args[0] {
                return IntCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in ev.pathCount(steps[...], from: n) }
            }
            guard let ns = nodes(args[0]) else { return nil }
            return IntCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in
                var out: [Int32] = []
                try ns.run(ev, n, &out)
                return out.count
            }
        case .stringLength where args.count <= 1:
            if args.isEmpty {
                return IntCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in ev.tree.stringValue(n).unicodeScalars.count }
            }
            let a = stringArgument(args[0], f.rawValue)
            return IntCode { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in try a.run(ev, n).unicodeScalars.count }
        default:
            return nil
        }
    }

    // MARK: Node lists (what `eval` yields for paths)

    static func nodes(_ e: XPathExpr) -> NodesCode? {
        switch e {
        case .simplePath(let steps):
            return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                ev.appendPath(steps[...], from: n, into: &out)
            }
        case .contextItem:
            return NodesCode { (_: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in out.append(n) }
        case .root:
            return NodesCode { (_: XPathEvaluator, _: Int32, out: inout [Int32]) throws(XPathError) in out.append(0) }
        case .step(let axis, let test, let preds):
            return step(axis, test, preds)
        case .slash(let lhs, let rhs):
            if case .slash(let base, let dos) = lhs, dos.isDescendantOrSelfNode,
               case .step(.attribute, .name(_, let id), let preds) = rhs, preds.isEmpty, let left = nodes(base) {
                // `//@name`: the attributes of that name inside each left node's subtree, read from a
                // per-document index instead of scanning the subtree (`evalSlash` scans; same nodes).
                return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                    var l: [Int32] = []
                    try left.run(ev, n, &l)
                    let tree = ev.tree
                    let range = ev.attributes(named: id)
                    let all = ev.attributeIndex.order
                    var collected: [Int32] = []
                    for x in l {
                        guard tree.kind(x) == .element || tree.kind(x) == .document else { continue }
                        let end = tree.subtreeEnd(x)
                        var lo = range.lowerBound, hi = range.upperBound
                        while lo < hi { let mid = (lo + hi) / 2; if all[mid] <= x { lo = mid + 1 } else { hi = mid } }
                        while lo < range.upperBound && all[lo] < end { collected.append(all[lo]); lo += 1 }
                    }
                    if l.count > 1 {
                        collected.sort()
                        var last: Int32 = -1
                        for x in collected where x != last { out.append(x); last = x }
                        return
                    }
                    out += collected
                }
            }
            if case .slash(let base, let dos) = lhs, dos.isDescendantOrSelfNode {
                // `//name[p]` with predicates that filter each node alone is `descendant::name[p]`, as
                // `evalSlash` reads it; the other `//…` shapes keep the interpreter's shortcuts.
                guard case .step(.child, let test, let preds) = rhs, preds.allSatisfy(XPathEvaluator.positionFree) else { return nil }
                return nodes(.slash(base, .step(.descendant, test, preds)))
            }
            if lhs.isDescendantOrSelfNode { return nil }
            guard case .step(let axis, let test, let preds) = rhs, let left = nodes(lhs), let step = step(axis, test, preds) else { return nil }
            return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                var l: [Int32] = []
                try left.run(ev, n, &l)
                if l.isEmpty { return }
                if l.count == 1 { try step.run(ev, l[0], &out); return }
                var collected: [Int32] = []
                for x in l { try step.run(ev, x, &collected) }
                // As `evalSlash`: document order and no duplicates when several nodes led here.
                var ordered = true
                var i = 1
                while i < collected.count { if collected[i - 1] >= collected[i] { ordered = false; break }; i += 1 }
                if !ordered {
                    collected.sort()
                    var last: Int32 = -1
                    for x in collected where x != last { out.append(x); last = x }
                    return
                }
                out += collected
            }
        case .memo(let id, let inner):
            guard let compute = nodes(inner) else { return nil }
            return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                if let v = ev.memo.value(id) {
                    for item in v {
                        guard case .node(let x) = item else { throw XPathError(code: "XPTY0004", message: "expected nodes") }
                        out.append(x)
                    }
                    return
                }
                var computed: [Int32] = []
                try compute.run(ev, n, &computed)
                ev.memo.set(id, computed.count == 1 ? XPathSequence(.node(computed[0])) : XPathSequence(computed.map { XPathItem.node($0) }))
                out += computed
            }
        default:
            return nil
        }
    }

    /// `axis::test[p]` from one node, with at most one predicate that `appendStep` may filter with
    /// while walking the axis (boolean, no position()/last()); nil for the other shapes.
    static func step(_ axis: Axis, _ test: NodeTest, _ preds: [XPathExpr]) -> NodesCode? {
        guard let filter = XPathEvaluator.streamablePredicate(preds) else {
            // Several boolean predicates that read neither position() nor last(): the axis's nodes,
            // then each predicate over the survivors of the one before, as `applyPredicate` does.
            // Other predicates (numbers, positions, paths ending in a boolean) go through
            // `applyPredicate` itself, with their positions.
            let codes = PredicateList(preds.map { $0.isBooleanValued && !$0.mayReadPosition ? bool($0) : nil })
            return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                var r = ev.axisNodes(axis, test, from: n)
                for (k, code) in codes.items.enumerated() {
                    guard let code else {
                        r = try ev.applyPredicate(preds[k], to: r, reverse: ev.isReverse(axis))
                        continue
                    }
                    var kept: [Int32] = []
                    for c in r where try code.run(ev, c) { kept.append(c) }
                    r = kept
                }
                out += r
            }
        }
        let wantedName: Int32
        if case .name(_, let id) = test { wantedName = id } else { wantedName = -2 }
        guard case .test(let p) = filter else {
            if axis == .child {
                return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                    let tree = ev.tree
                    guard tree.kind(n) == .element || tree.kind(n) == .document else { return }
                    var c = tree.firstChild(n)
                    while c >= 0 {
                        if wantedName != -2 ? tree.nameID(c) == wantedName && tree.kind(c) == .element : ev.nodeTest(test, c, axis: .child) {
                            out.append(c)
                        }
                        c = tree.nextSibling(c)
                    }
                }
            }
            return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                out += ev.axisNodes(axis, test, from: n)
            }
        }
        let predicate = bool(p)
        if axis == .child {
            return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                let tree = ev.tree
                guard tree.kind(n) == .element || tree.kind(n) == .document else { return }
                var c = tree.firstChild(n)
                while c >= 0 {
                    if wantedName != -2 ? tree.nameID(c) == wantedName && tree.kind(c) == .element : ev.nodeTest(test, c, axis: .child) {
                        if try predicate.run(ev, c) { out.append(c) }
                    }
                    c = tree.nextSibling(c)
                }
            }
        }
        return NodesCode { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
            for c in ev.axisNodes(axis, test, from: n) where try predicate.run(ev, c) { out.append(c) }
        }
    }
}

extension XPathEvaluator {
    /// `pathNodes` into a plain array.
    func appendPath(_ steps: ArraySlice<SimpleStep>, from n: Int32, into out: inout [Int32]) {
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
            if tree.nameID(c) == step.name && tree.kind(c) == .element { appendPath(rest, from: c, into: &out) }
            c = tree.nextSibling(c)
        }
    }
}

extension XPathExpr {
    /// `eval` yields exactly `[.boolean(truth(e))]` for these shapes.
    var alwaysOneBoolean: Bool {
        switch self {
        case .and, .or, .generalCompare: return true
        case .builtin(let f, let args): return args.count == 1 && (f == .not || f == .exists || f == .empty || f == .boolean)
        default: return false
        }
    }
}
