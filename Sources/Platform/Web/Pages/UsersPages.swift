import Foundation
import Hummingbird

extension WebRoute {
    static let usersInvite = WebRoute.custom("/utilisateurs/invitations")
    static func usersInvitationRevoke(id: String) -> WebRoute { .custom("/utilisateurs/invitations/\(escape(id))/annuler") }
    static func userRole(id: String) -> WebRoute { .custom("/utilisateurs/\(escape(id))/role") }
    static func userRemove(id: String) -> WebRoute { .custom("/utilisateurs/\(escape(id))/retirer") }
    static let invitationAccept = WebRoute.custom("/invitations/accepter")
}

/// Mes utilisateurs (managers): who has access, with which role; invitations by email; removing
/// access. And the page where an invited person accepts.
enum UsersPages: WebModule {
    static let texts: [String: L10n] = [
        "users_title": L10n("Mes utilisateurs", "My users"),
        "users_intro": L10n("Les personnes qui ont accès à la société, et ce qu'elles peuvent faire.", "The people who can access the company, and what they can do."),
        "users_roles_help": L10n("Gestionnaire : tout, dont la société et les utilisateurs. Émetteur : factures et clients. Valideur : valide les factures reçues. Lecteur : consultation seule.",
                                 "Manager: everything, including the company and users. Issuer: invoices and clients. Approver: approves received invoices. Viewer: read only."),
        "users_members": L10n("Utilisateurs", "Users"),
        "users_name": L10n("Nom", "Name"),
        "users_email": L10n("Adresse électronique", "Email address"),
        "users_role": L10n("Rôle", "Role"),
        "users_actions": L10n("Actions", "Actions"),
        "users_principal": L10n("gestionnaire principal", "principal manager"),
        "users_you": L10n("vous", "you"),
        "users_change_role": L10n("Changer le rôle", "Change role"),
        "users_remove": L10n("Retirer l'accès", "Remove access"),
        "users_invite": L10n("Inviter une personne", "Invite someone"),
        "users_invite_submit": L10n("Envoyer l'invitation", "Send the invitation"),
        "users_invite_hint": L10n("Elle reçoit un lien valable 7 jours, utilisable une fois.", "They receive a link valid for 7 days, usable once."),
        "users_pending": L10n("Invitations en attente", "Pending invitations"),
        "users_expires": L10n("Expire le", "Expires on"),
        "users_revoke": L10n("Annuler", "Cancel"),
        "users_invitation_title": L10n("Invitation", "Invitation"),
        "users_invitation_join": L10n("Rejoindre la société", "Join the company"),
        "users_invitation_create": L10n("Créer mon compte et rejoindre la société", "Create my account and join"),
        "users_invitation_login": L10n("Se connecter pour accepter", "Sign in to accept"),
        "users_full_name": L10n("Prénom et nom", "First and last name"),
        "users_password": L10n("Mot de passe", "Password"),
        "users_password_hint": L10n("12 caractères au moins.", "At least 12 characters."),
    ]

    static func roleOptions(_ lang: Lang) -> [(value: String, label: String)] {
        Role.allCases.map { ($0.rawValue, lang.pick(fr: $0.frenchName, en: $0.englishName)) }
    }

