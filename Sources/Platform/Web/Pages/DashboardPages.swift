import Foundation
import Hummingbird

/// Mon tableau de bord (a welcome for now) and Mes factures (coming with the invoices).
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
        "dashboard_step_invoices": L10n("Émettez vos factures électroniques (bientôt).", "Issue your e-invoices (soon)."),
        "invoices_title": L10n("Mes factures", "My invoices"),
        "invoices_soon": L10n("L'émission et la réception des factures arrivent bientôt sur Facteur.",
                              "Issuing and receiving invoices are coming soon to Facteur."),
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
            return web.page("dashboard", title: context.t("dashboard_title"),
                            model: ["fullName": user.fullName, "companyName": m.companyName, "siret": m.siret,
                                    "role": m.isPrincipal ? context.t("dashboard_principal") : roleName(m.role, context.lang),
                                    "isManager": context.isManager,
                                    "companyHref": WebRoute.company.path, "clientsHref": WebRoute.clients.path,
                                    "usersHref": WebRoute.users.path, "invoicesHref": WebRoute.invoices.path],
                            context: context, current: .dashboard)
        }
        web.get(.invoices) { _, context in
            web.page("invoices", title: context.t("invoices_title"), context: context, current: .invoices)
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
                ["id": r.id, "to": r.toAddress, "subject": r.subject, "text": r.textBody, "status": r.status.rawValue, "createdAt": r.createdAt,
                 "links": links(in: r.textBody).map { ["href": $0] }]
            }
            return web.page("dev-mail", title: context.t("devmail_title"), model: ["messages": messages, "empty": messages.isEmpty], context: context)
        }
    }

    /// The http(s) links of a plain-text email, to make them clickable.
    static func links(in text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).map(String.init).filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
    }
}
