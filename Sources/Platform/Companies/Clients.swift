import Foundation
import InvoiceValidation
import SQLKit

/// A company's client: a business, a public body (invoiced through Chorus Pro) or an individual.
public struct Client: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case business, publicBody = "public_body", individual }
    public enum Channel: String, Sendable, Codable, CaseIterable { case network, email, chorusPro = "chorus_pro", paper }

    public var id: String
    public var kind: Kind
    public var name: String
    public var siren: String?
    public var siret: String?
    public var vatNumber: String?
    public var emails: [String]
    /// Chorus Pro: the service (code service) invoices go to, and what the public body requires.
    public var serviceCode: String?
    public var serviceCodeRequired: Bool
    public var engagementRequired: Bool
    public var channel: Channel
    public var addressLine1: String?
    public var addressLine2: String?
    public var postCode: String?
    public var city: String?
    public var countryCode: String
    public var archived: Bool

    public init(id: String = "", kind: Kind, name: String, siren: String? = nil, siret: String? = nil, vatNumber: String? = nil,
                emails: [String] = [], serviceCode: String? = nil, serviceCodeRequired: Bool = false, engagementRequired: Bool = false,
                channel: Channel = .email, addressLine1: String? = nil, addressLine2: String? = nil, postCode: String? = nil,
                city: String? = nil, countryCode: String = "FR", archived: Bool = false) {
        self.id = id
        self.kind = kind
        self.name = name
        self.siren = siren
        self.siret = siret
        self.vatNumber = vatNumber
        self.emails = emails
        self.serviceCode = serviceCode
        self.serviceCodeRequired = serviceCodeRequired
        self.engagementRequired = engagementRequired
        self.channel = channel
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.postCode = postCode
        self.city = city
        self.countryCode = countryCode
        self.archived = archived
    }

    /// Normalises identifiers and lists every problem, field by field.
    public mutating func normalizeAndCheck() -> [FieldError] {
        var errors: [FieldError] = []
        name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.append(FieldError("name", "required", fr: "Le nom du client est obligatoire.", en: "The client's name is required.")) }
        func clean(_ s: String?) -> String? {
            guard let s else { return nil }
            let c = FrenchIdentifiers.compact(s)
            return c.isEmpty ? nil : c
        }
        siren = clean(siren)
        siret = clean(siret)
        vatNumber = clean(vatNumber)?.uppercased()
        serviceCode = serviceCode?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        emails = emails.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        countryCode = countryCode.trimmingCharacters(in: .whitespaces).uppercased()
        if let s = siret {
            if !FrenchIdentifiers.isValidSIRET(s) {
                errors.append(FieldError("siret", "invalid", fr: "SIRET invalide (14 chiffres avec une clé de contrôle juste).", en: "Invalid SIRET (14 digits with a valid check digit)."))
            } else if siren == nil {
                siren = String(s.prefix(9))
            } else if siren != String(s.prefix(9)) {
                errors.append(FieldError("siret", "mismatch", fr: "Le SIRET ne commence pas par le SIREN indiqué.", en: "The SIRET does not start with the given SIREN."))
            }
        }
        if let s = siren, !FrenchIdentifiers.isValidSIREN(s) {
            errors.append(FieldError("siren", "invalid", fr: "SIREN invalide (9 chiffres avec une clé de contrôle juste).", en: "Invalid SIREN (9 digits with a valid check digit)."))
        }
        if let v = vatNumber, v.hasPrefix("FR") {
            switch FrenchIdentifiers.checkVATNumber(v) {
            case .malformed: errors.append(FieldError("vatNumber", "format", fr: "Numéro de TVA français invalide : FR, 2 caractères de clé, puis le SIREN.", en: "Invalid French VAT number: FR, a 2-character key, then the SIREN."))
            case .wrongKey(let k): errors.append(FieldError("vatNumber", "checksum", fr: "La clé du numéro de TVA ne correspond pas au SIREN (clé attendue \(String(format: "%02d", k))).", en: "The VAT number's key does not match its SIREN (expected \(String(format: "%02d", k)))."))
            case .valid, .uncheckableKey: break
            }
        }
        for (i, e) in emails.enumerated() where !Companies.isEmail(e) {
            errors.append(FieldError("emails[\(i)]", "format", fr: "Adresse électronique invalide : \(e).", en: "Invalid email address: \(e)."))
        }
        if countryCode.count != 2 || !countryCode.allSatisfy({ $0.isASCII && $0.isLetter }) {
            errors.append(FieldError("countryCode", "format", fr: "Code pays ISO à 2 lettres (FR, BE…).", en: "Two-letter ISO country code (FR, BE…)."))
        }
        switch kind {
        case .business:
            if countryCode == "FR" && siren == nil {
                errors.append(FieldError("siren", "required", fr: "Le SIREN (ou SIRET) d'une entreprise française est obligatoire : il route ses factures.", en: "A French business's SIREN (or SIRET) is required: it routes its invoices."))
            }
        case .publicBody:
            if siret == nil {
                errors.append(FieldError("siret", "required", fr: "Le SIRET de l'entité publique est obligatoire pour Chorus Pro.", en: "The public body's SIRET is required by Chorus Pro."))
            }
            if serviceCodeRequired && serviceCode == nil {
                errors.append(FieldError("serviceCode", "required", fr: "Cette entité exige un code service : indiquez-le.", en: "This public body requires a service code: give it."))
            }
        case .individual:
            if siren != nil || siret != nil {
                errors.append(FieldError("siren", "unexpected", fr: "Un particulier n'a pas de SIREN : choisissez « entreprise » s'il s'agit d'un professionnel.", en: "An individual has no SIREN: choose “business” for a professional."))
            }
        }
        if channel == .email && emails.isEmpty {
            errors.append(FieldError("emails", "required", fr: "Une adresse électronique est nécessaire pour l'envoi par courriel.", en: "An email address is needed to send by email."))
        }
        if channel == .chorusPro && kind != .publicBody {
            errors.append(FieldError("channel", "invalid", fr: "Chorus Pro ne reçoit que les factures destinées aux entités publiques.", en: "Chorus Pro only receives invoices for public bodies."))
        }
        if channel == .paper && (addressLine1 == nil || city == nil) {
            errors.append(FieldError("addressLine1", "required", fr: "L'envoi papier demande une adresse postale complète.", en: "Paper delivery needs a full postal address."))
        }
        return errors
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Storage of clients, always scoped to one company: no function here reads across companies.
public enum Clients {
    struct Row: Codable {
        var id: String
        var company_id: String
        var kind: String
        var name: String
        var siren: String?
        var siret: String?
        var vat_number: String?
        var emails: String
        var service_code: String?
        var service_code_required: Bool
        var engagement_required: Bool
        var channel: String
        var address_line1: String?
        var address_line2: String?
        var post_code: String?
        var city: String?
        var country_code: String
        var archived: Bool
        var created_at: String
        var updated_at: String

