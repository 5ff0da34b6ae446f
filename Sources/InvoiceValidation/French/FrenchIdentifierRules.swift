import FacteurXML
import Foundation
import InvoiceFormats

/// Facteur's own French checks, run with the French rules: SIREN and SIRET control keys and the
/// key of French VAT numbers. The reform's official rules (BR-FR-*) only check their format; a
/// wrong key is almost always a typing mistake, so it is reported — as a warning, because
/// official sample invoices use made-up numbers and the official rules accept them.
enum FrenchIdentifierRules {
    static let namespaces = [
        "ram": Namespace.ram, "rsm": Namespace.rsm,
        "cac": Namespace.cac, "cbc": Namespace.cbc,
    ]

    static let siren = try! XPathParser.parse("//*[normalize-space(@schemeID) = '0002']", namespaces: namespaces)
    static let siret = try! XPathParser.parse("//*[normalize-space(@schemeID) = '0009']", namespaces: namespaces)
    static let vatCII = try! XPathParser.parse("//ram:SpecifiedTaxRegistration/ram:ID[normalize-space(@schemeID) = 'VA']", namespaces: namespaces)
    static let vatUBL = try! XPathParser.parse("//cac:PartyTaxScheme[normalize-space(upper-case(cac:TaxScheme/cbc:ID)) = 'VAT']/cbc:CompanyID", namespaces: namespaces)

    /// The business term an identifier stands for, from the party that holds it.
    static func term(_ tree: XMLTree, _ node: Int32, siren: String, siret: String, vat: String) -> String? {
        var p = tree.parent(node)
        while p > 0 {
            switch NameTable.shared.name(tree.nameID(p)).local {
            case "SellerTradeParty", "AccountingSupplierParty": return siren == "" ? nil : ["0002": "BT-30", "0009": "BT-29", "VA": "BT-31"][siren]
            case "BuyerTradeParty", "AccountingCustomerParty": return ["0002": "BT-47", "0009": "BT-46", "VA": "BT-48"][siren]
            case "PayeeTradeParty", "PayeeParty": return ["0002": "BT-61", "0009": "BT-60"][siren]
            case "SellerTaxRepresentativeTradeParty", "TaxRepresentativeParty": return ["VA": "BT-63"][siren]
            default: p = tree.parent(p)
            }
        }
        return nil
    }

    static func check(_ tree: XMLTree, syntax: InvoiceSyntax) -> [Finding] {
        let ev = XPathEvaluator(tree: tree)
        var out: [Finding] = []
        func nodes(_ e: XPathExpr) -> [Int32] {
            ((try? ev.evaluate(e, contextNode: 0)) ?? []).compactMap { if case .node(let n) = $0 { return n }; return nil }
        }
        func add(_ rule: String, _ n: Int32, _ scheme: String, fr: String, en: String) {
            out.append(Finding(rule: rule, severity: .warning, term: term(tree, n, siren: scheme, siret: scheme, vat: scheme),
                               location: tree.locationPath(n), line: tree.line(n), path: tree.shortPath(n), message: LocalizedText(fr: fr, en: en)))
        }
        var sirens: [String] = []
        for n in nodes(siren) {
            let v = tree.stringValue(n).trimmingCharacters(in: .whitespacesAndNewlines)
            if FrenchIdentifiers.isValidSIREN(v) { sirens.append(FrenchIdentifiers.compact(v)); continue }
            if FrenchIdentifiers.digits(v, count: 9) != nil {
                add("FR-SIREN-KEY", n, "0002", fr: "Le SIREN \(v) a une clé de contrôle invalide (algorithme de Luhn) : vérifiez sa saisie.",
                    en: "SIREN \(v) has an invalid check digit (Luhn algorithm): check how it was typed.")
            }
        }
        for n in nodes(siret) {
            let v = tree.stringValue(n).trimmingCharacters(in: .whitespacesAndNewlines)
            if FrenchIdentifiers.digits(v, count: 14) != nil, !FrenchIdentifiers.isValidSIRET(v) {
                add("FR-SIRET-KEY", n, "0009", fr: "Le SIRET \(v) a une clé de contrôle invalide (algorithme de Luhn) : vérifiez sa saisie.",
                    en: "SIRET \(v) has an invalid check digit (Luhn algorithm): check how it was typed.")
            }
        }
        for n in nodes(syntax == .cii ? vatCII : vatUBL) {
            let v = tree.stringValue(n).trimmingCharacters(in: .whitespacesAndNewlines)
            guard FrenchIdentifiers.compact(v).uppercased().hasPrefix("FR") else { continue }
            switch FrenchIdentifiers.checkVATNumber(v) {
            case .valid, .uncheckableKey: break
            case .malformed:
                add("FR-VAT-FORMAT", n, "VA", fr: "Le numéro de TVA \(v) n'a pas la forme FR + clé de 2 caractères + SIREN (9 chiffres).",
                    en: "VAT number \(v) is not FR + a 2-character key + a 9-digit SIREN.")
            case .wrongKey(let expected):
                add("FR-VAT-KEY", n, "VA", fr: "La clé du numéro de TVA \(v) ne correspond pas au SIREN : la clé attendue est \(String(format: "%02d", expected)).",
                    en: "The key of VAT number \(v) does not match its SIREN: the expected key is \(String(format: "%02d", expected)).")
            }
        }
        return out
    }
}
