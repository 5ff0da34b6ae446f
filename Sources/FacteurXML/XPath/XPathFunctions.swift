import Foundation

// Comparison, arithmetic, casting and the function library, following XPath 2.0's rules for
// untyped values (no schema): untyped compared with a number is cast to xs:double, with a
// string compared as a string; arithmetic on untyped values is done in xs:double.
extension XPathEvaluator {

    // MARK: Comparison

    func generalCompare(_ op: CompareOp, _ l: XPathSequence, _ r: XPathSequence) throws(XPathError) -> Bool {
        for a in l {
            for b in r where try compareValues(op, a, b, general: true) { return true }
        }
        return false
    }

    func compareValues(_ op: CompareOp, _ a: XPathItem, _ b: XPathItem, general: Bool) throws(XPathError) -> Bool {
        var a = a, b = b
        // Bring untyped values to the other side's type.
        switch (a, b) {
        case (.untyped(let x), .untyped(let y)):
            if x == y { return compareOrdered(op, 0) }
            if op == .eq || op == .ne { return op == .ne }
            return compareOrdered(op, x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1)
        case (.untyped(let x), _):
            a = try general ? promoteUntyped(x, like: b) : .string(x)
        case (_, .untyped(let y)):
            b = try general ? promoteUntyped(y, like: a) : .string(y)
        default: break
        }
        if case .untyped(let x) = a { a = .string(x) }
        if case .untyped(let y) = b { b = .string(y) }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            if x == y { return compareOrdered(op, 0) }
            if op == .eq || op == .ne { return op == .ne }
            return compareOrdered(op, x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1)
        case (.boolean(let x), .boolean(let y)):
            return compareOrdered(op, x == y ? 0 : (!x && y ? -1 : 1))
        case (.date(let x), .date(let y)):
            return compareOrdered(op, x == y ? 0 : (x < y ? -1 : 1))
        default:
            guard let c = try compareNumbers(a, b) else {
                throw XPathError(code: "XPTY0004", message: "cannot compare \(a) with \(b)")
            }
            if c == 2 { return op == .ne } // NaN
            return compareOrdered(op, c)
        }
    }

    private func compareOrdered(_ op: CompareOp, _ c: Int) -> Bool {
        switch op {
        case .eq: return c == 0
        case .ne: return c != 0
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        case .ge: return c >= 0
        }
    }

    private func promoteUntyped(_ s: String, like other: XPathItem) throws(XPathError) -> XPathItem {
        switch other {
        case .integer, .decimal, .double: return .double(try XPathEvaluator.parseDouble(s))
        case .boolean: return try cast(.string(s), to: "xs:boolean")
        case .date: return try cast(.string(s), to: "xs:date")
        default: return .string(s)
        }
    }

    /// -1, 0, 1, 2 for unordered (NaN), nil when not both numeric.
    private func compareNumbers(_ a: XPathItem, _ b: XPathItem) throws(XPathError) -> Int? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.double, _), (_, .double):
            guard let x = numericValue(a), let y = numericValue(b) else { return nil }
            if x.isNaN || y.isNaN { return 2 }
            return x == y ? 0 : (x < y ? -1 : 1)
        default:
            guard let x = decimalValue(a), let y = decimalValue(b) else { return nil }
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    func decimalValue(_ x: XPathItem) -> XPathDecimal? {
        switch x {
        case .integer(let v): return XPathDecimal(v)
        case .decimal(let d): return d
        default: return nil
        }
    }

    // MARK: Arithmetic

    func arithmetic(_ op: ArithOp, _ a: XPathItem, _ b: XPathItem) throws(XPathError) -> XPathItem {
        var a = a, b = b
        if case .untyped(let s) = a { a = .double(try XPathEvaluator.parseDouble(s)) }
        if case .untyped(let s) = b { b = .double(try XPathEvaluator.parseDouble(s)) }
        switch (a, b) {
        case (.integer(let x), .integer(let y)):
            switch op {
            case .add: return .integer(x &+ y)
            case .sub: return .integer(x &- y)
            case .mul: return .integer(x &* y)
            case .div:
                guard y != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
                return .decimal(try XPathDecimal.divide(XPathDecimal(x), XPathDecimal(y)))
            case .idiv:
                guard y != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
                let (q, o) = x.dividedReportingOverflow(by: y)
                if o { throw XPathError(code: "FOAR0002", message: "integer overflow") }
                return .integer(q)
            case .mod:
                guard y != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
                let (r, o) = x.remainderReportingOverflow(dividingBy: y)
                if o { throw XPathError(code: "FOAR0002", message: "integer overflow") }
                return .integer(r)
            }
        case (.double, _), (_, .double):
            guard let x = numericValue(a), let y = numericValue(b) else {
                throw XPathError(code: "XPTY0004", message: "arithmetic on non-numeric values")
            }
            switch op {
            case .add: return .double(x + y)
            case .sub: return .double(x - y)
            case .mul: return .double(x * y)
            case .div: return .double(x / y)
            case .idiv:
                guard y != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
                return .integer(try XPathEvaluator.integer(fromDouble: (x / y).rounded(.towardZero)))
            case .mod: return .double(x.truncatingRemainder(dividingBy: y))
            }
        default:
            guard let x = decimalValue(a), let y = decimalValue(b) else {
                throw XPathError(code: "XPTY0004", message: "arithmetic on non-numeric values")
            }
            switch op {
            case .add: return .decimal(try XPathDecimal.add(x, y))
            case .sub: return .decimal(try XPathDecimal.subtract(x, y))
            case .mul: return .decimal(try XPathDecimal.multiply(x, y))
            case .div: return .decimal(try XPathDecimal.divide(x, y))
            case .idiv: return .integer(try XPathDecimal.integerDivide(x, y))
            case .mod: return .decimal(try XPathDecimal.modulo(x, y))
            }
        }
    }

    // MARK: Casting

    /// XML whitespace trimmed, without Foundation (this runs for every number read).
    static func xmlTrim(_ s: String) -> Substring {
        let u = s.utf8
        var a = u.startIndex, b = u.endIndex
        func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        while a < b, ws(u[a]) { a = u.index(after: a) }
        while b > a, ws(u[u.index(before: b)]) { b = u.index(before: b) }
        return s[a..<b]
    }

    static func parseDouble(_ raw: String) throws(XPathError) -> Double {
        let s = xmlTrim(raw)
        switch s {
        case "INF", "+INF": return .infinity
        case "-INF": return -.infinity
        case "NaN": return .nan
        default: break
        }
        // XSD lexical space only: digits, one dot, an exponent — no hex, no "inf"/"nan" spellings.
        var sawDigit = false, sawDot = false, sawExp = false
        var prev: UInt8 = 0
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."): if sawDot || sawExp { throw notANumber(raw) }; sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): if sawExp || !sawDigit { throw notANumber(raw) }; sawExp = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if !(prev == 0 || prev == UInt8(ascii: "e") || prev == UInt8(ascii: "E")) { throw notANumber(raw) }
            default: throw notANumber(raw)
            }
            prev = c
        }
        guard sawDigit, let d = Double(s) else { throw notANumber(raw) }
        return d
    }

    private static func notANumber(_ raw: String) -> XPathError {
        XPathError(code: "FORG0001", message: "'\(raw)' is not a number")
    }

    /// xs:decimal's lexical form: optional sign, digits, optional fraction; no exponent.
    static func parseDecimal(_ raw: String) throws(XPathError) -> XPathDecimal {
        guard let d = XPathDecimal(lexical: xmlTrim(raw)) else {
            throw XPathError(code: "FORG0001", message: "'\(raw)' is not a decimal")
        }
        return d
    }

    static let posix = Locale(identifier: "en_US_POSIX")

    func cast(_ x: XPathItem, to type: String) throws(XPathError) -> XPathItem {
        let t = type.hasPrefix("xs:") ? String(type.dropFirst(3)) : type
        switch t {
        case "string", "normalizedString", "token", "anyURI": return .string(stringValue(x))
        case "untypedAtomic": return .untyped(stringValue(x))
        case "decimal":
            switch x {
            case .decimal: return x
            case .integer(let v): return .decimal(XPathDecimal(v))
            case .double(let d):
                guard d.isFinite else { throw XPathError(code: "FOCA0002", message: "cannot cast \(d) to xs:decimal") }
                guard let v = XPathDecimal(d) else { throw XPathError(code: "FOCA0001", message: "\(d) is out of xs:decimal's range") }
                return .decimal(v)
            case .boolean(let b): return .decimal(XPathDecimal(b ? 1 : 0))
            case .string(let s), .untyped(let s): return .decimal(try XPathEvaluator.parseDecimal(s))
            case .node(let n): return .decimal(try XPathEvaluator.parseDecimal(tree.stringValue(n)))
            case .date: throw XPathError(code: "XPTY0004", message: "cannot cast a date to xs:decimal")
            }
        case "double", "float":
            switch x {
            case .double: return x
            case .integer, .decimal: return .double(numericValue(x)!)
            case .boolean(let b): return .double(b ? 1 : 0)
            case .string(let s), .untyped(let s): return .double(try XPathEvaluator.parseDouble(s))
            case .node(let n): return .double(try XPathEvaluator.parseDouble(tree.stringValue(n)))
            case .date: throw XPathError(code: "XPTY0004", message: "cannot cast a date to xs:double")
            }
        case "integer", "int", "long", "nonNegativeInteger", "positiveInteger":
            switch x {
            case .integer: return x
            case .decimal(let d): return .integer(d.intValue)
            case .double(let d):
                guard d.isFinite else { throw XPathError(code: "FOCA0002", message: "cannot cast \(d) to xs:integer") }
                return .integer(try XPathEvaluator.integer(fromDouble: d.rounded(.towardZero)))
            case .boolean(let b): return .integer(b ? 1 : 0)
            default:
                let s = String(XPathEvaluator.xmlTrim(stringValue(x)))
                guard let v = Int(s.hasPrefix("+") ? String(s.dropFirst()) : s) else {
                    throw XPathError(code: "FORG0001", message: "'\(s)' is not an integer")
                }
                return .integer(v)
            }
        case "boolean":
            switch x {
            case .boolean: return x
            case .integer, .decimal, .double: return .boolean((numericValue(x) ?? 0) != 0)
            default:
                switch String(XPathEvaluator.xmlTrim(stringValue(x))) {
                case "true", "1": return .boolean(true)
                case "false", "0": return .boolean(false)
                default: throw XPathError(code: "FORG0001", message: "'\(stringValue(x))' is not a boolean")
                }
            }
        case "date":
            if case .date = x { return x }
            let s = String(XPathEvaluator.xmlTrim(stringValue(x)))
            guard let d = XPathEvaluator.parseDate(s) else { throw XPathError(code: "FORG0001", message: "'\(s)' is not a valid xs:date") }
            return .date(d)
        default:
            throw XPathError(code: "XPST0051", message: "unsupported type \(type)")
        }
    }

    /// YYYY-MM-DD with an optional time zone, validated (no 2023-02-30).
    static func parseDate(_ s: String) -> Int? {
        let u = Array(s.utf8)
        guard u.count >= 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard u[i] >= 48 && u[i] <= 57 else { return nil }; v = v * 10 + Int(u[i] - 48) }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m), d >= 1 else { return nil }
        let tz = String(decoding: u[10...], as: UTF8.self)
        if !tz.isEmpty && tz != "Z" {
            guard tz.count == 6, tz.first == "+" || tz.first == "-" else { return nil }
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d <= lengths[m - 1] else { return nil }
        // days from civil (Howard Hinnant's algorithm)
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe
    }

    static func formatDate(_ days: Int) -> String {
        let z = days
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    func instanceOf(_ v: XPathSequence, _ type: String) -> Bool {
        var base = type
        var occ: Character = " "
        if let last = base.last, "?*+".contains(last) { occ = last; base.removeLast() }
        switch occ {
        case "?": if v.count > 1 { return false }
        case "*": break
        case "+": if v.isEmpty { return false }
        default: if v.count != 1 { return false }
        }
        return v.allSatisfy { item in
            switch (base, item) {
            case ("item()", _): return true
            case ("node()", .node), ("element()", .node): return true
            case ("xs:string", .string): return true
            case ("xs:untypedAtomic", .untyped): return true
            case ("xs:integer", .integer): return true
            case ("xs:decimal", .decimal), ("xs:decimal", .integer): return true
            case ("xs:double", .double): return true
            case ("xs:boolean", .boolean): return true
            case ("xs:date", .date): return true
            case ("xs:anyAtomicType", let x): if case .node = x { return false }; return true
            default: return false
            }
        }
    }

    /// Where `needle` first occurs in `hay`, in UTF-8 bytes. The generic `firstRange(of:)` of the
    /// standard library costs more than the whole rest of a `contains()` call.
    static func byteOffset(of needle: String, in hay: String) -> Int? {
        let n = needle.utf8.count, h = hay.utf8.count
        if n == 0 { return 0 }
        if n > h { return nil }
        func search(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int? {
            let first = b[0]
            var i = 0
            let last = a.count - b.count
            outer: while i <= last {
                if a[i] == first {
                    var k = 1
                    while k < b.count { if a[i + k] != b[k] { i += 1; continue outer }; k += 1 }
                    return i
                }
                i += 1
            }
            return nil
        }
        // Native strings are contiguous UTF-8; bridged ones are copied first.
        if let r = hay.utf8.withContiguousStorageIfAvailable({ a -> Int?? in
            needle.utf8.withContiguousStorageIfAvailable { b in search(a, b) }
        }), let found = r {
            return found
        }
        let a = Array(hay.utf8), b = Array(needle.utf8)
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in search(a, b) } }
    }

    static func upperCase(_ v: String) -> String {
        // ASCII (codes, identifiers) needs no Unicode case tables.
        if v.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(decoding: v.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 32 : $0 }, as: UTF8.self)
        }
        return v.uppercased()
    }

    /// `normalize-space(p)`, `upper-case(p)` and their nestings over a simple path, computed as
    /// `call` does (same value, same error when the path selects several nodes) but without
    /// sequences: the usual left side of `[normalize-space(cbc:ID) = 'S']`. Nil for other shapes.
    func stringOfPath(_ e: XPathExpr, _ n: Int32) throws(XPathError) -> String? {
        guard case .builtin(let b, let args) = e, args.count == 1, b == .normalizeSpace || b == .upperCase else { return nil }
        let inner: String
        if case .simplePath(let steps) = args[0] {
            var nodes = NodeCollector()
            pathNodes(steps[...], from: n, into: &nodes)
            if nodes.count > 1 {
                throw XPathError(code: "XPTY0004", message: "\(b.rawValue)() expects at most one item, got \(nodes.count)")
            }
            inner = nodes.first >= 0 ? tree.stringValue(nodes.first) : ""
        } else if let s = try stringOfPath(args[0], n) {
            inner = s
        } else {
            return nil
        }
        return b == .normalizeSpace ? XPathEvaluator.normalizeSpace(inner) : XPathEvaluator.upperCase(inner)
    }

    // MARK: Quantifiers

    func quantify(every: Bool, _ bindings: ArraySlice<(String, XPathExpr)>, _ body: XPathExpr, _ f: Focus) throws(XPathError) -> Bool {
        guard let (name, expr) = bindings.first else { return try ebv(try eval(body, f)) }
        let items = try eval(expr, f)
        let mark = scope.count
        scope.append((name, XPathSequence()))
        defer { unbind(to: mark) }
        for item in items {
            scope[mark].value = XPathSequence(item)
            let r = try quantify(every: every, bindings.dropFirst(), body, f)
            if every && !r { return false }
            if !every && r { return true }
        }
        return every
    }

    func forEach(_ bindings: ArraySlice<(String, XPathExpr)>, _ body: XPathExpr, _ f: Focus) throws(XPathError) -> XPathSequence {
        guard let (name, expr) = bindings.first else { return try eval(body, f) }
        let items = try eval(expr, f)
        let mark = scope.count
        scope.append((name, XPathSequence()))
        defer { unbind(to: mark) }
        var out: XPathSequence = []
        for item in items {
            scope[mark].value = XPathSequence(item)
            out += try forEach(bindings.dropFirst(), body, f)
        }
        return out
    }

    // MARK: Functions

    func one(_ s: XPathSequence, _ fn: String) throws(XPathError) -> XPathItem? {
        if s.isEmpty { return nil }
        guard s.count == 1 else { throw XPathError(code: "XPTY0004", message: "\(fn)() expects at most one item, got \(s.count)") }
        return s[0]
    }

    func str(_ e: XPathExpr, _ f: Focus, _ fn: String) throws(XPathError) -> String {
        // The arguments string functions get most often — the context node, a simple path, a
        // literal, nested normalize-space/upper-case/concat — read without building, atomizing
        // and unboxing sequences: same value, same errors, in the same order as `call`.
        switch e {
        case .contextItem:
            if case .node(let n) = f.item { return tree.stringValue(n) }
        case .simplePath(let steps):
            guard case .node(let n) = f.item else { break }
            var nodes = NodeCollector()
            pathNodes(steps[...], from: n, into: &nodes)
            if nodes.first < 0 { return "" }
            if nodes.rest.isEmpty { return tree.stringValue(nodes.first) }
            throw XPathError(code: "XPTY0004", message: "\(fn)() expects at most one item, got \(nodes.count)")
        case .string(let s):
            return s
        case .builtin(.normalizeSpace, let args) where args.count == 1:
            return XPathEvaluator.normalizeSpace(try str(args[0], f, Builtin.normalizeSpace.rawValue))
        case .builtin(.upperCase, let args) where args.count == 1:
            return XPathEvaluator.upperCase(try str(args[0], f, Builtin.upperCase.rawValue))
        case .builtin(.concat, let args):
            var s = ""
            for a in args { s += try str(a, f, Builtin.concat.rawValue) }
            return s
        default:
            break
        }
        guard let item = try one(try atomize(try eval(e, f)), fn) else { return "" }
        return stringValue(item)
    }

    /// A double as an integer, refusing what does not fit instead of trapping (document values are hostile input).
    static func integer(fromDouble d: Double) throws(XPathError) -> Int {
        guard d.isFinite, d > -9.2e18, d < 9.2e18 else { throw XPathError(code: "FOCA0003", message: "\(d) does not fit an xs:integer") }
        return Int(d)
    }

    public static func normalizeSpace(_ s: String) -> String {
        // Most values are already normal: no leading, trailing or doubled whitespace.
        var clean = true
        var prevSpace = true
        for c in s.utf8 {
            let ws = c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
            if ws && (prevSpace || c != 0x20) { clean = false; break }
            prevSpace = ws
        }
        if clean && !prevSpace { return s }
        if clean && s.isEmpty { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        for c in s.unicodeScalars {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.unicodeScalars.append(" "); pendingSpace = false }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    func call(_ builtin: Builtin, _ args: [XPathExpr], _ f: Focus) throws(XPathError) -> XPathSequence {
        let local = builtin.rawValue
        let name = local
        func arity(_ n: ClosedRange<Int>) throws(XPathError) {
            guard n.contains(args.count) else { throw XPathError(code: "XPST0017", message: "\(name)() takes \(n) arguments") }
        }
        func contextString() throws(XPathError) -> String { stringValue(f.item) }
        switch builtin {
        case .`true`: return XPathSequence(.boolean(true))
        case .`false`: return XPathSequence(.boolean(false))
        case .not: try arity(1...1); return XPathSequence(.boolean(!(try truth(args[0], f))))
        case .boolean: try arity(1...1); return XPathSequence(.boolean(try truth(args[0], f)))
        case .exists: try arity(1...1); return XPathSequence(.boolean(try exists(args[0], f)))
        case .empty: try arity(1...1); return XPathSequence(.boolean(!(try exists(args[0], f))))
        case .count: try arity(1...1); return XPathSequence(.integer(try eval(args[0], f).count))
        case .position: return XPathSequence(.integer(f.position))
        case .last: return XPathSequence(.integer(f.size))
        case .current:
            return currentNode >= 0 ? XPathSequence(.node(currentNode)) : XPathSequence(f.item)
        case .string:
            if args.isEmpty { return XPathSequence(.string(try contextString())) }
            return XPathSequence(.string(try str(args[0], f, local)))
        case .data: try arity(1...1); return try atomize(try eval(args[0], f))
        case .normalizeSpace:
            let s = args.isEmpty ? try contextString() : try str(args[0], f, local)
            return XPathSequence(.string(XPathEvaluator.normalizeSpace(s)))
        case .stringLength:
            let s = args.isEmpty ? try contextString() : try str(args[0], f, local)
            return XPathSequence(.integer(s.unicodeScalars.count))
        case .upperCase:
            try arity(1...1)
            return XPathSequence(.string(XPathEvaluator.upperCase(try str(args[0], f, local))))
        case .lowerCase: try arity(1...1); return XPathSequence(.string(try str(args[0], f, local).lowercased()))
        case .concat:
            var s = ""
            for a in args { s += try str(a, f, local) }
            return XPathSequence(.string(s))
        case .contains:
            try arity(2...3)
            let a = try str(args[0], f, local), b = try str(args[1], f, local)
            return XPathSequence(.boolean(b.isEmpty || XPathEvaluator.byteOffset(of: b, in: a) != nil))
        case .startsWith:
            try arity(2...3); return XPathSequence(.boolean(try str(args[0], f, local).hasPrefix(try str(args[1], f, local))))
        case .endsWith:
            try arity(2...3); return XPathSequence(.boolean(try str(args[0], f, local).hasSuffix(try str(args[1], f, local))))
        case .substringAfter:
            try arity(2...3)
            let a = try str(args[0], f, local), b = try str(args[1], f, local)
            if b.isEmpty { return XPathSequence(.string(a)) }
            guard let k = XPathEvaluator.byteOffset(of: b, in: a) else { return XPathSequence(.string("")) }
            return XPathSequence(.string(String(a[a.utf8.index(a.utf8.startIndex, offsetBy: k + b.utf8.count)...])))
        case .substringBefore:
            try arity(2...3)
            let a = try str(args[0], f, local), b = try str(args[1], f, local)
            guard !b.isEmpty, let k = XPathEvaluator.byteOffset(of: b, in: a) else { return XPathSequence(.string("")) }
            return XPathSequence(.string(String(a[..<a.utf8.index(a.utf8.startIndex, offsetBy: k)])))
        case .substring:
            try arity(2...3)
            let s = Array(try str(args[0], f, local).unicodeScalars)
            guard let startItem = try one(try atomize(try eval(args[1], f)), local),
                  let start = numericValue(try cast(startItem, to: "xs:double")) else { return XPathSequence(.string("")) }
            var len = Double.infinity
            if args.count == 3 {
                guard let li = try one(try atomize(try eval(args[2], f)), local), let l = numericValue(try cast(li, to: "xs:double")) else { return XPathSequence(.string("")) }
                len = l
            }
            let rs = XPathEvaluator.xpathRound(start)
            let end = len.isInfinite ? Double.infinity : rs + XPathEvaluator.xpathRound(len)
            var out = String.UnicodeScalarView()
            for (i, c) in s.enumerated() {
                let p = Double(i + 1)
                if p >= rs && p < end { out.append(c) }
            }
            return XPathSequence(.string(String(out)))
        case .translate:
            try arity(3...3)
            let s = try str(args[0], f, local)
            let from = Array(try str(args[1], f, local).unicodeScalars), to = Array(try str(args[2], f, local).unicodeScalars)
            var out = String.UnicodeScalarView()
            for c in s.unicodeScalars {
                if let i = from.firstIndex(of: c) { if i < to.count { out.append(to[i]) } } else { out.append(c) }
            }
            return XPathSequence(.string(String(out)))
        case .matches:
            try arity(2...3)
            let s = try str(args[0], f, local), pattern = try str(args[1], f, local)
            let flags = args.count == 3 ? try str(args[2], f, local) : ""
            return XPathSequence(.boolean(try XPathEvaluator.regexMatches(s, pattern, flags)))
        case .replace:
            try arity(3...4)
            let s = try str(args[0], f, local), pattern = try str(args[1], f, local), repl = try str(args[2], f, local)
            let re = try XPathEvaluator.regex(pattern, "")
            let ns = s as NSString
            return XPathSequence(.string(re.stringByReplacingMatches(in: s, range: NSRange(location: 0, length: ns.length), withTemplate: repl)))
        case .tokenize:
            try arity(1...3)
            let s = try str(args[0], f, local)
            if args.count == 1 { return XPathSequence(s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map { XPathItem.string(String($0)) }) }
            let pattern = try str(args[1], f, local)
            if s.isEmpty { return [] }
            let re = try XPathEvaluator.regex(pattern, "")
            let ns = s as NSString
            var out: XPathSequence = []
            var start = 0
            for m in re.matches(in: s, range: NSRange(location: 0, length: ns.length)) {
                out.append(.string(ns.substring(with: NSRange(location: start, length: m.range.location - start))))
                start = m.range.location + m.range.length
            }
            out.append(.string(ns.substring(from: start)))
            return out
        case .stringJoin:
            try arity(1...2)
            let items = try atomize(try eval(args[0], f)).map(stringValue)
            let sep = args.count == 2 ? try str(args[1], f, local) : ""
            return XPathSequence(.string(items.joined(separator: sep)))
        case .stringToCodepoints:
            try arity(1...1); return XPathSequence(try str(args[0], f, local).unicodeScalars.map { XPathItem.integer(Int($0.value)) })
        case .codepointsToString:
            try arity(1...1)
            var out = String.UnicodeScalarView()
            for x in try atomize(try eval(args[0], f)) {
                if case .integer(let v) = x, let u = Unicode.Scalar(v) { out.append(u) }
            }
            return XPathSequence(.string(String(out)))
        case .compare:
            try arity(2...3)
            let a = try str(args[0], f, local), b = try str(args[1], f, local)
            return XPathSequence(.integer(a == b ? 0 : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1)))
        case .normalizeUnicode: try arity(1...2); return XPathSequence(.string(try str(args[0], f, local)))
        case .name, .localName, .namespaceUri:
            let target: XPathItem?
            if args.isEmpty { target = f.item } else { target = try one(try eval(args[0], f), local) }
            guard case .node(let n)? = target, tree.nameID(n) >= 0 else { return XPathSequence(.string("")) }
            let q = NameTable.shared.name(tree.nameID(n))
            switch local {
            case "local-name": return XPathSequence(.string(q.local))
            case "namespace-uri": return XPathSequence(.string(q.namespace))
            default: return XPathSequence(.string(q.local)) // prefixes are not kept; the artefacts only use name() in location paths
            }
        case .root:
            return XPathSequence(.node(0))
        case .sum:
            try arity(1...2)
            let items = try atomize(try eval(args[0], f))
            if items.isEmpty { return args.count == 2 ? try eval(args[1], f) : XPathSequence(.integer(0)) }
            var acc: XPathItem = .integer(0)
            var first = true
            for x in items {
                var v = x
                if case .untyped(let s) = v { v = .double(try XPathEvaluator.parseDouble(s)) }
                if case .string = v { throw XPathError(code: "FORG0006", message: "sum() of strings") }
                acc = first ? v : try arithmetic(.add, acc, v)
                first = false
            }
            return [acc]
        case .avg, .max, .min:
            try arity(1...1)
            var items = try atomize(try eval(args[0], f))
            if items.isEmpty { return [] }
            items = XPathSequence(try items.map { x throws(XPathError) -> XPathItem in
                if case .untyped(let s) = x { return .double(try XPathEvaluator.parseDouble(s)) }
                return x
            })
            if local == "avg" {
                var acc = items[0]
                for x in items.dropFirst() { acc = try arithmetic(.add, acc, x) }
                return [try arithmetic(.div, acc, .integer(items.count))]
            }
            var best = items[0]
            for x in items.dropFirst() where try compareValues(local == "max" ? .gt : .lt, x, best, general: false) { best = x }
            return [best]
        case .abs, .floor, .ceiling, .round, .roundHalfToEven:
            try arity(1...2)
            guard var v = try one(try atomize(try eval(args[0], f)), local) else { return [] }
            if case .untyped(let s) = v { v = .double(try XPathEvaluator.parseDouble(s)) }
            var precision = 0
            if args.count == 2, case .integer(let p)? = try one(try atomize(try eval(args[1], f)), local) { precision = p }
            return [try XPathEvaluator.numericFunction(local, v, precision: precision)]
        case .number:
            let item: XPathItem? = args.isEmpty ? f.item : try one(try atomize(try eval(args[0], f)), local)
            guard let item else { return XPathSequence(.double(.nan)) }
            if let v = try? cast(item, to: "xs:double") { return [v] }
            return XPathSequence(.double(.nan))
        case .distinctValues:
            try arity(1...2)
            var out: XPathSequence = []
            for x in try atomize(try eval(args[0], f)) {
                var dup = false
                for y in out where (try? compareValues(.eq, x, y, general: false)) == true { dup = true; break }
                if !dup { out.append(x) }
            }
            return out
        case .reverse: try arity(1...1); return XPathSequence(try eval(args[0], f).reversed())
        case .indexOf:
            try arity(2...2)
            let seq = try atomize(try eval(args[0], f))
            guard let target = try one(try atomize(try eval(args[1], f)), local) else { return [] }
            var out: XPathSequence = []
            for (i, x) in seq.enumerated() where (try? compareValues(.eq, x, target, general: false)) == true { out.append(.integer(i + 1)) }
            return out
        case .subsequence:
            try arity(2...3)
            let seq = try eval(args[0], f)
            guard let s = try one(try atomize(try eval(args[1], f)), local).flatMap(numericValue) else { return [] }
            var l = Double.infinity
            if args.count == 3, let lv = try one(try atomize(try eval(args[2], f)), local).flatMap(numericValue) { l = lv }
            let start = XPathEvaluator.xpathRound(s)
            return XPathSequence(seq.enumerated().filter { i, _ in Double(i + 1) >= start && (l.isInfinite || Double(i + 1) < start + XPathEvaluator.xpathRound(l)) }.map { $0.1 })
        case .exactlyOne, .zeroOrOne, .oneOrMore:
            try arity(1...1)
            let v = try eval(args[0], f)
            if (local == "exactly-one" && v.count != 1) || (local == "zero-or-one" && v.count > 1) || (local == "one-or-more" && v.isEmpty) {
                throw XPathError(code: "FORG0005", message: "\(local)() called with \(v.count) items")
            }
            return v
        case .xsDecimal, .xsDouble, .xsFloat, .xsInteger, .xsInt, .xsString, .xsBoolean, .xsDate, .xsUntypedAtomic, .xsNormalizedString, .xsToken, .xsAnyURI, .xsLong:
            try arity(1...1)
            guard let v = try one(try atomize(try eval(args[0], f)), local) else { return [] }
            return [try cast(v, to: local)]
        case .document, .doc:
            throw XPathError(code: "FODC0002", message: "\(local)() is not available: validation never reads other documents")
        }
    }

    func callNamed(_ name: String, _ args: [XPathExpr], _ f: Focus) throws(XPathError) -> XPathSequence {
        if let fn = functions[name] { return try callUser(fn, name, args, f) }
        throw XPathError(code: "XPST0017", message: "unknown function \(name)()")
    }

    private func callUser(_ fn: XPathFunction, _ name: String, _ args: [XPathExpr], _ f: Focus) throws(XPathError) -> XPathSequence {
        guard fn.parameters.count == args.count else {
            throw XPathError(code: "XPST0017", message: "\(name)() takes \(fn.parameters.count) arguments")
        }
        guard depth < 64 else { throw XPathError(code: "XTDE0640", message: "recursion too deep in \(name)()") }
        var values: [XPathSequence] = []
        for a in args { values.append(try eval(a, f)) }
        let mark = scope.count
        defer { unbind(to: mark); depth -= 1 }
        depth += 1
        for (p, v) in zip(fn.parameters, values) { scope.append((p, v)) }
        for (n, e) in fn.lets { scope.append((n, try eval(e, f))) }
        return try eval(fn.body, f)
    }

    static func xpathRound(_ d: Double) -> Double { (d + 0.5).rounded(.down) }

    static func numericFunction(_ fn: String, _ v: XPathItem, precision: Int) throws(XPathError) -> XPathItem {
        switch v {
        case .integer(let i):
            switch fn {
            case "abs": return .integer(Swift.abs(i))
            default: return .integer(i)
            }
        case .decimal(let d):
            switch fn {
            case "abs": return .decimal(d.magnitude)
            case "floor": return .decimal(d.floor())
            case "ceiling": return .decimal(d.ceiling())
            case "round-half-to-even": return .decimal(d.rounded(precision, halfToEven: true))
            default: return .decimal(d.rounded(precision))
            }
        case .double(let d):
            switch fn {
            case "abs": return .double(Swift.abs(d))
            case "floor": return .double(d.rounded(.down))
            case "ceiling": return .double(d.rounded(.up))
            case "round-half-to-even":
                let s = pow(10.0, Double(precision))
                return .double((d * s).rounded(.toNearestOrEven) / s)
            default:
                if !d.isFinite { return .double(d) }
                let s = pow(10.0, Double(precision))
                return .double(((d * s) + 0.5).rounded(.down) / s)
            }
        default:
            throw XPathError(code: "XPTY0004", message: "\(fn)() expects a number")
        }
    }

    static let regexCache = RegexCache()

    static func regex(_ pattern: String, _ flags: String) throws(XPathError) -> NSRegularExpression {
        if let r = regexCache.get(pattern + "\u{0}" + flags) { return r }
        var opts: NSRegularExpression.Options = []
        if flags.contains("i") { opts.insert(.caseInsensitive) }
        if flags.contains("s") { opts.insert(.dotMatchesLineSeparators) }
        if flags.contains("m") { opts.insert(.anchorsMatchLines) }
        if flags.contains("x") { opts.insert(.allowCommentsAndWhitespace) }
        guard let re = try? NSRegularExpression(pattern: pattern, options: opts) else {
            throw XPathError(code: "FORX0002", message: "invalid regular expression \(pattern)")
        }
        regexCache.put(pattern + "\u{0}" + flags, re)
        return re
    }

    static func regexMatches(_ s: String, _ pattern: String, _ flags: String) throws(XPathError) -> Bool {
        let re = try regex(pattern, flags)
        return re.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil
    }
}

