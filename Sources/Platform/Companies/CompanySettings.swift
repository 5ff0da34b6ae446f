import Foundation
import InvoiceValidation
import SQLKit

/// Ma société: what the company says about itself on every invoice, and how it invoices.
/// The SIREN and SIRET are fixed at sign-up (they identify the company on the network); the
/// intra-EU VAT number is computed from the SIREN.
public struct CompanySettings: Sendable, Codable, Equatable {
    public var name: String
    public var legalForm: String?
    /// Exact decimal text, e.g. "10000.00" (French input "10 000,00" is accepted).
    public var shareCapital: String?
    public var rcs: String?
    public var addressLine1: String?
    public var addressLine2: String?
    public var postCode: String?
    public var city: String?
    public var countryCode: String
    /// Invoice numbers read PREFIX + year + "-" + a 6-digit yearly sequence (`InvoiceNumbering.format`).
    public var invoicePrefix: String
    public var paymentTermsDays: Int
    /// Late-payment penalty rate, percent per year, exact decimal text ("10.15").
    public var latePenaltyRate: String?
    public var recoveryIndemnityText: String
    public var earlyPaymentDiscount: String
    public var legalMentions: String?
    public var timeZone: String

    public init(name: String, legalForm: String? = nil, shareCapital: String? = nil, rcs: String? = nil, addressLine1: String? = nil,
                addressLine2: String? = nil, postCode: String? = nil, city: String? = nil, countryCode: String = "FR",
                invoicePrefix: String = "F", paymentTermsDays: Int = 30, latePenaltyRate: String? = nil,
                recoveryIndemnityText: String = CompanySettings.defaultRecoveryIndemnity,
                earlyPaymentDiscount: String = CompanySettings.defaultEarlyPaymentDiscount, legalMentions: String? = nil,
                timeZone: String = "Europe/Paris") {
        self.name = name
        self.legalForm = legalForm
        self.shareCapital = shareCapital
        self.rcs = rcs
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.postCode = postCode
        self.city = city
        self.countryCode = countryCode
        self.invoicePrefix = invoicePrefix
        self.paymentTermsDays = paymentTermsDays
        self.latePenaltyRate = latePenaltyRate
        self.recoveryIndemnityText = recoveryIndemnityText
        self.earlyPaymentDiscount = earlyPaymentDiscount
        self.legalMentions = legalMentions
        self.timeZone = timeZone
    }

    /// The fixed indemnity of article D441-5 of the Code de commerce, a mandatory mention between businesses.
    public static let defaultRecoveryIndemnity = "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €."
    public static let defaultEarlyPaymentDiscount = "Pas d'escompte pour paiement anticipé."
    /// Legal ceiling of payment terms between businesses (article L441-10 of the Code de commerce).
    public static let maxPaymentTermsDays = 60

