import Foundation
import Hummingbird
import InvoiceModel

extension WebRoute {
    static let invoiceNew = WebRoute.custom("/factures/nouvelle")
    static let invoiceDeposit = WebRoute.custom("/factures/deposer")
    static let invoicesExport = WebRoute.custom("/factures/export.csv")
    static func invoice(id: String) -> WebRoute { .custom("/factures/\(escape(id))") }
    static func invoiceEdit(id: String) -> WebRoute { .custom("/factures/\(escape(id))/modifier") }
    static func invoiceAction(id: String, _ action: String) -> WebRoute { .custom("/factures/\(escape(id))/\(action)") }
}

/// Mes factures: the lists (Émises, Reçues, Brouillons) with search, filters, sorting, pages and a
/// CSV export; the entry form, the invoice page with its actions and timeline, the deposit form.
/// The rules live in `Invoices` and `InvoiceBuilder`; these pages show them and post to them.
enum InvoicePages: WebModule {
    static let texts: [String: L10n] = [
        "invoices_title": L10n("Mes factures", "My invoices"),
        "invoices_intro": L10n("Vos factures émises et reçues, et vos brouillons.", "The invoices you issued and received, and your drafts."),
        "invoices_tab_sent": L10n("Émises", "Issued"),
        "invoices_tab_received": L10n("Reçues", "Received"),
        "invoices_tab_drafts": L10n("Brouillons", "Drafts"),
        "invoices_new": L10n("Saisir une facture", "Type an invoice"),
        "invoices_deposit": L10n("Déposer une facture", "Upload an invoice"),
        "invoices_export": L10n("Exporter (CSV)", "Export (CSV)"),
        "invoices_search_label": L10n("Numéro, client ou SIREN", "Number, client or SIREN"),
        "invoices_status": L10n("Statut", "Status"),
        "invoices_all_statuses": L10n("Tous les statuts", "All statuses"),
        "invoices_from": L10n("Du", "From"),
        "invoices_to": L10n("Au", "To"),
        "invoices_min": L10n("TTC min.", "Min. total"),
        "invoices_max": L10n("TTC max.", "Max. total"),
        "invoices_sort": L10n("Trier par", "Sort by"),
        "invoices_filter": L10n("Filtrer", "Filter"),
        "invoices_reset": L10n("Effacer les filtres", "Clear filters"),
        "invoices_none": L10n("Aucune facture ne correspond.", "No invoice matches."),
        "invoices_number": L10n("Numéro", "Number"),
        "invoices_client": L10n("Client", "Client"),
        "invoices_supplier": L10n("Fournisseur", "Supplier"),
        "invoices_issue_date": L10n("Date", "Date"),
        "invoices_due_date": L10n("Échéance", "Due"),
        "invoices_amount": L10n("Montant TTC", "Total incl. VAT"),
        "invoices_previous": L10n("Page précédente", "Previous page"),
        "invoices_next": L10n("Page suivante", "Next page"),
        "invoice_draft": L10n("Brouillon", "Draft"),
    ]

    enum Tab: String { case sent = "emises", received = "recues", drafts = "brouillons" }

    /// The search of the current page, read from the query string (shared by the list and the CSV export).
    struct Search {
        var tab: Tab = .sent
        var query = Invoices.Query()
        var values: [String: String] = [:]
        var errors: [String] = []

        init(_ params: [String: String], lang: Lang) {
            tab = Tab(rawValue: params["onglet"] ?? "") ?? .sent
            values = params
            switch tab {
            case .sent: query.direction = .sent; query.state = .issued
            case .received: query.direction = .received
            case .drafts: query.direction = .sent; query.state = .draft
            }
            if let q = params["q"]?.trimmingCharacters(in: .whitespaces), !q.isEmpty { query.text = q }
            if let s = params["statut"] {
                query.statusCodes = s.split(separator: ",").compactMap { Int($0) }.filter { LifecycleStatus(rawValue: $0) != nil }
            }
            for (key, label) in [("du", lang.pick(fr: "Du", en: "From")), ("au", lang.pick(fr: "Au", en: "To"))] {
                guard let v = params[key], !v.isEmpty else { continue }
                if LocalDate(parsing: v) == nil {
                    errors.append(lang.pick(fr: "\(label) : date invalide « \(v) » (AAAA-MM-JJ).", en: "\(label): invalid date “\(v)” (YYYY-MM-DD)."))
                } else if key == "du" { query.from = v } else { query.to = v }
            }
            for key in ["min", "max"] {
                guard let v = params[key], !v.isEmpty else { continue }
                guard let d = InvoiceEntryForm.decimal(v) else {
                    errors.append(lang.pick(fr: "Montant invalide : « \(v) ».", en: "Invalid amount: “\(v)”."))
                    continue
                }
                if key == "min" { query.minAmount = d } else { query.maxAmount = d }
            }
            let sorts = ["-date", "date", "-amount", "amount", "number", "-number", "client", "-client", "-created"]
            query.sort = sorts.contains(params["tri"] ?? "") ? params["tri"]! : (tab == .drafts ? "-created" : "-date")
            query.page = max(Int(params["page"] ?? "1") ?? 1, 1)
            query.perPage = 25
        }

