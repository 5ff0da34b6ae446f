import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

@Suite(.serialized) struct UsersPagesTests {
    @Test(arguments: Engines.all)
    func inviteByEmailAcceptSwitchChangeRoleRemove(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let (a, alice) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(f.db, CompanyTestData.bob, actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var manager = TestBrowser()
                try await manager.login(client, "alice@example.fr", CompanyAndAPITests.alice.password)
                var r = try await manager.get(client, "/utilisateurs")
                #expect(r.status == .ok && manager.lastBody.contains("gestionnaire principal"))
                #expect(!manager.lastBody.contains("action=\"/utilisateurs/\(alice.id)/retirer\""), "no remove button for the principal manager")
                r = try await manager.post(client, "/utilisateurs/invitations", ["email": "pas-une-adresse", "role": "issuer"])
                #expect(r.status == .unprocessableContent && manager.lastBody.contains("id=\"email-error\""))
                r = try await manager.post(client, "/utilisateurs/invitations", ["email": "Dan@Example.fr", "role": "issuer"])
                #expect(r.status == .seeOther)
                try await manager.get(client, "/utilisateurs")
                #expect(manager.lastBody.contains("Invitation envoyée à dan@example.fr") && manager.lastBody.contains("Invitations en attente"))

                // The email carries a single-use link; the new person creates their account with it.
                let link = try #require(try await f.lastLink(to: "dan@example.fr"))
                #expect(link.contains("/invitations/accepter?token=inv_"))
                let mail = try #require(try await f.parts.web.outbox.recent().first { $0.toAddress == "dan@example.fr" })
                #expect(mail.subject.contains("Dupont & Fils") && mail.textBody.contains("Alice Martin"))
                let path = String(link[link.range(of: "/invitations")!.lowerBound...])
                var dan = TestBrowser()
                r = try await dan.get(client, path)
                #expect(r.status == .ok && dan.lastBody.contains("Dupont &amp; Fils") && dan.lastBody.contains("émetteur"))
                let token = String(path.split(separator: "=").last!)
                r = try await dan.post(client, "/invitations/accepter", ["token": token, "fullName": "", "password": "court"])
                #expect(r.status == .unprocessableContent && dan.lastBody.contains("id=\"fullName-error\"") && dan.lastBody.contains("id=\"password-error\""))
                r = try await dan.post(client, "/invitations/accepter", ["token": token, "fullName": "Dan Petit", "password": "un mot de passe assez long"])
                #expect(r.status == .seeOther && r.headers[.location] == "/tableau-de-bord")
                r = try await dan.get(client, "/tableau-de-bord")
                #expect(r.status == .ok && dan.lastBody.contains("Dupont &amp; Fils"), "signed in, acting for the company")
                var again = TestBrowser()
                r = try await again.get(client, path)
                #expect(r.status == .gone && again.lastBody.contains("déjà été acceptée"))

                // Alice is invited to B: she logs in, accepts, and then switches between her two companies.
                let toAlice = try await Users.invite(f.db, companyID: b.id, actorRole: .manager, email: "alice@example.fr", role: .approver, actor: "test", ip: nil)
                var stranger = TestBrowser()
                r = try await stranger.get(client, toAlice.acceptPath)
                #expect(r.status == .ok && stranger.lastBody.contains("connectez-vous"), "an existing account must log in first")
                r = try await manager.get(client, toAlice.acceptPath)
                #expect(manager.lastBody.contains("Rejoindre la société"))
                r = try await manager.post(client, "/invitations/accepter", ["token": toAlice.token])
                #expect(r.status == .seeOther)
                r = try await manager.get(client, "/tableau-de-bord")
                #expect(manager.lastBody.contains("company-switch") && manager.lastBody.contains("Client SA"), "the company switcher appears")
                r = try await manager.post(client, "/societe/choisir", ["company": a.id])
                try await manager.get(client, "/utilisateurs")
                #expect(manager.lastBody.contains("dan@example.fr"))

                // Role change and removal in one action each; the principal manager cannot be removed.
                let danID = try #require(try await Users.members(f.db, companyID: a.id).first { $0.email == "dan@example.fr" }).userID
                r = try await manager.post(client, "/utilisateurs/\(danID)/role", ["role": "viewer"])
                #expect(try await Users.role(f.db, userID: danID, companyID: a.id) == .viewer)
                r = try await manager.post(client, "/utilisateurs/\(alice.id)/retirer", [:])
                try await manager.get(client, "/utilisateurs")
                #expect(manager.lastBody.contains("ne peut pas être retiré"))
                r = try await manager.post(client, "/utilisateurs/\(danID)/retirer", [:])
                #expect(try await Users.role(f.db, userID: danID, companyID: a.id) == nil)
                // Dan's session no longer opens the company's pages.
                r = try await dan.get(client, "/clients")
                #expect(r.status == .seeOther)
            }
        }
    }
}
