import Foundation

extension XMLParser {
    /// Parses `data` into the same `XMLTree` as libxml2's path (`parse(_:limits:inspect:)`) without
    /// libxml2, when the document is one the native reader fully understands: well-formed UTF-8 XML 1.0
    /// without DOCTYPE. Anything else — any error, an encoding other than UTF-8, a construct that is rare
    /// in invoices — goes to libxml2, so that errors, their messages and lines stay exactly libxml2's.
    public static func parseNatively(_ data: Data, limits: XMLParseLimits = .init()) throws(XMLInputError) -> XMLTree {
        try checkBeforeParsing(data, limits: limits)
        if let tree = nativeTree(data) { return tree }
        return try parse(data, limits: limits, inspect: { _, _ in () }).0
    }

    /// The native reading alone: nil when the document is not one it accepts (libxml2 then decides).
    /// The caller has already applied the checks of `checkBeforeParsing` (size, DOCTYPE).
    static func nativeTree(_ data: Data) -> XMLTree? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> XMLTree? in
            guard let base = raw.baseAddress, raw.count > 0 else { return nil }
            var parser = NativeParser(base.assumingMemoryBound(to: UInt8.self), raw.count)
            do { return try parser.document() } catch { return nil }
        }
    }
}

/// A byte-level reader of UTF-8 XML that builds `XMLTree` as `XMLParser.build` copies it from libxml2
/// 2.9: same nodes (elements, attributes, text; comments and processing instructions dropped but still
/// splitting text), same text (CDATA merged, references resolved, line ends normalised), same lines.
///
/// libxml2 stamps a node with the line its input has reached when the node is created: an element at
/// the `>` of its start tag, a text node at its first "characters" event (`xmlParseCharData` hands text
/// over in chunks: up to a CR or non-ASCII byte on its fast path, then 300 bytes at a time), lines
/// being counted on LF bytes only. `firstChunkEnd` reproduces where that first event happens.
///
/// Every check throws `Unhandled`: the document is then given to libxml2, which alone reports errors.
struct NativeParser {
    struct Unhandled: Error {}

    /// Byte classes, read through a raw pointer in the hot loops (an array would be bounds-checked
    /// and a global re-checked for initialisation at each read).
    struct Classes: @unchecked Sendable {
        static let nameStart: UInt8 = 1, nameChar: UInt8 = 2, plain: UInt8 = 4
        let table: UnsafePointer<UInt8>
        init() {
            let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            for c in 0..<256 {
                let b = UInt8(c)
                var v: UInt8 = 0
                let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
                if letter || b == 0x5F { v |= Classes.nameStart | Classes.nameChar }
                if (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E { v |= Classes.nameChar }
                // libxml2's test_char_data plus LF: printable ASCII but `<`, `&`, `]`; tab.
                if ((b &- 0x20) < 0x60 && b != 0x3C && b != 0x26 && b != 0x5D) || b == 0x0A || b == 0x09 { v |= Classes.plain }
                t[c] = v
            }
            table = UnsafePointer(t) // lives as long as the process
        }
        static let shared = Classes()
    }

    let p: UnsafePointer<UInt8>
    let n: Int
    let cls: UnsafePointer<UInt8>

    var nodes: [XMLTree.Node] = []
    var values: [String] = []
    var nsDecls: [Int32: [String: String]] = [:]

    // Lines, counted lazily up to the positions asked for (always increasing).
    var countedTo = 0
    var lineCount = 1
    var nextLF = 0

    // Names: per-document slots on (namespace index, local name bytes), resolved to process-wide ids at the end.
    var uriBytes: [UInt8] = []
    var uris: [(start: Int, count: Int)] = [(0, 0)]
    var slots: [(uri: Int32, start: Int, count: Int)] = []
    var slotTable = [Int32](repeating: 0, count: 256)

    // In-scope namespace declarations: prefix bytes (in the input) → index in `uris`.
    var bindings: [(prefixStart: Int, prefixCount: Int, uri: Int32)] = []

    struct Open {
        var index: Int32
        var lastChild: Int32 = -1
        var qStart: Int
        var qCount: Int
        var bindingCount: Int
    }
    var stack: [Open] = []

    // The text node being gathered in the innermost open element.
    var textOpen = false
    var textLine: Int32 = 0
    var textRaw: (start: Int, end: Int) = (0, 0)
    var textInBuffer = false
    var textBuffer: [UInt8] = []

    struct Attr {
        var qStart: Int, qCount: Int, colon: Int
        var vStart: Int, vEnd: Int, simple: Bool
        var uri: Int32 = 0
    }
    var attrs: [Attr] = []
    /// Indentation (LF and spaces), most text nodes of a pretty-printed invoice, by number of spaces.
    var indentation = [String?](repeating: nil, count: 64)

