import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import Platform

/// The fast paths of `GET /api/v1/clients` (positional rows, one query for page and count, JSON written by
/// hand, the token cache) must give exactly what the general paths give.
@Suite(.serialized) struct APIThroughputTests {
    /// Strings that exercise every escaping rule of `JSONEncoder`.
    static let awkward = "Café « l'Ami » \"quoted\" back\\slash a/b tab\there\nline\r\u{08}\u{0C}\u{01}\u{1F}\u{7F} € 😀 \u{2028}"

    @Test func handWrittenJSONIsWhatJSONEncoderWrites() throws {
        let clients = [
            Client(id: "c1", kind: .business, name: Self.awkward, siren: "732829320", siret: "73282932000074", vatNumber: "FR44732829320",
                   emails: ["a@b.fr", "x/y@z.fr"], serviceCode: "S/1", serviceCodeRequired: true, engagementRequired: false, channel: .email,
                   addressLine1: "1 rue \"A\"", addressLine2: "bât. 2", postCode: "75001", city: "Paris", countryCode: "FR", archived: true),
            Client(id: "c2", kind: .individual, name: "M. Martin", emails: [], channel: .paper, countryCode: "BE"),
            Client(id: "c3", kind: .publicBody, name: "", siret: "21690123100011", emails: [""], channel: .chorusPro),
        ]
        for page in [ClientPage(items: clients, total: 1234, page: 7, perPage: 3), ClientPage(items: [], total: 0, page: 1, perPage: 50)] {
            let mine = Data(page.json().readableBytesView)
            let reference = try JSONEncoder().encode(page)
            let a = try JSONSerialization.jsonObject(with: mine) as? NSDictionary
            let b = try JSONSerialization.jsonObject(with: reference) as? NSDictionary
            #expect(a != nil && a == b, "\(String(decoding: mine, as: UTF8.self))\nvs\n\(String(decoding: reference, as: UTF8.self))")
            // Same bytes for each string value, escaping included (JSONEncoder's key order is not fixed, its escaping is).
            for c in page.items {
                let escaped = String(decoding: try JSONEncoder().encode([c.name]), as: UTF8.self).dropFirst().dropLast()
                #expect(String(decoding: mine, as: UTF8.self).contains("\"name\":\(escaped)"))
            }
            #expect(try JSONDecoder().decode(PageBack.self, from: mine) == PageBack(items: page.items, total: page.total, page: page.page, perPage: page.perPage))
        }
    }

    struct PageBack: Decodable, Equatable {
        var items: [Client]
        var total: Int
        var page: Int
        var perPage: Int
    }

