import Foundation
import Hummingbird

extension WebRoute {
    static let clientNew = WebRoute.custom("/clients/nouveau")
    static let clientsImport = WebRoute.custom("/clients/import")
    static func client(id: String) -> WebRoute { .custom("/clients/\(escape(id))") }
    static func clientArchive(id: String) -> WebRoute { .custom("/clients/\(escape(id))/archiver") }
    static func clientRestore(id: String) -> WebRoute { .custom("/clients/\(escape(id))/restaurer") }
}

/// Mes clients: list with search and pages, add, edit, archive, CSV import with a line-by-line
/// report. The rules are `Client.normalizeAndCheck` and `ClientImport`; these pages only show them.
enum ClientsPages: WebModule {
    static let texts: [String: L10n] = [
        "clients_title": L10n("Mes clients", "My clients"),
        "clients_intro": L10n("Les entreprises, entités publiques et particuliers que vous facturez.", "The businesses, public bodies and individuals you invoice."),
        "clients_search": L10n("Rechercher", "Search"),
        "clients_search_label": L10n("Nom, SIREN, SIRET ou courriel", "Name, SIREN, SIRET or email"),
        "clients_show_archived": L10n("Afficher les clients archivés", "Show archived clients"),
        "clients_add": L10n("Ajouter un client", "Add a client"),
        "clients_import": L10n("Importer un fichier CSV", "Import a CSV file"),
        "clients_none": L10n("Aucun client ne correspond.", "No client matches."),
        "clients_name": L10n("Nom", "Name"),
        "clients_kind": L10n("Type", "Kind"),
        "clients_ids": L10n("SIREN / SIRET", "SIREN / SIRET"),
        "clients_channel": L10n("Envoi", "Delivery"),
        "clients_city": L10n("Ville", "City"),
        "clients_archived": L10n("archivé", "archived"),
        "clients_previous": L10n("Page précédente", "Previous page"),
        "clients_next": L10n("Page suivante", "Next page"),
        "clients_new_title": L10n("Nouveau client", "New client"),
        "clients_edit_title": L10n("Fiche client", "Client"),
        "clients_save": L10n("Enregistrer", "Save"),
        "clients_archive": L10n("Archiver", "Archive"),
        "clients_archive_hint": L10n("Un client archivé reste sur ses factures, mais n'apparaît plus dans les listes.",
                                     "An archived client stays on its invoices but no longer appears in lists."),
        "clients_restore": L10n("Désarchiver", "Restore"),
        "clients_back": L10n("Retour à la liste", "Back to the list"),
        "clients_section_identity": L10n("Identité", "Identity"),
        "clients_section_public": L10n("Chorus Pro (entités publiques)", "Chorus Pro (public bodies)"),
        "clients_section_delivery": L10n("Envoi des factures", "Invoice delivery"),
        "clients_section_address": L10n("Adresse postale", "Postal address"),
        "clients_readonly": L10n("Votre rôle permet de consulter les clients, pas de les modifier.", "Your role lets you read clients, not change them."),
        "clients_import_title": L10n("Importer des clients", "Import clients"),
        "clients_import_intro": L10n("Un fichier CSV en UTF-8 (« CSV UTF-8 » dans votre tableur), séparé par des points-virgules ou des virgules. La première ligne nomme les colonnes : type et nom sont obligatoires ; siren, siret, tva, courriel, canal, code_service, code_service_obligatoire, engagement_obligatoire, adresse, adresse2, code_postal, ville, pays sont reconnus.",
                                     "A UTF-8 CSV file (“CSV UTF-8” in your spreadsheet), separated by semicolons or commas. The first line names the columns: kind and name are required; siren, siret, vat, email, channel, service_code, service_code_required, engagement_required, address_line1, address_line2, post_code, city, country are recognised."),
        "clients_import_file": L10n("Fichier CSV", "CSV file"),
        "clients_import_mode": L10n("Si des lignes contiennent des erreurs", "If some lines have errors"),
        "clients_import_mode_all": L10n("N'importer aucune ligne (tout ou rien)", "Import no line at all (all or nothing)"),
        "clients_import_mode_partial": L10n("Importer les lignes valides, rejeter les autres", "Import the valid lines, reject the others"),
        "clients_import_submit": L10n("Importer", "Import"),
        "clients_import_report": L10n("Rapport d'import", "Import report"),
        "clients_import_line": L10n("Ligne", "Line"),
        "clients_import_field": L10n("Champ", "Field"),
        "clients_import_problem": L10n("Problème", "Problem"),
    ]

