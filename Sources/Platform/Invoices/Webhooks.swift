import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import SQLKit

/// Per-company webhooks: billing software is told of every status change of its invoices. Each
/// delivery is a row (status, attempts, next_attempt_at, last_error) that `WebhookService` sends,
/// signed with HMAC-SHA256, and retries with exponential backoff until it is acknowledged (2xx).
public enum Webhooks {
    public struct Endpoint: Sendable, Codable, Equatable {
        public var id: String
        public var url: String
        public var active: Bool
        public var createdAt: String
        /// Shown once, at creation: the key the receiver checks signatures with.
        public var secret: String?
    }

    public struct Delivery: Sendable, Codable, Equatable {
        public var id: String
        public var webhook_id: String
        public var company_id: String
        public var event: String
        public var payload: String
        public var status: String
        public var attempts: Int
        public var next_attempt_at: String
        public var last_error: String?
        public var response_code: Int?
        public var created_at: String
        public var delivered_at: String?
    }

    /// Attempts before a delivery is given up (about a day and a half of backoff in all).
    public static let maxAttempts = 10

    /// 30 s, 1 min, 2 min … capped at 6 h.
    public static func backoff(afterAttempt n: Int) -> TimeInterval {
        min(30 * pow(2, Double(max(n - 1, 0))), 6 * 3600)
    }

    /// `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver recomputes it with its secret
    /// and rejects old timestamps, so a captured request cannot be replayed later.
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    struct Row: Codable { var id: String; var company_id: String; var url: String; var secret: String; var active: Bool; var created_at: String }

    public static func create(_ db: Database, companyID: String, url: String, actor: String, ip: String?) async throws -> Endpoint {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard let u = URL(string: trimmed), let scheme = u.scheme?.lowercased(), ["https", "http"].contains(scheme), u.host?.isEmpty == false,
              trimmed.count <= 2000 else {
            throw PlatformError.validation([FieldError("url", "invalid", fr: "Adresse invalide : une URL http(s) complète est attendue.",
                                                       en: "Invalid address: a full http(s) URL is expected.")])
        }
        let secret = "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let row = Row(id: UUID().uuidString.lowercased(), company_id: companyID, url: trimmed, secret: secret, active: true, created_at: Invoices.now())
        try await db.sql.transaction { tx in
            try await tx.insert(into: "webhooks").model(row).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "webhook.create", subject: "webhook:\(row.id)", details: ["url": trimmed])
        }
        return Endpoint(id: row.id, url: row.url, active: true, createdAt: row.created_at, secret: secret)
    }

    public static func list(_ db: Database, companyID: String) async throws -> [Endpoint] {
        try await db.sql.select().column("*").from("webhooks").where("company_id", .equal, companyID).orderBy("created_at")
            .all(decoding: Row.self).map { Endpoint(id: $0.id, url: $0.url, active: $0.active, createdAt: $0.created_at, secret: nil) }
    }

    public static func delete(_ db: Database, companyID: String, id: String, actor: String, ip: String?) async throws {
        guard try await db.sql.select().column("*").from("webhooks").where("company_id", .equal, companyID).where("id", .equal, id)
            .first(decoding: Row.self) != nil else { throw PlatformError.notFound(what: "webhook") }
        try await db.sql.transaction { tx in
            try await tx.update("webhooks").set("active", to: false).where("company_id", .equal, companyID).where("id", .equal, id).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "webhook.delete", subject: "webhook:\(id)")
        }
    }

    public static func deliveries(_ db: Database, companyID: String, webhookID: String, limit: Int = 50) async throws -> [Delivery] {
        guard try await db.sql.select().column("*").from("webhooks").where("company_id", .equal, companyID).where("id", .equal, webhookID)
            .first(decoding: Row.self) != nil else { throw PlatformError.notFound(what: "webhook") }
        return try await db.sql.select().column("*").from("webhook_deliveries").where("company_id", .equal, companyID)
            .where("webhook_id", .equal, webhookID).orderBy("created_at", .descending).limit(limit).all(decoding: Delivery.self)
    }

    /// Queues the event for every active webhook of the company, inside the caller's transaction.
    static func enqueue(_ sql: any SQLDatabase, companyID: String, event: String, payload: [String: Any], at: Date = Date()) async throws {
        let hooks = try await sql.select().column("*").from("webhooks").where("company_id", .equal, companyID).where("active", .equal, true)
            .all(decoding: Row.self)
        guard !hooks.isEmpty else { return }
        var body = payload
        body["event"] = event
        body["createdAt"] = Timestamp.string(at)
        for hook in hooks {
            let id = UUID().uuidString.lowercased()
            body["id"] = id
            let text = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
            let d = Delivery(id: id, webhook_id: hook.id, company_id: companyID, event: event, payload: text, status: "pending", attempts: 0,
                             next_attempt_at: Timestamp.string(at), last_error: nil, response_code: nil, created_at: Timestamp.string(at), delivered_at: nil)
            try await sql.insert(into: "webhook_deliveries").model(d).run()
        }
    }

    /// Several events at once (an issue tells the seller and the buyer), with one read of the companies'
    /// webhooks and one insert: the same deliveries as one `enqueue` per event, in two round trips.
    static func enqueueAll(_ sql: any SQLDatabase, _ events: [(companyID: String, event: String, payload: [String: Any])], at date: Date = Date()) async throws {
        guard !events.isEmpty else { return }
        let companies = Set(events.map(\.companyID)).sorted()
        let hooks = try await sql.select().column("*").from("webhooks").where("company_id", .in, companies).where("active", .equal, true)
            .orderBy("created_at").all(decoding: Row.self)
        guard !hooks.isEmpty else { return }
        let stamp = Notifications.timestamp(date)
        var deliveries: [Delivery] = []
        for e in events {
            var body = e.payload
            body["event"] = e.event
            body["createdAt"] = stamp
            for hook in hooks where hook.company_id == e.companyID {
                let id = UUID().uuidString.lowercased()
                body["id"] = id
                let text = String(decoding: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
                deliveries.append(Delivery(id: id, webhook_id: hook.id, company_id: e.companyID, event: e.event, payload: text, status: "pending", attempts: 0,
                                           next_attempt_at: stamp, last_error: nil, response_code: nil, created_at: stamp,
                                           delivered_at: nil))
            }
        }
        guard !deliveries.isEmpty else { return }
        try await sql.insert(into: "webhook_deliveries").models(deliveries, nilEncodingStrategy: .asNil).run()
    }
}

