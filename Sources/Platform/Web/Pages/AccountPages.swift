import Foundation
import Hummingbird

/// Sign-up in two steps, login, logout, password reset, company switch.
enum AccountPages: WebModule {
    static let texts: [String: L10n] = [
        "login_title": L10n("Connexion", "Sign in"),
        "login_intro": L10n("Connectez-vous pour émettre, recevoir et suivre vos factures électroniques.",
                            "Sign in to issue, receive and track your e-invoices."),
        "email": L10n("Adresse électronique", "Email address"),
        "password": L10n("Mot de passe", "Password"),
        "password_hint": L10n("Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner.",
                              "At least 12 characters. A phrase of several words is easy to remember and hard to guess."),
        "password_confirmation": L10n("Confirmez le mot de passe", "Confirm the password"),
        "login_submit": L10n("Se connecter", "Sign in"),
        "forgot_link": L10n("Mot de passe oublié ?", "Forgot your password?"),
        "no_account": L10n("Pas encore de compte ?", "No account yet?"),
        "signup_link": L10n("Inscrire ma société", "Register my company"),
        "signup_title": L10n("Inscrire ma société", "Register my company"),
        "signup_step1": L10n("Étape 1 sur 2 — vérification de votre adresse", "Step 1 of 2 — checking your address"),
        "signup_intro": L10n("Saisissez votre adresse électronique et le SIRET de votre société. Nous vous envoyons un lien pour continuer l'inscription.",
                             "Enter your email address and your company's SIRET. We will send you a link to continue."),
        "siret": L10n("SIRET de la société", "Company SIRET"),
        "siret_hint": L10n("14 chiffres, sur votre extrait Kbis ou l'avis de situation INSEE.", "14 digits, on your registration documents."),
        "signup_submit": L10n("Recevoir le lien d'activation", "Send me the activation link"),
        "have_account": L10n("Déjà inscrit ?", "Already registered?"),
        "signup_sent_title": L10n("Vérifiez votre messagerie", "Check your mailbox"),
        "signup_sent_text": L10n("Si l'adresse est correcte, un message contenant un lien d'activation vient de vous être envoyé. Le lien est valable 24 heures.",
                                 "If the address is right, a message with an activation link is on its way. The link is valid for 24 hours."),
        "signup_sent_spam": L10n("Rien reçu après quelques minutes ? Regardez dans les courriers indésirables, ou recommencez l'inscription.",
                                 "Nothing after a few minutes? Look in your spam folder, or start again."),
        "activate_title": L10n("Finaliser l'inscription", "Complete your registration"),
        "activate_step2": L10n("Étape 2 sur 2 — vous et votre société", "Step 2 of 2 — you and your company"),
        "activate_you": L10n("Vous", "You"),
        "activate_company": L10n("Votre société", "Your company"),
        "activate_existing_user": L10n("Vous avez déjà un compte Facteur avec cette adresse : la société y sera ajoutée, avec votre mot de passe actuel.",
                                       "You already have a Facteur account with this address: the company will be added to it, with your current password."),
        "full_name": L10n("Prénom et nom", "Full name"),
        "company_name": L10n("Raison sociale", "Legal name"),
        "legal_form": L10n("Forme juridique", "Legal form"),
        "legal_form_none": L10n("— Choisir —", "— Choose —"),
        "share_capital": L10n("Capital social (€)", "Share capital (€)"),
        "rcs": L10n("Immatriculation RCS", "Trade register (RCS)"),
        "rcs_hint": L10n("Par exemple : RCS Lyon 842 157 307", "For example: RCS Lyon 842 157 307"),
        "optional": L10n("facultatif", "optional"),
        "principal_note": L10n("Vous serez le gestionnaire principal de la société : vous pourrez inviter vos collaborateurs.",
                               "You will be the company's principal manager: you will be able to invite your colleagues."),
        "activate_submit": L10n("Créer mon compte", "Create my account"),
        "link_expired_title": L10n("Lien expiré ou déjà utilisé", "Link expired or already used"),
        "link_expired": L10n("Ce lien n'est plus valable : il a expiré ou a déjà servi. Vous pouvez en demander un nouveau.",
                             "This link is no longer valid: it has expired or has already been used. You can ask for a new one."),
        "forgot_title": L10n("Mot de passe oublié", "Forgot your password"),
        "forgot_intro": L10n("Saisissez l'adresse de votre compte : nous vous envoyons un lien pour choisir un nouveau mot de passe.",
                             "Enter your account's address: we will send you a link to choose a new password."),
        "forgot_submit": L10n("Envoyer le lien", "Send the link"),
        "forgot_sent": L10n("Si un compte existe avec cette adresse, un lien de réinitialisation vient d'y être envoyé. Il est valable une heure.",
                            "If an account exists with this address, a reset link is on its way. It is valid for one hour."),
        "reset_title": L10n("Nouveau mot de passe", "New password"),
        "reset_submit": L10n("Enregistrer le mot de passe", "Save the password"),
        "reset_done": L10n("Votre mot de passe a été changé. Connectez-vous avec le nouveau.", "Your password has been changed. Sign in with the new one."),
        "back_to_login": L10n("Retour à la connexion", "Back to sign in"),
    ]

