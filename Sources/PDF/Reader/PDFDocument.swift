import Foundation

/// A PDF opened for reading. Objects are parsed lazily, when first resolved, and cached; the
/// cross-reference comes from the file's tables or streams (following `/Prev` chains, newest first),
/// and when those are broken or missing, from a scan of the file for `n g obj`.
///
/// Not thread-safe (it caches as it reads): one document per task.
public final class PDFDocument {
    enum XRefEntry: Equatable {
        case offset(Int)
        case compressed(stream: Int, index: Int)
    }

    struct ObjectStream {
        var bytes: [UInt8]
        var offsets: [Int: Int]
    }

    public let bytes: [UInt8]
    public let limits: PDFReadLimits
    /// The version in the header (`1.7`), nil when the header is missing.
    public private(set) var version: String?
    /// The trailer (merged over incremental updates, newest values first).
    public private(set) var trailer = PDFDictionary()
    /// True when the cross-reference was unusable and objects were found by scanning the file.
    public private(set) var recovered = false

    var xref: [Int: XRefEntry] = [:]
    var cache: [Int: PDFObject] = [:]
    var inProgress: Set<Int> = []
    var objectStreams: [Int: ObjectStream] = [:]
    var scanned: [Int: Int]? = nil
    var endstreamMemo: (from: Int, found: Int?)? = nil
    var decodedBudget: Int

    public convenience init(data: Data, limits: PDFReadLimits = .init()) throws {
        try self.init(bytes: [UInt8](data), limits: limits)
    }

    public init(bytes: [UInt8], limits: PDFReadLimits = .init()) throws {
        self.bytes = bytes
        self.limits = limits
        self.decodedBudget = limits.maxDecodedBytes
        guard !bytes.isEmpty else { throw PDFReadError.notPDF }
        if let h = bytes.firstRange(of: Array("%PDF-".utf8), from: 0, to: 1024) {
            var e = h + 5
            while e < min(bytes.count, h + 12), bytes[e] == UInt8(ascii: ".") || (bytes[e] >= 48 && bytes[e] <= 57) { e += 1 }
            version = String(decoding: bytes[(h + 5)..<e], as: UTF8.self)
        }
        do {
            try readCrossReference()
        } catch let e as PDFReadError {
            // Encryption is reported as is; everything else falls back to a scan.
            if e == .encrypted { throw e }
            xref = [:]
            trailer = PDFDictionary()
            try recover()
        }
        if trailer["Encrypt"] != nil && trailer["Encrypt"] != .null { throw PDFReadError.encrypted }
        if (try? catalogIfValid()) == nil, !recovered {
            try recover()
        }
        guard (try? catalogIfValid()) != nil else {
            if version == nil && xref.isEmpty { throw PDFReadError.notPDF }
            throw PDFReadError.noCatalog
        }
    }

    private func catalogIfValid() throws -> PDFDictionary {
        guard let d = try resolve(trailer["Root"]).dictionary else { throw PDFReadError.noCatalog }
        return d
    }

    /// The document catalog.
    public var catalog: PDFDictionary {
        get throws { try catalogIfValid() }
    }

    /// Object numbers known to the cross-reference (or the scan), in order.
    public var objectNumbers: [Int] { xref.keys.sorted() }

    // MARK: - Cross-reference

    private func readCrossReference() throws {
        guard let sx = bytes.lastRange(of: Array("startxref".utf8), before: bytes.count, notBefore: bytes.count - 4096) else {
            throw PDFReadError.syntax(offset: bytes.count, what: "no startxref at the end of the file")
        }
        var lex = PDFLexer(bytes, at: sx + 9)
        guard case .int(let first) = lex.next(), first >= 0, first < bytes.count else {
            throw PDFReadError.syntax(offset: sx, what: "startxref does not give a valid offset")
        }
        var offset: Int? = first
        var visited: Set<Int> = []
        var sections = 0
        while let o = offset {
            guard !visited.contains(o) else { break } // a /Prev loop: stop, what was read is kept
            visited.insert(o)
            sections += 1
            if sections > 1000 { throw PDFReadError.limitExceeded("more than 1000 cross-reference sections") }
            let t = try readSection(at: o, visited: &visited)
            if sections == 1 { trailer = t } else {
                for (k, v) in t.entries where trailer[k] == nil && k != "Prev" { trailer[k] = v }
            }
            if let p = t["Prev"]?.int, p >= 0, p < bytes.count { offset = p } else { offset = nil }
        }
        guard !xref.isEmpty else { throw PDFReadError.syntax(offset: first, what: "empty cross-reference") }
    }

