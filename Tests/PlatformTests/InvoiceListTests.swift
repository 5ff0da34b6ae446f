import Foundation
import Logging
import SQLKit
import Testing
@testable import Platform

/// The invoice lists (search, filters, sorting, pages) against the same question answered in Swift over
/// the same rows: lists are read from indexes and in two steps (the page's ids, then their rows), and
/// this checks that nothing is lost, repeated, misordered or miscounted on the way — and that a company
/// never sees another's invoices.
@Suite(.serialized) struct InvoiceListTests {
    static let names = ["Boulangerie Martin", "CLIENT 42 SAS", "Client 420", "Mairie de Lyon", "client 7", "Garage du Port"]

    static func rows(seller: String, buyer: String, other: String) -> [InvoiceRow] {
        let statuses: [Int?] = [nil, 203, 205, 207, 207, 210, 212, 212]
        let channels: [String?] = [nil, "network", "email", "chorus"]
        let now = "2026-11-25T08:00:00Z"
        return (0..<900).map { i in
            let status = statuses[i % statuses.count]
            // A third of them belong to another company that also sells to the buyer.
            let seller = i % 3 == 2 ? other : seller
            let cents = 1_000 + (i * 7919) % 300_000
            let amount = DecimalValue.plain(Decimal(cents) / 100)
            // Few distinct dates and creation times: sorting has to fall back on the tie-breakers.
            let created = "2026-11-\(String(format: "%02d", 1 + i % 5))T08:00:00Z"
            return InvoiceRow(
                id: String(format: "inv-%04d", (i * 37) % 900), seller_company_id: seller, buyer_company_id: status == nil || i % 4 == 0 ? nil : buyer,
                client_id: nil, state: status == nil ? "draft" : "issued", status_code: status,
                number: status == nil ? nil : String(format: "F2026-%05d", i), year: 2026, type_code: "380",
                issue_date: "2026-\(String(format: "%02d", 1 + i % 6))-15", due_date: "2026-12-31", currency: "EUR",
                seller_name: seller == other ? "Autre Vendeur" : "Dupont & Fils", seller_siren: "123456782",
                buyer_name: names[i % names.count], buyer_siren: i % 5 == 0 ? "732829320" : "552081317",
                total_without_vat: amount, total_vat: "0", total_with_vat: amount, amount_due: amount, amount_due_cents: cents, paid: "0",
                source: "entry", entry: nil, body: "{\"note\":\"\(String(repeating: "x", count: 2_000))\"}", source_sha256: nil, xml_sha256: nil,
                pdf_sha256: nil, channel: status == nil ? nil : channels[i % channels.count], sent_at: nil, sent_means: nil,
                credited_invoice_id: nil, created_at: created, updated_at: now, issued_at: status == nil ? nil : created)
        }
    }

    /// What the list must answer, computed in Swift.
    static func expected(_ rows: [InvoiceRow], companyID: String, _ q: Invoices.Query) -> (ids: [String], total: Int) {
        var r = rows.filter { q.direction == .sent ? $0.seller_company_id == companyID : ($0.buyer_company_id == companyID && $0.state == "issued") }
        if let state = q.state { r = r.filter { $0.state == state.rawValue } }
        if !q.statusCodes.isEmpty { r = r.filter { $0.status_code.map(q.statusCodes.contains) ?? false } }
        if let text = q.text?.lowercased(), !text.isEmpty {
            r = r.filter { row in
                [row.number ?? "", row.buyer_name, row.seller_name, row.buyer_siren ?? ""].contains { $0.lowercased().contains(text) }
            }
        }
        if let from = q.from { r = r.filter { ($0.issue_date ?? "") >= from } }
        if let to = q.to { r = r.filter { ($0.issue_date ?? "") <= to } }
        if let min = q.minAmount { r = r.filter { $0.amount_due_cents >= Invoices.cents(min) } }
        if let max = q.maxAmount { r = r.filter { $0.amount_due_cents <= Invoices.cents(max) } }
        if let channel = q.channel { r = r.filter { $0.channel == channel } }
        let descending = q.sort.hasPrefix("-")
        func key(_ row: InvoiceRow) -> String {
            switch q.sort.trimmingCharacters(in: CharacterSet(charactersIn: "-+")) {
            case "amount": return String(format: "%012d", row.amount_due_cents)
            case "client": return row.buyer_name
            case "status": return String(format: "%04d", row.status_code ?? 0)
            case "number": return row.number ?? ""
            case "created": return row.created_at
            default: return row.issue_date ?? ""
            }
        }
        r.sort { a, b in
            let (ka, kb) = (key(a), key(b))
            if ka != kb { return descending ? ka > kb : ka < kb }
            if a.created_at != b.created_at { return a.created_at > b.created_at }
            return a.id < b.id
        }
        let start = (q.page - 1) * q.perPage
        return (Array(r.dropFirst(start).prefix(q.perPage).map(\.id)), r.count)
    }

