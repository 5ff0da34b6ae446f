import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

@Suite(.serialized) struct ClientTests {
    @Test func clientRulesSpeakField() {
        var c = Client(kind: .business, name: "  Acme  ", siret: "732 829 320 00074", vatNumber: "fr 12 732829320", emails: ["Compta@Acme.FR"])
        let errors = c.normalizeAndCheck()
        #expect(c.name == "Acme")
        #expect(c.siren == "732829320", "derived from the SIRET")
        #expect(c.emails == ["compta@acme.fr"])
        #expect(errors.map(\.field) == ["vatNumber"], "FR12 does not match SIREN 732829320: \(errors)")

        var publicBody = Client(kind: .publicBody, name: "Mairie", serviceCodeRequired: true, channel: .chorusPro)
        #expect(Set(publicBody.normalizeAndCheck().map(\.field)) == ["siret", "serviceCode"])

        var person = Client(kind: .individual, name: "M. Martin", siren: "732829320", channel: .paper)
        #expect(Set(person.normalizeAndCheck().map(\.code)) == ["unexpected", "required"], "no SIREN for a person; paper needs an address")

        var wrongChannel = Client(kind: .business, name: "X", siren: "732829320", channel: .chorusPro)
        #expect(wrongChannel.normalizeAndCheck().map(\.field) == ["channel"])
    }

    @Test(arguments: Engines.all)
    func crudSearchAndIsolationThroughTheAPI(engine: String) async throws {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, .init(siret: "73282932000074", name: "Client SA", adminEmail: "bob@example.fr",
                                                              adminName: "Bob", password: "another long password"), actor: "test", ip: nil)
            let ta = try await APITokens.create(db, companyID: a.id, name: "a", actor: "test", ip: nil).token
            let tb = try await APITokens.create(db, companyID: b.id, name: "b", actor: "test", ip: nil).token
            // B has a client, to prove A can never see or touch it.
            let bClient = try await Clients.create(db, companyID: b.id, Client(kind: .business, name: "Secret de B", siren: "123456782", emails: ["b@b.fr"]),
                                                   actor: "test", ip: nil)
            var appConfig = config
            appConfig.logLevel = .warning
            let app = try await buildApplication(appConfig)
            try await app.test(.router) { client in
                func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: String? = nil,
                          _ check: (TestResponse) throws -> Void) async throws {
                    var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    if body != nil { headers[.contentType] = "application/json" }
                    let response = try await client.execute(uri: uri, method: method, headers: headers,
                                                             body: body.map { ByteBuffer(string: $0) }) { $0 }
                    try check(response)
                }
                var createdID = ""
                try await call(.post, "/api/v1/clients", ta, #"{"kind":"public_body","name":"Mairie de Lyon","siret":"21690123100011","serviceCode":"SERV-1","serviceCodeRequired":true,"engagementRequired":true,"channel":"chorus_pro"}"#) { r in
                    #expect(r.status == .created)
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                    createdID = json?["id"] as? String ?? ""
                    #expect(json?["siren"] as? String == "216901231")
                    #expect(r.headers[.location] == "/api/v1/clients/\(createdID)")
                }
                try await call(.post, "/api/v1/clients", ta, #"{"kind":"business","name":"","siren":"123456789","emails":["nope"]}"#) { r in
                    #expect(r.status == .unprocessableContent)
                    #expect(r.headers[.contentType] == "application/problem+json")
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                    let fields = Set(((json?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                    #expect(fields == ["name", "siren", "emails[0]"])
                }
                try await call(.post, "/api/v1/clients", ta, #"{"name":"no kind"}"#) { r in
                    #expect(r.status == .unprocessableContent)
                    #expect(String(buffer: r.body).contains("\"field\":\"kind\""))
                }
                for name in ["Bernard SARL", "Abel SAS", "Zoé & Cie"] {
                    try await call(.post, "/api/v1/clients", ta, #"{"kind":"business","name":"\#(name)","siren":"732829320","emails":["x@y.fr"]}"#) { r in
                        #expect(r.status == .created)
                    }
                }
                try await call(.get, "/api/v1/clients?perPage=2&page=1", ta) { r in
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                    #expect(json?["total"] as? Int == 4)
                    let names = (json?["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                    #expect(names == ["Abel SAS", "Bernard SARL"], "sorted by name, paginated")
                }
                try await call(.get, "/api/v1/clients?q=mairie", ta) { r in
                    #expect(String(buffer: r.body).contains("Mairie de Lyon"))
                    #expect(!String(buffer: r.body).contains("Abel"))
                }
                try await call(.get, "/api/v1/clients?q=216901231", ta) { r in
                    #expect(String(buffer: r.body).contains("\"total\":1"))
                }
                try await call(.put, "/api/v1/clients/\(createdID)", ta, #"{"kind":"public_body","name":"Ville de Lyon","siret":"21690123100011","serviceCode":"SERV-2","serviceCodeRequired":true,"channel":"chorus_pro"}"#) { r in
                    #expect(r.status == .ok)
                    #expect(String(buffer: r.body).contains("Ville de Lyon"))
                }
                try await call(.delete, "/api/v1/clients/\(createdID)", ta) { r in #expect(r.status == .noContent) }
                try await call(.get, "/api/v1/clients", ta) { r in #expect(String(buffer: r.body).contains("\"total\":3")) }
                try await call(.get, "/api/v1/clients?archived=true", ta) { r in #expect(String(buffer: r.body).contains("\"total\":4")) }

                // Isolation: every client route, with A's token, on B's client → 404; B's list never shows A's.
                let other = "/api/v1/clients/\(bClient.id)"
                try await call(.get, other, ta) { r in #expect(r.status == .notFound) }
                try await call(.put, other, ta, #"{"kind":"business","name":"pris","siren":"123456782","emails":["a@a.fr"]}"#) { r in #expect(r.status == .notFound) }
                try await call(.delete, other, ta) { r in #expect(r.status == .notFound) }
                try await call(.get, "/api/v1/clients?q=Secret", ta) { r in #expect(String(buffer: r.body).contains("\"total\":0")) }
                try await call(.get, "/api/v1/clients", tb) { r in
                    #expect(String(buffer: r.body).contains("Secret de B"))
                    #expect(!String(buffer: r.body).contains("Abel"))
                }
                // Without a token: 401 on every route.
                for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/clients"), (.post, "/api/v1/clients"), (.get, other), (.put, other), (.delete, other)] {
                    try await client.execute(uri: uri, method: method) { r in #expect(r.status == .unauthorized) }
                }
            }
            let b2 = try await Clients.get(db, companyID: b.id, id: bClient.id)
            #expect(b2.name == "Secret de B" && !b2.archived, "A's attempts changed nothing")
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
