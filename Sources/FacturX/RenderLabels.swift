import Foundation
import InvoiceModel

/// Names of codes the printed invoice shows in words (French first, English second).
enum RenderLabels {
    static func documentTitle(_ typeCode: String, _ fr: Bool) -> String {
        switch typeCode {
        case "381", "81", "83", "262", "296", "308", "420", "458", "532": return fr ? "Avoir" : "Credit note"
        case "386": return fr ? "Facture d'acompte" : "Prepayment invoice"
        case "384": return fr ? "Facture rectificative" : "Corrected invoice"
        case "389", "501": return fr ? "Autofacture" : "Self-billed invoice"
        case "261", "502": return fr ? "Avoir (autofacturation)" : "Self-billed credit note"
        case "393": return fr ? "Facture (affacturage)" : "Factored invoice"
        case "396": return fr ? "Avoir (affacturage)" : "Factored credit note"
        case "383": return fr ? "Note de débit" : "Debit note"
        case "471", "472", "473": return fr ? "Facture rectificative" : "Corrected invoice"
        case "500": return fr ? "Facture d'acompte (autofacturation)" : "Self-billed prepayment invoice"
        case "503": return fr ? "Avoir d'acompte" : "Prepayment credit note"
        default: return fr ? "Facture" : "Invoice"
        }
    }

    static func vatCategory(_ code: String, _ fr: Bool) -> String {
        switch code {
        case "S": return fr ? "Taux normal" : "Standard rate"
        case "Z": return fr ? "Taux zéro" : "Zero rated"
        case "E": return fr ? "Exonéré" : "Exempt"
        case "AE": return fr ? "Autoliquidation" : "Reverse charge"
        case "K": return fr ? "Livraison intracommunautaire" : "Intra-community supply"
        case "G": return fr ? "Exportation hors UE" : "Export outside the EU"
        case "O": return fr ? "Hors champ de la TVA" : "Outside the scope of VAT"
        case "L": return "IGIC (Canaries)"
        case "M": return "IPSI (Ceuta, Melilla)"
        default: return code
        }
    }

    static func paymentMeans(_ code: String, _ fr: Bool) -> String? {
        switch code {
        case "10": return fr ? "Espèces" : "Cash"
        case "20": return fr ? "Chèque" : "Cheque"
        case "30", "42": return fr ? "Virement" : "Credit transfer"
        case "31": return fr ? "Virement" : "Debit transfer"
        case "48", "54", "55": return fr ? "Carte bancaire" : "Bank card"
        case "49": return fr ? "Prélèvement" : "Direct debit"
        case "57": return fr ? "Accord permanent" : "Standing agreement"
        case "58": return fr ? "Virement SEPA" : "SEPA credit transfer"
        case "59": return fr ? "Prélèvement SEPA" : "SEPA direct debit"
        case "97": return fr ? "Compensation" : "Clearing between partners"
        case "1", "ZZZ": return nil
        default: return nil
        }
    }

    /// UN/ECE Recommendation 20 units most invoices use; others are shown as their code.
    static func unit(_ code: String, _ fr: Bool) -> String {
        switch code {
        case "C62", "H87", "EA", "XPP", "NAR": return fr ? "u." : "pc"
        case "HUR": return "h"
        case "DAY": return fr ? "jour" : "day"
        case "MIN": return "min"
        case "WEE": return fr ? "sem." : "wk"
        case "MON": return fr ? "mois" : "month"
        case "ANN": return fr ? "an" : "yr"
        case "KGM": return "kg"
        case "GRM": return "g"
        case "TNE": return "t"
        case "MTR": return "m"
        case "KMT": return "km"
        case "MTK": return "m²"
        case "MTQ": return "m³"
        case "LTR": return "l"
        case "KWH": return "kWh"
        case "LS": return fr ? "forfait" : "lump sum"
        case "SET": return fr ? "lot" : "set"
        case "PR": return fr ? "paire" : "pair"
        case "XBX": return fr ? "boîte" : "box"
        default: return code
        }
    }

    /// The category of operation (French reform 2026) from BT-23's first letter: B1…, S1…, M1….
    static func operationCategory(_ bt23: String?, _ fr: Bool) -> String? {
        guard let p = bt23?.trimmingCharacters(in: .whitespaces), p.count >= 2, p.dropFirst().allSatisfy(\.isNumber) else {
            return nil
        }
        switch p.first {
        case "B": return fr ? "Livraison de biens" : "Supply of goods"
        case "S": return fr ? "Prestation de services" : "Supply of services"
        case "M": return fr ? "Mixte (biens et services)" : "Mixed (goods and services)"
        default: return nil
        }
    }
}
