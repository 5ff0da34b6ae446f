import Foundation

/// The subset of XPath 2.0 that validation artefacts (EN 16931, Factur-X and French CTC
/// schematrons) use, parsed into a tree that `XPathEvaluator` walks.
public indirect enum XPathExpr: Sendable {
    case string(String)
    case integer(Int)
    case decimal(XPathDecimal)
    case double(Double)
    case variable(String)
    case contextItem
    case sequence([XPathExpr])
    case or(XPathExpr, XPathExpr)
    case and(XPathExpr, XPathExpr)
    case generalCompare(CompareOp, XPathExpr, XPathExpr)
    case valueCompare(CompareOp, XPathExpr, XPathExpr)
    case nodeIs(XPathExpr, XPathExpr)
    case arithmetic(ArithOp, XPathExpr, XPathExpr)
    case negate(XPathExpr)
    case range(XPathExpr, XPathExpr)
    case union(XPathExpr, XPathExpr)
    case intersect(XPathExpr, XPathExpr)
    case except(XPathExpr, XPathExpr)
    /// The document node of the context node's tree.
    case root
    /// `lhs/rhs`: rhs evaluated once per item of lhs.
    case slash(XPathExpr, XPathExpr)
    case step(Axis, NodeTest, [XPathExpr])
    case filter(XPathExpr, [XPathExpr])
    /// A built-in function, resolved at parse time.
    case builtin(Builtin, [XPathExpr])
    /// A function defined by the stylesheet (`xsl:function`).
    case function(String, [XPathExpr])
    case quantified(every: Bool, [(String, XPathExpr)], XPathExpr)
    case forExpr([(String, XPathExpr)], XPathExpr)
    case ifExpr(XPathExpr, XPathExpr, XPathExpr)
    case castable(XPathExpr, String, optional: Bool)
    case cast(XPathExpr, String, optional: Bool)
    case instanceOf(XPathExpr, String)
    /// `contains(' A B C ', concat(' ', X, ' '))`, the artefacts' code-list idiom, as a set lookup.
    case inTokenList(Set<String>, String, XPathExpr)
    /// `a/b/@c` — child and attribute name steps only, no predicates: walked without building
    /// node lists, and answered at the first match when only existence matters. Made by `optimized()`.
    case simplePath([SimpleStep])
    /// A sub-expression whose value does not depend on the context (`/rsm:…/ram:X`, `sum(//ram:Y)`):
    /// computed once per document. Made by `optimized()`; the number identifies it.
    case memo(Int, XPathExpr)
}

import Synchronization

enum MemoIDs {
    static let next = Atomic<Int>(0)
    static func make() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

public struct SimpleStep: Sendable {
    public var attribute: Bool
    public var name: Int32
    public init(attribute: Bool, name: Int32) {
        self.attribute = attribute
        self.name = name
    }
}

extension XPathExpr {
    /// Rewrites the shapes validation rules use thousands of times into faster equivalents.
    /// For assertion tests only: patterns keep their step structure for matching.
    public func optimized() -> XPathExpr {
        if let steps = simpleSteps() { return .simplePath(steps) }
        if isContextFree && readsDocument { return .memo(MemoIDs.make(), optimizedChildren()) }
        return optimizedChildren()
    }

    /// For match patterns: the step structure stays (the matcher walks it), only the predicates
    /// are optimized — they run for every candidate node.
    public func patternOptimized() -> XPathExpr {
        switch self {
        case .union(let a, let b): return .union(a.patternOptimized(), b.patternOptimized())
        case .slash(let a, let b): return .slash(a.patternOptimized(), b.patternOptimized())
        case .step(let axis, let test, let preds): return .step(axis, test, preds.map { $0.optimized() })
        case .filter(let a, let preds): return .filter(a.patternOptimized(), preds.map { $0.optimized() })
        default: return self
        }
    }

