import Foundation

/// One font as used by one document: characters get CIDs on first use (1, 2, 3…), which are also the
/// glyph ids of the subset written at the end, so CIDToGIDMap is the identity and the subset stays dense.
public struct EmbeddedFont: Sendable {
    public let font: TrueTypeFont
    /// The resource name in page dictionaries (`F1`…).
    public let resourceName: String
    private var cidOf: [UInt32: UInt16] = [:]
    /// CIDs of the first code points (Latin, punctuation, €) by direct index: the hot path of every text.
    private var cidOfLow = [UInt16](repeating: 0, count: EmbeddedFont.lowLimit)
    static let lowLimit = 0x2200
    /// Original glyph id for each CID (index 0 is .notdef).
    private(set) var glyphs: [UInt16] = [0]
    /// Unicode text of each CID, for the ToUnicode CMap.
    /// Unicode text of each CID (one code point each), for the ToUnicode CMap.
    private(set) var unicode: [UInt32] = [0]
    /// CID of each original glyph already given one (0: none), by glyph id.
    private var cidOfGlyph: [UInt16]

    public init(font: TrueTypeFont, resourceName: String) {
        self.font = font
        self.resourceName = resourceName
        self.cidOfGlyph = [UInt16](repeating: 0, count: font.numGlyphs)
    }

    /// Appends the 2-byte CIDs of `s` to `out` as the body of a literal string (binary, with `(`, `)` and
    /// `\\` escaped: half the size of hex) and returns the advance in font units.
    /// Characters the font lacks are shown as « ? » rather than as an invisible .notdef box.
    @discardableResult
    public mutating func encode(_ s: String, into out: inout PDFBytes) -> Int {
        var advance = 0
        for u in s.unicodeScalars {
            let cid = cid(for: u.value)
            Self.literal(UInt8(cid >> 8), &out)
            Self.literal(UInt8(cid & 0xFF), &out)
            advance += Int(font.advances[Int(glyphs[Int(cid)])])
        }
        return advance
    }

    /// Appends the CIDs of `s` as `encode(_:into:)` does. With `measuring`, returns the width in font units as
    /// `TrueTypeFont.width(of:size:)` measures it (a missing character counts as .notdef, whatever is shown), else 0.
    @discardableResult
    public mutating func encode(_ s: String, into out: inout PDFBytes, measuring: Bool) -> Int {
        var units = 0
        // Each scalar takes at least one UTF-8 byte and gives at most four (two CID bytes, each maybe escaped).
        out.append(maxCount: 4 * s.utf8.count) { p in
            var n = 0
            @inline(__always) func put(_ b: UInt8) {
                switch b {
                case 0x28, 0x29, 0x5C: p[n] = 0x5C; p[n + 1] = b; n += 2
                // A raw CR would be read back as a line end and normalised.
                case 0x0D: p[n] = 0x5C; p[n + 1] = 0x72; n += 2
                default: p[n] = b; n += 1
                }
            }
            for u in s.unicodeScalars {
                let code = u.value
                var cid: UInt16 = code < Self.lowLimit ? cidOfLow[Int(code)] : 0
                if cid == 0 { cid = self.cid(for: code) }
                put(UInt8(cid >> 8))
                put(UInt8(cid & 0xFF))
                if measuring { units += Int(font.advances[Int(font.glyph(forCode: code))]) }
            }
            return n
        }
        return units
    }

    @inline(__always)
    private static func literal(_ b: UInt8, _ out: inout PDFBytes) {
        switch b {
        case 0x28, 0x29, 0x5C: out.append(0x5C); out.append(b)
        // A raw CR would be read back as a line end and normalised.
        case 0x0D: out.append(0x5C); out.append(0x72)
        default: out.append(b)
        }
    }

    /// Gives CIDs to `s`'s characters now, in this order. Reserving the characters every invoice uses
    /// (digits, separators) keeps the CID order — hence the subset, and the cache key — the same across
    /// documents of one layout whose numbers differ.
    public mutating func reserve(_ s: String) {
        for u in s.unicodeScalars { _ = cid(for: u.value) }
    }

    mutating func cid(for code: UInt32) -> UInt16 {
        if code < Self.lowLimit {
            let c = cidOfLow[Int(code)]
            if c != 0 { return c }
            let n = newCID(for: code)
            cidOfLow[Int(code)] = n
            return n
        }
        if let c = cidOf[code] { return c }
        let n = newCID(for: code)
        cidOf[code] = n
        return n
    }

