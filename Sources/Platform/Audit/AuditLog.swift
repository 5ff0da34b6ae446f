import Crypto
import Foundation
import SQLKit

/// One change, as recorded: who, when, what, from which address.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var companyID: String
    public var seq: Int
    public var at: String
    public var actor: String
    public var ip: String?
    public var action: String
    public var subject: String
    /// JSON text describing the change (field → new value…).
    public var details: String
    public var prevHash: String
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case companyID = "company_id", seq, at, actor, ip, action, subject, details
        case prevHash = "prev_hash", hash
    }

    /// The hash of an entry covers every field but itself, in a fixed, unambiguous layout
    /// (length-prefixed), chained to the previous entry's hash.
    public static func computeHash(companyID: String, seq: Int, at: String, actor: String, ip: String?, action: String,
                                   subject: String, details: String, prevHash: String) -> String {
        var h = SHA256()
        for field in [prevHash, companyID, String(seq), at, actor, ip ?? "", action, subject, details] {
            let bytes = Array(field.utf8)
            h.update(data: Array(String(bytes.count).utf8) + [0x3A] + bytes)
        }
        return Hex.lowercase(h.finalize())
    }

    var recomputedHash: String {
        AuditEntry.computeHash(companyID: companyID, seq: seq, at: at, actor: actor, ip: ip, action: action,
                               subject: subject, details: details, prevHash: prevHash)
    }
}

/// The append-only, hash-chained audit trail of each company.
public enum AuditLog {
    /// The hash the first entry of every chain points to.
    public static let genesis = String(repeating: "0", count: 64)

    /// Appends an entry inside the caller's transaction (so the change and its record commit together).
    @discardableResult
    public static func append(_ sql: any SQLDatabase, companyID: String, actor: String, ip: String?, action: String,
                              subject: String, details: [String: String] = [:], at date: Date = Date()) async throws -> AuditEntry {
        // Two transactions appending to one chain at once would read the same last entry: the company's
        // row is locked first (PostgreSQL; SQLite's writers already run one at a time), so the second waits.
        try await lock(sql, companyIDs: [companyID])
        struct Last: Decodable { let seq: Int; let hash: String }
        let last = try await sql.select().columns("seq", "hash").from("audit_log")
            .where("company_id", .equal, companyID).orderBy("seq", .descending).limit(1)
            .first(decoding: Last.self)
        let seq = (last?.seq ?? 0) + 1
        let prev = last?.hash ?? genesis
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let detailsText = String(decoding: try encoder.encode(details), as: UTF8.self)
        let at = Self.timestamp(date)
        let hash = AuditEntry.computeHash(companyID: companyID, seq: seq, at: at, actor: actor, ip: ip, action: action,
                                          subject: subject, details: detailsText, prevHash: prev)
        let entry = AuditEntry(companyID: companyID, seq: seq, at: at, actor: actor, ip: ip, action: action, subject: subject,
                               details: detailsText, prevHash: prev, hash: hash)
        // (company_id, seq) is the primary key: two concurrent appends cannot both take the same place.
        try await sql.insert(into: "audit_log").model(entry).run()
        return entry
    }

    /// One change to record with `appendAll`.
    public struct Pending: Sendable {
        public var companyID: String
        public var actor: String
        public var ip: String?
        public var action: String
        public var subject: String
        public var details: [String: String]
        public init(companyID: String, actor: String, ip: String?, action: String, subject: String, details: [String: String] = [:]) {
            self.companyID = companyID
            self.actor = actor
            self.ip = ip
            self.action = action
            self.subject = subject
            self.details = details
        }
    }