        init(_ c: Client, companyID: String, createdAt: String, updatedAt: String) {
            id = c.id
            company_id = companyID
            kind = c.kind.rawValue
            name = c.name
            siren = c.siren
            siret = c.siret
            vat_number = c.vatNumber
            emails = c.emails.joined(separator: "\n")
            service_code = c.serviceCode
            service_code_required = c.serviceCodeRequired
            engagement_required = c.engagementRequired
            channel = c.channel.rawValue
            address_line1 = c.addressLine1
            address_line2 = c.addressLine2
            post_code = c.postCode
            city = c.city
            country_code = c.countryCode
            archived = c.archived
            created_at = createdAt
            updated_at = updatedAt
        }

        var client: Client {
            Client(id: id, kind: Client.Kind(rawValue: kind) ?? .business, name: name, siren: siren, siret: siret, vatNumber: vat_number,
                   emails: emails.split(separator: "\n").map(String.init), serviceCode: service_code,
                   serviceCodeRequired: service_code_required, engagementRequired: engagement_required,
                   channel: Client.Channel(rawValue: channel) ?? .email, addressLine1: address_line1, addressLine2: address_line2,
                   postCode: post_code, city: city, countryCode: country_code, archived: archived)
        }
    }

    static func now() -> String { ISOTime.string(Date()) }