    /// The page read by position, with its count from the same query, equals the page read through `Decodable`
    /// rows and a separate count, for every filter and for pages past the end.
    @Test(arguments: Engines.all)
    func positionalPagesMatchDecodableRows(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            for i in 0..<23 {
                let c = i % 3 == 0
                    ? Client(kind: .publicBody, name: "Mairie \(i % 5)", siret: "21690123100011", serviceCode: i % 2 == 0 ? "S\(i)" : nil,
                             serviceCodeRequired: i % 2 == 0, engagementRequired: true, channel: .chorusPro)
                    : Client(kind: .business, name: "Société \(i % 7) \(Self.awkward)", siren: "732829320", emails: ["c\(i)@x.fr", "d\(i)@x.fr"],
                             addressLine1: i % 2 == 0 ? "\(i) rue" : nil, city: i % 2 == 0 ? "Lyon" : nil)
                let created = try await Clients.create(db, companyID: a.id, c, actor: "test", ip: nil)
                if i % 4 == 0 { try await Clients.archive(db, companyID: a.id, id: created.id, actor: "test", ip: nil) }
            }
            _ = try await Clients.create(db, companyID: b.id, Client(kind: .business, name: "Société de B", siren: "123456782", emails: ["b@b.fr"]),
                                         actor: "test", ip: nil)
            for (query, archived) in [(nil, false), (nil, true), ("société", false), ("7328", true), ("nothing", false)] as [(String?, Bool)] {
                for (page, perPage) in [(1, 50), (1, 5), (2, 5), (5, 5), (9, 5), (1, 1)] {
                    let got = try await Clients.list(db, companyID: a.id, query: query, includeArchived: archived, page: page, perPage: perPage)
                    // The reference: every row of the company through Decodable, filtered and ordered here.
                    let all = try await db.sql.select().column("*").from("clients").where("company_id", .equal, a.id)
                        .all(decoding: Clients.Row.self).map(\.client)
                    let matching = all.filter { c in
                        (archived || !c.archived) && (query.map { q in
                            c.name.lowercased().contains(q.lowercased()) || c.emails.joined(separator: "\n").lowercased().contains(q.lowercased())
                                || (c.siren ?? "").hasPrefix(q) || (c.siret ?? "").hasPrefix(q)
                        } ?? true)
                    }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
                    let expected = Array(matching.dropFirst((page - 1) * perPage).prefix(perPage))
                    #expect(got.total == matching.count, "\(engine) q=\(query ?? "-") archived=\(archived) page=\(page)")
                    #expect(got.items == expected, "\(engine) q=\(query ?? "-") archived=\(archived) page=\(page)")
                    #expect(!got.items.contains { $0.name == "Société de B" }, "never another company's clients")
                }
            }
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// Remembered tokens never outlive a revocation or a role change made in this process: the very next call
    /// reads the database. And a token of company A still only ever lists A's clients.
    @Test(arguments: Engines.all)
    func revokedTokenIsRefusedOnTheNextCall(engine: String) async throws {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            _ = try await Clients.create(db, companyID: a.id, Client(kind: .business, name: "Client de A", siren: "732829320", emails: ["a@a.fr"]),
                                         actor: "test", ip: nil)
            _ = try await Clients.create(db, companyID: b.id, Client(kind: .business, name: "Client de B", siren: "123456782", emails: ["b@b.fr"]),
                                         actor: "test", ip: nil)
            let ta = try await APITokens.create(db, companyID: a.id, name: "a", actor: "test", ip: nil)
            let tb = try await APITokens.create(db, companyID: b.id, name: "b", actor: "test", ip: nil)
            let app = try await buildApplication(config)
            try await app.test(.router) { client in
                func names(_ token: String) async throws -> (HTTPResponse.Status, [String]) {
                    try await client.execute(uri: "/api/v1/clients", method: .get, headers: [.authorization: "Bearer \(token)"]) { r in
                        let json = try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                        return (r.status, (json?["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [])
                    }
                }
                for _ in 0..<3 {
                    #expect(try await names(ta.token) == (.ok, ["Client de A"]))
                    #expect(try await names(tb.token) == (.ok, ["Client de B"]))
                }
                // The app has its own Database object on the same storage: the changes made here must reach it.
                try await APITokens.setRole(db, companyID: a.id, tokenID: ta.id, role: .viewer, actor: "test", ip: nil)
                let create = try await client.execute(uri: "/api/v1/clients", method: .post,
                                                      headers: [.authorization: "Bearer \(ta.token)", .contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"kind":"business","name":"X","siren":"732829320","emails":["x@x.fr"]}"#)) { $0.status }
                #expect(create == .forbidden, "a viewer now, on the very next call")
                try await APITokens.revoke(db, companyID: a.id, tokenID: ta.id, actor: "test", ip: nil)
                #expect(try await names(ta.token).0 == .unauthorized, "revoked: refused on the very next call")
                #expect(try await names(tb.token) == (.ok, ["Client de B"]), "other tokens unaffected")
                #expect(try await names("fct_unknown").0 == .unauthorized)
            }
            #expect(APITokens.cache.value(for: APITokens.cacheKey(APITokens.digest("fct_unknown"), db)) == nil, "unknown tokens are not")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// A lookup that read the token before a revocation cannot store it after: the cache refuses values read
    /// before its last invalidation.
    @Test func valuesReadBeforeAnInvalidationAreNotStored() {
        let cache = ExpiringCache<String, Int>(ttl: .seconds(60), capacity: 2)
        let before = cache.generation
        cache.invalidateAll()
        cache.put(1, for: "k", readAt: before)
        #expect(cache.value(for: "k") == nil)
        cache.put(1, for: "k", readAt: cache.generation)
        #expect(cache.value(for: "k") == 1)
        cache.put(2, for: "l", readAt: cache.generation)
        cache.put(3, for: "m", readAt: cache.generation)
        #expect(cache.value(for: "m") == 3, "full: starts again rather than growing")
        #expect(cache.value(for: "k") == nil)
        let short = ExpiringCache<String, Int>(ttl: .zero, capacity: 2)
        short.put(1, for: "k", readAt: short.generation)
        #expect(short.value(for: "k") == nil, "expired entries are not served")
    }

    @Test func emailListsSplitAsBefore() {
        for stored in ["", "a@b.fr", "a@b.fr\nc@d.fr", "\n", "a@b.fr\n", "\na@b.fr\n\nc@d.fr"] {
            #expect(Clients.Row.emailList(stored) == stored.split(separator: "\n").map(String.init), "\(stored.debugDescription)")
        }
    }

    @Test func duplicateMigrationNumbersAreRefused() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            let twice = [Migration(version: 1, name: "one", statements: []), Migration(version: 1, name: "other", statements: [])]
            await #expect(throws: MigrationError.self) { try await Migrations.apply(to: db, logger: Logger(label: "test"), migrations: twice) }
            #expect(Set(Migrations.all.map(\.version)).count == Migrations.all.count, "the project's own migrations are numbered once each")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
