import Foundation
import Hummingbird
import NIOFoundationCompat

/// Addresses of the Ma société pages. Registered with their `:id` pattern, linked with an id.
extension WebRoute {
    static let companyLogo = WebRoute.custom("/societe/logo")
    static let companyLogoDelete = WebRoute.custom("/societe/logo/supprimer")
    static let companyBankAccounts = WebRoute.custom("/societe/comptes")
    static func companyBankAccount(id: String) -> WebRoute { .custom("/societe/comptes/\(escape(id))") }
    static func companyBankAccountDefault(id: String) -> WebRoute { .custom("/societe/comptes/\(escape(id))/defaut") }
    static func companyBankAccountDelete(id: String) -> WebRoute { .custom("/societe/comptes/\(escape(id))/supprimer") }
}

/// Ma société: identity, address, invoicing settings and legal mentions, logo, bank accounts.
/// Everyone in the company reads it; managers change it.
enum CompanyPages: WebModule {
    static let texts: [String: L10n] = [
        "company_title": L10n("Ma société", "My company"),
        "company_intro": L10n("Ces informations figurent sur vos factures.", "This information appears on your invoices."),
        "company_readonly": L10n("Seuls les gestionnaires de la société peuvent modifier ces informations.",
                                 "Only the company's managers can change this information."),
        "company_optional": L10n("facultatif", "optional"),
        "company_identity": L10n("Identité légale", "Legal identity"),
        "company_fixed_ids": L10n("Identifiants (fixés à l'inscription)", "Identifiers (set at sign-up)"),
        "company_vat": L10n("N° de TVA intracommunautaire", "Intra-EU VAT number"),
        "company_vat_hint": L10n("Calculé à partir du SIREN.", "Computed from the SIREN."),
        "company_address": L10n("Adresse du siège", "Registered address"),
        "company_invoicing": L10n("Facturation", "Invoicing"),
        "company_mentions": L10n("Conditions de paiement et mentions légales", "Payment terms and legal mentions"),
        "company_save": L10n("Enregistrer", "Save"),
        "company_saved": L10n("Les informations de la société sont enregistrées.", "The company's details are saved."),
        "company_logo": L10n("Logo", "Logo"),
        "company_logo_alt": L10n("Logo de la société", "Company logo"),
        "company_logo_none": L10n("Aucun logo pour l'instant.", "No logo yet."),
        "company_logo_file": L10n("Image PNG ou JPEG, 512 Ko au plus", "PNG or JPEG image, at most 512 KB"),
        "company_logo_upload": L10n("Envoyer le logo", "Upload the logo"),
        "company_logo_delete": L10n("Retirer le logo", "Remove the logo"),
        "company_bank_accounts": L10n("Comptes bancaires", "Bank accounts"),
        "company_bank_none": L10n("Aucun compte bancaire : ajoutez celui sur lequel vos clients vous paient.",
                                  "No bank account: add the one your clients pay into."),
        "company_bank_label": L10n("Nom du compte", "Account name"),
        "company_bank_holder": L10n("Titulaire", "Holder"),
        "company_bank_default": L10n("Compte par défaut", "Default account"),
        "company_bank_default_badge": L10n("par défaut", "default"),
        "company_bank_make_default": L10n("Utiliser par défaut", "Make default"),
        "company_bank_delete": L10n("Supprimer", "Delete"),
        "company_bank_add": L10n("Ajouter un compte", "Add an account"),
        "company_bank_actions": L10n("Actions", "Actions"),
        "company_bank_edit": L10n("Modifier", "Edit"),
        "company_bank_edit_title": L10n("Compte bancaire", "Bank account"),
        "company_back": L10n("Retour à Ma société", "Back to My company"),
    ]

    static let legalForms = ["EI", "EURL", "SARL", "SAS", "SASU", "SA", "SNC", "SCOP", "SCI", "SELARL", "Association loi 1901"]
    static let timeZones = ["Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne", "Indian/Reunion", "Indian/Mayotte",
                            "America/Miquelon", "Pacific/Noumea", "Pacific/Tahiti", "Pacific/Wallis", "Europe/Brussels", "Europe/Luxembourg",
                            "Europe/Monaco", "Europe/Zurich", "UTC"]

