import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

/// Integrations page: an API token shown once and usable at once, then revoked; a webhook with its
/// secret shown once; notification wording refused when broken, previewed, saved; each person's choice.
@Suite(.serialized) struct IntegrationPagesTests {
    @Test(arguments: Engines.all)
    func tokensWebhooksAndWording(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var b = try await InvoicePagesTests.signIn(client, email: "alice@example.fr", password: CompanyAndAPITests.alice.password)
                var r = try await b.get(client, "/societe/integrations")
                #expect(r.status == .ok)
                #expect(b.lastBody.contains("Intégrations et notifications"))

                // A token for billing software, with the issuer role: shown once, usable at once.
                r = try await b.post(client, "/societe/integrations/jetons", ["name": "Logiciel compta", "role": "issuer"])
                #expect(r.status == .ok)
                let token = try #require(b.lastBody.range(of: #"fct_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(b.lastBody[$0]) })
                let listed = try await APITokens.list(f.db, companyID: a.id)
                #expect(listed.first?.name == "Logiciel compta")
                #expect(listed.first?.role == .issuer)
                let status = try await client.execute(uri: "/api/v1/company", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil) { $0.status }
                #expect(status == .ok)
                r = try await b.get(client, "/societe/integrations")
                #expect(!b.lastBody.contains(token), "the token is never shown again")
                r = try await b.post(client, "/societe/integrations/jetons/\(listed[0].id)/revoquer", [:])
                #expect(r.status == .seeOther)
                let after = try await client.execute(uri: "/api/v1/company", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil) { $0.status }
                #expect(after == .unauthorized)

                // Webhooks: a bad address is refused beside its field; a good one shows its secret once.
                r = try await b.post(client, "/societe/integrations/webhooks", ["url": "ftp://example.fr/x"])
                #expect(r.status == .unprocessableContent)
                #expect(b.lastBody.contains("url-error"))
                r = try await b.post(client, "/societe/integrations/webhooks", ["url": "https://compta.example.fr/facteur"])
                #expect(r.status == .ok)
                #expect(b.lastBody.contains("whsec_"))
                #expect(try await Webhooks.list(f.db, companyID: a.id).map(\.url) == ["https://compta.example.fr/facteur"])

                // Wording: a template that does not parse is refused; a preview renders example values; saving keeps it.
                r = try await b.post(client, "/societe/integrations/emails/status", ["subject": "{{#x}}", "body": "b", "action": "save"])
                #expect(r.status == .unprocessableContent)
                r = try await b.post(client, "/societe/integrations/emails/status", ["subject": "Statut : {{status.label}}", "body": "Facture {{invoice.number}}", "action": "preview"])
                #expect(r.status == .ok)
                #expect(b.lastBody.contains("Statut : Approuvée"))
                #expect(b.lastBody.contains("Facture F2026-000042"))
                r = try await b.post(client, "/societe/integrations/emails/status", ["subject": "Statut : {{status.label}}", "body": "Facture {{invoice.number}}", "action": "save"])
                #expect(r.status == .seeOther)
                let (saved, custom) = try await Notifications.customTemplate(f.db, companyID: a.id, kind: .status)
                #expect(custom)
                #expect(saved.subject == "Statut : {{status.label}}")

                // Each person's choice.
                r = try await b.post(client, "/mes-notifications", ["mode": "digest"])
                #expect(r.status == .seeOther)
                struct U: Decodable { let user_id: String }
                let alice = try await f.db.sql.select().column("user_id").from("memberships").where("company_id", .equal, a.id).first(decoding: U.self)!.user_id
                #expect(try await Notifications.mode(f.db, companyID: a.id, userID: alice) == .digest)

                // A visitor is sent to the login page.
                var visitor = TestBrowser()
                r = try await visitor.get(client, "/societe/integrations")
                #expect(r.status == .seeOther)
            }
        }
    }
}
