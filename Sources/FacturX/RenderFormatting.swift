import Foundation
import InvoiceModel

/// Numbers and dates as a French (or English) accountant writes them on paper.
struct RenderFormatter: Sendable {
    let language: RenderOptions.Language

    /// No-break space: keeps « 1 234,56 € » on one line, and extracts as a space.
    static let nbsp = "\u{00A0}"

    /// An amount rounded to the cent: `1 234,56` (French) or `1,234.56` (English).
    func amount(_ d: Decimal) -> String { number(d, minFraction: 2, maxFraction: 2) }

    /// An amount with its currency: `1 234,56 €`, `€1,234.56`, `1 234,56 USD`.
    func money(_ d: Decimal, _ currency: String) -> String {
        let n = amount(d)
        let symbol = currency == "EUR" ? "€" : currency
        if language == .en && currency == "EUR" { return n.hasPrefix("-") ? "-€" + n.dropFirst() : "€" + n }
        return n + Self.nbsp + symbol
    }

    /// A quantity or unit price: every significant digit kept (prices often have 4 decimals), at least `minFraction`.
    ///
    /// Written straight from the decimal's digits and exponent when its mantissa fits 64 bits (nearly always):
    /// `Decimal.description` divides the 128-bit mantissa by ten once per digit, which made number
    /// formatting the costliest part of laying an invoice out. Otherwise, and when rounding is needed,
    /// the general path below does it.
    func number(_ d: Decimal, minFraction: Int = 0, maxFraction: Int? = nil) -> String {
        guard let p = Self.parts(d), -p.exponent <= 40, p.exponent <= 20,
              maxFraction.map({ p.mantissa == 0 || -p.exponent <= $0 }) ?? true else {
            return generalNumber(d, minFraction: minFraction, maxFraction: maxFraction)
        }
        // Digits of the mantissa, least significant first.
        var rev: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &rev) { digitBuf -> String in
            var m = p.mantissa
            var n = 0
            repeat { digitBuf[n] = UInt8(0x30 + m % 10); m /= 10; n += 1 } while m > 0
            // `description` prints zero as « 0 » whatever its exponent; otherwise every mantissa digit, with
            // the point placed by the exponent (trailing zeros of the mantissa included).
            let fractionCount = p.mantissa == 0 ? 0 : max(0, -p.exponent)
            let zerosAfter = p.mantissa == 0 ? 0 : max(0, p.exponent)
            let intCount = max(1, n + zerosAfter - fractionCount)
            let shownFraction = max(fractionCount, minFraction)
            let fr = language == .fr
            let capacity = 1 + intCount + 2 * (intCount / 3) + 1 + shownFraction
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { out -> String in
                var o = 0
                if p.negative && p.mantissa != 0 { out[o] = 0x2D; o += 1 }
                // Digit k of the plain notation counted from its left, integer part first.
                let total = n + zerosAfter, leadingZeros = intCount - (total - fractionCount)
                func digit(_ k: Int) -> UInt8 {
                    let j = k - leadingZeros
                    if j < 0 { return 0x30 }
                    if j >= n { return 0x30 }
                    return digitBuf[n - 1 - j]
                }
                for i in 0..<intCount {
                    if i > 0 && (intCount - i) % 3 == 0 {
                        if fr { out[o] = 0xC2; out[o + 1] = 0xA0; o += 2 } else { out[o] = 0x2C; o += 1 }
                    }
                    out[o] = digit(i); o += 1
                }
                if shownFraction > 0 {
                    out[o] = fr ? 0x2C : 0x2E; o += 1
                    for i in 0..<shownFraction {
                        out[o] = i < fractionCount ? digit(intCount + i) : 0x30; o += 1
                    }
                }
                return String(decoding: UnsafeBufferPointer(rebasing: out[0..<o]), as: UTF8.self)
            }
        }
    }

    /// Any decimal, through its `description`; rounds half away from zero when it has more than `maxFraction` decimals.
    func generalNumber(_ d: Decimal, minFraction: Int = 0, maxFraction: Int? = nil) -> String {
        var plain = Array(Self.plain(d).utf8)
        // Rounding (NSDecimalRound) only when there are more decimals than shown: amounts usually have two.
        if let maxFraction, let dot = plain.firstIndex(of: 0x2E), plain.count - dot - 1 > maxFraction {
            plain = Array(Self.plain(d.rounded(scale: maxFraction)).utf8)
        }
        var negative = false
        var start = 0
        if plain.first == 0x2D { negative = true; start = 1 }
        let dot = plain.firstIndex(of: 0x2E) ?? plain.count
        let intDigits = plain[start..<dot]
        var fraction = dot < plain.count ? Array(plain[(dot + 1)...]) : []
        while fraction.count < minFraction { fraction.append(0x30) }
        let isZero = !intDigits.contains { $0 != 0x30 } && !fraction.contains { $0 != 0x30 }
        var out: [UInt8] = []
        out.reserveCapacity(plain.count + 8)
        if negative && !isZero { out.append(0x2D) }
        let group: [UInt8] = language == .fr ? [0xC2, 0xA0] : [0x2C]
        let n = intDigits.count
        for (i, c) in intDigits.enumerated() {
            if i > 0 && (n - i) % 3 == 0 { out.append(contentsOf: group) }
            out.append(c)
        }
        if !fraction.isEmpty {
            out.append(language == .fr ? 0x2C : 0x2E)
            out.append(contentsOf: fraction)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Plain decimal notation. `Decimal.description` is exact and locale-free in the Swift 6 Foundation;
    /// a test checks it against the model's own `plainString`.
    static func plain(_ d: Decimal) -> String {
        let s = d.description
        if s.utf8.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) { return d.plainString }
        return s
    }

    /// Sign, mantissa and exponent of `d` when the mantissa fits 64 bits, read from the value's storage (Foundation
    /// keeps them internal): exponent in byte 0, length and sign in byte 1, the mantissa as little-endian 16-bit
    /// words from byte 4. Each read is checked against the public `exponent` and `sign`, and the layout as a whole
    /// once against `description` (`layoutVerified`); any doubt gives nil and the general path.
    static func parts(_ d: Decimal) -> (negative: Bool, mantissa: UInt64, exponent: Int)? {
        guard layoutVerified, !d.isNaN else { return nil }
        return rawParts(d)
    }

    private static func rawParts(_ d: Decimal) -> (negative: Bool, mantissa: UInt64, exponent: Int)? {
        guard MemoryLayout<Decimal>.size == 20 else { return nil }
        return withUnsafeBytes(of: d) { b -> (Bool, UInt64, Int)? in
            let exponent = Int(Int8(bitPattern: b[0]))
            let length = Int(b[1] >> 4)
            let negative = b[1] & 0x08 != 0
            guard length <= 4, exponent == d.exponent, negative == (d.sign == .minus) else { return nil }
            var m: UInt64 = 0
            for w in stride(from: length - 1, through: 0, by: -1) {
                m = m << 16 | UInt64(b[4 + 2 * w]) | UInt64(b[5 + 2 * w]) << 8
            }
            // Words beyond the length are zero in a well-formed value; anything else means another layout.
            for w in length..<8 where b[4 + 2 * w] != 0 || b[5 + 2 * w] != 0 { return nil }
            if length == 0 && m != 0 { return nil }
            return (negative, m, exponent)
        }
    }

    /// Whether `rawParts` reads this Foundation's decimals right: checked once on values of every length.
    static let layoutVerified: Bool = {
        let samples = ["0", "7", "-12.3", "1200", "0.05", "-0.5", "65536.25", "4294967296.125", "-123456789012.3456",
                       "18446744073709551615", "99999999999999999.99"]
        for s in samples {
            guard let d = Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) else { return false }
            guard let p = rawParts(d) else { return false }
            var text = String(p.mantissa)
            if p.mantissa == 0 {
                text = "0"
            } else if p.exponent >= 0 {
                text += String(repeating: "0", count: p.exponent)
            } else {
                let k = -p.exponent
                if text.count <= k { text = String(repeating: "0", count: k - text.count + 1) + text }
                text.insert(".", at: text.index(text.endIndex, offsetBy: -k))
            }
            if p.negative && p.mantissa != 0 { text = "-" + text }
            if text != d.description { return false }
        }
        return true
    }()

    func percent(_ d: Decimal) -> String { number(d) + Self.nbsp + "%" }

    /// `25/11/2026` in French, `2026-11-25` in English (unambiguous for every reader).
    func date(_ d: LocalDate) -> String {
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return language == .fr ? "\(p(d.day))/\(p(d.month))/\(d.year)" : d.isoString
    }
}