    static func kindLabel(_ k: Client.Kind, _ lang: Lang) -> String {
        switch k {
        case .business: return lang.pick(fr: "Entreprise", en: "Business")
        case .publicBody: return lang.pick(fr: "Entité publique", en: "Public body")
        case .individual: return lang.pick(fr: "Particulier", en: "Individual")
        }
    }

    static func channelLabel(_ c: Client.Channel, _ lang: Lang) -> String {
        switch c {
        case .network: return lang.pick(fr: "Réseau (plateforme agréée)", en: "Network (approved platform)")
        case .email: return lang.pick(fr: "Courriel", en: "Email")
        case .chorusPro: return "Chorus Pro"
        case .paper: return lang.pick(fr: "Courrier papier", en: "Paper mail")
        }
    }

    static func requireEditor(_ context: WebContext) throws -> (companyID: String, role: Role) {
        let r = try context.requireRole()
        guard r.role.canEditClients else { throw WebForbidden(fr: AccessDenied.issuersOnly.fr, en: AccessDenied.issuersOnly.en) }
        return r
    }

    // MARK: List

    static func list(_ web: Web, _ request: Request, _ context: WebContext) async throws -> Response {
        let (companyID, role) = try context.requireRole()
        let q = request.uri.queryParameters
        let query = q["q"].map(String.init) ?? ""
        let archived = q["archives"] == "on"
        let pageNumber = max(Int(q["page"].map(String.init) ?? "1") ?? 1, 1)
        let perPage = 25
        let page = try await Clients.list(web.database, companyID: companyID, query: query, includeArchived: archived, page: pageNumber, perPage: perPage)
        let pages = max(1, (page.total + perPage - 1) / perPage)
        func link(_ n: Int) -> String {
            var items: [(String, String)] = []
            if !query.isEmpty { items.append(("q", query)) }
            if archived { items.append(("archives", "on")) }
            items.append(("page", String(n)))
            return WebRoute.clients.path(query: items)
        }
        let summary = context.pick(fr: "\(page.total) client\(page.total > 1 ? "s" : "") — page \(page.page) sur \(pages)",
                                   en: "\(page.total) client\(page.total == 1 ? "" : "s") — page \(page.page) of \(pages)")
        let model: [String: Any] = [
            "q": query, "archived": archived, "canEdit": role.canEditClients, "summary": summary,
            "searchAction": WebRoute.clients.path, "newHref": WebRoute.clientNew.path, "importHref": WebRoute.clientsImport.path,
            "items": page.items.map { c -> [String: Any] in
                ["name": c.name, "href": WebRoute.client(id: c.id).path, "kind": kindLabel(c.kind, context.lang),
                 "ids": c.siret ?? c.siren ?? "", "channel": channelLabel(c.channel, context.lang), "city": c.city ?? "", "archived": c.archived]
            },
            "empty": page.items.isEmpty,
            "previousHref": page.page > 1 ? link(page.page - 1) : false,
            "nextHref": page.page < pages ? link(page.page + 1) : false,
        ]
        return web.page("clients", title: context.t("clients_title"), model: model, context: context, current: .clients)
    }

    // MARK: Form

