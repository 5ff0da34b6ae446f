import FacteurXML
import Foundation
import Synchronization

/// A set of validation rules read from an official schematron artefact (the ISO skeleton's
/// compiled XSLT, as CEN/TC 434 and FNFE-MPE publish them) and evaluated natively: the XSLT is
/// only read as data — patterns, rule contexts, assertions — never executed as a stylesheet.
public struct Schematron: Sendable {
    /// One `assert` (fires when the test is false) or `report` (fires when it is true).
    /// Classes rather than structs: rules and checks are read thousands of times per document,
    /// and a reference costs one retain where a struct of arrays costs one per field.
    final class Check: Sendable {
        let isReport: Bool
        let test: XPathExpr
        /// The test compiled into closures once per rule set (the interpreter runs what is not compiled).
        let compiled: XPathCompiledTest
        let testSource: String
        let id: String
        let flag: String
        let message: [MessagePart]

        init(isReport: Bool, test: XPathExpr, testSource: String, id: String, flag: String, message: [MessagePart]) {
            self.isReport = isReport
            self.test = test
            self.compiled = XPathCompiledTest(test)
            self.testSource = testSource
            self.id = id
            self.flag = flag
            self.message = message
        }
    }

    enum MessagePart: Sendable {
        case text(String)
        case valueOf(XPathExpr)
    }

    /// A schematron rule: a context pattern, local variables and checks.
    final class Rule: Sendable {
        let pattern: XPathExpr
        /// The same pattern as a flat list of steps when it has that shape (nearly all do).
        let compiledPattern: XPathPattern?
        let priority: Double
        let order: Int
        let lets: [(String, XPathExpr)]
        let checks: [Check]
        /// Most assertions only ask whether a child path exists (`not(ram:X/ram:Y)`, `(ram:ID)`):
        /// all of a rule's are answered by one walk of the context along this trie.
        let existence: ExistenceChecks

        init(pattern: XPathExpr, priority: Double, order: Int, lets: [(String, XPathExpr)], checks: [Check]) {
            self.pattern = pattern
            self.compiledPattern = XPathPattern(pattern)
            self.priority = priority
            self.order = order
            self.lets = lets
            self.checks = checks
            self.existence = ExistenceChecks(checks)
        }
    }

    /// A class: a rule reads it for every node it fires on, and a struct of arrays costs a retain
    /// per field. Every stored property is a `let` (a `var` in a class is checked for exclusive
    /// access at run time, which cost more than the lookups themselves).
    final class ExistenceChecks: Sendable {
        struct TrieNode {
            var step: SimpleStep
            var children: [Int] = []
            var paths: [Int] = []
        }
        /// For each check: the path it asks about and whether it holds when the path exists, or nil.
        let byCheck: [(path: Int, holdsWhenPresent: Bool)?]
        let pathCount: Int
        /// The trie flattened into plain integer arrays, read through raw buffers by the walk.
        /// A trie node's element children are sorted by name (then its attribute children), so
        /// that each child of the context node finds its trie branch by binary search.
        let name: [Int32]
        let elementStart: [Int32], attributeStart: [Int32], childEnd: [Int32], children: [Int32]
        let pathStart: [Int32], pathEnd: [Int32], paths: [Int32]

