import Crypto
import Foundation
import SQLKit

/// Per-company API tokens for billing software: `Authorization: Bearer fct_…`. Only a SHA-256 of
/// the token is stored; the token is shown once.
public enum APITokens {
    public struct Created: Sendable {
        public var id: String
        public var token: String
    }

    static func digest(_ token: String) -> String {
        // Hex by hand: `String(format:)` per byte took a twentieth of an API call's CPU.
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(token.utf8)) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func create(_ db: Database, companyID: String, name: String, actor: String, ip: String?) async throws -> Created {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = "fct_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = UUID().uuidString.lowercased()
        let now = ISOTime.string(Date())
        try await db.sql.transaction { tx in
            try await tx.insert(into: "api_tokens").columns("id", "company_id", "name", "token_hash", "created_by", "created_at")
                .values(SQLBind(id), SQLBind(companyID), SQLBind(name), SQLBind(digest(token)), SQLBind(actor), SQLBind(now)).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "api_token.create", subject: "api_token:\(id)",
                                      details: ["name": name])
        }
        return Created(id: id, token: token)
    }

    struct Authenticated: Sendable {
        let companyID: String
        let role: Role
    }

    /// Tokens authenticated in the last second, for the whole process: every `Database` opened on the same
    /// storage shares it, and any revocation or role change empties it.
    static let cache = ExpiringCache<String, Authenticated>(ttl: .seconds(1), capacity: 10_000)

    static func cacheKey(_ hash: String, _ db: Database) -> String { db.location + "\u{0}" + hash }

    /// The company a token belongs to and its role, if it is known and not revoked.
    ///
    /// A token found here is remembered for one second (`cache`): an API client calling
    /// thousands of times a second then costs one lookup a second instead of one per call. Revoking a
    /// token or changing its role empties the cache in this process, so the next call reads the database;
    /// another process sharing the database (a second server on the same PostgreSQL) sees such a
    /// change within that second. Unknown or revoked tokens are never remembered.
    public static func lookup(_ token: String, in db: Database) async throws -> (companyID: String, role: Role)? {
        let hash = digest(token)
        let key = cacheKey(hash, db)
        if let known = cache.value(for: key) { return (known.companyID, known.role) }
        let generation = cache.generation
        let rows = try await db.cells(db.sql.select().columns("company_id", "role").from("api_tokens")
            .where("token_hash", .equal, hash).where(SQLIdentifier("revoked_at"), .is, SQLLiteral.null).limit(1).query)
        guard let row = rows.first, row.count == 2, let companyID = row[0].string else { return nil }
        // An unknown role reads as the least one: a typo never grants more.
        let found = Authenticated(companyID: companyID, role: row[1].string.flatMap(Role.init(rawValue:)) ?? .viewer)
        cache.put(found, for: key, readAt: generation)
        return (found.companyID, found.role)
    }

    /// Gives a token another role (a read-only integration gets `viewer`).
    public static func setRole(_ db: Database, companyID: String, tokenID: String, role: Role, actor: String, ip: String?) async throws {
        try await db.sql.transaction { tx in
            struct Row: Decodable { let id: String }
            guard try await tx.select().column("id").from("api_tokens").where("id", .equal, tokenID).where("company_id", .equal, companyID)
                .first(decoding: Row.self) != nil else { throw PlatformError.notFound(what: "api_token") }
            try await tx.update("api_tokens").set("role", to: role.rawValue).where("id", .equal, tokenID).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "api_token.role", subject: "api_token:\(tokenID)",
                                      details: ["role": role.rawValue])
        }
        // After the commit: a lookup from now on reads the new role.
        cache.invalidateAll()
    }

    /// The company a token belongs to, if it is known and not revoked.
    public static func company(for token: String, in db: Database) async throws -> String? {
        struct Row: Decodable { let company_id: String }
        return try await db.sql.select().column("company_id").from("api_tokens")
            .where("token_hash", .equal, digest(token)).where(SQLIdentifier("revoked_at"), .is, SQLLiteral.null)
            .first(decoding: Row.self)?.company_id
    }

    public static func revoke(_ db: Database, companyID: String, tokenID: String, actor: String, ip: String?) async throws {
        let now = ISOTime.string(Date())
        try await db.sql.transaction { tx in
            struct Row: Decodable { let id: String }
            guard try await tx.select().column("id").from("api_tokens").where("id", .equal, tokenID).where("company_id", .equal, companyID)
                .first(decoding: Row.self) != nil else { throw PlatformError.notFound(what: "api_token") }
            try await tx.update("api_tokens").set("revoked_at", to: SQLBind(now)).where("id", .equal, tokenID).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "api_token.revoke", subject: "api_token:\(tokenID)")
        }
        // After the commit: the very next call with this token is refused.
        cache.invalidateAll()
    }
}

extension APITokens {
    public struct Listed: Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: Role
        public var createdAt: String
        public var revokedAt: String?
    }

    /// The company's tokens, newest first (their secrets are never stored, only their SHA-256).
    public static func list(_ db: Database, companyID: String) async throws -> [Listed] {
        struct Row: Decodable { let id: String; let name: String; let role: String?; let created_at: String; let revoked_at: String? }
        return try await db.sql.select().columns("id", "name", "role", "created_at", "revoked_at").from("api_tokens")
            .where("company_id", .equal, companyID).orderBy("created_at", .descending).orderBy("id")
            .all(decoding: Row.self)
            .map { Listed(id: $0.id, name: $0.name, role: $0.role.flatMap(Role.init(rawValue:)) ?? .manager, createdAt: $0.created_at, revokedAt: $0.revoked_at) }
    }
}
