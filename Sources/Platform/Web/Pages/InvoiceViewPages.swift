import Foundation
import Hummingbird
import InvoiceModel
import NIOFoundationCompat
import SQLKit

extension InvoicePages {
    static let viewTexts: [String: L10n] = [
        "view_seller": L10n("Émetteur", "Seller"),
        "view_buyer": L10n("Destinataire", "Buyer"),
        "view_issue_date": L10n("Date de facture", "Invoice date"),
        "view_due_date": L10n("Échéance", "Due date"),
        "view_lines": L10n("Détail", "Lines"),
        "view_unit_price": L10n("P.U. HT", "Unit price"),
        "view_discount": L10n("Remise", "Discount"),
        "view_vat_rate": L10n("TVA", "VAT"),
        "view_vat": L10n("TVA par taux", "VAT by rate"),
        "view_base": L10n("Base HT", "Taxable amount"),
        "view_rate": L10n("Taux", "Rate"),
        "view_tax": L10n("TVA", "VAT"),
        "view_paid": L10n("Déjà payé", "Paid"),
        "view_outstanding": L10n("Reste dû", "Outstanding"),
        "view_timeline": L10n("Historique", "History"),
        "view_no_events": L10n("Pas encore d'historique : la facture est un brouillon.", "No history yet: the invoice is a draft."),
        "view_actions": L10n("Actions", "Actions"),
        "view_issue": L10n("Émettre la facture", "Issue the invoice"),
        "view_issue_hint": L10n("La facture est vérifiée (EN 16931 et règles françaises), numérotée, mise en PDF Factur-X et remise au destinataire s'il est sur Facteur. Elle ne pourra plus être modifiée.",
                                "The invoice is checked (EN 16931 and French rules), numbered, rendered as a Factur-X PDF and delivered when the buyer is on Facteur. It can no longer change afterwards."),
        "view_edit": L10n("Modifier", "Edit"),
        "view_duplicate": L10n("Dupliquer", "Duplicate"),
        "view_delete": L10n("Supprimer le brouillon", "Delete the draft"),
        "view_delete_confirm": L10n("Supprimer définitivement ce brouillon ?", "Delete this draft for good?"),
        "view_final_confirm": L10n("Cette décision est définitive. Confirmer ?", "This decision is final. Confirm?"),
        "view_pdf": L10n("Télécharger le PDF", "Download the PDF"),
        "view_xml": L10n("Télécharger le XML", "Download the XML"),
        "view_mark_sent": L10n("Marquer comme envoyée", "Mark as sent"),
        "view_mark_sent_hint": L10n("Ce client n'est pas sur le réseau Facteur : envoyez-lui le PDF, puis indiquez quand et comment.",
                                    "This client is not on the Facteur network: send them the PDF, then say when and how."),
        "view_sent_date": L10n("Date d'envoi", "Date sent"),
        "view_sent_means": L10n("Moyen", "Means"),
        "view_credit_note": L10n("Créer un avoir", "Create a credit note"),
        "view_credit_hint": L10n("Sans ligne cochée, l'avoir reprend toute la facture.", "With no line ticked, the credit note covers the whole invoice."),
        "view_payment": L10n("Enregistrer un encaissement", "Record a payment"),
        "view_payment_amount": L10n("Montant reçu", "Amount received"),
        "view_reason": L10n("Motif", "Reason"),
        "view_reason_required": L10n("obligatoire", "required"),
        "view_problems": L10n("La facture ne peut pas être émise :", "The invoice cannot be issued:"),
        "view_problems_hint": L10n("Corrigez chaque point (le lien ouvre le champ concerné), puis émettez à nouveau.",
                                   "Fix each point (the link opens the field), then issue again."),
        "view_network": L10n("Remise sur le réseau Facteur", "Delivered on the Facteur network"),
        "view_sent_on": L10n("Envoyée le", "Sent on"),
        "view_back": L10n("Retour à mes factures", "Back to my invoices"),
        "view_credit_of": L10n("Avoir de la facture", "Credit note for invoice"),
        "view_deposited_pdf": L10n("PDF déposé sans données structurées : ses lignes ne sont pas lues.", "PDF uploaded without structured data: its lines are not read."),
        "deposit_title": L10n("Déposer une facture", "Upload an invoice"),
        "deposit_intro": L10n("Une facture produite par votre logiciel : Factur-X (PDF avec XML), CII ou UBL (XML), ou un simple PDF. Elle arrive en brouillon pour que vous la vérifiiez avant de l'émettre.",
                              "An invoice made by your software: Factur-X (PDF with XML), CII or UBL (XML), or a plain PDF. It becomes a draft for you to check before issuing it."),
        "deposit_file": L10n("Fichier de la facture", "Invoice file"),
        "deposit_hint": L10n("PDF ou XML, 20 Mo au plus. Le vendeur doit être votre société ; un numéro déjà déposé est refusé.",
                             "PDF or XML, at most 20 MB. The seller must be your company; a number already uploaded is refused."),
        "deposit_submit": L10n("Déposer", "Upload"),
    ]