    static func render(_ web: Web, _ context: WebContext, inviteForm: FormState? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (companyID, _) = try context.requireRole()
        let members = try await Users.members(web.database, companyID: companyID)
        let invitations = try await Users.invitations(web.database, companyID: companyID)
        let form = inviteForm ?? FormState(values: ["role": Role.issuer.rawValue])
        let options = roleOptions(context.lang)
        let dates = DateFormatter()
        dates.dateStyle = .medium
        dates.timeStyle = .none
        dates.locale = Locale(identifier: context.lang == .fr ? "fr_FR" : "en_GB")
        func day(_ iso: String) -> String { ISO8601DateFormatter().date(from: iso).map(dates.string(from:)) ?? iso }
        let model: [String: Any] = [
            "members": members.map { m -> [String: Any] in
                ["name": m.fullName, "email": m.email, "isPrincipal": m.isPrincipal, "isSelf": m.userID == context.user?.id,
                 "roleLabel": context.pick(fr: m.role.frenchName, en: m.role.englishName), "since": day(m.since),
                 "roleSelectId": "role-\(m.userID)",
                 "roleOptions": options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == m.role.rawValue] },
                 "roleAction": WebRoute.userRole(id: m.userID).path, "removeAction": WebRoute.userRemove(id: m.userID).path]
            },
            "invitations": invitations.map { i -> [String: Any] in
                ["email": i.email, "roleLabel": context.pick(fr: i.role.frenchName, en: i.role.englishName), "expires": day(i.expiresAt),
                 "revokeAction": WebRoute.usersInvitationRevoke(id: i.id).path]
            },
            "hasInvitations": !invitations.isEmpty,
            "inviteAction": WebRoute.usersInvite.path,
            "invite": ["form": form.model, "fields": [
                FieldSpec(id: "email", label: context.t("users_email"), hint: context.t("users_invite_hint"), type: "email", required: true, autocomplete: "off"),
                FieldSpec(id: "role", label: context.t("users_role"), required: true, options: options),
            ].models(form)],
        ]
        return web.page("users", title: context.t("users_title"), model: model, context: context, status: status, current: .users)
    }

    static func register(on web: Web) {
        web.get(.users, access: .manager) { _, context in try await render(web, context) }

        web.post(.usersInvite, access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            var form = FormState(values: context.form)
            do {
                let invited = try await Users.invite(web.database, companyID: companyID, actorRole: role, email: context.form["email"] ?? "",
                                                     role: Role(rawValue: context.form["role"] ?? ""), actor: context.actor, ip: context.remoteAddress)
                try await InvitationMail.send(web.database, invited, companyID: companyID, inviter: context.user?.fullName,
                                              baseURL: web.configuration.baseURL, lang: context.lang)
                return try await web.redirect(.users, flash: context.flashText(fr: "Invitation envoyée à \(invited.invitation.email).",
                                                                               en: "Invitation sent to \(invited.invitation.email)."), context: context)
            } catch PlatformError.validation(let errors) {
                form.add(errors, lang: context.lang)
            } catch PlatformError.conflict(let field, let fr, let en) {
                form.add(field, context.pick(fr: fr, en: en))
            }
            return try await render(web, context, inviteForm: form, status: .unprocessableContent)
        }

        web.post(.custom("/utilisateurs/invitations/:id/annuler"), access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            try await Users.revokeInvitation(web.database, companyID: companyID, actorRole: role, id: try context.parameters.require("id"),
                                             actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(.users, flash: context.flashText(fr: "Invitation annulée : son lien ne fonctionne plus.",
                                                                           en: "Invitation cancelled: its link no longer works."), context: context)
        }

        web.post(.custom("/utilisateurs/:id/role"), access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            guard let newRole = Role(rawValue: context.form["role"] ?? "") else {
                return try await web.redirect(.users, flash: FlashMessage(.error, context.pick(fr: "Rôle inconnu.", en: "Unknown role.")), context: context)
            }
            do {
                let m = try await Users.changeRole(web.database, companyID: companyID, actorRole: role, userID: try context.parameters.require("id"),
                                                   to: newRole, actor: context.actor, ip: context.remoteAddress)
                return try await web.redirect(.users, flash: context.flashText(fr: "\(m.fullName) est maintenant \(m.role.frenchName.lowercased()).",
                                                                               en: "\(m.fullName) is now \(m.role.englishName.lowercased())."), context: context)
            } catch PlatformError.validation(let errors) {
                let text = errors.map { context.pick(fr: $0.fr, en: $0.en) }.joined(separator: " ")
                return try await web.redirect(.users, flash: FlashMessage(.error, text), context: context)
            }
        }

        web.post(.custom("/utilisateurs/:id/retirer"), access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            let userID = try context.parameters.require("id")
            let m = try await Users.member(web.database, companyID: companyID, userID: userID)
            do {
                try await Users.remove(web.database, companyID: companyID, actorRole: role, userID: userID, actor: context.actor, ip: context.remoteAddress)
            } catch PlatformError.conflict(_, let fr, let en) {
                return try await web.redirect(.users, flash: FlashMessage(.error, context.pick(fr: fr, en: en)), context: context)
            }
            return try await web.redirect(.users, flash: context.flashText(fr: "\(m.fullName) n'a plus accès à la société.",
                                                                           en: "\(m.fullName) no longer has access to the company."), context: context)
        }

        web.get(.invitationAccept, access: .visitor) { request, context in
            let token = request.uri.queryParameters["token"].map(String.init) ?? ""
            return try await acceptPage(web, context, token: token, form: FormState())
        }

        web.post(.invitationAccept, access: .visitor) { request, context in
            let token = context.form["token"] ?? ""
            do {
                let newAccount = context.user == nil ? Users.NewAccount(fullName: context.form["fullName"] ?? "", password: context.form["password"] ?? "") : nil
                let (userID, companyID) = try await Users.accept(web.database, token: token, actingUserID: context.user?.id, newAccount: newAccount,
                                                                 ip: context.remoteAddress)
                let flash = context.flashText(fr: "Bienvenue : vous avez rejoint la société.", en: "Welcome: you have joined the company.")
                if context.user == nil {
                    let cookie = try await web.signIn(userID: userID, companyID: companyID, request: request, context: context, flash: flash)
                    var response = Web.seeOther(WebRoute.dashboard.path)
                    response.setCookie(cookie)
                    return response
                }
                if let session = context.session { try await Sessions.setCompany(web.database, id: session.id, companyID: companyID) }
                return try await web.redirect(.dashboard, flash: flash, context: context)
            } catch PlatformError.validation(let errors) {
                var form = FormState(values: ["fullName": context.form["fullName"] ?? ""])
                form.add(errors, lang: context.lang)
                return try await acceptPage(web, context, token: token, form: form, status: .unprocessableContent)
            } catch let problem as InvitationProblem {
                return try await acceptPage(web, context, token: token, form: FormState(), problem: problem)
            }
        }
    }

    static func acceptPage(_ web: Web, _ context: WebContext, token: String, form: FormState, problem: InvitationProblem? = nil,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let preview: InvitationPreview
        do {
            if let problem { throw problem }
            preview = try await Users.preview(web.database, token: token)
        } catch let p as InvitationProblem {
            let loginHref = WebRoute.login.path(query: [("next", WebRoute.invitationAccept.path(query: [("token", token)]))])
            if case .loginRequired = p {
                return web.page("users-invitation", title: context.t("users_invitation_title"),
                                model: ["message": context.pick(fr: p.fr, en: p.en), "loginHref": loginHref, "showLogin": true], context: context, status: .ok)
            }
            let code: HTTPResponse.Status = p == .unknown ? .notFound : (p == .expired || p == .used || p == .revoked ? .gone : .forbidden)
            return web.page("users-invitation", title: context.t("users_invitation_title"),
                            model: ["message": context.pick(fr: p.fr, en: p.en), "isProblem": true], context: context, status: code)
        }
        let i = preview.invitation
        let role = context.pick(fr: i.role.frenchName.lowercased(), en: i.role.englishName.lowercased())
        var model: [String: Any] = [
            "intro": context.pick(fr: "La société \(preview.companyName) vous invite à la rejoindre sur Facteur, avec le rôle « \(role) ».",
                                  en: "\(preview.companyName) invites you to join it on Facteur as “\(role)”."),
            "email": i.email, "token": token, "action": WebRoute.invitationAccept.path, "form": form.model,
        ]
        if let user = context.user {
            if user.email.lowercased() == i.email {
                model["joinExisting"] = true
            } else {
                let p = InvitationProblem.wrongAccount(email: i.email)
                model["message"] = context.pick(fr: p.fr, en: p.en)
                model["isProblem"] = true
            }
        } else if preview.userExists {
            let p = InvitationProblem.loginRequired(email: i.email)
            model["message"] = context.pick(fr: p.fr, en: p.en)
            model["showLogin"] = true
            model["loginHref"] = WebRoute.login.path(query: [("next", WebRoute.invitationAccept.path(query: [("token", token)]))])
        } else {
            model["createAccount"] = true
            model["fields"] = [
                FieldSpec(id: "fullName", label: context.t("users_full_name"), required: true, autocomplete: "name"),
                FieldSpec(id: "password", label: context.t("users_password"), hint: context.t("users_password_hint"), type: "password",
                          required: true, autocomplete: "new-password"),
            ].models(form)
        }
        return web.page("users-invitation", title: context.t("users_invitation_title"), model: model, context: context, status: status)
    }
}
