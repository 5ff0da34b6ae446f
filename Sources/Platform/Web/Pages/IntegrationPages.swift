import Foundation
import Hummingbird

extension WebRoute {
    static let integrations = WebRoute.custom("/societe/integrations")
    static let tokenCreate = WebRoute.custom("/societe/integrations/jetons")
    static func tokenRevoke(id: String) -> WebRoute { .custom("/societe/integrations/jetons/\(escape(id))/revoquer") }
    static let webhookCreate = WebRoute.custom("/societe/integrations/webhooks")
    static func webhookDelete(id: String) -> WebRoute { .custom("/societe/integrations/webhooks/\(escape(id))/supprimer") }
    static func notificationTemplate(kind: String) -> WebRoute { .custom("/societe/integrations/emails/\(escape(kind))") }
    static let myNotifications = WebRoute.custom("/mes-notifications")
}

/// Integrations (managers): API tokens for billing software (shown once, revocable), webhooks (secret
/// shown once), and the wording of the notification emails with a preview. And, for everyone, how they
/// want to be told of invoice events (immediately, a daily digest, or not at all).
enum IntegrationPages: WebModule {
    static let texts: [String: L10n] = [
        "int_title": L10n("Intégrations et notifications", "Integrations and notifications"),
        "int_intro": L10n("Reliez votre logiciel de facturation à Facteur et choisissez ce que disent les emails envoyés à vos clients.",
                          "Connect your billing software to Facteur and choose what the emails to your clients say."),
        "int_tokens": L10n("Jetons d'API", "API tokens"),
        "int_tokens_help": L10n("Un logiciel s'authentifie avec « Authorization: Bearer <jeton> ». Le jeton n'est affiché qu'une fois : copiez-le.",
                                "Software authenticates with “Authorization: Bearer <token>”. The token is shown once: copy it."),
        "int_name": L10n("Nom", "Name"), "int_role": L10n("Rôle", "Role"), "int_created": L10n("Créé le", "Created"),
        "int_state": L10n("État", "State"), "int_active": L10n("actif", "active"), "int_revoked": L10n("révoqué", "revoked"),
        "int_revoke": L10n("Révoquer", "Revoke"), "int_create_token": L10n("Créer un jeton", "Create a token"),
        "int_new_token": L10n("Votre nouveau jeton (il ne sera plus affiché) :", "Your new token (it will not be shown again):"),
        "int_webhooks": L10n("Webhooks", "Webhooks"),
        "int_webhooks_help": L10n("Chaque changement de statut d'une de vos factures est envoyé (POST JSON) à ces adresses, signé (en-tête Facteur-Signature, HMAC-SHA256) et renvoyé avec un délai croissant tant qu'il n'est pas accepté.",
                                  "Every status change of one of your invoices is POSTed (JSON) to these addresses, signed (Facteur-Signature header, HMAC-SHA256) and retried with growing delays until accepted."),
        "int_url": L10n("Adresse (URL)", "Address (URL)"), "int_add_webhook": L10n("Ajouter le webhook", "Add the webhook"),
        "int_new_secret": L10n("Secret de signature de ce webhook (il ne sera plus affiché) :", "This webhook's signing secret (it will not be shown again):"),
        "int_delete": L10n("Supprimer", "Delete"), "int_deliveries": L10n("Derniers envois", "Recent deliveries"),
        "int_emails": L10n("Emails de notification", "Notification emails"),
        "int_emails_help": L10n("Modèles Mustache. Si un modèle ne peut pas être rendu, le texte par défaut est envoyé.",
                                "Mustache templates. When a template cannot be rendered, the default text is sent."),
        "int_subject": L10n("Objet", "Subject"), "int_body": L10n("Texte", "Body"), "int_variables": L10n("Variables disponibles", "Available variables"),
        "int_preview": L10n("Prévisualiser", "Preview"), "int_save": L10n("Enregistrer", "Save"), "int_reset": L10n("Rétablir le texte par défaut", "Restore the default text"),
        "int_custom": L10n("personnalisé", "customised"), "int_default": L10n("par défaut", "default"),
        "int_kind_received": L10n("Nouvelle facture reçue (envoyé à vos clients sur Facteur)", "New invoice received (sent to your clients on Facteur)"),
        "int_kind_status": L10n("Changement de statut (envoyé à l'autre partie)", "Status change (sent to the other party)"),
        "int_my": L10n("Mes notifications", "My notifications"),
        "int_my_help": L10n("Comment être prévenu(e) des factures reçues et des changements de statut.", "How you are told of received invoices and status changes."),
        "int_mode": L10n("Envoi", "Delivery"), "int_mode_save": L10n("Enregistrer mon choix", "Save my choice"),
    ]