    private func add(_ number: Int, _ entry: XRefEntry) {
        guard number > 0, number <= limits.maxObjectNumber, xref[number] == nil else { return }
        xref[number] = entry
    }

    /// Reads one cross-reference section (table or stream) and returns its trailer dictionary.
    private func readSection(at offset: Int, visited: inout Set<Int>) throws -> PDFDictionary {
        var lex = PDFLexer(bytes, at: offset)
        lex.skipWhitespace()
        if lex.matches("xref", at: lex.pos) {
            lex.pos += 4
            var tableEntries: [(Int, Int)] = []
            while true {
                let s = lex.pos
                let t = lex.next()
                if case .keyword("trailer") = t { break }
                guard case .int(let start) = t, start >= 0, case .int(let count) = lex.next(), count >= 0 else {
                    throw PDFReadError.syntax(offset: s, what: "bad cross-reference subsection header")
                }
                // Each entry takes at least 18 bytes: a larger count is a lie.
                guard count <= (bytes.count - lex.pos) / 18 + 1 else {
                    throw PDFReadError.syntax(offset: s, what: "cross-reference subsection claims \(count) entries")
                }
                for k in 0..<count {
                    let es = lex.pos
                    guard case .int(let off) = lex.next(), case .int = lex.next(), case .keyword(let kind) = lex.next() else {
                        throw PDFReadError.syntax(offset: es, what: "bad cross-reference entry")
                    }
                    let (n, o) = start.addingReportingOverflow(k)
                    if !o, kind == "n", off > 0 { tableEntries.append((n, off)) }
                }
            }
            var parser = PDFParser(lex, maxDepth: limits.maxDepth)
            guard case .dictionary(let trailerDict) = try parser.parseObject() else {
                throw PDFReadError.syntax(offset: lex.pos, what: "the trailer is not a dictionary")
            }
            // Hybrid files: the stream's entries complete the table's (§7.5.8.4).
            if let x = trailerDict["XRefStm"]?.int, x >= 0, x < bytes.count, !visited.contains(x) {
                visited.insert(x)
                for (n, o) in tableEntries { add(n, .offset(o)) }
                _ = try? readSection(at: x, visited: &visited)
            } else {
                for (n, o) in tableEntries { add(n, .offset(o)) }
            }
            return trailerDict
        }
        // A cross-reference stream.
        let (_, obj) = try parseIndirect(at: lex.pos, expected: nil)
        guard case .stream(let dict, _) = obj, let w = dict["W"]?.array?.compactMap(\.int), w.count >= 3 else {
            throw PDFReadError.syntax(offset: offset, what: "startxref points neither to a table nor to a cross-reference stream")
        }
        if dict["Encrypt"] != nil && dict["Encrypt"] != .null { throw PDFReadError.encrypted }
        guard w.allSatisfy({ $0 >= 0 && $0 <= 8 }), w[0] + w[1] + w[2] > 0 else {
            throw PDFReadError.syntax(offset: offset, what: "cross-reference stream /W \(w) is invalid")
        }
        let data = try decodeStream(obj)
        let size = dict["Size"]?.int ?? 0
        var index = dict["Index"]?.array?.compactMap(\.int) ?? [0, size]
        if index.count % 2 != 0 { index.removeLast() }
        let entryLength = w[0] + w[1] + w[2]
        var p = 0
        func field(_ width: Int) -> Int {
            var v = 0
            for _ in 0..<width {
                v = (v << 8) | Int(data[p])
                p += 1
            }
            return v
        }
        var pair = 0
        while pair < index.count {
            let start = index[pair], count = index[pair + 1]
            pair += 2
            guard start >= 0, count >= 0 else { continue }
            for k in 0..<count {
                guard p + entryLength <= data.count else { break }
                let type = w[0] == 0 ? 1 : field(w[0])
                let f2 = field(w[1])
                let f3 = field(w[2])
                let (n, o) = start.addingReportingOverflow(k)
                if o || n > limits.maxObjectNumber { continue }
                switch type {
                case 1: if f2 > 0 { add(n, .offset(f2)) }
                case 2: add(n, .compressed(stream: f2, index: f3))
                default: break
                }
            }
        }
        return dict
    }

