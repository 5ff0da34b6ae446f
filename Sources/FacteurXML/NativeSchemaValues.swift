import Foundation

/// Built-in XML Schema types the native check understands. Anything else compiles to
/// "unsupported", and a document that reaches it is left to libxml2.
enum NativeBuiltin: UInt8, Sendable {
    case anySimpleType, string, normalizedString, token, language, decimal, integer, nonNegativeInteger,
         positiveInteger, boolean, date, dateTime, time, base64Binary, anyURI

    static func named(_ local: String) -> NativeBuiltin? {
        switch local {
        case "anySimpleType": return .anySimpleType
        case "string": return .string
        case "normalizedString": return .normalizedString
        case "token": return .token
        case "language": return .language
        case "decimal": return .decimal
        case "integer": return .integer
        case "nonNegativeInteger": return .nonNegativeInteger
        case "positiveInteger": return .positiveInteger
        case "boolean": return .boolean
        case "date": return .date
        case "dateTime": return .dateTime
        case "time": return .time
        case "base64Binary": return .base64Binary
        case "anyURI": return .anyURI
        default: return nil
        }
    }

    /// Types whose enumerations compare as strings (others compare in their value space, where
    /// "1.0" equals "1": not implemented, so such enumerations are unsupported).
    var comparesAsString: Bool {
        switch self {
        case .string, .normalizedString, .token, .language, .anyURI: return true
        default: return false
        }
    }
}

/// Facets of one restriction step. Every step of a derivation chain is checked, which is never
/// more lenient than libxml2.
struct NativeFacets: Sendable {
    var enumeration: Set<String>?
    var length: Int?
    var minLength: Int?
    var maxLength: Int?
    var isEmpty: Bool { enumeration == nil && length == nil && minLength == nil && maxLength == nil }
}

struct NativeSimpleType: Sendable {
    var builtin: NativeBuiltin
    var facets: [NativeFacets] = []
    var supported = true
}

/// Lexical checks, written to accept only what libxml2 certainly accepts. A value in an unusual
/// but possibly valid form (surrounding whitespace to collapse, a time zone, 19 digits…) is
/// refused here: `conforms` then answers "not proven" and libxml2 judges, so being strict costs
/// only speed, never a verdict.
enum NativeValues {
    static func isValid(_ value: String, _ type: NativeSimpleType) -> Bool {
        guard type.supported else { return false }
        var value = value
        // Each type's whiteSpace facet. Strings are normalised as XML Schema says (libxml2 does the
        // same before comparing enumerations and lengths; the mutation tests hold it to that); for
        // other types only values already in normal form are proven (libxml2 2.9 refuses a date
        // with spaces around it, for one).
        switch type.builtin {
        case .anySimpleType, .string:
            break
        case .normalizedString:
            if !type.facets.isEmpty && withBytes(value, { b in b.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }) {
                value = String(decoding: value.utf8.map { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }, as: UTF8.self)
            }
        case .token:
            if !type.facets.isEmpty && !isCollapsed(value) { value = collapse(value) }
        case .base64Binary:
            // Attachments run to megabytes: the strict check reads 16 bytes at a time. Otherwise libxml2
            // skips every character outside the base64 alphabet; whitespace only is taken out here
            // (line-broken attachments are common), anything else stays unproven.
            if withBytes(value, { b in b.baseAddress.map { XMLParser.BinaryValues.isStrictBase64($0, b.count) } ?? true }) {
                return type.facets.isEmpty
            }
            value = String(decoding: value.utf8.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        default:
            if !isCollapsed(value) { return false }
        }
        if !lexicallyValid(&value, type.builtin) { return false }
        if type.facets.isEmpty { return true }
        var length = -1
        for f in type.facets {
            if let e = f.enumeration, !e.contains(value) { return false }
            if f.length != nil || f.minLength != nil || f.maxLength != nil {
                guard type.builtin.comparesAsString else { return false }
                if length < 0 { length = value.unicodeScalars.count }
                if let l = f.length, length != l { return false }
                if let l = f.minLength, length < l { return false }
                if let l = f.maxLength, length > l { return false }
            }
        }
        return true
    }

    /// The UTF-8 bytes of a string without copying them (native strings are contiguous).
    @inline(__always)
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        return copy.withUTF8(body)
    }