    /// "10 000,50" or "10000.50" → Decimal; nil when it is not a plain decimal number.
    public static func parseDecimal(_ raw: String) -> Decimal? {
        let s = raw.filter { !$0.isWhitespace && $0 != "\u{202F}" && $0 != "\u{00A0}" && $0 != "€" && $0 != "%" }
            .replacingOccurrences(of: ",", with: ".")
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard !s.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))
    }

    static func decimalText(_ d: Decimal) -> String {
        var d = d
        return NSDecimalString(&d, Locale(identifier: "en_US_POSIX"))
    }

    /// Normalises the text fields and lists every problem, field by field.
    public mutating func normalizeAndCheck(siren: String) -> [FieldError] {
        var errors: [FieldError] = []
        func trim(_ s: String?) -> String? { s?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty }
        name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        legalForm = trim(legalForm)
        rcs = trim(rcs)
        addressLine1 = trim(addressLine1)
        addressLine2 = trim(addressLine2)
        postCode = trim(postCode)
        city = trim(city)
        countryCode = countryCode.trimmingCharacters(in: .whitespaces).uppercased()
        invoicePrefix = invoicePrefix.trimmingCharacters(in: .whitespaces)
        recoveryIndemnityText = recoveryIndemnityText.trimmingCharacters(in: .whitespacesAndNewlines)
        earlyPaymentDiscount = earlyPaymentDiscount.trimmingCharacters(in: .whitespacesAndNewlines)
        legalMentions = trim(legalMentions)
        timeZone = timeZone.trimmingCharacters(in: .whitespaces)

        if name.isEmpty { errors.append(FieldError("name", "required", fr: "La raison sociale est obligatoire.", en: "The company name is required.")) }
        if name.count > 200 { errors.append(FieldError("name", "length", fr: "La raison sociale dépasse 200 caractères.", en: "The company name exceeds 200 characters.")) }
        if let l = legalForm, l.count > 100 {
            errors.append(FieldError("legalForm", "length", fr: "La forme juridique dépasse 100 caractères.", en: "The legal form exceeds 100 characters."))
        }
        if let raw = trim(shareCapital) {
            if let d = Self.parseDecimal(raw) {
                shareCapital = Self.decimalText(d)
            } else {
                errors.append(FieldError("shareCapital", "format", fr: "Le capital social est un montant en euros, par exemple 10 000 ou 7 500,50.",
                                         en: "The share capital is an amount in euros, e.g. 10000 or 7500.50."))
            }
        } else {
            shareCapital = nil
        }
        if let r = rcs {
            // "RCS Lyon 842 157 307": the registration number is the SIREN itself.
            let digits = r.filter { $0.isASCII && $0.isNumber }
            if digits.count >= 9 && !digits.contains(siren) {
                errors.append(FieldError("rcs", "mismatch", fr: "Le numéro RCS reprend le SIREN de la société (\(siren)) : « RCS Ville \(siren) ».",
                                         en: "The RCS number is the company's SIREN (\(siren)): “RCS City \(siren)”."))
            }
        }
        if countryCode.count != 2 || !countryCode.allSatisfy({ $0.isASCII && $0.isLetter }) {
            errors.append(FieldError("countryCode", "format", fr: "Code pays ISO à 2 lettres (FR, BE…).", en: "Two-letter ISO country code (FR, BE…)."))
        }
        if countryCode == "FR", let p = postCode, p.count != 5 || !p.allSatisfy({ $0.isASCII && $0.isNumber }) {
            errors.append(FieldError("postCode", "format", fr: "Un code postal français compte 5 chiffres.", en: "A French post code has 5 digits."))
        }
        if (addressLine1 == nil) != (city == nil) {
            errors.append(FieldError(addressLine1 == nil ? "addressLine1" : "city", "required",
                                     fr: "L'adresse du siège demande la rue et la ville.", en: "The registered address needs the street and the city."))
        }
        if invoicePrefix.count > 12 || !invoicePrefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "/") }) {
            errors.append(FieldError("invoicePrefix", "format", fr: "Le préfixe des numéros de facture compte au plus 12 lettres, chiffres, - _ ou /.",
                                     en: "The invoice number prefix has at most 12 letters, digits, - _ or /."))
        }
        if paymentTermsDays < 0 || paymentTermsDays > Self.maxPaymentTermsDays {
            errors.append(FieldError("paymentTermsDays", "range",
                                     fr: "Le délai de paiement va de 0 à \(Self.maxPaymentTermsDays) jours (plafond légal, article L441-10 du Code de commerce).",
                                     en: "Payment terms range from 0 to \(Self.maxPaymentTermsDays) days (legal ceiling, French Commercial Code L441-10)."))
        }
        if let raw = trim(latePenaltyRate) {
            if let d = Self.parseDecimal(raw), d > 0, d <= 100 {
                latePenaltyRate = Self.decimalText(d)
            } else {
                errors.append(FieldError("latePenaltyRate", "format", fr: "Le taux des pénalités de retard est un pourcentage annuel supérieur à 0, par exemple 12,15.",
                                         en: "The late-payment penalty rate is a yearly percentage above 0, e.g. 12.15."))
            }
        } else {
            latePenaltyRate = nil
        }
        if recoveryIndemnityText.isEmpty {
            errors.append(FieldError("recoveryIndemnityText", "required", fr: "La mention de l'indemnité forfaitaire de 40 € est obligatoire sur les factures entre professionnels.",
                                     en: "The €40 fixed recovery indemnity mention is mandatory on invoices between businesses."))
        }
        if earlyPaymentDiscount.isEmpty {
            errors.append(FieldError("earlyPaymentDiscount", "required", fr: "Indiquez les conditions d'escompte, ou « Pas d'escompte pour paiement anticipé ».",
                                     en: "State the early payment discount terms, or “No discount for early payment”."))
        }
        if let m = legalMentions, m.count > 2000 {
            errors.append(FieldError("legalMentions", "length", fr: "Les mentions légales dépassent 2 000 caractères.", en: "The legal mentions exceed 2,000 characters."))
        }
        if TimeZone(identifier: timeZone) == nil {
            errors.append(FieldError("timeZone", "invalid", fr: "Fuseau horaire inconnu : « \(timeZone) » (exemple : Europe/Paris).",
                                     en: "Unknown time zone: “\(timeZone)” (e.g. Europe/Paris)."))
        }
        return errors
    }

    /// What the next invoice number will look like, for the settings page.
    public func sampleInvoiceNumber(year: Int) -> String { InvoiceNumbering.format(prefix: invoicePrefix, year: year, value: 1) }
}

