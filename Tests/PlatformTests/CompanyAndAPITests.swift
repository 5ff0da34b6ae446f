import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

@Suite(.serialized) struct CompanyAndAPITests {
    static let alice = Companies.NewCompany(siret: "123 456 782 00077", name: "Dupont & Fils", adminEmail: "Alice@Example.fr",
                                            adminName: "Alice Martin", password: "correct horse battery")

    @Test(arguments: Engines.all)
    func createCompanyWithItsPrincipalManager(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (company, user) = try await Companies.create(db, Self.alice, actor: "test", ip: "127.0.0.1")
            #expect(company.siret == "12345678200077")
            #expect(company.siren == "123456782")
            #expect(company.vatNumber == "FR11123456782")
            #expect(user.email == "alice@example.fr")
            #expect(user.passwordHash == nil, "the hash never leaves the storage layer")
            // The same SIRET twice is refused with a clear message.
            await #expect(throws: PlatformError.self) { try await Companies.create(db, Self.alice, actor: "test", ip: nil) }
            do { _ = try await Companies.create(db, Self.alice, actor: "test", ip: nil) } catch let e as PlatformError {
                guard case .conflict(let field, _, _) = e else { Issue.record("expected a conflict, got \(e)"); return }
                #expect(field == "siret")
            }
            // Creation is in the company's audit trail, and the trail verifies.
            let audit = try await AuditLog.verify(db.sql, companyID: company.id)
            #expect(audit.entries == 1 && audit.breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test func everyProblemOfASignUpIsReportedAtOnce() {
        let errors = Companies.check(.init(siret: "12345678200078", name: " ", adminEmail: "alice@", adminName: "", password: "short"))
        #expect(Set(errors.map(\.field)) == ["siret", "name", "adminEmail", "password"])
        #expect(errors.first { $0.field == "siret" }?.code == "checksum")
        #expect(Companies.check(.init(siret: "1234", name: "X", adminEmail: "a@b.fr", adminName: "A", password: "correct horse battery")).map(\.code) == ["format"])
        // La Poste's establishments follow their own key.
        #expect(Companies.check(.init(siret: "35600000000150", name: "La Poste", adminEmail: "a@b.fr", adminName: "A", password: "correct horse battery")).isEmpty)
    }

    @Test(arguments: Engines.all)
    func apiTokensAuthenticateAndIsolateCompanies(engine: String) async throws {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, Self.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, .init(siret: "73282932000074",
                                                              name: "Client SA", adminEmail: "bob@example.fr", adminName: "Bob", password: "another long password"),
                                                    actor: "test", ip: nil)
            let tokenA = try await APITokens.create(db, companyID: a.id, name: "compta", actor: "test", ip: nil)
            let tokenB = try await APITokens.create(db, companyID: b.id, name: "erp", actor: "test", ip: nil)
            #expect(tokenA.token.hasPrefix("fct_") && tokenA.token.count > 40)
            var appConfig = config
            appConfig.logLevel = .warning
            let app = try await buildApplication(appConfig)
            try await app.test(.router) { client in
                for (token, company) in [(tokenA.token, a), (tokenB.token, b)] {
                    try await client.execute(uri: "/api/v1/company", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                        #expect(response.status == .ok)
                        let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        #expect(json?["id"] as? String == company.id, "each token sees its own company only")
                        #expect(json?["siret"] as? String == company.siret)
                    }
                }
                for header in ["", "Bearer ", "Bearer fct_not-a-token", "Basic YWxhZGRpbjpvcGVuc2VzYW1l"] {
                    let headers: HTTPFields = header.isEmpty ? [:] : [.authorization: header]
                    try await client.execute(uri: "/api/v1/company", method: .get, headers: headers) { response in
                        #expect(response.status == .unauthorized)
                        #expect(response.headers[.contentType] == "application/problem+json")
                    }
                }
                // A revoked token stops working at once.
                try await APITokens.revoke(db, companyID: a.id, tokenID: tokenA.id, actor: "test", ip: nil)
                try await client.execute(uri: "/api/v1/company", method: .get, headers: [.authorization: "Bearer \(tokenA.token)"]) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            // Company B cannot revoke company A's token: it does not exist for B.
            await #expect(throws: PlatformError.notFound(what: "api_token")) {
                try await APITokens.revoke(db, companyID: b.id, tokenID: tokenA.id, actor: "test", ip: nil)
            }
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}

@Suite struct DemoDataTests {
    @Test func seedingTwiceKeepsOneSetOfData() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let first = try await DemoData.seed(db)
            let second = try await DemoData.seed(db)
            #expect(first.count == 2 && second.count == 2)
            #expect(first[0].apiToken != second[0].apiToken, "fresh tokens each run, since tokens are shown only once")
            let a = try #require(try await Companies.find(db, siret: first[0].siret))
            let clients = try await Clients.list(db, companyID: a.id)
            #expect(clients.total == 2, "the other company and the public body, once")
            #expect(clients.items.contains { $0.kind == .publicBody && $0.serviceCodeRequired })
            let b = try #require(try await Companies.find(db, siret: first[1].siret))
            #expect(try await Clients.list(db, companyID: b.id).items.map(\.siret) == [a.siret], "each is the other's client")
            #expect(try await APITokens.company(for: second[1].apiToken, in: db) == b.id)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
