import Foundation
import InvoiceModel

/// How the invoice pages write amounts, dates and statuses: French conventions by default
/// (« 1 234,56 € », « 20/11/2026 »), English ones on request.
enum InvoiceFormat {
    /// An exact decimal as text with two decimals (more when the value has them, e.g. unit prices),
    /// thousands grouped. Never goes through Double.
    static func number(_ text: String?, lang: Lang, minimumDecimals: Int = 2) -> String {
        guard let text, let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return text ?? "" }
        return number(value, lang: lang, minimumDecimals: minimumDecimals)
    }

    static func number(_ value: Decimal, lang: Lang, minimumDecimals: Int = 2) -> String {
        let plain = DecimalValue.plain(value)
        let negative = plain.hasPrefix("-")
        let body = negative ? String(plain.dropFirst()) : plain
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        var integer = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.count < minimumDecimals { fraction += "0" }
        // Group thousands: a narrow no-break space in French, a comma in English.
        let separator = lang == .fr ? "\u{202F}" : ","
        var grouped = ""
        while integer.count > 3 {
            grouped = separator + integer.suffix(3) + grouped
            integer = String(integer.dropLast(3))
        }
        grouped = integer + grouped
        let decimalMark = lang == .fr ? "," : "."
        return (negative ? "−" : "") + grouped + (fraction.isEmpty ? "" : decimalMark + fraction)
    }

    static func money(_ text: String?, currency: String, lang: Lang) -> String {
        let n = number(text, lang: lang)
        let symbol = currency == "EUR" ? "€" : currency
        return lang == .fr ? "\(n)\u{00A0}\(symbol)" : (currency == "EUR" ? "€\(n)" : "\(n) \(symbol)")
    }

    static func money(_ value: Decimal, currency: String, lang: Lang) -> String {
        money(DecimalValue.plain(value), currency: currency, lang: lang)
    }

    /// 2026-11-20 → 20/11/2026 (fr) or 20 Nov 2026 (en); timestamps keep their time.
    static func date(_ iso: String?, lang: Lang) -> String {
        guard let iso, iso.count >= 10 else { return iso ?? "" }
        let d = iso.prefix(10).split(separator: "-")
        guard d.count == 3 else { return iso }
        if lang == .fr { return "\(d[2])/\(d[1])/\(d[0])" }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let m = Int(d[1]).flatMap { $0 >= 1 && $0 <= 12 ? months[$0 - 1] : nil } ?? String(d[1])
        return "\(d[2]) \(m) \(d[0])"
    }

    /// An ISO 8601 timestamp (UTC) as Paris local date and time.
    static func dateTime(_ iso: String, lang: Lang) -> String {
        guard let instant = ISO8601DateFormatter().date(from: iso) else { return iso }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Europe/Paris")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        func p(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        let day = date(String(format: "%04d-%@-%@", c.year ?? 0, p(c.month), p(c.day)), lang: lang)
        return lang == .fr ? "\(day) à \(p(c.hour))h\(p(c.minute))" : "\(day), \(p(c.hour)):\(p(c.minute))"
    }

    static func statusLabel(_ code: Int?, lang: Lang) -> String {
        guard let code, let s = LifecycleStatus(rawValue: code) else { return lang.pick(fr: "Brouillon", en: "Draft") }
        return s.label(lang == .fr ? .fr : .en)
    }

    /// The badge colour family of a status: what the user should feel at a glance.
    static func statusTone(_ code: Int?) -> String {
        guard let code, let s = LifecycleStatus(rawValue: code) else { return "draft" }
        switch s {
        case .collected, .approved, .paymentTransmitted: return "ok"
        case .refused, .rejected, .cancelled: return "bad"
        case .disputed, .suspended, .partiallyApproved: return "warn"
        default: return "info"
        }
    }

    static func typeLabel(_ code: String, lang: Lang) -> String {
        switch code {
        case "380": return lang.pick(fr: "Facture", en: "Invoice")
        case "381": return lang.pick(fr: "Avoir", en: "Credit note")
        case "384": return lang.pick(fr: "Facture rectificative", en: "Corrected invoice")
        case "386": return lang.pick(fr: "Facture d'acompte", en: "Prepayment invoice")
        case "389": return lang.pick(fr: "Autofacture", en: "Self-billed invoice")
        default: return code
        }
    }

    static func vatCategoryLabel(_ code: String, lang: Lang) -> String {
        switch code {
        case "S": return lang.pick(fr: "Taux normal ou réduit", en: "Standard or reduced rate")
        case "Z": return lang.pick(fr: "Taux zéro", en: "Zero rated")
        case "E": return lang.pick(fr: "Exonéré", en: "Exempt")
        case "AE": return lang.pick(fr: "Autoliquidation", en: "Reverse charge")
        case "K": return lang.pick(fr: "Livraison intracommunautaire", en: "Intra-community supply")
        case "G": return lang.pick(fr: "Export hors UE", en: "Export outside the EU")
        case "O": return lang.pick(fr: "Hors champ de la TVA", en: "Outside the scope of VAT")
        case "L": return "IGIC (Canaries)"
        case "M": return "IPSI (Ceuta, Melilla)"
        default: return code
        }
    }

    /// The same, short enough for the entry form's narrow select.
    static func vatCategoryShort(_ code: String, lang: Lang) -> String {
        switch code {
        case "S": return lang.pick(fr: "Soumise", en: "Taxed")
        case "K": return lang.pick(fr: "Intracom.", en: "Intra-EU")
        case "G": return "Export"
        case "O": return lang.pick(fr: "Hors champ", en: "Out of scope")
        default: return vatCategoryLabel(code, lang: lang)
        }
    }

    /// Categories whose lines must say why no VAT is charged (mention d'exonération).
    static let categoriesNeedingReason: Set<String> = ["E", "AE", "K", "G", "O"]

    static func unitLabel(_ code: String, lang: Lang) -> String {
        units.first { $0.0 == code }.map { lang.pick(fr: $0.1, en: $0.2) } ?? code
    }

    static let units: [(String, String, String)] = [
        ("C62", "unité", "unit"), ("HUR", "heure", "hour"), ("DAY", "jour", "day"), ("MON", "mois", "month"),
        ("KGM", "kg", "kg"), ("MTR", "mètre", "metre"), ("LTR", "litre", "litre"), ("MTK", "m²", "m²"), ("LS", "forfait", "lump sum"),
    ]
}
