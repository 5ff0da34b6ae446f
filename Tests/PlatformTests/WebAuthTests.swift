import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import Platform

/// A browser, as far as the tests need one: keeps the session cookie, reads the form's CSRF token.
struct TestBrowser {
    var cookies: [String: String] = [:]
    var csrf: String = ""
    var lastBody = ""

    var cookieHeader: HTTPFields {
        var h = HTTPFields()
        if !cookies.isEmpty { h[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return h
    }

    mutating func absorb(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
        lastBody = String(buffer: response.body)
        if let token = Self.csrf(in: lastBody) { csrf = token }
    }

    static func csrf(in html: String) -> String? {
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-_.~"))
        return ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
    }

    @discardableResult
    mutating func get(_ client: some TestClientProtocol, _ uri: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = cookieHeader
        headers.append(contentsOf: extra)
        let response = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        absorb(response)
        return response
    }

    @discardableResult
    mutating func post(_ client: some TestClientProtocol, _ uri: String, _ fields: [String: String], csrf: String? = nil,
                       headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        headers.append(contentsOf: extra)
        var all = fields
        all["_csrf"] = csrf ?? self.csrf
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: Self.form(all))
        absorb(response)
        return response
    }
}

/// A web application on a fresh database, with direct access to its storage and outbox.
struct WebFixture: @unchecked Sendable {
    let db: Database
    let parts: ApplicationParts
    let cleanup: @Sendable () async throws -> Void

    static func make(_ engine: String, configure: (inout Configuration) -> Void = { _ in }) async throws -> WebFixture {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        var c = config
        c.demo = true
        configure(&c)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        try await Migrations.apply(to: db, logger: logger)
        let parts = try await buildParts(c, database: db, logger: logger)
        return WebFixture(db: db, parts: parts, cleanup: cleanup)
    }

    var app: some ApplicationProtocol { Application(router: parts.router) }

    /// The link of the latest email to `to`.
    func lastLink(to: String) async throws -> String? {
        let mail = try await parts.web.outbox.recent().first { $0.toAddress == to }
        return mail.flatMap { DevMailPages.links(in: $0.textBody).first }
    }

    /// Runs the body, then always cleans up.
    func run(_ body: @Sendable (WebFixture) async throws -> Void) async throws {
        do { try await body(self) } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}

func pathOf(_ link: String) -> String {
    URLComponents(string: link).map { $0.path } ?? link
}

@Suite(.serialized) struct WebAuthTests {
    static let siret = "73282932000074"

    @Test(arguments: Engines.all)
    func everySignedInPageRedirectsVisitorsToLogin(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let routes = f.parts.web.routes.filter { $0.access != .visitor }
            #expect(routes.count >= 5, "dashboard, invoices, logout, company switch… are declared")
            try await f.app.test(.router) { client in
                var browser = TestBrowser()
                try await browser.get(client, "/connexion")
                #expect(!browser.csrf.isEmpty)
                for r in routes {
                    let uri = r.route.pattern.replacingOccurrences(of: ":id", with: "00000000-0000-0000-0000-000000000000")
                        .split(separator: "/").map { $0.hasPrefix(":") ? "x" : String($0) }.joined(separator: "/")
                    let path = "/" + uri
                    let response = r.method == .get ? try await browser.get(client, path) : try await browser.post(client, path, [:])
                    #expect(response.status == .seeOther, "\(r.method) \(path) answers \(response.status) to a visitor")
                    #expect(response.headers[.location]?.hasPrefix("/connexion") == true, "\(r.method) \(path) sends visitors to the login page")
                }
            }
        }
    }