    /// Always yields one boolean (or, for a value comparison, nothing): as a predicate it filters
    /// by its effective boolean value, never by position.
    var isBooleanValued: Bool {
        switch self {
        case .generalCompare, .valueCompare, .and, .or, .simplePath, .castable, .instanceOf, .inTokenList: return true
        case .builtin(let f, _):
            switch f {
            case .`true`, .`false`, .not, .boolean, .exists, .empty, .contains, .startsWith, .endsWith, .matches: return true
            default: return false
            }
        default: return false
        }
    }

    private func optimizedChildren() -> XPathExpr {
        switch self {
        case .sequence(let a): return .sequence(a.map { $0.optimized() })
        case .or(let a, let b): return .or(a.optimized(), b.optimized())
        case .and(let a, let b): return .and(a.optimized(), b.optimized())
        case .generalCompare(let op, let a, let b): return .generalCompare(op, a.optimized(), b.optimized())
        case .valueCompare(let op, let a, let b): return .valueCompare(op, a.optimized(), b.optimized())
        case .arithmetic(let op, let a, let b): return .arithmetic(op, a.optimized(), b.optimized())
        case .negate(let a): return .negate(a.optimized())
        case .union(let a, let b): return .union(a.optimized(), b.optimized())
        case .slash(let a, let b):
            // Only whole chains become simple paths: a lone step after `..` or `//` stays a step so
            // that the evaluator's step and descendant-index paths still apply.
            return .slash(a.optimizedPrefix(), b.optimizedStep())
        case .step(let axis, let test, let preds): return .step(axis, test, preds.map { $0.optimized() })
        case .filter(let a, let preds): return .filter(a.optimized(), preds.map { $0.optimized() })
        case .builtin(let b, let args): return .builtin(b, args.map { $0.optimized() })
        case .function(let n, let args): return .function(n, args.map { $0.optimized() })
        case .quantified(let every, let bindings, let body):
            return .quantified(every: every, bindings.map { ($0.0, $0.1.optimized()) }, body.optimized())
        case .forExpr(let bindings, let body): return .forExpr(bindings.map { ($0.0, $0.1.optimized()) }, body.optimized())
        case .ifExpr(let c, let t, let e): return .ifExpr(c.optimized(), t.optimized(), e.optimized())
        case .inTokenList(let set, let list, let e): return .inTokenList(set, list, e.optimized())
        default: return self
        }
    }

    /// True when the value depends only on the document: no context item, position, variable or current().
    var isContextFree: Bool {
        switch self {
        case .string, .integer, .decimal, .double, .root: return true
        case .contextItem, .variable, .step, .simplePath: return false
        case .sequence(let a): return a.allSatisfy(\.isContextFree)
        case .or(let a, let b), .and(let a, let b), .generalCompare(_, let a, let b), .valueCompare(_, let a, let b),
             .nodeIs(let a, let b), .arithmetic(_, let a, let b), .range(let a, let b), .union(let a, let b),
             .intersect(let a, let b), .except(let a, let b):
            return a.isContextFree && b.isContextFree
        case .negate(let a), .castable(let a, _, _), .cast(let a, _, _), .instanceOf(let a, _), .inTokenList(_, _, let a):
            return a.isContextFree
        case .slash(let a, let b):
            // The right side runs with the left side's nodes as context: only its own free references matter.
            return a.isContextFree && b.isClosedStep
        case .filter(let a, let preds): return a.isContextFree && preds.allSatisfy(\.isClosed)
        case .builtin(let f, let args):
            switch f {
            case .position, .last, .current, .root: return false
            case .string, .normalizeSpace, .stringLength, .name, .localName, .namespaceUri, .number: return !args.isEmpty && args.allSatisfy(\.isContextFree)
            default: return args.allSatisfy(\.isContextFree)
            }
        case .function: return false
        case .quantified, .forExpr, .ifExpr: return false
        case .memo: return true
        }
    }