    /// Appends several entries (to one or several chains) inside the caller's transaction, in the
    /// order given, with one read of the chains' heads and one insert: the same entries, hashes and
    /// locks as as many `append` calls, in two round trips instead of two per entry — the hot path of
    /// issuing writes the seller's and the buyer's entries while the invoice sequence is held.
    @discardableResult
    /// `locked`: the caller's transaction already took `lock` on every company of `pending` (issuing
    /// does, first thing); on PostgreSQL that saves a round trip per company.
    public static func appendAll(_ sql: any SQLDatabase, _ pending: [Pending], locked: Bool = false, at date: Date = Date()) async throws -> [AuditEntry] {
        guard !pending.isEmpty else { return [] }
        let companies = Set(pending.map(\.companyID)).sorted()
        if !locked { try await lock(sql, companyIDs: companies) }
        struct Head: Decodable { let company_id: String; let seq: Int; let hash: String }
        // The last entry of each chain, each read from the end of the (company_id, seq) primary key: one
        // index probe per chain whatever its length (a correlated MAX per row grew with the chain).
        var heads: [Head] = []
        if !companies.isEmpty {
            var query = SQLQueryString("")
            for (n, company) in companies.enumerated() {
                if n > 0 { query.appendLiteral(" UNION ALL ") }
                query.appendLiteral("SELECT * FROM (SELECT company_id, seq, hash FROM audit_log WHERE company_id = ")
                query.appendInterpolation(bind: company)
                query.appendLiteral(" ORDER BY seq DESC LIMIT 1) AS head\(n)")
            }
            heads = try await sql.raw(query).all(decoding: Head.self)
        }
        var last: [String: (seq: Int, hash: String)] = [:]
        for h in heads { last[h.company_id] = (h.seq, h.hash) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let at = Self.timestamp(date)
        var entries: [AuditEntry] = []
        for p in pending {
            let seq = (last[p.companyID]?.seq ?? 0) + 1
            let prev = last[p.companyID]?.hash ?? genesis
            let detailsText = String(decoding: try encoder.encode(p.details), as: UTF8.self)
            let hash = AuditEntry.computeHash(companyID: p.companyID, seq: seq, at: at, actor: p.actor, ip: p.ip, action: p.action,
                                              subject: p.subject, details: detailsText, prevHash: prev)
            entries.append(AuditEntry(companyID: p.companyID, seq: seq, at: at, actor: p.actor, ip: p.ip, action: p.action, subject: p.subject,
                                      details: detailsText, prevHash: prev, hash: hash))
            last[p.companyID] = (seq, hash)
        }
        // (company_id, seq) is the primary key: a concurrent append to the same place fails the whole insert.
        try await sql.insert(into: "audit_log").models(entries, nilEncodingStrategy: .asNil).run()
        return entries
    }

    /// Locks the chains of several companies, always in the same order, so that two transactions that
    /// each write to two chains (an invoice's seller and buyer) cannot wait for each other forever.
    /// Call it first in such a transaction. A no-op on SQLite (no row locks; writers are serialized).
    public static func lock(_ sql: any SQLDatabase, companyIDs: [String]) async throws {
        guard sql.dialect.exclusiveSelectLockExpression != nil else { return }
        struct Row: Decodable { let id: String }
        for id in Set(companyIDs).sorted() {
            // NO KEY UPDATE, not UPDATE: rows inserted with a foreign key to the company (an invoice, a
            // client) hold KEY SHARE on it, which UPDATE would wait for — two such transactions deadlocked.
            _ = try await sql.select().column("id").from("companies").where("id", .equal, id)
                .lockingClause(SQLRaw("FOR NO KEY UPDATE")).first(decoding: Row.self)
        }
    }

    static func timestamp(_ d: Date) -> String {
        ISOTime.string(d, milliseconds: true)
    }

    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public var companyID: String
        public var seq: Int
        public var reason: String
        public var description: String { "company \(companyID), entry \(seq): \(reason)" }
    }

    /// Recomputes every chain (or one company's) and names the first broken entry of each.
    public static func verify(_ sql: any SQLDatabase, companyID: String? = nil) async throws -> (entries: Int, breaks: [Break]) {
        var query = sql.select().column("*").from("audit_log")
        if let companyID { query = query.where("company_id", .equal, companyID) }
        let rows = try await query.orderBy("company_id").orderBy("seq").all(decoding: AuditEntry.self)
        var breaks: [Break] = []
        var current: String?
        var expectedPrev = genesis
        var expectedSeq = 1
        var broken = false
        for e in rows {
            if e.companyID != current {
                current = e.companyID
                expectedPrev = genesis
                expectedSeq = 1
                broken = false
            }
            guard !broken else { continue }
            var reason: String?
            if e.seq != expectedSeq { reason = "entry \(expectedSeq) is missing" } else if e.prevHash != expectedPrev {
                reason = "it does not point to the previous entry's hash"
            } else if e.recomputedHash != e.hash { reason = "its content no longer matches its hash (altered after it was written)" }
            if let reason {
                breaks.append(Break(companyID: e.companyID, seq: e.seq, reason: reason))
                broken = true
            }
            expectedPrev = e.hash
            expectedSeq = e.seq + 1
        }
        return (rows.count, breaks)
    }
}
