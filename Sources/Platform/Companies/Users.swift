import Crypto
import Foundation
import HummingbirdBcrypt
import SQLKit

/// A person's access to one company.
public struct Member: Sendable, Codable, Equatable {
    public var userID: String
    public var email: String
    public var fullName: String
    public var role: Role
    public var isPrincipal: Bool
    public var since: String
}

/// One company a person belongs to (for the company switcher).
public struct CompanyMembership: Sendable, Codable, Equatable {
    public var companyID: String
    public var companyName: String
    public var siret: String
    public var role: Role
    public var isPrincipal: Bool
}

public struct Invitation: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case pending, accepted, revoked, expired }
    public var id: String
    public var email: String
    public var role: Role
    public var invitedBy: String
    public var createdAt: String
    public var expiresAt: String
    public var status: Status
}

/// An invitation as its recipient sees it, before accepting.
public struct InvitationPreview: Sendable, Equatable {
    public var invitation: Invitation
    public var companyID: String
    public var companyName: String
    /// The invited address already has an account: accepting adds the company to it (after logging in).
    public var userExists: Bool
}

/// Why an invitation link cannot be used, said to the person who clicked it.
public enum InvitationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown, expired, used, revoked
    /// The address has an account: the person must log in as that account first.
    case loginRequired(email: String)
    /// Logged in as someone else than the invited address.
    case wrongAccount(email: String)

    public var fr: String {
        switch self {
        case .unknown: return "Ce lien d'invitation n'existe pas. Vérifiez qu'il a été copié en entier."
        case .expired: return "Cette invitation a expiré. Demandez au gestionnaire de la société de vous inviter à nouveau."
        case .used: return "Cette invitation a déjà été acceptée : connectez-vous."
        case .revoked: return "Cette invitation a été annulée par la société."
        case .loginRequired(let e): return "Un compte Facteur existe déjà pour \(e) : connectez-vous avec ce compte pour rejoindre la société."
        case .wrongAccount(let e): return "Cette invitation est adressée à \(e) : déconnectez-vous, puis connectez-vous avec ce compte."
        }
    }

    public var en: String {
        switch self {
        case .unknown: return "This invitation link does not exist. Check it was copied in full."
        case .expired: return "This invitation has expired. Ask the company's manager to invite you again."
        case .used: return "This invitation has already been accepted: log in."
        case .revoked: return "This invitation was cancelled by the company."
        case .loginRequired(let e): return "A Facteur account already exists for \(e): log in with it to join the company."
        case .wrongAccount(let e): return "This invitation is for \(e): log out, then log in with that account."
        }
    }

    public var description: String { en }
}

/// Mes utilisateurs: members, roles and invitations of a company. Every function is scoped to one
/// company; managing functions take the actor's role and refuse non-managers.
public enum Users {
    public static let invitationValidity: TimeInterval = 7 * 24 * 3600

    static func now(_ d: Date = Date()) -> String { ISOTime.string(d) }

    struct MemberRow: Decodable {
        let user_id: String
        let email: String
        let full_name: String
        let role: String
        let is_principal: Bool
        let created_at: String
        var member: Member {
            Member(userID: user_id, email: email, fullName: full_name, role: Role(rawValue: role) ?? .viewer, isPrincipal: is_principal, since: created_at)
        }
    }

