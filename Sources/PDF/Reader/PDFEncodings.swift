import Foundation

/// The simple-font encodings of ISO 32000-1 Annex D (WinAnsi, MacRoman, Standard) and the glyph
/// names they use, which also serve to read `/Differences` arrays.
enum PDFEncodings {
    /// Glyph names of WinAnsiEncoding from 0x20 to 0xFF (nil where the code is unused).
    static let winAnsiNames: [String?] = {
        var n: [String?] = ["space", "exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand", "quotesingle",
                            "parenleft", "parenright", "asterisk", "plus", "comma", "hyphen", "period", "slash",
                            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                            "colon", "semicolon", "less", "equal", "greater", "question", "at"]
        n += (65...90).map { String(UnicodeScalar(UInt8($0))) }
        n += ["bracketleft", "backslash", "bracketright", "asciicircum", "underscore", "grave"]
        n += (97...122).map { String(UnicodeScalar(UInt8($0))) }
        n += ["braceleft", "bar", "braceright", "asciitilde", nil]
        n += ["Euro", nil, "quotesinglbase", "florin", "quotedblbase", "ellipsis", "dagger", "daggerdbl", "circumflex",
              "perthousand", "Scaron", "guilsinglleft", "OE", nil, "Zcaron", nil,
              nil, "quoteleft", "quoteright", "quotedblleft", "quotedblright", "bullet", "endash", "emdash", "tilde",
              "trademark", "scaron", "guilsinglright", "oe", nil, "zcaron", "Ydieresis"]
        n += ["nbspace", "exclamdown", "cent", "sterling", "currency", "yen", "brokenbar", "section", "dieresis", "copyright",
              "ordfeminine", "guillemotleft", "logicalnot", "sfthyphen", "registered", "macron", "degree", "plusminus",
              "twosuperior", "threesuperior", "acute", "mu", "paragraph", "periodcentered", "cedilla", "onesuperior",
              "ordmasculine", "guillemotright", "onequarter", "onehalf", "threequarters", "questiondown"]
        let accents = ["grave", "acute", "circumflex", "tilde", "dieresis", "ring"]
        for upper in [true, false] {
            let v = upper ? "A" : "a"
            n += accents.map { v + $0 }
            n += [upper ? "AE" : "ae", upper ? "Ccedilla" : "ccedilla"]
            n += ["grave", "acute", "circumflex", "dieresis"].map { (upper ? "E" : "e") + $0 }
            n += ["grave", "acute", "circumflex", "dieresis"].map { (upper ? "I" : "i") + $0 }
            n += [upper ? "Eth" : "eth", upper ? "Ntilde" : "ntilde"]
            n += ["grave", "acute", "circumflex", "tilde", "dieresis"].map { (upper ? "O" : "o") + $0 }
            n += [upper ? "multiply" : "divide", upper ? "Oslash" : "oslash"]
            n += ["grave", "acute", "circumflex", "dieresis"].map { (upper ? "U" : "u") + $0 }
            n += [upper ? "Yacute" : "yacute", upper ? "Thorn" : "thorn", upper ? "germandbls" : "ydieresis"]
        }
        return n
    }()

    /// Unicode of WinAnsi codes 0x80–0x9F (the rest is Latin-1).
    static let winAnsi80: [UInt32] = [0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
                                      0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178]

    static func winAnsiScalar(_ code: Int) -> UInt32 {
        if code >= 0x80 && code < 0xA0 { return winAnsi80[code - 0x80] }
        return UInt32(code)
    }

    /// Glyph name → text, for the names of the Latin encodings and a few common extras.
    static let glyphNames: [String: String] = {
        var m: [String: String] = [:]
        for (i, name) in winAnsiNames.enumerated() {
            guard let name else { continue }
            let s = winAnsiScalar(i + 0x20)
            if s != 0, let u = UnicodeScalar(s), m[name] == nil { m[name] = String(Character(u)) }
        }
        m["nbspace"] = "\u{A0}"
        m["space"] = " "
        let extras: [String: String] = [
            "fi": "fi", "fl": "fl", "ff": "ff", "ffi": "ffi", "ffl": "ffl", "dotlessi": "ı", "Lslash": "Ł", "lslash": "ł",
            "fraction": "⁄", "minus": "−", "breve": "˘", "dotaccent": "˙", "ring": "˚", "ogonek": "˛", "caron": "ˇ",
            "hungarumlaut": "˝", "quotesingle": "'", "softhyphen": "\u{AD}", "Omega": "Ω", "mu1": "µ", "Delta": "∆",
            "Euro": "€", "uni20AC": "€", "periodcentered": "·", "middot": "·", "hyphen": "-", "sfthyphen": "-",
            "Scedilla": "Ş", "scedilla": "ş", "Gbreve": "Ğ", "gbreve": "ğ", "Idotaccent": "İ",
        ]
        for (k, v) in extras { m[k] = v }
        return m
    }()

