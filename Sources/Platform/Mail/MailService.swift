import Foundation
import Logging
import ServiceLifecycle

/// Delivers an email somewhere: an SMTP server, or the local mailbox.
public protocol MailTransport: Sendable {
    /// A short name for logs (`smtp mail.example.fr:587`, `local mailbox`).
    var name: String { get }
    func send(_ message: MailMessage, from: String) async throws
}

/// No mail server configured: the outbox itself is the mailbox (shown at `/dev/mail` in demo mode)
/// and each email is logged, links included, so a developer can follow them.
public struct LocalMailbox: MailTransport {
    public let logger: Logger
    public var name: String { "local mailbox" }
    public init(logger: Logger) { self.logger = logger }
    public func send(_ message: MailMessage, from: String) async throws {
        logger.info("email kept in the local mailbox", metadata: ["to": "\(message.to)", "subject": "\(message.subject)",
                                                                  "text": "\(message.text)"])
    }
}

/// The background service that empties the outbox through a transport, retrying with back-off.
/// Also forgets expired sessions, old login attempts and old account links now and then.
public struct MailService: Service {
    public let outbox: Outbox
    public let transport: any MailTransport
    public let from: String
    public let interval: Duration
    public let logger: Logger

    public init(outbox: Outbox, transport: any MailTransport, from: String, interval: Duration, logger: Logger) {
        self.outbox = outbox
        self.transport = transport
        self.from = from
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        logger.info("mail service started", metadata: ["transport": "\(transport.name)"])
        await cancelWhenGracefulShutdown {
            var passes = 0
            while !Task.isCancelled {
                await self.deliverDue()
                passes += 1
                if passes % 600 == 1 {
                    try? await Sessions.purgeExpired(self.outbox.database)
                    try? await Accounts.purgeOld(self.outbox.database)
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pass: sends every email due, records each result. Returns how many were sent.
    @discardableResult
    public func deliverDue(now: Date = Date()) async -> Int {
        let due: [OutboxRecord]
        do { due = try await outbox.due(now: now) } catch {
            logger.error("mail outbox unreadable", metadata: ["error": "\(error)"])
            return 0
        }
        var sent = 0
        for record in due {
            do {
                try await transport.send(record.message, from: from)
                try await outbox.markSent(record.id, now: now)
                sent += 1
                logger.info("email sent", metadata: ["id": "\(record.id)", "to": "\(record.toAddress)", "transport": "\(transport.name)"])
            } catch {
                logger.warning("email not sent", metadata: ["id": "\(record.id)", "to": "\(record.toAddress)", "attempt": "\(record.attempts + 1)",
                                                            "error": "\(error)"])
                try? await outbox.markFailed(record, error: "\(error)", now: now)
            }
        }
        return sent
    }
}
