import Foundation
import Hummingbird
import InvoiceModel

/// The entry form (« saisie ») as posted: flat fields named like the errors `InvoiceBuilder` reports
/// (`lines[2].vatRate`), so that each message lands beside its input without any renaming.
struct InvoiceEntryForm {
    static let lineFields = ["description", "quantity", "unit", "unitPrice", "discountPercent", "vatCategory", "vatRate", "exemptionReason"]
    static let chargeFields = ["kind", "amount", "reason", "vatCategory", "vatRate"]
    static let headerFields = ["clientId", "typeCode", "issueDate", "dueDate", "currency", "operationCategory", "vatOnDebits", "buyerReference",
                               "purchaseOrderReference", "contractReference", "paymentTerms", "notes", "precedingInvoiceNumber", "precedingInvoiceDate"]

    var values: [String: String]
    var lineCount: Int
    var chargeCount: Int

    /// A typed decimal as French users write it: "1 234,50", "12.5", "20 %".
    static func decimal(_ text: String) -> Decimal? {
        let t = text.replacingOccurrences(of: "\u{202F}", with: "").replacingOccurrences(of: "\u{00A0}", with: "")
            .replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "€", with: "")
            .replacingOccurrences(of: ",", with: ".")
        return DecimalValue.parse(t)
    }

    static func indices(_ values: [String: String], prefix: String) -> [Int] {
        Set(values.keys.compactMap { key -> Int? in
            guard key.hasPrefix(prefix + "["), let close = key.firstIndex(of: "]") else { return nil }
            return Int(key[key.index(key.startIndex, offsetBy: prefix.count + 1)..<close])
        }).sorted()
    }

    /// Reads a posted form; blank rows are dropped and the others renumbered from 0, so that the
    /// builder's line numbers are the rows the page shows again.
    init(posted: [String: String], removeLine: Int? = nil, removeCharge: Int? = nil) {
        var v: [String: String] = [:]
        for f in Self.headerFields { v[f] = posted[f] ?? "" }
        var n = 0
        for i in Self.indices(posted, prefix: "lines") where i != removeLine {
            let get = { (f: String) in (posted["lines[\(i)].\(f)"] ?? "").trimmingCharacters(in: .whitespaces) }
            if get("description").isEmpty && get("unitPrice").isEmpty { continue }
            for f in Self.lineFields { v["lines[\(n)].\(f)"] = get(f) }
            n += 1
        }
        var c = 0
        for i in Self.indices(posted, prefix: "allowancesCharges") where i != removeCharge {
            let get = { (f: String) in (posted["allowancesCharges[\(i)].\(f)"] ?? "").trimmingCharacters(in: .whitespaces) }
            if get("amount").isEmpty && get("reason").isEmpty { continue }
            for f in Self.chargeFields { v["allowancesCharges[\(c)].\(f)"] = get(f) }
            c += 1
        }
        values = v
        lineCount = n
        chargeCount = c
    }

    init(entry: InvoiceEntry) {
        var v: [String: String] = [
            "clientId": entry.clientId, "typeCode": entry.typeCode ?? "380", "issueDate": entry.issueDate ?? "", "dueDate": entry.dueDate ?? "",
            "currency": entry.currency ?? "EUR", "operationCategory": (entry.operationCategory ?? .services).rawValue,
            "vatOnDebits": entry.vatOnDebits == true ? "on" : "", "buyerReference": entry.buyerReference ?? "",
            "purchaseOrderReference": entry.purchaseOrderReference ?? "", "contractReference": entry.contractReference ?? "",
            "paymentTerms": entry.paymentTerms ?? "", "notes": (entry.notes ?? []).joined(separator: "\n"),
            "precedingInvoiceNumber": entry.precedingInvoiceNumber ?? "", "precedingInvoiceDate": entry.precedingInvoiceDate ?? "",
        ]
        for (i, l) in entry.lines.enumerated() {
            let p = "lines[\(i)]."
            v[p + "description"] = l.description
            v[p + "quantity"] = DecimalValue.plain(l.quantity.value)
            v[p + "unit"] = l.unit ?? "C62"
            v[p + "unitPrice"] = DecimalValue.plain(l.unitPrice.value)
            v[p + "discountPercent"] = l.discountPercent.map { DecimalValue.plain($0.value) } ?? ""
            v[p + "vatCategory"] = l.vatCategory ?? "S"
            v[p + "vatRate"] = l.vatRate.map { DecimalValue.plain($0.value) } ?? ""
            v[p + "exemptionReason"] = l.exemptionReason ?? ""
        }
        for (i, a) in (entry.allowancesCharges ?? []).enumerated() {
            let p = "allowancesCharges[\(i)]."
            v[p + "kind"] = a.isCharge ? "charge" : "allowance"
            v[p + "amount"] = DecimalValue.plain(a.amount.value)
            v[p + "reason"] = a.reason
            v[p + "vatCategory"] = a.vatCategory ?? "S"
            v[p + "vatRate"] = a.vatRate.map { DecimalValue.plain($0.value) } ?? ""
        }
        values = v
        lineCount = entry.lines.count
        chargeCount = entry.allowancesCharges?.count ?? 0
    }

    static func blank(today: String) -> InvoiceEntryForm {
        var e = InvoiceEntry(clientId: "", lines: [InvoiceEntry.Line(description: "", quantity: 1, unit: "C62", unitPrice: 0)])
        e.issueDate = today
        e.currency = "EUR"
        var f = InvoiceEntryForm(entry: e)
        f.values["lines[0].unitPrice"] = ""
        return f
    }

    mutating func addLine() {
        let p = "lines[\(lineCount)]."
        for f in Self.lineFields { values[p + f] = "" }
        values[p + "quantity"] = "1"
        values[p + "unit"] = "C62"
        values[p + "vatCategory"] = "S"
        values[p + "vatRate"] = lineCount > 0 ? (values["lines[\(lineCount - 1)].vatRate"] ?? "20") : "20"
        lineCount += 1
    }

    mutating func addCharge() {
        let p = "allowancesCharges[\(chargeCount)]."
        for f in Self.chargeFields { values[p + f] = "" }
        values[p + "kind"] = "allowance"
        values[p + "vatCategory"] = "S"
        values[p + "vatRate"] = "20"
        chargeCount += 1
    }

    /// The entry, or the fields that are not even numbers or dates.
    func entry(lang: Lang) -> (InvoiceEntry, [FieldError]) {
        var errors: [FieldError] = []
        func opt(_ k: String) -> String? { values[k]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }
        func number(_ k: String, required: Bool) -> Decimal? {
            guard let text = opt(k) else {
                if required { errors.append(FieldError(k, "required", fr: "Indiquez un nombre.", en: "Enter a number.")) }
                return nil
            }
            guard let d = Self.decimal(text) else {
                errors.append(FieldError(k, "number", fr: "Nombre invalide : « \(text) » (ex. 12,50).", en: "Invalid number: “\(text)” (e.g. 12.50)."))
                return nil
            }
            return d
        }
        var lines: [InvoiceEntry.Line] = []
        for i in 0..<lineCount {
            let p = "lines[\(i)]."
            var line = InvoiceEntry.Line(description: opt(p + "description") ?? "", quantity: number(p + "quantity", required: true) ?? 1,
                                         unit: opt(p + "unit"), unitPrice: number(p + "unitPrice", required: true) ?? 0,
                                         discountPercent: number(p + "discountPercent", required: false),
                                         vatCategory: opt(p + "vatCategory") ?? "S", vatRate: nil)
            line.vatRate = number(p + "vatRate", required: false).map(DecimalValue.init)
            if InvoiceFormat.categoriesNeedingReason.contains(line.vatCategory ?? "S") { line.exemptionReason = opt(p + "exemptionReason") }
            lines.append(line)
        }
        var charges: [InvoiceEntry.AllowanceCharge] = []
        for i in 0..<chargeCount {
            let p = "allowancesCharges[\(i)]."
            charges.append(InvoiceEntry.AllowanceCharge(isCharge: values[p + "kind"] == "charge", amount: DecimalValue(number(p + "amount", required: true) ?? 0),
                                                        reason: opt(p + "reason") ?? "", vatCategory: opt(p + "vatCategory") ?? "S",
                                                        vatRate: number(p + "vatRate", required: false).map(DecimalValue.init)))
        }
        var e = InvoiceEntry(clientId: opt("clientId") ?? "", lines: lines)
        if e.clientId.isEmpty { errors.append(FieldError("clientId", "required", fr: "Choisissez le client à facturer.", en: "Choose the client to invoice.")) }
        e.typeCode = opt("typeCode")
        e.issueDate = opt("issueDate")
        e.dueDate = opt("dueDate")
        e.currency = opt("currency")
        e.operationCategory = opt("operationCategory").flatMap(InvoiceEntry.OperationCategory.init(rawValue:))
        e.vatOnDebits = values["vatOnDebits"] == "on"
        e.buyerReference = opt("buyerReference")
        e.purchaseOrderReference = opt("purchaseOrderReference")
        e.contractReference = opt("contractReference")
        e.paymentTerms = opt("paymentTerms")
        e.notes = opt("notes").map { [$0] }
        e.precedingInvoiceNumber = opt("precedingInvoiceNumber")
        e.precedingInvoiceDate = opt("precedingInvoiceDate")
        e.allowancesCharges = charges.isEmpty ? nil : charges
        return (e, errors)
    }
}

