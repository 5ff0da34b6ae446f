import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import SQLKit
import Testing
@testable import Platform

/// A real HTTP server on loopback that records what it receives and answers with the queued statuses.
actor WebhookReceiver {
    struct Received: Sendable { let headers: [String: String]; let body: Data }
    private(set) var received: [Received] = []
    private var answers: [Int]
    init(answers: [Int]) { self.answers = answers }
    func record(_ r: Received) -> Int {
        received.append(r)
        return answers.isEmpty ? 200 : answers.removeFirst()
    }

    /// Starts the server on a free port and runs `body` with its URL.
    static func serve(answers: [Int], _ body: @Sendable (String, WebhookReceiver) async throws -> Void) async throws {
        let receiver = WebhookReceiver(answers: answers)
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let data = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let code = await receiver.record(Received(headers: headers, body: data))
            return Response(status: .init(code: code))
        }
        let port = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in port.continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: logger)
            group.addTask { try await services.run() }
            var iterator = port.stream.makeAsyncIterator()
            let p = await iterator.next() ?? 0
            defer { group.cancelAll() }
            try await body("http://127.0.0.1:\(p)/hook", receiver)
            await services.triggerGracefulShutdown()
        }
    }
}

@Suite(.serialized) struct NotificationWebhookTests {
    /// A issues to B on the network; B approves. Returns (db, a, b, invoice id).
    static func setUp(_ db: Database) async throws -> (a: CompanyRecord, b: CompanyRecord, clientID: String) {
        try await Migrations.apply(to: db, logger: Logger(label: "test"))
        let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
        let (b, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
        var settings = try await CompanyProfiles.get(db, companyID: a.id).settings
        settings.addressLine1 = "1 rue de la Paix"
        settings.postCode = "69001"
        settings.city = "Lyon"
        _ = try await CompanyProfiles.update(db, companyID: a.id, role: .manager, settings, actor: "test", ip: nil)
        let client = try await Clients.create(db, companyID: a.id, Client(kind: .business, name: "Client SA", siret: "73282932000074", emails: ["compta@client.fr"],
                                                                          addressLine1: "2 avenue Foch", postCode: "75016", city: "Paris"),
                                              actor: "test", ip: nil)
        return (a, b, client.id)
    }

    static func issue(_ db: Database, _ a: CompanyRecord, clientID: String) async throws -> InvoiceView {
        var entry = InvoiceEntry(clientId: clientID, lines: [.init(description: "Conseil", quantity: 2, unitPrice: Decimal(string: "500")!)])
        entry.issueDate = "2026-11-20"
        let draft = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "test", ip: nil)
        return try await Invoices.issue(db, companyID: a.id, id: draft.id, producer: FacturXProducer(), actor: "test", ip: nil, baseURL: "https://facteur.test")
    }

    static func outbox(_ db: Database) async throws -> [OutboxRecord] {
        try await db.sql.select().column("*").from("mail_outbox").orderBy("created_at").all(decoding: OutboxRecord.self)
    }

    @Test(arguments: Engines.all)
    func emailsGoToTheOtherPartyWithTheirWording(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            let (a, b, clientID) = try await Self.setUp(db)
            // B rewords the "received" email; a template that does not parse is refused, with the reason.
            await #expect(throws: PlatformError.self) {
                try await Notifications.setTemplate(db, companyID: b.id, kind: .received, .init(subject: "{{#oops}}", body: "x"), actor: "t", ip: nil)
            }
            try await Notifications.setTemplate(db, companyID: b.id, kind: .received,
                                                .init(subject: "À payer : {{invoice.number}} ({{invoice.amount}})", body: "De {{seller.name}} : {{invoice.link}}"),
                                                actor: "t", ip: nil)
            let preview = Notifications.preview(.init(subject: "{{invoice.number}} — {{status.label}}", body: "{{company.name}}"))
            #expect(preview.subject == "F2026-000042 — Approuvée")
            #expect(preview.error == nil)
            #expect(Notifications.preview(.init(subject: "{{/x}}", body: "")).error != nil)

            let invoice = try await Self.issue(db, a, clientID: clientID)
            var mails = try await Self.outbox(db)
            #expect(mails.map(\.toAddress) == ["bob@example.fr"], "B's people only, not A's")
            #expect(mails.first?.subject == "À payer : F2026-000001 (1\u{202F}200,00\u{00A0}€)")
            #expect(mails.first?.textBody == "De Dupont & Fils : https://facteur.test/factures/\(invoice.id)")

