import Foundation
import HummingbirdBcrypt
import InvoiceValidation
import NIOPosix
import SQLKit

/// People signing up, in and out; activation and password-reset links; login throttling.
public enum Accounts {
    /// An activation link is valid for 24 hours, a password-reset link for one hour.
    public static let activationLifetime: TimeInterval = 24 * 3600
    public static let resetLifetime: TimeInterval = 3600
    /// Login throttling: at most this many failures per email, and per address, in the window.
    public static let maxFailuresPerEmail = 5
    public static let maxFailuresPerAddress = 20
    public static let throttleWindow: TimeInterval = 15 * 60
    public static let minimumPasswordLength = 12
    static let dummyHash = Bcrypt.hash("no account has this password", cost: 10)

    public enum TokenKind: String, Sendable { case signup, reset }

    public struct AccountToken: Sendable, Codable, Equatable {
        public var tokenHash: String
        public var kind: String
        public var email: String
        public var userID: String?
        public var siret: String?
        public var createdAt: String
        public var expiresAt: String
        public var usedAt: String?
        enum CodingKeys: String, CodingKey {
            case kind, email, siret
            case tokenHash = "token_hash", userID = "user_id", createdAt = "created_at", expiresAt = "expires_at", usedAt = "used_at"
        }
    }

    // MARK: People and their companies

    public static func activeUser(_ db: Database, id: String) async throws -> UserRecord? {
        try await db.sql.select().column("*").from("users").where("id", .equal, id).where("active", .equal, true).first(decoding: UserRecord.self)
    }

    public static func user(_ db: Database, email: String) async throws -> UserRecord? {
        try await db.sql.select().column("*").from("users").where("email", .equal, normalize(email)).first(decoding: UserRecord.self)
    }

    public static func normalize(_ email: String) -> String { email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }

    public static func memberships(_ db: Database, userID: String) async throws -> [MembershipSummary] {
        struct Row: Decodable {
            let company_id: String, name: String, siret: String, role: String, is_principal: Bool
        }
        let rows = try await db.sql.raw("""
            SELECT m.company_id, c.name, c.siret, m.role, m.is_principal FROM memberships m
            JOIN companies c ON c.id = m.company_id WHERE m.user_id = \(bind: userID) ORDER BY c.name
            """).all(decoding: Row.self)
        return rows.map { MembershipSummary(companyID: $0.company_id, companyName: $0.name, siret: $0.siret, role: $0.role, isPrincipal: $0.is_principal) }
    }

    // MARK: Login

    public enum LoginResult: Sendable, Equatable {
        case success(UserRecord)
        case wrongCredentials
        /// Too many failures recently: try again after this many minutes.
        case throttled(minutes: Int)
    }