    @Test(arguments: Engines.all)
    func listsAgreeWithTheRowsOnBothSides(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            let (c, _) = try await Companies.create(db, InvoiceAPITests.carol, actor: "test", ip: nil)
            let rows = Self.rows(seller: a.id, buyer: b.id, other: c.id)
            try await db.sql.insert(into: "invoices").models(rows, nilEncodingStrategy: .asNil).run()

            var queries: [(String, Invoices.Query)] = []
            func add(_ name: String, _ configure: (inout Invoices.Query) -> Void) {
                var q = Invoices.Query()
                configure(&q)
                queries.append((name, q))
            }
            add("all sent, page 1") { _ in }
            add("all sent, page 4 of 20") { $0.page = 4; $0.perPage = 20 }
            add("past the last page") { $0.page = 40 }
            add("text, case folded") { $0.text = "client 42" }
            add("text, page 2") { $0.text = "CLIENT"; $0.page = 2; $0.perPage = 25 }
            add("text past the last page") { $0.text = "client 7"; $0.page = 9 }
            add("text matching nothing") { $0.text = "zzz" }
            add("number") { $0.text = "F2026-0012" }
            add("SIREN") { $0.text = "7328"; $0.sort = "+amount" }
            add("the seller's own name") { $0.text = "dupont"; $0.perPage = 7; $0.page = 3 }
            add("status, by amount") { $0.statusCodes = [207]; $0.sort = "-amount" }
            add("two statuses, by client") { $0.statusCodes = [205, 212]; $0.sort = "client" }
            add("drafts") { $0.state = .draft; $0.sort = "created" }
            add("dates and amounts") { $0.from = "2026-02-01"; $0.to = "2026-04-30"; $0.minAmount = 500; $0.maxAmount = 2_000 }
            add("channel and text") { $0.channel = "email"; $0.text = "mairie"; $0.sort = "-status" }
            add("issued by number") { $0.state = .issued; $0.sort = "number" }
            add("received") { $0.direction = .received }
            add("received, text, by amount") { $0.direction = .received; $0.text = "autre"; $0.sort = "-amount" }
            add("received, status") { $0.direction = .received; $0.statusCodes = [212]; $0.page = 2; $0.perPage = 10 }

            for (name, q) in queries {
                for company in [a.id, b.id, c.id] {
                    let want = Self.expected(rows, companyID: company, q)
                    let got = try await Invoices.list(db, companyID: company, q)
                    #expect(got.total == want.total, "\(engine) \(name): total")
                    #expect(got.items.map(\.id) == want.ids, "\(engine) \(name): page")
                    // Never another company's invoice, whichever side.
                    let sellers = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.seller_company_id) })
                    let buyers = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0.buyer_company_id) })
                    #expect(got.items.allSatisfy { item in
                        q.direction == .sent ? sellers[item.id] == company : buyers[item.id] == company
                    }, "\(engine) \(name): another company's invoice")
                    // The CSV export's walk: every id of the selection in list order, whatever the page asked.
                    var whole = q
                    whole.page = 1
                    whole.perPage = Int.max
                    let all = try await Invoices.allIDs(db, companyID: company, q)
                    #expect(all == Self.expected(rows, companyID: company, whole).ids, "\(engine) \(name): export ids")
                }
            }
            // Rows read back by id, in chunks as the export does, keep the order; another company's ids give nothing.
            let allSent = try await Invoices.allIDs(db, companyID: a.id, Invoices.Query())
            #expect(allSent.count > 500)
            var views: [InvoiceView] = []
            for start in stride(from: 0, to: allSent.count, by: 500) {
                views += try await Invoices.views(db, companyID: a.id, ids: allSent[start..<min(start + 500, allSent.count)])
            }
            #expect(views.map(\.id) == allSent)
            #expect(try await Invoices.views(db, companyID: c.id, ids: allSent[...]).isEmpty)
            let boughtByB = allSent.filter { id in rows.first { $0.id == id }?.buyer_company_id == b.id }
            #expect(!boughtByB.isEmpty)
            #expect(try await Invoices.views(db, companyID: b.id, ids: allSent[...]).map(\.id) == boughtByB)
            // Sanity of the data: the queries above are not all trivially empty.
            #expect(Self.expected(rows, companyID: a.id, queries[3].1).total > 50)
            #expect(Self.expected(rows, companyID: b.id, queries[16].1).total > 100)

            // An absurd name (a deposited invoice can carry anything) is cut in the row, so that the list
            // indexes accept it on PostgreSQL too (about 2.7 kB at most per entry), and stays searchable.
            let noise = (0..<4_000).map { _ in String(UnicodeScalar(UInt8.random(in: 0x61...0x7A))) }.joined()
            var long = rows[0]
            long.id = "inv-long"
            long.buyer_name = Invoices.listed("Long " + noise)
            long.seller_name = Invoices.listed(noise)
            try await db.sql.insert(into: "invoices").model(long, nilEncodingStrategy: .asNil).run()
            #expect(long.buyer_name.count == 300)
            var q = Invoices.Query()
            q.text = "long " + noise.prefix(100)
            let found = try await Invoices.list(db, companyID: long.seller_company_id, q)
            #expect(found.items.map(\.id) == ["inv-long"])

            if engine == "sqlite" {
                // A page is found from the list index alone: no table scan, no read of the rows to filter or sort.
                struct Plan: Decodable { let detail: String }
                for (sql, index) in [
                    ("SELECT id, COUNT(*) OVER () FROM invoices WHERE seller_company_id = 'x' AND (number LIKE '%a%' OR buyer_name LIKE '%a%') ORDER BY issue_date DESC, created_at DESC, id LIMIT 50", "invoices_seller_list"),
                    ("SELECT id FROM invoices WHERE seller_company_id = 'x' AND status_code IN (207) ORDER BY amount_due_cents DESC, created_at DESC, id LIMIT 50", "invoices_seller_list"),
                    ("SELECT id FROM invoices WHERE buyer_company_id = 'x' AND state = 'issued' AND status_code IN (205) ORDER BY issue_date DESC, created_at DESC, id LIMIT 50", "invoices_buyer_list"),
                ] {
                    let plan = try await db.sql.raw(SQLQueryString("EXPLAIN QUERY PLAN " + sql)).all(decoding: Plan.self).map(\.detail)
                    #expect(plan.contains { $0.contains("COVERING INDEX \(index)") } && !plan.contains { $0.hasPrefix("SCAN invoices") }, "\(plan)")
                }
            }
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