extension InvoicePages {
    static let entryTexts: [String: L10n] = [
        "entry_new_title": L10n("Nouvelle facture", "New invoice"),
        "entry_edit_title": L10n("Modifier le brouillon", "Edit the draft"),
        "entry_intro": L10n("Les totaux se calculent pendant la saisie ; ceux du serveur, affichés après l'enregistrement, font foi.",
                            "Totals are computed as you type; the server's, shown after saving, are authoritative."),
        "entry_section_client": L10n("Client et document", "Client and document"),
        "entry_section_lines": L10n("Lignes", "Lines"),
        "entry_section_charges": L10n("Remises et frais sur le total", "Allowances and charges on the total"),
        "entry_section_more": L10n("Références et conditions", "References and terms"),
        "entry_client": L10n("Client", "Client"),
        "entry_choose_client": L10n("— Choisir un client —", "— Choose a client —"),
        "entry_no_client": L10n("Vous n'avez encore aucun client :", "You have no client yet:"),
        "entry_add_client": L10n("ajoutez-en un", "add one"),
        "entry_type": L10n("Type de document", "Document type"),
        "entry_issue_date": L10n("Date de facture", "Invoice date"),
        "entry_due_date": L10n("Date d'échéance", "Due date"),
        "entry_due_hint": L10n("Vide : selon le délai de paiement de votre société.", "Empty: your company's payment terms."),
        "entry_currency": L10n("Devise", "Currency"),
        "entry_category": L10n("Nature des opérations", "Type of operations"),
        "entry_goods": L10n("Livraison de biens", "Goods"),
        "entry_services": L10n("Prestation de services", "Services"),
        "entry_mixed": L10n("Mixte (biens et services)", "Mixed (goods and services)"),
        "entry_vat_on_debits": L10n("TVA sur les débits", "VAT on debits"),
        "entry_vat_on_debits_hint": L10n("Option pour le paiement de la taxe d'après les débits (mentionnée sur la facture).",
                                         "Option to pay VAT on invoicing rather than on receipt (stated on the invoice)."),
        "entry_buyer_reference": L10n("Code service (Chorus Pro)", "Service code (Chorus Pro)"),
        "entry_po": L10n("Numéro d'engagement / bon de commande", "Engagement / purchase order number"),
        "entry_contract": L10n("Référence du contrat", "Contract reference"),
        "entry_terms": L10n("Conditions de paiement", "Payment terms"),
        "entry_notes": L10n("Note", "Note"),
        "entry_preceding": L10n("Facture corrigée (pour un avoir)", "Corrected invoice (for a credit note)"),
        "entry_preceding_date": L10n("Date de la facture corrigée", "Date of the corrected invoice"),
        "entry_line": L10n("Ligne", "Line"),
        "entry_description": L10n("Désignation", "Description"),
        "entry_quantity": L10n("Quantité", "Quantity"),
        "entry_unit": L10n("Unité", "Unit"),
        "entry_unit_price": L10n("Prix unitaire HT", "Unit price excl. VAT"),
        "entry_discount": L10n("Remise %", "Discount %"),
        "entry_vat_category": L10n("TVA", "VAT"),
        "entry_vat_rate": L10n("Taux %", "Rate %"),
        "entry_exemption": L10n("Motif d'exonération", "Exemption reason"),
        "entry_line_total": L10n("Total HT", "Net total"),
        "entry_add_line": L10n("Ajouter une ligne", "Add a line"),
        "entry_remove_line": L10n("Supprimer", "Remove"),
        "entry_add_charge": L10n("Ajouter une remise ou des frais", "Add an allowance or a charge"),
        "entry_allowance": L10n("Remise", "Allowance"),
        "entry_charge": L10n("Frais", "Charge"),
        "entry_amount": L10n("Montant HT", "Amount excl. VAT"),
        "entry_reason": L10n("Motif", "Reason"),
        "entry_totals": L10n("Totaux", "Totals"),
        "entry_total_ht": L10n("Total HT", "Total excl. VAT"),
        "entry_total_vat": L10n("Total TVA", "Total VAT"),
        "entry_total_ttc": L10n("Total TTC", "Total incl. VAT"),
        "entry_vat_at": L10n("TVA à", "VAT at"),
        "entry_save": L10n("Enregistrer le brouillon", "Save the draft"),
        "entry_cancel": L10n("Annuler", "Cancel"),
        "entry_live": L10n("calcul en direct", "live"),
        "entry_saved_totals": L10n("enregistrés", "saved"),
    ]