        init(_ checks: [Check]) {
            /// Index 0 is the root (the context node).
            var trie: [TrieNode] = [TrieNode(step: SimpleStep(attribute: false, name: -1))]
            var byCheck: [(path: Int, holdsWhenPresent: Bool)?] = []
            var pathCount = 0
            for check in checks {
                var steps: [SimpleStep]?
                var holdsWhenPresent = true
                switch check.test {
                case .simplePath(let s): steps = s
                case .builtin(.not, let args) where args.count == 1:
                    if case .simplePath(let s) = args[0] { steps = s; holdsWhenPresent = false }
                case .builtin(.exists, let args) where args.count == 1:
                    if case .simplePath(let s) = args[0] { steps = s }
                default: break
                }
                guard let steps else { byCheck.append(nil); continue }
                var node = 0
                for step in steps {
                    if let next = trie[node].children.first(where: { trie[$0].step.attribute == step.attribute && trie[$0].step.name == step.name }) {
                        node = next
                    } else {
                        trie.append(TrieNode(step: step))
                        trie[node].children.append(trie.count - 1)
                        node = trie.count - 1
                    }
                }
                trie[node].paths.append(pathCount)
                byCheck.append((pathCount, holdsWhenPresent))
                pathCount += 1
            }
            self.byCheck = byCheck
            self.pathCount = pathCount
            var name: [Int32] = [], elementStart: [Int32] = [], attributeStart: [Int32] = [], childEnd: [Int32] = []
            var children: [Int32] = [], pathStart: [Int32] = [], pathEnd: [Int32] = [], paths: [Int32] = []
            for node in trie {
                name.append(node.step.name)
                let elements = node.children.filter { !trie[$0].step.attribute }.sorted { trie[$0].step.name < trie[$1].step.name }
                let attributes = node.children.filter { trie[$0].step.attribute }.sorted { trie[$0].step.name < trie[$1].step.name }
                elementStart.append(Int32(children.count))
                children += elements.map { Int32($0) }
                attributeStart.append(Int32(children.count))
                children += attributes.map { Int32($0) }
                childEnd.append(Int32(children.count))
                pathStart.append(Int32(paths.count))
                paths += node.paths.map { Int32($0) }
                pathEnd.append(Int32(paths.count))
            }
            self.name = name
            self.elementStart = elementStart
            self.attributeStart = attributeStart
            self.childEnd = childEnd
            self.children = children
            self.pathStart = pathStart
            self.pathEnd = pathEnd
            self.paths = paths
        }

        /// Which of the paths exist below `n`, in `found` (reused between rules to avoid allocating).
        func present(in tree: XMLTree, from n: Int32, into found: inout [Bool]) {
            guard pathCount > 0 else { return }
            // Only the first `pathCount` flags are read: cleared in place (the array only grows),
            // instead of emptied and refilled for every rule that fires.
            if found.count < pathCount { found.append(contentsOf: repeatElement(false, count: pathCount - found.count)) }
            found.withUnsafeMutableBufferPointer { f in
                var i = 0
                while i < pathCount { f[i] = false; i += 1 }
            }
            name.withUnsafeBufferPointer { name in
            elementStart.withUnsafeBufferPointer { elementStart in
            attributeStart.withUnsafeBufferPointer { attributeStart in
            childEnd.withUnsafeBufferPointer { childEnd in
            children.withUnsafeBufferPointer { children in
            pathStart.withUnsafeBufferPointer { pathStart in
            pathEnd.withUnsafeBufferPointer { pathEnd in
            paths.withUnsafeBufferPointer { paths in
            found.withUnsafeMutableBufferPointer { found in
                let w = Walker(tree: tree, name: name, elementStart: elementStart, attributeStart: attributeStart,
                               childEnd: childEnd, children: children, pathStart: pathStart, pathEnd: pathEnd,
                               paths: paths, found: found)
                w.walk(n, 0)
            }}}}}}}}}
        }

        private struct Walker {
            let tree: XMLTree
            let name: UnsafeBufferPointer<Int32>
            let elementStart: UnsafeBufferPointer<Int32>, attributeStart: UnsafeBufferPointer<Int32>
            let childEnd: UnsafeBufferPointer<Int32>, children: UnsafeBufferPointer<Int32>
            let pathStart: UnsafeBufferPointer<Int32>, pathEnd: UnsafeBufferPointer<Int32>, paths: UnsafeBufferPointer<Int32>
            let found: UnsafeMutableBufferPointer<Bool>

            func mark(_ t: Int) {
                var p = Int(pathStart[t])
                let e = Int(pathEnd[t])
                while p < e { found[Int(paths[p])] = true; p += 1 }
            }

            /// The trie child of `t` in children[lo..<hi] (sorted by name) whose step names `id`, or -1.
            func branch(_ id: Int32, _ lo: Int32, _ hi: Int32) -> Int {
                var lo = Int(lo), hi = Int(hi)
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    let m = name[Int(children[mid])]
                    if m == id { return Int(children[mid]) }
                    if m < id { lo = mid + 1 } else { hi = mid }
                }
                return -1
            }