    static func values(_ c: Client) -> [String: String] {
        ["kind": c.kind.rawValue, "name": c.name, "siren": c.siren ?? "", "siret": c.siret ?? "", "vatNumber": c.vatNumber ?? "",
         "emails": c.emails.joined(separator: ", "), "channel": c.channel.rawValue, "serviceCode": c.serviceCode ?? "",
         "serviceCodeRequired": c.serviceCodeRequired ? "on" : "", "engagementRequired": c.engagementRequired ? "on" : "",
         "addressLine1": c.addressLine1 ?? "", "addressLine2": c.addressLine2 ?? "", "postCode": c.postCode ?? "", "city": c.city ?? "",
         "countryCode": c.countryCode]
    }

    static func client(from f: [String: String]) -> Client {
        func opt(_ k: String) -> String? { f[k]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }
        return Client(kind: Client.Kind(rawValue: f["kind"] ?? "") ?? .business, name: f["name"] ?? "", siren: opt("siren"), siret: opt("siret"),
                      vatNumber: opt("vatNumber"),
                      emails: (f["emails"] ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }).map(String.init),
                      serviceCode: opt("serviceCode"), serviceCodeRequired: f["serviceCodeRequired"] == "on",
                      engagementRequired: f["engagementRequired"] == "on", channel: Client.Channel(rawValue: f["channel"] ?? "") ?? .email,
                      addressLine1: opt("addressLine1"), addressLine2: opt("addressLine2"), postCode: opt("postCode"), city: opt("city"),
                      countryCode: opt("countryCode") ?? "FR")
    }

    static func formPage(_ web: Web, _ context: WebContext, client: Client?, form: FormState, status: HTTPResponse.Status = .ok) throws -> Response {
        let (_, role) = try context.requireRole()
        let p = context.pick
        let lang = context.lang
        let identity = [
            FieldSpec(id: "kind", label: context.t("clients_kind"), required: true, options: Client.Kind.allCases.map { ($0.rawValue, kindLabel($0, lang)) }),
            FieldSpec(id: "name", label: p("Nom ou raison sociale", "Name or company name"), required: true),
            FieldSpec(id: "siren", label: "SIREN", hint: p("9 chiffres ; déduit du SIRET s'il est donné.", "9 digits; taken from the SIRET when given."), inputmode: "numeric"),
            FieldSpec(id: "siret", label: "SIRET", hint: p("14 chiffres ; obligatoire pour une entité publique.", "14 digits; required for a public body."), inputmode: "numeric"),
            FieldSpec(id: "vatNumber", label: p("N° de TVA intracommunautaire", "Intra-EU VAT number")),
        ]
        let publicBody = [
            FieldSpec(id: "serviceCode", label: p("Code service", "Service code"), hint: p("Le service destinataire dans Chorus Pro.", "The receiving service in Chorus Pro.")),
            FieldSpec(id: "serviceCodeRequired", label: p("Cette entité exige un code service", "This body requires a service code"), checkbox: true),
            FieldSpec(id: "engagementRequired", label: p("Cette entité exige un numéro d'engagement (bon de commande)", "This body requires an engagement (purchase order) number"),
                      checkbox: true),
        ]
        let delivery = [
            FieldSpec(id: "channel", label: context.t("clients_channel"), required: true, options: Client.Channel.allCases.map { ($0.rawValue, channelLabel($0, lang)) }),
            FieldSpec(id: "emails", label: p("Adresses électroniques", "Email addresses"), hint: p("Séparées par des virgules.", "Separated by commas."), type: "text",
                      autocomplete: "off"),
        ]
        let address = [
            FieldSpec(id: "addressLine1", label: p("Adresse", "Street address")),
            FieldSpec(id: "addressLine2", label: p("Complément d'adresse", "Address line 2")),
            FieldSpec(id: "postCode", label: p("Code postal", "Post code")),
            FieldSpec(id: "city", label: p("Ville", "City")),
            FieldSpec(id: "countryCode", label: p("Pays (code ISO)", "Country (ISO code)"), required: true),
        ]
        let model: [String: Any] = [
            "isNew": client == nil, "canEdit": role.canEditClients, "archived": client?.archived ?? false,
            "action": client.map { WebRoute.client(id: $0.id).path } ?? WebRoute.clientNew.path,
            "archiveAction": client.map { WebRoute.clientArchive(id: $0.id).path } ?? "",
            "restoreAction": client.map { WebRoute.clientRestore(id: $0.id).path } ?? "",
            "listHref": WebRoute.clients.path, "heading": client?.name ?? context.t("clients_new_title"),
            "form": form.model, "identityFields": identity.models(form), "publicFields": publicBody.models(form),
            "deliveryFields": delivery.models(form), "addressFields": address.models(form),
        ]
        return web.page("clients-form", title: client?.name ?? context.t("clients_new_title"), model: model, context: context, status: status, current: .clients)
    }

    static func formErrors(_ errors: [FieldError], _ context: WebContext, values: [String: String]) -> FormState {
        var form = FormState(values: values)
        for e in errors {
            let field = e.field.hasPrefix("emails[") ? "emails" : e.field
            form.add(field, context.pick(fr: e.fr, en: e.en))
        }
        return form
    }

    // MARK: Import

    static func importPage(_ web: Web, _ context: WebContext, report: ClientImport.Report? = nil, error: String? = nil,
                           mode: ClientImport.Mode = .all, status: HTTPResponse.Status = .ok) -> Response {
        var model: [String: Any] = [
            "action": WebRoute.clientsImport.path(query: [("_csrf", context.csrfToken)]), "listHref": WebRoute.clients.path,
            "modeAll": mode == .all, "modePartial": mode == .partial, "fileError": error ?? false,
        ]
        var form = FormState()
        if let error { form.add("file", error) }
        model["form"] = form.model
        if let r = report {
            let p = context.pick
            let headline: String
            let ok: Bool
            if r.errors.isEmpty {
                ok = true
                headline = p("\(r.imported) client\(r.imported > 1 ? "s" : "") importé\(r.imported > 1 ? "s" : "") ; aucune erreur.",
                             "\(r.imported) client\(r.imported == 1 ? "" : "s") imported; no errors.")
            } else if r.mode == .all {
                ok = false
                headline = p("Le fichier n'a PAS été importé : \(r.errors.count) ligne\(r.errors.count > 1 ? "s" : "") en erreur. En mode « tout ou rien », aucune ligne n'est importée tant qu'il reste une erreur. Corrigez le fichier et recommencez, ou choisissez d'importer les lignes valides.",
                             "The file was NOT imported: \(r.errors.count) line\(r.errors.count == 1 ? "" : "s") with errors. In “all or nothing” mode no line is imported while any error remains. Fix the file and try again, or choose to import the valid lines.")
            } else {
                ok = r.imported > 0
                headline = p("Import partiel : \(r.imported) client\(r.imported > 1 ? "s" : "") importé\(r.imported > 1 ? "s" : ""), \(r.rejected) ligne\(r.rejected > 1 ? "s" : "") rejetée\(r.rejected > 1 ? "s" : "") (non importée\(r.rejected > 1 ? "s" : ""), détail ci-dessous).",
                             "Partial import: \(r.imported) client\(r.imported == 1 ? "" : "s") imported, \(r.rejected) line\(r.rejected == 1 ? "" : "s") rejected (not imported, details below).")
            }
            model["report"] = [
                "ok": ok, "headline": headline,
                "rows": r.errors.flatMap { le in le.errors.map { ["line": le.line, "field": $0.field, "message": p($0.fr, $0.en)] } },
                "hasRows": !r.errors.isEmpty,
            ]
        }
        return web.page("clients-import", title: context.t("clients_import_title"), model: model, context: context, status: status, current: .clients)
    }

    static func register(on web: Web) {
        web.get(.clients) { request, context in try await list(web, request, context) }

        web.get(.clientNew) { _, context in
            _ = try requireEditor(context)
            return try formPage(web, context, client: nil, form: FormState(values: values(Client(kind: .business, name: ""))))
        }

        web.post(.clientNew) { _, context in
            let (companyID, _) = try requireEditor(context)
            do {
                let c = try await Clients.create(web.database, companyID: companyID, client(from: context.form), actor: context.actor, ip: context.remoteAddress)
                return try await web.redirect(.client(id: c.id), flash: context.flashText(fr: "Client « \(c.name) » ajouté.", en: "Client “\(c.name)” added."),
                                              context: context)
            } catch PlatformError.validation(let errors) {
                return try formPage(web, context, client: nil, form: formErrors(errors, context, values: context.form), status: .unprocessableContent)
            }
        }

        web.get(.clientsImport) { _, context in
            _ = try requireEditor(context)
            return importPage(web, context)
        }

        web.post(.clientsImport) { request, context in
            let (companyID, _) = try requireEditor(context)
            let form: MultipartForm?
            do {
                form = try await MultipartForm.read(request, limit: 10 << 20)
            } catch {
                return importPage(web, context, error: context.pick(fr: "Le fichier dépasse 10 Mo.", en: "The file exceeds 10 MB."), status: .unprocessableContent)
            }
            let mode = ClientImport.Mode(rawValue: form?.value("mode") ?? "all") ?? .all
            guard let file = form?.file("file"), !file.data.isEmpty else {
                return importPage(web, context, error: context.pick(fr: "Choisissez un fichier CSV.", en: "Choose a CSV file."), mode: mode, status: .unprocessableContent)
            }
            let report = try await ClientImport.run(web.database, companyID: companyID, data: file.data, mode: mode, actor: context.actor, ip: context.remoteAddress)
            return importPage(web, context, report: report, mode: mode, status: report.imported == 0 && !report.errors.isEmpty ? .unprocessableContent : .ok)
        }

        web.get(.custom("/clients/:id")) { _, context in
            let (companyID, _) = try context.requireRole()
            let c = try await Clients.get(web.database, companyID: companyID, id: try context.parameters.require("id"))
            return try formPage(web, context, client: c, form: FormState(values: values(c)))
        }

        web.post(.custom("/clients/:id")) { _, context in
            let (companyID, _) = try requireEditor(context)
            let id = try context.parameters.require("id")
            let existing = try await Clients.get(web.database, companyID: companyID, id: id)
            var input = client(from: context.form)
            input.archived = existing.archived
            do {
                let c = try await Clients.update(web.database, companyID: companyID, id: id, input, actor: context.actor, ip: context.remoteAddress)
                return try await web.redirect(.client(id: c.id), flash: context.flashText(fr: "Client enregistré.", en: "Client saved."), context: context)
            } catch PlatformError.validation(let errors) {
                return try formPage(web, context, client: existing, form: formErrors(errors, context, values: context.form), status: .unprocessableContent)
            }
        }

        web.post(.custom("/clients/:id/archiver")) { _, context in
            let (companyID, _) = try requireEditor(context)
            let id = try context.parameters.require("id")
            try await Clients.archive(web.database, companyID: companyID, id: id, actor: context.actor, ip: context.remoteAddress)
            return try await web.redirect(.clients, flash: context.flashText(fr: "Client archivé.", en: "Client archived."), context: context)
        }

        web.post(.custom("/clients/:id/restaurer")) { _, context in
            let (companyID, _) = try requireEditor(context)
            let id = try context.parameters.require("id")
            var c = try await Clients.get(web.database, companyID: companyID, id: id)
            c.archived = false
            do {
                _ = try await Clients.update(web.database, companyID: companyID, id: id, c, actor: context.actor, ip: context.remoteAddress)
            } catch PlatformError.validation(let errors) {
                return try formPage(web, context, client: c, form: formErrors(errors, context, values: values(c)), status: .unprocessableContent)
            }
            return try await web.redirect(.client(id: id), flash: context.flashText(fr: "Client désarchivé.", en: "Client restored."), context: context)
        }
    }
}