final class RegexCache: @unchecked Sendable {
    private var map: [String: NSRegularExpression] = [:]
    private let lock = NSLock()
    func get(_ k: String) -> NSRegularExpression? { lock.lock(); defer { lock.unlock() }; return map[k] }
    func put(_ k: String, _ v: NSRegularExpression) { lock.lock(); map[k] = v; lock.unlock() }
}

/// The built-in functions, resolved when an expression is parsed (no name lookups while evaluating).
public enum Builtin: String, Sendable, CaseIterable {
    case `true` = "true"
    case `false` = "false"
    case not = "not"
    case boolean = "boolean"
    case exists = "exists"
    case empty = "empty"
    case count = "count"
    case position = "position"
    case last = "last"
    case current = "current"
    case string = "string"
    case data = "data"
    case normalizeSpace = "normalize-space"
    case stringLength = "string-length"
    case upperCase = "upper-case"
    case lowerCase = "lower-case"
    case concat = "concat"
    case contains = "contains"
    case startsWith = "starts-with"
    case endsWith = "ends-with"
    case substringAfter = "substring-after"
    case substringBefore = "substring-before"
    case substring = "substring"
    case translate = "translate"
    case matches = "matches"
    case replace = "replace"
    case tokenize = "tokenize"
    case stringJoin = "string-join"
    case stringToCodepoints = "string-to-codepoints"
    case codepointsToString = "codepoints-to-string"
    case compare = "compare"
    case normalizeUnicode = "normalize-unicode"
    case name = "name"
    case localName = "local-name"
    case namespaceUri = "namespace-uri"
    case root = "root"
    case sum = "sum"
    case avg = "avg"
    case max = "max"
    case min = "min"
    case abs = "abs"
    case floor = "floor"
    case ceiling = "ceiling"
    case round = "round"
    case roundHalfToEven = "round-half-to-even"
    case number = "number"
    case distinctValues = "distinct-values"
    case reverse = "reverse"
    case indexOf = "index-of"
    case subsequence = "subsequence"
    case exactlyOne = "exactly-one"
    case zeroOrOne = "zero-or-one"
    case oneOrMore = "one-or-more"
    case document = "document"
    case doc = "doc"
    case xsDecimal = "xs:decimal"
    case xsDouble = "xs:double"
    case xsFloat = "xs:float"
    case xsInteger = "xs:integer"
    case xsInt = "xs:int"
    case xsString = "xs:string"
    case xsBoolean = "xs:boolean"
    case xsDate = "xs:date"
    case xsUntypedAtomic = "xs:untypedAtomic"
    case xsNormalizedString = "xs:normalizedString"
    case xsToken = "xs:token"
    case xsAnyURI = "xs:anyURI"
    case xsLong = "xs:long"
}