    static func settingsFields(_ c: WebContext, year: Int, prefix: String) -> (identity: [FieldSpec], address: [FieldSpec], invoicing: [FieldSpec], mentions: [FieldSpec]) {
        let p = c.pick
        return (
            [FieldSpec(id: "name", label: p("Raison sociale", "Company name"), required: true, autocomplete: "organization"),
             FieldSpec(id: "legalForm", label: p("Forme juridique", "Legal form"), list: "legal-forms"),
             FieldSpec(id: "shareCapital", label: p("Capital social (€)", "Share capital (€)"), hint: p("Par exemple 10 000 ou 7 500,50.", "For example 10000 or 7500.50."),
                       inputmode: "decimal"),
             FieldSpec(id: "rcs", label: p("Immatriculation RCS", "RCS registration"), hint: p("Par exemple : RCS Lyon 842 157 307.", "For example: RCS Lyon 842 157 307."))],
            [FieldSpec(id: "addressLine1", label: p("Adresse", "Street address"), autocomplete: "address-line1"),
             FieldSpec(id: "addressLine2", label: p("Complément d'adresse", "Address line 2"), autocomplete: "address-line2"),
             FieldSpec(id: "postCode", label: p("Code postal", "Post code"), autocomplete: "postal-code", inputmode: "numeric"),
             FieldSpec(id: "city", label: p("Ville", "City"), autocomplete: "address-level2"),
             FieldSpec(id: "countryCode", label: p("Pays (code ISO)", "Country (ISO code)"), required: true, autocomplete: "country")],
            [FieldSpec(id: "invoicePrefix", label: p("Préfixe des numéros de facture", "Invoice number prefix"),
                       hint: p("Les numéros suivent une séquence annuelle sans trou : \(InvoiceNumbering.format(prefix: prefix, year: year, value: 1)), puis …000002.",
                               "Numbers follow a gapless yearly sequence: \(InvoiceNumbering.format(prefix: prefix, year: year, value: 1)), then …000002.")),
             FieldSpec(id: "timeZone", label: p("Fuseau horaire", "Time zone"), hint: p("Date des factures et échéances.", "Invoice and due dates."), required: true,
                       options: timeZones.map { ($0, $0) })],
            [FieldSpec(id: "paymentTermsDays", label: p("Délai de paiement par défaut (jours)", "Default payment terms (days)"),
                       hint: p("60 jours au plus (article L441-10 du Code de commerce).", "At most 60 days (French Commercial Code, L441-10)."),
                       type: "number", required: true, inputmode: "numeric"),
             FieldSpec(id: "latePenaltyRate", label: p("Taux des pénalités de retard (% par an)", "Late-payment penalty rate (% per year)"),
                       hint: p("Au moins trois fois le taux d'intérêt légal.", "At least three times the legal interest rate."), inputmode: "decimal"),
             FieldSpec(id: "recoveryIndemnityText", label: p("Indemnité forfaitaire pour frais de recouvrement", "Fixed recovery indemnity"), required: true, textarea: true),
             FieldSpec(id: "earlyPaymentDiscount", label: p("Escompte pour paiement anticipé", "Early payment discount"), required: true, textarea: true),
             FieldSpec(id: "legalMentions", label: p("Autres mentions légales", "Other legal mentions"), textarea: true)]
        )
    }

    static func values(_ s: CompanySettings, lang: Lang) -> [String: String] {
        ["name": s.name, "legalForm": s.legalForm ?? "", "shareCapital": lang.decimal(s.shareCapital), "rcs": s.rcs ?? "",
         "addressLine1": s.addressLine1 ?? "", "addressLine2": s.addressLine2 ?? "", "postCode": s.postCode ?? "", "city": s.city ?? "",
         "countryCode": s.countryCode, "invoicePrefix": s.invoicePrefix, "timeZone": s.timeZone, "paymentTermsDays": String(s.paymentTermsDays),
         "latePenaltyRate": lang.decimal(s.latePenaltyRate), "recoveryIndemnityText": s.recoveryIndemnityText,
         "earlyPaymentDiscount": s.earlyPaymentDiscount, "legalMentions": s.legalMentions ?? ""]
    }