            func walk(_ n: Int32, _ t: Int) {
                let es = elementStart[t], asx = attributeStart[t], end = childEnd[t]
                if es < asx {
                    var c = tree.firstChild(n)
                    while c >= 0 {
                        if tree.kind(c) == .element {
                            let ci = branch(tree.nameID(c), es, asx)
                            if ci >= 0 {
                                mark(ci)
                                if elementStart[ci] < childEnd[ci] { walk(c, ci) }
                            }
                        }
                        c = tree.nextSibling(c)
                    }
                }
                if asx < end && tree.kind(n) == .element {
                    var a = tree.firstAttribute(n)
                    while a >= 0 {
                        let ci = branch(tree.nameID(a), asx, end)
                        if ci >= 0 { mark(ci) }
                        a = tree.nextSibling(a)
                    }
                }
            }
        }
    }

    /// A schematron pattern (one XSLT mode): every element and attribute is offered to its
    /// rules, and the first (highest-priority) rule whose context matches fires.
    struct Pattern: Sendable {
        var mode: String
        /// Sorted by descending priority.
        var rules: [Rule]
        /// Per rule, what a node's name must be for any branch of its context to match.
        var filters: [[NameFilter]]
    }

    /// A necessary condition on a node's name for a context pattern branch to match, read from
    /// its last step: lets each node be offered only to the rules that can possibly fire on it.
    struct NameFilter: Sendable {
        enum Test: Sendable { case exact(Int32), namespace(String), any }
        var test: Test
        var attribute: Bool
        var suffixes: [String]

        func accepts(_ q: QName, id: Int32, attribute isAttribute: Bool) -> Bool {
            guard isAttribute == attribute else { return false }
            switch test {
            case .exact(let want): if want != id { return false }
            case .namespace(let ns): if q.namespace != ns { return false }
            case .any: break
            }
            return suffixes.allSatisfy { q.local.hasSuffix($0) }
        }
    }

    public let name: String
    let patterns: [Pattern]
    let candidates = CandidateCache()
    let globals: [(String, XPathExpr)]
    let functions: [String: XPathFunction]
    /// Every rule id the artefact can report, for coverage checks and the message catalogue.
    public let ruleIDs: Set<String>

    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        let folder = url.deletingLastPathComponent()
        try self.init(xslt: data, name: url.lastPathComponent, codeLists: { file in
            // Only files next to the stylesheet, never a path taken from elsewhere.
            guard !file.contains("/"), !file.contains("..") else { return nil }
            return try? Data(contentsOf: folder.appendingPathComponent(file))
        })
    }

    /// `codeLists` gives the side documents a stylesheet reads with `document('…_codedb.xml')`.
    public init(xslt data: Data, name: String, codeLists: (String) -> Data? = { _ in nil }) throws {
        self.name = name
        let tree = try XMLParser.parse(data, limits: XMLParseLimits(maxBytes: 64 * 1024 * 1024))
        let root = tree.root
        let xsl = "http://www.w3.org/1999/XSL/Transform"
        let svrl = "http://purl.oclc.org/dsdl/svrl"
        var ns = tree.namespaceDeclarations[root.index] ?? [:]
        ns["xs"] = ns["xs"] ?? "http://www.w3.org/2001/XMLSchema"

        // Factur-X stylesheets look codes up in a side document:
        //   document('F_codedb.xml')/codedb/cl[@id=N]/enumeration[@value=$v]
        // which is the general comparison `$v = ('code1', 'code2', …)` over list N.
        var codeDBs: [String: [String: [String]]] = [:]
        func codeList(_ file: String, _ id: String) throws -> [String] {
            if codeDBs[file] == nil {
                guard let d = codeLists(file) else { throw SchematronLoadError.missingCodeList(file) }
                let t = try XMLParser.parse(d, limits: XMLParseLimits(maxBytes: 16 * 1024 * 1024))
                var lists: [String: [String]] = [:]
                for cl in t.root.children("", "cl") {
                    lists[cl.attribute("id") ?? ""] = cl.children("", "enumeration").compactMap { $0.attribute("value") }
                }
                codeDBs[file] = lists
            }
            return codeDBs[file]?[id] ?? []
        }
        let documentLookup = try NSRegularExpression(pattern: #"document\('([^'/]+)'\)/codedb/cl\[@id=([0-9]+)\]/enumeration\[@value=(\$[A-Za-z0-9_.:-]+)\]"#)
        func parse(_ source: String) throws -> XPathExpr {
            var s = source
            let matches = documentLookup.matches(in: s, range: NSRange(s.startIndex..., in: s))
            for m in matches.reversed() {
                let ns = s as NSString
                let file = ns.substring(with: m.range(at: 1)), id = ns.substring(with: m.range(at: 2)), v = ns.substring(with: m.range(at: 3))
                let codes = try codeList(file, id).map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }
                let replacement = codes.isEmpty ? "false()" : "(\(v) = (\(codes.joined(separator: ","))))"
                s = ns.replacingCharacters(in: m.range, with: replacement)
            }
            return try XPathParser.parse(s, namespaces: ns)
        }

        // The order of patterns is the order of `apply-templates select="/" mode="…"` in the root template.
        var modeOrder: [String] = []
        var globals: [(String, XPathExpr)] = []
        var functions: [String: XPathFunction] = [:]
        var rulesByMode: [String: [Rule]] = [:]
        var ids = Set<String>()
        var order = 0

        func messageParts(_ el: XMLElement) throws -> [MessagePart] {
            var parts: [MessagePart] = []
            func walk(_ e: XMLElement) throws {
                var c = tree.firstChild(e.index)
                while c >= 0 {
                    switch tree.kind(c) {
                    case .text:
                        // Whitespace-only text in a stylesheet is not output (XSLT strips it).
                        let t = tree.stringValue(c)
                        if !t.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) { parts.append(.text(t)) }
                    case .element:
                        let ce = XMLElement(tree: tree, index: c)
                        if ce.namespace == xsl && ce.localName == "value-of", let sel = ce.attribute("select") {
                            parts.append(.valueOf(try parse(sel)))
                        } else if ce.namespace == xsl && ce.localName == "text" {
                            parts.append(.text(ce.text))
                        } else {
                            try walk(ce)
                        }
                    default: break
                    }
                    c = tree.nextSibling(c)
                }
            }
            for child in el.children where child.namespace == svrl && child.localName == "text" { try walk(child) }
            return parts
        }

        func check(_ failed: XMLElement, test: String, isReport: Bool) throws -> Check {
            var id = failed.attribute("id") ?? ""
            var flag = failed.attribute("flag") ?? ""
            for attr in failed.children where attr.namespace == xsl && attr.localName == "attribute" {
                switch attr.attribute("name") {
                case "id": id = attr.trimmedText
                case "flag": flag = attr.trimmedText
                default: break
                }
            }
            if !id.isEmpty { ids.insert(id) }
            return Check(isReport: isReport, test: try parse(test).optimized(), testSource: test, id: id, flag: flag,
                         message: try messageParts(failed))
        }

        func collectChecks(_ el: XMLElement, into checks: inout [Check], lets: inout [(String, XPathExpr)]) throws {
            for c in el.children where c.namespace == xsl {
                switch c.localName {
                case "choose":
                    // <xsl:when test="T"/><xsl:otherwise><svrl:failed-assert …/></xsl:otherwise>
                    guard let when = c.child(xsl, "when"), let test = when.attribute("test"),
                          let otherwise = c.child(xsl, "otherwise"),
                          let failed = otherwise.children.first(where: { $0.namespace == svrl }) else { continue }
                    checks.append(try check(failed, test: test, isReport: false))
                case "if":
                    guard let test = c.attribute("test") else { continue }
                    if let rep = c.children.first(where: { $0.namespace == svrl && $0.localName == "successful-report" }) {
                        checks.append(try check(rep, test: test, isReport: true))
                    } else if let rep = c.children.first(where: { $0.namespace == svrl && $0.localName == "failed-assert" }) {
                        // `<xsl:if test="not(T)"><svrl:failed-assert>` is another way to write an assert
                        checks.append(try check(rep, test: test, isReport: true))
                    }
                case "variable":
                    if let n = c.attribute("name"), let sel = c.attribute("select") { lets.append((n, try parse(sel).optimized())) }
                default: break
                }
            }
        }

        for top in root.children where top.namespace == xsl {
            switch top.localName {
            case "variable", "param":
                if let n = top.attribute("name"), let sel = top.attribute("select") { globals.append((n, try parse(sel))) }
            case "function":
                guard let n = top.attribute("name") else { continue }
                var params: [String] = []
                var lets: [(String, XPathExpr)] = []
                var body: XPathExpr?
                for c in top.children where c.namespace == xsl {
                    switch c.localName {
                    case "param": if let p = c.attribute("name") { params.append(p) }
                    case "variable": if let v = c.attribute("name"), let s = c.attribute("select") { lets.append((v, try parse(s))) }
                    case "sequence", "value-of": if let s = c.attribute("select") { body = try parse(s) }
                    default: break
                    }
                }
                if let body { functions[n] = XPathFunction(parameters: params, lets: lets, body: body) }
            case "template":
                guard let match = top.attribute("match") else { continue }
                let mode = top.attribute("mode") ?? ""
                if match == "/" && mode.isEmpty {
                    func findModes(_ e: XMLElement) {
                        for c in e.children {
                            if c.namespace == xsl && c.localName == "apply-templates", c.attribute("select") == "/",
                               let m = c.attribute("mode") { modeOrder.append(m) }
                            findModes(c)
                        }
                    }
                    findModes(top)
                    continue
                }
                guard mode.hasPrefix("M"), let priority = top.attribute("priority").flatMap(Double.init), priority >= 0 else { continue }
                var checks: [Check] = []
                var lets: [(String, XPathExpr)] = []
                try collectChecks(top, into: &checks, lets: &lets)
                rulesByMode[mode, default: []].append(Rule(pattern: try parse(match).patternOptimized(), priority: priority, order: order, lets: lets, checks: checks))
                order += 1
            default:
                break
            }
        }

        var patterns: [Pattern] = []
        for mode in modeOrder {
            // Highest priority first; equal priorities: the later template wins, as in XSLT 3.0.
            let rules = (rulesByMode[mode] ?? []).sorted { ($0.priority, $0.order) > ($1.priority, $1.order) }
            patterns.append(Pattern(mode: mode, rules: rules, filters: rules.map { Schematron.nameFilters($0.pattern, predicates: []) }))
        }
        self.patterns = patterns
        self.globals = globals
        self.functions = functions
        self.ruleIDs = ids
    }

    static func nameFilters(_ p: XPathExpr, predicates: [XPathExpr]) -> [NameFilter] {
        switch p {
        case .union(let a, let b): return nameFilters(a, predicates: predicates) + nameFilters(b, predicates: predicates)
        case .slash(_, let rhs): return nameFilters(rhs, predicates: predicates)
        case .filter(let inner, let preds): return nameFilters(inner, predicates: predicates + preds)
        case .step(let axis, let test, let preds):
            var suffixes: [String] = []
            func collect(_ e: XPathExpr) {
                switch e {
                case .and(let a, let b): collect(a); collect(b)
                case .builtin(.endsWith, let args) where args.count == 2:
                    if case .builtin(.name, let inner) = args[0], inner.isEmpty, case .string(let s) = args[1], !s.contains(":") {
                        suffixes.append(s)
                    }
                default: break
                }
            }
            (preds + predicates).forEach(collect)
            let t: NameFilter.Test
            switch test {
            case .name(_, let id): t = .exact(id)
            case .namespaceWildcard(let ns): t = .namespace(ns)
            default: t = .any
            }
            return [NameFilter(test: t, attribute: axis == .attribute, suffixes: suffixes)]
        default:
            return [NameFilter(test: .any, attribute: false, suffixes: []), NameFilter(test: .any, attribute: true, suffixes: [])]
        }
    }

    /// Rule indices (in priority order) worth offering a node of this name, per pattern; shared
    /// between runs because documents reuse the same few hundred names.
    final class CandidateCache: Sendable {
        let map = Mutex<[Int64: [Int]]>([:])
    }
}

