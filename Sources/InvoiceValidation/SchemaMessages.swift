import Foundation

/// libxml2 reports schema violations in English with full namespace URIs. People read
/// `ram:TypeCode`, not `{urn:un:unece:…:100}TypeCode`; and French users read French.
enum SchemaMessages {
    static let prefixes: [(String, String)] = [
        ("urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100", "ram"),
        ("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "rsm"),
        ("urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100", "udt"),
        ("urn:un:unece:uncefact:data:standard:QualifiedDataType:100", "qdt"),
        ("urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2", "cac"),
        ("urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2", "cbc"),
        ("urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2", "ext"),
        ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "ubl"),
        ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "cn"),
    ]

    static func shorten(_ message: String) -> String {
        var m = message
        for (uri, prefix) in prefixes { m = m.replacingOccurrences(of: "{\(uri)}", with: "\(prefix):") }
        return m
    }

    /// (pattern, French template with $1, $2…) for libxml2's usual schema messages.
    static let french: [(NSRegularExpression, String)] = [
        (#"^Element '([^']+)': This element is not expected\. Expected is one of \( (.+) \)\.$"#, "L'élément $1 n'est pas attendu à cet endroit. Éléments attendus : $2."),
        (#"^Element '([^']+)': This element is not expected\. Expected is \( (.+) \)\.$"#, "L'élément $1 n'est pas attendu à cet endroit. Élément attendu : $2."),
        (#"^Element '([^']+)': This element is not expected\.$"#, "L'élément $1 n'est pas attendu à cet endroit."),
        (#"^Element '([^']+)': Missing child element\(s\)\. Expected is one of \( (.+) \)\.$"#, "L'élément $1 est incomplet : il manque l'un des éléments $2."),
        (#"^Element '([^']+)': Missing child element\(s\)\. Expected is \( (.+) \)\.$"#, "L'élément $1 est incomplet : il manque l'élément $2."),
        (#"^Element '([^']+)': '([^']*)' is not a valid value of the atomic type '([^']+)'\.$"#, "L'élément $1 : « $2 » n'est pas une valeur valide (type $3)."),
        (#"^Element '([^']+)': '([^']*)' is not a valid value of the local atomic type\.$"#, "L'élément $1 : « $2 » n'est pas une valeur valide."),
        (#"^Element '([^']+)': \[facet '([^']+)'\] The value '([^']*)' (.*)$"#, "L'élément $1 : la valeur « $3 » ne respecte pas la contrainte $2 du schéma."),
        (#"^Element '([^']+)', attribute '([^']+)': (.*)$"#, "L'élément $1, attribut $2 : valeur non conforme au schéma ($3)."),
        (#"^Element '([^']+)': The attribute '([^']+)' is required but missing\.$"#, "L'élément $1 doit porter l'attribut $2."),
        (#"^Element '([^']+)': No matching global declaration available for the validation root\.$"#, "L'élément racine $1 n'est pas déclaré par le schéma."),
        (#"^Element '([^']+)': This element is not expected\..*$"#, "L'élément $1 n'est pas attendu à cet endroit."),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    static func localized(_ raw: String, line: Int) -> LocalizedText {
        let en = shorten(raw)
        var fr = "Non conforme au schéma XML : \(en)"
        let range = NSRange(en.startIndex..., in: en)
        for (re, template) in french {
            if let m = re.firstMatch(in: en, range: range) {
                fr = re.replacementString(for: m, in: en, offset: 0, template: template)
                break
            }
        }
        return LocalizedText(fr: "Ligne \(line) : \(fr)", en: "Line \(line): \(en)")
    }
}