    static func actionLabel(_ s: LifecycleStatus, _ lang: Lang) -> String {
        switch s {
        case .takenInCharge: return lang.pick(fr: "Prendre en charge", en: "Take in charge")
        case .approved: return lang.pick(fr: "Approuver", en: "Approve")
        case .partiallyApproved: return lang.pick(fr: "Approuver partiellement", en: "Approve partially")
        case .disputed: return lang.pick(fr: "Mettre en litige", en: "Dispute")
        case .suspended: return lang.pick(fr: "Suspendre", en: "Suspend")
        case .completed: return lang.pick(fr: "Compléter", en: "Complete")
        case .refused: return lang.pick(fr: "Refuser", en: "Refuse")
        case .paymentTransmitted: return lang.pick(fr: "Paiement transmis", en: "Payment transmitted")
        case .cancelled: return lang.pick(fr: "Annuler la facture", en: "Cancel the invoice")
        case .collected: return lang.pick(fr: "Marquer encaissée", en: "Mark collected")
        default: return s.label(lang == .fr ? .fr : .en)
        }
    }

    /// What the flash says after a status change: what happened, and what comes next.
    static func afterStatus(_ s: LifecycleStatus, side: InvoiceSide, _ lang: Lang) -> String {
        switch s {
        case .takenInCharge: return lang.pick(fr: "Facture prise en charge : l'émetteur sait que vous la traitez. Prochaine étape : l'approuver, la suspendre ou la refuser.",
                                              en: "Invoice taken in charge: the seller knows you are handling it. Next: approve, suspend or refuse it.")
        case .approved: return lang.pick(fr: "Facture approuvée : l'émetteur en est informé. Prochaine étape : payez-la, puis indiquez « Paiement transmis ».",
                                         en: "Invoice approved: the seller is told. Next: pay it, then click “Payment transmitted”.")
        case .partiallyApproved: return lang.pick(fr: "Facture approuvée partiellement : l'émetteur voit votre motif. Il peut émettre un avoir pour la différence.",
                                                  en: "Invoice partially approved: the seller sees your reason and may issue a credit note for the difference.")
        case .disputed: return lang.pick(fr: "Facture mise en litige : l'émetteur voit votre motif. Vous pourrez ensuite l'approuver, la suspendre ou la refuser.",
                                         en: "Invoice disputed: the seller sees your reason. You can later approve, suspend or refuse it.")
        case .suspended: return lang.pick(fr: "Facture suspendue : l'émetteur doit la compléter avant que vous puissiez décider.",
                                          en: "Invoice suspended: the seller must complete it before you can decide.")
        case .completed: return lang.pick(fr: "Facture complétée : le destinataire peut de nouveau l'approuver ou la refuser.",
                                          en: "Invoice completed: the buyer can approve or refuse it again.")
        case .refused: return lang.pick(fr: "Facture refusée : c'est définitif. L'émetteur voit votre motif et devra émettre un avoir ou une nouvelle facture.",
                                        en: "Invoice refused: this is final. The seller sees your reason and must issue a credit note or a new invoice.")
        case .paymentTransmitted: return lang.pick(fr: "Paiement transmis : l'émetteur en est informé et enregistrera l'encaissement à réception des fonds.",
                                                   en: "Payment transmitted: the seller is told and will record it when the funds arrive.")
        case .cancelled: return lang.pick(fr: "Facture annulée : c'est définitif.", en: "Invoice cancelled: this is final.")
        default: return lang.pick(fr: "Statut mis à jour : \(s.label(.fr)).", en: "Status updated: \(s.label(.en)).")
        }
    }

