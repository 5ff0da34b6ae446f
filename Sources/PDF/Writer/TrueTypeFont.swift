import Foundation

/// A TrueType font program, parsed once and shared: metrics, the Unicode cmap and the glyph outlines,
/// enough to measure text and to cut per-document subsets for embedding (ISO 32000-1 §9.9).
public final class TrueTypeFont: Sendable {
    public let postScriptName: String
    public let unitsPerEm: Int
    public let ascender: Int
    public let descender: Int
    public let capHeight: Int
    public let italicAngle: Double
    public let bbox: (Int, Int, Int, Int)
    public let isBold: Bool
    public let numGlyphs: Int
    /// Advance widths in font units, by glyph id.
    public let advances: [UInt16]
    /// Glyph id of each BMP code point (0 when the font has no glyph for it).
    private let bmp: [UInt16]
    private let supplementary: [UInt32: UInt16]
    private let data: [UInt8]
    private let glyfOffset: Int
    private let loca: [Int]
    private let head: [UInt8]
    private let hhea: [UInt8]
    private let maxp: [UInt8]

    public init(data d: Data) throws {
        let b = [UInt8](d)
        data = b
        func u16(_ o: Int) throws -> Int {
            guard o >= 0, o + 2 <= b.count else { throw PDFWriteError.font("truncated font at offset \(o)") }
            return Int(b[o]) << 8 | Int(b[o + 1])
        }
        func i16(_ o: Int) throws -> Int { Int(Int16(truncatingIfNeeded: try u16(o))) }
        func u32(_ o: Int) throws -> Int { try u16(o) << 16 | u16(o + 2) }
        let version = try u32(0)
        guard version == 0x00010000 || version == 0x74727565 else {
            throw PDFWriteError.font("not a TrueType font (sfnt version \(String(version, radix: 16)))")
        }
        var tables: [String: (Int, Int)] = [:]
        let n = try u16(4)
        for i in 0..<n {
            let r = 12 + 16 * i
            let tag = String(decoding: b[r..<r + 4], as: UTF8.self)
            let off = try u32(r + 8), len = try u32(r + 12)
            guard off + len <= b.count else { throw PDFWriteError.font("table \(tag) runs past the end of the file") }
            tables[tag] = (off, len)
        }
        func table(_ tag: String) throws -> (Int, Int) {
            guard let t = tables[tag] else { throw PDFWriteError.font("missing '\(tag)' table") }
            return t
        }
        let (headO, headL) = try table("head")
        head = Array(b[headO..<headO + headL])
        unitsPerEm = try u16(headO + 18)
        bbox = (try i16(headO + 36), try i16(headO + 38), try i16(headO + 40), try i16(headO + 42))
        let longLoca = try i16(headO + 50) == 1
        let (hheaO, hheaL) = try table("hhea")
        hhea = Array(b[hheaO..<hheaO + hheaL])
        ascender = try i16(hheaO + 4)
        descender = try i16(hheaO + 6)
        let numHMetrics = try u16(hheaO + 34)
        let (maxpO, maxpL) = try table("maxp")
        maxp = Array(b[maxpO..<maxpO + maxpL])
        numGlyphs = try u16(maxpO + 4)
        let (hmtxO, _) = try table("hmtx")
        var adv = [UInt16](repeating: 0, count: numGlyphs)
        var last = 0
        for g in 0..<numGlyphs {
            if g < numHMetrics { last = try u16(hmtxO + 4 * g) }
            adv[g] = UInt16(last)
        }
        advances = adv
        let (locaO, _) = try table("loca")
        var l = [Int](repeating: 0, count: numGlyphs + 1)
        for g in 0...numGlyphs { l[g] = longLoca ? try u32(locaO + 4 * g) : try u16(locaO + 2 * g) * 2 }
        loca = l
        glyfOffset = try table("glyf").0
        if let (postO, _) = tables["post"] {
            italicAngle = Double(try i16(postO + 4)) + Double(try u16(postO + 6)) / 65536
        } else {
            italicAngle = 0
        }
        var cap = ascender * 7 / 10
        var bold = false
        if let (os2O, _) = tables["OS/2"] {
            bold = try u16(os2O + 4) >= 600
            if try u16(os2O) >= 2 { cap = try i16(os2O + 88) }
        }
        capHeight = cap
        isBold = bold
        postScriptName = try Self.readName(b, tables["name"], id: 6) ?? "Font"
        // Subsets embedded in PDFs have no cmap (CIDs address glyphs directly); they still parse, unmapped.
        if let cmap = tables["cmap"] {
            (bmp, supplementary) = try Self.readCmap(b, cmap)
        } else {
            (bmp, supplementary) = ([UInt16](repeating: 0, count: 0x10000), [:])
        }
    }

