import Foundation
import Logging
import Testing
@testable import Platform

/// Lifecycle notifications leave through the outbox and reach a real SMTP server (aiosmtpd), where
/// Python's email parser reads them back: the buyer hears of the new invoice, the seller of its approval.
@Suite(.serialized) struct InvoiceMailTests {
    @Test func notificationsReachARealSMTPServer() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-maildir-\(UUID().uuidString)").path
        let port = try freePort()
        let server = try await startProcess(["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", dir],
                                            waitForPort: port)
        defer {
            server.terminate()
            try? FileManager.default.removeItem(atPath: dir)
        }
        do {
            let (a, b, clientID) = try await NotificationWebhookTests.setUp(db)
            let invoice = try await NotificationWebhookTests.issue(db, a, clientID: clientID)
            _ = try await Invoices.changeStatus(db, companyID: b.id, id: invoice.id, code: 205, reason: nil, actor: "bob", ip: nil, baseURL: "https://facteur.test")
            let transport = patientTransport(SMTPConfiguration(host: "127.0.0.1", port: port, startTLS: false))
            let mail = MailService(outbox: Outbox(database: db), transport: transport, from: "Facteur <no-reply@facteur.test>",
                                   interval: .seconds(1), logger: Logger(label: "test"))
            #expect(await mail.deliverDue() == 2)
            let received = try readMaildir(dir).sorted { ($0["to"] ?? "") < ($1["to"] ?? "") }
            #expect(received.count == 2)
            #expect(received.map { $0["to"] ?? "" } == ["alice@example.fr", "bob@example.fr"])
            #expect(received[0]["subject"] == "Facture F2026-000001 : Approuvée")
            #expect(received[1]["subject"] == "Nouvelle facture F2026-000001 de Dupont & Fils")
            #expect(received[1]["text/plain"]?.contains("https://facteur.test/factures/\(invoice.id)") == true)
            #expect(received[1]["text/plain"]?.contains("1\u{202F}200,00\u{00A0}€") == true)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