    /// Text for a glyph name: the table, then `uniXXXX`, `uXXXX[XX]`, and `name.suffix` forms.
    static func text(forGlyph name: String) -> String? {
        if let t = glyphNames[name] { return t }
        if let dot = name.firstIndex(of: "."), dot != name.startIndex {
            return text(forGlyph: String(name[..<dot]))
        }
        if name.hasPrefix("uni"), name.count >= 7 {
            var out = ""
            var rest = name.dropFirst(3)
            while rest.count >= 4 {
                guard let v = UInt32(rest.prefix(4), radix: 16), let u = UnicodeScalar(v) else { return nil }
                out.unicodeScalars.append(u)
                rest = rest.dropFirst(4)
            }
            return out.isEmpty ? nil : out
        }
        if name.hasPrefix("u"), (5...7).contains(name.count), let v = UInt32(name.dropFirst(), radix: 16), let u = UnicodeScalar(v) {
            return String(Character(u))
        }
        return nil
    }

    /// The text of each code 0–255 in a base encoding (WinAnsi for unknown names).
    static func texts(base: String?) -> [String?] {
        var out = [String?](repeating: nil, count: 256)
        func put(_ c: Int, _ u: UInt32) {
            if u != 0, let s = UnicodeScalar(u) { out[c] = String(Character(s)) }
        }
        switch base {
        case "MacRomanEncoding"?:
            for c in 32..<127 { put(c, UInt32(c)) }
            for (i, u) in macRomanHigh.enumerated() { put(128 + i, u) }
        case "StandardEncoding"?:
            for c in 32..<127 { put(c, UInt32(c)) }
            put(0x27, 0x2019)
            put(0x60, 0x2018)
            for (c, u) in standardHigh { put(c, u) }
        default:
            for c in 32..<256 where c != 127 { put(c, winAnsiScalar(c)) }
        }
        return out
    }

    /// MacRomanEncoding 0x80–0xFF as Unicode scalars.
    static let macRomanHigh: [UInt32] = [
        0xC4, 0xC5, 0xC7, 0xC9, 0xD1, 0xD6, 0xDC, 0xE1, 0xE0, 0xE2, 0xE4, 0xE3, 0xE5, 0xE7, 0xE9, 0xE8,
        0xEA, 0xEB, 0xED, 0xEC, 0xEE, 0xEF, 0xF1, 0xF3, 0xF2, 0xF4, 0xF6, 0xF5, 0xFA, 0xF9, 0xFB, 0xFC,
        0x2020, 0xB0, 0xA2, 0xA3, 0xA7, 0x2022, 0xB6, 0xDF, 0xAE, 0xA9, 0x2122, 0xB4, 0xA8, 0x2260, 0xC6, 0xD8,
        0x221E, 0xB1, 0x2264, 0x2265, 0xA5, 0xB5, 0x2202, 0x2211, 0x220F, 0x3C0, 0x222B, 0xAA, 0xBA, 0x3A9, 0xE6, 0xF8,
        0xBF, 0xA1, 0xAC, 0x221A, 0x192, 0x2248, 0x2206, 0xAB, 0xBB, 0x2026, 0xA0, 0xC0, 0xC3, 0xD5, 0x152, 0x153,
        0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0xF7, 0x25CA, 0xFF, 0x178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
        0x2021, 0xB7, 0x201A, 0x201E, 0x2030, 0xC2, 0xCA, 0xC1, 0xCB, 0xC8, 0xCD, 0xCE, 0xCF, 0xCC, 0xD3, 0xD4,
        0xF8FF, 0xD2, 0xDA, 0xDB, 0xD9, 0x131, 0x2C6, 0x2DC, 0xAF, 0x2D8, 0x2D9, 0x2DA, 0xB8, 0x2DD, 0x2DB, 0x2C7,
    ]

    /// StandardEncoding codes above 0x7F.
    static let standardHigh: [(Int, UInt32)] = [
        (0xA1, 0xA1), (0xA2, 0xA2), (0xA3, 0xA3), (0xA4, 0x2044), (0xA5, 0xA5), (0xA6, 0x192), (0xA7, 0xA7), (0xA8, 0xA4),
        (0xA9, 0x27), (0xAA, 0x201C), (0xAB, 0xAB), (0xAC, 0x2039), (0xAD, 0x203A), (0xAE, 0xFB01), (0xAF, 0xFB02),
        (0xB1, 0x2013), (0xB2, 0x2020), (0xB3, 0x2021), (0xB4, 0xB7), (0xB6, 0xB6), (0xB7, 0x2022), (0xB8, 0x201A),
        (0xB9, 0x201E), (0xBA, 0x201D), (0xBB, 0xBB), (0xBC, 0x2026), (0xBD, 0x2030), (0xBF, 0xBF), (0xC1, 0x60),
        (0xC2, 0xB4), (0xC3, 0x2C6), (0xC4, 0x2DC), (0xC5, 0xAF), (0xC6, 0x2D8), (0xC7, 0x2D9), (0xC8, 0xA8), (0xCA, 0x2DA),
        (0xCB, 0xB8), (0xCD, 0x2DD), (0xCE, 0x2DB), (0xCF, 0x2C7), (0xD0, 0x2014), (0xE1, 0xC6), (0xE3, 0xAA), (0xE8, 0x141),
        (0xE9, 0xD8), (0xEA, 0x152), (0xEB, 0xBA), (0xF1, 0xE6), (0xF5, 0x131), (0xF8, 0x142), (0xF9, 0xF8), (0xFA, 0x153), (0xFB, 0xDF),
    ]
}