    /// Whether position() or last() may be read in the expression's own focus. Conservative: any
    /// occurrence counts, even inside a nested predicate with a focus of its own, and so does a call
    /// to a stylesheet function.
    var mayReadPosition: Bool {
        switch self {
        case .builtin(.position, _), .builtin(.last, _), .function: return true
        case .string, .integer, .decimal, .double, .variable, .contextItem, .root, .simplePath: return false
        case .sequence(let a): return a.contains(where: \.mayReadPosition)
        case .or(let a, let b), .and(let a, let b), .generalCompare(_, let a, let b), .valueCompare(_, let a, let b),
             .nodeIs(let a, let b), .arithmetic(_, let a, let b), .range(let a, let b), .union(let a, let b),
             .intersect(let a, let b), .except(let a, let b), .slash(let a, let b):
            return a.mayReadPosition || b.mayReadPosition
        case .negate(let a), .castable(let a, _, _), .cast(let a, _, _), .instanceOf(let a, _), .inTokenList(_, _, let a), .memo(_, let a):
            return a.mayReadPosition
        case .step(_, _, let preds): return preds.contains(where: \.mayReadPosition)
        case .filter(let a, let preds): return a.mayReadPosition || preds.contains(where: \.mayReadPosition)
        case .builtin(_, let args): return args.contains(where: \.mayReadPosition)
        case .quantified(_, let bindings, let body), .forExpr(let bindings, let body):
            return bindings.contains(where: { $0.1.mayReadPosition }) || body.mayReadPosition
        case .ifExpr(let c, let t, let e): return c.mayReadPosition || t.mayReadPosition || e.mayReadPosition
        }
    }

    /// True when the expression refers to no variable and no current(), whatever its context.
    var isClosed: Bool {
        switch self {
        case .variable: return false
        case .builtin(.current, _), .function: return false
        case .string, .integer, .decimal, .double, .root, .contextItem, .simplePath: return true
        case .sequence(let a): return a.allSatisfy(\.isClosed)
        case .or(let a, let b), .and(let a, let b), .generalCompare(_, let a, let b), .valueCompare(_, let a, let b),
             .nodeIs(let a, let b), .arithmetic(_, let a, let b), .range(let a, let b), .union(let a, let b),
             .intersect(let a, let b), .except(let a, let b), .slash(let a, let b):
            return a.isClosed && b.isClosed
        case .negate(let a), .castable(let a, _, _), .cast(let a, _, _), .instanceOf(let a, _), .inTokenList(_, _, let a), .memo(_, let a):
            return a.isClosed
        case .step(_, _, let preds): return preds.allSatisfy(\.isClosed)
        case .filter(let a, let preds): return a.isClosed && preds.allSatisfy(\.isClosed)
        case .builtin(_, let args): return args.allSatisfy(\.isClosed)
        case .quantified, .forExpr, .ifExpr: return false
        }
    }

    private var isClosedStep: Bool { isClosed }

    /// Worth caching: it walks the document.
    var readsDocument: Bool {
        switch self {
        case .root: return true
        case .slash(let a, _): return a.readsDocument
        case .filter(let a, _): return a.readsDocument
        case .builtin(_, let args): return args.contains(where: \.readsDocument)
        case .or(let a, let b), .and(let a, let b), .generalCompare(_, let a, let b), .valueCompare(_, let a, let b),
             .arithmetic(_, let a, let b), .union(let a, let b):
            return a.readsDocument || b.readsDocument
        case .negate(let a), .cast(let a, _, _), .castable(let a, _, _): return a.readsDocument
        default: return false
        }
    }

    private func optimizedPrefix() -> XPathExpr {
        if case .slash(let a, let b) = self { return .slash(a.optimizedPrefix(), b.optimizedStep()) }
        return optimizedStep()
    }

    private func optimizedStep() -> XPathExpr {
        if case .step(let axis, let test, let preds) = self { return .step(axis, test, preds.map { $0.optimized() }) }
        return optimized()
    }