    static func register(on web: Web) {
        web.get(.home, access: .visitor) { _, context in
            Web.seeOther(context.user == nil ? WebRoute.login.path : WebRoute.dashboard.path)
        }
        registerLogin(web)
        registerSignUp(web)
        registerPasswordReset(web)
        web.post(.switchCompany) { _, context in
            let wanted = context.form["company"] ?? ""
            guard let session = context.session, context.memberships.contains(where: { $0.companyID == wanted }) else {
                throw WebForbidden(fr: "Vous n'êtes pas membre de cette société.", en: "You are not a member of this company.")
            }
            try await Sessions.setCompany(web.database, id: session.id, companyID: wanted)
            let back = safeNext(context.form["back"]) ?? WebRoute.dashboard.path
            return Web.seeOther(back)
        }
    }

    /// Only paths of this site (no `//host` or `https://…`): a login link cannot send people elsewhere.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\n") else { return nil }
        return next
    }

    // MARK: Login, logout

    static func registerLogin(_ web: Web) {
        @Sendable func loginPage(_ context: WebContext, form: FormState, status: HTTPResponse.Status = .ok) -> Response {
            web.page("login", title: context.t("login_title"),
                     model: ["form": form.model, "action": WebRoute.login.path, "next": form.values["next"] ?? "",
                             "forgotHref": WebRoute.passwordForgot.path, "signupHref": WebRoute.signup.path],
                     context: context, status: status)
        }
        web.get(.login, access: .visitor) { request, context in
            if context.user != nil { return Web.seeOther(WebRoute.dashboard.path) }
            let next = request.uri.queryParameters["next"].map(String.init) ?? ""
            return loginPage(context, form: FormState(values: ["next": safeNext(next) ?? ""]))
        }
        web.post(.login, access: .visitor) { request, context in
            let email = context.form["email"] ?? ""
            var form = FormState(values: ["email": email, "next": safeNext(context.form["next"]) ?? ""])
            if !Companies.isEmail(Accounts.normalize(email)) {
                form.add("email", context.pick(fr: "Saisissez l'adresse électronique de votre compte.", en: "Enter your account's email address."))
            }
            if (context.form["password"] ?? "").isEmpty {
                form.add("password", context.pick(fr: "Saisissez votre mot de passe.", en: "Enter your password."))
            }
            if !form.isValid { return loginPage(context, form: form, status: .unprocessableContent) }
            switch try await Accounts.login(web.database, email: email, password: context.form["password"] ?? "", ip: context.remoteAddress) {
            case .success(let user):
                let companies = try await Accounts.memberships(web.database, userID: user.id)
                let cookie = try await web.signIn(userID: user.id, companyID: companies.first?.companyID, request: request, context: context)
                var response = Web.seeOther(safeNext(context.form["next"]) ?? WebRoute.dashboard.path)
                response.setCookie(cookie)
                return response
            case .wrongCredentials:
                form.add("email", context.pick(fr: "Adresse électronique ou mot de passe incorrect.", en: "Wrong email address or password."))
                return loginPage(context, form: form, status: .unauthorized)
            case .throttled(let minutes):
                form.add("email", context.pick(fr: "Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans \(minutes) minutes ou réinitialisez votre mot de passe.",
                                               en: "Too many failed sign-in attempts. For your security, try again in \(minutes) minutes or reset your password."))
                return loginPage(context, form: form, status: .tooManyRequests)
            }
        }
        web.post(.logout) { request, context in
            if let session = context.session { try await Sessions.delete(web.database, id: session.id) }
            let (token, fresh) = try await Sessions.create(web.database, userID: nil, companyID: nil, ip: context.remoteAddress,
                                                           userAgent: request.headers[.userAgent])
            try await Sessions.addFlash(web.database, id: fresh.id, FlashMessage(.info, context.pick(fr: "Vous êtes déconnecté.", en: "You are signed out.")))
            var response = Web.seeOther(WebRoute.login.path)
            response.setCookie(Web.sessionCookie(token, secure: context.secure))
            return response
        }
    }

    // MARK: Sign-up

    static func registerSignUp(_ web: Web) {
        @Sendable func signupPage(_ context: WebContext, form: FormState, status: HTTPResponse.Status = .ok) -> Response {
            web.page("signup", title: context.t("signup_title"),
                     model: ["form": form.model, "action": WebRoute.signup.path, "loginHref": WebRoute.login.path], context: context, status: status)
        }
        web.get(.signup, access: .visitor) { _, context in signupPage(context, form: FormState()) }
        web.post(.signup, access: .visitor) { _, context in
            let email = context.form["email"] ?? "", siret = context.form["siret"] ?? ""
            let errors = try await Accounts.startSignUp(web.database, outbox: web.outbox, email: email, siret: siret,
                                                        baseURL: web.configuration.baseURL, lang: context.lang)
            if !errors.isEmpty {
                var form = FormState(values: ["email": email, "siret": siret])
                form.add(errors, lang: context.lang)
                return signupPage(context, form: form, status: .unprocessableContent)
            }
            return try await web.redirect(.signupSent, flash: FlashMessage(.success, context.pick(fr: "Lien d'activation envoyé à \(Accounts.normalize(email)).",
                                                                                                  en: "Activation link sent to \(Accounts.normalize(email)).")),
                                          context: context)
        }
        web.get(.signupSent, access: .visitor) { _, context in
            web.page("signup-sent", title: context.t("signup_sent_title"), model: ["loginHref": WebRoute.login.path, "signupHref": WebRoute.signup.path],
                     context: context)
        }
        @Sendable func activatePage(_ context: WebContext, token: String, pending: Accounts.AccountToken, existing: Bool, form: FormState,
                          status: HTTPResponse.Status = .ok) -> Response {
            let chosen = form.values["legalForm"] ?? ""
            return web.page("activate", title: context.t("activate_title"),
                            model: ["form": form.model, "action": WebRoute.activate(token: token).path, "email": pending.email,
                                    "siret": pending.siret ?? "", "existingUser": existing,
                                    "legalForms": Accounts.legalForms.map { ["value": $0, "selected": $0 == chosen] }],
                            context: context, status: status)
        }
        @Sendable func expiredPage(_ context: WebContext) -> Response {
            web.page("link-expired", title: context.t("link_expired_title"),
                     model: ["signupHref": WebRoute.signup.path, "forgotHref": WebRoute.passwordForgot.path, "loginHref": WebRoute.login.path],
                     context: context, status: .gone)
        }
        web.get(.activate(token: ""), access: .visitor) { _, context in
            let token = context.parameters.get("token") ?? ""
            guard let pending = try await Accounts.peekToken(web.database, token, kind: .signup) else { return expiredPage(context) }
            let existing = try await Accounts.user(web.database, email: pending.email) != nil
            return activatePage(context, token: token, pending: pending, existing: existing, form: FormState())
        }
        web.post(.activate(token: ""), access: .visitor) { request, context in
            let token = context.parameters.get("token") ?? ""
            let f = context.form
            let input = Accounts.Activation(fullName: f["fullName"] ?? "", password: f["password"] ?? "", passwordConfirmation: f["passwordConfirmation"] ?? "",
                                            companyName: f["companyName"] ?? "", legalForm: f["legalForm"] ?? "", shareCapital: f["shareCapital"] ?? "",
                                            rcs: f["rcs"] ?? "")
            switch try await Accounts.activate(web.database, token: token, input, ip: context.remoteAddress) {
            case .expired:
                return expiredPage(context)
            case .invalid(let errors):
                guard let pending = try await Accounts.peekToken(web.database, token, kind: .signup) else { return expiredPage(context) }
                let existing = try await Accounts.user(web.database, email: pending.email) != nil
                var form = FormState(values: ["fullName": input.fullName, "companyName": input.companyName, "legalForm": input.legalForm,
                                              "shareCapital": input.shareCapital, "rcs": input.rcs])
                form.add(errors, lang: context.lang)
                return activatePage(context, token: token, pending: pending, existing: existing, form: form, status: .unprocessableContent)
            case .created(let company, let user):
                let cookie = try await web.signIn(userID: user.id, companyID: company.id, request: request, context: context,
                                                  flash: FlashMessage(.success, context.pick(
                                                      fr: "Bienvenue ! La société \(company.name) est inscrite et vous en êtes le gestionnaire principal.",
                                                      en: "Welcome! \(company.name) is registered and you are its principal manager.")))
                var response = Web.seeOther(WebRoute.dashboard.path)
                response.setCookie(cookie)
                return response
            }
        }
    }

    // MARK: Password reset

    static func registerPasswordReset(_ web: Web) {
        @Sendable func forgotPage(_ context: WebContext, form: FormState, sent: Bool = false, status: HTTPResponse.Status = .ok) -> Response {
            web.page("password-forgot", title: context.t("forgot_title"),
                     model: ["form": form.model, "action": WebRoute.passwordForgot.path, "sent": sent, "loginHref": WebRoute.login.path],
                     context: context, status: status)
        }
        web.get(.passwordForgot, access: .visitor) { _, context in forgotPage(context, form: FormState()) }
        web.post(.passwordForgot, access: .visitor) { _, context in
            let email = context.form["email"] ?? ""
            var form = FormState(values: ["email": email])
            guard Companies.isEmail(Accounts.normalize(email)) else {
                form.add("email", context.pick(fr: "Saisissez une adresse électronique valide.", en: "Enter a valid email address."))
                return forgotPage(context, form: form, status: .unprocessableContent)
            }
            try await Accounts.requestPasswordReset(web.database, outbox: web.outbox, email: email, baseURL: web.configuration.baseURL, lang: context.lang)
            return forgotPage(context, form: form, sent: true)
        }
        @Sendable func resetPage(_ context: WebContext, token: String, form: FormState, status: HTTPResponse.Status = .ok) -> Response {
            web.page("password-reset", title: context.t("reset_title"), model: ["form": form.model, "action": WebRoute.passwordReset(token: token).path],
                     context: context, status: status)
        }
        @Sendable func expiredPage(_ context: WebContext) -> Response {
            web.page("link-expired", title: context.t("link_expired_title"),
                     model: ["signupHref": WebRoute.signup.path, "forgotHref": WebRoute.passwordForgot.path, "loginHref": WebRoute.login.path],
                     context: context, status: .gone)
        }
        web.get(.passwordReset(token: ""), access: .visitor) { _, context in
            let token = context.parameters.get("token") ?? ""
            guard try await Accounts.peekToken(web.database, token, kind: .reset) != nil else { return expiredPage(context) }
            return resetPage(context, token: token, form: FormState())
        }
        web.post(.passwordReset(token: ""), access: .visitor) { _, context in
            let token = context.parameters.get("token") ?? ""
            switch try await Accounts.resetPassword(web.database, token: token, password: context.form["password"] ?? "",
                                                    confirmation: context.form["passwordConfirmation"] ?? "") {
            case .expired: return expiredPage(context)
            case .invalid(let errors):
                var form = FormState()
                form.add(errors, lang: context.lang)
                return resetPage(context, token: token, form: form, status: .unprocessableContent)
            case .done:
                return try await web.redirect(.login, flash: FlashMessage(.success, context.t("reset_done")), context: context)
            }
        }
    }
}
