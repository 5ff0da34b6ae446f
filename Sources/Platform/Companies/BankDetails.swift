import Foundation

/// IBAN and BIC checks (ISO 13616 and ISO 9362), reported field by field.
public enum BankDetails {
    /// IBAN length per country (SWIFT IBAN registry). French overseas departments and territories use FR.
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "BY": 28,
        "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
        "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
        "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
        "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
        "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SD": 18,
        "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22,
        "VG": 24, "XK": 20,
    ]

    /// Spaces and dashes removed, upper case: the form people copy from their bank's documents.
    public static func compact(_ s: String) -> String {
        String(s.uppercased().filter { !$0.isWhitespace && $0 != "-" })
    }

    /// `FR76 3000 6000 …`: groups of four, as printed on invoices.
    public static func grouped(_ iban: String) -> String {
        var out = ""
        for (i, c) in iban.enumerated() {
            if i > 0 && i % 4 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }

    /// ISO 7064 mod 97-10 over the IBAN with its first four characters moved to the end and
    /// letters as numbers (A = 10 … Z = 35): a valid IBAN leaves 1. Computed digit by digit so
    /// no integer overflows whatever the length.
    static func mod97(_ iban: String) -> Int? {
        let rearranged = iban.dropFirst(4) + iban.prefix(4)
        var remainder = 0
        for c in rearranged {
            guard let v = c.isASCII ? (c.wholeNumberValue ?? letterValue(c)) : nil else { return nil }
            if v >= 10 {
                remainder = (remainder * 100 + v) % 97
            } else {
                remainder = (remainder * 10 + v) % 97
            }
        }
        return remainder
    }

    static func letterValue(_ c: Character) -> Int? {
        guard let a = c.asciiValue, a >= 65, a <= 90 else { return nil }
        return Int(a) - 55
    }

    /// Every problem with an IBAN, `field` naming the form field.
    public static func checkIBAN(_ raw: String, field: String = "iban") -> [FieldError] {
        let iban = compact(raw)
        if iban.isEmpty {
            return [FieldError(field, "required", fr: "L'IBAN est obligatoire.", en: "The IBAN is required.")]
        }
        guard iban.count >= 5, iban.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return [FieldError(field, "format", fr: "Un IBAN ne contient que des lettres et des chiffres : 2 lettres de pays, 2 chiffres de clé, puis le numéro de compte.",
                               en: "An IBAN holds only letters and digits: a 2-letter country code, 2 check digits, then the account number.")]
        }
        let country = String(iban.prefix(2))
        guard let expected = ibanLengths[country] else {
            return [FieldError(field, "country", fr: "« \(country) » n'est pas un pays qui utilise l'IBAN.", en: "“\(country)” is not a country that uses IBANs.")]
        }
        if !iban.dropFirst(2).prefix(2).allSatisfy({ $0.isNumber }) {
            return [FieldError(field, "format", fr: "Les 3e et 4e caractères d'un IBAN sont les chiffres de la clé.", en: "An IBAN's 3rd and 4th characters are its check digits.")]
        }
        if iban.count != expected {
            return [FieldError(field, "length", fr: "Un IBAN \(country) compte \(expected) caractères ; celui-ci en a \(iban.count).",
                               en: "A \(country) IBAN has \(expected) characters; this one has \(iban.count).")]
        }
        if mod97(iban) != 1 {
            return [FieldError(field, "checksum", fr: "Cet IBAN n'existe pas : sa clé de contrôle est fausse. Recopiez-le depuis votre RIB.",
                               en: "This IBAN cannot exist: its check digits are wrong. Copy it again from your bank details.")]
        }
        return []
    }

    /// BIC (SWIFT code): 4 letters for the bank, 2 for the country, 2 letters or digits for the
    /// location, optionally 3 for the branch.
    public static func checkBIC(_ raw: String, field: String = "bic") -> [FieldError] {
        let bic = compact(raw)
        let chars = Array(bic)
        let alnum: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let letter: (Character) -> Bool = { $0.isASCII && $0.isLetter }
        guard chars.count == 8 || chars.count == 11 else {
            return [FieldError(field, "length", fr: "Un BIC compte 8 ou 11 caractères ; celui-ci en a \(chars.count).",
                               en: "A BIC has 8 or 11 characters; this one has \(chars.count).")]
        }
        guard chars[0..<6].allSatisfy(letter), chars[6...].allSatisfy(alnum) else {
            return [FieldError(field, "format", fr: "Un BIC commence par 6 lettres (banque puis pays), suivies de lettres ou chiffres (ex. BNPAFRPPXXX).",
                               en: "A BIC starts with 6 letters (bank then country), followed by letters or digits (e.g. BNPAFRPPXXX).")]
        }
        let country = String(chars[4...5])
        if ibanLengths[country] == nil && Locale.Region(country).isISORegion == false {
            return [FieldError(field, "country", fr: "« \(country) » (5e et 6e lettres du BIC) n'est pas un code pays.", en: "“\(country)” (the BIC's 5th and 6th letters) is not a country code.")]
        }
        return []
    }
}
