import Foundation

/// One lexical token of PDF syntax (ISO 32000-1 §7.2–7.3). Content streams use the same tokens:
/// their operators arrive as keywords.
enum PDFToken: Equatable {
    case int(Int)
    case real(Double)
    case name(String)
    case string(Data)
    case arrayOpen, arrayClose, dictOpen, dictClose, braceOpen, braceClose
    case keyword(String)
    case eof
}

@inline(__always) func isPDFWhite(_ c: UInt8) -> Bool {
    c == 32 || c == 10 || c == 13 || c == 9 || c == 12 || c == 0
}

@inline(__always) func isPDFDelimiter(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
         UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
        return true
    default: return false
    }
}

@inline(__always) func isPDFRegular(_ c: UInt8) -> Bool { !isPDFWhite(c) && !isPDFDelimiter(c) }

@inline(__always) func hexValue(_ c: UInt8) -> Int? {
    switch c {
    case 48...57: return Int(c - 48)
    case 65...70: return Int(c - 55)
    case 97...102: return Int(c - 87)
    default: return nil
    }
}

/// A forgiving tokenizer: real-world PDFs bend the syntax, so it accepts what common readers
/// accept, and it never reads past `end` nor loops without consuming input.
struct PDFLexer {
    let bytes: [UInt8]
    var pos: Int
    let end: Int

    init(_ bytes: [UInt8], at pos: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.end = min(end ?? bytes.count, bytes.count)
        self.pos = max(0, min(pos, self.end))
    }

    var atEnd: Bool { pos >= end }

    mutating func skipWhitespace() {
        while pos < end {
            let c = bytes[pos]
            if isPDFWhite(c) { pos += 1; continue }
            if c == UInt8(ascii: "%") {
                while pos < end, bytes[pos] != 10, bytes[pos] != 13 { pos += 1 }
                continue
            }
            break
        }
    }

    /// Reads the next token; malformed input produces a keyword of the odd bytes rather than an error,
    /// the parser decides what is acceptable.
    mutating func next() -> PDFToken {
        skipWhitespace()
        guard pos < end else { return .eof }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "["): pos += 1; return .arrayOpen
        case UInt8(ascii: "]"): pos += 1; return .arrayClose
        case UInt8(ascii: "{"): pos += 1; return .braceOpen
        case UInt8(ascii: "}"): pos += 1; return .braceClose
        case UInt8(ascii: "/"): return .name(readName())
        case UInt8(ascii: "("): return .string(readLiteralString())
        case UInt8(ascii: "<"):
            if pos + 1 < end, bytes[pos + 1] == UInt8(ascii: "<") { pos += 2; return .dictOpen }
            return .string(readHexString())
        case UInt8(ascii: ">"):
            if pos + 1 < end, bytes[pos + 1] == UInt8(ascii: ">") { pos += 2; return .dictClose }
            pos += 1
            return .keyword(">")
        case UInt8(ascii: ")"):
            pos += 1
            return .keyword(")")
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), 48...57:
            return readNumber()
        default:
            let start = pos
            while pos < end, isPDFRegular(bytes[pos]) { pos += 1 }
            if pos == start { pos += 1 }
            return .keyword(String(decoding: bytes[start..<pos], as: UTF8.self))
        }
    }

    mutating func readName() -> String {
        pos += 1 // '/'
        var out: [UInt8] = []
        while pos < end {
            let c = bytes[pos]
            guard isPDFRegular(c) else { break }
            if c == UInt8(ascii: "#"), pos + 2 < end, let h = hexValue(bytes[pos + 1]), let l = hexValue(bytes[pos + 2]) {
                out.append(UInt8(h * 16 + l))
                pos += 3
            } else {
                out.append(c)
                pos += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func readLiteralString() -> Data {
        pos += 1 // '('
        var out: [UInt8] = []
        var depth = 1
        while pos < end {
            let c = bytes[pos]
            pos += 1
            switch c {
            case UInt8(ascii: "("):
                depth += 1
                out.append(c)
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return Data(out) }
                out.append(c)
            case UInt8(ascii: "\\"):
                guard pos < end else { return Data(out) }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case 13:
                    if pos < end, bytes[pos] == 10 { pos += 1 }
                case 10: break
                case 48...55:
                    var v = Int(e - 48)
                    var n = 1
                    while n < 3, pos < end, bytes[pos] >= 48, bytes[pos] <= 55 {
                        v = v * 8 + Int(bytes[pos] - 48)
                        pos += 1
                        n += 1
                    }
                    out.append(UInt8(truncatingIfNeeded: v))
                default: out.append(e)
                }
            case 13:
                // An end of line inside a string is a single LF whatever its form.
                if pos < end, bytes[pos] == 10 { pos += 1 }
                out.append(10)
            default:
                out.append(c)
            }
        }
        return Data(out)
    }

    mutating func readHexString() -> Data {
        pos += 1 // '<'
        var out: [UInt8] = []
        var high: Int? = nil
        while pos < end {
            let c = bytes[pos]
            pos += 1
            if c == UInt8(ascii: ">") { break }
            guard let v = hexValue(c) else { continue }
            if let h = high { out.append(UInt8(h * 16 + v)); high = nil } else { high = v }
        }
        if let h = high { out.append(UInt8(h * 16)) }
        return Data(out)
    }

    mutating func readNumber() -> PDFToken {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
            negative = bytes[pos] == UInt8(ascii: "-")
            pos += 1
        }
        var value = 0
        var overflow = false
        var digits = 0
        while pos < end, bytes[pos] >= 48, bytes[pos] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[pos] - 48))
            if o1 || o2 { overflow = true } else { value = a }
            pos += 1
            digits += 1
        }
        var isReal = false
        if pos < end, bytes[pos] == UInt8(ascii: ".") {
            isReal = true
            pos += 1
            while pos < end, bytes[pos] >= 48, bytes[pos] <= 57 { pos += 1; digits += 1 }
        }
        // Tolerate the odd "1.5-3" or "--5" that some generators write: stop at the first irregular byte.
        if digits == 0 {
            // A lone sign or dot: skip any regular bytes so the caller always makes progress.
            while pos < end, isPDFRegular(bytes[pos]) { pos += 1 }
            if pos == start { pos += 1 }
            return .keyword(String(decoding: bytes[start..<pos], as: UTF8.self))
        }
        if isReal || overflow {
            let text = String(decoding: bytes[start..<pos], as: UTF8.self)
            return .real(Double(text) ?? 0)
        }
        return .int(negative ? -value : value)
    }

    /// Whether `word` appears at `pos`, followed by a delimiter, whitespace or the end.
    func matches(_ word: StaticString, at p: Int) -> Bool {
        let n = word.utf8CodeUnitCount
        guard p >= 0, p + n <= end else { return false }
        let w = word.utf8Start
        for i in 0..<n where bytes[p + i] != w[i] { return false }
        return p + n == end || !isPDFRegular(bytes[p + n])
    }
}