    // MARK: - Recovery

    /// Finds objects by scanning for `n g obj` (later definitions win, as an incremental update
    /// would), then the trailer: the last `trailer` dictionary, else a catalog object.
    private func recover() throws {
        recovered = true
        let table = scanObjects()
        xref = [:]
        for (n, o) in table { xref[n] = .offset(o) }
        cache = [:]
        var found = PDFDictionary()
        var searchFrom = bytes.count
        while let t = bytes.lastRange(of: Array("trailer".utf8), before: searchFrom) {
            searchFrom = t
            var parser = PDFParser(PDFLexer(bytes, at: t + 7), maxDepth: limits.maxDepth)
            if case .dictionary(let d)? = try? parser.parseObject(), d["Root"] != nil {
                found = d
                break
            }
        }
        // Objects in object streams and cross-reference streams' dictionaries (which hold the trailer
        // keys in PDF 1.5+).
        var catalogs: [Int] = []
        for n in table.keys.sorted() {
            guard let obj = try? object(PDFReference(n)) else { continue }
            guard let d = obj.dictionary else { continue }
            switch d["Type"]?.name {
            case "ObjStm"?:
                if let s = try? loadObjectStream(n) {
                    for (m, _) in s.offsets where xref[m] == nil && m > 0 && m <= limits.maxObjectNumber {
                        xref[m] = .compressed(stream: n, index: -1)
                    }
                }
            case "XRef"?:
                if found["Root"] == nil, d["Root"] != nil {
                    for key in ["Root", "Info", "ID", "Encrypt"] { if let v = d[key] { found[key] = v } }
                }
            case "Catalog"?:
                catalogs.append(n)
            default: break
            }
        }
        if found["Root"] == nil {
            for n in xref.keys.sorted() where xref[n] != nil {
                if case .compressed = xref[n]!, let d = (try? object(PDFReference(n)))?.dictionary, d["Type"]?.name == "Catalog" {
                    catalogs.append(n)
                }
            }
            if let c = catalogs.last { found["Root"] = .reference(PDFReference(c)) }
        }
        trailer = found
        if xref.isEmpty { throw version == nil ? PDFReadError.notPDF : PDFReadError.noCatalog }
    }