    static func requireIssuer(_ context: WebContext) throws -> String {
        let (companyID, role) = try context.requireRole()
        guard canIssue(role) else {
            throw WebForbidden(fr: "Votre rôle ne permet pas de saisir ou d'émettre des factures (gestionnaire ou émetteur requis).",
                               en: "Your role does not allow typing or issuing invoices (manager or issuer required).")
        }
        return companyID
    }

    static func entryPage(_ web: Web, _ context: WebContext, draft: InvoiceView?, form: InvoiceEntryForm, errors: FormState,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let companyID = try requireIssuer(context)
        let lang = context.lang
        let clients = try await Clients.list(web.database, companyID: companyID, includeArchived: false, page: 1, perPage: 200).items
        let v = form.values
        func field(_ name: String) -> [String: Any] {
            var m: [String: Any] = ["name": name, "value": v[name] ?? "", "error": false, "invalid": false]
            if let e = errors.errors[name] { m["error"] = e; m["invalid"] = true }
            return m
        }
        var fields: [String: Any] = [:]
        for f in InvoiceEntryForm.headerFields { fields[f] = field(f) }
        let categories = ["S", "Z", "E", "AE", "K", "G", "O"]
        func lineModel(_ i: String, number: String) -> [String: Any] {
            var m: [String: Any] = ["index": i, "number": number]
            for f in InvoiceEntryForm.lineFields { m[f] = field("lines[\(i)].\(f)") }
            let unit = v["lines[\(i)].unit"] ?? "C62"
            let cat = v["lines[\(i)].vatCategory"].flatMap { $0.isEmpty ? nil : $0 } ?? "S"
            m["units"] = InvoiceFormat.units.map { ["value": $0.0, "label": lang.pick(fr: $0.1, en: $0.2), "selected": $0.0 == unit] }
            m["categories"] = categories.map { ["value": $0, "label": InvoiceFormat.vatCategoryShort($0, lang: lang), "selected": $0 == cat] }
            m["needsReason"] = InvoiceFormat.categoriesNeedingReason.contains(cat)
            return m
        }
        let lines = (0..<form.lineCount).map { lineModel(String($0), number: String($0 + 1)) }
        func chargeModel(_ i: String) -> [String: Any] {
            var m: [String: Any] = ["index": i]
            for f in InvoiceEntryForm.chargeFields { m[f] = field("allowancesCharges[\(i)].\(f)") }
            let cat = v["allowancesCharges[\(i)].vatCategory"].flatMap { $0.isEmpty ? nil : $0 } ?? "S"
            m["isCharge"] = v["allowancesCharges[\(i)].kind"] == "charge"
            m["categories"] = categories.map { ["value": $0, "label": InvoiceFormat.vatCategoryShort($0, lang: lang), "selected": $0 == cat] }
            return m
        }
        let charges = (0..<form.chargeCount).map { chargeModel(String($0)) }
        let clientID = v["clientId"] ?? ""
        let clientOptions: [[String: Any]] = clients.map { c in
            var needs: [String] = []
            if c.kind == .publicBody && c.serviceCodeRequired && (c.serviceCode ?? "").isEmpty { needs.append(lang.pick(fr: "code service", en: "service code")) }
            if c.kind == .publicBody && c.serviceCodeRequired && !(c.serviceCode ?? "").isEmpty {
                needs.append(lang.pick(fr: "code service \(c.serviceCode!)", en: "service code \(c.serviceCode!)"))
            }
            if c.kind == .publicBody && c.engagementRequired { needs.append(lang.pick(fr: "n° d'engagement", en: "engagement number")) }
            let requirement = needs.isEmpty ? "" : lang.pick(fr: "Ce client exige : ", en: "This client requires: ") + needs.joined(separator: ", ") + "."
            return ["value": c.id, "label": c.name + (c.siren.map { " — SIREN \($0)" } ?? ""), "selected": c.id == clientID,
                    "requirement": requirement, "serviceCode": c.serviceCode ?? "",
                    "publicBody": c.kind == .publicBody, "network": c.channel == .network]
        }
        let selected = clientOptions.first { ($0["selected"] as? Bool) == true }
        let types = ["380", "381", "386", "384"].map { ["value": $0, "label": "\(InvoiceFormat.typeLabel($0, lang: lang)) (\($0))", "selected": $0 == (v["typeCode"] ?? "380")] }
        let category = v["operationCategory"].flatMap { $0.isEmpty ? nil : $0 } ?? "services"
        let operation = [("goods", "entry_goods"), ("services", "entry_services"), ("mixed", "entry_mixed")].map {
            ["value": $0.0, "label": context.t($0.1), "selected": $0.0 == category]
        }
        // The server's totals of the saved draft, shown until the script recomputes (and without it).
        var saved: [String: Any] = ["has": false]
        if let inv = draft?.invoice {
            saved = ["has": true, "ht": InvoiceFormat.money(inv.totals.totalWithoutVAT, currency: inv.currencyCode, lang: lang),
                     "vat": InvoiceFormat.money(inv.totals.totalVAT ?? 0, currency: inv.currencyCode, lang: lang),
                     "ttc": InvoiceFormat.money(inv.totals.totalWithVAT, currency: inv.currencyCode, lang: lang),
                     "groups": inv.vatBreakdown.map { b in
                         ["label": b.rate.map { "\(context.t("entry_vat_at")) \(InvoiceFormat.number($0, lang: lang, minimumDecimals: 0)) %" } ?? "\(b.categoryCode)",
                          "amount": InvoiceFormat.money(b.taxAmount, currency: inv.currencyCode, lang: lang)]
                     }]
        }
        let action = draft.map { WebRoute.invoiceEdit(id: $0.id).path } ?? WebRoute.invoiceNew.path
        let model: [String: Any] = [
            "isNew": draft == nil, "action": action, "cancelHref": draft.map { WebRoute.invoice(id: $0.id).path } ?? WebRoute.invoices.path,
            "form": errors.model, "f": fields, "lines": lines, "charges": charges, "hasCharges": !charges.isEmpty,
            "template": lineModel("__i__", number: ""), "chargeTemplate": chargeModel("__c__"),
            "clients": clientOptions, "noClients": clients.isEmpty, "newClientHref": WebRoute.clientNew.path,
            "clientRequirement": (selected?["requirement"] as? String) ?? "",
            "types": types, "operations": operation, "vatOnDebits": v["vatOnDebits"] == "on",
            "saved": saved, "lang": lang.rawValue,
        ]
        let title = draft == nil ? context.t("entry_new_title") : context.t("entry_edit_title")
        return web.page("invoice-form", title: title, model: model, context: context, status: status, current: .invoices)
    }

