import Foundation

/// xs:decimal for the evaluator: an exact scaled integer (mantissa × 10^-scale). Foundation's
/// Decimal is exact too but costs microseconds per operation on Linux; validation does thousands.
public struct XPathDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var mantissa: Int128
    public var scale: Int

    /// Digits kept after the point by division, as the reference processor (Saxon) does.
    static let divisionScale = 18

    public init(mantissa: Int128, scale: Int) {
        self.mantissa = mantissa
        self.scale = scale
    }

    public init(_ i: Int) { self.init(mantissa: Int128(i), scale: 0) }

    static let powers: [Int128] = {
        var p: [Int128] = [1]
        for _ in 1...38 { p.append(p.last! * 10) }
        return p
    }()

    /// Removes trailing fractional zeros (1.500 → 1.5).
    func normalized() -> XPathDecimal {
        var m = mantissa, s = scale
        while s > 0 && m % 10 == 0 { m /= 10; s -= 1 }
        return XPathDecimal(mantissa: m, scale: s)
    }

    /// Both operands at the same scale, or nil when that would overflow.
    static func aligned(_ a: XPathDecimal, _ b: XPathDecimal) -> (Int128, Int128, Int)? {
        if a.scale == b.scale { return (a.mantissa, b.mantissa, a.scale) }
        if a.scale < b.scale {
            let (m, o) = a.mantissa.multipliedReportingOverflow(by: powers[min(38, b.scale - a.scale)])
            return o ? nil : (m, b.mantissa, b.scale)
        }
        let (m, o) = b.mantissa.multipliedReportingOverflow(by: powers[min(38, a.scale - b.scale)])
        return o ? nil : (a.mantissa, m, a.scale)
    }

    static func overflow() -> XPathError { XPathError(code: "FOAR0002", message: "decimal overflow") }

    public static func add(_ a: XPathDecimal, _ b: XPathDecimal) throws(XPathError) -> XPathDecimal {
        guard let (x, y, s) = aligned(a, b) else { throw overflow() }
        let (r, o) = x.addingReportingOverflow(y)
        if o { throw overflow() }
        return XPathDecimal(mantissa: r, scale: s)
    }

    public static func subtract(_ a: XPathDecimal, _ b: XPathDecimal) throws(XPathError) -> XPathDecimal {
        try add(a, XPathDecimal(mantissa: -b.mantissa, scale: b.scale))
    }

    public static func multiply(_ a: XPathDecimal, _ b: XPathDecimal) throws(XPathError) -> XPathDecimal {
        var a = a.normalized(), b = b.normalized()
        while true {
            let (r, o) = a.mantissa.multipliedReportingOverflow(by: b.mantissa)
            if !o { return XPathDecimal(mantissa: r, scale: a.scale + b.scale).normalized() }
            // Drop the least significant digit of the longer fraction; only reached far beyond invoice magnitudes.
            if a.scale >= b.scale && a.scale > 0 { a = XPathDecimal(mantissa: a.mantissa / 10, scale: a.scale - 1) } else if b.scale > 0 {
                b = XPathDecimal(mantissa: b.mantissa / 10, scale: b.scale - 1)
            } else { throw overflow() }
        }
    }

    /// Truncated to `max(18, scales)` fractional digits, like Saxon.
    public static func divide(_ a: XPathDecimal, _ b: XPathDecimal) throws(XPathError) -> XPathDecimal {
        guard b.mantissa != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
        let target = max(divisionScale, a.scale, b.scale)
        // a/b at scale `target`: a.m × 10^(target - a.s + b.s) / b.m
        var shift = target - a.scale + b.scale
        var num = a.mantissa
        var resultScale = target
        while shift > 0 {
            let (m, o) = num.multipliedReportingOverflow(by: 10)
            if o { break }
            num = m
            shift -= 1
        }
        resultScale -= shift
        if shift < 0 { // more digits than needed (b.scale large): scale down the divisor instead
            let q = num / b.mantissa / powers[min(38, -shift)]
            return XPathDecimal(mantissa: q, scale: target).normalized()
        }
        return XPathDecimal(mantissa: num / b.mantissa, scale: resultScale).normalized()
    }

    public static func integerDivide(_ a: XPathDecimal, _ b: XPathDecimal) throws(XPathError) -> Int {
        guard b.mantissa != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
        guard let (x, y, _) = aligned(a, b) else { throw overflow() }
        return Int(truncatingIfNeeded: x / y)
    }

    public static func modulo(_ a: XPathDecimal, _ b: XPathDecimal) throws(XPathError) -> XPathDecimal {
        guard b.mantissa != 0 else { throw XPathError(code: "FOAR0001", message: "division by zero") }
        guard let (x, y, s) = aligned(a, b) else { throw overflow() }
        return XPathDecimal(mantissa: x % y, scale: s)
    }

    public static func < (a: XPathDecimal, b: XPathDecimal) -> Bool {
        if let (x, y, _) = aligned(a, b) { return x < y }
        return a.doubleValue < b.doubleValue
    }

    public static func == (a: XPathDecimal, b: XPathDecimal) -> Bool {
        if let (x, y, _) = aligned(a, b) { return x == y }
        return false
    }

    public func hash(into h: inout Hasher) {
        let n = normalized()
        h.combine(n.mantissa)
        h.combine(n.scale)
    }

    public var isZero: Bool { mantissa == 0 }
    public var isNegative: Bool { mantissa < 0 }
    public var negated: XPathDecimal { XPathDecimal(mantissa: -mantissa, scale: scale) }
    public var magnitude: XPathDecimal { XPathDecimal(mantissa: mantissa < 0 ? -mantissa : mantissa, scale: scale) }

    public var doubleValue: Double { Double(description) ?? .nan }

    /// Rounds to `digits` fractional digits; `halfUp` = towards +∞ on ties (XPath round()),
    /// otherwise ties go to the even neighbour (round-half-to-even()).
    public func rounded(_ digits: Int, halfToEven: Bool = false) -> XPathDecimal {
        guard scale > digits else { return self }
        let p = XPathDecimal.powers[min(38, scale - digits)]
        var q = mantissa / p
        let r = mantissa % p
        let twice = (r < 0 ? -r : r) * 2
        if twice > p || (twice == p && (halfToEven ? q % 2 != 0 : mantissa > 0)) {
            q += mantissa < 0 ? -1 : 1
        } else if twice == p && !halfToEven && mantissa < 0 {
            // -2.5 rounds to -2: already truncated towards zero
        }
        return XPathDecimal(mantissa: q, scale: digits).normalized()
    }

    public func floor() -> XPathDecimal {
        guard scale > 0 else { return self }
        let p = XPathDecimal.powers[min(38, scale)]
        var q = mantissa / p
        if mantissa < 0 && mantissa % p != 0 { q -= 1 }
        return XPathDecimal(mantissa: q, scale: 0)
    }

    public func ceiling() -> XPathDecimal {
        guard scale > 0 else { return self }
        let p = XPathDecimal.powers[min(38, scale)]
        var q = mantissa / p
        if mantissa > 0 && mantissa % p != 0 { q += 1 }
        return XPathDecimal(mantissa: q, scale: 0)
    }

    public func truncated() -> XPathDecimal {
        guard scale > 0 else { return self }
        return XPathDecimal(mantissa: mantissa / XPathDecimal.powers[min(38, scale)], scale: 0)
    }

    public var intValue: Int { Int(truncatingIfNeeded: truncated().mantissa) }

    /// XPath's canonical form: no exponent, no trailing fractional zeros, no "+".
    public var description: String {
        let n = normalized()
        var digits = String(n.mantissa < 0 ? -n.mantissa : n.mantissa)
        if n.scale > 0 {
            if digits.count <= n.scale { digits = String(repeating: "0", count: n.scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -n.scale))
        }
        return (n.mantissa < 0 ? "-" : "") + digits
    }

    /// Parses the xs:decimal lexical form (already checked by the caller for stray characters).
    public init?(lexical s: Substring) {
        var m: Int128 = 0
        var sc = 0, digits = 0
        var negative = false, dot = false
        for (i, c) in s.utf8.enumerated() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (x, o1) = m.multipliedReportingOverflow(by: 10)
                let (y, o2) = x.addingReportingOverflow(Int128(c - 48))
                if o1 || o2 { return nil }
                m = y
                digits += 1
                if dot { sc += 1 }
            case UInt8(ascii: "."): if dot { return nil }; dot = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                if i != 0 { return nil }
                negative = c == UInt8(ascii: "-")
            default: return nil
            }
        }
        guard digits > 0 else { return nil }
        self.init(mantissa: negative ? -m : m, scale: sc)
    }

    /// The value of a double as a decimal, through its shortest decimal representation.
    public init?(_ d: Double) {
        guard d.isFinite else { return nil }
        let text = "\(d)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let base = XPathDecimal(lexical: text[..<e]), let exp = Int(text[text.index(after: e)...]) else { return nil }
            if exp >= 0 {
                guard exp <= 38 else { return nil }
                let (m, o) = base.mantissa.multipliedReportingOverflow(by: XPathDecimal.powers[exp])
                if o { return nil }
                self.init(mantissa: m, scale: base.scale)
            } else {
                self.init(mantissa: base.mantissa, scale: base.scale - exp)
            }
            self = normalized()
        } else {
            guard let v = XPathDecimal(lexical: Substring(text)) else { return nil }
            self = v.normalized()
        }
    }
}