    static func sideLabel(_ side: String, _ lang: Lang) -> String {
        switch side {
        case "issuer": return lang.pick(fr: "Émetteur", en: "Seller")
        case "recipient": return lang.pick(fr: "Destinataire", en: "Buyer")
        default: return lang.pick(fr: "Plateforme Facteur", en: "Facteur platform")
        }
    }

    /// "user:<id>" → the person's name, so that the timeline says who acted.
    static func actorNames(_ web: Web, _ events: [InvoiceEvent]) async throws -> [String: String] {
        let ids = Set(events.compactMap { $0.actor.hasPrefix("user:") ? String($0.actor.dropFirst(5)) : nil })
        guard !ids.isEmpty else { return [:] }
        struct U: Decodable { let id: String; let full_name: String }
        let rows = try await web.database.sql.select().columns("id", "full_name").from("users").where("id", .in, Array(ids)).all(decoding: U.self)
        return Dictionary(rows.map { ("user:\($0.id)", $0.full_name) }, uniquingKeysWith: { a, _ in a })
    }

    /// Where a problem found at issue time is fixed: the field of the entry page, « Ma société » or the client's record.
    static func problemLink(_ field: String, view v: InvoiceView) -> String {
        if field.hasPrefix("company") { return WebRoute.company.path }
        if field.hasPrefix("client"), field != "clientId", let c = v.clientId { return WebRoute.client(id: c).path }
        guard v.entry != nil else { return WebRoute.invoice(id: v.id).path }
        let target = field == "lines.vatCategory" ? "lines" : field
        return WebRoute.invoiceEdit(id: v.id).path + "#" + target
    }

