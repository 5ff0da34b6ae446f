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
/// Compiled closures run with a node as the focus, at position 1 of 1: the focus of an assertion on
/// its context node and of a predicate filtered while an axis is walked (which never reads position).
public struct XPathCompiledTest: Sendable {
    let run: XPathCompiler.BoolFn
    /// Whether the top of the expression was compiled (false: the interpreter runs all of it).
    public let isCompiled: Bool

    public init(_ e: XPathExpr) {
        let (fn, compiled) = XPathCompiler.boolean(e)
        run = fn
        isCompiled = compiled
    }
}

extension XPathEvaluator {
    /// The effective boolean value of a compiled test with `contextNode` as the focus.
    public func effectiveBoolean(_ test: XPathCompiledTest, contextNode: Int32) throws(XPathError) -> Bool {
        try test.run(self, contextNode)
    }
}

/// NSRegularExpression matching is thread-safe once built; the box only states it to the compiler.
final class CompiledRegex: @unchecked Sendable {
    let re: NSRegularExpression
    init(_ re: NSRegularExpression) { self.re = re }
}

enum XPathCompiler {
    typealias BoolFn = @Sendable (XPathEvaluator, Int32) throws(XPathError) -> Bool
    typealias StringFn = @Sendable (XPathEvaluator, Int32) throws(XPathError) -> String
    typealias IntFn = @Sendable (XPathEvaluator, Int32) throws(XPathError) -> Int
    /// Appends the selected nodes, in document order without duplicates, as `eval` would yield them.
    typealias NodesFn = @Sendable (XPathEvaluator, Int32, inout [Int32]) throws(XPathError) -> Void

    static func focus(_ n: Int32) -> XPathEvaluator.Focus { XPathEvaluator.Focus(item: .node(n), position: 1, size: 1) }

    static func interpretedBoolean(_ e: XPathExpr) -> BoolFn {
        { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in try ev.truth(e, focus(n)) }
    }

    /// The test as a boolean closure, and whether its top was compiled.
    static func boolean(_ e: XPathExpr) -> (BoolFn, Bool) {
        if let fn = compileBoolean(e) { return (fn, true) }
        return (interpretedBoolean(e), false)
    }

    static func bool(_ e: XPathExpr) -> BoolFn { compileBoolean(e) ?? interpretedBoolean(e) }

    // MARK: Booleans (what `truth` answers)