    static func modeOptions(_ context: WebContext, selected: Notifications.Mode) -> [[String: Any]] {
        [(Notifications.Mode.immediate, "À chaque évènement", "On every event"), (.digest, "Un résumé par jour", "One daily digest"), (.none, "Aucun email", "No email")]
            .map { ["value": $0.0.rawValue, "label": context.pick(fr: $0.1, en: $0.2), "selected": $0.0 == selected] }
    }

    static func render(_ web: Web, _ context: WebContext, newToken: String? = nil, newSecret: String? = nil,
                       preview: (kind: String, subject: String, body: String, error: String?)? = nil,
                       drafts: [String: Notifications.Template] = [:], errors: [String: String] = [:],
                       status: HTTPResponse.Status = .ok) async throws -> Response {
        let (companyID, _) = try context.requireRole()
        let tokens = try await APITokens.list(web.database, companyID: companyID)
        let hooks = try await Webhooks.list(web.database, companyID: companyID)
        var hookModels: [[String: Any]] = []
        for h in hooks where h.active {
            let deliveries = try await Webhooks.deliveries(web.database, companyID: companyID, webhookID: h.id, limit: 5)
            hookModels.append(["url": h.url, "created": InvoiceFormat.dateTime(h.createdAt, lang: context.lang), "deleteAction": WebRoute.webhookDelete(id: h.id).path,
                               "deliveries": deliveries.map { d -> [String: Any] in
                                   ["event": d.event, "status": d.status, "attempts": d.attempts, "error": d.last_error ?? "",
                                    "at": InvoiceFormat.dateTime(d.created_at, lang: context.lang)]
                               }, "hasDeliveries": !deliveries.isEmpty])
        }
        var templates: [[String: Any]] = []
        for kind in Notifications.Kind.allCases {
            let (saved, custom) = try await Notifications.customTemplate(web.database, companyID: companyID, kind: kind)
            let shown = drafts[kind.rawValue] ?? saved
            var model: [String: Any] = ["kind": kind.rawValue, "label": context.t("int_kind_\(kind.rawValue)"), "subject": shown.subject, "body": shown.body,
                                        "custom": custom, "action": WebRoute.notificationTemplate(kind: kind.rawValue).path,
                                        "subjectId": "subject-\(kind.rawValue)", "bodyId": "body-\(kind.rawValue)"]
            if let error = errors[kind.rawValue] { model["error"] = error }
            if let preview, preview.kind == kind.rawValue {
                if let e = preview.error { model["error"] = e } else { model["preview"] = ["subject": preview.subject, "body": preview.body] }
            }
            templates.append(model)
        }
        let mode = try await Notifications.mode(web.database, companyID: companyID, userID: context.user?.id ?? "")
        let model: [String: Any] = [
            "tokens": tokens.map { t -> [String: Any] in
                ["name": t.name, "role": context.pick(fr: t.role.frenchName, en: t.role.englishName), "created": InvoiceFormat.dateTime(t.createdAt, lang: context.lang),
                 "revoked": t.revokedAt != nil, "revokeAction": WebRoute.tokenRevoke(id: t.id).path]
            },
            "hasTokens": !tokens.isEmpty, "newToken": newToken ?? "", "hasNewToken": newToken != nil,
            "tokenAction": WebRoute.tokenCreate.path, "roleOptions": UsersPages.roleOptions(context.lang).map { ["value": $0.value, "label": $0.label] },
            "hooks": hookModels, "hasHooks": !hookModels.isEmpty, "newSecret": newSecret ?? "", "hasNewSecret": newSecret != nil,
            "hookAction": WebRoute.webhookCreate.path, "hookError": errors["url"] ?? "", "hasHookError": errors["url"] != nil,
            "templates": templates,
            "variables": Notifications.variables.sorted { $0.key < $1.key }.map { ["name": "{{\($0.key)}}", "meaning": $0.value] },
            "modeAction": WebRoute.myNotifications.path, "modeOptions": modeOptions(context, selected: mode),
        ]
        return web.page("integrations", title: context.t("int_title"), model: model, context: context, status: status, current: .company)
    }