/// A company's identity (fixed) and settings (editable), as read from storage.
public struct CompanyProfile: Sendable, Equatable {
    public var id: String
    public var siren: String
    public var siret: String
    public var vatNumber: String?
    public var settings: CompanySettings
    public var hasLogo: Bool
}

public struct BankAccount: Sendable, Codable, Equatable {
    public var id: String
    public var label: String
    public var holder: String?
    public var iban: String
    public var bic: String?
    public var isDefault: Bool

    public init(id: String = "", label: String, holder: String? = nil, iban: String, bic: String? = nil, isDefault: Bool = false) {
        self.id = id
        self.label = label
        self.holder = holder
        self.iban = iban
        self.bic = bic
        self.isDefault = isDefault
    }

    public mutating func normalizeAndCheck() -> [FieldError] {
        label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        holder = holder?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        iban = BankDetails.compact(iban)
        bic = bic.map(BankDetails.compact)?.nilIfEmpty
        var errors: [FieldError] = []
        if label.isEmpty { errors.append(FieldError("label", "required", fr: "Donnez un nom au compte (ex. « Compte courant »).", en: "Name the account (e.g. “Current account”).")) }
        errors += BankDetails.checkIBAN(iban)
        if let b = bic { errors += BankDetails.checkBIC(b) }
        return errors
    }

    public var groupedIBAN: String { BankDetails.grouped(iban) }
}

public struct CompanyLogo: Sendable, Equatable {
    public var contentType: String
    public var data: Data
}

/// Reading and changing Ma société. Every function takes the company's id: nothing here reads
/// another company's data, and every change is audited in the same transaction.
public enum CompanyProfiles {
    struct Row: Codable {
        var id: String
        var siren: String
        var siret: String
        var name: String
        var legal_form: String?
        var share_capital: String?
        var rcs: String?
        var vat_number: String?
        var address_line1: String?
        var address_line2: String?
        var post_code: String?
        var city: String?
        var country_code: String
        var invoice_prefix: String
        var payment_terms_days: Int
        var late_penalty_rate: String?
        var recovery_indemnity_text: String?
        var early_payment_discount: String?
        var legal_mentions: String?
        var time_zone: String

        var settings: CompanySettings {
            CompanySettings(name: name, legalForm: legal_form, shareCapital: share_capital, rcs: rcs, addressLine1: address_line1,
                            addressLine2: address_line2, postCode: post_code, city: city, countryCode: country_code,
                            invoicePrefix: invoice_prefix, paymentTermsDays: payment_terms_days, latePenaltyRate: late_penalty_rate,
                            recoveryIndemnityText: recovery_indemnity_text ?? CompanySettings.defaultRecoveryIndemnity,
                            earlyPaymentDiscount: early_payment_discount ?? CompanySettings.defaultEarlyPaymentDiscount,
                            legalMentions: legal_mentions, timeZone: time_zone)
        }
    }