    @Test(arguments: Engines.all)
    func signUpInTwoStepsThenLoginAndLogout(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.get(client, "/inscription")
                // Step 1: each field's problem beside it, in French.
                var r = try await b.post(client, "/inscription", ["email": "pas-une-adresse", "siret": "73282932000075"])
                #expect(r.status == .unprocessableContent)
                #expect(b.lastBody.contains("clé de contrôle est fausse"))
                #expect(b.lastBody.contains("href=\"#siret\"") && b.lastBody.contains("href=\"#email\""), "the summary links to the fields")
                #expect(b.lastBody.contains("aria-invalid=\"true\""))
                r = try await b.post(client, "/inscription", ["email": "Claire@Exemple.fr", "siret": "732 829 320 00074"])
                #expect(r.status == .seeOther && r.headers[.location] == "/inscription/envoyee")
                let link = try #require(try await f.lastLink(to: "claire@exemple.fr"))
                #expect(link.hasPrefix("http://localhost:") && link.contains("/inscription/activation/"))
                // Step 2: personal and company details.
                r = try await b.get(client, pathOf(link))
                #expect(r.status == .ok && b.lastBody.contains("73282932000074"))
                r = try await b.post(client, pathOf(link), ["fullName": "", "password": "court", "passwordConfirmation": "court", "companyName": "",
                                                              "shareCapital": "dix mille"])
                #expect(r.status == .unprocessableContent)
                for field in ["fullName", "password", "companyName", "shareCapital"] {
                    #expect(b.lastBody.contains("id=\"\(field)-error\""), "error shown beside \(field)")
                }
                r = try await b.post(client, pathOf(link), ["fullName": "Claire Dubois", "password": "une phrase assez longue",
                                                              "passwordConfirmation": "une phrase assez longue", "companyName": "Dubois Conseil",
                                                              "legalForm": "SAS", "shareCapital": "10 000", "rcs": "RCS Lyon 732 829 320"])
                #expect(r.status == .seeOther && r.headers[.location] == "/tableau-de-bord")
                // The layout (on any page; the local mailbox is one of this module's) shows the person, the company, the manager's menu.
                r = try await b.get(client, "/dev/mail")
                #expect(r.status == .ok)
                #expect(b.lastBody.contains("Claire Dubois") && b.lastBody.contains("Dubois Conseil"))
                #expect(b.lastBody.contains("Mes utilisateurs"), "the principal manager sees the users page in the navigation")
                #expect(b.lastBody.contains("href=\"/tableau-de-bord\" aria-current") == false)
                let company = try #require(try await Companies.find(f.db, siret: Self.siret))
                #expect(company.legalForm == "SAS" && company.shareCapital == "10000")
                let members = try await Accounts.memberships(f.db, userID: try #require(try await Accounts.user(f.db, email: "claire@exemple.fr")).id)
                #expect(members.count == 1 && members[0].role == "manager" && members[0].isPrincipal)
                // The link works once.
                var other = TestBrowser()
                r = try await other.get(client, pathOf(link))
                #expect(r.status == .gone)
                // The same SIRET again: said plainly at step 1.
                try await other.get(client, "/inscription")
                r = try await other.post(client, "/inscription", ["email": "autre@exemple.fr", "siret": Self.siret])
                #expect(r.status == .unprocessableContent && other.lastBody.contains("déjà inscrite"))
                // Logout ends the session: the old cookie opens nothing.
                let oldCookies = b.cookies
                r = try await b.post(client, "/deconnexion", [:])
                #expect(r.status == .seeOther && r.headers[.location] == "/connexion")
                var stale = TestBrowser(cookies: oldCookies)
                r = try await stale.get(client, "/tableau-de-bord")
                #expect(r.status == .seeOther)
                // And the password logs in again.
                try await b.get(client, "/connexion")
                r = try await b.post(client, "/connexion", ["email": "claire@exemple.fr", "password": "une phrase assez longue"])
                #expect(r.status == .seeOther && r.headers[.location] == "/tableau-de-bord")
            }
        }
    }

