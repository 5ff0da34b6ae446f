import Foundation
import Hummingbird

/// Mon tableau de bord: what needs doing (drafts, invoices awaiting a decision), what was issued and
/// received, what clients owe (and what is overdue), the latest invoices; and a start guide for a new company.
enum DashboardPages: WebModule {
    static let texts: [String: L10n] = [
        "dashboard_title": L10n("Mon tableau de bord", "My dashboard"),
        "dashboard_welcome": L10n("Bonjour", "Hello"),
        "dashboard_intro": L10n("Vous agissez pour", "You are acting for"),
        "dashboard_role": L10n("Votre rôle", "Your role"),
        "dashboard_principal": L10n("gestionnaire principal", "principal manager"),
        "dashboard_next": L10n("Pour commencer", "Getting started"),
        "dashboard_step_company": L10n("Complétez les informations de votre société (adresse, IBAN, mentions légales).",
                                       "Complete your company's details (address, IBAN, legal notices)."),
        "dashboard_step_clients": L10n("Ajoutez vos clients, ou importez-les depuis un fichier CSV.", "Add your clients, or import them from a CSV file."),
        "dashboard_step_users": L10n("Invitez vos collaborateurs.", "Invite your colleagues."),
        "dashboard_step_invoices": L10n("Saisissez votre première facture.", "Type your first invoice."),
        "dashboard_drafts": L10n("Brouillons", "Drafts"),
        "dashboard_awaiting": L10n("En attente de votre action", "Awaiting your action"),
        "dashboard_awaiting_detail": L10n("reçues à traiter, émises suspendues", "received to handle, issued suspended"),
        "dashboard_issued": L10n("Émises", "Issued"),
        "dashboard_received": L10n("Reçues", "Received"),
        "dashboard_refused": L10n("Refusées / rejetées", "Refused / rejected"),
        "dashboard_collected": L10n("Encaissées", "Collected"),
        "dashboard_outstanding": L10n("Reste à encaisser", "Outstanding"),
        "dashboard_overdue": L10n("Dont échu", "Of which overdue"),
        "dashboard_latest": L10n("Dernières factures", "Latest invoices"),
        "dashboard_none": L10n("Aucune facture pour l'instant.", "No invoice yet."),
        "dashboard_see_all": L10n("Voir toutes mes factures", "See all my invoices"),
    ]

    static func roleName(_ role: String, _ lang: Lang) -> String {
        switch role {
        case "manager": return lang.pick(fr: "gestionnaire", en: "manager")
        case "issuer": return lang.pick(fr: "émetteur", en: "issuer")
        case "approver": return lang.pick(fr: "valideur", en: "approver")
        case "viewer": return lang.pick(fr: "lecteur", en: "viewer")
        default: return role
        }
    }

