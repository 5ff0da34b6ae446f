import Crypto
import Foundation
import HummingbirdBcrypt
import InvoiceValidation
import SQLKit

public struct CompanyRecord: Sendable, Codable, Equatable {
    public var id: String
    public var siren: String
    public var siret: String
    public var name: String
    public var legalForm: String?
    public var shareCapital: String?
    public var rcs: String?
    public var vatNumber: String?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, siren, siret, name, rcs
        case legalForm = "legal_form", shareCapital = "share_capital", vatNumber = "vat_number", createdAt = "created_at"
    }
}

public struct UserRecord: Sendable, Codable, Equatable {
    public var id: String
    public var email: String
    public var fullName: String
    public var passwordHash: String?
    public var active: Bool
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, email, active
        case fullName = "full_name", passwordHash = "password_hash", createdAt = "created_at"
    }
}

/// Creating companies and their principal manager; reading a company.
public enum Companies {
    public struct NewCompany: Sendable {
        public var siret: String
        public var name: String
        public var adminEmail: String
        public var adminName: String
        public var password: String
        public init(siret: String, name: String, adminEmail: String, adminName: String, password: String) {
            self.siret = siret
            self.name = name
            self.adminEmail = adminEmail
            self.adminName = adminName
            self.password = password
        }
    }

    static func now() -> String { ISOTime.string(Date()) }

    /// Every field checked, every problem reported at once.
    public static func check(_ c: NewCompany) -> [FieldError] {
        var errors: [FieldError] = []
        let siret = FrenchIdentifiers.compact(c.siret)
        if siret.count != 14 || !siret.allSatisfy({ $0.isASCII && $0.isNumber }) {
            errors.append(FieldError("siret", "format", fr: "Le SIRET compte 14 chiffres.", en: "A SIRET has 14 digits."))
        } else if !FrenchIdentifiers.isValidSIRET(siret) {
            errors.append(FieldError("siret", "checksum", fr: "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez-le sur votre extrait Kbis ou l'avis de situation INSEE.",
                                     en: "This SIRET cannot exist: its check digit is wrong. Check it against your registration documents."))
        }
        if c.name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(FieldError("name", "required", fr: "La raison sociale est obligatoire.", en: "The company name is required."))
        }
        if !Companies.isEmail(c.adminEmail) {
            errors.append(FieldError("adminEmail", "format", fr: "Adresse électronique invalide.", en: "Invalid email address."))
        }
        if c.password.count < 12 {
            errors.append(FieldError("password", "length", fr: "Le mot de passe doit compter au moins 12 caractères.", en: "The password must have at least 12 characters."))
        }
        return errors
    }

    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !s.contains(where: { $0.isWhitespace }) else { return false }
        return true
    }

    /// Creates the company and its principal manager (gestionnaire principal) in one transaction,
    /// recorded in the company's audit trail.
    public static func create(_ db: Database, _ c: NewCompany, actor: String, ip: String?) async throws -> (CompanyRecord, UserRecord) {
        let errors = check(c)
        if !errors.isEmpty { throw PlatformError.validation(errors) }
        let siret = FrenchIdentifiers.compact(c.siret)
        let siren = String(siret.prefix(9))
        let email = c.adminEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let hash = Bcrypt.hash(c.password, cost: 10)
        let company = CompanyRecord(id: UUID().uuidString.lowercased(), siren: siren, siret: siret, name: c.name.trimmingCharacters(in: .whitespaces),
                                    legalForm: nil, shareCapital: nil, rcs: nil, vatNumber: FrenchIdentifiers.vatNumber(siren: siren), createdAt: now())
        let result: (CompanyRecord, UserRecord) = try await db.sql.transaction { tx in
            struct Existing: Decodable { let id: String }
            if try await tx.select().column("id").from("companies").where("siret", .equal, siret).first(decoding: Existing.self) != nil {
                throw PlatformError.conflict(field: "siret", fr: "Une société avec ce SIRET est déjà inscrite sur Facteur.",
                                             en: "A company with this SIRET is already registered on Facteur.")
            }
            try await tx.insert(into: "companies").model(company).run()
            var user: UserRecord
            if let existing = try await tx.select().column("*").from("users").where("email", .equal, email).first(decoding: UserRecord.self) {
                user = existing // one person, several companies
            } else {
                user = UserRecord(id: UUID().uuidString.lowercased(), email: email, fullName: c.adminName, passwordHash: hash, active: true, createdAt: now())
                try await tx.insert(into: "users").model(user).run()
            }
            try await tx.insert(into: "memberships").columns("company_id", "user_id", "role", "is_principal", "created_at")
                .values(SQLBind(company.id), SQLBind(user.id), SQLBind("manager"), SQLBind(true), SQLBind(now())).run()
            try await AuditLog.append(tx, companyID: company.id, actor: actor, ip: ip, action: "company.create", subject: "company:\(company.id)",
                                      details: ["siret": siret, "name": company.name, "principal": email])
            user.passwordHash = nil
            return (company, user)
        }
        return result
    }

    public static func find(_ db: Database, siret: String) async throws -> CompanyRecord? {
        try await db.sql.select().column("*").from("companies").where("siret", .equal, FrenchIdentifiers.compact(siret)).first(decoding: CompanyRecord.self)
    }

    public static func find(_ db: Database, id: String) async throws -> CompanyRecord? {
        try await db.sql.select().column("*").from("companies").where("id", .equal, id).first(decoding: CompanyRecord.self)
    }
}
