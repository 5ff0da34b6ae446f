import Foundation
import Hummingbird
import Logging
import Testing
@testable import Platform

/// The invoice flow in a real browser: the application on a free loopback port with the demo
/// companies (each the other's client, on the network), driven by `scripts/e2e/invoice_flow.py` in
/// headless Chromium. Screenshots go to `FACTEUR_SCREENSHOTS` (e.g. docs/screenshots) or a temporary folder.
@Suite struct InvoiceBrowserTests {
    @Test(.enabled(if: BrowserTests.browserInstalled, "needs Debian's chromium and chromium-driver"), .timeLimit(.minutes(5)))
    func typeIssueApprovePayInHeadlessChromium() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-e2e-invoices-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        var config = Configuration()
        config.dataDirectory = data.path
        config.port = try freePort()
        config.demo = true
        config.mailInterval = 0.2
        config.logLevel = .warning
        // The notification emails go to a real SMTP server started here (aiosmtpd, a Maildir).
        let maildir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-e2e-mail-\(UUID().uuidString)").path
        let smtpPort = try freePort()
        let smtp = try await startProcess(["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(smtpPort)", "-c", "aiosmtpd.handlers.Mailbox", maildir],
                                          waitForPort: smtpPort)
        defer {
            smtp.terminate()
            try? FileManager.default.removeItem(atPath: maildir)
        }
        config.smtp = SMTPConfiguration(host: "127.0.0.1", port: smtpPort, startTLS: false)
        // The demo data, as `facteur serve --demo` seeds it, before the server opens the same storage.
        let logger = Logger(label: "e2e")
        let db = try await Database.open(config, logger: logger)
        let accounts: [DemoData.Account]
        do {
            try await Migrations.apply(to: db, logger: logger)
            accounts = try await DemoData.seed(db)
        } catch {
            try? await db.shutdown()
            throw error
        }
        try await db.shutdown()
        #expect(accounts.count == 2)

        let app = try await buildApplication(config)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        let base = "http://127.0.0.1:\(config.port)"
        let helper = BrowserTests()
        try await helper.waitForServer(base)

        let shots = ProcessInfo.processInfo.environment["FACTEUR_SCREENSHOTS"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("facteur-shots-\(UUID().uuidString)").path
        let script = BrowserTests.repository.appendingPathComponent("scripts/e2e/invoice_flow.py").path
        let (status, output) = try await helper.run(["python3", script, "--base", base, "--shots", shots,
                                                     "--seller", accounts[0].email, "--buyer", accounts[1].email,
                                                     "--buyer-name", accounts[1].company, "--password", accounts[0].password,
                                                     "--seller-token", accounts[0].apiToken])
        print(output)
        #expect(status == 0, "the browser run failed:\n\(output)")
        #expect(output.contains("PASS"))
        for name in ["invoice-entry", "invoice-page", "dashboard-invoices"] {
            #expect(FileManager.default.fileExists(atPath: shots + "/\(name).png"), "screenshot \(name)")
        }

        // The notifications of the flow reached the SMTP server: the buyer heard of the new invoice and of
        // its collection, the seller of its approval and of the payment transmitted.
        var mails: [[String: String]] = []
        // Up to a minute: the mail service sends every 0.2 s, but the whole suite shares two cores.
        for _ in 0..<300 {
            mails = try readMaildir(maildir)
            let subjects = mails.map { $0["subject"] ?? "" }
            if let n = Self.latestNumber(subjects), subjects.contains("Facture \(n) : Encaissée") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let seller = accounts[0].email, buyer = accounts[1].email
        let subjects = mails.map { ($0["to"] ?? "", $0["subject"] ?? "") }
        let number = try #require(Self.latestNumber(subjects.filter { $0.0 == buyer }.map(\.1)), "no new-invoice email to the buyer: \(subjects)")
        #expect(subjects.contains { $0 == (buyer, "Nouvelle facture \(number) de \(accounts[0].company)") }, "\(subjects)")
        #expect(subjects.contains { $0 == (seller, "Facture \(number) : Approuvée") }, "\(subjects)")
        #expect(subjects.contains { $0 == (seller, "Facture \(number) : Paiement transmis") }, "\(subjects)")
        #expect(subjects.contains { $0 == (buyer, "Facture \(number) : Encaissée") }, "\(subjects)")
        server.cancel()
        _ = await server.result
    }

    /// The invoice number with the highest sequence named by a « Nouvelle facture … » subject (the flow's
    /// invoice comes after the demo's, whatever prefix the company chose).
    static func latestNumber(_ subjects: [String]) -> String? {
        subjects.compactMap { s -> String? in
            guard s.hasPrefix("Nouvelle facture ") else { return nil }
            return s.dropFirst("Nouvelle facture ".count).split(separator: " ").first.map(String.init)
        }.max { a, b in (Int(a.split(separator: "-").last ?? "") ?? 0) < (Int(b.split(separator: "-").last ?? "") ?? 0) }
    }
}