    static func register(on web: Web) {
        web.get(.dashboard) { _, context in
            let m = try context.requireMembership()
            let user = try context.requireUser()
            let lang = context.lang
            let s = try await Dashboard.summary(web.database, companyID: m.companyID, today: Invoices.today())
            let latest = try await Dashboard.latest(web.database, companyID: m.companyID)
            func list(_ tab: String, _ extra: [(String, String)] = []) -> String {
                WebRoute.invoices.path(query: [("onglet", tab)] + extra)
            }
            // The « awaiting » link opens the side that has work; received decisions come first.
            let awaitingHref = s.receivedAwaiting > 0 || s.sentSuspended == 0
                ? list("recues", [("statut", "203,204,209")]) : list("emises", [("statut", "208")])
            let counts: [[String: Any]] = [
                ["key": "drafts", "label": context.t("dashboard_drafts"), "value": s.drafts, "href": list("brouillons")],
                ["key": "awaiting", "label": context.t("dashboard_awaiting"), "value": s.awaitingAction, "href": awaitingHref,
                 "detail": lang.pick(fr: "\(s.receivedAwaiting) reçue\(s.receivedAwaiting > 1 ? "s" : "") à traiter, \(s.sentSuspended) émise\(s.sentSuspended > 1 ? "s" : "") suspendue\(s.sentSuspended > 1 ? "s" : "")",
                                     en: "\(s.receivedAwaiting) received to handle, \(s.sentSuspended) issued suspended"),
                 "highlight": s.awaitingAction > 0],
                ["key": "issued", "label": context.t("dashboard_issued"), "value": s.issued, "href": list("emises")],
                ["key": "received", "label": context.t("dashboard_received"), "value": s.received, "href": list("recues")],
                ["key": "refused", "label": context.t("dashboard_refused"), "value": s.refusedOrRejected, "href": list("emises", [("statut", "210,213")])],
                ["key": "collected", "label": context.t("dashboard_collected"), "value": s.collected, "href": list("emises", [("statut", "212")])],
            ]
            let model: [String: Any] = [
                "fullName": user.fullName, "companyName": m.companyName, "siret": m.siret,
                "role": m.isPrincipal ? context.t("dashboard_principal") : roleName(m.role, lang),
                "isManager": context.isManager, "counts": counts,
                "outstanding": InvoiceFormat.money(s.outstanding, currency: "EUR", lang: lang),
                "outstandingDetail": lang.pick(fr: "\(s.outstandingCount) facture\(s.outstandingCount > 1 ? "s" : "") émise\(s.outstandingCount > 1 ? "s" : "") non soldée\(s.outstandingCount > 1 ? "s" : "")",
                                               en: "\(s.outstandingCount) issued invoice\(s.outstandingCount == 1 ? "" : "s") not settled"),
                "overdue": InvoiceFormat.money(s.overdue, currency: "EUR", lang: lang), "hasOverdue": s.overdue > 0,
                "overdueDetail": lang.pick(fr: "\(s.overdueCount) facture\(s.overdueCount > 1 ? "s" : "") à l'échéance dépassée",
                                           en: "\(s.overdueCount) invoice\(s.overdueCount == 1 ? "" : "s") past due"),
                "latest": latest.map { InvoicePages.row(view: $0, lang: lang) }, "hasLatest": !latest.isEmpty,
                "isNew": s.drafts + s.issued + s.received == 0,
                "companyHref": WebRoute.company.path, "clientsHref": WebRoute.clients.path,
                "usersHref": WebRoute.users.path, "invoicesHref": WebRoute.invoices.path, "newInvoiceHref": WebRoute.invoiceNew.path,
                "depositHref": WebRoute.invoiceDeposit.path,
            ]
            return web.page("dashboard", title: context.t("dashboard_title"), model: model, context: context, current: .dashboard)
        }
    }
}

/// The local mailbox (`/dev/mail`): the emails of an installation without a mail server, readable
/// in demo mode or when the server only listens on the loopback interface.
enum DevMailPages: WebModule {
    static let texts: [String: L10n] = [
        "devmail_title": L10n("Boîte aux lettres locale", "Local mailbox"),
        "devmail_intro": L10n("Aucun serveur de messagerie n'est configuré : les messages que Facteur enverrait sont visibles ici (mode démonstration).",
                              "No mail server is configured: the emails Facteur would send are shown here (demo mode)."),
        "devmail_empty": L10n("Aucun message pour l'instant.", "No message yet."),
        "devmail_to": L10n("À", "To"),
        "devmail_status": L10n("État", "Status"),
        "devmail_date": L10n("Date", "Date"),
    ]

    static func register(on web: Web) {
        web.get(.devMail, access: .visitor) { _, context in
            guard web.configuration.showsLocalMailbox else { throw HTTPError(.notFound) }
            let messages = try await web.outbox.recent().map { r -> [String: Any] in
                ["id": r.id, "to": r.toAddress, "subject": r.subject, "text": r.textBody, "status": statusLabel(r, context.lang), "createdAt": r.createdAt,
                 "links": links(in: r.textBody).map { ["href": $0] }]
            }
            return web.page("dev-mail", title: context.t("devmail_title"), model: ["messages": messages, "empty": messages.isEmpty], context: context)
        }
    }

    static func statusLabel(_ r: OutboxRecord, _ lang: Lang) -> String {
        switch r.status {
        case .sent: return lang.pick(fr: "remis", en: "delivered")
        case .pending: return lang.pick(fr: "en attente (\(r.attempts) tentative(s))", en: "waiting (\(r.attempts) attempt(s))")
        case .failed: return lang.pick(fr: "abandonné : \(r.lastError ?? "")", en: "given up: \(r.lastError ?? "")")
        }
    }

    /// The http(s) links of a plain-text email, to make them clickable.
    static func links(in text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).map(String.init).filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
    }
}