    static let spaces = [UInt8](repeating: 0x20, count: 64)
    static let xmlNamespace = Array("http://www.w3.org/XML/1998/namespace".utf8)
    static let xmlnsNamespace = Array("http://www.w3.org/2000/xmlns/".utf8)
    /// libxml2's limits, well below which the native reader stays: deeper, longer or bigger goes to libxml2.
    static let maxDepth = 250
    static let maxText = 9_000_000
    static let maxName = 1000
    static let maxLine = 65_000
    /// Attributes per element, namespace URIs per document, declarations in scope: the native reader's
    /// checks are linear in these, so unusual numbers (only hostile input has them) go to libxml2.
    static let maxAttributes = 64
    static let maxURIs = 256
    static let maxBindings = 256

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
        self.cls = Classes.shared.table
        self.nextLF = findLF(0)
        // About one node per 16 bytes of a pretty-printed invoice; capped, since the tree keeps the
        // capacity and a large document is mostly one attachment.
        nodes.reserveCapacity(min(max(64, n / 16), 4096))
        values.reserveCapacity(min(max(32, n / 32), 2048))
        uriBytes.append(contentsOf: NativeParser.xmlNamespace)
        uris.append((0, NativeParser.xmlNamespace.count)) // index 1: the `xml` prefix, bound implicitly
    }

    @inline(__always) func at(_ i: Int) -> UInt8 { i < n ? p[i] : 0 }

    // MARK: Lines

    mutating func line(at pos: Int) throws(Unhandled) -> Int32 {
        if pos < countedTo { throw Unhandled() } // cannot happen; never guess
        countedTo = pos
        // Line ends are found one by one with the C library's memchr: a call per LF, none per node.
        while nextLF < pos {
            lineCount += 1
            nextLF = findLF(nextLF + 1)
        }
        if lineCount >= NativeParser.maxLine { throw Unhandled() } // libxml2 keeps lines above 65534 elsewhere
        return Int32(lineCount)
    }

    func findLF(_ from: Int) -> Int {
        guard from < n, let hit = memchr(UnsafeRawPointer(p) + from, 0x0A, n - from) else { return n }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }

    // MARK: Characters