    static let columns = ["id", "siren", "siret", "name", "legal_form", "share_capital", "rcs", "vat_number", "address_line1", "address_line2",
                          "post_code", "city", "country_code", "invoice_prefix", "payment_terms_days", "late_penalty_rate",
                          "recovery_indemnity_text", "early_payment_discount", "legal_mentions", "time_zone"]

    /// Milliseconds, so that accounts added one after the other keep their order.
    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    public static func get(_ db: Database, companyID: String) async throws -> CompanyProfile {
        try await get(db.sql, companyID: companyID)
    }

    static func get(_ sql: any SQLDatabase, companyID: String) async throws -> CompanyProfile {
        guard let row = try await sql.select().columns(columns.map { SQLIdentifier($0) }).from("companies")
            .where("id", .equal, companyID).first(decoding: Row.self) else { throw PlatformError.notFound(what: "company") }
        struct Logo: Decodable { let company_id: String }
        let logo = try await sql.select().column("company_id").from("company_logos").where("company_id", .equal, companyID).first(decoding: Logo.self)
        return CompanyProfile(id: row.id, siren: row.siren, siret: row.siret, vatNumber: row.vat_number, settings: row.settings, hasLogo: logo != nil)
    }

    /// Replaces the settings; managers only (the caller passes the actor's role).
    @discardableResult
    public static func update(_ db: Database, companyID: String, role: Role, _ input: CompanySettings, actor: String, ip: String?) async throws -> CompanyProfile {
        try role.require(role.canManageCompany, .managersOnly)
        return try await db.sql.transaction { tx in
            let before = try await get(tx, companyID: companyID)
            var settings = input
            let errors = settings.normalizeAndCheck(siren: before.siren)
            if !errors.isEmpty { throw PlatformError.validation(errors) }
            let s = settings
            try await tx.update("companies")
                .set("name", to: s.name).set("legal_form", to: s.legalForm).set("share_capital", to: s.shareCapital).set("rcs", to: s.rcs)
                .set("address_line1", to: s.addressLine1).set("address_line2", to: s.addressLine2).set("post_code", to: s.postCode)
                .set("city", to: s.city).set("country_code", to: s.countryCode).set("invoice_prefix", to: s.invoicePrefix)
                .set("payment_terms_days", to: s.paymentTermsDays).set("late_penalty_rate", to: s.latePenaltyRate)
                .set("recovery_indemnity_text", to: s.recoveryIndemnityText).set("early_payment_discount", to: s.earlyPaymentDiscount)
                .set("legal_mentions", to: s.legalMentions).set("time_zone", to: s.timeZone).set("updated_at", to: now())
                .where("id", .equal, companyID).run()
            let changes = diff(before.settings, s)
            if !changes.isEmpty {
                try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "company.update", subject: "company:\(companyID)", details: changes)
            }
            var after = before
            after.settings = s
            return after
        }
    }

    /// Field → new value, for the fields that changed.
    static func diff(_ a: CompanySettings, _ b: CompanySettings) -> [String: String] {
        let pairs: [(String, String?, String?)] = [
            ("name", a.name, b.name), ("legalForm", a.legalForm, b.legalForm), ("shareCapital", a.shareCapital, b.shareCapital),
            ("rcs", a.rcs, b.rcs), ("addressLine1", a.addressLine1, b.addressLine1), ("addressLine2", a.addressLine2, b.addressLine2),
            ("postCode", a.postCode, b.postCode), ("city", a.city, b.city), ("countryCode", a.countryCode, b.countryCode),
            ("invoicePrefix", a.invoicePrefix, b.invoicePrefix), ("paymentTermsDays", String(a.paymentTermsDays), String(b.paymentTermsDays)),
            ("latePenaltyRate", a.latePenaltyRate, b.latePenaltyRate), ("recoveryIndemnityText", a.recoveryIndemnityText, b.recoveryIndemnityText),
            ("earlyPaymentDiscount", a.earlyPaymentDiscount, b.earlyPaymentDiscount), ("legalMentions", a.legalMentions, b.legalMentions),
            ("timeZone", a.timeZone, b.timeZone),
        ]
        var out: [String: String] = [:]
        for (field, x, y) in pairs where x != y { out[field] = y ?? "" }
        return out
    }

    // MARK: Bank accounts

    struct BankRow: Codable {
        var id: String
        var company_id: String
        var label: String
        var holder: String?
        var iban: String
        var bic: String?
        var is_default: Bool
        var created_at: String
        var updated_at: String
        var account: BankAccount { BankAccount(id: id, label: label, holder: holder, iban: iban, bic: bic, isDefault: is_default) }
    }

    public static func bankAccounts(_ db: Database, companyID: String) async throws -> [BankAccount] {
        try await db.sql.select().column("*").from("bank_accounts").where("company_id", .equal, companyID)
            .orderBy("created_at").orderBy("id").all(decoding: BankRow.self).map(\.account)
    }

    public static func bankAccount(_ db: Database, companyID: String, id: String) async throws -> BankAccount {
        guard let row = try await db.sql.select().column("*").from("bank_accounts").where("company_id", .equal, companyID)
            .where("id", .equal, id).first(decoding: BankRow.self) else { throw PlatformError.notFound(what: "bank_account") }
        return row.account
    }

    /// The first account becomes the default; making one the default unsets the others, in the same transaction.
    public static func addBankAccount(_ db: Database, companyID: String, role: Role, _ input: BankAccount, actor: String, ip: String?) async throws -> BankAccount {
        try role.require(role.canManageCompany, .managersOnly)
        var account = input
        let errors = account.normalizeAndCheck()
        if !errors.isEmpty { throw PlatformError.validation(errors) }
        account.id = UUID().uuidString.lowercased()
        let draft = account
        return try await db.sql.transaction { tx in
            var a = draft
            struct Count: Decodable { let n: Int }
            let existing = try await tx.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from("bank_accounts").where("company_id", .equal, companyID).first(decoding: Count.self)?.n ?? 0
            if existing == 0 { a.isDefault = true }
            if a.isDefault {
                try await tx.update("bank_accounts").set("is_default", to: false).where("company_id", .equal, companyID).run()
            }
            let t = now()
            try await tx.insert(into: "bank_accounts").model(BankRow(id: a.id, company_id: companyID, label: a.label, holder: a.holder, iban: a.iban,
                                                                     bic: a.bic, is_default: a.isDefault, created_at: t, updated_at: t)).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "bank_account.create", subject: "bank_account:\(a.id)",
                                      details: ["label": a.label, "iban": a.iban, "bic": a.bic ?? "", "default": String(a.isDefault)])
            return a
        }
    }

    public static func updateBankAccount(_ db: Database, companyID: String, role: Role, id: String, _ input: BankAccount,
                                         actor: String, ip: String?) async throws -> BankAccount {
        try role.require(role.canManageCompany, .managersOnly)
        var account = input
        account.id = id
        let errors = account.normalizeAndCheck()
        if !errors.isEmpty { throw PlatformError.validation(errors) }
        let draft = account
        return try await db.sql.transaction { tx in
            var a = draft
            guard let old = try await tx.select().column("*").from("bank_accounts").where("company_id", .equal, companyID)
                .where("id", .equal, id).first(decoding: BankRow.self) else { throw PlatformError.notFound(what: "bank_account") }
            // There is always one default: it changes by choosing another, not by unticking it.
            if old.is_default { a.isDefault = true }
            if a.isDefault && !old.is_default {
                try await tx.update("bank_accounts").set("is_default", to: false).where("company_id", .equal, companyID).run()
            }
            try await tx.update("bank_accounts").set("label", to: a.label).set("holder", to: a.holder).set("iban", to: a.iban)
                .set("bic", to: a.bic).set("is_default", to: a.isDefault).set("updated_at", to: now())
                .where("company_id", .equal, companyID).where("id", .equal, id).run()
            var changes: [String: String] = [:]
            let b = old.account
            for (f, x, y) in [("label", b.label, a.label), ("holder", b.holder ?? "", a.holder ?? ""), ("iban", b.iban, a.iban),
                              ("bic", b.bic ?? "", a.bic ?? ""), ("default", String(b.isDefault), String(a.isDefault))] where x != y {
                changes[f] = y
            }
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "bank_account.update", subject: "bank_account:\(id)", details: changes)
            return a
        }
    }

    /// Deleting the default account makes the oldest remaining one the default.
    public static func deleteBankAccount(_ db: Database, companyID: String, role: Role, id: String, actor: String, ip: String?) async throws {
        try role.require(role.canManageCompany, .managersOnly)
        try await db.sql.transaction { tx in
            guard let old = try await tx.select().column("*").from("bank_accounts").where("company_id", .equal, companyID)
                .where("id", .equal, id).first(decoding: BankRow.self) else { throw PlatformError.notFound(what: "bank_account") }
            try await tx.delete(from: "bank_accounts").where("company_id", .equal, companyID).where("id", .equal, id).run()
            if old.is_default, let next = try await tx.select().column("*").from("bank_accounts").where("company_id", .equal, companyID)
                .orderBy("created_at").orderBy("id").first(decoding: BankRow.self) {
                try await tx.update("bank_accounts").set("is_default", to: true).where("company_id", .equal, companyID).where("id", .equal, next.id).run()
            }
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "bank_account.delete", subject: "bank_account:\(id)",
                                      details: ["label": old.label, "iban": old.iban])
        }
    }

    // MARK: Logo

    public static let maxLogoBytes = 512 * 1024

    /// PNG or JPEG, recognised by their signature (not by the name or the declared type).
    public static func imageType(_ data: Data) -> String? {
        let b = [UInt8](data.prefix(8))
        if b == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return "image/png" }
        if b.count >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF { return "image/jpeg" }
        return nil
    }

    public static func setLogo(_ db: Database, companyID: String, role: Role, data: Data, actor: String, ip: String?) async throws {
        try role.require(role.canManageCompany, .managersOnly)
        if data.isEmpty {
            throw PlatformError.validation([FieldError("logo", "required", fr: "Choisissez un fichier image.", en: "Choose an image file.")])
        }
        if data.count > maxLogoBytes {
            throw PlatformError.validation([FieldError("logo", "size", fr: "Le logo pèse \(data.count / 1024) Ko ; le maximum est \(maxLogoBytes / 1024) Ko.",
                                                       en: "The logo weighs \(data.count / 1024) KB; the maximum is \(maxLogoBytes / 1024) KB.")])
        }
        guard let type = imageType(data) else {
            throw PlatformError.validation([FieldError("logo", "type", fr: "Le logo doit être une image PNG ou JPEG.", en: "The logo must be a PNG or JPEG image.")])
        }
        try await db.sql.transaction { tx in
            _ = try await get(tx, companyID: companyID)
            try await tx.delete(from: "company_logos").where("company_id", .equal, companyID).run()
            try await tx.insert(into: "company_logos").columns("company_id", "content_type", "data", "byte_count", "updated_at")
                .values(SQLBind(companyID), SQLBind(type), SQLBind(data.base64EncodedString()), SQLBind(data.count), SQLBind(now())).run()
            let digest = APITokens.digest(data.base64EncodedString())
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "company.logo", subject: "company:\(companyID)",
                                      details: ["contentType": type, "bytes": String(data.count), "sha256OfBase64": digest])
        }
    }

    public static func deleteLogo(_ db: Database, companyID: String, role: Role, actor: String, ip: String?) async throws {
        try role.require(role.canManageCompany, .managersOnly)
        try await db.sql.transaction { tx in
            try await tx.delete(from: "company_logos").where("company_id", .equal, companyID).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "company.logo.delete", subject: "company:\(companyID)")
        }
    }

    public static func logo(_ db: Database, companyID: String) async throws -> CompanyLogo? {
        struct Row: Decodable { let content_type: String; let data: String }
        guard let row = try await db.sql.select().columns("content_type", "data").from("company_logos")
            .where("company_id", .equal, companyID).first(decoding: Row.self), let data = Data(base64Encoded: row.data) else { return nil }
        return CompanyLogo(contentType: row.content_type, data: data)
    }
}