    private mutating func newCID(for code: UInt32) -> UInt16 {
        var g = font.glyph(forCode: code)
        var text = code
        if g == 0 {
            g = font.glyph(forCode: 0x3F)
            text = 0x3F
        }
        // Two characters with one glyph (e.g. NBSP and space) share the CID: the first one's text wins.
        let known = Int(g) < cidOfGlyph.count
        if known && cidOfGlyph[Int(g)] != 0 { return cidOfGlyph[Int(g)] }
        let c = UInt16(glyphs.count)
        glyphs.append(g)
        unicode.append(text)
        if known { cidOfGlyph[Int(g)] = c }
        return c
    }

    /// Writes the Type0 font, its CIDFontType2 descendant, descriptor, subset program and ToUnicode CMap.
    /// `tag` is the six-letter subset prefix (§9.6.4).
    public func write(to w: inout PDFFileWriter, reference: PDFReference, tag: String, compressionLevel: Int32 = 6,
                      programCache: FontProgramCache? = nil) {
        let baseName = tag + "+" + font.postScriptName
        let program: Data, length1: Int
        if let cached = programCache?.get(font: font, glyphs: glyphs) {
            (program, length1) = cached
        } else {
            let raw = font.subset(glyphs: glyphs)
            // With a cache this runs once per glyph set, so it may as well be the smallest.
            program = Zlib.compress(raw, level: programCache == nil ? compressionLevel : 9)
            length1 = raw.count
            programCache?.put(font: font, glyphs: glyphs, program: program, length1: length1)
        }
        let fontFile = w.add(.stream(PDFDictionary([("Length1", .int(length1)), ("Filter", .name("FlateDecode"))]), program))
        let scale = 1000 / Double(font.unitsPerEm)
        let (x0, y0, x1, y1) = font.bbox
        var flags = 32 // nonsymbolic: the glyphs are Latin text
        if font.italicAngle != 0 { flags |= 64 }
        // The three dictionaries are written straight as bytes, in the syntax `PDFSerializer` gives (the widths
        // array alone would otherwise be a hundred boxed `PDFObject`s per font and document).
        func ref(_ r: PDFReference, _ o: inout PDFBytes) { o.append(int: r.number); o.append(0x20); o.append(int: r.generation); o.append(" R") }
        var d = PDFBytes(capacity: 256)
        d.append("<</Type /FontDescriptor/FontName "); PDFSerializer.writeName(baseName, to: &d)
        d.append("/Flags "); d.append(int: flags)
        d.append("/FontBBox [")
        for (i, v) in [x0, y0, x1, y1].enumerated() {
            if i > 0 { d.append(0x20) }
            d.append(int: Int((Double(v) * scale).rounded()))
        }
        d.append("]/ItalicAngle "); d.append(real: font.italicAngle)
        d.append("/Ascent "); d.append(int: Int((Double(font.ascender) * scale).rounded()))
        d.append("/Descent "); d.append(int: Int((Double(font.descender) * scale).rounded()))
        d.append("/CapHeight "); d.append(int: Int((Double(font.capHeight) * scale).rounded()))
        d.append("/StemV "); d.append(int: font.isBold ? 120 : 80)
        d.append("/FontFile2 "); ref(fontFile, &d)
        d.append(">>")
        let descriptor = w.addSerialized(d.bytes)

        var c = PDFBytes(capacity: 400 + 5 * glyphs.count)
        c.append("<</Type /Font/Subtype /CIDFontType2/BaseFont "); PDFSerializer.writeName(baseName, to: &c)
        c.append("/CIDSystemInfo <</Registry (Adobe)/Ordering (Identity)/Supplement 0>>/FontDescriptor "); ref(descriptor, &c)
        c.append("/DW "); c.append(int: Int(font.width1000(glyph: 0).rounded()))
        c.append("/W [")
        if glyphs.count > 1 {
            c.append("1 [")
            for (i, g) in glyphs.dropFirst().enumerated() {
                if i > 0 { c.append(0x20) }
                c.append(int: Int(font.width1000(glyph: g).rounded()))
            }
            c.append(0x5D)
        }
        c.append("]/CIDToGIDMap /Identity>>")
        let cidFont = w.addSerialized(c.bytes)
        let toUnicode: PDFReference
        if let programCache {
            // Documents of one layout map the same CIDs to the same text: the CMap, and so its compressed form,
            // repeats. The CMap is a function of the CIDs' texts alone, which key the cache.
            let (bytes, packed) = programCache.toUnicode(unicode, level: compressionLevel) { toUnicodeCMap() }
            toUnicode = w.add(.stream(PDFDictionary(packed ? [("Filter", .name("FlateDecode"))] : []), bytes))
        } else {
            toUnicode = w.addStream(PDFDictionary(), data: toUnicodeCMap(), level: compressionLevel)
        }
        var t = PDFBytes(capacity: 160)
        t.append("<</Type /Font/Subtype /Type0/BaseFont "); PDFSerializer.writeName(baseName, to: &t)
        t.append("/Encoding /Identity-H/DescendantFonts ["); ref(cidFont, &t)
        t.append("]/ToUnicode "); ref(toUnicode, &t)
        t.append(">>")
        w.setSerialized(reference, t.bytes)
    }

