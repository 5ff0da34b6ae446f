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
        var v = d
        if let maxFraction { v = v.rounded(scale: maxFraction) }
        let plain = Self.plain(v)
        var intPart = Substring(plain), frac = Substring("")
        var negative = false
        if intPart.hasPrefix("-") { negative = true; intPart = intPart.dropFirst() }
        if let dot = intPart.firstIndex(of: ".") {
            frac = intPart[intPart.index(after: dot)...]
            intPart = intPart[..<dot]
        }
        var fraction = String(frac)
        if fraction.count < minFraction { fraction += String(repeating: "0", count: minFraction - fraction.count) }
        let group = language == .fr ? Self.nbsp : ","
        var grouped = ""
        let digits = Array(intPart)
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped += group }
            grouped.append(c)
        }
        let isZero = !digits.contains { $0 != "0" } && !fraction.contains { $0 != "0" }
        var s = (negative && !isZero ? "-" : "") + grouped
        if !fraction.isEmpty { s += (language == .fr ? "," : ".") + fraction }
        return s
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