    private static func readName(_ b: [UInt8], _ t: (Int, Int)?, id: Int) throws -> String? {
        guard let (o, _) = t else { return nil }
        func u16(_ p: Int) -> Int { p + 2 <= b.count ? Int(b[p]) << 8 | Int(b[p + 1]) : 0 }
        let count = u16(o + 2), strings = o + u16(o + 4)
        for i in 0..<count {
            let r = o + 6 + 12 * i
            guard u16(r + 6) == id else { continue }
            let platform = u16(r), len = u16(r + 8), off = strings + u16(r + 10)
            guard off + len <= b.count else { continue }
            if platform == 3 || platform == 0 {
                var units: [UInt16] = []
                var p = off
                while p + 1 < off + len { units.append(UInt16(u16(p))); p += 2 }
                return String(decoding: units, as: UTF16.self)
            }
            return String(decoding: b[off..<off + len], as: UTF8.self)
        }
        return nil
    }

    /// Windows Unicode cmaps: format 12 (full repertoire) preferred, else format 4 (BMP).
    private static func readCmap(_ b: [UInt8], _ t: (Int, Int)) throws -> ([UInt16], [UInt32: UInt16]) {
        func u16(_ p: Int) throws -> Int {
            guard p + 2 <= b.count else { throw PDFWriteError.font("truncated cmap") }
            return Int(b[p]) << 8 | Int(b[p + 1])
        }
        func u32(_ p: Int) throws -> Int { try u16(p) << 16 | u16(p + 2) }
        let o = t.0
        var f4: Int?, f12: Int?
        for i in 0..<(try u16(o + 2)) {
            let r = o + 4 + 8 * i
            let platform = try u16(r), encoding = try u16(r + 2), sub = o + (try u32(r + 4))
            let format = try u16(sub)
            if platform == 3 && encoding == 10 && format == 12 { f12 = sub }
            if (platform == 3 && encoding == 1 || platform == 0) && format == 4 { f4 = f4 ?? sub }
        }
        var bmp = [UInt16](repeating: 0, count: 0x10000)
        var sup: [UInt32: UInt16] = [:]
        if let s = f12 {
            let groups = try u32(s + 12)
            for g in 0..<groups {
                let r = s + 16 + 12 * g
                let start = try u32(r), end = try u32(r + 4), gid = try u32(r + 8)
                guard end >= start, end - start < 0x110000 else { continue }
                for c in start...end {
                    let glyph = UInt16(truncatingIfNeeded: gid + c - start)
                    if c < 0x10000 { bmp[c] = glyph } else { sup[UInt32(c)] = glyph }
                }
            }
        } else if let s = f4 {
            let segX2 = try u16(s + 6)
            let ends = s + 14, starts = ends + segX2 + 2, deltas = starts + segX2, ranges = deltas + segX2
            for i in 0..<(segX2 / 2) {
                let end = try u16(ends + 2 * i), start = try u16(starts + 2 * i)
                let delta = try u16(deltas + 2 * i), rangeOff = try u16(ranges + 2 * i)
                guard start <= end else { continue }
                for c in start...end where c != 0xFFFF {
                    var glyph: Int
                    if rangeOff == 0 {
                        glyph = (c + delta) & 0xFFFF
                    } else {
                        let p = ranges + 2 * i + rangeOff + 2 * (c - start)
                        glyph = try u16(p)
                        if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                    }
                    bmp[c] = UInt16(glyph)
                }
            }
        } else {
            throw PDFWriteError.font("no Unicode cmap (format 4 or 12)")
        }
        return (bmp, sup)
    }

