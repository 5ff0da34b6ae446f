import Foundation

/// An affine matrix [a b c d e f] (§8.3.3); `m1.then(m2)` applies m1 first.
struct PDFMatrix {
    var a = 1.0, b = 0.0, c = 0.0, d = 1.0, e = 0.0, f = 0.0
    func then(_ m: PDFMatrix) -> PDFMatrix {
        PDFMatrix(a: a * m.a + b * m.c, b: a * m.b + b * m.d,
                  c: c * m.a + d * m.c, d: c * m.b + d * m.d,
                  e: e * m.a + f * m.c + m.e, f: e * m.b + f * m.d + m.f)
    }
    static func translation(_ x: Double, _ y: Double) -> PDFMatrix { PDFMatrix(e: x, f: y) }
}

/// What the extractor knows of a font: how to split strings into codes, their text and widths.
final class PDFTextFont {
    var bytesPerCode = 1
    var toUnicode: [UInt32: String] = [:]
    var simpleText: [String?] = []
    var widths: [UInt32: Double] = [:]
    var defaultWidth = 0.5
    /// Glyph space → text space (1/1000 except for Type 3 fonts); widths are stored already scaled.
    var scale = 0.001

    func text(_ code: UInt32) -> String {
        if let t = toUnicode[code] { return t }
        if code < simpleText.count, let t = simpleText[Int(code)] { return t }
        return ""
    }

    func width(_ code: UInt32) -> Double {
        widths[code] ?? defaultWidth
    }
}

/// Page text in reading order: content streams are interpreted (text operators, `cm`, `q`/`Q`, form
/// XObjects), each glyph placed in page space, then glyphs are grouped into lines by position.
/// Enough for `pdftotext`-like output of an invoice; not a layout engine.
public struct PDFTextExtractor {
    struct Glyph {
        var x: Double
        var y: Double
        var endX: Double
        var size: Double
        var text: String
    }

    struct State {
        var ctm = PDFMatrix()
        var font: PDFTextFont? = nil
        var fontSize = 0.0
        var charSpacing = 0.0
        var wordSpacing = 0.0
        var hScale = 1.0
        var leading = 0.0
        var rise = 0.0
    }

    /// Glyphs kept per page: one `Tj` can hold millions of codes, memory must stay bounded.
    static let maxGlyphsPerPage = 500_000

    let doc: PDFDocument
    var fonts: [String: PDFTextFont] = [:]
    var glyphs: [Glyph] = []
    var operators = 0

    public init(document: PDFDocument) {
        self.doc = document
    }

    /// The text of every page (pages separated by a form feed, as `pdftotext` does).
    public static func text(of document: PDFDocument) throws -> String {
        var ex = PDFTextExtractor(document: document)
        return try document.pages().map { try ex.pageText($0) }.joined(separator: "\u{0C}")
    }

    public mutating func pageText(_ page: PDFDictionary) throws -> String {
        glyphs = []
        operators = 0
        let resources = try doc.resolve(page["Resources"]).dictionary
        var content = Data()
        switch try doc.resolve(page["Contents"]) {
        case .stream: content = try doc.streamData(page["Contents"]!)
        case .array(let parts):
            for p in parts {
                if case .stream = try doc.resolve(p) {
                    content.append(try doc.streamData(p))
                    content.append(10)
                }
            }
        default: break
        }
        var state = State()
        try run([UInt8](content), resources: resources, state: &state, depth: 0, forms: [])
        return Self.layout(glyphs)
    }

    // MARK: - Interpretation