    /// Handles a posted entry form: a structural button (add/remove a row) re-renders it; « Enregistrer »
    /// builds the entry and saves it, or shows every problem beside its field.
    static func submitEntry(_ web: Web, _ context: WebContext, draftID: String?) async throws -> Response {
        let companyID = try requireIssuer(context)
        let posted = context.form
        let intent = posted["intent"] ?? "save"
        var draft: InvoiceView?
        if let draftID { draft = try await Invoices.view(web.database, companyID: companyID, id: draftID, full: true) }
        if let draft, draft.state != .draft || draft.direction != .sent { throw PlatformError.notFound(what: "invoice") }
        var removeLine: Int?
        var removeCharge: Int?
        if intent.hasPrefix("removeLine:") { removeLine = Int(intent.dropFirst("removeLine:".count)) }
        if intent.hasPrefix("removeCharge:") { removeCharge = Int(intent.dropFirst("removeCharge:".count)) }
        var form = InvoiceEntryForm(posted: posted, removeLine: removeLine, removeCharge: removeCharge)
        if intent == "addLine" || (intent != "save" && form.lineCount == 0) { form.addLine() }
        if intent == "addCharge" { form.addCharge() }
        if intent != "save" {
            return try await entryPage(web, context, draft: draft, form: form, errors: FormState(values: form.values))
        }
        let (entry, inputErrors) = form.entry(lang: context.lang)
        var state = FormState(values: form.values)
        do {
            if !inputErrors.isEmpty {
                // The builder's own findings too, so that one submission lists every problem.
                var all = inputErrors
                if let client = try? await Clients.get(web.database, companyID: companyID, id: entry.clientId),
                   let (seller, _) = try? await Invoices.sellerProfile(web.database.sql, companyID: companyID) {
                    do { _ = try InvoiceBuilder.build(entry, seller: seller, client: client, today: Invoices.today()) } catch {
                        if case .validation(let more) = error { all += more.filter { m in !inputErrors.contains { $0.field == m.field } } }
                    }
                }
                throw PlatformError.validation(all)
            }
            let saved: InvoiceView
            if let draftID {
                saved = try await Invoices.updateDraft(web.database, companyID: companyID, id: draftID, entry, actor: context.actor, ip: context.remoteAddress)
            } else {
                saved = try await Invoices.createDraft(web.database, companyID: companyID, entry, actor: context.actor, ip: context.remoteAddress)
            }
            let total = InvoiceFormat.money(saved.totals.withVAT, currency: saved.currency, lang: context.lang)
            return try await web.redirect(.invoice(id: saved.id), flash: context.flashText(
                fr: "Brouillon enregistré (total TTC \(total)). Vérifiez-le, puis cliquez sur « Émettre la facture » pour lui donner son numéro et l'envoyer.",
                en: "Draft saved (total \(total)). Check it, then click “Issue the invoice” to number it and send it."), context: context)
        } catch PlatformError.validation(let errors) {
            // Input errors first (a number that is not one), then the builder's, each once per field.
            state.add(errors, lang: context.lang)
            if form.lineCount == 0 { form.addLine() }
            state.values = form.values
            return try await entryPage(web, context, draft: draft, form: form, errors: state, status: .unprocessableContent)
        } catch PlatformError.notFound(let what) where what == "client" {
            state.add("clientId", context.pick(fr: "Ce client n'existe pas (ou plus).", en: "This client does not exist."))
            return try await entryPage(web, context, draft: draft, form: form, errors: state, status: .unprocessableContent)
        } catch PlatformError.conflict(let field, let fr, let en) {
            state.add(field, context.pick(fr: fr, en: en))
            return try await entryPage(web, context, draft: draft, form: form, errors: state, status: .conflict)
        }
    }