    /// The steps of a relative path made only of predicate-free child/attribute name steps.
    func simpleSteps() -> [SimpleStep]? {
        switch self {
        case .step(.child, .name(_, let id), let preds) where preds.isEmpty: return [SimpleStep(attribute: false, name: id)]
        case .step(.attribute, .name(_, let id), let preds) where preds.isEmpty: return [SimpleStep(attribute: true, name: id)]
        case .slash(let a, let b):
            guard let x = a.simpleSteps(), let y = b.simpleSteps(), x.last?.attribute == false else { return nil }
            return x + y
        default: return nil
        }
    }
}

public enum CompareOp: Sendable { case eq, ne, lt, le, gt, ge }
public enum ArithOp: Sendable { case add, sub, mul, div, idiv, mod }
public enum Axis: Sendable {
    case child, descendant, descendantOrSelf, parent, ancestor, ancestorOrSelf, selfAxis, attribute
    case followingSibling, precedingSibling, following, preceding
}

public enum NodeTest: Sendable {
    case anyNode           // node()
    case text              // text()
    case anyElement        // * (principal node kind)
    /// prefix:local resolved at parse time, with the name's interned id
    case name(QName, Int32)
    case namespaceWildcard(String)   // prefix:*
    case localWildcard(String)       // *:local
    case comment
}

public struct XPathSyntaxError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var expression: String
    public var description: String { "XPath syntax error: \(message) in «\(expression.prefix(160))»" }
}

// MARK: - Lexer

enum Token: Equatable {
    case name(String)        // QName or NCName, may contain ':' ; also "prefix:*" and "*:local"
    case string(String)
    case integer(Int)
    case decimal(XPathDecimal)
    case double(Double)
    case variable(String)
    case symbol(String)      // ( ) [ ] , / // @ . .. :: | + - * = != < <= > >= $
    case end
}

struct Lexer {
    let chars: [Character]
    var pos = 0
    init(_ s: String) { chars = Array(s) }

    mutating func tokens() throws(XPathSyntaxError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next(previous: out.last)
            out.append(t)
            if t == .end { return out }
        }
    }

    private func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "_" }
    private func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." }

    private mutating func next(previous: Token?) throws(XPathSyntaxError) -> Token {
        while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
        guard pos < chars.count else { return .end }
        let c = chars[pos]
        // comments (: ... :)
        if c == "(" && pos + 1 < chars.count && chars[pos + 1] == ":" {
            var depth = 0
            while pos < chars.count {
                if chars[pos] == "(" && pos + 1 < chars.count && chars[pos + 1] == ":" { depth += 1; pos += 2; continue }
                if chars[pos] == ":" && pos + 1 < chars.count && chars[pos + 1] == ")" { depth -= 1; pos += 2; if depth == 0 { break }; continue }
                pos += 1
            }
            return try next(previous: previous)
        }
        if c == "'" || c == "\"" {
            var s = ""
            pos += 1
            while true {
                guard pos < chars.count else { throw XPathSyntaxError(message: "unterminated string", expression: String(chars)) }
                if chars[pos] == c {
                    if pos + 1 < chars.count && chars[pos + 1] == c { s.append(c); pos += 2; continue }
                    pos += 1
                    break
                }
                s.append(chars[pos]); pos += 1
            }
            return .string(s)
        }
        if c.isNumber || (c == "." && pos + 1 < chars.count && chars[pos + 1].isNumber) {
            let start = pos
            while pos < chars.count, chars[pos].isNumber { pos += 1 }
            var isDecimal = false
            if pos < chars.count, chars[pos] == "." { isDecimal = true; pos += 1; while pos < chars.count, chars[pos].isNumber { pos += 1 } }
            if pos < chars.count, chars[pos] == "e" || chars[pos] == "E" {
                pos += 1
                if pos < chars.count, chars[pos] == "+" || chars[pos] == "-" { pos += 1 }
                while pos < chars.count, chars[pos].isNumber { pos += 1 }
                return .double(Double(String(chars[start..<pos])) ?? 0)
            }
            let text = String(chars[start..<pos])
            if isDecimal { return .decimal(XPathDecimal(lexical: Substring(text)) ?? XPathDecimal(0)) }
            return .integer(Int(text) ?? Int.max)
        }
        if c == "$" {
            pos += 1
            while pos < chars.count, chars[pos].isWhitespace { pos += 1 }
            let name = readQName()
            return .variable(name)
        }
        if isNameStart(c) {
            return .name(readQName())
        }
        if c == "*" {
            // *:local wildcard (only when a name follows the colon directly)
            if pos + 2 < chars.count, chars[pos + 1] == ":", isNameStart(chars[pos + 2]) {
                pos += 2
                var s = ""
                while pos < chars.count, isNameChar(chars[pos]) { s.append(chars[pos]); pos += 1 }
                return .name("*:" + s)
            }
            pos += 1
            return .symbol("*")
        }
        let two = pos + 1 < chars.count ? String(chars[pos...pos + 1]) : ""
        for sym in ["//", "..", "::", "!=", "<=", ">=", "<<", ">>"] where two == sym {
            pos += 2
            return .symbol(sym)
        }
        pos += 1
        return .symbol(String(c))
    }

    private mutating func readQName() -> String {
        var s = ""
        while pos < chars.count, isNameChar(chars[pos]) { s.append(chars[pos]); pos += 1 }
        if pos + 1 < chars.count, chars[pos] == ":", chars[pos + 1] != ":" {
            if chars[pos + 1] == "*" { pos += 2; return s + ":*" }
            if isNameStart(chars[pos + 1]) {
                s.append(":"); pos += 1
                while pos < chars.count, isNameChar(chars[pos]) { s.append(chars[pos]); pos += 1 }
            }
        }
        return s
    }
}