/// Sends one webhook request; returns the HTTP status. Live: URLSession. Tests use the live one
/// against a real local HTTP server.
public protocol WebhookTransport: Sendable {
    func post(url: String, body: Data, headers: [String: String]) async throws -> Int
}

public struct URLSessionWebhookTransport: WebhookTransport {
    public let timeout: TimeInterval
    public init(timeout: TimeInterval = 10) { self.timeout = timeout }

    public func post(url: String, body: Data, headers: [String: String]) async throws -> Int {
        guard let u = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: u, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// Background delivery of webhooks: a loop over due rows.
public struct WebhookService: Service {
    public let database: Database
    public let transport: any WebhookTransport
    public let interval: Duration
    public let logger: Logger

    public init(database: Database, transport: any WebhookTransport = URLSessionWebhookTransport(), interval: Duration = .seconds(2), logger: Logger) {
        self.database = database
        self.transport = transport
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.deliverDue()
                try? await Task.sleep(for: self.interval)
            }
        }
    }

    /// One pass over the deliveries due now; returns how many were acknowledged.
    @discardableResult
    public func deliverDue(now: Date = Date()) async -> Int {
        struct Due: Decodable { let id: String; let payload: String; let attempts: Int; let event: String; let url: String; let secret: String }
        let due: [Due]
        do {
            due = try await database.sql.raw("""
                SELECT d.id AS id, d.payload AS payload, d.attempts AS attempts, d.event AS event, w.url AS url, w.secret AS secret
                FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= \(bind: Timestamp.string(now)) AND w.active = \(bind: true)
                ORDER BY d.created_at LIMIT 50
                """).all(decoding: Due.self)
        } catch {
            logger.error("webhook deliveries unreadable", metadata: ["error": "\(error)"])
            return 0
        }
        var delivered = 0
        for d in due {
            let body = Data(d.payload.utf8)
            let timestamp = Int(now.timeIntervalSince1970)
            let headers = ["Content-Type": "application/json", "User-Agent": "Facteur-Webhooks/1",
                           "Facteur-Event": d.event, "Facteur-Delivery": d.id,
                           "Facteur-Signature": Webhooks.signature(secret: d.secret, timestamp: timestamp, body: body)]
            var code: Int?
            var failure: String?
            do {
                code = try await transport.post(url: d.url, body: body, headers: headers)
                if !(200..<300).contains(code!) { failure = "HTTP \(code!)" }
            } catch {
                failure = "\(error)"
            }
            let attempts = d.attempts + 1
            do {
                if failure == nil {
                    try await database.sql.update("webhook_deliveries").set("status", to: "delivered").set("attempts", to: attempts)
                        .set("response_code", to: code).set("delivered_at", to: Timestamp.string(now)).set("last_error", to: String?.none)
                        .where("id", .equal, d.id).run()
                    delivered += 1
                } else {
                    let giveUp = attempts >= Webhooks.maxAttempts
                    try await database.sql.update("webhook_deliveries").set("status", to: giveUp ? "failed" : "pending").set("attempts", to: attempts)
                        .set("response_code", to: code).set("last_error", to: String(failure!.prefix(500)))
                        .set("next_attempt_at", to: Timestamp.string(now.addingTimeInterval(Webhooks.backoff(afterAttempt: attempts))))
                        .where("id", .equal, d.id).run()
                    logger.warning("webhook delivery failed", metadata: ["delivery": "\(d.id)", "attempt": "\(attempts)", "error": "\(failure!)"])
                }
            } catch {
                logger.error("webhook delivery not recorded", metadata: ["delivery": "\(d.id)", "error": "\(error)"])
            }
        }
        return delivered
    }
}
