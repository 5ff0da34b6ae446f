import Foundation
import Hummingbird
import InvoiceModel
import HummingbirdTesting
import Logging
import NIOFoundationCompat
import Testing
@testable import Platform

/// The invoice pages through the router, as a browser uses them (session cookie, CSRF field, forms):
/// entry errors beside their fields, issue (refused then accepted), the buyer's approval, payments,
/// deposit refusals, the CSV export, the dashboard's counts, and another company's 404s.
@Suite(.serialized) struct InvoicePagesTests {
    static let bob = InvoiceAPITests.bob
    static let carol = InvoiceAPITests.carol

    /// Signs a browser in with the login form.
    static func signIn(_ client: some TestClientProtocol, email: String, password: String) async throws -> TestBrowser {
        var b = TestBrowser()
        try await b.get(client, "/connexion")
        let r = try await b.post(client, "/connexion", ["email": email, "password": password])
        #expect(r.status == .seeOther, "login of \(email)")
        return b
    }

    static func api(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ token: String, _ json: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                 body: ByteBuffer(string: json)) { r in
            (r.status, (try? JSONSerialization.jsonObject(with: Data(buffer: r.body))) as? [String: Any] ?? [:])
        }
    }

    /// The flash message shown on the page a redirect leads to.
    static func follow(_ b: inout TestBrowser, _ client: some TestClientProtocol, _ r: TestResponse) async throws -> String {
        guard let location = r.headers[.location] else { return b.lastBody }
        try await b.get(client, location)
        return b.lastBody
    }

    static func multipart(_ b: TestBrowser, file: Data, filename: String, type: String) -> (HTTPFields, ByteBuffer) {
        let boundary = "----facteurtest\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += file
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        var h = b.cookieHeader
        h[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return (h, ByteBuffer(data: body))
    }

    static func invoiceID(_ location: String?) -> String {
        String((location ?? "").split(separator: "/").last ?? "")
    }

    @Test(arguments: Engines.all)
    func entryIssueApprovePayDepositIsolation(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(f.db, Self.bob, actor: "test", ip: nil)
            _ = try await Companies.create(f.db, Self.carol, actor: "test", ip: nil)
            let ta = try await APITokens.create(f.db, companyID: a.id, name: "a", actor: "test", ip: nil).token
            _ = b
            try await f.app.test(.router) { client in
                var (status, object) = try await Self.api(client, .put, "/api/v1/company", ta, """
                    {"name":"Dupont & Fils","legalForm":"SARL","shareCapital":"10000","rcs":"Lyon B 123 456 782","addressLine1":"1 rue de la Paix","postCode":"69001","city":"Lyon","countryCode":"FR","invoicePrefix":"F","paymentTermsDays":30,"recoveryIndemnityText":"Indemnité forfaitaire pour frais de recouvrement : 40 €.","earlyPaymentDiscount":"Pas d'escompte.","timeZone":"Europe/Paris"}
                    """)
                #expect(status == .ok)
                (status, object) = try await Self.api(client, .post, "/api/v1/clients", ta,
                    #"{"kind":"business","name":"Client SA","siret":"73282932000074","emails":["compta@client.fr"],"addressLine1":"2 avenue Foch","postCode":"75016","city":"Paris"}"#)
                #expect(status == .created)
                let clientID = object["id"] as? String ?? ""

                var alice = try await Self.signIn(client, email: "alice@example.fr", password: "correct horse battery")
                var r = try await alice.get(client, "/factures/nouvelle")
                #expect(r.status == .ok)
                #expect(alice.lastBody.contains("value=\"\(clientID)\""), "the client is offered")

                // Entry errors: each message beside its field, the summary links to it.
                r = try await alice.post(client, "/factures/nouvelle", [
                    "clientId": clientID, "issueDate": "2026-11-20",
                    "lines[0].description": "", "lines[0].quantity": "1", "lines[0].unitPrice": "10", "lines[0].vatCategory": "S", "lines[0].vatRate": "",
                    "lines[1].description": "Vis", "lines[1].quantity": "deux", "lines[1].unitPrice": "5", "lines[1].vatCategory": "S", "lines[1].vatRate": "20",
                ])
                #expect(r.status == .unprocessableContent)
                for field in ["lines[0].description", "lines[0].vatRate", "lines[1].quantity"] {
                    #expect(alice.lastBody.contains("id=\"\(field)-error\""), "error beside \(field)")
                    #expect(alice.lastBody.contains("href=\"#\(field)\""), "summary links to \(field)")
                }
                #expect(alice.lastBody.contains("value=\"Vis\""), "typed values are kept")

                // Three lines, two rates, one of them exempt without its reason: saved, but issuing it fails.
                r = try await alice.post(client, "/factures/nouvelle", [
                    "clientId": clientID, "issueDate": "2026-11-20", "dueDate": "2026-12-20", "operationCategory": "mixed", "currency": "EUR",
                    "lines[0].description": "Conseil (jours)", "lines[0].quantity": "3", "lines[0].unit": "DAY", "lines[0].unitPrice": "650,00",
                    "lines[0].vatCategory": "S", "lines[0].vatRate": "20",
                    "lines[1].description": "Livres techniques", "lines[1].quantity": "4", "lines[1].unitPrice": "32,50", "lines[1].discountPercent": "10",
                    "lines[1].vatCategory": "S", "lines[1].vatRate": "5,5",
                    "lines[2].description": "Formation", "lines[2].quantity": "1", "lines[2].unitPrice": "120,40", "lines[2].vatCategory": "E",
                ])
                #expect(r.status == .seeOther, "\(alice.lastBody.prefix(3000))")
                let id = Self.invoiceID(r.headers[.location])
                #expect(!id.isEmpty)
                var page = try await Self.follow(&alice, client, r)
                #expect(page.contains("Brouillon enregistré"))
                // 1950 at 20 % = 390; 117 (130 − 10 %) at 5.5 % = 6.435 → 6.44; 120.40 exempt. HT 2187.40, TVA 396.44, TTC 2583.84.
                #expect(page.contains("2\u{202F}187,40"), "total HT")
                #expect(page.contains("396,44"), "total VAT")
                #expect(page.contains("2\u{202F}583,84"), "total TTC")

                r = try await alice.post(client, "/factures/\(id)/emettre", [:])
                #expect(r.status == .unprocessableContent)
                #expect(alice.lastBody.contains("ne peut pas être émise"))
                #expect(alice.lastBody.contains("/factures/\(id)/modifier#"), "each problem links to the entry page")

                // Fix the line: a taxed service instead.
                r = try await alice.get(client, "/factures/\(id)/modifier")
                #expect(r.status == .ok && alice.lastBody.contains("value=\"Formation\""))
                r = try await alice.post(client, "/factures/\(id)/modifier", [
                    "clientId": clientID, "issueDate": "2026-11-20", "dueDate": "2026-12-20", "operationCategory": "mixed", "currency": "EUR",
                    "lines[0].description": "Conseil (jours)", "lines[0].quantity": "3", "lines[0].unit": "DAY", "lines[0].unitPrice": "650,00",
                    "lines[0].vatCategory": "S", "lines[0].vatRate": "20",
                    "lines[1].description": "Livres techniques", "lines[1].quantity": "4", "lines[1].unitPrice": "32,50", "lines[1].discountPercent": "10",
                    "lines[1].vatCategory": "S", "lines[1].vatRate": "5,5",
                    "lines[2].description": "Déplacement", "lines[2].quantity": "1", "lines[2].unitPrice": "120,40", "lines[2].vatCategory": "S", "lines[2].vatRate": "20",
                ])
                #expect(r.status == .seeOther)
                page = try await Self.follow(&alice, client, r)
                // 2070.40 at 20 % = 414.08; 6.44 at 5.5 %: TVA 420.52, TTC 2607.92.
                #expect(page.contains("2\u{202F}607,92"))
                r = try await alice.post(client, "/factures/\(id)/emettre", [:])
                #expect(r.status == .seeOther)
                page = try await Self.follow(&alice, client, r)
                #expect(page.contains("F2026-000001") && page.contains("Client SA sur le réseau Facteur"))
                #expect(page.contains("Mise à disposition"), "status badge after delivery")

                // The buyer sees it in Reçues and decides.
                var bob = try await Self.signIn(client, email: "bob@example.fr", password: "another long password")
                try await bob.get(client, "/factures?onglet=recues")
                #expect(bob.lastBody.contains("F2026-000001") && bob.lastBody.contains("Dupont &amp; Fils"))
                try await bob.get(client, "/factures/\(id)")
                #expect(bob.lastBody.contains("Approuver") && bob.lastBody.contains("Refuser"))
                #expect(!bob.lastBody.contains("Enregistrer un encaissement"), "payments are the issuer's")
                r = try await bob.post(client, "/factures/\(id)/statut", ["code": "210", "reason": ""])
                page = try await Self.follow(&bob, client, r)
                #expect(page.contains("exige un motif"), "a refusal needs a reason")
                r = try await bob.post(client, "/factures/\(id)/statut", ["code": "205"])
                page = try await Self.follow(&bob, client, r)
                #expect(page.contains("Facture approuvée") && page.contains("Paiement transmis"))
                r = try await bob.post(client, "/factures/\(id)/statut", ["code": "211"])
                page = try await Self.follow(&bob, client, r)
                #expect(page.contains("l&#39;émetteur en est informé") || page.contains("l'émetteur en est informé"))

                // The issuer records two payments; the last one settles it.
                r = try await alice.post(client, "/factures/\(id)/encaissement", ["amount": "1 000,00"])
                page = try await Self.follow(&alice, client, r)
                #expect(page.contains("Reste dû : 1\u{202F}607,92"))
                r = try await alice.post(client, "/factures/\(id)/encaissement", ["amount": "2000"])
                page = try await Self.follow(&alice, client, r)
                #expect(page.contains("flash-error"), "more than outstanding is refused")
                r = try await alice.post(client, "/factures/\(id)/encaissement", ["amount": "1607,92"])
                page = try await Self.follow(&alice, client, r)
                #expect(page.contains("soldée") && page.contains("data-status=\"212\""))
                // The timeline lists every step, newest first.
                let codes = page.components(separatedBy: "<li class=\"tone-").dropFirst().compactMap { part -> Int? in
                    guard let r = part.range(of: "data-code=\"") else { return nil }
                    return Int(part[r.upperBound...].prefix(3))
                }
                #expect(codes == [212, 211, 211, 205, 203, 202, 201, 200], "\(codes)")

                // Dashboards.
                try await alice.get(client, "/tableau-de-bord")
                #expect(Self.count("collected", alice.lastBody) == 1 && Self.count("issued", alice.lastBody) == 1 && Self.count("drafts", alice.lastBody) == 0)
                try await bob.get(client, "/tableau-de-bord")
                #expect(Self.count("received", bob.lastBody) == 1 && Self.count("awaiting", bob.lastBody) == 0)

                // CSV export: BOM, semicolons, French headers, decimal comma.
                r = try await alice.get(client, "/factures/export.csv?onglet=emises")
                let csv = Data(buffer: r.body)
                #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
                let text = String(decoding: csv.dropFirst(3), as: UTF8.self)
                #expect(text.hasPrefix("Numéro;Type;Date;Échéance;Client;SIREN;Devise;Total HT;TVA;Total TTC"))
                #expect(text.contains("F2026-000001;Facture;20/11/2026;20/12/2026;Client SA;732829320;EUR;2187,4;420,52;2607,92;2607,92;0;Encaissée"), "\(text)")

                // Deposits: B cannot deposit A's invoice; A cannot deposit it twice.
                r = try await alice.get(client, "/factures/\(id)/xml")
                let xml = Data(buffer: r.body)
                #expect(r.status == .ok && xml.count > 1000)
                try await bob.get(client, "/factures/deposer")
                var (h, body) = Self.multipart(bob, file: xml, filename: "f.xml", type: "application/xml")
                var resp = try await client.execute(uri: "/factures/deposer?_csrf=\(bob.csrf)", method: .post, headers: h, body: body)
                #expect(resp.status == .unprocessableContent)
                #expect(String(buffer: resp.body).contains("vous ne pouvez déposer que vos propres factures"))
                try await alice.get(client, "/factures/deposer")
                (h, body) = Self.multipart(alice, file: xml, filename: "f.xml", type: "application/xml")
                resp = try await client.execute(uri: "/factures/deposer?_csrf=\(alice.csrf)", method: .post, headers: h, body: body)
                #expect(resp.status == .conflict)
                #expect(String(buffer: resp.body).contains("doublon refusé"))
                // A "number" longer than the reform's 35 characters (BR-FR-01) is refused, and says why.
                let longNumber = "F2026-" + String(repeating: "9", count: 34)
                let longXML = Data(String(decoding: xml, as: UTF8.self).replacingOccurrences(of: "F2026-000001", with: longNumber).utf8)
                (h, body) = Self.multipart(alice, file: longXML, filename: "long.xml", type: "application/xml")
                resp = try await client.execute(uri: "/factures/deposer?_csrf=\(alice.csrf)", method: .post, headers: h, body: body)
                #expect(resp.status == .unprocessableContent && String(buffer: resp.body).contains("compte 40 caractères : 35 au plus"), "\(String(buffer: resp.body))")
                (h, body) = Self.multipart(alice, file: Data("pas une facture".utf8), filename: "x.xml", type: "application/xml")
                resp = try await client.execute(uri: "/factures/deposer?_csrf=\(alice.csrf)", method: .post, headers: h, body: body)
                #expect(resp.status == .unprocessableContent && String(buffer: resp.body).contains("illisible"))

                // Company C sees none of it.
                var carol = try await Self.signIn(client, email: "carol@example.fr", password: "yet another long password")
                for path in ["/factures/\(id)", "/factures/\(id)/pdf", "/factures/\(id)/xml", "/factures/\(id)/modifier"] {
                    r = try await carol.get(client, path)
                    #expect(r.status == .notFound, "C gets 404 on \(path)")
                }
                r = try await carol.post(client, "/factures/\(id)/statut", ["code": "205"])
                #expect(r.headers[.location] == nil || r.status == .notFound, "C cannot act")
                try await carol.get(client, "/factures?onglet=recues")
                #expect(!carol.lastBody.contains("F2026-000001"))
            }
        }
    }

    /// The number a dashboard shows for one of its counters.
    static func count(_ key: String, _ html: String) -> Int? {
        guard let r = html.range(of: "data-count=\"\(key)\"") else { return nil }
        let rest = html[r.upperBound...]
        guard let v = rest.range(of: "<span class=\"stat-value\">") else { return nil }
        return Int(rest[v.upperBound...].prefix { $0.isNumber })
    }

    @Test func draftsDuplicateDeleteAndRowButtons() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let clientRecord = try await Clients.create(f.db, companyID: a.id, Client(kind: .publicBody, name: "Mairie", siret: "21759993500012",
                                                                                      serviceCode: "SERVICE-TECH", serviceCodeRequired: true, engagementRequired: true, channel: .chorusPro),
                                                        actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var alice = try await Self.signIn(client, email: "alice@example.fr", password: "correct horse battery")
                try await alice.get(client, "/factures/nouvelle")
                #expect(alice.lastBody.contains("Ce client exige : code service SERVICE-TECH, n° d&#39;engagement") || alice.lastBody.contains("Ce client exige : code service SERVICE-TECH, n° d'engagement"))
                var fields = ["clientId": clientRecord.id, "lines[0].description": "Étude", "lines[0].quantity": "1", "lines[0].unitPrice": "100",
                              "lines[0].vatCategory": "S", "lines[0].vatRate": "20"]
                // Without script: « Ajouter une ligne » re-renders with one more row, typed values kept.
                var r = try await alice.post(client, "/factures/nouvelle", fields.merging(["intent": "addLine"]) { a, _ in a })
                #expect(r.status == .ok && alice.lastBody.contains("name=\"lines[1].description\"") && alice.lastBody.contains("value=\"Étude\""))
                // Chorus Pro requirements come back beside their fields.
                r = try await alice.post(client, "/factures/nouvelle", fields)
                #expect(r.status == .unprocessableContent)
                #expect(alice.lastBody.contains("id=\"purchaseOrderReference-error\"") && alice.lastBody.contains("href=\"#purchaseOrderReference\""))
                fields["buyerReference"] = "SERVICE-1"
                fields["purchaseOrderReference"] = "ENG-42"
                r = try await alice.post(client, "/factures/nouvelle", fields)
                #expect(r.status == .seeOther)
                let id = Self.invoiceID(r.headers[.location])
                r = try await alice.post(client, "/factures/\(id)/dupliquer", [:])
                #expect(r.status == .seeOther && r.headers[.location]?.hasSuffix("/modifier") == true)
                let copy = String(r.headers[.location]!.split(separator: "/").dropLast().last!)
                #expect(copy != id)
                r = try await alice.post(client, "/factures/\(id)/supprimer", [:])
                #expect(r.headers[.location] == "/factures?onglet=brouillons")
                r = try await alice.get(client, "/factures/\(id)")
                #expect(r.status == .notFound)
                try await alice.get(client, "/factures?onglet=brouillons")
                #expect(alice.lastBody.contains("/factures/\(copy)") && alice.lastBody.contains("1 facture"))
            }
        }
    }

    /// « Mon tableau de bord » with 100,000 invoices in one company (and 20,000 in another, received
    /// from it): the counts and amounts are right, and come from the indexes (no scan of the table).
    @Test func dashboardWith100kInvoices() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(f.db, Self.bob, actor: "test", ip: nil)
            let today = LocalDate(year: 2026, month: 11, day: 25)!
            // Status by index: drafts, then a spread of lifecycle statuses; every 10th open one is overdue.
            let statuses: [Int?] = [nil, 203, 204, 205, 208, 211, 212, 212, 210, 213, 220, 209]
            var expected = Dashboard.Summary()
            var rows: [InvoiceRow] = []
            let now = "2026-11-25T08:00:00Z"
            for i in 0..<100_000 {
                let status = statuses[i % statuses.count]
                let toB = i < 20_000 && status != nil
                let cents = 10_000 + (i % 977)
                let overdue = i % 10 == 0
                let due = overdue ? "2026-10-01" : "2026-12-31"
                let paid = (status == 205 && i % 7 == 0) ? "12.5" : "0"
                let amount = Decimal(cents) / 100
                rows.append(InvoiceRow(id: String(format: "inv-%06d", i), seller_company_id: a.id, buyer_company_id: toB ? b.id : nil, client_id: nil,
                                       state: status == nil ? "draft" : "issued", status_code: status, number: status == nil ? nil : "F\(i)",
                                       year: 2026, type_code: "380", issue_date: "2026-\(String(format: "%02d", 1 + i % 11))-15", due_date: due,
                                       currency: "EUR", seller_name: "A", seller_siren: a.siren, buyer_name: "B", buyer_siren: "732829320",
                                       total_without_vat: "0", total_vat: "0", total_with_vat: DecimalValue.plain(amount), amount_due: DecimalValue.plain(amount),
                                       amount_due_cents: cents, paid: paid, source: "entry", entry: nil, body: "{}", source_sha256: nil, xml_sha256: nil,
                                       pdf_sha256: nil, channel: nil, sent_at: nil, sent_means: nil, credited_invoice_id: nil, created_at: now, updated_at: now,
                                       issued_at: status == nil ? nil : now))
                guard let status else { expected.drafts += 1; continue }
                expected.issued += 1
                if status == 208 { expected.sentSuspended += 1 }
                if status == 210 || status == 213 { expected.refusedOrRejected += 1 }
                if status == 212 { expected.collected += 1 }
                if ![210, 212, 213, 220].contains(status) {
                    let open = amount - (Decimal(string: paid) ?? 0)
                    expected.outstanding += open
                    expected.outstandingCount += 1
                    if overdue { expected.overdue += open; expected.overdueCount += 1 }
                }
            }
            expected.awaitingAction = expected.sentSuspended
            for start in stride(from: 0, to: rows.count, by: 500) {
                try await f.db.sql.insert(into: "invoices").models(Array(rows[start..<min(start + 500, rows.count)]), nilEncodingStrategy: .asNil).run()
            }
            var best = Duration.seconds(10)
            var summary = Dashboard.Summary()
            for _ in 0..<3 {
                let clock = ContinuousClock()
                let elapsed = try await clock.measure {
                    summary = try await Dashboard.summary(f.db, companyID: a.id, today: today)
                    _ = try await Dashboard.latest(f.db, companyID: a.id)
                }
                best = min(best, elapsed)
            }
            print("dashboard with 100,000 invoices: \(best)")
            #expect(summary == expected)
            // Speed is measured by `scripts/bench-invoices.sh` (release build), not asserted here: a
            // timed test would only measure how busy the machine is. What can be asserted is the plan.
            // And the plans: counts and amounts from the index alone, never a scan of the table.
            struct Plan: Decodable { let detail: String }
            let counts = try await f.db.sql.raw("EXPLAIN QUERY PLAN SELECT state, status_code, COUNT(*) AS n FROM invoices WHERE seller_company_id = \(bind: a.id) GROUP BY state, status_code")
                .all(decoding: Plan.self).map(\.detail)
            #expect(counts.contains { $0.contains("COVERING INDEX invoices_seller_state_status") }, "\(counts)")
            let sums = try await f.db.sql.raw("EXPLAIN QUERY PLAN SELECT SUM(amount_due_cents) FROM invoices WHERE seller_company_id = \(bind: a.id) AND state = 'issued' AND status_code IN (\(binds: [203, 204]))")
                .all(decoding: Plan.self).map(\.detail)
            #expect(sums.contains { $0.contains("USING COVERING INDEX invoices_seller_state_status") } && !sums.contains { $0.hasPrefix("SCAN") }, "\(sums)")
            let received = try await f.db.sql.raw("EXPLAIN QUERY PLAN SELECT status_code, COUNT(*) AS n FROM invoices WHERE buyer_company_id = \(bind: b.id) GROUP BY status_code")
                .all(decoding: Plan.self).map(\.detail)
            #expect(received.contains { $0.contains("COVERING INDEX invoices_buyer_status") }, "\(received)")
            // B received the issued ones among the first 20,000, and must act on 203, 204 and 209.
            let toB = rows.prefix(20_000).filter { $0.status_code != nil }
            let bSummary = try await Dashboard.summary(f.db, companyID: b.id, today: today)
            #expect(bSummary.received == toB.count)
            #expect(bSummary.receivedAwaiting == toB.filter { [203, 204, 209].contains($0.status_code!) }.count)
            #expect(bSummary.awaitingAction == bSummary.receivedAwaiting && bSummary.issued == 0 && bSummary.drafts == 0)
            let clock = ContinuousClock()
            let s1 = try await clock.measure { _ = try await Dashboard.summary(f.db, companyID: a.id, today: today) }
            let s2 = try await clock.measure { _ = try await Dashboard.latest(f.db, companyID: a.id) }
            print("summary \(s1), latest \(s2)")
        }
    }

    /// A client outside the network: issued, then marked as sent by hand; then a credit note for one line.
    @Test func markSentAndCreditNote() async throws {
        let f = try await WebFixture.make("sqlite")
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let ta = try await APITokens.create(f.db, companyID: a.id, name: "a", actor: "test", ip: nil).token
            try await f.app.test(.router) { client in
                let (status, _) = try await Self.api(client, .put, "/api/v1/company", ta, """
                    {"name":"Dupont & Fils","legalForm":"SARL","shareCapital":"10000","rcs":"Lyon B 123 456 782","addressLine1":"1 rue de la Paix","postCode":"69001","city":"Lyon","countryCode":"FR","invoicePrefix":"F","paymentTermsDays":30,"recoveryIndemnityText":"Indemnité forfaitaire pour frais de recouvrement : 40 €.","earlyPaymentDiscount":"Pas d'escompte.","timeZone":"Europe/Paris"}
                    """)
                #expect(status == .ok)
                // Not a company on Facteur (no such SIREN registered).
                let outside = try await Clients.create(f.db, companyID: a.id, Client(kind: .business, name: "Hors Réseau SARL", siret: "55208131766522",
                                                                                     emails: ["compta@hors-reseau.fr"], addressLine1: "3 rue Basse",
                                                                                     postCode: "13001", city: "Marseille"), actor: "test", ip: nil)
                var alice = try await Self.signIn(client, email: "alice@example.fr", password: "correct horse battery")
                try await alice.get(client, "/factures/nouvelle")
                var r = try await alice.post(client, "/factures/nouvelle", [
                    "clientId": outside.id, "issueDate": "2026-11-20",
                    "lines[0].description": "Audit", "lines[0].quantity": "2", "lines[0].unitPrice": "400", "lines[0].vatCategory": "S", "lines[0].vatRate": "20",
                    "lines[1].description": "Rapport", "lines[1].quantity": "1", "lines[1].unitPrice": "150", "lines[1].vatCategory": "S", "lines[1].vatRate": "10",
                ])
                let id = Self.invoiceID(r.headers[.location])
                r = try await alice.post(client, "/factures/\(id)/emettre", [:])
                var page = try await Self.follow(&alice, client, r)
                #expect(page.contains("n&#39;est pas sur Facteur") || page.contains("n'est pas sur Facteur"))
                #expect(page.contains("Marquer comme envoyée") && page.contains("data-status=\"200\""))
                r = try await alice.post(client, "/factures/\(id)/envoyee", ["date": "2026-11-21", "means": "email"])
                page = try await Self.follow(&alice, client, r)
                #expect(page.contains("Envoi noté") && page.contains("Envoyée le 21/11/2026 — Courriel"))
                #expect(!page.contains(">Marquer comme envoyée<"), "sent once")
                // A credit note for line 2: 150 + 10 % = 165.00, referencing the invoice.
                r = try await alice.post(client, "/factures/\(id)/avoir", ["line-2": "on"])
                #expect(r.status == .seeOther)
                let creditID = Self.invoiceID(r.headers[.location])
                #expect(creditID != id && !creditID.isEmpty)
                page = try await Self.follow(&alice, client, r)
                #expect(page.contains("Avoir créé en brouillon (165,00"))
                #expect(page.contains("Avoir de la facture") && page.contains("F2026-000001") && page.contains("Rapport") && !page.contains("Audit"))
                // English on request.
                try await alice.get(client, "/factures/\(creditID)?lang=en")
                #expect(alice.lastBody.contains("Credit note for invoice") && alice.lastBody.contains("Issue the invoice") && alice.lastBody.contains("€165.00"))
            }
        }
    }
}
