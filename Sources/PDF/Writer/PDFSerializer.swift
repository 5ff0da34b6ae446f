import Foundation

/// Writes `PDFObject`s in PDF syntax (ISO 32000-1 §7.3).
public enum PDFSerializer {
    public static func write(_ object: PDFObject, to out: inout PDFBytes) {
        switch object {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(int: i)
        case .real(let r): out.append(real: r)
        case .string(let d): writeString(d, to: &out)
        case .name(let n): writeName(n, to: &out)
        case .array(let items):
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x20) }
                write(item, to: &out)
            }
            out.append(0x5D)
        case .dictionary(let d): writeDictionary(d, to: &out)
        case .stream(let d, let data):
            var dict = d
            dict["Length"] = .int(data.count)
            writeDictionary(dict, to: &out)
            // PDF/A wants an end of line after `stream` and before `endstream` (ISO 19005-1 §6.1.7).
            out.append("\nstream\n")
            out.append(data)
            out.append("\nendstream")
        case .reference(let r):
            out.append(int: r.number)
            out.append(0x20)
            out.append(int: r.generation)
            out.append(" R")
        }
    }

    public static func writeDictionary(_ d: PDFDictionary, to out: inout PDFBytes) {
        out.append("<<")
        for (key, value) in d.entries {
            writeName(key, to: &out)
            out.append(0x20)
            write(value, to: &out)
        }
        out.append(">>")
    }

    /// Names escape with `#xx` every byte outside the regular printable characters (§7.3.5).
    public static func writeName(_ name: String, to out: inout PDFBytes) {
        out.append(0x2F)
        for b in name.utf8 {
            if needsEscape[Int(b)] {
                out.append(0x23)
                out.append(hex: b)
            } else {
                out.append(b)
            }
        }
    }

    /// Bytes a name must escape: outside the printable range, delimiters, and `#` itself (a table, not a
    /// Set: names are written by the hundred per document).
    static let needsEscape: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for b in 0..<256 where b < 0x21 || b > 0x7E { t[b] = true }
        for b in "()<>[]{}/%#".utf8 { t[Int(b)] = true }
        return t
    }()

    /// Printable ASCII as a literal string, anything else as a hex string (both are exact).
    public static func writeString(_ d: Data, to out: inout PDFBytes) {
        // Over the contiguous bytes: iterating `Data` itself goes through its generic iterator byte by byte.
        d.withUnsafeBytes { (b: UnsafeRawBufferPointer) in
            if b.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                out.append(0x28)
                for c in b {
                    if c == 0x28 || c == 0x29 || c == 0x5C { out.append(0x5C) }
                    out.append(c)
                }
                out.append(0x29)
            } else {
                out.append(0x3C)
                for c in b { out.append(hex: c) }
                out.append(0x3E)
            }
        }
    }
}

/// Builders of string objects for writers.
public enum PDFText {
    /// A text string (§7.9.2.2): PDFDocEncoding-safe ASCII as is, anything else UTF-16BE with a BOM.
    public static func text(_ s: String) -> PDFObject {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return .string(Data(s.utf8)) }
        // Built as an array and converted once: appending to `Data` byte by byte is several times slower.
        var d: [UInt8] = [0xFE, 0xFF]
        d.reserveCapacity(2 + 2 * s.utf16.count)
        for u in s.utf16 { d.append(UInt8(u >> 8)); d.append(UInt8(u & 0xFF)) }
        return .string(Data(d))
    }

    /// A byte string of ASCII text (dates, identifiers).
    public static func ascii(_ s: String) -> PDFObject { .string(Data(s.utf8)) }
}
