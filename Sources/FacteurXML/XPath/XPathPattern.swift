/// An XSLT match pattern made of `|`-separated paths of plain name steps (`/a/b`, `//a/b[p]`,
/// `a/@b`), matched by walking up the node's ancestors over a flat list of steps instead of
/// interpreting the pattern's expression tree: the shape of nearly every schematron rule context.
///
/// The walk does what `XPathEvaluator.matches(pattern:node:)` does, in the same order — each step's
/// name test, then its predicates, then the parent — so it gives the same answers and the same first
/// dynamic error. Patterns of any other shape are not compiled (`init` returns nil).
public final class XPathPattern: Sendable {
    struct Step: Sendable {
        enum Test: Sendable {
            case name(Int32)
            /// `prefix:*`
            case namespace(String)
            /// `*`
            case any
        }
        var attribute: Bool
        var test: Test
        var predicates: [XPathExpr]
        /// Per predicate, its compiled form when it yields a boolean (it filters like `truth` on the
        /// node alone); nil: a numeric or other predicate, left to `predicatesHold`.
        var compiled: [BoolCode?]
    }

    enum Anchor: Sendable {
        /// `a/b`: any parent chain.
        case relative
        /// `/a/b`: the first step's parent is the document node.
        case root
        /// `//a/b`: the first step's node has a parent (every node but the document's has).
        case anywhere
    }

    struct Branch: Sendable {
        /// Last step first: the order of the walk.
        var steps: [Step]
        var anchor: Anchor
    }

    let branches: [Branch]

    public init?(_ pattern: XPathExpr) {
        var branches: [Branch] = []
        func collect(_ e: XPathExpr) -> Bool {
            if case .union(let a, let b) = e { return collect(a) && collect(b) }
            guard let branch = XPathPattern.branch(e) else { return false }
            branches.append(branch)
            return true
        }
        guard collect(pattern), !branches.isEmpty else { return nil }
        self.branches = branches
    }

    private static func step(_ e: XPathExpr) -> Step? {
        guard case .step(let axis, let nodeTest, let preds) = e, axis == .child || axis == .attribute else { return nil }
        let test: Step.Test
        switch nodeTest {
        case .name(_, let id): test = .name(id)
        case .namespaceWildcard(let uri): test = .namespace(uri)
        case .anyElement: test = .any
        default: return nil
        }
        return Step(attribute: axis == .attribute, test: test, predicates: preds,
                    compiled: preds.map { $0.isBooleanValued ? XPathCompiler.bool($0) : nil })
    }

    /// `s1/s2/…/sn`, optionally after `/` or `//`, as parsed: left-nested slashes.
    private static func branch(_ e: XPathExpr) -> Branch? {
        var steps: [Step] = []
        var cur = e
        while true {
            if let s = step(cur) {
                steps.append(s)
                return Branch(steps: steps, anchor: .relative)
            }
            guard case .slash(let lhs, let rhs) = cur, let s = step(rhs) else { return nil }
            steps.append(s)
            if case .root = lhs { return Branch(steps: steps, anchor: .root) }
            if case .slash(.root, let dos) = lhs, dos.isDescendantOrSelfNode { return Branch(steps: steps, anchor: .anywhere) }
            cur = lhs
        }
    }

    /// Does node `n` match? Predicates are evaluated by `evaluator` with the node as their context.
    public func matches(_ n: Int32, in evaluator: XPathEvaluator) throws(XPathError) -> Bool {
        let tree = evaluator.tree
        for branch in branches {
            var cur = n
            var matched = true
            let last = branch.steps.count - 1
            for i in 0...last {
                let kind = tree.kind(cur)
                let attribute = branch.steps[i].attribute
                var passes = attribute ? kind == .attribute : kind == .element
                if passes {
                    switch branch.steps[i].test {
                    case .name(let id): passes = tree.nameID(cur) == id
                    case .namespace(let uri): passes = NameTable.shared.name(tree.nameID(cur)).namespace == uri
                    case .any: break
                    }
                }
                guard passes else { matched = false; break }
                if !branch.steps[i].predicates.isEmpty {
                    // The predicates in order, each as `predicatesHold` tests it, stopping at the first false.
                    var holds = true
                    for (k, code) in branch.steps[i].compiled.enumerated() {
                        if let code {
                            holds = try code.run(evaluator, cur)
                        } else {
                            holds = try evaluator.predicatesHold([branch.steps[i].predicates[k]], node: cur, axis: attribute ? .attribute : .child)
                        }
                        if !holds { break }
                    }
                    if !holds {
                        matched = false
                        break
                    }
                }
                if i < last || branch.anchor != .relative {
                    cur = tree.parent(cur)
                    if cur < 0 { matched = false; break }
                }
            }
            if matched && (branch.anchor != .root || tree.kind(cur) == .document) { return true }
        }
        return false
    }
}
