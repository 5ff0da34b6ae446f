import Crypto
import Foundation
import SQLKit

/// Files kept for good (issued Factur-X PDFs and XML, deposited originals), addressed by their SHA-256:
/// the same bytes are stored once, and a hash in an invoice row or an audit entry names exactly one file.
public enum Documents {
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
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