    mutating func run(_ bytes: [UInt8], resources: PDFDictionary?, state: inout State, depth: Int, forms: Set<PDFReference>) throws {
        var parser = PDFParser(PDFLexer(bytes), maxDepth: 32, budget: doc.limits.maxOperatorsPerPage)
        var operands: [PDFObject] = []
        var stack: [State] = []
        var tm = PDFMatrix(), tlm = PDFMatrix()
        while true {
            let start = parser.lex.pos
            let t = parser.lex.next()
            if case .eof = t { break }
            guard case .keyword(let op) = t else {
                // An operand: keep a bounded number, malformed ones are skipped.
                if let o = try? parser.object(from: t, start: start, depth: 0) {
                    if operands.count < 64 { operands.append(o) }
                }
                continue
            }
            operators += 1
            if operators > doc.limits.maxOperatorsPerPage {
                throw PDFReadError.limitExceeded("more than \(doc.limits.maxOperatorsPerPage) content operators on a page")
            }
            defer { operands.removeAll(keepingCapacity: true) }
            // Operands counted from the end: n(1) is the last.
            func n(_ fromEnd: Int) -> Double {
                let k = operands.count - fromEnd
                return k >= 0 ? (operands[k].number ?? 0) : 0
            }
            switch op {
            case "q":
                if stack.count < 256 { stack.append(state) }
            case "Q":
                if let s = stack.popLast() { state = s }
            case "cm":
                guard operands.count >= 6 else { break }
                state.ctm = PDFMatrix(a: n(6), b: n(5), c: n(4), d: n(3), e: n(2), f: n(1)).then(state.ctm)
            case "BT":
                tm = PDFMatrix(); tlm = PDFMatrix()
            case "Tf":
                state.fontSize = n(1)
                if operands.count >= 2, let name = operands[operands.count - 2].name {
                    state.font = try font(name, resources: resources)
                }
            case "Tc": state.charSpacing = n(1)
            case "Tw": state.wordSpacing = n(1)
            case "Tz": state.hScale = n(1) / 100
            case "TL": state.leading = n(1)
            case "Ts": state.rise = n(1)
            case "Td":
                tlm = PDFMatrix.translation(n(2), n(1)).then(tlm); tm = tlm
            case "TD":
                state.leading = -n(1)
                tlm = PDFMatrix.translation(n(2), n(1)).then(tlm); tm = tlm
            case "Tm":
                guard operands.count >= 6 else { break }
                tlm = PDFMatrix(a: n(6), b: n(5), c: n(4), d: n(3), e: n(2), f: n(1)); tm = tlm
            case "T*":
                tlm = PDFMatrix.translation(0, -state.leading).then(tlm); tm = tlm
            case "Tj":
                if let s = operands.last?.stringBytes { show(s, state: state, tm: &tm) }
            case "'":
                tlm = PDFMatrix.translation(0, -state.leading).then(tlm); tm = tlm
                if let s = operands.last?.stringBytes { show(s, state: state, tm: &tm) }
            case "\"":
                state.wordSpacing = n(3); state.charSpacing = n(2)
                tlm = PDFMatrix.translation(0, -state.leading).then(tlm); tm = tlm
                if let s = operands.last?.stringBytes { show(s, state: state, tm: &tm) }
            case "TJ":
                guard let items = operands.last?.array else { break }
                for item in items {
                    if let s = item.stringBytes {
                        show(s, state: state, tm: &tm)
                    } else if let adj = item.number {
                        let tx = -adj / 1000 * state.fontSize * state.hScale
                        tm = PDFMatrix.translation(tx, 0).then(tm)
                    }
                }
            case "Do":
                guard depth < 8, let name = operands.last?.name,
                      let xobjects = try doc.resolve(resources?["XObject"]).dictionary,
                      let ref = xobjects[name] else { break }
                if let r = ref.reference, forms.contains(r) { break }
                guard case .stream(let d, _) = try doc.resolve(ref), d["Subtype"]?.name == "Form" else { break }
                var inner = state
                if let m = try doc.resolve(d["Matrix"]).array?.compactMap({ $0.number }), m.count == 6 {
                    inner.ctm = PDFMatrix(a: m[0], b: m[1], c: m[2], d: m[3], e: m[4], f: m[5]).then(state.ctm)
                }
                let data = try doc.streamData(ref)
                let res = try doc.resolve(d["Resources"]).dictionary ?? resources
                var nested = forms
                if let r = ref.reference { nested.insert(r) }
                try run([UInt8](data), resources: res, state: &inner, depth: depth + 1, forms: nested)
            case "BI":
                // Inline image: skip its dictionary and binary data up to `EI`.
                let b = parser.lex.bytes
                var p = parser.lex.pos
                guard let id = b.firstRange(of: Array("ID".utf8), from: p) else { parser.lex.pos = parser.lex.end; break }
                p = id + 3
                while p + 2 <= parser.lex.end {
                    if b[p] == UInt8(ascii: "E"), b[p + 1] == UInt8(ascii: "I"), isPDFWhite(b[p - 1]),
                       p + 2 == parser.lex.end || isPDFWhite(b[p + 2]) { break }
                    p += 1
                }
                parser.lex.pos = min(p + 2, parser.lex.end)
            default:
                break
            }
        }
    }

    mutating func show(_ s: Data, state: State, tm: inout PDFMatrix) {
        guard let font = state.font else { return }
        let bytes = [UInt8](s)
        let step = font.bytesPerCode
        var i = 0
        while i < bytes.count {
            var code: UInt32 = 0
            for k in 0..<step { code = code << 8 | UInt32(i + k < bytes.count ? bytes[i + k] : 0) }
            i += step
            let fs = state.fontSize
            let trm = PDFMatrix(a: fs * state.hScale, d: fs, f: state.rise).then(tm).then(state.ctm)
            let w = font.width(code)
            var tx = (w * fs + state.charSpacing) * state.hScale
            if step == 1 && code == 32 { tx += state.wordSpacing * state.hScale }
            let end = PDFMatrix.translation(tx, 0).then(tm).then(state.ctm)
            let text = font.text(code)
            // Absurd matrices give infinities or NaN, which would make the line sort meaningless.
            if !text.isEmpty, glyphs.count < PDFTextExtractor.maxGlyphsPerPage, trm.e.isFinite, trm.f.isFinite, end.e.isFinite {
                let size = max(abs(trm.d), abs(trm.b), 0.01)
                glyphs.append(Glyph(x: trm.e, y: trm.f, endX: end.e, size: size, text: text))
            }
            tm = PDFMatrix.translation(tx, 0).then(tm)
        }
    }