    /// Checks an email and password, counting failures per email and per address.
    public static func login(_ db: Database, email rawEmail: String, password: String, ip: String?, now: Date = Date()) async throws -> LoginResult {
        let email = normalize(rawEmail)
        let address = ip ?? "unknown"
        let since = Timestamp.string(now.addingTimeInterval(-throttleWindow))
        struct Count: Decodable { let n: Int }
        let byEmail = try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM login_attempts WHERE email = \(bind: email) AND succeeded = \(bind: false) AND at > \(bind: since)
            """).first(decoding: Count.self)?.n ?? 0
        let byAddress = try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM login_attempts WHERE ip = \(bind: address) AND succeeded = \(bind: false) AND at > \(bind: since)
            """).first(decoding: Count.self)?.n ?? 0
        if byEmail >= maxFailuresPerEmail || byAddress >= maxFailuresPerAddress {
            return .throttled(minutes: Int(throttleWindow / 60))
        }
        let user = try await self.user(db, email: email)
        // Bcrypt runs off the event loops; an unknown email costs the same time as a wrong password.
        let hash = user?.passwordHash ?? dummyHash
        let ok = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        let succeeded = ok && user != nil && user!.active
        try await db.sql.insert(into: "login_attempts").columns("id", "email", "ip", "succeeded", "at")
            .values(SQLBind(UUID().uuidString.lowercased()), SQLBind(email), SQLBind(address), SQLBind(succeeded), SQLBind(Timestamp.string(now))).run()
        guard succeeded, var user else { return .wrongCredentials }
        user.passwordHash = nil
        return .success(user)
    }

    /// Forgets login attempts older than a day and account links expired for a week: they only
    /// matter within their window.
    public static func purgeOld(_ db: Database, now: Date = Date()) async throws {
        try await db.sql.delete(from: "login_attempts").where("at", .lessThan, Timestamp.string(now.addingTimeInterval(-86400))).run()
        try await db.sql.delete(from: "account_tokens").where("expires_at", .lessThan, Timestamp.string(now.addingTimeInterval(-7 * 86400))).run()
    }

    // MARK: Account links

    /// Creates a single-use link token; returns the token (for the email) — only its hash is stored.
    static func createToken(_ db: Database, kind: TokenKind, email: String, userID: String?, siret: String?, lifetime: TimeInterval,
                            now: Date = Date()) async throws -> String {
        let token = Tokens.random()
        let record = AccountToken(tokenHash: Tokens.hash(token), kind: kind.rawValue, email: normalize(email), userID: userID, siret: siret,
                                  createdAt: Timestamp.string(now), expiresAt: Timestamp.string(now.addingTimeInterval(lifetime)), usedAt: nil)
        try await db.sql.insert(into: "account_tokens").model(record).run()
        return token
    }

    /// The token if it exists, is of this kind, unused and not expired (does not use it).
    public static func peekToken(_ db: Database, _ token: String, kind: TokenKind, now: Date = Date()) async throws -> AccountToken? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        return try await db.sql.select().column("*").from("account_tokens")
            .where("token_hash", .equal, Tokens.hash(token)).where("kind", .equal, kind.rawValue)
            .where("used_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, Timestamp.string(now))
            .first(decoding: AccountToken.self)
    }

    /// Uses a token: one conditional update, so two concurrent uses cannot both succeed.
    public static func consumeToken(_ db: any SQLDatabase, _ token: String, kind: TokenKind, now: Date = Date()) async throws -> AccountToken? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        let nowText = Timestamp.string(now)
        return try await db.raw("""
            UPDATE account_tokens SET used_at = \(bind: nowText)
            WHERE token_hash = \(bind: Tokens.hash(token)) AND kind = \(bind: kind.rawValue) AND used_at IS NULL AND expires_at > \(bind: nowText)
            RETURNING token_hash, kind, email, user_id, siret, created_at, expires_at, used_at
            """).first(decoding: AccountToken.self)
    }

    // MARK: Sign-up, step 1

    /// Checks the email and SIRET of a sign-up; every problem at once, field by field.
    public static func checkSignUpStart(_ db: Database, email: String, siret rawSIRET: String) async throws -> [FieldError] {
        var errors: [FieldError] = []
        if !Companies.isEmail(normalize(email)) {
            errors.append(FieldError("email", "format", fr: "Saisissez une adresse électronique valide, par exemple nom@societe.fr.",
                                     en: "Enter a valid email address, for example name@company.com."))
        }
        let siret = FrenchIdentifiers.compact(rawSIRET)
        if siret.isEmpty {
            errors.append(FieldError("siret", "required", fr: "Saisissez le SIRET de votre société (14 chiffres).", en: "Enter your company's SIRET (14 digits)."))
        } else if let e = Companies.check(.init(siret: siret, name: "-", adminEmail: "a@b.fr", adminName: "-",
                                                password: String(repeating: "-", count: 12))).first(where: { $0.field == "siret" }) {
            errors.append(e) // the same SIRET rules (and words) as the API
        } else if try await Companies.find(db, siret: siret) != nil {
            errors.append(FieldError("siret", "taken", fr: "Une société avec ce SIRET est déjà inscrite sur Facteur. Demandez à son gestionnaire de vous inviter, ou connectez-vous.",
                                     en: "A company with this SIRET is already registered on Facteur. Ask its manager to invite you, or sign in."))
        }
        return errors
    }

    /// Step 1 of the sign-up: after the checks, an activation link is emailed. Returns the field
    /// errors (empty when the email is on its way).
    public static func startSignUp(_ db: Database, outbox: Outbox, email: String, siret rawSIRET: String, baseURL: String, lang: Lang) async throws -> [FieldError] {
        let errors = try await checkSignUpStart(db, email: email, siret: rawSIRET)
        if !errors.isEmpty { return errors }
        let siret = FrenchIdentifiers.compact(rawSIRET)
        let token = try await createToken(db, kind: .signup, email: email, userID: nil, siret: siret, lifetime: activationLifetime)
        let link = baseURL + WebRoute.activate(token: token).path
        try await outbox.enqueue(MailTemplates.activation(to: normalize(email), siret: siret, link: link, lang: lang))
        return []
    }

    // MARK: Sign-up, step 2

    public struct Activation: Sendable {
        public var fullName: String
        public var password: String
        public var passwordConfirmation: String
        public var companyName: String
        public var legalForm: String
        public var shareCapital: String
        public var rcs: String
        public init(fullName: String, password: String, passwordConfirmation: String, companyName: String, legalForm: String = "",
                    shareCapital: String = "", rcs: String = "") {
            self.fullName = fullName
            self.password = password
            self.passwordConfirmation = passwordConfirmation
            self.companyName = companyName
            self.legalForm = legalForm
            self.shareCapital = shareCapital
            self.rcs = rcs
        }
    }

    /// The legal forms offered on the sign-up form (the most common in France).
    public static let legalForms = ["EI", "EURL", "SARL", "SAS", "SASU", "SA", "SCI", "SCOP", "SNC", "Association", "Autre"]

    public static func checkActivation(_ a: Activation, existingUser: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if !existingUser {
            if a.fullName.trimmingCharacters(in: .whitespaces).isEmpty {
                errors.append(FieldError("fullName", "required", fr: "Saisissez vos prénom et nom.", en: "Enter your full name."))
            }
            if a.password.count < minimumPasswordLength {
                errors.append(FieldError("password", "length", fr: "Le mot de passe doit compter au moins \(minimumPasswordLength) caractères.",
                                         en: "The password must have at least \(minimumPasswordLength) characters."))
            } else if a.password != a.passwordConfirmation {
                errors.append(FieldError("passwordConfirmation", "mismatch", fr: "Les deux mots de passe sont différents.", en: "The two passwords differ."))
            }
        }
        if a.companyName.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(FieldError("companyName", "required", fr: "Saisissez la raison sociale de la société.", en: "Enter the company's legal name."))
        }
        if !a.legalForm.isEmpty && !legalForms.contains(a.legalForm) {
            errors.append(FieldError("legalForm", "unknown", fr: "Choisissez une forme juridique dans la liste.", en: "Choose a legal form from the list."))
        }
        if !a.shareCapital.isEmpty {
            let compact = a.shareCapital.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "").replacingOccurrences(of: ",", with: ".")
            if Decimal(string: compact, locale: Locale(identifier: "en_US_POSIX")) == nil || !compact.allSatisfy({ $0.isNumber || $0 == "." }) {
                errors.append(FieldError("shareCapital", "format", fr: "Le capital social est un montant en euros, par exemple 10 000 ou 1500,50.",
                                         en: "The share capital is an amount in euros, for example 10000 or 1500.50."))
            }
        }
        return errors
    }

    public enum ActivationResult: Sendable {
        case created(company: CompanyRecord, user: UserRecord)
        case invalid([FieldError])
        case expired
    }

    /// Step 2: the link's token, the person's and the company's details → the company, its
    /// principal manager. The token is used only when everything else is right.
    public static func activate(_ db: Database, token: String, _ a: Activation, ip: String?) async throws -> ActivationResult {
        guard let pending = try await peekToken(db, token, kind: .signup), let siret = pending.siret else { return .expired }
        let existing = try await user(db, email: pending.email)
        var errors = checkActivation(a, existingUser: existing != nil)
        if try await Companies.find(db, siret: siret) != nil {
            errors.append(FieldError("siret", "taken", fr: "Une société avec ce SIRET vient d'être inscrite sur Facteur.",
                                     en: "A company with this SIRET has just been registered on Facteur."))
        }
        if !errors.isEmpty { return .invalid(errors) }
        guard try await consumeToken(db.sql, token, kind: .signup) != nil else { return .expired }
        let (company, user) = try await Companies.create(db, .init(siret: siret, name: a.companyName, adminEmail: pending.email,
                                                                   adminName: a.fullName.trimmingCharacters(in: .whitespaces),
                                                                   password: existing == nil ? a.password : String(repeating: "x", count: 12)),
                                                         actor: pending.email, ip: ip)
        let capital = a.shareCapital.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "").replacingOccurrences(of: ",", with: ".")
        try await db.sql.update("companies")
            .set("legal_form", to: a.legalForm.isEmpty ? nil : a.legalForm)
            .set("share_capital", to: capital.isEmpty ? nil : capital)
            .set("rcs", to: a.rcs.trimmingCharacters(in: .whitespaces).isEmpty ? nil : a.rcs.trimmingCharacters(in: .whitespaces))
            .where("id", .equal, company.id).run()
        return .created(company: try await Companies.find(db, id: company.id) ?? company, user: user)
    }

    // MARK: Password reset

    /// Emails a reset link when the address has an account; says nothing either way (the page
    /// shows the same message, so nobody learns which addresses have an account).
    public static func requestPasswordReset(_ db: Database, outbox: Outbox, email: String, baseURL: String, lang: Lang) async throws {
        guard let user = try await user(db, email: email), user.active else { return }
        let token = try await createToken(db, kind: .reset, email: user.email, userID: user.id, siret: nil, lifetime: resetLifetime)
        try await outbox.enqueue(MailTemplates.passwordReset(to: user.email, name: user.fullName, link: baseURL + WebRoute.passwordReset(token: token).path, lang: lang))
    }

    public enum ResetResult: Sendable, Equatable {
        case done(userID: String)
        case invalid([FieldError])
        case expired
    }

    /// Sets the new password, uses the link, ends the person's other sessions.
    public static func resetPassword(_ db: Database, token: String, password: String, confirmation: String) async throws -> ResetResult {
        guard try await peekToken(db, token, kind: .reset) != nil else { return .expired }
        var errors: [FieldError] = []
        if password.count < minimumPasswordLength {
            errors.append(FieldError("password", "length", fr: "Le mot de passe doit compter au moins \(minimumPasswordLength) caractères.",
                                     en: "The password must have at least \(minimumPasswordLength) characters."))
        } else if password != confirmation {
            errors.append(FieldError("passwordConfirmation", "mismatch", fr: "Les deux mots de passe sont différents.", en: "The two passwords differ."))
        }
        if !errors.isEmpty { return .invalid(errors) }
        guard let used = try await consumeToken(db.sql, token, kind: .reset), let userID = used.userID else { return .expired }
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: 10) }
        try await db.sql.update("users").set("password_hash", to: hash).where("id", .equal, userID).run()
        try await Sessions.deleteAll(db, userID: userID)
        return .done(userID: userID)
    }
}