    static func settings(from f: [String: String]) -> (CompanySettings, [FieldError]) {
        var errors: [FieldError] = []
        let termsText = (f["paymentTermsDays"] ?? "").trimmingCharacters(in: .whitespaces)
        let terms = Int(termsText)
        if terms == nil {
            errors.append(FieldError("paymentTermsDays", "format", fr: "Le délai de paiement est un nombre de jours (0 à 60).", en: "Payment terms are a number of days (0 to 60)."))
        }
        let s = CompanySettings(name: f["name"] ?? "", legalForm: f["legalForm"], shareCapital: f["shareCapital"], rcs: f["rcs"],
                                addressLine1: f["addressLine1"], addressLine2: f["addressLine2"], postCode: f["postCode"], city: f["city"],
                                countryCode: f["countryCode"] ?? "FR", invoicePrefix: f["invoicePrefix"] ?? "", paymentTermsDays: terms ?? 30,
                                latePenaltyRate: f["latePenaltyRate"], recoveryIndemnityText: f["recoveryIndemnityText"] ?? "",
                                earlyPaymentDiscount: f["earlyPaymentDiscount"] ?? "", legalMentions: f["legalMentions"], timeZone: f["timeZone"] ?? "")
        return (s, errors)
    }


    static func bankSpecs(_ c: WebContext) -> [FieldSpec] {
        let p = c.pick
        return [FieldSpec(id: "label", label: c.t("company_bank_label"), hint: p("Par exemple « Compte courant ».", "For example “Current account”."), required: true),
                FieldSpec(id: "holder", label: c.t("company_bank_holder")),
                FieldSpec(id: "iban", label: "IBAN", hint: p("Tel qu'il figure sur votre RIB ; les espaces sont acceptés.", "As on your bank details; spaces are fine."),
                          required: true, autocomplete: "off"),
                FieldSpec(id: "bic", label: "BIC", hint: p("8 ou 11 caractères, par exemple BNPAFRPP.", "8 or 11 characters, for example BNPAFRPP."), autocomplete: "off"),
                FieldSpec(id: "isDefault", label: c.t("company_bank_default"), checkbox: true)]
    }

    /// The whole page, with the settings form and the bank account form in the state given.
    static func render(_ web: Web, _ context: WebContext, settingsForm: FormState? = nil, bankForm: FormState? = nil,
                       logoError: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (companyID, role) = try context.requireRole()
        let profile = try await CompanyProfiles.get(web.database, companyID: companyID)
        let accounts = try await CompanyProfiles.bankAccounts(web.database, companyID: companyID)
        let form = settingsForm ?? FormState(values: values(profile.settings, lang: context.lang))
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let fields = settingsFields(context, year: year, prefix: form.values["invoicePrefix"] ?? profile.settings.invoicePrefix)
        let bank = bankForm ?? FormState()
        let canEdit = role.canManageCompany
        var logoForm = FormState()
        if let logoError { logoForm.add("logo", logoError) }
        let model: [String: Any] = [
            "canEdit": canEdit,
            "action": WebRoute.company.path,
            "siren": profile.siren, "siret": profile.siret, "vatNumber": profile.vatNumber ?? "",
            "form": form.model,
            "identityFields": fields.identity.models(form), "addressFields": fields.address.models(form),
            "invoicingFields": fields.invoicing.models(form), "mentionFields": fields.mentions.models(form),
            "legalForms": legalForms.map { ["value": $0] },
            "hasLogo": profile.hasLogo,
            "logoSrc": WebRoute.companyLogo.path + "?v=\(Int(Date().timeIntervalSince1970))",
            "logoAction": WebRoute.companyLogo.path(query: [("_csrf", context.csrfToken)]),
            "logoDeleteAction": WebRoute.companyLogoDelete.path,
            "logoForm": ["form": logoForm.model],
            "logoError": logoError ?? false,
            "accounts": accounts.map { a -> [String: Any] in
                ["label": a.label, "holder": a.holder ?? "", "iban": a.groupedIBAN, "bic": a.bic ?? "", "isDefault": a.isDefault,
                 "editHref": WebRoute.companyBankAccount(id: a.id).path,
                 "defaultAction": WebRoute.companyBankAccountDefault(id: a.id).path, "deleteAction": WebRoute.companyBankAccountDelete(id: a.id).path]
            },
            "hasAccounts": !accounts.isEmpty,
            "bankAction": WebRoute.companyBankAccounts.path,
            "bank": ["form": bank.model, "fields": bankSpecs(context).models(bank)],
        ]
        return web.page("company", title: context.t("company_title"), model: model, context: context, status: status, current: .company)
    }