    /// Length of a well-formed UTF-8 sequence at `i` (lead byte ≥ 0x80) encoding an XML Char, else 0.
    @inline(__always) func multiByte(_ i: Int) -> Int {
        let b0 = p[i]
        if b0 < 0xC2 { return 0 }
        let b1 = at(i + 1)
        guard b1 & 0xC0 == 0x80 else { return 0 }
        if b0 < 0xE0 { return 2 }
        let b2 = at(i + 2)
        guard b2 & 0xC0 == 0x80 else { return 0 }
        if b0 < 0xF0 {
            let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(b1 & 0x3F) << 6) | UInt32(b2 & 0x3F)
            if v < 0x800 || (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF { return 0 }
            return 3
        }
        guard b0 < 0xF5, at(i + 3) & 0xC0 == 0x80 else { return 0 }
        let v = (UInt32(b0 & 0x07) << 18) | (UInt32(b1 & 0x3F) << 12) | (UInt32(b2 & 0x3F) << 6)
        if v < 0x10000 || v > 0x10FFFF { return 0 }
        return 4
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
    @inline(__always) static func isNameStart(_ c: UInt8) -> Bool {
        (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c == 0x5F
    }
    @inline(__always) static func isNameChar(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
    }

    func skipSpaces(_ i: inout Int) -> Bool {
        let start = i
        while i < n && NativeParser.isSpace(p[i]) { i += 1 }
        return i > start
    }

    /// A QName (`NCName` or `NCName:NCName`, ASCII only): its end and the colon's position (-1 if none).
    func qName(_ start: Int) throws(Unhandled) -> (end: Int, colon: Int) {
        var i = start
        guard i < n, cls[Int(p[i])] & Classes.nameStart != 0 else { throw Unhandled() }
        i += 1
        var colon = -1
        while true {
            i = nextNonNameChar(i)
            if i < n && p[i] == 0x3A && colon < 0 {
                colon = i
                i += 1
                guard i < n, cls[Int(p[i])] & Classes.nameStart != 0 else { throw Unhandled() }
                continue
            }
            break
        }
        // A non-ASCII name character, a second colon or a very long name: libxml2's business.
        if i < n && (p[i] >= 0x80 || p[i] == 0x3A) { throw Unhandled() }
        if i - start > NativeParser.maxName { throw Unhandled() }
        return (i, colon)
    }

    @inline(__always) func equalBytes(_ a: Int, _ b: Int, _ count: Int) -> Bool {
        memcmp(p + a, p + b, count) == 0
    }

    @inline(__always) func matches(_ i: Int, _ s: StaticString) -> Bool {
        let count = s.utf8CodeUnitCount
        guard i + count <= n else { return false }
        return memcmp(p + i, s.utf8Start, count) == 0
    }

    // MARK: References

    /// A reference at `i` (on `&`): the character it stands for and the position after `;`.
    func reference(_ i: Int) throws(Unhandled) -> (UInt32, Int) {
        if at(i + 1) == 0x23 { // '#'
            var j = i + 2
            var v: UInt32 = 0
            var digits = 0
            if at(j) == 0x78 { // 'x'
                j += 1
                while true {
                    let c = at(j)
                    let d: UInt32
                    if c >= 0x30 && c <= 0x39 { d = UInt32(c - 0x30) } else if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 { d = UInt32((c | 0x20) - 0x61 + 10) } else { break }
                    v = min(v &* 16 &+ d, 0x110000)
                    digits += 1
                    j += 1
                }
            } else {
                while true {
                    let c = at(j)
                    guard c >= 0x30 && c <= 0x39 else { break }
                    v = min(v &* 10 &+ UInt32(c - 0x30), 0x110000)
                    digits += 1
                    j += 1
                }
            }
            guard digits > 0, at(j) == 0x3B else { throw Unhandled() }
            let isChar = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
                || (v >= 0x10000 && v <= 0x10FFFF)
            guard isChar else { throw Unhandled() }
            return (v, j + 1)
        }
        if matches(i, "&lt;") { return (0x3C, i + 4) }
        if matches(i, "&gt;") { return (0x3E, i + 4) }
        if matches(i, "&amp;") { return (0x26, i + 5) }
        if matches(i, "&apos;") { return (0x27, i + 6) }
        if matches(i, "&quot;") { return (0x22, i + 6) }
        throw Unhandled() // any other entity is undeclared without a DTD: an error libxml2 reports
    }

    static func append(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    // MARK: Document

    mutating func document() throws(Unhandled) -> XMLTree {
        nodes.append(XMLTree.Node(kind: .document))
        var i = 0
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { i = 3 }
        if matches(i, "<?xml") {
            try xmlDeclaration(&i)
        }
        // Prolog: blanks, comments, processing instructions, then the root element.
        try misc(&i)
        guard at(i) == 0x3C, NativeParser.isNameStart(at(i + 1)) else { throw Unhandled() }
        try content(&i)
        try misc(&i)
        guard i == n else { throw Unhandled() }
        guard values.count < Int32.max, nodes.count < Int32.max else { throw Unhandled() }
        resolveNames()
        return XMLTree(nodes: nodes, values: values, namespaceDeclarations: nsDecls)
    }

    /// `<?xml version="1.0" [encoding="UTF-8"] [standalone="yes|no"] ?>`, nothing else.
    mutating func xmlDeclaration(_ i: inout Int) throws(Unhandled) {
        i += 5
        guard skipSpaces(&i) else { throw Unhandled() }
        func value(_ i: inout Int) throws(Unhandled) -> (Int, Int) {
            _ = skipSpaces(&i)
            guard at(i) == 0x3D else { throw Unhandled() }
            i += 1
            _ = skipSpaces(&i)
            let q = at(i)
            guard q == 0x22 || q == 0x27 else { throw Unhandled() }
            let start = i + 1
            var j = start
            while j < n && p[j] != q && p[j] >= 0x20 && p[j] < 0x80 && p[j] != 0x3C { j += 1 }
            guard at(j) == q else { throw Unhandled() }
            i = j + 1
            return (start, j)
        }
        guard matches(i, "version") else { throw Unhandled() }
        i += 7
        let (vs, ve) = try value(&i)
        guard ve - vs == 3, matches(vs, "1.0") else { throw Unhandled() }
        var sawEncoding = false, sawStandalone = false
        while true {
            let spaced = skipSpaces(&i)
            if matches(i, "?>") { i += 2; return }
            guard spaced else { throw Unhandled() }
            if !sawEncoding && !sawStandalone && matches(i, "encoding") {
                i += 8
                let (s, e) = try value(&i)
                guard e - s == 5, (p[s] | 0x20) == 0x75, (p[s + 1] | 0x20) == 0x74, (p[s + 2] | 0x20) == 0x66,
                      p[s + 3] == 0x2D, p[s + 4] == 0x38 else { throw Unhandled() }
                sawEncoding = true
            } else if !sawStandalone && matches(i, "standalone") {
                i += 10
                let (s, e) = try value(&i)
                guard (e - s == 3 && matches(s, "yes")) || (e - s == 2 && matches(s, "no")) else { throw Unhandled() }
                sawStandalone = true
            } else {
                throw Unhandled()
            }
        }
    }

    /// Blanks, comments and processing instructions outside the root element.
    mutating func misc(_ i: inout Int) throws(Unhandled) {
        while true {
            _ = skipSpaces(&i)
            if matches(i, "<!--") { try comment(&i); continue }
            if matches(i, "<?") { try processingInstruction(&i); continue }
            return
        }
    }

    /// Validates the characters of `start..<end` (comments, PIs, CDATA): XML Chars in UTF-8.
    func checkChars(_ start: Int, _ end: Int) throws(Unhandled) {
        var j = start
        while j < end {
            let c = p[j]
            if c >= 0x20 && c < 0x80 { j += 1; continue }
            if c == 0x09 || c == 0x0A || c == 0x0D { j += 1; continue }
            guard c >= 0x80 else { throw Unhandled() }
            let l = multiByte(j)
            guard l > 0, j + l <= end else { throw Unhandled() }
            j += l
        }
    }

    /// `<!-- … -->`; `--` may only close it.
    mutating func comment(_ i: inout Int) throws(Unhandled) {
        let start = i + 4
        var j = start
        while true {
            guard j + 1 < n else { throw Unhandled() }
            if p[j] == 0x2D && p[j + 1] == 0x2D { break }
            j += 1
        }
        guard at(j + 2) == 0x3E, j - start < NativeParser.maxText else { throw Unhandled() }
        try checkChars(start, j)
        i = j + 3
    }

    /// `<?target …?>`; targets beginning with `xml` (reserved) are left to libxml2.
    mutating func processingInstruction(_ i: inout Int) throws(Unhandled) {
        let (end, colon) = try qName(i + 2)
        guard colon < 0, end - (i + 2) >= 1 else { throw Unhandled() }
        if end - (i + 2) >= 3, (p[i + 2] | 0x20) == 0x78, (p[i + 3] | 0x20) == 0x6D, (p[i + 4] | 0x20) == 0x6C { throw Unhandled() }
        var j = end
        if matches(j, "?>") { i = j + 2; return }
        guard j < n, NativeParser.isSpace(p[j]) else { throw Unhandled() }
        let start = j
        while true {
            guard j + 1 < n else { throw Unhandled() }
            if p[j] == 0x3F && p[j + 1] == 0x3E { break }
            j += 1
        }
        guard j - start < NativeParser.maxText else { throw Unhandled() }
        try checkChars(start, j)
        i = j + 2
    }

    // MARK: Content

    /// From the root's start tag to its end tag.
    mutating func content(_ i: inout Int) throws(Unhandled) {
        while true {
            guard i < n else { throw Unhandled() }
            let c = p[i]
            if c == 0x3C {
                let d = at(i + 1)
                if d == 0x2F {
                    try endTag(&i)
                    if stack.isEmpty { return }
                } else if d == 0x21 {
                    if matches(i, "<!--") {
                        closeText()
                        try comment(&i)
                    } else if matches(i, "<![CDATA[") {
                        try cdata(&i)
                    } else {
                        throw Unhandled()
                    }
                } else if d == 0x3F {
                    closeText()
                    try processingInstruction(&i)
                } else {
                    try startTag(&i)
                    if stack.isEmpty { return } // an empty root element
                }
            } else if c == 0x26 {
                let (v, end) = try reference(i)
                if !textOpen { try openText(line: line(at: end)) }
                toBuffer()
                NativeParser.append(v, to: &textBuffer)
                i = end
            } else {
                try charData(&i)
            }
        }
    }

    mutating func openText(line: Int32) {
        textOpen = true
        textLine = line
        textInBuffer = false
        textRaw = (0, 0)
    }

    /// Switches the open text to the scratch buffer (a second piece, a reference, a CR to normalise).
    mutating func toBuffer() {
        if textInBuffer { return }
        textBuffer.removeAll(keepingCapacity: true)
        if textRaw.end > textRaw.start {
            textBuffer.append(contentsOf: UnsafeBufferPointer(start: p + textRaw.start, count: textRaw.end - textRaw.start))
        }
        textInBuffer = true
    }

    /// Appends `start..<end` with line ends normalised (CR LF and lone CR → LF).
    mutating func appendNormalised(_ start: Int, _ end: Int) {
        toBuffer()
        var j = start
        var run = start
        while j < end {
            if p[j] == 0x0D {
                if j > run { textBuffer.append(contentsOf: UnsafeBufferPointer(start: p + run, count: j - run)) }
                textBuffer.append(0x0A)
                j += (j + 1 < end && p[j + 1] == 0x0A) ? 2 : 1
                run = j
            } else {
                j += 1
            }
        }
        if end > run { textBuffer.append(contentsOf: UnsafeBufferPointer(start: p + run, count: end - run)) }
    }

    mutating func closeText() {
        guard textOpen else { return }
        textOpen = false
        let s: String
        if textInBuffer {
            s = String(decoding: textBuffer, as: UTF8.self)
        } else {
            let start = textRaw.start, count = textRaw.end - textRaw.start
            if count > 0 && count <= indentation.count && p[start] == 0x0A
                && NativeParser.spaces.withUnsafeBufferPointer({ memcmp(p + start + 1, $0.baseAddress!, count - 1) == 0 }) {
                if let cached = indentation[count - 1] { s = cached } else {
                    s = String(decoding: UnsafeBufferPointer(start: p + start, count: count), as: UTF8.self)
                    indentation[count - 1] = s
                }
            } else {
                s = String(decoding: UnsafeBufferPointer(start: p + start, count: count), as: UTF8.self)
            }
        }
        values.append(s)
        let idx = Int32(nodes.count)
        let parent = stack[stack.count - 1].index
        nodes.append(XMLTree.Node(kind: .text, parent: parent, line: textLine, value: Int32(values.count - 1)))
        link(idx)
    }

    @inline(__always) mutating func link(_ idx: Int32) {
        let top = stack.count - 1
        let last = stack[top].lastChild
        if last >= 0 { nodes[Int(last)].nextSibling = idx } else { nodes[Int(stack[top].index)].firstChild = idx }
        stack[top].lastChild = idx
    }

    /// The first byte at or after `start` that is not plain text (printable ASCII but `<`, `&`, `]`;
    /// tab; LF), sixteen bytes at a time; `n` if none. Lanes are signed so that "printable ASCII" is
    /// one comparison (bytes from 0x80 are negative).
    @inline(__always) func plainLanes(_ j: Int) -> SIMDMask<SIMD16<Int8>> {
        typealias V = SIMD16<Int8>
        let v = UnsafeRawPointer(p + j).loadUnaligned(as: V.self)
        let printable = v .> V(repeating: 0x1F)
        let special = (v .== V(repeating: 0x3C)) .| (v .== V(repeating: 0x26)) .| (v .== V(repeating: 0x5D))
        let blank = (v .== V(repeating: 0x0A)) .| (v .== V(repeating: 0x09))
        return (printable .& .!special) .| blank
    }

    @inline(__always) func nextNonPlain(_ start: Int) -> Int {
        var j = start
        var blocks = 0
        while j + 16 <= n {
            let w = unsafeBitCast(plainLanes(j), to: SIMD2<UInt64>.self)
            if w[0] != UInt64.max { return j + (~w[0]).trailingZeroBitCount >> 3 }
            if w[1] != UInt64.max { return j + 8 + (~w[1]).trailingZeroBitCount >> 3 }
            j += 16
            blocks += 1
            if blocks == 4 {
                // A long run (an attachment): 64 bytes per test, then the last blocks one by one.
                while j + 64 <= n {
                    let all = plainLanes(j) .& plainLanes(j + 16) .& plainLanes(j + 32) .& plainLanes(j + 48)
                    let a = unsafeBitCast(all, to: SIMD2<UInt64>.self)
                    if a[0] & a[1] != UInt64.max { break }
                    j += 64
                }
            }
        }
        while j < n && cls[Int(p[j])] & Classes.plain != 0 { j += 1 }
        return j
    }

    /// The first byte at or after `start` that is not an ASCII name character (letters, digits, `_-.`).
    @inline(__always) func nextNonNameChar(_ start: Int) -> Int {
        typealias V = SIMD16<Int8>
        var j = start
        while j + 16 <= n {
            let v = UnsafeRawPointer(p + j).loadUnaligned(as: V.self)
            let folded = v | V(repeating: 0x20)
            let letter = (folded .> V(repeating: 0x60)) .& (folded .< V(repeating: 0x7B))
            let digit = (v .> V(repeating: 0x2F)) .& (v .< V(repeating: 0x3A))
            let other = (v .== V(repeating: 0x5F)) .| (v .== V(repeating: 0x2D)) .| (v .== V(repeating: 0x2E))
            let ok = letter .| digit .| other
            let w = unsafeBitCast(ok, to: SIMD2<UInt64>.self)
            if w[0] != UInt64.max { return j + (~w[0]).trailingZeroBitCount >> 3 }
            if w[1] != UInt64.max { return j + 8 + (~w[1]).trailingZeroBitCount >> 3 }
            j += 16
        }
        while j < n && cls[Int(p[j])] & Classes.nameChar != 0 { j += 1 }
        return j
    }

    /// Character data up to `<` or `&`.
    mutating func charData(_ i: inout Int) throws(Unhandled) {
        let s = i
        var j = i
        var hasCR = false, special = false
        scan: while true {
            j = nextNonPlain(j)
            guard j < n else { throw Unhandled() }
            let c = p[j]
            switch c {
            case 0x3C, 0x26:
                break scan
            case 0x5D:
                if at(j + 1) == 0x5D && at(j + 2) == 0x3E { throw Unhandled() }
                j += 1
            case 0x0D:
                hasCR = true
                special = true
                j += 1
            default:
                guard c >= 0x80 else { throw Unhandled() }
                let l = multiByte(j)
                guard l > 0 else { throw Unhandled() }
                j += l
                special = true
            }
        }
        let e = j
        guard e - s < NativeParser.maxText else { throw Unhandled() }
        if !textOpen {
            // Without CR or non-ASCII bytes libxml2 hands the whole run over at once.
            try openText(line: line(at: special ? firstChunkEnd(s, e) : e))
            if !hasCR {
                textRaw = (s, e)
                i = e
                return
            }
        }
        if hasCR { appendNormalised(s, e) } else {
            toBuffer()
            textBuffer.append(contentsOf: UnsafeBufferPointer(start: p + s, count: e - s))
        }
        guard textBuffer.count < NativeParser.maxText else { throw Unhandled() }
        i = e
    }

    /// Where libxml2's first "characters" event for the run `s..<e` happens (see the type's comment):
    /// its fast path stops at the first byte it does not take (CR, non-ASCII); a CR LF before any text is
    /// stepped over; from a byte it cannot take, its slow path hands over 300 bytes at a time.
    func firstChunkEnd(_ s: Int, _ e: Int) -> Int {
        var cur = s, j = s
        while true {
            while j < e {
                let c = p[j]
                if ((c &- 0x20) < 0x60) || c == 0x0A || c == 0x09 { j += 1 } else { break }
            }
            if j > cur { return j }
            if p[j] == 0x0D && j + 1 < e && p[j + 1] == 0x0A {
                cur = j + 1
                j += 2
                let c = at(j)
                if (c >= 0x20 && c <= 0x7F) || c == 0x09 || c == 0x0A { continue }
            }
            break
        }
        var out = 0
        j = cur
        while j < e {
            let c = p[j]
            if c == 0x0D {
                j += (j + 1 < e && p[j + 1] == 0x0A) ? 2 : 1
                out += 1
            } else if c < 0x80 {
                j += 1
                out += 1
            } else {
                let l = c >= 0xF0 ? 4 : (c >= 0xE0 ? 3 : 2)
                j += l
                out += l
            }
            if out >= 300 { return j }
        }
        return e
    }

    /// `<![CDATA[ … ]]>`: its text joins the open text node (or starts one, even empty).
    mutating func cdata(_ i: inout Int) throws(Unhandled) {
        let start = i + 9
        var j = start
        while true {
            guard j + 2 < n else { throw Unhandled() }
            if p[j] == 0x5D && p[j + 1] == 0x5D && p[j + 2] == 0x3E { break }
            j += 1
        }
        guard j - start < NativeParser.maxText else { throw Unhandled() }
        try checkChars(start, j)
        let end = j + 3
        if !textOpen { try openText(line: line(at: end)) }
        appendNormalised(start, j)
        guard textBuffer.count < NativeParser.maxText else { throw Unhandled() }
        i = end
    }

    // MARK: Tags

    mutating func startTag(_ i: inout Int) throws(Unhandled) {
        closeText()
        guard stack.count < NativeParser.maxDepth else { throw Unhandled() }
        let qStart = i + 1
        let (qEnd, colon) = try qName(qStart)
        var j = qEnd
        if !attrs.isEmpty { attrs.removeAll(keepingCapacity: true) }
        var empty = false
        while true {
            let spaced = skipSpaces(&j)
            let c = at(j)
            if c == 0x3E { break }
            if c == 0x2F {
                guard at(j + 1) == 0x3E else { throw Unhandled() }
                empty = true
                break
            }
            guard spaced else { throw Unhandled() }
            let aStart = j
            let (aEnd, aColon) = try qName(aStart)
            j = aEnd
            _ = skipSpaces(&j)
            guard at(j) == 0x3D else { throw Unhandled() }
            j += 1
            _ = skipSpaces(&j)
            let q = at(j)
            guard q == 0x22 || q == 0x27 else { throw Unhandled() }
            j += 1
            let vStart = j
            var simple = true
            while true {
                guard j < n else { throw Unhandled() }
                let c = p[j]
                if c == q { break }
                if c >= 0x20 && c < 0x80 {
                    if c == 0x3C { throw Unhandled() }
                    if c == 0x26 { simple = false; _ = try reference(j) }
                    j += 1
                } else if c == 0x09 || c == 0x0A || c == 0x0D {
                    simple = false
                    j += 1
                } else {
                    guard c >= 0x80 else { throw Unhandled() }
                    let l = multiByte(j)
                    guard l > 0 else { throw Unhandled() }
                    j += l
                }
            }
            guard j - vStart < NativeParser.maxText, attrs.count < NativeParser.maxAttributes else { throw Unhandled() }
            attrs.append(Attr(qStart: aStart, qCount: aEnd - aStart, colon: aColon, vStart: vStart, vEnd: j, simple: simple))
            j += 1
        }
        let line = try self.line(at: j)

        // Namespace declarations first: they apply to the element and all its attributes.
        let bindingCount = bindings.count
        var declared: [String: String]? = nil
        var k = 0
        while k < attrs.count {
            let a = attrs[k]
            let isDefault = a.colon < 0 && a.qCount == 5 && matches(a.qStart, "xmlns")
            let isPrefixed = a.colon == a.qStart + 5 && matches(a.qStart, "xmlns:")
            guard isDefault || isPrefixed else { k += 1; continue }
            let prefixStart = isDefault ? a.qStart : a.qStart + 6
            let prefixCount = isDefault ? 0 : a.qCount - 6
            if isPrefixed {
                // `xml` and `xmlns` prefixes, and empty prefixed declarations, are namespace errors or special cases.
                if (prefixCount == 3 && matches(prefixStart, "xml")) || (prefixCount == 5 && matches(prefixStart, "xmlns")) { throw Unhandled() }
            }
            for b in bindings[bindingCount...] where b.prefixCount == prefixCount && equalBytes(b.prefixStart, prefixStart, prefixCount) {
                throw Unhandled() // declared twice on one element
            }
            let value = attributeBytes(a)
            if isPrefixed && value.isEmpty { throw Unhandled() }
            if value == NativeParser.xmlNamespace || value == NativeParser.xmlnsNamespace { throw Unhandled() }
            let uri = internURI(value)
            guard uris.count <= NativeParser.maxURIs, bindings.count < NativeParser.maxBindings else { throw Unhandled() }
            bindings.append((prefixStart, prefixCount, uri))
            if declared == nil { declared = [:] }
            declared![String(decoding: UnsafeBufferPointer(start: p + prefixStart, count: prefixCount), as: UTF8.self)] =
                String(decoding: value, as: UTF8.self)
            attrs.remove(at: k)
        }

        let elementURI = try resolve(qStart, colon < 0 ? 0 : colon - qStart, attribute: false)
        let localStart = colon < 0 ? qStart : colon + 1
        let name = slot(elementURI, localStart, qEnd - localStart)
        let idx = Int32(nodes.count)
        let parent = stack.isEmpty ? Int32(0) : stack[stack.count - 1].index
        nodes.append(XMLTree.Node(kind: .element, name: name, parent: parent, line: line))
        if stack.isEmpty {
            nodes[0].firstChild = idx
        } else {
            link(idx)
        }
        if let declared { nsDecls[idx] = declared }

        // Attributes: resolved, unique by expanded name.
        for k in attrs.indices {
            let a = attrs[k]
            attrs[k].uri = a.colon < 0 ? 0 : try resolve(a.qStart, a.colon - a.qStart, attribute: true)
        }
        var prevAttr: Int32 = -1
        for k in attrs.indices {
            let a = attrs[k]
            let ls = a.colon < 0 ? a.qStart : a.colon + 1
            let lc = a.qStart + a.qCount - ls
            for m in 0..<k {
                let b = attrs[m]
                let bs = b.colon < 0 ? b.qStart : b.colon + 1
                if b.uri == a.uri && b.qStart + b.qCount - bs == lc && equalBytes(bs, ls, lc) { throw Unhandled() }
            }
            let v: String
            if a.simple {
                v = String(decoding: UnsafeBufferPointer(start: p + a.vStart, count: a.vEnd - a.vStart), as: UTF8.self)
            } else {
                v = String(decoding: attributeBytes(a), as: UTF8.self)
            }
            values.append(v)
            let aidx = Int32(nodes.count)
            nodes.append(XMLTree.Node(kind: .attribute, name: slot(a.uri, ls, lc), parent: idx, line: line, value: Int32(values.count - 1)))
            if prevAttr < 0 { nodes[Int(idx)].firstAttribute = aidx } else { nodes[Int(prevAttr)].nextSibling = aidx }
            prevAttr = aidx
        }

        if empty {
            if bindings.count > bindingCount { bindings.removeSubrange(bindingCount...) }
            i = j + 2
        } else {
            stack.append(Open(index: idx, qStart: qStart, qCount: qEnd - qStart, bindingCount: bindingCount))
            i = j + 1
        }
    }

    /// An attribute's value as libxml2 stores it: references resolved, each white space character
    /// (CR LF counting as one) turned into a space.
    mutating func attributeBytes(_ a: Attr) -> [UInt8] {
        if a.simple { return Array(UnsafeBufferPointer(start: p + a.vStart, count: a.vEnd - a.vStart)) }
        var out: [UInt8] = []
        out.reserveCapacity(a.vEnd - a.vStart)
        var j = a.vStart
        while j < a.vEnd {
            let c = p[j]
            if c == 0x26 {
                // Already checked while scanning the tag.
                guard let (v, end) = try? reference(j) else { return out }
                NativeParser.append(v, to: &out)
                j = end
            } else if c == 0x0D {
                out.append(0x20)
                j += (j + 1 < a.vEnd && p[j + 1] == 0x0A) ? 2 : 1
            } else if c == 0x0A || c == 0x09 {
                out.append(0x20)
                j += 1
            } else {
                out.append(c)
                j += 1
            }
        }
        return out
    }

    mutating func internURI(_ bytes: [UInt8]) -> Int32 {
        for k in 1..<uris.count {
            let u = uris[k]
            if u.count == bytes.count && uriBytes[u.start..<(u.start + u.count)].elementsEqual(bytes) { return Int32(k) }
        }
        if bytes.isEmpty { return 0 }
        uris.append((uriBytes.count, bytes.count))
        uriBytes.append(contentsOf: bytes)
        return Int32(uris.count - 1)
    }

    /// The namespace index of a prefix (`count` 0: the default namespace; attributes never take it).
    func resolve(_ start: Int, _ count: Int, attribute: Bool) throws(Unhandled) -> Int32 {
        if count == 3 && matches(start, "xml") {
            if !attribute { throw Unhandled() } // an element in the `xml` namespace: left to libxml2
            return 1
        }
        if count == 5 && matches(start, "xmlns") { throw Unhandled() }
        var k = bindings.count - 1
        while k >= 0 {
            let b = bindings[k]
            if b.prefixCount == count && (count == 0 || equalBytes(b.prefixStart, start, count)) { return b.uri }
            k -= 1
        }
        if count == 0 { return 0 }
        throw Unhandled() // an unbound prefix: a namespace error libxml2 reports its own way
    }

    mutating func endTag(_ i: inout Int) throws(Unhandled) {
        guard let top = stack.last else { throw Unhandled() }
        // The end tag must repeat the start tag's name exactly, and end there.
        let end = i + 2 + top.qCount
        guard end < n, equalBytes(i + 2, top.qStart, top.qCount) else { throw Unhandled() }
        let next = p[end]
        guard cls[Int(next)] & Classes.nameChar == 0, next != 0x3A, next < 0x80 else { throw Unhandled() }
        var j = end
        _ = skipSpaces(&j)
        guard at(j) == 0x3E else { throw Unhandled() }
        closeText()
        if bindings.count > top.bindingCount { bindings.removeSubrange(top.bindingCount...) }
        stack.removeLast()
        i = j + 1
    }

    // MARK: Names

    /// A hash of a name's bytes, eight at a time.
    @inline(__always) func hash(_ uri: Int32, _ start: Int, _ count: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(UInt32(bitPattern: uri)) ^ UInt64(count) << 40
        var k = 0
        while k + 8 <= count {
            let w = UnsafeRawPointer(p + start + k).loadUnaligned(as: UInt64.self)
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            k += 8
        }
        while k < count {
            h = (h ^ UInt64(p[start + k])) &* 0x100_0000_01B3
            k += 1
        }
        return h ^ (h >> 31)
    }

    mutating func slot(_ uri: Int32, _ start: Int, _ count: Int) -> Int32 {
        let h = hash(uri, start, count)
        let mask = slotTable.count - 1
        var b = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let v = slotTable[b]
            if v == 0 { break }
            let s = slots[Int(v - 1)]
            if s.uri == uri && s.count == count && equalBytes(s.start, start, count) { return v - 1 }
            b = (b + 1) & mask
        }
        let id = Int32(slots.count)
        slots.append((uri, start, count))
        slotTable[b] = id + 1
        if slots.count * 2 > slotTable.count { growSlots() }
        return id
    }

    mutating func growSlots() {
        slotTable = [Int32](repeating: 0, count: slotTable.count * 2)
        let mask = slotTable.count - 1
        for (k, s) in slots.enumerated() {
            let h = hash(s.uri, s.start, s.count)
            var b = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
            while slotTable[b] != 0 { b = (b + 1) & mask }
            slotTable[b] = Int32(k + 1)
        }
    }

    mutating func resolveNames() {
        let ids: [Int32] = uriBytes.withUnsafeBufferPointer { u in
            let names = slots.map { s -> (namespace: UnsafeBufferPointer<UInt8>, local: UnsafeBufferPointer<UInt8>) in
                let ns = uris[Int(s.uri)]
                return (UnsafeBufferPointer(rebasing: u[ns.start..<(ns.start + ns.count)]), UnsafeBufferPointer(start: p + s.start, count: s.count))
            }
            return NameTable.shared.ids(utf8Slices: names)
        }
        ids.withUnsafeBufferPointer { ids in
            for k in nodes.indices where nodes[k].name >= 0 { nodes[k].name = ids[Int(nodes[k].name)] }
        }
    }
}