    // MARK: - Fonts

    mutating func font(_ name: String, resources: PDFDictionary?) throws -> PDFTextFont? {
        guard let fontsDict = try doc.resolve(resources?["Font"]).dictionary, let ref = fontsDict[name] else { return nil }
        let key = ref.reference.map { "\($0.number)" } ?? "\(name)@\(fontsDict.keys.count)"
        if let f = fonts[key] { return f }
        let f = PDFTextFont()
        fonts[key] = f
        guard let dict = try doc.resolve(ref).dictionary else { return f }
        let subtype = dict["Subtype"]?.name
        if let tu = dict["ToUnicode"], case .stream = try doc.resolve(tu) {
            if let data = try? doc.streamData(tu) {
                f.toUnicode = Self.parseToUnicode([UInt8](data))
            }
        }
        if subtype == "Type0" {
            f.bytesPerCode = 2
            if case .stream = try doc.resolve(dict["Encoding"]), let data = try? doc.streamData(dict["Encoding"]!) {
                if Self.codespaceLength([UInt8](data)) == 1 { f.bytesPerCode = 1 }
            }
            f.simpleText = []
            let descendant = try doc.resolve(doc.resolve(dict["DescendantFonts"]).array?.first).dictionary
            f.defaultWidth = (try doc.resolve(descendant?["DW"]).number ?? 1000) / 1000
            if let w = try doc.resolve(descendant?["W"]).array {
                var i = 0
                while i < w.count, f.widths.count < 100_000 {
                    guard let first = try doc.resolve(w[i]).int, first >= 0 else { break }
                    if i + 1 < w.count, let list = try doc.resolve(w[i + 1]).array {
                        for (k, v) in list.enumerated() { f.widths[UInt32(truncatingIfNeeded: first &+ k)] = (try doc.resolve(v).number ?? 0) / 1000 }
                        i += 2
                    } else if i + 2 < w.count, let last = try doc.resolve(w[i + 1]).int, let v = try doc.resolve(w[i + 2]).number {
                        if last >= first, last - first < 65536 {
                            for c in first...last { f.widths[UInt32(truncatingIfNeeded: c)] = v / 1000 }
                        }
                        i += 3
                    } else { break }
                }
            }
            return f
        }
        // Simple fonts: one byte per code, text from the encoding (base + /Differences).
        var base: String? = subtype == "Type1" || subtype == "Type3" ? "StandardEncoding" : "WinAnsiEncoding"
        var differences: [PDFObject] = []
        switch try doc.resolve(dict["Encoding"]) {
        case .name(let n): base = n
        case .dictionary(let e):
            if let b = e["BaseEncoding"]?.name { base = b }
            differences = try doc.resolve(e["Differences"]).array ?? []
        default: break
        }
        f.simpleText = PDFEncodings.texts(base: base)
        var code = 0
        for d in differences {
            if let c = d.int { code = c; continue }
            if let n = d.name, code >= 0, code < 256 {
                f.simpleText[code] = PDFEncodings.text(forGlyph: n)
                code += 1
            }
        }
        if subtype == "Type3", let m = try doc.resolve(dict["FontMatrix"]).array?.compactMap({ $0.number }), m.count == 6 {
            f.scale = m[0]
        }
        let descriptor = try doc.resolve(dict["FontDescriptor"]).dictionary
        let missing = try doc.resolve(descriptor?["MissingWidth"]).number
        if let widths = try doc.resolve(dict["Widths"]).array {
            let first = try doc.resolve(dict["FirstChar"]).int ?? 0
            for (k, v) in widths.prefix(256).enumerated() {
                f.widths[UInt32(truncatingIfNeeded: first &+ k)] = (try doc.resolve(v).number ?? 0) * f.scale
            }
            f.defaultWidth = (missing ?? 0) * f.scale
        } else {
            // The standard 14 fonts need no widths; half an em keeps word gaps readable.
            f.defaultWidth = 0.5
        }
        return f
    }

    /// The byte length of the first codespace range of a CMap (1 for simple one-byte CMaps).
    static func codespaceLength(_ bytes: [UInt8]) -> Int? {
        var lex = PDFLexer(bytes)
        var inRange = false
        var guardCount = 0
        while true {
            guardCount += 1
            if guardCount > 100_000 { return nil }
            let t = lex.next()
            switch t {
            case .eof: return nil
            case .keyword("begincodespacerange"): inRange = true
            case .string(let s) where inRange: return s.count
            default: continue
            }
        }
    }

