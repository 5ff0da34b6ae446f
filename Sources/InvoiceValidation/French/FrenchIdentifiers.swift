import Foundation

/// Checks of French company identifiers: SIREN (9 digits), SIRET (SIREN + 5-digit establishment
/// number) and the intra-EU VAT number FR + key + SIREN.
public enum FrenchIdentifiers {
    /// Digits only, spaces removed (people write "732 829 320").
    public static func compact(_ s: String) -> String {
        s.filter { !$0.isWhitespace && $0 != "." && $0 != "-" }
    }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 {
                let x = d * 2
                sum += x > 9 ? x - 9 : x
            } else {
                sum += d
            }
        }
        return sum % 10 == 0
    }

    static func digits(_ s: String, count: Int) -> [Int]? {
        let c = compact(s)
        guard c.count == count, c.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return c.map { Int($0.asciiValue! - 48) }
    }

    public static func isValidSIREN(_ s: String) -> Bool {
        guard let d = digits(s, count: 9) else { return false }
        return luhn(d)
    }

    /// La Poste's establishments share SIREN 356 000 000 and do not follow the Luhn key: for them
    /// the sum of the 14 digits is a multiple of 5 (the head office, 356 000 000 00048, is Luhn-valid).
    public static func isValidSIRET(_ s: String) -> Bool {
        guard let d = digits(s, count: 14) else { return false }
        if luhn(d) { return true }
        if compact(s).hasPrefix("356000000") { return d.reduce(0, +) % 5 == 0 }
        return false
    }

    /// The key of a French VAT number: (12 + 3 × (SIREN mod 97)) mod 97.
    public static func vatKey(siren: String) -> Int? {
        guard let d = digits(siren, count: 9) else { return nil }
        let n = d.reduce(0) { $0 * 10 + $1 }
        return (12 + 3 * (n % 97)) % 97
    }

    /// The intra-EU VAT number of a French company, e.g. FR40303265045.
    public static func vatNumber(siren: String) -> String? {
        guard let key = vatKey(siren: siren) else { return nil }
        return "FR" + String(format: "%02d", key) + compact(siren)
    }

    public enum VATCheck: Equatable, Sendable {
        case valid
        /// Not FR + 2 key characters + 9 digits.
        case malformed
        /// The two-digit key does not match the SIREN.
        case wrongKey(expected: Int)
        /// Keys with letters (assigned to some entities) cannot be checked from the SIREN alone.
        case uncheckableKey
    }

    public static func checkVATNumber(_ raw: String) -> VATCheck {
        let s = compact(raw).uppercased()
        guard s.count == 13, s.hasPrefix("FR") else { return .malformed }
        let key = String(s.dropFirst(2).prefix(2))
        let siren = String(s.suffix(9))
        guard digits(siren, count: 9) != nil, key.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) else { return .malformed }
        guard let k = Int(key) else { return .uncheckableKey }
        let expected = vatKey(siren: siren)!
        return k == expected ? .valid : .wrongKey(expected: expected)
    }
}