            // A's wording got broken in the database (e.g. by an older version): the default text is used.
            try await db.sql.insert(into: "notification_templates").columns("company_id", "kind", "subject", "body", "updated_at")
                .values(SQLBind(a.id), SQLBind("status"), SQLBind("{{#unclosed}}"), SQLBind("x"), SQLBind("2026-01-01T00:00:00Z")).run()
            // Alice wants a daily digest instead of immediate emails.
            struct U: Decodable { let user_id: String }
            let alice = try await db.sql.select().column("user_id").from("memberships").where("company_id", .equal, a.id).first(decoding: U.self)!.user_id
            try await Notifications.setMode(db, companyID: a.id, userID: alice, .digest)
            _ = try await Invoices.changeStatus(db, companyID: b.id, id: invoice.id, code: 207, reason: "Quantité contestée", actor: "bob", ip: nil)
            mails = try await Self.outbox(db)
            #expect(mails.count == 1, "Alice chose the digest: nothing immediate")
            _ = try await Notifications.setMode(db, companyID: a.id, userID: alice, .immediate)
            _ = try await Invoices.changeStatus(db, companyID: b.id, id: invoice.id, code: 205, reason: nil, actor: "bob", ip: nil)
            mails = try await Self.outbox(db)
            #expect(mails.count == 2)
            #expect(mails.last?.toAddress == "alice@example.fr")
            #expect(mails.last?.subject == "Facture F2026-000001 : Approuvée", "the default wording, since A's own is broken")

            let digests = try await Notifications.sendDigests(db)
            #expect(digests == 1)
            mails = try await Self.outbox(db)
            let digest = try #require(mails.last)
            #expect(digest.toAddress == "alice@example.fr")
            #expect(digest.textBody.contains("Facture F2026-000001 : En litige"))
            #expect(try await Notifications.sendDigests(db) == 0, "each line goes out once")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test func webhooksAreSignedAndRetriedWithBackoff() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            let (a, b, clientID) = try await Self.setUp(db)
            await #expect(throws: PlatformError.self) { _ = try await Webhooks.create(db, companyID: b.id, url: "file:///etc/passwd", actor: "t", ip: nil) }
            try await WebhookReceiver.serve(answers: [500]) { url, receiver in
                let hook = try await Webhooks.create(db, companyID: b.id, url: url, actor: "t", ip: nil)
                let secret = try #require(hook.secret)
                let invoice = try await Self.issue(db, a, clientID: clientID)
                let service = WebhookService(database: db, logger: Logger(label: "test"))
                let start = Date()
                #expect(await service.deliverDue(now: start) == 0, "the receiver answered 500")
                var deliveries = try await Webhooks.deliveries(db, companyID: b.id, webhookID: hook.id)
                #expect(deliveries.count == 1)
                #expect(deliveries.first?.attempts == 1)
                #expect(deliveries.first?.last_error == "HTTP 500")
                #expect(deliveries.first?.status == "pending")
                #expect(await service.deliverDue(now: start.addingTimeInterval(10)) == 0, "not due before the backoff")
                #expect(await service.deliverDue(now: start.addingTimeInterval(31)) == 1)
                deliveries = try await Webhooks.deliveries(db, companyID: b.id, webhookID: hook.id)
                #expect(deliveries.first?.status == "delivered")
                #expect(deliveries.first?.attempts == 2)

                let got = await receiver.received
                #expect(got.count == 2)
                let last = try #require(got.last)
                #expect(last.headers["facteur-event"] == "invoice.received")
                let json = try JSONSerialization.jsonObject(with: last.body) as? [String: Any]
                #expect((json?["invoice"] as? [String: Any])?["id"] as? String == invoice.id)
                #expect((json?["status"] as? [String: Any])?["code"] as? Int == 203)
                // The receiver can check the signature with its secret; a tampered body fails.
                let sig = try #require(last.headers["facteur-signature"])
                let t = Int(sig.split(separator: ",")[0].dropFirst(2))!
                #expect(sig == Webhooks.signature(secret: secret, timestamp: t, body: last.body))
                #expect(sig != Webhooks.signature(secret: secret, timestamp: t, body: last.body + Data(" ".utf8)))
                #expect(sig != Webhooks.signature(secret: "whsec_other", timestamp: t, body: last.body))
                // A's webhooks are A's: B's endpoint never hears of A-only events, and A cannot list B's.
                await #expect(throws: PlatformError.self) { _ = try await Webhooks.deliveries(db, companyID: a.id, webhookID: hook.id) }
            }
            #expect(Webhooks.backoff(afterAttempt: 1) == 30)
            #expect(Webhooks.backoff(afterAttempt: 3) == 120)
            #expect(Webhooks.backoff(afterAttempt: 30) == 6 * 3600)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