    static func bankAccountPage(_ web: Web, _ context: WebContext, account: BankAccount, form: FormState,
                                status: HTTPResponse.Status = .ok) -> Response {
        var specs = bankSpecs(context)
        if account.isDefault { specs.removeAll { $0.id == "isDefault" } }
        return web.page("company-bank-account", title: context.t("company_bank_edit_title"),
                        model: ["action": WebRoute.companyBankAccount(id: account.id).path, "backHref": WebRoute.company.path + "#comptes",
                                "heading": account.label, "form": form.model, "fields": specs.models(form)],
                        context: context, status: status, current: .company)
    }

    static func register(on web: Web) {
        InvitationMail.configure(baseURL: web.configuration.baseURL)

        web.get(.company) { _, context in try await render(web, context) }

        web.post(.company, access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            let (input, formErrors) = settings(from: context.form)
            var form = FormState(values: context.form)
            do {
                if !formErrors.isEmpty {
                    var copy = input
                    let profile = try await CompanyProfiles.get(web.database, companyID: companyID)
                    throw PlatformError.validation(formErrors + copy.normalizeAndCheck(siren: profile.siren).filter { $0.field != "paymentTermsDays" })
                }
                try await CompanyProfiles.update(web.database, companyID: companyID, role: role, input, actor: context.actor, ip: context.remoteAddress)
            } catch PlatformError.validation(let errors) {
                form.add(errors, lang: context.lang)
                return try await render(web, context, settingsForm: form, status: .unprocessableContent)
            }
            return try await web.redirect(.company, flash: context.flashText(fr: "Les informations de la société sont enregistrées.",
                                                                             en: "The company's details are saved."), context: context)
        }

        web.get(.companyLogo) { _, context in
            let (companyID, _) = try context.requireRole()
            guard let logo = try await CompanyProfiles.logo(web.database, companyID: companyID) else { throw PlatformError.notFound(what: "logo") }
            return Response(status: .ok, headers: [.contentType: logo.contentType, .cacheControl: "private, max-age=300"],
                            body: .init(byteBuffer: ByteBuffer(data: logo.data)))
        }

        web.post(.companyLogo, access: .manager) { request, context in
            let (companyID, role) = try context.requireRole()
            let form: MultipartForm?
            do {
                form = try await MultipartForm.read(request, limit: CompanyProfiles.maxLogoBytes + 64 * 1024)
            } catch {
                return try await render(web, context, logoError: context.pick(fr: "Le fichier dépasse 512 Ko.", en: "The file exceeds 512 KB."),
                                        status: .unprocessableContent)
            }
            guard let file = form?.file("logo"), !file.data.isEmpty else {
                return try await render(web, context, logoError: context.pick(fr: "Choisissez un fichier image.", en: "Choose an image file."),
                                        status: .unprocessableContent)
            }
            do {
                try await CompanyProfiles.setLogo(web.database, companyID: companyID, role: role, data: file.data, actor: context.actor, ip: context.remoteAddress)
            } catch PlatformError.validation(let errors) {
                return try await render(web, context, logoError: errors.map { context.pick(fr: $0.fr, en: $0.en) }.joined(separator: " "),
                                        status: .unprocessableContent)
            }
            return try await web.redirect(.company, flash: context.flashText(fr: "Le logo est enregistré.", en: "The logo is saved."), context: context)
        }

        web.post(.companyLogoDelete, access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            try await CompanyProfiles.deleteLogo(web.database, companyID: companyID, role: role, actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(.company, flash: context.flashText(fr: "Le logo est retiré.", en: "The logo is removed."), context: context)
        }

        web.post(.companyBankAccounts, access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            let f = context.form
            let account = BankAccount(label: f["label"] ?? "", holder: f["holder"], iban: f["iban"] ?? "", bic: f["bic"], isDefault: f["isDefault"] == "on")
            do {
                _ = try await CompanyProfiles.addBankAccount(web.database, companyID: companyID, role: role, account, actor: context.actor, ip: context.remoteAddress)
            } catch PlatformError.validation(let errors) {
                var form = FormState(values: f)
                form.add(errors, lang: context.lang)
                return try await render(web, context, bankForm: form, status: .unprocessableContent)
            }
            return try await web.redirect(to: WebRoute.company.path + "#comptes",
                                          flash: context.flashText(fr: "Le compte bancaire est ajouté.", en: "The bank account is added."), context: context)
        }

        web.get(.custom("/societe/comptes/:id"), access: .manager) { _, context in
            let (companyID, _) = try context.requireRole()
            let a = try await CompanyProfiles.bankAccount(web.database, companyID: companyID, id: try context.parameters.require("id"))
            return bankAccountPage(web, context, account: a, form: FormState(values: ["label": a.label, "holder": a.holder ?? "", "iban": a.groupedIBAN,
                                                                                        "bic": a.bic ?? "", "isDefault": a.isDefault ? "on" : ""]))
        }

        web.post(.custom("/societe/comptes/:id"), access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            let id = try context.parameters.require("id")
            let existing = try await CompanyProfiles.bankAccount(web.database, companyID: companyID, id: id)
            let f = context.form
            let input = BankAccount(label: f["label"] ?? "", holder: f["holder"], iban: f["iban"] ?? "", bic: f["bic"], isDefault: f["isDefault"] == "on")
            do {
                _ = try await CompanyProfiles.updateBankAccount(web.database, companyID: companyID, role: role, id: id, input, actor: context.actor, ip: context.remoteAddress)
            } catch PlatformError.validation(let errors) {
                var form = FormState(values: f)
                form.add(errors, lang: context.lang)
                return bankAccountPage(web, context, account: existing, form: form, status: .unprocessableContent)
            }
            return try await web.redirect(to: WebRoute.company.path + "#comptes",
                                          flash: context.flashText(fr: "Le compte bancaire est enregistré.", en: "The bank account is saved."), context: context)
        }

        web.post(.custom("/societe/comptes/:id/defaut"), access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            let id = try context.parameters.require("id")
            var account = try await CompanyProfiles.bankAccount(web.database, companyID: companyID, id: id)
            account.isDefault = true
            _ = try await CompanyProfiles.updateBankAccount(web.database, companyID: companyID, role: role, id: id, account,
                                                            actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(to: WebRoute.company.path + "#comptes",
                                          flash: context.flashText(fr: "« \(account.label) » est le compte par défaut.", en: "“\(account.label)” is the default account."),
                                          context: context)
        }

        web.post(.custom("/societe/comptes/:id/supprimer"), access: .manager) { _, context in
            let (companyID, role) = try context.requireRole()
            try await CompanyProfiles.deleteBankAccount(web.database, companyID: companyID, role: role, id: try context.parameters.require("id"),
                                                        actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(to: WebRoute.company.path + "#comptes",
                                          flash: context.flashText(fr: "Le compte bancaire est supprimé.", en: "The bank account is deleted."), context: context)
        }
    }
}
