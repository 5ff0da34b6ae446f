import Foundation
import Logging
import SQLKit

/// An email as Facteur writes it: plain text, and HTML for the clients that show it.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?
    public init(to: String, subject: String, text: String, html: String? = nil) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// One row of the outbox.
public struct OutboxRecord: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case pending, sent, failed }
    public var id: String
    public var toAddress: String
    public var subject: String
    public var textBody: String
    public var htmlBody: String?
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: String
    public var lastError: String?
    public var createdAt: String
    public var sentAt: String?

    enum CodingKeys: String, CodingKey {
        case id, subject, status, attempts
        case toAddress = "to_address", textBody = "text_body", htmlBody = "html_body", nextAttemptAt = "next_attempt_at"
        case lastError = "last_error", createdAt = "created_at", sentAt = "sent_at"
    }

    public var message: MailMessage { MailMessage(to: toAddress, subject: subject, text: textBody, html: htmlBody) }
}

/// The mail outbox: every email is a row first, sent later by `MailService`.
public struct Outbox: Sendable {
    public let database: Database
    /// After this many failed attempts an email is given up (status `failed`).
    public static let maxAttempts = 8

    public init(database: Database) { self.database = database }

    @discardableResult
    public func enqueue(_ m: MailMessage, now: Date = Date()) async throws -> OutboxRecord {
        let record = OutboxRecord(id: UUID().uuidString.lowercased(), toAddress: m.to, subject: m.subject, textBody: m.text, htmlBody: m.html,
                                  status: .pending, attempts: 0, nextAttemptAt: Timestamp.string(now), lastError: nil,
                                  createdAt: Timestamp.string(now), sentAt: nil)
        try await database.sql.insert(into: "mail_outbox").model(record).run()
        return record
    }

    /// The emails due now, oldest first.
    public func due(now: Date = Date(), limit: Int = 20) async throws -> [OutboxRecord] {
        try await database.sql.select().column("*").from("mail_outbox")
            .where("status", .equal, OutboxRecord.Status.pending.rawValue)
            .where("next_attempt_at", .lessThanOrEqual, Timestamp.string(now))
            .orderBy("created_at").limit(limit)
            .all(decoding: OutboxRecord.self)
    }

    public func markSent(_ id: String, now: Date = Date()) async throws {
        try await database.sql.update("mail_outbox")
            .set("status", to: OutboxRecord.Status.sent.rawValue).set("sent_at", to: Timestamp.string(now))
            .set(SQLColumn("attempts"), to: SQLRaw("attempts + 1"))
            .set("last_error", to: SQLLiteral.null)
            .where("id", .equal, id).run()
    }

    /// Records a failed attempt; the next one waits longer each time (1, 2, 4… minutes, at most an
    /// hour), and after `maxAttempts` the email is marked failed.
    public func markFailed(_ record: OutboxRecord, error: String, now: Date = Date()) async throws {
        let attempts = record.attempts + 1
        let delay = min(3600.0, 60.0 * pow(2.0, Double(attempts - 1)))
        try await database.sql.update("mail_outbox")
            .set("status", to: (attempts >= Self.maxAttempts ? OutboxRecord.Status.failed : .pending).rawValue)
            .set("attempts", to: attempts)
            .set("next_attempt_at", to: Timestamp.string(now.addingTimeInterval(delay)))
            .set("last_error", to: String(error.prefix(1000)))
            .where("id", .equal, record.id).run()
    }

    /// The latest emails, newest first (the local mailbox page).
    public func recent(limit: Int = 50) async throws -> [OutboxRecord] {
        try await database.sql.select().column("*").from("mail_outbox").orderBy("created_at", .descending).limit(limit)
            .all(decoding: OutboxRecord.self)
    }

    public func find(id: String) async throws -> OutboxRecord? {
        try await database.sql.select().column("*").from("mail_outbox").where("id", .equal, id).first(decoding: OutboxRecord.self)
    }
}