    func scanObjects() -> [Int: Int] {
        if let scanned { return scanned }
        var table: [Int: Int] = [:]
        let n = bytes.count
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i + 3 <= n {
                // Look for "obj" preceded by "<digits> <digits> ".
                guard b[i] == UInt8(ascii: "o"), b[i + 1] == UInt8(ascii: "b"), b[i + 2] == UInt8(ascii: "j"),
                      i + 3 == n || !isPDFRegular(b[i + 3]) else { i += 1; continue }
                var j = i - 1
                guard j >= 0, isPDFWhite(b[j]) else { i += 3; continue }
                while j >= 0, isPDFWhite(b[j]) { j -= 1 }
                let genEnd = j + 1
                while j >= 0, b[j] >= 48, b[j] <= 57 { j -= 1 }
                guard genEnd - (j + 1) >= 1, genEnd - (j + 1) <= 5, j >= 0, isPDFWhite(b[j]) else { i += 3; continue }
                while j >= 0, isPDFWhite(b[j]) { j -= 1 }
                let numEnd = j + 1
                while j >= 0, b[j] >= 48, b[j] <= 57 { j -= 1 }
                let numStart = j + 1
                guard numEnd - numStart >= 1, numEnd - numStart <= 10, j < 0 || !isPDFRegular(b[j]) || b[j] == UInt8(ascii: "j") else { i += 3; continue }
                var num = 0
                for k in numStart..<numEnd { num = num * 10 + Int(b[k] - 48) }
                if num > 0, num <= limits.maxObjectNumber { table[num] = numStart }
                i += 3
            }
        }
        scanned = table
        return table
    }

    // MARK: - Objects

    /// Parses `n g obj ... endobj` at `offset`.
    func parseIndirect(at offset: Int, expected: Int?) throws -> (PDFReference, PDFObject) {
        var lex = PDFLexer(bytes, at: offset)
        let start = lex.pos
        guard case .int(let num) = lex.next(), case .int(let gen) = lex.next(), case .keyword("obj") = lex.next() else {
            throw PDFReadError.syntax(offset: start, what: "“n g obj” expected")
        }
        if let expected, expected != num {
            throw PDFReadError.syntax(offset: start, what: "object \(num) found where \(expected) was expected")
        }
        var parser = PDFParser(lex, maxDepth: limits.maxDepth)
        let obj = try parser.parseObject()
        lex = parser.lex
        let afterObject = lex.pos
        guard case .dictionary(let dict) = obj else { return (PDFReference(num, gen), obj) }
        let t = lex.next()
        guard case .keyword("stream") = t else {
            lex.pos = afterObject
            return (PDFReference(num, gen), obj)
        }
        var p = lex.pos
        while p < bytes.count, bytes[p] == 32 { p += 1 }
        if p < bytes.count, bytes[p] == 13 { p += 1 }
        if p < bytes.count, bytes[p] == 10 { p += 1 }
        let dataStart = p
        var dataEnd: Int? = nil
        if let length = (try? resolveLength(dict["Length"], inside: num)), length >= 0, length <= bytes.count - dataStart {
            var e = dataStart + length
            while e < bytes.count, isPDFWhite(bytes[e]) { e += 1 }
            if lex.matches("endstream", at: e) { dataEnd = dataStart + length }
        }
        if dataEnd == nil {
            // The declared length is wrong (or absurd): the data ends before `endstream`.
            guard let e = findEndstream(from: dataStart) else {
                throw PDFReadError.truncated(offset: dataStart, what: "stream of object \(num) has no endstream")
            }
            var q = e
            if q > dataStart, bytes[q - 1] == 10 { q -= 1 }
            if q > dataStart, bytes[q - 1] == 13 { q -= 1 }
            dataEnd = q
        }
        return (PDFReference(num, gen), .stream(dict, Data(bytes[dataStart..<dataEnd!])))
    }

    /// The next `endstream` at or after `from`. Remembers the last answer: a file of many streams with
    /// wrong lengths (or none ending) must not be searched to the end once per stream.
    private func findEndstream(from: Int) -> Int? {
        if let memo = endstreamMemo, memo.from <= from, (memo.found ?? Int.max) >= from {
            return memo.found
        }
        let found = bytes.firstRange(of: Array("endstream".utf8), from: from)
        endstreamMemo = (from, found)
        return found
    }

    private func resolveLength(_ value: PDFObject?, inside number: Int) throws -> Int? {
        guard let value else { return nil }
        if case .reference(let r) = value {
            // The length of a stream read while resolving that very object would be a cycle.
            if r.number == number || inProgress.contains(r.number) { return nil }
            return try object(r).int
        }
        return value.int
    }

    /// The object with this reference: parsed on first use, then cached. Unknown objects are null (§7.3.10).
    public func object(_ ref: PDFReference) throws -> PDFObject {
        let n = ref.number
        if let o = cache[n] { return o }
        guard n > 0, n <= limits.maxObjectNumber else { return .null }
        guard !inProgress.contains(n) else { throw PDFReadError.referenceCycle(ref) }
        inProgress.insert(n)
        defer { inProgress.remove(n) }
        var result: PDFObject
        switch xref[n] {
        case nil:
            result = .null
        case .offset(let o)?:
            do {
                result = try parseIndirect(at: o, expected: n).1
            } catch let first as PDFReadError {
                // A wrong offset in the table: the scan finds the object where it really is. When that
                // fails too, the first error says what was wrong.
                guard !recovered, let o2 = scanObjects()[n], o2 != o, let r = try? parseIndirect(at: o2, expected: n) else {
                    if case .syntax = first { throw PDFReadError.missingObject(ref) }
                    throw first
                }
                result = r.1
            }
        case .compressed(let s, let index)?:
            guard !inProgress.contains(s) else { throw PDFReadError.referenceCycle(PDFReference(s)) }
            let stream = try loadObjectStream(s)
            // The index in the cross-reference is advisory: the stream's own header is authoritative.
            _ = index
            guard let off = stream.offsets[n] else { throw PDFReadError.missingObject(ref) }
            var parser = PDFParser(PDFLexer(stream.bytes, at: off), maxDepth: limits.maxDepth)
            result = try parser.parseObject()
        }
        cache[n] = result
        return result
    }

    func loadObjectStream(_ number: Int) throws -> ObjectStream {
        if let s = objectStreams[number] { return s }
        let obj = try object(PDFReference(number))
        guard case .stream(let dict, _) = obj else { throw PDFReadError.missingObject(PDFReference(number)) }
        let data = try decodeStream(obj)
        let count = dict["N"]?.int ?? 0
        let first = dict["First"]?.int ?? 0
        guard count >= 0, first >= 0, first <= data.count else {
            throw PDFReadError.syntax(offset: 0, what: "object stream \(number) has an invalid /N or /First")
        }
        var lex = PDFLexer(data, at: 0, end: first)
        var offsets: [Int: Int] = [:]
        for _ in 0..<min(count, first / 4 + 1) {
            guard case .int(let n) = lex.next(), case .int(let o) = lex.next() else { break }
            let (abs, overflow) = first.addingReportingOverflow(o)
            if n > 0, o >= 0, !overflow, abs < data.count, offsets[n] == nil { offsets[n] = abs }
        }
        let s = ObjectStream(bytes: data, offsets: offsets)
        objectStreams[number] = s
        return s
    }

    /// Follows references (through chains of references) to a direct object; nil stays nil.
    public func resolve(_ obj: PDFObject?) throws -> PDFObject {
        guard var current = obj else { return .null }
        var hops = 0
        while case .reference(let r) = current {
            hops += 1
            if hops > 64 { throw PDFReadError.referenceCycle(r) }
            current = try object(r)
        }
        return current
    }

    /// A dictionary entry, resolved; null when absent or unreadable is not acceptable to the caller.
    public func value(_ dict: PDFDictionary?, _ key: String) throws -> PDFObject {
        try resolve(dict?[key])
    }

    // MARK: - Streams

    /// The decoded bytes of a stream, after its filters, within the document's decoding budget.
    public func streamData(_ obj: PDFObject) throws -> Data {
        Data(try decodeStream(obj))
    }

    func decodeStream(_ obj: PDFObject) throws -> [UInt8] {
        let resolved = try resolve(obj)
        guard case .stream(let dict, let raw) = resolved else {
            throw PDFReadError.syntax(offset: 0, what: "a stream was expected")
        }
        var data = [UInt8](raw)
        var filters: [String] = []
        var parms: [PDFDictionary?] = []
        switch try resolve(dict["Filter"]) {
        case .name(let n): filters = [n]
        case .array(let a): filters = try a.compactMap { try resolve($0).name }
        default: break
        }
        switch try resolve(dict["DecodeParms"] ?? dict["DP"]) {
        case .dictionary(let d): parms = [d]
        case .array(let a): parms = try a.map { try resolve($0).dictionary }
        default: break
        }
        guard filters.count <= 16 else { throw PDFReadError.limitExceeded("more than 16 filters on one stream") }
        for (i, f) in filters.enumerated() {
            guard decodedBudget > 0 else { throw PDFReadError.tooLarge(limit: limits.maxDecodedBytes) }
            do {
                data = try PDFFilters.decode(data, filter: f, parms: i < parms.count ? parms[i] : nil, limit: decodedBudget)
            } catch PDFReadError.tooLarge {
                throw PDFReadError.tooLarge(limit: limits.maxDecodedBytes)
            }
            decodedBudget -= data.count
        }
        return data
    }
}