public enum SchematronLoadError: Error, CustomStringConvertible {
    case missingCodeList(String)
    public var description: String {
        switch self {
        case .missingCodeList(let f): return "code list \(f) is missing next to the schematron"
        }
    }
}

/// One fired check, before it is turned into a user-facing finding.
public struct SchematronResult: Sendable {
    public var id: String
    public var flag: String
    public var node: Int32
    public var location: String
    public var text: String
}

public struct SchematronError: Error, CustomStringConvertible {
    public var rule: String
    public var error: XPathError
    public var description: String { "rule \(rule): \(error)" }
}

extension Schematron {
    /// Runs every pattern over `tree`. A dynamic error in an expression stops the run, as it
    /// stops the reference XSLT processor.
    public func run(on tree: XMLTree) throws(SchematronError) -> [SchematronResult] {
        try run(on: tree, profile: nil)
    }

    /// Time spent per rule context and per check, to find what to optimise (`PROFILE=1 facteur-bench`).
    @_spi(Profiling) public final class Profile {
        public var nanoseconds: [String: (calls: Int, ns: UInt64)] = [:]
        public init() {}
        func add(_ key: String, _ start: UInt64) {
            let d = DispatchTime.now().uptimeNanoseconds - start
            nanoseconds[key, default: (0, 0)].calls += 1
            nanoseconds[key, default: (0, 0)].ns += d
        }
    }

