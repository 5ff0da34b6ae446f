import Crypto
import Foundation
import SQLKit

/// Files kept for good (issued Factur-X PDFs and XML, deposited originals), addressed by their SHA-256:
/// the same bytes are stored once, and a hash in an invoice row or an audit entry names exactly one file.
public enum Documents {
    public static func sha256(_ data: Data) -> String {
        Hex.lowercase(SHA256.hash(data: data))
    }

    /// Stores `data` (idempotent) inside the caller's transaction and returns its hash.
    @discardableResult
    public static func put(_ sql: any SQLDatabase, _ data: Data, mediaType: String) async throws -> String {
        let hash = sha256(data)
        // Same bytes, same key: a second copy is simply not inserted.
        try await sql.insert(into: "documents")
            .columns("sha256", "media_type", "size", "content", "created_at")
            .values(SQLBind(hash), SQLBind(mediaType), SQLBind(data.count), SQLBind(data), SQLBind(Clients.now()))
            .ignoringConflicts(with: ["sha256"])
            .run()
        return hash
    }

    /// Stores several documents (idempotent) in one statement inside the caller's transaction; returns
    /// their hashes in the same order.
    @discardableResult
    public static func putAll(_ sql: any SQLDatabase, _ documents: [(data: Data, mediaType: String)]) async throws -> [String] {
        let hashes = documents.map { sha256($0.data) }
        var insert = sql.insert(into: "documents").columns("sha256", "media_type", "size", "content", "created_at")
        var seen: Set<String> = []
        // Same text as Clients.now() (milliseconds), without building a date formatter per call.
        let at = ISOTime.string(Date(), milliseconds: true)
        // The same bytes twice in one statement would conflict with themselves: each hash once.
        for (hash, d) in zip(hashes, documents) where seen.insert(hash).inserted {
            insert = insert.values(SQLBind(hash), SQLBind(d.mediaType), SQLBind(d.data.count), SQLBind(d.data), SQLBind(at))
        }
        guard !seen.isEmpty else { return hashes }
        try await insert.ignoringConflicts(with: ["sha256"]).run()
        return hashes
    }

    public struct Stored: Sendable {
        public var data: Data
        public var mediaType: String
    }

    /// Reads a document back and checks that it still has the hash it is stored under.
    public static func get(_ sql: any SQLDatabase, sha256 hash: String) async throws -> Stored {
        struct Row: Decodable { let media_type: String; let content: Data }
        guard let row = try await sql.select().columns("media_type", "content").from("documents")
            .where("sha256", .equal, hash).first(decoding: Row.self) else {
            throw PlatformError.notFound(what: "document")
        }
        guard sha256(row.content) == hash else {
            throw PlatformError.conflict(field: "document", fr: "Le document \(hash) a été altéré : son empreinte ne correspond plus.",
                                         en: "Document \(hash) has been altered: its hash no longer matches.")
        }
        return Stored(data: row.content, mediaType: row.media_type)
    }
}
