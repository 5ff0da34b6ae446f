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
    func number(_ d: Decimal, minFraction: Int = 0, maxFraction: Int? = nil) -> String {
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

    func percent(_ d: Decimal) -> String { number(d) + Self.nbsp + "%" }

    /// `25/11/2026` in French, `2026-11-25` in English (unambiguous for every reader).
    func date(_ d: LocalDate) -> String {
        func p(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return language == .fr ? "\(p(d.day))/\(p(d.month))/\(d.year)" : d.isoString
    }
}