    static func compileBoolean(_ e: XPathExpr) -> BoolFn? {
        switch e {
        case .or(let a, let b):
            let x = bool(a), y = bool(b)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                if try x(ev, n) { return true }
                return try y(ev, n)
            }
        case .and(let a, let b):
            let x = bool(a), y = bool(b)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                if !(try x(ev, n)) { return false }
                return try y(ev, n)
            }
        case .builtin(.not, let args) where args.count == 1:
            let x = bool(args[0])
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in !(try x(ev, n)) }
        case .builtin(.boolean, let args) where args.count == 1:
            return bool(args[0])
        case .builtin(.true, let args) where args.isEmpty:
            return { (_: XPathEvaluator, _: Int32) throws(XPathError) -> Bool in true }
        case .builtin(.false, let args) where args.isEmpty:
            return { (_: XPathEvaluator, _: Int32) throws(XPathError) -> Bool in false }
        case .builtin(.exists, let args) where args.count == 1:
            return exists(args[0])
        case .builtin(.empty, let args) where args.count == 1:
            guard let x = exists(args[0]) else { return nil }
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in !(try x(ev, n)) }
        case .simplePath(let steps):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in ev.pathExists(steps[...], from: n) }
        case .generalCompare(let op, let a, let b):
            return compare(op, a, b)
        case .inTokenList(let tokens, let list, let needle):
            return tokenList(tokens, list, needle)
        case .builtin(let f, let args) where (f == .contains || f == .startsWith || f == .endsWith) && args.count == 2:
            let a = stringArgument(args[0], f.rawValue), b = stringArgument(args[1], f.rawValue)
            switch f {
            case .contains:
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    let x = try a(ev, n), y = try b(ev, n)
                    return y.isEmpty || XPathEvaluator.byteOffset(of: y, in: x) != nil
                }
            case .startsWith:
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    let x = try a(ev, n)
                    return x.hasPrefix(try b(ev, n))
                }
            default:
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    let x = try a(ev, n)
                    return x.hasSuffix(try b(ev, n))
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
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let v = try s(ev, n)
                return box.re.firstMatch(in: v, range: NSRange(location: 0, length: (v as NSString).length)) != nil
            }
        default:
            return nil
        }
    }

    /// `exists(e)`: whether `e` yields anything (the whole node list is computed, as `eval` does,
    /// except for a simple path, which the interpreter also answers at the first match).
    static func exists(_ e: XPathExpr) -> BoolFn? {
        if case .simplePath(let steps) = e {
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in ev.pathExists(steps[...], from: n) }
        }
        guard let nodes = nodes(e) else { return nil }
        return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
            var out: [Int32] = []
            try nodes(ev, n, &out)
            return !out.isEmpty
        }
    }

    /// The code-list idiom, as `eval` answers `.inTokenList`.
    static func tokenList(_ tokens: Set<String>, _ list: String, _ needleExpr: XPathExpr) -> BoolFn? {
        if case .builtin(.concat, let parts) = needleExpr, parts.count == 3,
           case .string(let pre) = parts[0], pre == " ", case .string(let post) = parts[2], post == " " {
            let code = stringArgument(parts[1], Builtin.concat.rawValue)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let c = try code(ev, n)
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
        return nil
    }

    // MARK: Comparisons (what `compareGeneral` answers)

    /// One side of a general comparison.
    enum Side {
        case literal(XPathItem)
        /// Always exactly one atomic item.
        case single(@Sendable (XPathEvaluator, Int32) throws(XPathError) -> XPathItem)
        /// Nodes, compared by their untyped string values.
        case nodes(NodesFn)
    }

    static func side(_ e: XPathExpr) -> Side? {
        if let lit = XPathEvaluator.literal(e) { return .literal(lit) }
        if let s = stringValued(e) {
            return .single { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem in .string(try s(ev, n)) }
        }
        if let i = integerValued(e) {
            return .single { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> XPathItem in .integer(try i(ev, n)) }
        }
        if let ns = nodes(e) { return .nodes(ns) }
        return nil
    }

    static func compare(_ op: CompareOp, _ a: XPathExpr, _ b: XPathExpr) -> BoolFn? {
        guard let l = side(a), let r = side(b) else { return nil }
        let equality = op == .eq || op == .ne
        let want = op == .eq
        switch (l, r) {
        case (.literal, .literal):
            return nil
        case (.nodes(let ns), .literal(let lit)):
            if equality, case .string(let s) = lit {
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    var out: [Int32] = []
                    try ns(ev, n, &out)
                    let tree = ev.tree
                    for x in out where (tree.stringValue(x) == s) == want { return true }
                    return false
                }
            }
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var out: [Int32] = []
                try ns(ev, n, &out)
                for x in out where try ev.compareValues(op, .untyped(ev.tree.stringValue(x)), lit, general: true) { return true }
                return false
            }
        case (.literal(let lit), .nodes(let ns)):
            if equality, case .string(let s) = lit {
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                    var out: [Int32] = []
                    try ns(ev, n, &out)
                    let tree = ev.tree
                    for x in out where (s == tree.stringValue(x)) == want { return true }
                    return false
                }
            }
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var out: [Int32] = []
                try ns(ev, n, &out)
                for x in out where try ev.compareValues(op, lit, .untyped(ev.tree.stringValue(x)), general: true) { return true }
                return false
            }
        case (.single(let x), .literal(let lit)):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                try ev.compareValues(op, try x(ev, n), lit, general: true)
            }
        case (.literal(let lit), .single(let y)):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                try ev.compareValues(op, lit, try y(ev, n), general: true)
            }
        case (.single(let x), .single(let y)):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let u = try x(ev, n)
                return try ev.compareValues(op, u, try y(ev, n), general: true)
            }
        case (.nodes(let ns), .single(let y)):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var out: [Int32] = []
                try ns(ev, n, &out)
                let v = try y(ev, n)
                for x in out where try ev.compareValues(op, .untyped(ev.tree.stringValue(x)), v, general: true) { return true }
                return false
            }
        case (.single(let x), .nodes(let ns)):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                let v = try x(ev, n)
                var out: [Int32] = []
                try ns(ev, n, &out)
                for y in out where try ev.compareValues(op, v, .untyped(ev.tree.stringValue(y)), general: true) { return true }
                return false
            }
        case (.nodes(let ls), .nodes(let rs)):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Bool in
                var left: [Int32] = [], right: [Int32] = []
                try ls(ev, n, &left)
                try rs(ev, n, &right)
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
    static func stringArgument(_ e: XPathExpr, _ fn: String) -> StringFn {
        switch e {
        case .contextItem:
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in ev.tree.stringValue(n) }
        case .simplePath(let steps):
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                var nodes = XPathEvaluator.NodeCollector()
                ev.pathNodes(steps[...], from: n, into: &nodes)
                if nodes.first < 0 { return "" }
                if nodes.rest.isEmpty { return ev.tree.stringValue(nodes.first) }
                throw XPathError(code: "XPTY0004", message: "\(fn)() expects at most one item, got \(nodes.count)")
            }
        case .string(let s):
            return { (_: XPathEvaluator, _: Int32) throws(XPathError) -> String in s }
        default:
            if let s = stringValued(e) { return s }
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in try ev.str(e, focus(n), fn) }
        }
    }

    /// Expressions whose value is always exactly one `xs:string`.
    static func stringValued(_ e: XPathExpr) -> StringFn? {
        guard case .builtin(let f, let args) = e else { return nil }
        switch f {
        case .normalizeSpace where args.count <= 1:
            if args.isEmpty {
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in XPathEvaluator.normalizeSpace(ev.tree.stringValue(n)) }
            }
            let a = stringArgument(args[0], f.rawValue)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in XPathEvaluator.normalizeSpace(try a(ev, n)) }
        case .upperCase where args.count == 1:
            let a = stringArgument(args[0], f.rawValue)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in XPathEvaluator.upperCase(try a(ev, n)) }
        case .string where args.count <= 1:
            if args.isEmpty { return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in ev.tree.stringValue(n) } }
            return stringArgument(args[0], f.rawValue)
        case .concat:
            let parts = args.map { stringArgument($0, f.rawValue) }
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                var s = ""
                for p in parts { s += try p(ev, n) }
                return s
            }
        case .substringAfter where args.count == 2:
            let a = stringArgument(args[0], f.rawValue), b = stringArgument(args[1], f.rawValue)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                let x = try a(ev, n), y = try b(ev, n)
                if y.isEmpty { return x }
                guard let k = XPathEvaluator.byteOffset(of: y, in: x) else { return "" }
                return String(x[x.utf8.index(x.utf8.startIndex, offsetBy: k + y.utf8.count)...])
            }
        case .substringBefore where args.count == 2:
            let a = stringArgument(args[0], f.rawValue), b = stringArgument(args[1], f.rawValue)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> String in
                let x = try a(ev, n), y = try b(ev, n)
                guard !y.isEmpty, let k = XPathEvaluator.byteOffset(of: y, in: x) else { return "" }
                return String(x[..<x.utf8.index(x.utf8.startIndex, offsetBy: k)])
            }
        default:
            return nil
        }
    }

    /// Expressions whose value is always exactly one `xs:integer`.
    static func integerValued(_ e: XPathExpr) -> IntFn? {
        guard case .builtin(let f, let args) = e else { return nil }
        switch f {
        case .count where args.count == 1:
            if case .simplePath(let steps) = args[0] {
                return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in ev.pathCount(steps[...], from: n) }
            }
            guard let ns = nodes(args[0]) else { return nil }
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in
                var out: [Int32] = []
                try ns(ev, n, &out)
                return out.count
            }
        case .stringLength where args.count <= 1:
            if args.isEmpty { return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in ev.tree.stringValue(n).unicodeScalars.count } }
            let a = stringArgument(args[0], f.rawValue)
            return { (ev: XPathEvaluator, n: Int32) throws(XPathError) -> Int in try a(ev, n).unicodeScalars.count }
        default:
            return nil
        }
    }

    // MARK: Node lists (what `eval` yields for paths)

    static func nodes(_ e: XPathExpr) -> NodesFn? {
        switch e {
        case .simplePath(let steps):
            return { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                ev.appendPath(steps[...], from: n, into: &out)
            }
        case .contextItem:
            return { (_: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in out.append(n) }
        case .root:
            return { (_: XPathEvaluator, _: Int32, out: inout [Int32]) throws(XPathError) in out.append(0) }
        case .step(let axis, let test, let preds):
            guard let step = step(axis, test, preds) else { return nil }
            return { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in try step(ev, n, &out) }
        case .slash(let lhs, let rhs):
            // `//…` keeps the interpreter's descendant shortcuts.
            if case .slash(_, let dos) = lhs, dos.isDescendantOrSelfNode { return nil }
            if lhs.isDescendantOrSelfNode { return nil }
            guard case .step(let axis, let test, let preds) = rhs, let left = nodes(lhs), let step = step(axis, test, preds) else { return nil }
            return { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                var l: [Int32] = []
                try left(ev, n, &l)
                if l.isEmpty { return }
                if l.count == 1 { try step(ev, l[0], &out); return }
                var collected: [Int32] = []
                for x in l { try step(ev, x, &collected) }
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
            return { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                if let v = ev.memo.value(id) {
                    for item in v {
                        guard case .node(let x) = item else { throw XPathError(code: "XPTY0004", message: "expected nodes") }
                        out.append(x)
                    }
                    return
                }
                var computed: [Int32] = []
                try compute(ev, n, &computed)
                ev.memo.set(id, computed.count == 1 ? XPathSequence(.node(computed[0])) : XPathSequence(computed.map { XPathItem.node($0) }))
                out += computed
            }
        default:
            return nil
        }
    }

    /// `axis::test[p]` from one node, with at most one predicate that `appendStep` may filter with
    /// while walking the axis (boolean, no position()/last()); nil for the other shapes.
    static func step(_ axis: Axis, _ test: NodeTest, _ preds: [XPathExpr]) -> NodesFn? {
        guard let filter = XPathEvaluator.streamablePredicate(preds) else { return nil }
        let predicate: BoolFn?
        if case .test(let p) = filter { predicate = bool(p) } else { predicate = nil }
        let wantedName: Int32
        if case .name(_, let id) = test { wantedName = id } else { wantedName = -2 }
        if axis == .child {
            return { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
                let tree = ev.tree
                guard tree.kind(n) == .element || tree.kind(n) == .document else { return }
                var c = tree.firstChild(n)
                while c >= 0 {
                    let passes = wantedName != -2 ? tree.nameID(c) == wantedName && tree.kind(c) == .element : ev.nodeTest(test, c, axis: .child)
                    if passes {
                        if let predicate {
                            if try predicate(ev, c) { out.append(c) }
                        } else {
                            out.append(c)
                        }
                    }
                    c = tree.nextSibling(c)
                }
            }
        }
        return { (ev: XPathEvaluator, n: Int32, out: inout [Int32]) throws(XPathError) in
            let r = ev.axisNodes(axis, test, from: n)
            guard let predicate else { out += r; return }
            for c in r where try predicate(ev, c) { out.append(c) }
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