    static func register(on web: Web) {
        web.get(.integrations, access: .manager) { _, context in try await render(web, context) }

        web.post(.tokenCreate, access: .manager) { _, context in
            let (companyID, _) = try context.requireRole()
            let name = (context.form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let role = Role(rawValue: context.form["role"] ?? "") ?? .issuer
            let created = try await APITokens.create(web.database, companyID: companyID, name: name.isEmpty ? "jeton" : String(name.prefix(80)),
                                                     actor: context.actor, ip: context.remoteAddress)
            if role != .manager {
                try await APITokens.setRole(web.database, companyID: companyID, tokenID: created.id, role: role, actor: context.actor, ip: context.remoteAddress)
            }
            // Shown in this response only: it is stored hashed and never again readable.
            return try await render(web, context, newToken: created.token)
        }

        web.post(.custom("/societe/integrations/jetons/:id/revoquer"), access: .manager) { _, context in
            let (companyID, _) = try context.requireRole()
            try await APITokens.revoke(web.database, companyID: companyID, tokenID: try context.parameters.require("id"), actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(.integrations, flash: context.flashText(fr: "Jeton révoqué : les appels qui l'utilisent sont refusés dès maintenant.",
                                                                                  en: "Token revoked: calls using it are refused from now on."), context: context)
        }

        web.post(.webhookCreate, access: .manager) { _, context in
            let (companyID, _) = try context.requireRole()
            do {
                let hook = try await Webhooks.create(web.database, companyID: companyID, url: context.form["url"] ?? "", actor: context.actor, ip: context.remoteAddress)
                return try await render(web, context, newSecret: hook.secret)
            } catch PlatformError.validation(let errors) {
                return try await render(web, context, errors: ["url": errors.map { context.pick(fr: $0.fr, en: $0.en) }.joined(separator: " ")],
                                        status: .unprocessableContent)
            }
        }

        web.post(.custom("/societe/integrations/webhooks/:id/supprimer"), access: .manager) { _, context in
            let (companyID, _) = try context.requireRole()
            try await Webhooks.delete(web.database, companyID: companyID, id: try context.parameters.require("id"), actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(.integrations, flash: context.flashText(fr: "Webhook supprimé : plus rien n'y sera envoyé.",
                                                                                  en: "Webhook deleted: nothing more will be sent to it."), context: context)
        }

        web.post(.custom("/societe/integrations/emails/:kind"), access: .manager) { _, context in
            let (companyID, _) = try context.requireRole()
            guard let kind = Notifications.Kind(rawValue: try context.parameters.require("kind")) else { throw PlatformError.notFound(what: "template") }
            let draft = Notifications.Template(subject: context.form["subject"] ?? "", body: context.form["body"] ?? "")
            switch context.form["action"] {
            case "preview":
                let p = Notifications.preview(draft)
                return try await render(web, context, preview: (kind.rawValue, p.subject, p.body, p.error), drafts: [kind.rawValue: draft])
            case "reset":
                try await Notifications.setTemplate(web.database, companyID: companyID, kind: kind, nil, actor: context.actor, ip: context.remoteAddress)
                return try await web.redirect(.integrations, flash: context.flashText(fr: "Texte par défaut rétabli.", en: "Default text restored."), context: context)
            default:
                do {
                    try await Notifications.setTemplate(web.database, companyID: companyID, kind: kind, draft, actor: context.actor, ip: context.remoteAddress)
                } catch PlatformError.validation(let errors) {
                    return try await render(web, context, drafts: [kind.rawValue: draft],
                                            errors: [kind.rawValue: errors.map { context.pick(fr: $0.fr, en: $0.en) }.joined(separator: " ")],
                                            status: .unprocessableContent)
                }
                return try await web.redirect(.integrations, flash: context.flashText(fr: "Modèle enregistré : les prochains emails l'utiliseront.",
                                                                                      en: "Template saved: the next emails will use it."), context: context)
            }
        }

        web.get(.myNotifications) { _, context in
            let m = try context.requireMembership()
            let mode = try await Notifications.mode(web.database, companyID: m.companyID, userID: context.user?.id ?? "")
            return web.page("my-notifications", title: context.t("int_my"),
                            model: ["modeAction": WebRoute.myNotifications.path, "modeOptions": modeOptions(context, selected: mode)], context: context)
        }

        web.post(.myNotifications) { _, context in
            let m = try context.requireMembership()
            guard let mode = Notifications.Mode(rawValue: context.form["mode"] ?? ""), let user = context.user else {
                return try await web.redirect(.myNotifications, flash: FlashMessage(.error, context.pick(fr: "Choix inconnu.", en: "Unknown choice.")), context: context)
            }
            try await Notifications.setMode(web.database, companyID: m.companyID, userID: user.id, mode)
            let text: (String, String) = mode == .immediate ? ("Vous serez prévenu(e) à chaque évènement.", "You will be told of every event.")
                : mode == .digest ? ("Vous recevrez un résumé chaque jour à 18 h.", "You will receive a digest every day at 6 pm.")
                : ("Vous ne recevrez plus d'email sur les factures.", "You will no longer receive invoice emails.")
            return try await web.redirect(.myNotifications, flash: context.flashText(fr: text.0, en: text.1), context: context)
        }
    }
}