// MARK: - Parser

public struct XPathParser {
    private var tokens: [Token]
    private var i = 0
    private let source: String
    private let namespaces: [String: String]

    /// Parses `expression`, resolving prefixes with `namespaces` (prefix → URI).
    public static func parse(_ expression: String, namespaces: [String: String]) throws(XPathSyntaxError) -> XPathExpr {
        var lexer = Lexer(expression)
        var p = XPathParser(tokens: try lexer.tokens(), source: expression, namespaces: namespaces)
        let e = try p.parseExpr()
        guard p.peek == .end else { throw p.error("unexpected \(p.peek)") }
        return e
    }

    private init(tokens: [Token], source: String, namespaces: [String: String]) {
        self.tokens = tokens
        self.source = source
        self.namespaces = namespaces
    }

    private var peek: Token { tokens[i] }
    private func peek(_ k: Int) -> Token { i + k < tokens.count ? tokens[i + k] : .end }
    private mutating func advance() -> Token { let t = tokens[i]; if i < tokens.count - 1 { i += 1 }; return t }
    private func error(_ m: String) -> XPathSyntaxError { XPathSyntaxError(message: m, expression: source) }
    private func isSymbol(_ s: String) -> Bool { peek == .symbol(s) }
    private func isKeyword(_ s: String) -> Bool { peek == .name(s) }

    private mutating func expect(_ s: String) throws(XPathSyntaxError) {
        guard advance() == .symbol(s) else { throw error("expected '\(s)'") }
    }