    @_spi(Profiling) public func run(on tree: XMLTree, profile: Profile?) throws(SchematronError) -> [SchematronResult] {
        let ev = XPathEvaluator(tree: tree, functions: functions)
        for (name, e) in globals {
            // Globals such as `document-uri(/)` serve SVRL output only; ignore those we cannot compute.
            if let v = try? ev.evaluate(e, contextNode: 0) { ev.bind(name, v) }
        }
        var out: [SchematronResult] = []
        var present: [Bool] = []
        // Which rules of each pattern a node is offered to depends only on its name: computed once
        // per distinct name (and kept process-wide in `candidates`), then each pattern walks only
        // the nodes that have candidates, in document order.
        let patternCount = patterns.count
        var known = candidates.map.withLock { $0 }
        var learned = false
        var slots = SlotTable()
        var ranges: [(start: Int32, end: Int32)] = []   // per slot × pattern
        var flat: [Int32] = []
        var work = [[(node: Int32, slot: Int32)]](repeating: [], count: patternCount)
        let count = Int32(tree.nodeCount)
        var n: Int32 = 1
        while n < count {
            let kind = tree.kind(n)
            if kind == .element || kind == .attribute {
                let id = tree.nameID(n)
                let nameKey = (kind == .attribute ? Int64(1) << 32 : 0) | Int64(UInt32(bitPattern: id))
                var slot = slots.get(nameKey)
                if slot < 0 {
                    slot = Int32(ranges.count / max(1, patternCount))
                    slots.set(nameKey, slot)
                    for (p, pattern) in patterns.enumerated() {
                        let key = Int64(p) << 33 | nameKey
                        let list: [Int]
                        if let l = known[key] { list = l } else {
                            let q = NameTable.shared.name(id)
                            list = pattern.filters.indices.filter { i in
                                pattern.filters[i].contains { $0.accepts(q, id: id, attribute: kind == .attribute) }
                            }
                            known[key] = list
                            learned = true
                        }
                        let start = Int32(flat.count)
                        flat += list.map { Int32($0) }
                        ranges.append((start, Int32(flat.count)))
                    }
                }
                for p in 0..<patternCount {
                    let r = ranges[Int(slot) * patternCount + p]
                    if r.start < r.end { work[p].append((n, slot)) }
                }
            }
            n += 1
        }
        if learned { candidates.map.withLock { $0.merge(known) { a, _ in a } } }
        for (p, pattern) in patterns.enumerated() {
            for (node, slot) in work[p] {
                let r = ranges[Int(slot) * patternCount + p]
                try fire(pattern, candidates: flat, r.start, r.end, node: node, evaluator: ev, present: &present, into: &out, profile: profile)
            }
        }
        return out
    }