    static func invoicePage(_ web: Web, _ context: WebContext, id: String, problems: [FieldError] = [],
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let (companyID, role) = try context.requireRole()
        let lang = context.lang
        let v = try await Invoices.view(web.database, companyID: companyID, id: id, full: true)
        let events = try await Invoices.events(web.database, companyID: companyID, id: id)
        let names = try await actorNames(web, events)
        let cur = v.currency
        func money(_ d: Decimal?) -> String { InvoiceFormat.money(d ?? 0, currency: cur, lang: lang) }
        let inv = v.invoice
        let lines: [[String: Any]] = (inv?.lines ?? []).map { l in
            let discount = l.allowanceCharges.first { !$0.isCharge }?.percentage
            return ["number": l.identifier, "description": l.item.name, "note": opt(l.note),
                    "quantity": InvoiceFormat.number(l.quantity, lang: lang, minimumDecimals: 0), "unit": InvoiceFormat.unitLabel(l.unitCode, lang: lang),
                    "unitPrice": money(l.price.netPrice), "discount": discount.map { InvoiceFormat.number($0, lang: lang, minimumDecimals: 0) + " %" } ?? "",
                    "vat": l.vat.rate.map { InvoiceFormat.number($0, lang: lang, minimumDecimals: 0) + " %" } ?? l.vat.categoryCode,
                    "total": money(l.netAmount)]
        }
        let groups: [[String: Any]] = (inv?.vatBreakdown ?? []).map { b in
            // A taxed group is known by its rate; the others by their category (exonéré, autoliquidation…).
            ["rate": b.categoryCode == "S" ? (b.rate.map { InvoiceFormat.number($0, lang: lang, minimumDecimals: 0) + " %" } ?? "—")
                                            : InvoiceFormat.vatCategoryLabel(b.categoryCode, lang: lang),
             "base": money(b.taxableAmount), "tax": money(b.taxAmount), "reason": opt(b.exemptionReason)]
        }
        let docAllowances: [[String: Any]] = (inv?.allowanceCharges ?? []).map { a in
            ["label": (a.isCharge ? context.t("entry_charge") : context.t("entry_allowance")) + (a.reason.map { " — \($0)" } ?? ""),
             "amount": (a.isCharge ? "" : "−") + money(a.amount)]
        }
        let timeline: [[String: Any]] = events.reversed().map { e in
            var reason = e.reason ?? ""
            if reason == "payment" { reason = lang.pick(fr: "Encaissement", en: "Payment") }
            return ["when": InvoiceFormat.dateTime(e.at, lang: lang), "label": InvoiceFormat.statusLabel(e.statusCode, lang: lang), "code": e.statusCode,
                    "tone": InvoiceFormat.statusTone(e.statusCode), "side": sideLabel(e.side, lang),
                    "who": names[e.actor] ?? (e.actor == "facteur" ? "Facteur" : e.actor.hasPrefix("api:") ? lang.pick(fr: "API", en: "API") : e.actor),
                    "reason": opt(reason), "amount": opt(e.amount.map { InvoiceFormat.money($0, currency: cur, lang: lang) })]
        }
        let issuer = canIssue(role)
        let isDraft = v.state == .draft
        let sent = v.direction == .sent
        let allowed = v.allowedStatusCodes.compactMap(LifecycleStatus.init(rawValue:))
        // Recipient decisions, and the issuer's « Compléter » / « Annuler »; payments have their own form.
        let statusActions: [[String: Any]] = (canDecide(role) ? allowed : []).filter { $0 != .collected }
            .filter { _ in sent ? issuer : true }
            .map { s in
                ["code": s.code, "label": actionLabel(s, lang), "needsReason": s.requiresReason, "withReason": s.requiresReason || s == .partiallyApproved,
                 "danger": [.refused, .cancelled, .disputed].contains(s), "primary": [.approved, .paymentTransmitted, .completed].contains(s),
                 "action": WebRoute.invoiceAction(id: v.id, "statut").path, "fieldId": "reason-\(s.code)"]
            }
        let outstanding = Decimal(string: v.totals.outstanding) ?? 0
        let canPay = sent && issuer && !isDraft && allowed.contains(.collected) && outstanding > 0
        let canMarkSent = sent && issuer && !isDraft && !v.onNetwork && v.sentAt == nil
        let meansOptions = [("email", lang.pick(fr: "Courriel", en: "Email")), ("paper", lang.pick(fr: "Courrier", en: "Post")),
                            ("chorus_pro", "Chorus Pro"), ("other", lang.pick(fr: "Autre", en: "Other"))]
        let title = v.number.map { "\(InvoiceFormat.typeLabel(v.typeCode, lang: lang)) \($0)" } ?? context.t("invoice_draft")
        var creditOf: Any = false
        if let cid = v.creditedInvoiceId {
            creditOf = ["href": WebRoute.invoice(id: cid).path, "number": inv?.precedingInvoices.first?.reference ?? cid]
        }
        let model: [String: Any] = [
            "id": v.id, "title": title, "isDraft": isDraft, "sent": sent, "received": !sent,
            "typeLabel": InvoiceFormat.typeLabel(v.typeCode, lang: lang),
            "status": isDraft ? context.t("invoice_draft") : InvoiceFormat.statusLabel(v.status?.code, lang: lang),
            "statusCode": v.status?.code ?? 0, "tone": isDraft ? "draft" : InvoiceFormat.statusTone(v.status?.code),
            "seller": ["name": v.seller.name, "siren": opt(v.seller.siren), "address": address(inv?.seller.postalAddress)],
            "buyer": ["name": v.buyer.name, "siren": opt(v.buyer.siren), "address": address(inv?.buyer.postalAddress)],
            "issueDate": InvoiceFormat.date(v.issueDate, lang: lang), "dueDate": InvoiceFormat.date(v.dueDate, lang: lang),
            "buyerReference": opt(inv?.buyerReference), "purchaseOrder": opt(inv?.purchaseOrderReference),
            "paymentTerms": opt(inv?.paymentTerms),
            "lines": lines, "hasLines": !lines.isEmpty, "groups": groups, "allowances": docAllowances, "hasAllowances": !docAllowances.isEmpty,
            "totalHT": money(inv?.totals.totalWithoutVAT ?? Decimal(string: v.totals.withoutVAT)),
            "totalVAT": money(inv?.totals.totalVAT ?? Decimal(string: v.totals.vat)),
            "totalTTC": money(inv?.totals.totalWithVAT ?? Decimal(string: v.totals.withVAT)),
            "paid": InvoiceFormat.money(v.totals.paid, currency: cur, lang: lang), "hasPaid": (Decimal(string: v.totals.paid) ?? 0) > 0,
            "outstanding": InvoiceFormat.money(v.totals.outstanding, currency: cur, lang: lang),
            "outstandingPlain": lang.decimal(v.totals.outstanding),
            "timeline": timeline, "hasTimeline": !timeline.isEmpty,
            "onNetwork": v.onNetwork, "sentAt": v.onNetwork ? false : opt(v.sentAt.map { InvoiceFormat.date($0, lang: lang) }),
            "sentMeans": v.sentMeans.flatMap { m in meansOptions.first { $0.0 == m }?.1 } ?? "",
            "isPlainPDF": v.source == .pdf && lines.isEmpty, "creditOf": creditOf,
            // Actions by state and side.
            "canEdit": isDraft && sent && issuer && v.entry != nil, "canIssue": isDraft && sent && issuer,
            "canDuplicate": sent && issuer && v.entry != nil, "canDelete": isDraft && sent && issuer,
            "editHref": WebRoute.invoiceEdit(id: v.id).path,
            "issueAction": WebRoute.invoiceAction(id: v.id, "emettre").path, "duplicateAction": WebRoute.invoiceAction(id: v.id, "dupliquer").path,
            "deleteAction": WebRoute.invoiceAction(id: v.id, "supprimer").path,
            "pdfHref": v.hasPDF ? WebRoute.invoiceAction(id: v.id, "pdf").path : false,
            "xmlHref": v.hasXML ? WebRoute.invoiceAction(id: v.id, "xml").path : false,
            "canMarkSent": canMarkSent, "markSentAction": WebRoute.invoiceAction(id: v.id, "envoyee").path, "today": Invoices.today().isoString,
            "means": meansOptions.map { ["value": $0.0, "label": $0.1] },
            "canCredit": sent && issuer && !isDraft && v.typeCode != "381", "creditAction": WebRoute.invoiceAction(id: v.id, "avoir").path,
            "creditLines": (inv?.lines ?? []).map { ["number": $0.identifier, "description": $0.item.name] },
            "canPay": canPay, "paymentAction": WebRoute.invoiceAction(id: v.id, "encaissement").path,
            "statusActions": statusActions, "hasStatusActions": !statusActions.isEmpty,
            "problems": problems.map { ["message": lang.pick(fr: $0.fr, en: $0.en), "href": problemLink($0.field, view: v)] },
            "hasProblems": !problems.isEmpty, "listHref": WebRoute.invoices.path(query: [("onglet", isDraft ? "brouillons" : sent ? "emises" : "recues")]),
        ]
        return web.page("invoice", title: title, model: model, context: context, status: status, current: .invoices)
    }

