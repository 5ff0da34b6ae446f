import Foundation

/// Builds `PDFObject`s from tokens, with bounded nesting and a bounded number of elements so that
/// a hostile file costs at most a known amount of memory and stack.
struct PDFParser {
    var lex: PDFLexer
    let maxDepth: Int
    /// Elements (array items, dictionary values) this parser may still produce.
    var budget: Int

    init(_ lex: PDFLexer, maxDepth: Int, budget: Int = 1_000_000) {
        self.lex = lex
        self.maxDepth = maxDepth
        self.budget = budget
    }

    mutating func parseObject(depth: Int = 0) throws -> PDFObject {
        let start = lex.pos
        let t = lex.next()
        return try object(from: t, start: start, depth: depth)
    }

    mutating func object(from t: PDFToken, start: Int, depth: Int) throws -> PDFObject {
        budget -= 1
        if budget < 0 { throw PDFReadError.limitExceeded("more than a million elements in one object") }
        switch t {
        case .int(let i):
            // `n g R` needs two tokens of look-ahead; undo them when it is just a number.
            let save = lex.pos
            if i >= 0, case .int(let g) = lex.next(), g >= 0 {
                if case .keyword("R") = lex.next() { return .reference(PDFReference(i, g)) }
            }
            lex.pos = save
            return .int(i)
        case .real(let d): return .real(d)
        case .name(let n): return .name(n)
        case .string(let s): return .string(s)
        case .arrayOpen:
            guard depth < maxDepth else { throw PDFReadError.tooDeep(offset: start, limit: maxDepth) }
            var items: [PDFObject] = []
            while true {
                let s = lex.pos
                let t = lex.next()
                switch t {
                case .arrayClose: return .array(items)
                case .eof: throw PDFReadError.truncated(offset: lex.pos, what: "array opened at byte \(start) is not closed")
                case .keyword("endobj"), .keyword("stream"), .dictClose:
                    // A missing `]`: close the array here as other readers do.
                    lex.pos = s
                    return .array(items)
                default: items.append(try object(from: t, start: s, depth: depth + 1))
                }
            }
        case .dictOpen:
            guard depth < maxDepth else { throw PDFReadError.tooDeep(offset: start, limit: maxDepth) }
            var dict = PDFDictionary()
            while true {
                let s = lex.pos
                let t = lex.next()
                switch t {
                case .dictClose: return .dictionary(dict)
                case .eof: throw PDFReadError.truncated(offset: lex.pos, what: "dictionary opened at byte \(start) is not closed")
                case .keyword("endobj"), .keyword("stream"):
                    lex.pos = s
                    return .dictionary(dict)
                case .name(let key):
                    let vs = lex.pos
                    let vt = lex.next()
                    if case .dictClose = vt {
                        // `/Key >>`: a key without value is dropped.
                        return .dictionary(dict)
                    }
                    let value = try object(from: vt, start: vs, depth: depth + 1)
                    dict.appendParsed(key, value)
                default:
                    // A stray token where a key should be: skip it (generators do write these).
                    if case .arrayOpen = t { _ = try object(from: t, start: s, depth: depth + 1) }
                    if case .dictOpen = t { _ = try object(from: t, start: s, depth: depth + 1) }
                    continue
                }
            }
        case .keyword("true"): return .bool(true)
        case .keyword("false"): return .bool(false)
        case .keyword("null"): return .null
        case .keyword(let k): throw PDFReadError.syntax(offset: start, what: "unexpected “\(k.prefix(40))”")
        case .eof: throw PDFReadError.truncated(offset: start, what: "an object was expected")
        case .arrayClose, .dictClose, .braceOpen, .braceClose:
            throw PDFReadError.syntax(offset: start, what: "unexpected delimiter")
        }
    }
}

/// Byte search helpers over the file.
extension Array where Element == UInt8 {
    func firstRange(of pattern: [UInt8], from: Int, to: Int? = nil) -> Int? {
        let limit = Swift.min(to ?? count, count) - pattern.count
        guard !pattern.isEmpty, from <= limit else { return nil }
        let first = pattern[0]
        var i = Swift.max(0, from)
        return withUnsafeBufferPointer { buf -> Int? in
            while i <= limit {
                if buf[i] == first {
                    var ok = true
                    for j in 1..<pattern.count where buf[i + j] != pattern[j] { ok = false; break }
                    if ok { return i }
                }
                i += 1
            }
            return nil
        }
    }

    func lastRange(of pattern: [UInt8], before: Int, notBefore: Int = 0) -> Int? {
        var i = Swift.min(before, count) - pattern.count
        let floor = Swift.max(0, notBefore)
        while i >= floor {
            if self[i] == pattern[0] {
                var ok = true
                for j in 1..<pattern.count where self[i + j] != pattern[j] { ok = false; break }
                if ok { return i }
            }
            i -= 1
        }
        return nil
    }
}