    /// Int64 → Int32 open addressing (linear probing), for the few hundred distinct names of a document.
    struct SlotTable {
        var keys = [Int64](repeating: -1, count: 256)
        var values = [Int32](repeating: -1, count: 256)
        var used = 0

        private static func hash(_ k: Int64, _ size: Int) -> Int {
            Int(truncatingIfNeeded: UInt64(bitPattern: k) &* 0x9E37_79B9_7F4A_7C15 >> 24) & (size - 1)
        }

        func get(_ k: Int64) -> Int32 {
            var h = SlotTable.hash(k, keys.count)
            while true {
                let stored = keys[h]
                if stored == k { return values[h] }
                if stored == -1 { return -1 }
                h = (h + 1) & (keys.count - 1)
            }
        }

        mutating func set(_ k: Int64, _ v: Int32) {
            if (used + 1) * 2 > keys.count {
                let oldKeys = keys, oldValues = values
                keys = [Int64](repeating: -1, count: oldKeys.count * 2)
                values = [Int32](repeating: -1, count: oldKeys.count * 2)
                used = 0
                for i in oldKeys.indices where oldKeys[i] != -1 { set(oldKeys[i], oldValues[i]) }
            }
            var h = SlotTable.hash(k, keys.count)
            while keys[h] != -1 && keys[h] != k { h = (h + 1) & (keys.count - 1) }
            if keys[h] == -1 { used += 1 }
            keys[h] = k
            values[h] = v
        }
    }

