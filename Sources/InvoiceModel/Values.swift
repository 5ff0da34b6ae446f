import Foundation

// MARK: - LocalDate

/// A calendar date without time or time zone.
///
/// Invoices carry plain dates ("issued on 2024-03-15"); going through `Foundation.Date` would attach an
/// instant and a time zone, and a date read in Paris could be written back as the day before in UTC.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil for impossible dates (month 13, 30 February, 29 February of a common year…).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses ISO 8601 calendar dates `YYYY-MM-DD` (UBL, JSON).
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = LocalDate.number(bytes[0..<4]), let m = LocalDate.number(bytes[5..<7]),
              let d = LocalDate.number(bytes[8..<10]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses UN/CEFACT date format 102, `YYYYMMDD` (CII `udt:DateTimeString format="102"`).
    public init?(cii102 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, let y = LocalDate.number(bytes[0..<4]), let m = LocalDate.number(bytes[4..<6]),
              let d = LocalDate.number(bytes[6..<8]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Accepts either `YYYY-MM-DD` or `YYYYMMDD`, for inputs whose syntax is not known in advance
    /// (command-line arguments, the entry screen).
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = LocalDate(iso: trimmed) ?? LocalDate(cii102: trimmed) { self = date } else { return nil }
    }

    /// `YYYY-MM-DD`.
    public var isoString: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

    /// `YYYYMMDD` (format 102).
    public var cii102String: String { "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))" }

    public var description: String { isoString }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // JSON carries the ISO form so that stored drafts stay readable and diffable.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid date '\(text)'")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isoString)
    }

    // Only ASCII digits: `Int("+1")` and friends would accept signs.
    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return value
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

// MARK: - Identifiers and binary objects

/// An identifier with its optional identification scheme (the BT-n-1 "scheme identifier" terms, e.g. an
/// ISO 6523 ICD such as `0002` for SIREN or `0009` for SIRET, or an EAS code for electronic addresses).
public struct Identifier: Sendable, Hashable, Codable {
    public var value: String
    public var scheme: String?

    public init(_ value: String, scheme: String? = nil) {
        self.value = value
        self.scheme = scheme
    }
}

/// BT-158: an item classification identifier, whose scheme (BT-158-1) and scheme version (BT-158-2) matter
/// because the same code means different things in different classification versions.
public struct ClassificationIdentifier: Sendable, Hashable, Codable {
    /// BT-158
    public var value: String
    /// BT-158-1 (UNTDID 7143, e.g. `STI`, `CG`, `HS`).
    public var scheme: String?
    /// BT-158-2
    public var schemeVersion: String?

    public init(_ value: String, scheme: String? = nil, schemeVersion: String? = nil) {
        self.value = value
        self.scheme = scheme
        self.schemeVersion = schemeVersion
    }
}

/// BT-125: an attached document embedded in the invoice.
public struct BinaryObject: Sendable, Hashable, Codable {
    /// The decoded bytes; syntaxes carry them in base64.
    public var data: Data
    /// BT-125-1 (e.g. `application/pdf`, `image/png`, `text/csv`).
    public var mimeCode: String
    /// BT-125-2
    public var filename: String

    public init(data: Data, mimeCode: String, filename: String) {
        self.data = data
        self.mimeCode = mimeCode
        self.filename = filename
    }
}

// MARK: - Decimal helpers

extension Decimal {
    /// Parses the lexical form of `xs:decimal` (`-12.50`, `+3`, `.5`, `7.`), nothing else.
    ///
    /// `Decimal(string:)` is lenient (it reads "12abc" as 12 and follows the locale's separator), which
    /// would let a malformed amount slip through as a different number.
    public init?(plain text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var digits = 0
        var dots = 0
        for (index, ch) in trimmed.unicodeScalars.enumerated() {
            switch ch {
            case "0"..."9": digits += 1
            case ".": dots += 1
            case "+" where index == 0, "-" where index == 0: continue
            default: return nil
            }
        }
        guard digits > 0, dots <= 1,
              let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self = value
    }

    /// Canonical plain notation: no exponent, no grouping, `.` separator, no trailing fractional zeros,
    /// every significant digit kept (`1234567890.123456`, `0.0000000001`, `-3.5`, `0`).
    public var plainString: String { formatted(minFractionDigits: 0) }

    /// Plain notation with at least `minFractionDigits` fractional digits, padding with zeros but never
    /// dropping a digit. Writers use `formatted(minFractionDigits: 2)` for amounts already rounded to the
    /// cent, while quantities and unit prices keep whatever scale they have.
    public func formatted(minFractionDigits: Int) -> String {
        if isNaN { return "NaN" }
        // Built from significand and exponent rather than `description` or a NumberFormatter: those go
        // through locale rules or Double in some Foundation versions, and the output must be exact.
        var mantissa = significand.magnitude
        var exponent = self.exponent
        // Normalise so that the mantissa has no trailing zeros; the exponent then tells the scale.
        let ten = Decimal(10)
        while mantissa != 0 {
            var quotient = mantissa / ten
            var truncated = Decimal()
            NSDecimalRound(&truncated, &quotient, 0, .down)
            guard truncated * ten == mantissa else { break }
            mantissa = truncated
            exponent += 1
        }
        var digits = mantissa.integerDigits
        var fraction = ""
        if exponent > 0 {
            if digits != "0" { digits += String(repeating: "0", count: exponent) }
        } else if exponent < 0 {
            let scale = -exponent
            if digits.count <= scale {
                digits = String(repeating: "0", count: scale - digits.count + 1) + digits
            }
            fraction = String(digits.suffix(scale))
            digits = String(digits.dropLast(scale))
        }
        if fraction.count < minFractionDigits {
            fraction += String(repeating: "0", count: minFractionDigits - fraction.count)
        }
        let sign = (self < 0 && (digits != "0" || fraction.contains { $0 != "0" })) ? "-" : ""
        return sign + digits + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Rounded to `scale` fractional digits, half away from zero by default (see `InvoiceCalculator` for
    /// why that mode).
    public func rounded(scale: Int = 2, _ mode: NSDecimalNumber.RoundingMode = .plain) -> Decimal {
        var source = self
        var result = Decimal()
        NSDecimalRound(&result, &source, scale, mode)
        return result
    }

    /// Number of fractional digits once trailing zeros are ignored (`12.50` → 1, `3` → 0, `1E+2` → 0).
    public var significantScale: Int {
        let text = plainString
        guard let dot = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: dot, to: text.endIndex) - 1
    }

    /// Decimal digits of a non-negative integral value.
    private var integerDigits: String {
        if self == 0 { return "0" }
        var value = self
        var out: [Character] = []
        let ten = Decimal(10)
        while value > 0 {
            var quotient = value / ten
            var truncated = Decimal()
            NSDecimalRound(&truncated, &quotient, 0, .down)
            let digit = value - truncated * ten
            out.append(Character(String(NSDecimalNumber(decimal: digit).intValue)))
            value = truncated
        }
        return String(out.reversed())
    }
}