    public static func create(_ db: Database, companyID: String, _ input: Client, actor: String, ip: String?) async throws -> Client {
        var client = input
        let errors = client.normalizeAndCheck()
        if !errors.isEmpty { throw PlatformError.validation(errors) }
        client.id = UUID().uuidString.lowercased()
        let row = Row(client, companyID: companyID, createdAt: now(), updatedAt: now())
        let created = client
        try await db.sql.transaction { tx in
            try await tx.insert(into: "clients").model(row).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "client.create", subject: "client:\(created.id)",
                                      details: ["name": created.name, "kind": created.kind.rawValue, "siren": created.siren ?? ""])
        }
        return client
    }

    public static func get(_ db: Database, companyID: String, id: String) async throws -> Client {
        guard let row = try await db.sql.select().column("*").from("clients")
            .where("company_id", .equal, companyID).where("id", .equal, id).first(decoding: Row.self) else {
            throw PlatformError.notFound(what: "client")
        }
        return row.client
    }

    public static func update(_ db: Database, companyID: String, id: String, _ input: Client, actor: String, ip: String?) async throws -> Client {
        var client = input
        client.id = id
        let errors = client.normalizeAndCheck()
        if !errors.isEmpty { throw PlatformError.validation(errors) }
        let updated = client
        try await db.sql.transaction { tx in
            guard let old = try await tx.select().column("*").from("clients")
                .where("company_id", .equal, companyID).where("id", .equal, id).first(decoding: Row.self) else {
                throw PlatformError.notFound(what: "client")
            }
            let row = Row(updated, companyID: companyID, createdAt: old.created_at, updatedAt: now())
            // `.asNil`: a field emptied by the edit is cleared, not left as it was.
            try await tx.update("clients").set(model: row, nilEncodingStrategy: .asNil).where("company_id", .equal, companyID).where("id", .equal, id).run()
            var changes: [String: String] = [:]
            let before = old.client
            for (field, a, b) in [("name", before.name, updated.name), ("siren", before.siren ?? "", updated.siren ?? ""),
                                  ("siret", before.siret ?? "", updated.siret ?? ""), ("vatNumber", before.vatNumber ?? "", updated.vatNumber ?? ""),
                                  ("channel", before.channel.rawValue, updated.channel.rawValue), ("serviceCode", before.serviceCode ?? "", updated.serviceCode ?? ""),
                                  ("emails", before.emails.joined(separator: ","), updated.emails.joined(separator: ",")),
                                  ("archived", String(before.archived), String(updated.archived))] where a != b {
                changes[field] = b
            }
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "client.update", subject: "client:\(id)", details: changes)
        }
        return client
    }

    /// Archiving keeps the client (invoices refer to it) but hides it from lists and entry.
    public static func archive(_ db: Database, companyID: String, id: String, actor: String, ip: String?) async throws {
        var c = try await get(db, companyID: companyID, id: id)
        c.archived = true
        _ = try await update(db, companyID: companyID, id: id, c, actor: actor, ip: ip)
    }

    public struct Page: Sendable {
        public var items: [Client]
        public var total: Int
        public var page: Int
        public var perPage: Int
    }

    /// Search by name, SIREN, SIRET or email; newest names first alphabetically; archived hidden unless asked.
    public static func list(_ db: Database, companyID: String, query: String? = nil, includeArchived: Bool = false,
                            page: Int = 1, perPage: Int = 50) async throws -> Page {
        let perPage = min(max(perPage, 1), 200)
        let page = max(page, 1)
        func filtered(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            var q = q.where("company_id", .equal, companyID)
            if !includeArchived { q = q.where("archived", .equal, false) }
            if let query, !query.trimmingCharacters(in: .whitespaces).isEmpty {
                let like = "%" + query.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
                let digits = FrenchIdentifiers.compact(query)
                q = q.where { g in
                    g.where(SQLFunction("lower", args: SQLIdentifier("name")), .like, SQLBind(like))
                        .orWhere(SQLFunction("lower", args: SQLIdentifier("emails")), .like, SQLBind(like))
                        .orWhere("siren", .like, SQLBind(digits + "%"))
                        .orWhere("siret", .like, SQLBind(digits + "%"))
                }
            }
            return q
        }
        func count() -> SQLSelectBuilder {
            filtered(db.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("clients"))
        }
        // One query returns the page and, on each row, the number of matching clients (an uncorrelated subquery,
        // which both engines evaluate once): one round trip instead of two. A window count (COUNT(*) OVER ())
        // would be shorter but makes SQLite materialise and sort every matching row: ten times slower.
        // Written as one query string rather than with the builder: serialising the builder's tree of
        // expressions cost as much as SQLite's own parsing of the statement. Same filter as `filtered`.
        var filter: SQLQueryString = "company_id = \(bind: companyID)"
        if !includeArchived { filter += " AND archived = \(bind: false)" }
        if let query, !query.trimmingCharacters(in: .whitespaces).isEmpty {
            let like = "%" + query.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            let digits = FrenchIdentifiers.compact(query) + "%"
            filter += " AND (lower(name) LIKE \(bind: like) OR lower(emails) LIKE \(bind: like) OR siren LIKE \(bind: digits) OR siret LIKE \(bind: digits))"
        }
        let select: SQLQueryString = "SELECT \(unsafeRaw: Row.listColumns.joined(separator: ", ")), (SELECT count(*) FROM clients WHERE "
        let rows = try await db.cells(select + filter + ") AS total_count FROM clients WHERE " + filter
            + " ORDER BY name, id LIMIT \(literal: perPage) OFFSET \(literal: (page - 1) * perPage)")
        var total = 0
        if let first = rows.first {
            total = try Row.cell(first, Row.listColumns.count, "total_count").int ?? 0
        } else if page > 1 {
            // Past the last page there is no row to carry the count.
            struct Count: Decodable { let n: Int }
            total = try await count().first(decoding: Count.self)?.n ?? 0
        }
        return Page(items: try rows.map(Row.client(cells:)), total: total, page: page, perPage: perPage)
    }
}