    static func address(_ a: PostalAddress?) -> String {
        guard let a else { return "" }
        return [a.line1, a.line2, [a.postCode, a.city].compactMap { $0 }.joined(separator: " ").nilIfEmpty].compactMap { $0 }.joined(separator: ", ")
    }

    /// Runs an action; a refusal by the rules comes back as an error flash on the invoice page.
    static func act(_ web: Web, _ context: WebContext, id: String, _ body: () async throws -> FlashMessage) async throws -> Response {
        let target = WebRoute.invoice(id: id)
        do {
            return try await web.redirect(target, flash: try await body(), context: context)
        } catch let r as WebRedirectWithFlash {
            return try await web.redirect(to: r.to, flash: r.flash, context: context)
        } catch PlatformError.validation(let errors) {
            return try await web.redirect(target, flash: FlashMessage(.error, errors.map { context.pick(fr: $0.fr, en: $0.en) }.joined(separator: " ")), context: context)
        } catch PlatformError.conflict(_, let fr, let en) {
            return try await web.redirect(target, flash: FlashMessage(.error, context.pick(fr: fr, en: en)), context: context)
        }
    }

    static func registerView(on web: Web) {
        web.get(.custom("/factures/:id")) { _, context in
            try await invoicePage(web, context, id: try context.parameters.require("id"))
        }
        for kind in [Invoices.DocumentKind.pdf, .xml] {
            web.get(.custom("/factures/:id/\(kind.rawValue)")) { _, context in
                let (companyID, _) = try context.requireRole()
                let id = try context.parameters.require("id")
                let v = try await Invoices.view(web.database, companyID: companyID, id: id, full: false)
                let doc = try await Invoices.document(web.database, companyID: companyID, id: id, kind: kind)
                var headers = HTTPFields()
                headers[.contentType] = doc.mediaType
                let name = (v.number ?? "brouillon-\(id.prefix(8))").replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: "\"", with: "")
                headers[.contentDisposition] = "attachment; filename=\"\(name).\(kind == .pdf ? "pdf" : "xml")\""
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: doc.data)))
            }
        }
        web.post(.custom("/factures/:id/emettre")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            do {
                let v = try await Invoices.issue(web.database, companyID: companyID, id: id, producer: FacturXProducer(), actor: context.actor, ip: context.remoteAddress)
                let number = v.number ?? ""
                let next = v.onNetwork
                    ? context.pick(fr: "Facture \(number) émise et remise à \(v.buyer.name) sur le réseau Facteur. Vous verrez ici sa prise en charge, son approbation et son paiement.",
                                   en: "Invoice \(number) issued and delivered to \(v.buyer.name) on the Facteur network. Its handling, approval and payment will show here.")
                    : context.pick(fr: "Facture \(number) émise. \(v.buyer.name) n'est pas sur Facteur : téléchargez le PDF, envoyez-le, puis cliquez sur « Marquer comme envoyée ».",
                                   en: "Invoice \(number) issued. \(v.buyer.name) is not on Facteur: download the PDF, send it, then click “Mark as sent”.")
                return try await web.redirect(.invoice(id: id), flash: FlashMessage(.success, next), context: context)
            } catch PlatformError.validation(let errors) {
                return try await invoicePage(web, context, id: id, problems: errors, status: .unprocessableContent)
            } catch PlatformError.conflict(let field, let fr, let en) {
                return try await invoicePage(web, context, id: id, problems: [FieldError(field, "conflict", fr: fr, en: en)], status: .conflict)
            }
        }
        web.post(.custom("/factures/:id/dupliquer")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            return try await act(web, context, id: id) {
                let copy = try await Invoices.duplicate(web.database, companyID: companyID, id: id, actor: context.actor, ip: context.remoteAddress)
                throw WebRedirectWithFlash(to: WebRoute.invoiceEdit(id: copy.id).path, flash: context.flashText(
                    fr: "Copie créée en brouillon, datée d'aujourd'hui. Ajustez-la puis enregistrez.", en: "Copy created as a draft dated today. Adjust it, then save."))
            }
        }
        web.post(.custom("/factures/:id/supprimer")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            return try await act(web, context, id: id) {
                try await Invoices.deleteDraft(web.database, companyID: companyID, id: id, actor: context.actor, ip: context.remoteAddress)
                throw WebRedirectWithFlash(to: WebRoute.invoices.path(query: [("onglet", "brouillons")]),
                                           flash: context.flashText(fr: "Brouillon supprimé.", en: "Draft deleted."))
            }
        }
        web.post(.custom("/factures/:id/statut")) { _, context in
            let (companyID, role) = try context.requireRole()
            guard canDecide(role) else {
                throw WebForbidden(fr: "Votre rôle est en lecture seule : il ne permet pas de changer le statut d'une facture.",
                                   en: "Your role is read-only: it cannot change an invoice's status.")
            }
            let id = try context.parameters.require("id")
            let code = Int(context.form["code"] ?? "") ?? 0
            let reason = context.form["reason"]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            return try await act(web, context, id: id) {
                let v = try await Invoices.changeStatus(web.database, companyID: companyID, id: id, code: code, reason: reason, actor: context.actor, ip: context.remoteAddress)
                let s = LifecycleStatus(rawValue: v.status?.code ?? code) ?? .deposited
                return FlashMessage(s == .refused || s == .disputed ? .info : .success, afterStatus(s, side: v.direction, context.lang))
            }
        }
        web.post(.custom("/factures/:id/encaissement")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            return try await act(web, context, id: id) {
                guard let amount = InvoiceEntryForm.decimal(context.form["amount"] ?? ""), amount > 0 else {
                    throw PlatformError.validation([FieldError("amount", "number", fr: "Indiquez le montant reçu (ex. 1 250,00).", en: "Enter the amount received (e.g. 1250.00).")])
                }
                let v = try await Invoices.recordPayment(web.database, companyID: companyID, id: id, amount: amount, actor: context.actor, ip: context.remoteAddress)
                let got = InvoiceFormat.money(amount, currency: v.currency, lang: context.lang)
                if v.status?.code == LifecycleStatus.collected.code {
                    return context.flashText(fr: "Encaissement de \(got) enregistré : la facture est soldée et passe au statut « Encaissée ».",
                                             en: "Payment of \(got) recorded: the invoice is settled and now “Collected”.")
                }
                let rest = InvoiceFormat.money(v.totals.outstanding, currency: v.currency, lang: context.lang)
                return context.flashText(fr: "Encaissement de \(got) enregistré. Reste dû : \(rest) ; la facture passera « Encaissée » au dernier paiement.",
                                         en: "Payment of \(got) recorded. Outstanding: \(rest); the invoice becomes “Collected” with the last payment.")
            }
        }
        web.post(.custom("/factures/:id/envoyee")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            return try await act(web, context, id: id) {
                _ = try await Invoices.markSent(web.database, companyID: companyID, id: id, date: context.form["date"]?.nilIfEmpty,
                                                means: context.form["means"] ?? "", actor: context.actor, ip: context.remoteAddress)
                return context.flashText(fr: "Envoi noté. Quand le client aura payé, enregistrez l'encaissement.",
                                         en: "Sending recorded. When the client has paid, record the payment.")
            }
        }
        web.post(.custom("/factures/:id/avoir")) { _, context in
            let companyID = try requireIssuer(context)
            let id = try context.parameters.require("id")
            return try await act(web, context, id: id) {
                var selection: [Int: Decimal?] = [:]
                for (k, value) in context.form where k.hasPrefix("line-") && value == "on" {
                    if let n = Int(k.dropFirst(5)) { selection[n] = .some(nil) }
                }
                let credit = try await Invoices.creditNote(web.database, companyID: companyID, id: id, lines: selection.isEmpty ? nil : selection,
                                                           actor: context.actor, ip: context.remoteAddress)
                throw WebRedirectWithFlash(to: WebRoute.invoice(id: credit.id).path, flash: context.flashText(
                    fr: "Avoir créé en brouillon (\(InvoiceFormat.money(credit.totals.withVAT, currency: credit.currency, lang: .fr)) TTC). Vérifiez-le, puis émettez-le.",
                    en: "Credit note created as a draft (\(InvoiceFormat.money(credit.totals.withVAT, currency: credit.currency, lang: .en)) incl. VAT). Check it, then issue it."))
            }
        }
    }

    // MARK: Deposit

    static func depositPage(_ web: Web, _ context: WebContext, error: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        _ = try requireIssuer(context)
        var form = FormState()
        if let error { form.add("file", error) }
        let model: [String: Any] = ["action": WebRoute.invoiceDeposit.path(query: [("_csrf", context.csrfToken)]), "form": form.model,
                                    "fileError": error ?? false, "listHref": WebRoute.invoices.path]
        return web.page("invoice-deposit", title: context.t("deposit_title"), model: model, context: context, status: status, current: .invoices)
    }

    static func registerDeposit(on web: Web) {
        web.get(.invoiceDeposit) { _, context in try depositPage(web, context) }
        web.post(.invoiceDeposit) { request, context in
            let companyID = try requireIssuer(context)
            let form: MultipartForm?
            do {
                form = try await MultipartForm.read(request, limit: 20 << 20)
            } catch {
                return try depositPage(web, context, error: context.pick(fr: "Le fichier dépasse 20 Mo.", en: "The file exceeds 20 MB."), status: .unprocessableContent)
            }
            guard let file = form?.file("file"), !file.data.isEmpty else {
                return try depositPage(web, context, error: context.pick(fr: "Choisissez le fichier de la facture (PDF ou XML).", en: "Choose the invoice file (PDF or XML)."),
                                       status: .unprocessableContent)
            }
            do {
                let v = try await Invoices.deposit(web.database, companyID: companyID, data: file.data, mediaType: file.contentType ?? "application/octet-stream",
                                                   filename: file.filename, extract: embeddedInvoiceXML, actor: context.actor, ip: context.remoteAddress)
                let what = v.source == .pdf
                    ? context.pick(fr: "PDF déposé en brouillon. Il ne contient pas de données de facture lisibles : il ne pourra être émis qu'une fois complété.",
                                   en: "PDF uploaded as a draft. It holds no readable invoice data: it can be issued only once completed.")
                    : context.pick(fr: "Facture \(v.number ?? "") lue et déposée en brouillon. Vérifiez-la, puis cliquez sur « Émettre la facture ».",
                                   en: "Invoice \(v.number ?? "") read and uploaded as a draft. Check it, then click “Issue the invoice”.")
                return try await web.redirect(.invoice(id: v.id), flash: context.flashText(fr: what, en: what), context: context)
            } catch PlatformError.validation(let errors) {
                return try depositPage(web, context, error: errors.map { context.pick(fr: $0.fr, en: $0.en) }.joined(separator: " "), status: .unprocessableContent)
            } catch PlatformError.conflict(_, let fr, let en) {
                return try depositPage(web, context, error: context.pick(fr: fr, en: en), status: .conflict)
            }
        }
    }
}

/// A value for a Mustache section: swift-mustache treats an empty string as true, so absent texts are `false`.
func opt(_ s: String?) -> Any {
    guard let s, !s.isEmpty else { return false }
    return s
}

/// Lets an action end somewhere else than the invoice page (the copy, the credit note, the list).
struct WebRedirectWithFlash: Error {
    var to: String
    var flash: FlashMessage
}