    private mutating func parseExpr() throws(XPathSyntaxError) -> XPathExpr {
        var items = [try parseExprSingle()]
        while isSymbol(",") { _ = advance(); items.append(try parseExprSingle()) }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func parseExprSingle() throws(XPathSyntaxError) -> XPathExpr {
        if case .name(let n) = peek, case .variable = peek(1) {
            if n == "every" || n == "some" || n == "for" {
                _ = advance()
                var bindings: [(String, XPathExpr)] = []
                repeat {
                    guard case .variable(let v) = advance() else { throw error("expected variable") }
                    guard advance() == .name("in") else { throw error("expected 'in'") }
                    bindings.append((v, try parseExprSingle()))
                } while isSymbol(",") && { _ = advance(); return true }()
                if n == "for" {
                    guard advance() == .name("return") else { throw error("expected 'return'") }
                    return .forExpr(bindings, try parseExprSingle())
                }
                guard advance() == .name("satisfies") else { throw error("expected 'satisfies'") }
                return .quantified(every: n == "every", bindings, try parseExprSingle())
            }
        }
        if isKeyword("if"), peek(1) == .symbol("(") {
            _ = advance(); _ = advance()
            let c = try parseExpr()
            try expect(")")
            guard advance() == .name("then") else { throw error("expected 'then'") }
            let t = try parseExprSingle()
            guard advance() == .name("else") else { throw error("expected 'else'") }
            return .ifExpr(c, t, try parseExprSingle())
        }
        return try parseOr()
    }

    private mutating func parseOr() throws(XPathSyntaxError) -> XPathExpr {
        var l = try parseAnd()
        while isKeyword("or") { _ = advance(); l = .or(l, try parseAnd()) }
        return l
    }

    private mutating func parseAnd() throws(XPathSyntaxError) -> XPathExpr {
        var l = try parseComparison()
        while isKeyword("and") { _ = advance(); l = .and(l, try parseComparison()) }
        return l
    }

    private mutating func parseComparison() throws(XPathSyntaxError) -> XPathExpr {
        let l = try parseRange()
        let general: [String: CompareOp] = ["=": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge]
        let value: [String: CompareOp] = ["eq": .eq, "ne": .ne, "lt": .lt, "le": .le, "gt": .gt, "ge": .ge]
        if case .symbol(let s) = peek, let op = general[s] { _ = advance(); return .generalCompare(op, l, try parseRange()) }
        if case .name(let s) = peek, let op = value[s] { _ = advance(); return .valueCompare(op, l, try parseRange()) }
        if isKeyword("is") { _ = advance(); return .nodeIs(l, try parseRange()) }
        return l
    }

    private mutating func parseRange() throws(XPathSyntaxError) -> XPathExpr {
        let l = try parseAdditive()
        if isKeyword("to") { _ = advance(); return .range(l, try parseAdditive()) }
        return l
    }

    private mutating func parseAdditive() throws(XPathSyntaxError) -> XPathExpr {
        var l = try parseMultiplicative()
        while true {
            if isSymbol("+") { _ = advance(); l = .arithmetic(.add, l, try parseMultiplicative()) } else if isSymbol("-") {
                _ = advance(); l = .arithmetic(.sub, l, try parseMultiplicative())
            } else { return l }
        }
    }

    private mutating func parseMultiplicative() throws(XPathSyntaxError) -> XPathExpr {
        var l = try parseUnion()
        while true {
            if isSymbol("*") { _ = advance(); l = .arithmetic(.mul, l, try parseUnion()) } else if isKeyword("div") {
                _ = advance(); l = .arithmetic(.div, l, try parseUnion())
            } else if isKeyword("idiv") { _ = advance(); l = .arithmetic(.idiv, l, try parseUnion()) } else if isKeyword("mod") {
                _ = advance(); l = .arithmetic(.mod, l, try parseUnion())
            } else { return l }
        }
    }

    private mutating func parseUnion() throws(XPathSyntaxError) -> XPathExpr {
        var l = try parseIntersect()
        while isSymbol("|") || isKeyword("union") { _ = advance(); l = .union(l, try parseIntersect()) }
        return l
    }

    private mutating func parseIntersect() throws(XPathSyntaxError) -> XPathExpr {
        var l = try parseInstanceOf()
        while true {
            if isKeyword("intersect") { _ = advance(); l = .intersect(l, try parseInstanceOf()) } else if isKeyword("except") {
                _ = advance(); l = .except(l, try parseInstanceOf())
            } else { return l }
        }
    }

    private mutating func parseInstanceOf() throws(XPathSyntaxError) -> XPathExpr {
        let l = try parseCastable()
        if isKeyword("instance"), peek(1) == .name("of") {
            _ = advance(); _ = advance()
            return .instanceOf(l, try parseSequenceType())
        }
        return l
    }

    private mutating func parseSequenceType() throws(XPathSyntaxError) -> String {
        guard case .name(var t) = advance() else { throw error("expected a type") }
        if isSymbol("(") { _ = advance(); try expect(")"); t += "()" }
        if isSymbol("?") || isSymbol("*") || isSymbol("+") { if case .symbol(let s) = advance() { t += s } }
        return t
    }

    private mutating func parseCastable() throws(XPathSyntaxError) -> XPathExpr {
        let l = try parseCast()
        if isKeyword("castable"), peek(1) == .name("as") {
            _ = advance(); _ = advance()
            guard case .name(let t) = advance() else { throw error("expected a type") }
            let opt = isSymbol("?")
            if opt { _ = advance() }
            return .castable(l, t, optional: opt)
        }
        return l
    }

    private mutating func parseCast() throws(XPathSyntaxError) -> XPathExpr {
        let l = try parseUnary()
        if isKeyword("cast"), peek(1) == .name("as") {
            _ = advance(); _ = advance()
            guard case .name(let t) = advance() else { throw error("expected a type") }
            let opt = isSymbol("?")
            if opt { _ = advance() }
            return .cast(l, t, optional: opt)
        }
        return l
    }

    private mutating func parseUnary() throws(XPathSyntaxError) -> XPathExpr {
        if isSymbol("-") { _ = advance(); return .negate(try parseUnary()) }
        if isSymbol("+") { _ = advance(); return try parseUnary() }
        return try parsePath()
    }

    // PathExpr: ("/" RelativePath?) | ("//" RelativePath) | RelativePath
    private mutating func parsePath() throws(XPathSyntaxError) -> XPathExpr {
        if isSymbol("/") {
            _ = advance()
            if startsStep() { return try parseRelative(from: .root) }
            return .root
        }
        if isSymbol("//") {
            _ = advance()
            let base: XPathExpr = .slash(.root, .step(.descendantOrSelf, .anyNode, []))
            return try parseRelative(from: base)
        }
        let first = try parseStep()
        return try continueRelative(first)
    }

    private mutating func parseRelative(from base: XPathExpr) throws(XPathSyntaxError) -> XPathExpr {
        let step = try parseStep()
        return try continueRelative(.slash(base, step))
    }

    private mutating func continueRelative(_ start: XPathExpr) throws(XPathSyntaxError) -> XPathExpr {
        var e = start
        while true {
            if isSymbol("/") { _ = advance(); e = .slash(e, try parseStep()) } else if isSymbol("//") {
                _ = advance()
                e = .slash(.slash(e, .step(.descendantOrSelf, .anyNode, [])), try parseStep())
            } else { return e }
        }
    }

    private func startsStep() -> Bool {
        switch peek {
        case .name, .string, .integer, .decimal, .double, .variable: return !isKeywordOperator
        case .symbol(let s): return ["@", ".", "..", "*", "("].contains(s)
        case .end: return false
        }
    }

    private var isKeywordOperator: Bool {
        if case .name(let n) = peek, ["and", "or", "div", "idiv", "mod", "eq", "ne", "lt", "le", "gt", "ge", "to", "union",
                                       "intersect", "except", "is", "then", "else", "return", "satisfies", "in", "instance", "castable", "cast"].contains(n) {
            // a keyword only when something follows that makes it an operator; the artefacts never use these as element names
            return true
        }
        return false
    }

    private mutating func parseStep() throws(XPathSyntaxError) -> XPathExpr {
        // Abbreviated steps
        if isSymbol("..") { _ = advance(); return try withPredicates(.step(.parent, .anyNode, [])) }
        if isSymbol(".") { _ = advance(); return try withFilterPredicates(.contextItem) }
        if isSymbol("@") {
            _ = advance()
            let test = try parseNodeTest(attribute: true)
            return try withPredicates(.step(.attribute, test, []))
        }
        if case .name(let n) = peek, peek(1) == .symbol("::") {
            _ = advance(); _ = advance()
            let axes: [String: Axis] = [
                "child": .child, "descendant": .descendant, "descendant-or-self": .descendantOrSelf, "parent": .parent,
                "ancestor": .ancestor, "ancestor-or-self": .ancestorOrSelf, "self": .selfAxis, "attribute": .attribute,
                "following-sibling": .followingSibling, "preceding-sibling": .precedingSibling, "following": .following,
                "preceding": .preceding,
            ]
            guard let axis = axes[n] else { throw error("unsupported axis \(n)") }
            return try withPredicates(.step(axis, try parseNodeTest(attribute: axis == .attribute), []))
        }
        // Primary expressions (filter expressions)
        switch peek {
        case .string(let s): _ = advance(); return try withFilterPredicates(.string(s))
        case .integer(let v): _ = advance(); return try withFilterPredicates(.integer(v))
        case .decimal(let v): _ = advance(); return try withFilterPredicates(.decimal(v))
        case .double(let v): _ = advance(); return try withFilterPredicates(.double(v))
        case .variable(let v): _ = advance(); return try withFilterPredicates(.variable(v))
        case .symbol("("):
            _ = advance()
            if isSymbol(")") { _ = advance(); return try withFilterPredicates(.sequence([])) }
            let e = try parseExpr()
            try expect(")")
            return try withFilterPredicates(e)
        case .name(let n) where peek(1) == .symbol("(") && !["node", "text", "comment", "element", "attribute", "processing-instruction"].contains(n):
            _ = advance(); _ = advance()
            var args: [XPathExpr] = []
            if !isSymbol(")") {
                args.append(try parseExprSingle())
                while isSymbol(",") { _ = advance(); args.append(try parseExprSingle()) }
            }
            try expect(")")
            if n == "contains", args.count == 2, case .string(let list) = args[0], list.hasPrefix(" "), list.hasSuffix(" ") {
                let tokens = Set(list.split(separator: " ").map(String.init))
                return try withFilterPredicates(.inTokenList(tokens, list, args[1]))
            }
            let plain = n.hasPrefix("fn:") ? String(n.dropFirst(3)) : n
            if let b = Builtin(rawValue: plain) { return try withFilterPredicates(.builtin(b, args)) }
            return try withFilterPredicates(.function(n, args))
        default:
            return try withPredicates(.step(.child, try parseNodeTest(attribute: false), []))
        }
    }

    private mutating func parseNodeTest(attribute: Bool) throws(XPathSyntaxError) -> NodeTest {
        switch advance() {
        case .symbol("*"): return .anyElement
        case .name(let n):
            if isSymbol("(") {
                _ = advance()
                // element(), attribute() without arguments only
                try expect(")")
                switch n {
                case "node": return .anyNode
                case "text": return .text
                case "comment": return .comment
                case "element", "attribute": return .anyElement
                default: throw error("unsupported kind test \(n)()")
                }
            }
            if n.hasPrefix("*:") { return .localWildcard(String(n.dropFirst(2))) }
            if n.hasSuffix(":*") {
                let prefix = String(n.dropLast(2))
                guard let uri = namespaces[prefix] else { throw error("unknown prefix \(prefix)") }
                return .namespaceWildcard(uri)
            }
            if let colon = n.firstIndex(of: ":") {
                let prefix = String(n[..<colon])
                guard let uri = namespaces[prefix] else { throw error("unknown prefix \(prefix)") }
                let q = QName(uri, String(n[n.index(after: colon)...]))
                return .name(q, NameTable.shared.id(q))
            }
            // Unprefixed names are in no namespace (XPath 2.0 default element namespace is unset in the artefacts)
            return .name(QName("", n), NameTable.shared.id(QName("", n)))
        default:
            throw error("expected a node test")
        }
    }

    private mutating func parsePredicates() throws(XPathSyntaxError) -> [XPathExpr] {
        var preds: [XPathExpr] = []
        while isSymbol("[") {
            _ = advance()
            preds.append(try parseExpr())
            try expect("]")
        }
        return preds
    }

    private mutating func withPredicates(_ step: XPathExpr) throws(XPathSyntaxError) -> XPathExpr {
        guard case .step(let axis, let test, _) = step else { return step }
        return .step(axis, test, try parsePredicates())
    }

    private mutating func withFilterPredicates(_ primary: XPathExpr) throws(XPathSyntaxError) -> XPathExpr {
        let preds = try parsePredicates()
        return preds.isEmpty ? primary : .filter(primary, preds)
    }
}