    /// The CMap that maps each CID back to its text, so text can be selected, searched and extracted.
    func toUnicodeCMap() -> Data {
        var o = PDFBytes(capacity: 400 + 20 * glyphs.count)
        o.append("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
        o.append("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
        o.append("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n")
        o.append("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
        var cid = 1
        while cid < glyphs.count {
            let n = min(100, glyphs.count - cid)
            o.append(int: n)
            o.append(" beginbfchar\n")
            for c in cid..<cid + n {
                o.append(0x3C); o.append(hex16: UInt16(c)); o.append("> <")
                let code = unicode[c]
                if code < 0x10000 {
                    o.append(hex16: UInt16(code))
                } else {
                    let v = code - 0x10000
                    o.append(hex16: UInt16(0xD800 + (v >> 10))); o.append(hex16: UInt16(0xDC00 + (v & 0x3FF)))
                }
                o.append(">\n")
            }
            o.append("endbfchar\n")
            cid += n
        }
        o.append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
        return o.data
    }
}

/// Compressed subset programs by (font, glyph list): documents laid out from the same template use the
/// same characters in the same order, and compressing the subset is the costliest step of a small invoice.
public final class FontProgramCache: @unchecked Sendable {
    private struct Key: Hashable { let font: ObjectIdentifier; let glyphs: [UInt16] }
    private var entries: [Key: (Data, Int)] = [:]
    private var order: [Key] = []
    private let lock = NSLock()
    public let capacity: Int

    public init(capacity: Int = 256) { self.capacity = capacity }

    func get(font: TrueTypeFont, glyphs: [UInt16]) -> (Data, Int)? {
        lock.lock(); defer { lock.unlock() }
        return entries[Key(font: ObjectIdentifier(font), glyphs: glyphs)]
    }

    private struct CMapKey: Hashable { let level: Int32; let texts: [UInt32] }
    private var cmaps: [CMapKey: (Data, Bool)] = [:]
    private var cmapOrder: [CMapKey] = []

    /// The ToUnicode stream's data for CIDs with these texts, and whether it is Flate-compressed (only when that
    /// makes it smaller, as `PDFFileWriter.addStream` decides): `make` writes the CMap on a miss.
    func toUnicode(_ texts: [UInt32], level: Int32, make: () -> Data) -> (Data, Bool) {
        let k = CMapKey(level: level, texts: texts)
        lock.lock()
        if let hit = cmaps[k] { lock.unlock(); return hit }
        lock.unlock()
        let raw = make()
        let z = raw.count > 64 ? Zlib.compress(raw, level: level) : raw
        let entry = z.count < raw.count ? (z, true) : (raw, false)
        lock.lock(); defer { lock.unlock() }
        if cmaps[k] == nil {
            cmapOrder.append(k)
            if cmapOrder.count > capacity { cmaps[cmapOrder.removeFirst()] = nil }
        }
        cmaps[k] = entry
        return entry
    }

    func put(font: TrueTypeFont, glyphs: [UInt16], program: Data, length1: Int) {
        lock.lock(); defer { lock.unlock() }
        let k = Key(font: ObjectIdentifier(font), glyphs: glyphs)
        if entries[k] == nil {
            order.append(k)
            if order.count > capacity { entries[order.removeFirst()] = nil }
        }
        entries[k] = (program, length1)
    }
}