extension Clients.Row {
    /// The columns `client(cells:)` reads, in this order.
    static let listColumns = ["id", "kind", "name", "siren", "siret", "vat_number", "emails", "service_code", "service_code_required",
                              "engagement_required", "channel", "address_line1", "address_line2", "post_code", "city", "country_code", "archived"]

    static func cell(_ cells: [SQLCell], _ index: Int, _ name: String) throws -> SQLCell {
        guard index < cells.count else { throw SQLCellsError.missingColumn(table: "clients", name: name) }
        return cells[index]
    }

    /// `emails.split(separator: "\n").map(String.init)`, without the generic split for the usual single address.
    static func emailList(_ emails: String) -> [String] {
        if emails.isEmpty { return [] }
        if !emails.utf8.contains(UInt8(ascii: "\n")) { return [emails] }
        return emails.split(separator: "\n").map(String.init)
    }

    /// The same client `Row.client` gives, from a row of `listColumns`; a NULL where the schema forbids one is an error, as with `Decodable`.
    static func client(cells: [SQLCell]) throws -> Client {
        func text(_ i: Int) throws -> String? { try cell(cells, i, listColumns[i]).string }
        func required(_ i: Int) throws -> String {
            guard let v = try text(i) else { throw SQLCellsError.unexpectedNull(table: "clients", column: listColumns[i]) }
            return v
        }
        func flag(_ i: Int) throws -> Bool {
            guard let v = try cell(cells, i, listColumns[i]).bool else { throw SQLCellsError.unexpectedNull(table: "clients", column: listColumns[i]) }
            return v
        }
        return Client(id: try required(0), kind: Client.Kind(rawValue: try required(1)) ?? .business, name: try required(2),
                      siren: try text(3), siret: try text(4), vatNumber: try text(5),
                      emails: emailList(try required(6)), serviceCode: try text(7),
                      serviceCodeRequired: try flag(8), engagementRequired: try flag(9),
                      channel: Client.Channel(rawValue: try required(10)) ?? .email, addressLine1: try text(11), addressLine2: try text(12),
                      postCode: try text(13), city: try text(14), countryCode: try required(15), archived: try flag(16))
    }
}