    static func memberQuery(_ sql: any SQLDatabase, companyID: String) -> SQLSelectBuilder {
        sql.select().column(SQLColumn("user_id", table: "m")).column(SQLColumn("email", table: "u")).column(SQLColumn("full_name", table: "u"))
            .column(SQLColumn("role", table: "m")).column(SQLColumn("is_principal", table: "m")).column(SQLColumn("created_at", table: "m"))
            .from(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")))
            .join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), method: SQLJoinMethod.inner,
                  on: SQLColumn("id", table: "u"), .equal, SQLColumn("user_id", table: "m"))
            .where(SQLColumn("company_id", table: "m"), .equal, SQLBind(companyID))
    }

    public static func members(_ db: Database, companyID: String) async throws -> [Member] {
        try await memberQuery(db.sql, companyID: companyID).orderBy(SQLColumn("is_principal", table: "m"), SQLDirection.descending)
            .orderBy(SQLColumn("email", table: "u")).all(decoding: MemberRow.self).map(\.member)
    }

    public static func member(_ db: Database, companyID: String, userID: String) async throws -> Member {
        try await member(db.sql, companyID: companyID, userID: userID)
    }

    static func member(_ sql: any SQLDatabase, companyID: String, userID: String) async throws -> Member {
        guard let row = try await memberQuery(sql, companyID: companyID).where(SQLColumn("user_id", table: "m"), .equal, SQLBind(userID))
            .first(decoding: MemberRow.self) else { throw PlatformError.notFound(what: "user") }
        return row.member
    }

    /// The person's role in the company, or nil when they do not belong to it.
    public static func role(_ db: Database, userID: String, companyID: String) async throws -> Role? {
        struct Row: Decodable { let role: String }
        return try await db.sql.select().column("role").from("memberships").where("company_id", .equal, companyID)
            .where("user_id", .equal, userID).first(decoding: Row.self).flatMap { Role(rawValue: $0.role) }
    }

    /// Every company the person belongs to, by name.
    public static func memberships(_ db: Database, userID: String) async throws -> [CompanyMembership] {
        struct Row: Decodable { let company_id: String; let name: String; let siret: String; let role: String; let is_principal: Bool }
        return try await db.sql.select().column(SQLColumn("company_id", table: "m")).column(SQLColumn("name", table: "c"))
            .column(SQLColumn("siret", table: "c")).column(SQLColumn("role", table: "m")).column(SQLColumn("is_principal", table: "m"))
            .from(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")))
            .join(SQLAlias(SQLIdentifier("companies"), as: SQLIdentifier("c")), method: SQLJoinMethod.inner,
                  on: SQLColumn("id", table: "c"), .equal, SQLColumn("company_id", table: "m"))
            .where(SQLColumn("user_id", table: "m"), .equal, SQLBind(userID))
            .orderBy(SQLColumn("name", table: "c")).all(decoding: Row.self)
            .map { CompanyMembership(companyID: $0.company_id, companyName: $0.name, siret: $0.siret, role: Role(rawValue: $0.role) ?? .viewer, isPrincipal: $0.is_principal) }
    }

    // MARK: Invitations

    struct InvitationRow: Codable {
        var id: String
        var company_id: String
        var email: String
        var role: String
        var token_hash: String
        var invited_by: String
        var created_at: String
        var expires_at: String
        var accepted_at: String?
        var accepted_by: String?
        var revoked_at: String?

        func invitation(at date: Date = Date()) -> Invitation {
            let status: Invitation.Status
            if accepted_at != nil { status = .accepted } else if revoked_at != nil { status = .revoked } else if
                let e = ISO8601DateFormatter().date(from: expires_at), e < date { status = .expired } else { status = .pending }
            return Invitation(id: id, email: email, role: Role(rawValue: role) ?? .viewer, invitedBy: invited_by, createdAt: created_at,
                              expiresAt: expires_at, status: status)
        }
    }

    /// Pending invitations, newest first (accepted, revoked and expired ones are history).
    public static func invitations(_ db: Database, companyID: String) async throws -> [Invitation] {
        try await db.sql.select().column("*").from("invitations").where("company_id", .equal, companyID)
            .orderBy("created_at", .descending).all(decoding: InvitationRow.self).map { $0.invitation() }.filter { $0.status == .pending }
    }

    public struct Invited: Sendable {
        public var invitation: Invitation
        /// Shown once (only its SHA-256 is stored): goes into the emailed link.
        public var token: String
        public var acceptPath: String { "/invitations/accepter?token=\(token)" }
    }

    static func newToken() -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        return "inv_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Invites an address with a role. A newer invitation to the same address replaces the pending one.
    public static func invite(_ db: Database, companyID: String, actorRole: Role, email rawEmail: String, role: Role?,
                              actor: String, ip: String?, now date: Date = Date()) async throws -> Invited {
        try actorRole.require(actorRole.canManageCompany, .managersOnly)
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        var errors: [FieldError] = []
        if !Companies.isEmail(email) {
            errors.append(FieldError("email", "format", fr: "Adresse électronique invalide.", en: "Invalid email address."))
        }
        if role == nil {
            errors.append(FieldError("role", "invalid", fr: "Choisissez un rôle : gestionnaire, émetteur, valideur ou lecteur.",
                                     en: "Choose a role: manager, issuer, approver or viewer."))
        }
        if !errors.isEmpty { throw PlatformError.validation(errors) }
        let token = newToken()
        let row = InvitationRow(id: UUID().uuidString.lowercased(), company_id: companyID, email: email, role: role!.rawValue,
                                token_hash: APITokens.digest(token), invited_by: actor, created_at: now(date),
                                expires_at: now(date.addingTimeInterval(invitationValidity)), accepted_at: nil, accepted_by: nil, revoked_at: nil)
        try await db.sql.transaction { tx in
            struct Existing: Decodable { let user_id: String }
            if try await tx.select().column(SQLColumn("user_id", table: "m")).from(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")))
                .join(SQLAlias(SQLIdentifier("users"), as: SQLIdentifier("u")), method: SQLJoinMethod.inner,
                      on: SQLColumn("id", table: "u"), .equal, SQLColumn("user_id", table: "m"))
                .where(SQLColumn("company_id", table: "m"), .equal, SQLBind(companyID)).where(SQLColumn("email", table: "u"), .equal, SQLBind(email))
                .first(decoding: Existing.self) != nil {
                throw PlatformError.conflict(field: "email", fr: "\(email) a déjà accès à la société.", en: "\(email) already has access to the company.")
            }
            try await tx.update("invitations").set("revoked_at", to: now(date)).where("company_id", .equal, companyID).where("email", .equal, email)
                .where(SQLIdentifier("accepted_at"), .is, SQLLiteral.null).where(SQLIdentifier("revoked_at"), .is, SQLLiteral.null).run()
            try await tx.insert(into: "invitations").model(row).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "user.invite", subject: "invitation:\(row.id)",
                                      details: ["email": email, "role": row.role, "expiresAt": row.expires_at])
        }
        return Invited(invitation: row.invitation(at: date), token: token)
    }

    public static func revokeInvitation(_ db: Database, companyID: String, actorRole: Role, id: String, actor: String, ip: String?) async throws {
        try actorRole.require(actorRole.canManageCompany, .managersOnly)
        try await db.sql.transaction { tx in
            guard let row = try await tx.select().column("*").from("invitations").where("company_id", .equal, companyID).where("id", .equal, id)
                .first(decoding: InvitationRow.self), row.invitation().status == .pending else { throw PlatformError.notFound(what: "invitation") }
            try await tx.update("invitations").set("revoked_at", to: now()).where("company_id", .equal, companyID).where("id", .equal, id).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "user.invite.revoke", subject: "invitation:\(id)",
                                      details: ["email": row.email])
        }
    }

    static func usable(_ row: InvitationRow?, at date: Date) throws -> InvitationRow {
        guard let row else { throw InvitationProblem.unknown }
        switch row.invitation(at: date).status {
        case .pending: return row
        case .accepted: throw InvitationProblem.used
        case .revoked: throw InvitationProblem.revoked
        case .expired: throw InvitationProblem.expired
        }
    }

    /// What the link's recipient is invited to; throws `InvitationProblem` when the link cannot be used.
    public static func preview(_ db: Database, token: String, now date: Date = Date()) async throws -> InvitationPreview {
        let row = try usable(try await db.sql.select().column("*").from("invitations").where("token_hash", .equal, APITokens.digest(token))
            .first(decoding: InvitationRow.self), at: date)
        let company = try await CompanyProfiles.get(db, companyID: row.company_id)
        struct U: Decodable { let id: String }
        let exists = try await db.sql.select().column("id").from("users").where("email", .equal, row.email).first(decoding: U.self) != nil
        return InvitationPreview(invitation: row.invitation(at: date), companyID: row.company_id, companyName: company.settings.name, userExists: exists)
    }

    public struct NewAccount: Sendable {
        public var fullName: String
        public var password: String
        public init(fullName: String, password: String) {
            self.fullName = fullName
            self.password = password
        }
    }

    /// Accepts an invitation: adds the membership to the existing account of the invited address
    /// (the person must be logged in as that account: `actingUserID`), or creates the account with
    /// `newAccount`. Single use: the link stops working once accepted. Returns the user and company.
    public static func accept(_ db: Database, token: String, actingUserID: String?, newAccount: NewAccount?, ip: String?,
                              now date: Date = Date()) async throws -> (userID: String, companyID: String) {
        let hash = APITokens.digest(token)
        // Bcrypt is slow on purpose: hash outside the transaction.
        let passwordHash: String? = newAccount.flatMap { $0.password.count >= 12 ? Bcrypt.hash($0.password, cost: 10) : nil }
        return try await db.sql.transaction { tx in
            let row = try usable(try await tx.select().column("*").from("invitations").where("token_hash", .equal, hash)
                .first(decoding: InvitationRow.self), at: date)
            struct U: Decodable { let id: String; let email: String }
            var userID: String
            if let existing = try await tx.select().columns("id", "email").from("users").where("email", .equal, row.email).first(decoding: U.self) {
                guard let acting = actingUserID else { throw InvitationProblem.loginRequired(email: row.email) }
                guard acting == existing.id else { throw InvitationProblem.wrongAccount(email: row.email) }
                userID = existing.id
            } else {
                var errors: [FieldError] = []
                let name = newAccount?.fullName.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if name.isEmpty { errors.append(FieldError("fullName", "required", fr: "Indiquez vos prénom et nom.", en: "Give your first and last name.")) }
                if passwordHash == nil {
                    errors.append(FieldError("password", "length", fr: "Le mot de passe doit compter au moins 12 caractères.", en: "The password must have at least 12 characters."))
                }
                if !errors.isEmpty { throw PlatformError.validation(errors) }
                userID = UUID().uuidString.lowercased()
                try await tx.insert(into: "users").model(UserRecord(id: userID, email: row.email, fullName: name, passwordHash: passwordHash,
                                                                    active: true, createdAt: now(date))).run()
            }
            struct M: Decodable { let role: String }
            if try await tx.select().column("role").from("memberships").where("company_id", .equal, row.company_id).where("user_id", .equal, userID)
                .first(decoding: M.self) == nil {
                try await tx.insert(into: "memberships").columns("company_id", "user_id", "role", "is_principal", "created_at")
                    .values(SQLBind(row.company_id), SQLBind(userID), SQLBind(row.role), SQLBind(false), SQLBind(now(date))).run()
            }
            try await tx.update("invitations").set("accepted_at", to: now(date)).set("accepted_by", to: userID).where("id", .equal, row.id).run()
            try await AuditLog.append(tx, companyID: row.company_id, actor: "user:\(userID)", ip: ip, action: "user.join", subject: "invitation:\(row.id)",
                                      details: ["email": row.email, "role": row.role, "userId": userID])
            return (userID, row.company_id)
        }
    }

    // MARK: Roles and removal

    static let principalStays = FieldError("role", "principal", fr: "Le gestionnaire principal reste gestionnaire : il ne peut être ni rétrogradé ni retiré.",
                                           en: "The principal manager stays a manager: they can be neither demoted nor removed.")

    public static func changeRole(_ db: Database, companyID: String, actorRole: Role, userID: String, to role: Role,
                                  actor: String, ip: String?) async throws -> Member {
        try actorRole.require(actorRole.canManageCompany, .managersOnly)
        return try await db.sql.transaction { tx in
            var m = try await member(tx, companyID: companyID, userID: userID)
            if m.isPrincipal && role != .manager { throw PlatformError.validation([principalStays]) }
            if m.role == role { return m }
            try await tx.update("memberships").set("role", to: role.rawValue).where("company_id", .equal, companyID).where("user_id", .equal, userID).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "user.role", subject: "user:\(userID)",
                                      details: ["email": m.email, "from": m.role.rawValue, "to": role.rawValue])
            m.role = role
            return m
        }
    }

    /// Removes the person's access to this company in one action (their account and other companies stay).
    public static func remove(_ db: Database, companyID: String, actorRole: Role, userID: String, actor: String, ip: String?) async throws {
        try actorRole.require(actorRole.canManageCompany, .managersOnly)
        try await db.sql.transaction { tx in
            let m = try await member(tx, companyID: companyID, userID: userID)
            if m.isPrincipal {
                throw PlatformError.conflict(field: "userId", fr: "Le gestionnaire principal ne peut pas être retiré de la société.",
                                             en: "The principal manager cannot be removed from the company.")
            }
            try await tx.delete(from: "memberships").where("company_id", .equal, companyID).where("user_id", .equal, userID).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "user.remove", subject: "user:\(userID)",
                                      details: ["email": m.email, "role": m.role.rawValue])
        }
    }
}