        /// The query string of this search, with some keys replaced.
        func link(_ path: String, _ changes: [String: String?]) -> String {
            var v = values.filter { !$0.value.isEmpty && $0.key != "lang" }
            for (k, value) in changes { v[k] = value }
            let items = v.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return WebRoute.custom(path).path(query: items)
        }
    }

    static func queryParams(_ request: Request) -> [String: String] {
        var params: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { params[String(k)] = String(v) }
        return params
    }

    // MARK: List

    static func list(_ web: Web, _ request: Request, _ context: WebContext) async throws -> Response {
        let (companyID, role) = try context.requireRole()
        let lang = context.lang
        let search = Search(queryParams(request), lang: lang)
        let page = try await Invoices.list(web.database, companyID: companyID, search.query)
        let pages = max(1, (page.total + page.perPage - 1) / page.perPage)
        let summary = lang.pick(fr: "\(page.total) facture\(page.total > 1 ? "s" : "") — page \(page.page) sur \(pages)",
                                en: "\(page.total) invoice\(page.total == 1 ? "" : "s") — page \(page.page) of \(pages)")
        let tabs: [[String: Any]] = [(Tab.sent, "invoices_tab_sent"), (.received, "invoices_tab_received"), (.drafts, "invoices_tab_drafts")].map {
            ["label": context.t($0.1), "href": WebRoute.invoices.path(query: [("onglet", $0.0.rawValue)]), "current": $0.0 == search.tab]
        }
        let statuses: [[String: Any]] = LifecycleStatus.allCases.map {
            ["value": String($0.code), "label": "\($0.label(lang == .fr ? .fr : .en)) (\($0.code))", "selected": search.query.statusCodes == [$0.code]]
        }
        let sortOptions: [(String, String)] = [
            ("-date", lang.pick(fr: "Date (récentes d'abord)", en: "Date (newest first)")), ("date", lang.pick(fr: "Date (anciennes d'abord)", en: "Date (oldest first)")),
            ("-amount", lang.pick(fr: "Montant décroissant", en: "Amount (highest first)")), ("amount", lang.pick(fr: "Montant croissant", en: "Amount (lowest first)")),
            ("number", lang.pick(fr: "Numéro", en: "Number")), ("client", lang.pick(fr: "Client (A→Z)", en: "Client (A→Z)")),
            ("-created", lang.pick(fr: "Créées récemment", en: "Recently created")),
        ]
        let items: [[String: Any]] = page.items.map { row(view: $0, lang: lang) }
        let model: [String: Any] = [
            "tabs": tabs, "tab": search.tab.rawValue, "isReceived": search.tab == .received, "isDrafts": search.tab == .drafts,
            "values": search.values, "statuses": statuses,
            "sorts": sortOptions.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == search.query.sort] },
            "searchAction": WebRoute.invoices.path, "resetHref": WebRoute.invoices.path(query: [("onglet", search.tab.rawValue)]),
            "exportHref": search.link(WebRoute.invoicesExport.path, ["page": nil]),
            "canIssue": canIssue(role), "newHref": WebRoute.invoiceNew.path, "depositHref": WebRoute.invoiceDeposit.path,
            "summary": summary, "items": items, "empty": items.isEmpty,
            "searchErrors": search.errors, "hasSearchErrors": !search.errors.isEmpty,
            "previousHref": page.page > 1 ? search.link(WebRoute.invoices.path, ["page": String(page.page - 1)]) : false,
            "nextHref": page.page < pages ? search.link(WebRoute.invoices.path, ["page": String(page.page + 1)]) : false,
        ]
        return web.page("invoices", title: context.t("invoices_title"), model: model, context: context, current: .invoices)
    }

    /// One row of a list (also the dashboard's latest invoices).
    static func row(view v: InvoiceView, lang: Lang) -> [String: Any] {
        let code = v.status?.code
        return [
            "href": WebRoute.invoice(id: v.id).path,
            "number": v.number ?? lang.pick(fr: "Brouillon", en: "Draft"), "isDraft": v.state == .draft,
            "type": v.typeCode == "380" ? false : InvoiceFormat.typeLabel(v.typeCode, lang: lang),
            "party": v.direction == .sent ? v.buyer.name : v.seller.name,
            "issueDate": InvoiceFormat.date(v.issueDate, lang: lang), "dueDate": InvoiceFormat.date(v.dueDate, lang: lang),
            "amount": InvoiceFormat.money(v.totals.withVAT, currency: v.currency, lang: lang),
            "status": v.state == .draft ? lang.pick(fr: "Brouillon", en: "Draft") : InvoiceFormat.statusLabel(code, lang: lang),
            "tone": v.state == .draft ? "draft" : InvoiceFormat.statusTone(code),
        ]
    }

    static func canIssue(_ role: Role) -> Bool { role == .manager || role == .issuer }
    static func canDecide(_ role: Role) -> Bool { role != .viewer }

    // MARK: CSV export

    /// What French accountants open in Excel: UTF-8 with a BOM (else Excel guesses Windows-1252),
    /// semicolons (the comma is the decimal mark), French headers, amounts with a decimal comma.
    /// Every invoice of the search, however many: the ids are read at once (one consistent set), then
    /// the rows are read and written 500 at a time, so memory stays flat and the download starts at once.
    static func exportCSV(_ web: Web, _ request: Request, _ context: WebContext) async throws -> Response {
        let (companyID, _) = try context.requireRole()
        let search = Search(queryParams(request), lang: .fr)
        let ids = try await Invoices.allIDs(web.database, companyID: companyID, search.query)
        let database = web.database
        let otherParty = search.tab == .received ? "Fournisseur" : "Client"
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"factures-\(search.tab.rawValue).csv\""
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var head = "\u{FEFF}"
            head += ["Numéro", "Type", "Date", "Échéance", otherParty, "SIREN", "Devise",
                     "Total HT", "TVA", "Total TTC", "Payé", "Reste dû", "Statut"].joined(separator: ";") + "\r\n"
            try await writer.write(ByteBuffer(string: head))
            var start = ids.startIndex
            while start < ids.endIndex {
                let end = min(start + 500, ids.endIndex)
                let views = try await Invoices.views(database, companyID: companyID, ids: ids[start..<end])
                try await writer.write(ByteBuffer(string: views.map(csvLine).joined()))
                start = end
            }
            try await writer.finish(nil)
        })
    }

    static func csvLine(_ v: InvoiceView) -> String {
        func field(_ s: String) -> String {
            // Quote when needed; a leading = + - @ is neutralised so that a spreadsheet never runs it as a formula.
            var t = s
            if let f = t.first, "=+-@".contains(f), Decimal(string: t) == nil { t = "'" + t }
            if t.contains(";") || t.contains("\"") || t.contains("\n") || t.contains("\r") { return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            return t
        }
        func amount(_ s: String) -> String { s.replacingOccurrences(of: ".", with: ",") }
        let other = v.direction == .sent ? v.buyer : v.seller
        let fields = [v.number ?? "Brouillon", InvoiceFormat.typeLabel(v.typeCode, lang: .fr), InvoiceFormat.date(v.issueDate, lang: .fr),
                      InvoiceFormat.date(v.dueDate, lang: .fr), other.name, other.siren ?? "", v.currency,
                      amount(v.totals.withoutVAT), amount(v.totals.vat), amount(v.totals.withVAT), amount(v.totals.paid), amount(v.totals.outstanding),
                      v.state == .draft ? "Brouillon" : (v.status?.label ?? "")]
        return fields.map(field).joined(separator: ";") + "\r\n"
    }

    // MARK: Routes

    static func register(on web: Web) {
        I18n.register(entryTexts)
        I18n.register(viewTexts)
        web.get(.invoices) { request, context in try await list(web, request, context) }
        web.get(.invoicesExport) { request, context in try await exportCSV(web, request, context) }
        registerEntry(on: web)
        registerDeposit(on: web)
        registerView(on: web)
    }
}
