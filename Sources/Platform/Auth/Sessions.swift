import Crypto
import Foundation
import SQLKit

/// A server-side session, as stored (the cookie holds the token whose SHA-256 is `id`).
public struct SessionRecord: Sendable, Codable, Equatable {
    public var id: String
    public var userID: String?
    public var companyID: String?
    public var csrfToken: String
    public var flash: String?
    public var ip: String?
    public var userAgent: String?
    public var createdAt: String
    public var expiresAt: String

    enum CodingKeys: String, CodingKey {
        case id, flash, ip
        case userID = "user_id", companyID = "company_id", csrfToken = "csrf_token", userAgent = "user_agent"
        case createdAt = "created_at", expiresAt = "expires_at"
    }
}

/// A message shown once, on the next page (after a redirect).
public struct FlashMessage: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case success, info, error }
    public var kind: Kind
    public var text: String
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Random tokens and their stored form.
public enum Tokens {
    /// 32 random bytes, base64url without padding (cookie- and URL-safe).
    public static func random() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without an early exit, so the time taken does not tell how much of a guess was right.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Timestamps stored as fixed-width ISO-8601 UTC text: they compare as text on both engines.
enum Timestamp {
    /// The formatter's text (tested in `ISOTimeTests`) without creating a formatter per call.
    static func string(_ date: Date) -> String { ISOTime.string(date) }
    static func now() -> String { string(Date()) }
    static func date(_ s: String) -> Date? { ISO8601DateFormatter().date(from: s) }
}

/// Sessions in the `sessions` table.
public enum Sessions {
    /// A signed-in session lasts 12 hours; a visitor's (it only carries the forms' CSRF token) a day.
    public static let signedInLifetime: TimeInterval = 12 * 3600
    public static let visitorLifetime: TimeInterval = 24 * 3600
    public static let cookieName = "facteur_session"

    /// Creates a session; returns the cookie token (shown once) and the record.
    public static func create(_ db: Database, userID: String?, companyID: String?, ip: String?, userAgent: String?,
                              now: Date = Date()) async throws -> (token: String, record: SessionRecord) {
        let token = Tokens.random()
        let record = SessionRecord(id: Tokens.hash(token), userID: userID, companyID: companyID, csrfToken: Tokens.random(), flash: nil,
                                   ip: ip, userAgent: userAgent.map { String($0.prefix(300)) }, createdAt: Timestamp.string(now),
                                   expiresAt: Timestamp.string(now.addingTimeInterval(userID == nil ? visitorLifetime : signedInLifetime)))
        try await db.sql.insert(into: "sessions").model(record).run()
        return (token, record)
    }

    /// The live session of a cookie token, if any.
    public static func find(_ db: Database, token: String, now: Date = Date()) async throws -> SessionRecord? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        return try await db.sql.select().column("*").from("sessions")
            .where("id", .equal, Tokens.hash(token)).where("expires_at", .greaterThan, Timestamp.string(now))
            .first(decoding: SessionRecord.self)
    }

    public static func delete(_ db: Database, id: String) async throws {
        try await db.sql.delete(from: "sessions").where("id", .equal, id).run()
    }

    /// Ends every session of a person (after a password change).
    public static func deleteAll(_ db: Database, userID: String) async throws {
        try await db.sql.delete(from: "sessions").where("user_id", .equal, userID).run()
    }

    public static func setCompany(_ db: Database, id: String, companyID: String) async throws {
        try await db.sql.update("sessions").set("company_id", to: companyID).where("id", .equal, id).run()
    }

    /// Adds a message to show on the next page.
    public static func addFlash(_ db: Database, id: String, _ message: FlashMessage) async throws {
        struct Row: Decodable { let flash: String? }
        let row = try await db.sql.select().column("flash").from("sessions").where("id", .equal, id).first(decoding: Row.self)
        var messages = (row?.flash).flatMap { try? JSONDecoder().decode([FlashMessage].self, from: Data($0.utf8)) } ?? []
        messages.append(message)
        let text = String(decoding: try JSONEncoder().encode(messages), as: UTF8.self)
        try await db.sql.update("sessions").set("flash", to: text).where("id", .equal, id).run()
    }

    /// The messages waiting, removed from the session.
    public static func takeFlash(_ db: Database, session: SessionRecord) async throws -> [FlashMessage] {
        guard let text = session.flash else { return [] }
        try await db.sql.update("sessions").set("flash", to: SQLLiteral.null).where("id", .equal, session.id).run()
        return (try? JSONDecoder().decode([FlashMessage].self, from: Data(text.utf8))) ?? []
    }

    /// Forgets expired sessions (called by the mail service's periodic pass).
    public static func purgeExpired(_ db: Database, now: Date = Date()) async throws {
        try await db.sql.delete(from: "sessions").where("expires_at", .lessThanOrEqual, Timestamp.string(now)).run()
    }
}
