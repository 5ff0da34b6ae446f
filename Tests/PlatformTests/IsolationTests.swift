import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import Platform

/// Two companies side by side. Company B has one object of every kind; every route that names an
/// object is called by company A (its API token, its manager's session) with B's object, and must
/// answer 404; without credentials the API answers 401 and the pages send to the login page.
/// Roles are enforced: a viewer cannot change settings (403).
@Suite(.serialized) struct IsolationTests {
    struct World {
        var a: CompanyRecord
        var b: CompanyRecord
        var tokenA: String
        var tokenB: String
        var viewerToken: String
        /// B's objects, by the path segment that names their collection.
        var bObjects: [String: String]
        var bClient: Client
    }

    static let password = "correct horse battery"

    static func world(_ db: Database) async throws -> World {
        let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
        let (b, bob) = try await Companies.create(db, CompanyTestData.bob, actor: "test", ip: nil)
        let tokenA = try await APITokens.create(db, companyID: a.id, name: "a", actor: "test", ip: nil)
        let tokenB = try await APITokens.create(db, companyID: b.id, name: "b", actor: "test", ip: nil)
        let viewer = try await APITokens.create(db, companyID: a.id, name: "viewer", actor: "test", ip: nil)
        try await APITokens.setRole(db, companyID: a.id, tokenID: viewer.id, role: .viewer, actor: "test", ip: nil)
        var settings = try await CompanyProfiles.get(db, companyID: b.id).settings
        settings.addressLine1 = "2 avenue Foch"
        settings.postCode = "75016"
        settings.city = "Paris"
        try await CompanyProfiles.update(db, companyID: b.id, role: .manager, settings, actor: "test", ip: nil)
        let bClient = try await Clients.create(db, companyID: b.id, Client(kind: .business, name: "Secret de B", siren: "123456782", emails: ["b@b.fr"]),
                                               actor: "test", ip: nil)
        let bAccount = try await CompanyProfiles.addBankAccount(db, companyID: b.id, role: .manager,
                                                                BankAccount(label: "Compte de B", iban: "DE89 3704 0044 0532 0130 00"), actor: "test", ip: nil)
        let bInvitation = try await Users.invite(db, companyID: b.id, actorRole: .manager, email: "pending@b.fr", role: .viewer, actor: "test", ip: nil)
        let carolInvite = try await Users.invite(db, companyID: b.id, actorRole: .manager, email: "carol@b.fr", role: .issuer, actor: "test", ip: nil)
        let (carol, _) = try await Users.accept(db, token: carolInvite.token, actingUserID: nil, newAccount: .init(fullName: "Carol de B", password: password), ip: nil)
        // A viewer in company A, for the role checks.
        let victorInvite = try await Users.invite(db, companyID: a.id, actorRole: .manager, email: "victor@a.fr", role: .viewer, actor: "test", ip: nil)
        _ = try await Users.accept(db, token: victorInvite.token, actingUserID: nil, newAccount: .init(fullName: "Victor Lecteur", password: password), ip: nil)
        _ = bob
        // B's invoice draft (the invoices module's own entry format).
        let entry = try JSONDecoder().decode(InvoiceEntry.self, from: Data(#"{"clientId":"\#(bClient.id)","lines":[{"description":"Secret","quantity":"1","unitPrice":"10","vatCategory":"S","vatRate":"20"}]}"#.utf8))
        let invoice = try await Invoices.createDraft(db, companyID: b.id, entry, actor: "test", ip: nil)
        let webhook = try await Webhooks.create(db, companyID: b.id, url: "https://b.example/hook", actor: "test", ip: nil)
        return World(a: a, b: b, tokenA: tokenA.token, tokenB: tokenB.token, viewerToken: viewer.token,
                     bObjects: ["clients": bClient.id, "bank-accounts": bAccount.id, "comptes": bAccount.id, "users": carol, "utilisateurs": carol,
                                "invitations": bInvitation.invitation.id, "invoices": invoice.id, "factures": invoice.id,
                                "webhooks": webhook.id, "jetons": tokenB.id],
                     bClient: bClient)
    }

    /// `/api/v1/clients/:id/x` → the id of B's object of that collection (the segment before `:id`).
    static func substitute(_ pattern: String, _ objects: [String: String], fallback: String) -> (path: String, known: Bool) {
        var segments = pattern.split(separator: "/").map(String.init)
        var known = true
        for i in segments.indices where segments[i].hasPrefix(":") || segments[i].hasPrefix("{") {
            if i > 0, let id = objects[segments[i - 1]] { segments[i] = id } else {
                segments[i] = fallback
                known = false
            }
        }
        return ("/" + segments.joined(separator: "/"), known)
    }

    static let bodies: [String: String] = [
        "clients": #"{"kind":"business","name":"Pris par A","siren":"123456782","emails":["a@a.fr"]}"#,
        "bank-accounts": #"{"label":"Pris par A","iban":"FR76 3000 6000 0112 3456 7890 189"}"#,
        "users": #"{"role":"viewer"}"#,
        "status": #"{"code":205}"#,
        "payments": #"{"amount":"1"}"#,
        "credit-note": #"{"lines":[{"line":1,"quantity":"1"}]}"#,
        "sent": #"{"means":"email"}"#,
        "notifications": #"{"mode":"digest"}"#,
    ]

    /// Path parameters that name an object; others (`{kind}` of a notification template) name a
    /// company-wide setting, not another company's object.
    static func namesObject(_ path: String) -> Bool { path.contains("{id}") || path.contains(":id") }

    @Test(arguments: Engines.all)
    func everyAPIRouteIsScopedToTheTokensCompany(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let w = try await Self.world(f.db)
            let routes = f.parts.router.routes.map { (method: $0.method, path: "/" + $0.path.description.split(separator: "/").joined(separator: "/")) }
                .filter { $0.path.hasPrefix("/api/v1/") && $0.path != "/api/v1/openapi.json" }
            #expect(routes.count >= 20, "\(routes.map(\.path))")
            try await f.app.test(.router) { client in
                let objects = w.bObjects
                func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String?, _ body: String? = nil) async throws -> HTTPResponse.Status {
                    var headers = HTTPFields()
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    if body != nil { headers[.contentType] = "application/json" }
                    return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { $0.status }
                }
                let bodies = Self.bodies.merging(["invoices": #"{"clientId":"\#(w.bClient.id)","lines":[{"description":"A","quantity":"1","unitPrice":"1","vatCategory":"S","vatRate":"20"}]}"#]) { a, _ in a }

                var checked = 0
                for r in routes {
                    let (path, known) = Self.substitute(r.path, objects, fallback: UUID().uuidString.lowercased())
                    let last = String(path.split(separator: "/").last ?? "")
                    let collection = r.path.split(separator: "/").reversed().first { !$0.hasPrefix(":") && !$0.hasPrefix("{") && $0 != "v1" && $0 != "api" }
                        .map(String.init) ?? ""
                    let body = r.method == .put || r.method == .post ? (bodies[last] ?? bodies[collection] ?? "{}") : nil
                    #expect(try await call(r.method, path, nil, body) == .unauthorized, "\(r.method) \(r.path) without a token")
                    #expect(try await call(r.method, path, "fct_wrong", body) == .unauthorized, "\(r.method) \(r.path) with an unknown token")
                    guard Self.namesObject(r.path) else { continue }
                    #expect(known, "\(r.method) \(r.path): the test has no object of company B for this route; add one")
                    let status = try await call(r.method, path, w.tokenA, body)
                    #expect(status == .notFound, "\(r.method) \(r.path) with A's token on B's object answers \(status)")
                    checked += 1
                }
                #expect(checked >= 12)
                // Lists never show B's objects to A.
                for uri in ["/api/v1/clients?q=Secret&archived=true", "/api/v1/users", "/api/v1/invitations", "/api/v1/company/bank-accounts"] {
                    let text = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(w.tokenA)"]) { String(buffer: $0.body) }
                    for secret in ["Secret de B", "carol@b.fr", "pending@b.fr", "Compte de B"] { #expect(!text.contains(secret), "\(uri) shows \(secret)") }
                }
                // Roles: a viewer token reads but changes nothing.
                #expect(try await call(.get, "/api/v1/company", w.viewerToken) == .ok)
                #expect(try await call(.put, "/api/v1/company", w.viewerToken, #"{"name":"Pris"}"#) == .forbidden)
                #expect(try await call(.post, "/api/v1/company/bank-accounts", w.viewerToken, Self.bodies["bank-accounts"]) == .forbidden)
                #expect(try await call(.post, "/api/v1/invitations", w.viewerToken, #"{"email":"x@a.fr","role":"manager"}"#) == .forbidden)
            }
            // Nothing of B changed.
            #expect(try await Clients.get(f.db, companyID: w.b.id, id: w.bClient.id) == w.bClient)
            #expect(try await CompanyProfiles.bankAccounts(f.db, companyID: w.b.id).map(\.label) == ["Compte de B"])
            #expect(try await Users.members(f.db, companyID: w.b.id).count == 2)
            #expect(try await Users.invitations(f.db, companyID: w.b.id).map(\.email) == ["pending@b.fr"])
            #expect(try await CompanyProfiles.get(f.db, companyID: w.a.id).settings.name == w.a.name, "the viewer changed nothing")
        }
    }

    @Test(arguments: Engines.all)
    func everyPageIsScopedToTheSessionsCompany(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let w = try await Self.world(f.db)
            let routes = f.parts.web.routes
            #expect(routes.count >= 20)
            try await f.app.test(.router) { client in
                // Visitors: every signed-in page sends to the login page.
                var visitor = TestBrowser()
                try await visitor.get(client, "/connexion")
                for r in routes where r.access != .visitor {
                    let (path, _) = Self.substitute(r.route.pattern, w.bObjects, fallback: "x")
                    let response = r.method == .get ? try await visitor.get(client, path) : try await visitor.post(client, path, [:])
                    #expect(response.status == .seeOther && response.headers[.location]?.hasPrefix("/connexion") == true,
                            "\(r.method) \(path) answers \(response.status) to a visitor")
                }

                // Alice, manager of A, on B's objects: 404 on every route that names one.
                var alice = TestBrowser()
                try await alice.get(client, "/connexion")
                var r = try await alice.post(client, "/connexion", ["email": "alice@example.fr", "password": Self.password])
                #expect(r.status == .seeOther)
                var checked = 0
                for route in routes where Self.namesObject(route.route.pattern) && route.access != .visitor {
                    let (path, known) = Self.substitute(route.route.pattern, w.bObjects, fallback: "x")
                    #expect(known, "\(route.method) \(route.route.pattern): the test has no object of company B for this page; add one")
                    try await alice.get(client, "/tableau-de-bord")
                    let fields: [String: String] = ["code": "205", "amount": "1", "means": "email", "role": "viewer", "kind": "business", "name": "Pris par A", "siren": "123456782", "emails": "a@a.fr",
                                                    "channel": "email", "countryCode": "FR"]
                    r = route.method == .get ? try await alice.get(client, path) : try await alice.post(client, path, fields)
                    #expect(r.status == .notFound, "\(route.method) \(path) as A's manager on B's object answers \(r.status)")
                    checked += 1
                }
                #expect(checked >= 8)
                try await alice.get(client, "/clients?q=Secret&archives=on")
                #expect(!alice.lastBody.contains("Secret de B"))
                // Switching to a company she does not belong to is refused.
                try await alice.get(client, "/tableau-de-bord")
                r = try await alice.post(client, "/societe/choisir", ["company": w.b.id])
                #expect(r.status == .forbidden)
                try await alice.get(client, "/utilisateurs")
                #expect(alice.lastBody.contains("victor@a.fr") && !alice.lastBody.contains("carol@b.fr"))

                // Victor, viewer of A: reads the company and clients, changes nothing (403).
                var victor = TestBrowser()
                try await victor.get(client, "/connexion")
                r = try await victor.post(client, "/connexion", ["email": "victor@a.fr", "password": Self.password])
                #expect(r.status == .seeOther)
                r = try await victor.get(client, "/societe")
                #expect(r.status == .ok && victor.lastBody.contains("<fieldset disabled>"))
                r = try await victor.post(client, "/societe", ["name": "Pris par Victor", "countryCode": "FR", "paymentTermsDays": "30", "timeZone": "Europe/Paris"])
                #expect(r.status == .forbidden)
                try await victor.get(client, "/tableau-de-bord")
                r = try await victor.get(client, "/utilisateurs")
                #expect(r.status == .forbidden)
                r = try await victor.get(client, "/clients")
                #expect(r.status == .ok)
                r = try await victor.post(client, "/clients/nouveau", ["kind": "individual", "name": "X", "channel": "paper", "addressLine1": "1 rue", "city": "Lyon"])
                #expect(r.status == .forbidden)
            }
            #expect(try await Clients.get(f.db, companyID: w.b.id, id: w.bClient.id) == w.bClient)
            #expect(try await CompanyProfiles.get(f.db, companyID: w.a.id).settings.name == w.a.name)
            #expect(try await Users.members(f.db, companyID: w.b.id).count == 2)
        }
    }
}