    static func registerEntry(on web: Web) {
        web.get(.invoiceNew) { request, context in
            var form = InvoiceEntryForm.blank(today: Invoices.today().isoString)
            if let client = request.uri.queryParameters["client"] { form.values["clientId"] = String(client) }
            return try await entryPage(web, context, draft: nil, form: form, errors: FormState(values: form.values))
        }
        web.post(.invoiceNew) { _, context in try await submitEntry(web, context, draftID: nil) }
        web.get(.custom("/factures/:id/modifier")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            let draft = try await Invoices.view(web.database, companyID: companyID, id: id, full: true)
            guard draft.direction == .sent else { throw PlatformError.notFound(what: "invoice") }
            guard draft.state == .draft else {
                return try await web.redirect(.invoice(id: id), flash: FlashMessage(.error, context.pick(
                    fr: "Cette facture est émise : elle ne peut plus être modifiée. Créez un avoir pour la corriger.",
                    en: "This invoice is issued: it can no longer change. Create a credit note to correct it.")), context: context)
            }
            guard let entry = draft.entry else {
                return try await web.redirect(.invoice(id: id), flash: FlashMessage(.info, context.pick(
                    fr: "Ce brouillon vient d'un fichier déposé : ses données sont celles du fichier.",
                    en: "This draft comes from an uploaded file: its data are the file's.")), context: context)
            }
            let form = InvoiceEntryForm(entry: entry)
            return try await entryPage(web, context, draft: draft, form: form, errors: FormState(values: form.values))
        }
        web.post(.custom("/factures/:id/modifier")) { _, context in
            try await submitEntry(web, context, draftID: try context.parameters.require("id"))
        }
    }
}