    /// Indentation between elements is most of a pretty-printed invoice's text: 16 bytes at a time.
    static func isXMLWhitespace(_ s: String) -> Bool {
        withBytes(s) { b in
            guard let p = b.baseAddress else { return true }
            var i = 0
            let n = b.count
            typealias Bytes = SIMD16<UInt8>
            let space = Bytes(repeating: 0x20), lf = Bytes(repeating: 0x0A), tab = Bytes(repeating: 0x09), cr = Bytes(repeating: 0x0D)
            while i + 16 <= n {
                let v = UnsafeRawPointer(p + i).loadUnaligned(as: Bytes.self)
                let ok: SIMDMask<SIMD16<Int8>> = (v .== space) .| (v .== lf) .| (v .== tab) .| (v .== cr)
                let words = unsafeBitCast(ok, to: SIMD2<UInt64>.self)
                if words[0] & words[1] != UInt64.max { return false }
                i += 16
            }
            while i < n {
                let c = p[i]
                if !(c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D) { return false }
                i += 1
            }
            return true
        }
    }

    static func collapse(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        for b in s.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// No tab, CR or LF, no leading, trailing or double space.
    static func isCollapsed(_ s: String) -> Bool {
        withBytes(s) { b in
            var previousSpace = true
            for c in b {
                if c == 0x09 || c == 0x0A || c == 0x0D { return false }
                if c == 0x20 {
                    if previousSpace { return false }
                    previousSpace = true
                } else {
                    previousSpace = false
                }
            }
            return !(previousSpace && b.count > 0)
        }
    }

    static func lexicallyValid(_ value: inout String, _ b: NativeBuiltin) -> Bool {
        switch b {
        case .anySimpleType, .string, .normalizedString, .token:
            return true
        case .language:
            return language(value)
        case .decimal:
            return decimal(value)
        case .integer:
            return integer(value, allowSign: true, positive: false)
        case .nonNegativeInteger:
            return integer(value, allowSign: false, positive: false)
        case .positiveInteger:
            return integer(value, allowSign: false, positive: true)
        case .boolean:
            return value == "true" || value == "false" || value == "1" || value == "0"
        case .date:
            return date(Array(value.utf8))
        case .dateTime:
            let u = Array(value.utf8)
            guard u.count >= 19, u[10] == UInt8(ascii: "T") else { return false }
            return date(Array(u[0..<10])) && time(Array(u[11...]))
        case .time:
            return time(Array(value.utf8))
        case .base64Binary:
            return base64(value)
        case .anyURI:
            return uri(value)
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*
    static func language(_ s: String) -> Bool {
        let u = Array(s.utf8)
        var i = 0, first = true
        while true {
            var n = 0
            while i < u.count, u[i] != UInt8(ascii: "-") {
                let c = u[i] | 0x20
                let letter = c >= 0x61 && c <= 0x7A
                if !(letter || (!first && isDigit(u[i]))) { return false }
                n += 1; i += 1
            }
            if n < 1 || n > 8 { return false }
            if i == u.count { return true }
            i += 1
            first = false
        }
    }

    /// Optional sign, digits, optional fraction; at most 18 digits in all (libxml2 stores decimals
    /// in a bounded number of digits: longer values are left to it).
    static func decimal(_ s: String) -> Bool {
        withBytes(s) { decimal($0) }
    }

    static func decimal(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0, dot = false, i = 0
        for c in b {
            defer { i += 1 }
            if isDigit(c) { digits += 1; continue }
            if c == UInt8(ascii: ".") && !dot { dot = true; continue }
            if i == 0 && (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) { continue }
            return false
        }
        return digits > 0 && digits <= 18
    }

    static func integer(_ s: String, allowSign: Bool, positive: Bool) -> Bool {
        var digits = 0, i = 0, nonZero = false
        for c in s.utf8 {
            defer { i += 1 }
            if isDigit(c) { digits += 1; if c != 0x30 { nonZero = true }; continue }
            if i == 0 && allowSign && (c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) { continue }
            return false
        }
        if positive && !nonZero { return false }
        return digits > 0 && digits <= 18
    }

    private static func number(_ u: [UInt8], _ from: Int, _ count: Int) -> Int? {
        var v = 0
        for k in from..<(from + count) {
            guard isDigit(u[k]) else { return nil }
            v = v * 10 + Int(u[k] - 0x30)
        }
        return v
    }

    /// YYYY-MM-DD exactly (four-digit year other than 0000, a day that exists in that month); a
    /// time zone or a longer year is left to libxml2.
    static func date(_ u: [UInt8]) -> Bool {
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let y = number(u, 0, 4), let m = number(u, 5, 2), let d = number(u, 8, 2) else { return false }
        guard y >= 1, m >= 1, m <= 12, d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// hh:mm:ss with an optional fraction, hours 00–23; a time zone is left to libxml2.
    static func time(_ u: [UInt8]) -> Bool {
        guard u.count >= 8, u[2] == UInt8(ascii: ":"), u[5] == UInt8(ascii: ":"),
              let h = number(u, 0, 2), let m = number(u, 3, 2), let s = number(u, 6, 2) else { return false }
        guard h <= 23, m <= 59, s <= 59 else { return false }
        if u.count == 8 { return true }
        guard u[8] == UInt8(ascii: "."), u.count > 9, u.count <= 20 else { return false }
        return u[9...].allSatisfy(isDigit)
    }

    /// Strict base64 (no whitespace, canonical padding): libxml2 accepts it.
    static func base64(_ s: String) -> Bool {
        if s.isEmpty { return true }
        var s = s
        return s.withUTF8 { b in
            guard let p = b.baseAddress else { return true }
            return XMLParser.BinaryValues.isStrictBase64(p, b.count)
        }
    }

    /// A conservative URI shape: RFC 3986 characters with well-formed %-escapes, a valid scheme when
    /// there is one, a numeric port when there is an authority. Other values are left to libxml2.
    static func uri(_ s: String) -> Bool {
        let u = Array(s.utf8)
        if u.isEmpty { return true }
        if u.filter({ $0 == UInt8(ascii: "#") }).count > 1 { return false }
        var i = 0
        while i < u.count {
            let c = u[i]
            switch c {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: break
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"),
                 UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                 UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
                 UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"):
                break
            case UInt8(ascii: "%"):
                guard i + 2 < u.count, isHex(u[i + 1]), isHex(u[i + 2]) else { return false }
                i += 2
            default:
                return false
            }
            i += 1
        }
        // A scheme is what precedes the first ':' when no '/', '?' or '#' comes before it.
        if let colon = u.firstIndex(of: UInt8(ascii: ":")),
           !u[..<colon].contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            guard colon > 0, isLetter(u[0]),
                  u[1..<colon].allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
            else { return false }
            let rest = u[(colon + 1)...]
            if rest.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
                let auth = rest.dropFirst(2).prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
                let hostPort = auth.contains(UInt8(ascii: "@")) ? auth[(auth.lastIndex(of: UInt8(ascii: "@"))! + 1)...] : auth
                if hostPort.contains(UInt8(ascii: "@")) { return false }
                // libxml2 refuses an empty port ("host:"); an empty host or a long port is left to it too.
                if let pc = hostPort.firstIndex(of: UInt8(ascii: ":")) {
                    let port = hostPort[(pc + 1)...]
                    if port.isEmpty || port.count > 5 || !port.allSatisfy(isDigit) || pc == hostPort.startIndex { return false }
                } else if hostPort.isEmpty {
                    return false
                }
                if auth.contains(UInt8(ascii: "@")) { return false } // user info: leave it to libxml2
            }
        } else if u.contains(UInt8(ascii: ":")) {
            // A ':' in the first segment of a relative reference is not allowed by RFC 3986.
            return false
        }
        return true
    }

    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
}