    @Test func sessionCookieFlagsAndCSRF() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                var r = try await b.get(client, "/connexion")
                let cookie = try #require(r.headers[values: .setCookie].first { $0.hasPrefix("facteur_session=") })
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
                var tls = TestBrowser()
                r = try await tls.get(client, "/connexion", headers: [.init("X-Forwarded-Proto")!: "https"])
                #expect(r.headers[values: .setCookie].first { $0.hasPrefix("facteur_session=") }?.contains("Secure") == true)
                // A form without the session's token is refused, whatever its content.
                r = try await b.post(client, "/connexion", ["email": "a@b.fr", "password": "x"], csrf: "")
                #expect(r.status == .forbidden)
                r = try await b.post(client, "/connexion", ["email": "a@b.fr", "password": "x"], csrf: "forged-token")
                #expect(r.status == .forbidden)
                var stranger = TestBrowser()
                r = try await stranger.post(client, "/inscription", ["email": "a@b.fr", "siret": Self.siret], csrf: b.csrf)
                #expect(r.status == .forbidden, "another browser's token is worthless without its session")
                r = try await b.post(client, "/connexion", ["email": "a@b.fr", "password": "x"])
                #expect(r.status == .unauthorized, "with the token, the form is processed")
            }
        }
    }

    @Test(arguments: Engines.all)
    func loginIsThrottledAfterFiveFailures(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            _ = try await Companies.create(f.db, .init(siret: Self.siret, name: "Dubois", adminEmail: "claire@exemple.fr", adminName: "Claire",
                                                       password: "une phrase assez longue"), actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.get(client, "/connexion")
                for _ in 0..<Accounts.maxFailuresPerEmail {
                    let r = try await b.post(client, "/connexion", ["email": "claire@exemple.fr", "password": "mauvais mot de passe"])
                    #expect(r.status == .unauthorized)
                    #expect(b.lastBody.contains("Adresse électronique ou mot de passe incorrect"))
                }
                let r = try await b.post(client, "/connexion", ["email": "claire@exemple.fr", "password": "une phrase assez longue"])
                #expect(r.status == .tooManyRequests, "even the right password waits once the limit is reached")
                #expect(b.lastBody.contains("réessayez dans 15 minutes"))
            }
            // The window slides: 16 minutes later the right password works.
            let later = Date().addingTimeInterval(16 * 60)
            let result = try await Accounts.login(f.db, email: "claire@exemple.fr", password: "une phrase assez longue", ip: "127.0.0.1", now: later)
            guard case .success = result else { Issue.record("expected a successful login after the window, got \(result)"); return }
        }
    }

    @Test(arguments: Engines.all)
    func passwordResetBySingleUseLink(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            _ = try await Companies.create(f.db, .init(siret: Self.siret, name: "Dubois", adminEmail: "claire@exemple.fr", adminName: "Claire",
                                                       password: "ancienne phrase secrète"), actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.get(client, "/mot-de-passe/oublie")
                // Same answer for an unknown address: nobody learns who has an account.
                var r = try await b.post(client, "/mot-de-passe/oublie", ["email": "inconnu@exemple.fr"])
                let unknownAnswer = b.lastBody
                #expect(r.status == .ok && unknownAnswer.contains("Si un compte existe"))
                #expect(try await f.lastLink(to: "inconnu@exemple.fr") == nil)
                r = try await b.post(client, "/mot-de-passe/oublie", ["email": "claire@exemple.fr"])
                #expect(r.status == .ok && b.lastBody.contains("Si un compte existe"))
                let link = try #require(try await f.lastLink(to: "claire@exemple.fr"))
                r = try await b.get(client, pathOf(link))
                #expect(r.status == .ok)
                r = try await b.post(client, pathOf(link), ["password": "nouvelle phrase secrète", "passwordConfirmation": "autre chose"])
                #expect(r.status == .unprocessableContent && b.lastBody.contains("Les deux mots de passe sont différents"))
                r = try await b.post(client, pathOf(link), ["password": "nouvelle phrase secrète", "passwordConfirmation": "nouvelle phrase secrète"])
                #expect(r.status == .seeOther && r.headers[.location] == "/connexion")
                r = try await b.get(client, pathOf(link))
                #expect(r.status == .gone, "the link works once")
            }
            let old = try await Accounts.login(f.db, email: "claire@exemple.fr", password: "ancienne phrase secrète", ip: "10.0.0.1")
            #expect(old == .wrongCredentials)
            let new = try await Accounts.login(f.db, email: "claire@exemple.fr", password: "nouvelle phrase secrète", ip: "10.0.0.1")
            guard case .success = new else { Issue.record("the new password does not work: \(new)"); return }
        }
    }

    @Test func expiredLinksAreRefused() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            let past = Date().addingTimeInterval(-Accounts.activationLifetime - 60)
            let token = try await Accounts.createToken(f.db, kind: .signup, email: "x@exemple.fr", userID: nil, siret: Self.siret,
                                                       lifetime: Accounts.activationLifetime, now: past)
            #expect(try await Accounts.peekToken(f.db, token, kind: .signup) == nil)
            #expect(try await Accounts.consumeToken(f.db.sql, token, kind: .signup) == nil)
            let fresh = try await Accounts.createToken(f.db, kind: .signup, email: "x@exemple.fr", userID: nil, siret: Self.siret, lifetime: 60)
            #expect(try await Accounts.peekToken(f.db, fresh, kind: .reset) == nil, "a sign-up link is not a reset link")
            #expect(try await Accounts.consumeToken(f.db.sql, fresh, kind: .signup) != nil)
            #expect(try await Accounts.consumeToken(f.db.sql, fresh, kind: .signup) == nil, "used once only")
            // Old links are forgotten a week after they expire; recent ones stay.
            struct Count: Decodable { let n: Int }
            func links() async throws -> Int { try await f.db.sql.raw("SELECT COUNT(*) AS n FROM account_tokens").first(decoding: Count.self)?.n ?? -1 }
            #expect(try await links() == 2)
            try await Accounts.purgeOld(f.db)
            #expect(try await links() == 2, "expired a day ago: kept")
            try await Accounts.purgeOld(f.db, now: Date().addingTimeInterval(8 * 86400))
            #expect(try await links() == 0)
        }
    }

    @Test func englishOnRequestFrenchByDefault() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.get(client, "/connexion")
                #expect(b.lastBody.contains("<html lang=\"fr\">") && b.lastBody.contains("Mot de passe oublié"))
                let r = try await b.get(client, "/connexion?lang=en")
                #expect(b.lastBody.contains("<html lang=\"en\">") && b.lastBody.contains("Forgot your password?"))
                #expect(r.headers[values: .setCookie].contains { $0.hasPrefix("facteur_lang=en") })
                try await b.get(client, "/connexion")
                #expect(b.lastBody.contains("<html lang=\"en\">"), "the choice is remembered")
                var c = TestBrowser()
                try await c.get(client, "/connexion", headers: [.acceptLanguage: "en-GB,en;q=0.9,fr;q=0.5"])
                #expect(c.lastBody.contains("<html lang=\"en\">"))
                try await c.post(client, "/inscription", ["email": "x", "siret": "1"], headers: [.acceptLanguage: "en"])
                #expect(c.lastBody.contains("A SIRET has 14 digits."), "field errors in English too")
            }
        }
        #expect(Lang.fromAcceptLanguage("de-DE,fr;q=0.3,en;q=0.8") == .en)
        #expect(Lang.fromAcceptLanguage("de-DE") == .fr)
    }

    @Test func companySwitcherForPeopleInSeveralCompanies() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, .init(siret: Self.siret, name: "Alpha SAS", adminEmail: "claire@exemple.fr", adminName: "Claire",
                                                                password: "une phrase assez longue"), actor: "test", ip: nil)
            let (b2, _) = try await Companies.create(f.db, .init(siret: "84215730700013", name: "Beta SARL", adminEmail: "claire@exemple.fr",
                                                                 adminName: "Claire", password: "une phrase assez longue"), actor: "test", ip: nil)
            let (other, _) = try await Companies.create(f.db, .init(siret: "90531862200016", name: "Gamma", adminEmail: "bob@exemple.fr",
                                                                    adminName: "Bob", password: "une phrase assez longue"), actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.get(client, "/connexion")
                try await b.post(client, "/connexion", ["email": "claire@exemple.fr", "password": "une phrase assez longue"])
                try await b.get(client, "/dev/mail")
                #expect(b.lastBody.contains("id=\"company-switch\"") && b.lastBody.contains("Beta SARL"))
                #expect(b.lastBody.contains("value=\"\(a.id)\" selected>Alpha SAS"), "the first company by name is the current one")
                var r = try await b.post(client, "/societe/choisir", ["company": b2.id])
                #expect(r.status == .seeOther)
                try await b.get(client, "/dev/mail")
                #expect(b.lastBody.contains("value=\"\(b2.id)\" selected>Beta SARL"))
                r = try await b.post(client, "/societe/choisir", ["company": other.id])
                #expect(r.status == .forbidden, "nobody switches to a company they do not belong to")
                try await b.get(client, "/dev/mail")
                #expect(b.lastBody.contains("value=\"\(b2.id)\" selected>Beta SARL") && !b.lastBody.contains("Gamma"))
            }
        }
    }

    @Test(arguments: Engines.all)
    func managerPagesAreRefusedToOtherRoles(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let (company, _) = try await Companies.create(f.db, .init(siret: Self.siret, name: "Dubois", adminEmail: "claire@exemple.fr", adminName: "Claire",
                                                                      password: "une phrase assez longue"), actor: "test", ip: nil)
            // A second person, a viewer of the same company.
            let (_, viewer) = try await Companies.create(f.db, .init(siret: "84215730700013", name: "Autre", adminEmail: "victor@exemple.fr", adminName: "Victor",
                                                                     password: "une phrase assez longue"), actor: "test", ip: nil)
            try await f.db.sql.raw("""
                INSERT INTO memberships (company_id, user_id, role, is_principal, created_at)
                VALUES (\(bind: company.id), \(bind: viewer.id), 'viewer', \(bind: false), '2026-11-25T00:00:00Z')
                """).run()
            let managerRoutes = f.parts.web.routes.filter { $0.access == .manager }
            #expect(!managerRoutes.isEmpty)
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.get(client, "/connexion")
                let visitorCookie = b.cookies[Sessions.cookieName]
                try await b.post(client, "/connexion", ["email": "victor@exemple.fr", "password": "une phrase assez longue"])
                #expect(b.cookies[Sessions.cookieName] != visitorCookie, "a new session at login: a planted cookie is worthless")
                try await b.get(client, "/dev/mail") // the signed-in session's CSRF token
                let r = try await b.post(client, "/societe/choisir", ["company": company.id])
                #expect(r.status == .seeOther)
                try await b.get(client, "/dev/mail")
                #expect(b.lastBody.contains("value=\"\(company.id)\" selected>Dubois"))
                #expect(!b.lastBody.contains("href=\"/utilisateurs\""), "no Mes utilisateurs entry for a viewer")
                for route in managerRoutes {
                    let path = "/" + route.route.pattern.split(separator: "/").map { $0.hasPrefix(":") ? "x" : String($0) }.joined(separator: "/")
                    let response = route.method == .get ? try await b.get(client, path) : try await b.post(client, path, [:])
                    #expect(response.status == .forbidden, "\(route.method) \(path) is open to a viewer (\(response.status))")
                }
            }
        }
    }

    @Test(arguments: Engines.all)
    func anActivationLinkCreatesOneCompanyEvenWhenUsedConcurrently(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let token = try await Accounts.createToken(f.db, kind: .signup, email: "claire@exemple.fr", userID: nil, siret: Self.siret, lifetime: 3600)
            let input = Accounts.Activation(fullName: "Claire", password: "une phrase assez longue", passwordConfirmation: "une phrase assez longue",
                                            companyName: "Dubois")
            let db = f.db
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            switch try await Accounts.activate(db, token: token, input, ip: nil) {
                            case .created: return "created"
                            case .expired: return "expired"
                            case .invalid: return "invalid"
                            }
                        } catch { return "error" }
                    }
                }
                var all: [String] = []
                for await o in group { all.append(o) }
                return all
            }
            #expect(outcomes.filter { $0 == "created" }.count == 1, "\(outcomes)")
            struct Count: Decodable { let n: Int }
            #expect(try await f.db.sql.raw("SELECT COUNT(*) AS n FROM companies").first(decoding: Count.self)?.n == 1)
        }
    }

    @Test func throttlingPerAddressAcrossEmails() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            for i in 0..<Accounts.maxFailuresPerAddress {
                let r = try await Accounts.login(f.db, email: "inconnu\(i)@exemple.fr", password: "x", ip: "203.0.113.9")
                #expect(r == .wrongCredentials)
            }
            #expect(try await Accounts.login(f.db, email: "encore@exemple.fr", password: "x", ip: "203.0.113.9") == .throttled(minutes: 15))
            #expect(try await Accounts.login(f.db, email: "encore@exemple.fr", password: "x", ip: "198.51.100.7") == .wrongCredentials,
                    "another address is not held back")
        }
    }

    @Test func signingUpAnotherCompanyWithAnExistingAccount() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            _ = try await Companies.create(f.db, .init(siret: "84215730700013", name: "Première", adminEmail: "claire@exemple.fr", adminName: "Claire",
                                                       password: "une phrase assez longue"), actor: "test", ip: nil)
            let token = try await Accounts.createToken(f.db, kind: .signup, email: "claire@exemple.fr", userID: nil, siret: Self.siret, lifetime: 3600)
            // No name nor password asked: the account exists; its password stays.
            let result = try await Accounts.activate(f.db, token: token, .init(fullName: "", password: "", passwordConfirmation: "", companyName: "Seconde"),
                                                     ip: nil)
            guard case .created(let company, let user) = result else { Issue.record("expected a company, got \(result)"); return }
            #expect(company.name == "Seconde")
            #expect(try await Accounts.memberships(f.db, userID: user.id).map(\.companyName) == ["Première", "Seconde"])
            guard case .success = try await Accounts.login(f.db, email: "claire@exemple.fr", password: "une phrase assez longue", ip: "127.0.0.1") else {
                Issue.record("the existing password no longer works"); return
            }
        }
    }

    @Test func loginRedirectGoesBackOnlyToThisSite() {
        #expect(AccountPages.safeNext("/clients?page=2") == "/clients?page=2")
        #expect(AccountPages.safeNext("//evil.example/") == nil)
        #expect(AccountPages.safeNext("https://evil.example/") == nil)
        #expect(AccountPages.safeNext("/\\evil.example") == nil)
    }
}