    private func fire(_ pattern: Pattern, candidates: [Int32], _ start: Int32, _ end: Int32, node n: Int32, evaluator ev: XPathEvaluator,
                      present: inout [Bool], into out: inout [SchematronResult], profile: Profile?) throws(SchematronError) {
        for k in Int(start)..<Int(end) {
            let rule = pattern.rules[Int(candidates[k])]
            let t0 = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            let matched: Bool
            do {
                if let compiled = rule.compiledPattern { matched = try compiled.matches(n, in: ev) } else {
                    matched = try ev.matches(pattern: rule.pattern, node: n)
                }
            } catch {
                throw SchematronError(rule: "context of \(rule.checks.first?.id ?? pattern.mode)", error: error)
            }
            profile?.add("context \(rule.order) \(rule.checks.first?.id ?? "")", t0)
            guard matched else { continue }
            ev.currentNode = n
            // Most rules have no variables: no scope to mark and restore (each touch of the
            // evaluator's scope costs a run-time exclusivity check).
            let mark = rule.lets.isEmpty ? -1 : ev.scopeMark
            defer { if mark >= 0 { ev.unbind(to: mark) } }
            let t2 = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            for (name, e) in rule.lets {
                do { ev.bind(name, try ev.evaluate(e, contextNode: n)) } catch {
                    throw SchematronError(rule: rule.checks.first?.id ?? name, error: error)
                }
            }
            if !rule.lets.isEmpty { profile?.add("lets \(rule.order) \(rule.checks.first?.id ?? "")", t2) }
            rule.existence.present(in: ev.tree, from: n, into: &present)
            for (ci, check) in rule.checks.enumerated() {
                let holds: Bool
                if let (path, holdsWhenPresent) = rule.existence.byCheck[ci] {
                    holds = present[path] == holdsWhenPresent
                } else {
                    let t1 = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
                    defer { profile?.add("check\(check.compiled.isCompiled ? "" : "*") \(check.id) \(check.testSource.prefix(150))", t1) }
                    do { holds = try ev.effectiveBoolean(check.compiled, contextNode: n) } catch {
                        throw SchematronError(rule: check.id, error: error)
                    }
                }
                if holds == check.isReport {
                    var text = ""
                    for part in check.message {
                        switch part {
                        case .text(let s): text += s
                        case .valueOf(let e):
                            if let v = try? ev.evaluate(e, contextNode: n) {
                                text += v.map { ev.stringValue($0) }.joined(separator: " ")
                            }
                        }
                    }
                    out.append(SchematronResult(id: check.id, flag: check.flag, node: n, location: ev.tree.locationPath(n),
                                                text: XPathEvaluator.normalizeSpace(text)))
                }
            }
            return // the first matching rule of a pattern is the only one that fires
        }
    }
}