    /// A ToUnicode CMap (§9.10.3): `bfchar` and `bfrange` entries, destinations in UTF-16BE.
    static func parseToUnicode(_ bytes: [UInt8]) -> [UInt32: String] {
        var map: [UInt32: String] = [:]
        var lex = PDFLexer(bytes)
        func code(_ d: Data) -> UInt32 { d.prefix(4).reduce(0) { $0 << 8 | UInt32($1) } }
        func utf16(_ d: Data) -> String {
            var units: [UInt16] = []
            var i = d.startIndex
            while i + 1 < d.endIndex { units.append(UInt16(d[i]) << 8 | UInt16(d[i + 1])); i += 2 }
            if d.count == 1 { units = [UInt16(d[d.startIndex])] }
            return String(decoding: units, as: UTF16.self)
        }
        var mode = ""
        var pending: [PDFToken] = []
        var steps = 0
        while map.count < 200_000 {
            steps += 1
            if steps > 2_000_000 { break }
            let t = lex.next()
            switch t {
            case .eof: return map
            case .keyword("beginbfchar"): mode = "char"; pending = []
            case .keyword("beginbfrange"): mode = "range"; pending = []
            case .keyword("endbfchar"), .keyword("endbfrange"): mode = ""; pending = []
            case .arrayOpen where mode == "range" && pending.count == 2:
                guard case .string(let lo) = pending[0], case .string(let hi) = pending[1] else { pending = []; continue }
                var c = code(lo)
                let h = code(hi)
                while true {
                    let t2 = lex.next()
                    if case .string(let d) = t2 {
                        if c <= h { map[c] = utf16(d) }
                        c &+= 1
                    } else if case .arrayClose = t2 { break } else if case .eof = t2 { return map }
                }
                pending = []
            case .string, .name:
                guard !mode.isEmpty else { continue }
                pending.append(t)
                if mode == "char", pending.count == 2 {
                    if case .string(let s) = pending[0] {
                        if case .string(let d) = pending[1] { map[code(s)] = utf16(d) }
                        if case .name(let n) = pending[1], let tx = PDFEncodings.text(forGlyph: n) { map[code(s)] = tx }
                    }
                    pending = []
                } else if mode == "range", pending.count == 3 {
                    if case .string(let lo) = pending[0], case .string(let hi) = pending[1], case .string(let d) = pending[2] {
                        let l = code(lo), h = code(hi)
                        if h >= l, h - l < 65536 {
                            var units: [UInt16] = []
                            var i = d.startIndex
                            while i + 1 < d.endIndex { units.append(UInt16(d[i]) << 8 | UInt16(d[i + 1])); i += 2 }
                            if units.isEmpty { units = [0] }
                            for k in 0...(h - l) {
                                var u = units
                                u[u.count - 1] = u[u.count - 1] &+ UInt16(truncatingIfNeeded: k)
                                map[l + k] = String(decoding: u, as: UTF16.self)
                            }
                        }
                    }
                    pending = []
                }
            default: continue
            }
        }
        return map
    }

    // MARK: - Layout

    /// Groups glyphs into lines (top to bottom, then left to right), with a space where the gap
    /// between neighbours is wider than a fraction of the font size.
    static func layout(_ glyphs: [Glyph]) -> String {
        guard !glyphs.isEmpty else { return "" }
        let sorted = glyphs.enumerated().sorted { l, r in
            if l.element.y != r.element.y { return l.element.y > r.element.y }
            return l.offset < r.offset
        }.map(\.element)
        var lines: [[Glyph]] = []
        var current: [Glyph] = []
        var lineY = sorted[0].y
        var lineSize = sorted[0].size
        for g in sorted {
            if !current.isEmpty, abs(g.y - lineY) > max(lineSize, g.size) * 0.4 {
                lines.append(current)
                current = []
            }
            if current.isEmpty { lineY = g.y; lineSize = g.size }
            current.append(g)
        }
        if !current.isEmpty { lines.append(current) }
        var out: [String] = []
        for line in lines {
            let ordered = line.enumerated().sorted { l, r in
                if abs(l.element.x - r.element.x) > 0.01 { return l.element.x < r.element.x }
                return l.offset < r.offset
            }.map(\.element)
            var text = ""
            var lastEnd: Double? = nil
            for g in ordered {
                if let e = lastEnd, g.x - e > g.size * 0.2, !text.hasSuffix(" "), g.text != " " {
                    text += " "
                }
                text += g.text
                lastEnd = max(lastEnd ?? g.endX, g.endX)
            }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { out.append(trimmed) }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