    /// The glyph for a character, 0 (.notdef) when the font has none.
    public func glyph(for scalar: Unicode.Scalar) -> UInt16 { glyph(forCode: scalar.value) }

    public func glyph(forCode c: UInt32) -> UInt16 {
        c < 0x10000 ? bmp[Int(c)] : (supplementary[c] ?? 0)
    }

    /// Advance in thousandths of the font size, the unit of PDF glyph widths.
    public func width1000(glyph: UInt16) -> Double {
        Double(advances[Int(glyph)]) * 1000 / Double(unitsPerEm)
    }

    /// Width of a text at a font size, in points (no kerning: the content stream does not apply it either).
    public func width(of s: String, size: Double) -> Double {
        var total = 0
        for u in s.unicodeScalars { total += Int(advances[Int(glyph(for: u))]) }
        return Double(total) * size / Double(unitsPerEm)
    }

    /// `width(of:size:)` of a slice (e.g. one word of a paragraph being wrapped), without copying it.
    public func width(of s: Substring, size: Double) -> Double {
        var total = 0
        for u in s.unicodeScalars { total += Int(advances[Int(glyph(for: u))]) }
        return Double(total) * size / Double(unitsPerEm)
    }

    private func glyphData(_ g: Int) -> ArraySlice<UInt8> {
        let start = glyfOffset + loca[g], end = glyfOffset + loca[g + 1]
        guard end > start, end <= data.count else { return [] }
        return data[start..<end]
    }

    /// A TrueType program holding `glyphs` (original ids) renumbered 0, 1, 2… in that order, plus the
    /// components composite glyphs need, appended. Hinting is dropped (cvt, fpgm, prep and per-glyph
    /// instructions): on screen and paper at invoice sizes it changes nothing, and it halves the subset.
    public func subset(glyphs: [UInt16]) -> Data {
        var order = glyphs
        var newID: [UInt16: UInt16] = [:]
        for (i, g) in order.enumerated() where newID[g] == nil { newID[g] = UInt16(i) }
        var glyf: [UInt8] = []
        var offsets: [Int] = []
        var i = 0
        while i < order.count {
            offsets.append(glyf.count)
            let src = glyphData(Int(order[i]))
            if !src.isEmpty {
                var g = Array(src)
                let contours = Int(Int16(bitPattern: UInt16(g[0]) << 8 | UInt16(g[1])))
                if contours >= 0 {
                    let il = 10 + 2 * contours
                    if il + 2 <= g.count {
                        let n = Int(g[il]) << 8 | Int(g[il + 1])
                        if n > 0 && il + 2 + n <= g.count {
                            g.removeSubrange(il + 2..<il + 2 + n)
                            g[il] = 0; g[il + 1] = 0
                        }
                    }
                } else {
                    var p = 10
                    while p + 4 <= g.count {
                        let flags = Int(g[p]) << 8 | Int(g[p + 1])
                        let component = UInt16(g[p + 2]) << 8 | UInt16(g[p + 3])
                        let mapped: UInt16
                        if let m = newID[component] {
                            mapped = m
                        } else {
                            mapped = UInt16(order.count)
                            newID[component] = mapped
                            order.append(component)
                        }
                        g[p + 2] = UInt8(mapped >> 8); g[p + 3] = UInt8(mapped & 0xFF)
                        var next = p + 4 + ((flags & 0x1) != 0 ? 4 : 2)
                        if flags & 0x8 != 0 { next += 2 } else if flags & 0x40 != 0 { next += 4 } else if flags & 0x80 != 0 { next += 8 }
                        if flags & 0x100 != 0 {
                            // Drop the composite's instructions with the flag that announces them.
                            let cleared = flags & ~0x100
                            g[p] = UInt8(cleared >> 8); g[p + 1] = UInt8(cleared & 0xFF)
                        }
                        p = next
                        if flags & 0x20 == 0 {
                            if p < g.count { g.removeSubrange(p..<g.count) }
                            break
                        }
                    }
                }
                glyf.append(contentsOf: g)
                while glyf.count % 4 != 0 { glyf.append(0) }
            }
            i += 1
        }
        offsets.append(glyf.count)
        let count = order.count

        var loca: [UInt8] = []
        loca.reserveCapacity(4 * offsets.count)
        for o in offsets { Self.put32(&loca, o) }
        var hmtx: [UInt8] = []
        for g in order {
            Self.put16(&hmtx, Int(advances[Int(g)]))
            let d = glyphData(Int(g))
            Self.put16(&hmtx, d.count >= 4 ? Int(d[d.startIndex + 2]) << 8 | Int(d[d.startIndex + 3]) : 0)
        }
        var head = self.head
        head[8] = 0; head[9] = 0; head[10] = 0; head[11] = 0
        head[50] = 0; head[51] = 1
        var hhea = self.hhea
        hhea[34] = UInt8(count >> 8); hhea[35] = UInt8(count & 0xFF)
        var maxp = self.maxp
        maxp[4] = UInt8(count >> 8); maxp[5] = UInt8(count & 0xFF)
        let tables: [(String, [UInt8])] = [("glyf", glyf), ("head", head), ("hhea", hhea), ("hmtx", hmtx), ("loca", loca), ("maxp", maxp)]
        var out: [UInt8] = []
        let numTables = tables.count
        var entrySelector = 0
        while (1 << (entrySelector + 1)) <= numTables { entrySelector += 1 }
        let searchRange = (1 << entrySelector) * 16
        Self.put32(&out, 0x00010000)
        Self.put16(&out, numTables)
        Self.put16(&out, searchRange)
        Self.put16(&out, entrySelector)
        Self.put16(&out, numTables * 16 - searchRange)
        var offset = 12 + 16 * numTables
        var headAt = 0
        for (tag, t) in tables {
            out.append(contentsOf: Array(tag.utf8))
            Self.put32(&out, Self.checksum(t))
            Self.put32(&out, offset)
            Self.put32(&out, t.count)
            if tag == "head" { headAt = offset }
            offset += (t.count + 3) & ~3
        }
        for (_, t) in tables {
            out.append(contentsOf: t)
            while out.count % 4 != 0 { out.append(0) }
        }
        let adjust = (0xB1B0AFBA &- Self.checksum(out)) & 0xFFFFFFFF
        out[headAt + 8] = UInt8((adjust >> 24) & 0xFF); out[headAt + 9] = UInt8((adjust >> 16) & 0xFF)
        out[headAt + 10] = UInt8((adjust >> 8) & 0xFF); out[headAt + 11] = UInt8(adjust & 0xFF)
        return Data(out)
    }

    private static func put16(_ a: inout [UInt8], _ v: Int) {
        a.append(UInt8((v >> 8) & 0xFF)); a.append(UInt8(v & 0xFF))
    }

    private static func put32(_ a: inout [UInt8], _ v: Int) {
        a.append(UInt8((v >> 24) & 0xFF)); a.append(UInt8((v >> 16) & 0xFF))
        a.append(UInt8((v >> 8) & 0xFF)); a.append(UInt8(v & 0xFF))
    }

    private static func checksum(_ t: [UInt8]) -> Int {
        var sum: UInt32 = 0
        var i = 0
        while i < t.count {
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 8 | UInt32(i + k < t.count ? t[i + k] : 0) }
            sum = sum &+ word
            i += 4
        }
        return Int(sum)
    }
}
