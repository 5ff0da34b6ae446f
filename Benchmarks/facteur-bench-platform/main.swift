import FacturX
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import InvoiceModel
import Logging
import Platform
import SQLKit
import Synchronization

// Platform benchmarks, printing numbers (not tests):
//   facteur-bench-platform issue  [--count N] [--concurrency C] [--client lean|urlsession]
//                                                                issuing through the HTTP API: create, issue (validate,
//                                                                number, render, store), deliver on the network; the load
//                                                                comes from LeanHTTPClient on threads (see why there), or
//                                                                from URLSession as before
//   facteur-bench-platform search [--invoices N] [--repeat R]    dashboard and searches over N invoices of one company
//   facteur-bench-platform direct [--count N] [--concurrency C]  issuing through the service without HTTP
// Storage: a fresh SQLite file, or PostgreSQL when DATABASE_URL is set (use scripts/with-postgres.sh).

func option(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return fallback
}

func stringOption(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count { return args[i + 1] }
    return fallback
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

/// Runs `work(0..<n)` on n threads of their own (not Swift's cooperative pool) and gathers the results.
func onThreads<T: Sendable>(_ n: Int, _ work: @escaping @Sendable (Int) throws -> [T]) async throws -> [T] {
    let results = Mutex<(left: Int, items: [T], error: (any Error)?)>((n, [], nil))
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<[T], any Error>) in
        for w in 0..<n {
            Thread {
                let outcome = Result { try work(w) }
                let done = results.withLock { r -> Bool in
                    switch outcome {
                    case let .success(items): r.items += items
                    case let .failure(error): r.error = r.error ?? error
                    }
                    r.left -= 1
                    return r.left == 0
                }
                guard done else { return }
                let r = results.withLock { $0 }
                if let error = r.error { c.resume(throwing: error) } else { c.resume(returning: r.items) }
            }.start()
        }
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func configuration() -> (Configuration, String) {
    var config = Configuration()
    // LOG_LEVEL=debug shows the server's errors (and each SQL statement at trace).
    config.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .error
    config.host = "127.0.0.1"
    config.port = 20000 + Int.random(in: 0..<20000)
    if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
        config.databaseURL = url
        return (config, "PostgreSQL")
    }
    config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-bench-\(UUID().uuidString)").path
    return (config, "SQLite")
}

/// Two companies that are each other's clients, A's settings and bank account, an API token.
func seed(_ db: Database) async throws -> (a: CompanyRecord, b: CompanyRecord, token: String, clientID: String) {
    // On PostgreSQL both benchmarks share one database: the second run reuses the companies.
    if let a = try await Companies.find(db, siret: "12345678200077"), let b = try await Companies.find(db, siret: "73282932000074") {
        let token = try await APITokens.create(db, companyID: a.id, name: "bench", actor: "bench", ip: nil).token
        let client = try await Clients.list(db, companyID: a.id).items.first!
        return (a, b, token, client.id)
    }
    let suffix = String(Int.random(in: 0..<1_000_000))
    let (a, _) = try await Companies.create(db, .init(siret: "12345678200077", name: "Dupont & Fils", adminEmail: "alice\(suffix)@example.fr",
                                                      adminName: "Alice", password: "a long enough password"), actor: "bench", ip: nil)
    let (b, _) = try await Companies.create(db, .init(siret: "73282932000074", name: "Client SA", adminEmail: "bob\(suffix)@example.fr",
                                                      adminName: "Bob", password: "a long enough password"), actor: "bench", ip: nil)
    var settings = try await CompanyProfiles.get(db, companyID: a.id).settings
    settings.addressLine1 = "1 rue de la Paix"
    settings.postCode = "69001"
    settings.city = "Lyon"
    _ = try await CompanyProfiles.update(db, companyID: a.id, role: .manager, settings, actor: "bench", ip: nil)
    let client = try await Clients.create(db, companyID: a.id, Client(kind: .business, name: "Client SA", siret: "73282932000074", emails: ["compta@client.fr"],
                                                                      addressLine1: "2 avenue Foch", postCode: "75016", city: "Paris"),
                                          actor: "bench", ip: nil)
    let token = try await APITokens.create(db, companyID: a.id, name: "bench", actor: "bench", ip: nil).token
    return (a, b, token, client.id)
}

func post(_ url: String, token: String, json: String?) async throws -> (Int, [String: Any]) {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
    if let json {
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(json.utf8)
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
}

func issueBenchmark() async throws {
    let count = option("--count", 1000)
    let concurrency = option("--concurrency", 8)
    let (config, engine) = configuration()
    let db = try await Database.open(config, logger: Logger(label: "bench"))
    let app = try await buildApplication(config)
    let server = Task { try await app.runService() }
    let base = "http://127.0.0.1:\(config.port)/api/v1"
    for _ in 0..<100 {
        if (try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(config.port)/healthz")!)) != nil { break }
        try await Task.sleep(for: .milliseconds(50))
    }
    let (a, b, token, clientID) = try await seed(db)
    let body = """
        {"clientId":"\(clientID)","operationCategory":"mixed","lines":[
          {"description":"Conseil (jours)","quantity":"3","unit":"DAY","unitPrice":"650.00","vatCategory":"S","vatRate":"20"},
          {"description":"Livres techniques","quantity":"4","unitPrice":"32.50","vatCategory":"S","vatRate":"5.5","discountPercent":"10"},
          {"description":"Déplacement","quantity":"1","unitPrice":"120.40","vatCategory":"S","vatRate":"20"}]}
        """
    let lean = stringOption("--client", "lean") != "urlsession"
    @Sendable func one() async throws -> Double {
        let start = ContinuousClock.now
        let (s1, draft) = try await post("\(base)/invoices", token: token, json: body)
        guard s1 == 201, let id = draft["id"] as? String else { throw BenchError.unexpected("create: HTTP \(s1) \(draft)") }
        let (s2, issued) = try await post("\(base)/invoices/\(id)/issue", token: token, json: nil)
        guard s2 == 200, (issued["status"] as? [String: Any])?["code"] as? Int == 203 else { throw BenchError.unexpected("issue: HTTP \(s2) \(issued)") }
        return milliseconds(ContinuousClock.now - start)
    }
    let bodyBytes = Array(body.utf8)
    /// The same exchange with the lean client (LeanHTTPClient.swift): create → 201 and the draft's id,
    /// issue → 200 and status 203 (delivered to the buyer on the network).
    @Sendable func leanOne(_ client: LeanHTTPClient) throws -> Double {
        let start = ContinuousClock.now
        let (s1, draft) = try client.request("POST", "/api/v1/invoices", token: token, json: bodyBytes)
        guard s1 == 201, let idBytes = topLevelJSONValue(draft[...], key: "id"), !idBytes.isEmpty else {
            throw BenchError.unexpected("create: HTTP \(s1) \(String(decoding: draft, as: UTF8.self))")
        }
        let id = String(decoding: idBytes, as: UTF8.self)
        let (s2, issued) = try client.request("POST", "/api/v1/invoices/\(id)/issue", token: token, json: nil)
        guard s2 == 200, let status = topLevelJSONValue(issued[...], key: "status"),
              let code = topLevelJSONValue(status, key: "code"), String(decoding: code, as: UTF8.self) == "203",
              topLevelJSONValue(issued[...], key: "id").map({ String(decoding: $0, as: UTF8.self) }) == id else {
            throw BenchError.unexpected("issue: HTTP \(s2) \(String(decoding: issued, as: UTF8.self))")
        }
        return milliseconds(ContinuousClock.now - start)
    }
    if lean {
        let warm = try LeanHTTPClient(port: config.port)
        for _ in 0..<20 { _ = try leanOne(warm) }  // warm-up: caches, validator artefacts, fonts
    } else {
        for _ in 0..<20 { _ = try await one() }
    }
    let gateBefore = Database.writerLockUsage
    let start = ContinuousClock.now
    let latencies: [Double]
    if lean {
        latencies = try await onThreads(concurrency) { w in
            let client = try LeanHTTPClient(port: config.port)
            var l: [Double] = []
            for _ in stride(from: w, to: count, by: concurrency) { l.append(try leanOne(client)) }
            return l
        }
    } else {
        latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for w in 0..<concurrency {
                group.addTask {
                    var l: [Double] = []
                    for _ in stride(from: w, to: count, by: concurrency) { l.append(try await one()) }
                    return l
                }
            }
            var all: [Double] = []
            for try await l in group { all += l }
            return all
        }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    struct N: Decodable { let n: Int; let d: Int }
    let check = try await db.sql.raw("SELECT count(*) AS n, count(DISTINCT number) AS d FROM invoices WHERE seller_company_id = \(bind: a.id) AND state = 'issued'")
        .first(decoding: N.self)!
    let received = try await Invoices.list(db, companyID: b.id, { var q = Invoices.Query(); q.direction = .received; q.perPage = 1; return q }()).total
    print(String(format: "issue %@: %d invoices (3 lines, 2 VAT rates) in %.2f s with %d concurrent clients: %.0f invoices/s; latency p50 %.1f ms, p99 %.1f ms",
                 engine, count, seconds, concurrency, Double(count) / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99)))
    print("check: \(check.n) issued, \(check.d) distinct numbers, \(received) in B's inbox")
    let gate = Database.writerLockUsage
    if gate.transactions > gateBefore.transactions {
        let n = gate.transactions - gateBefore.transactions
        let bodies = gate.bodies - gateBefore.bodies
        print(String(format: "SQLite writer lock: %d transactions (%d bodies, %.1f per group commit), held %.2f ms each on average (%.0f %% of the run); client: %@",
                     n, bodies, Double(bodies) / Double(n), milliseconds(gate.held - gateBefore.held) / Double(n), milliseconds(gate.held - gateBefore.held) / (seconds * 10),
                     lean ? "lean HTTP/1.1 (threads)" : "URLSession"))
    }
    server.cancel()
    try await db.shutdown()
}

enum BenchError: Error { case unexpected(String) }

/// The same work without HTTP, to tell the cost of the service from the cost of the transport.
func directBenchmark() async throws {
    let count = option("--count", 500)
    let concurrency = option("--concurrency", 8)
    let (config, engine) = configuration()
    let db = try await Database.open(config, logger: Logger(label: "bench"))
    try await Migrations.apply(to: db, logger: Logger(label: "bench"))
    let (a, _, _, clientID) = try await seed(db)
    let entry = InvoiceEntry(clientId: clientID, lines: [
        .init(description: "Conseil (jours)", quantity: 3, unit: "DAY", unitPrice: 650, vatCategory: "S", vatRate: 20),
        .init(description: "Livres techniques", quantity: 4, unitPrice: Decimal(string: "32.50")!, discountPercent: 10, vatCategory: "S", vatRate: Decimal(string: "5.5")!),
        .init(description: "Déplacement", quantity: 1, unitPrice: Decimal(string: "120.40")!, vatCategory: "S", vatRate: 20),
    ])
    let producer = FacturXProducer()
    var createTime = Duration.zero, issueTime = Duration.zero
    for _ in 0..<20 {
        let d = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "bench", ip: nil)
        _ = try await Invoices.issue(db, companyID: a.id, id: d.id, producer: producer, actor: "bench", ip: nil)
    }
    for _ in 0..<100 {
        let t0 = ContinuousClock.now
        let d = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "bench", ip: nil)
        let t1 = ContinuousClock.now
        _ = try await Invoices.issue(db, companyID: a.id, id: d.id, producer: producer, actor: "bench", ip: nil)
        createTime += t1 - t0
        issueTime += ContinuousClock.now - t1
    }
    print("direct \(engine), one at a time: create \(createTime / 100), issue \(issueTime / 100) per invoice")
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for w in 0..<concurrency {
            group.addTask {
                for _ in stride(from: w, to: count, by: concurrency) {
                    let d = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "bench", ip: nil)
                    _ = try await Invoices.issue(db, companyID: a.id, id: d.id, producer: producer, actor: "bench", ip: nil)
                }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "direct %@, %d concurrent: %.0f invoices/s", engine, concurrency, Double(count) / seconds))
    try await db.shutdown()
}

func searchBenchmark() async throws {
    let total = option("--invoices", 100_000)
    let repeats = option("--repeat", 30)
    let (config, engine) = configuration()
    let db = try await Database.open(config, logger: Logger(label: "bench"))
    try await Migrations.apply(to: db, logger: Logger(label: "bench"))
    let (a, b, _, clientID) = try await seed(db)
    // Rows written directly (issuing 100,000 invoices through the API would measure issuing, not searching).
    let columns = ["id", "seller_company_id", "buyer_company_id", "client_id", "state", "status_code", "number", "year", "type_code", "issue_date",
                   "due_date", "currency", "seller_name", "seller_siren", "buyer_name", "buyer_siren", "total_without_vat", "total_vat",
                   "total_with_vat", "amount_due", "amount_due_cents", "paid", "source", "body", "created_at", "updated_at"]
    let statuses = [203, 205, 207, 210, 211, 212, 212, 212]
    // A real invoice's body (a ten-line invoice as JSON, a few kilobytes): rows as large as real ones,
    // so that a query reading more than it shows pays for it here too.
    let body = String(decoding: try JSONEncoder().encode(RenderSamples.invoice(lines: 10)), as: UTF8.self)
    let fill = ContinuousClock.now
    var done = 0
    while done < total {
        let batch = min(500, total - done)
        let start = done
        try await db.sql.transaction { tx in
            var insert = tx.insert(into: "invoices").columns(columns)
            for i in start..<(start + batch) {
                let draft = i % 20 == 0
                let cents = 1000 + (i * 7919) % 500_000
                let amount = "\(cents / 100).\(String(format: "%02d", cents % 100))"
                let day = 1 + i % 28, month = 1 + (i / 28) % 12
                let date = String(format: "2026-%02d-%02d", month, day)
                let values: [any Encodable & Sendable] = [
                    UUID().uuidString.lowercased(), a.id, draft ? nil as String? : b.id, clientID, draft ? "draft" : "issued",
                    draft ? nil as Int? : statuses[i % statuses.count], draft ? nil as String? : String(format: "B2026-%06d", i + 1), 2026, "380",
                    date, date, "EUR", "Dupont & Fils", "123456782", "Client \(i % 997)", "732829320", amount, "0", amount, amount, cents, "0",
                    "entry", body, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
                ]
                insert = insert.values(values.map { SQLBind($0) })
            }
            try await insert.run()
        }
        done += batch
    }
    let fillTime = ContinuousClock.now - fill
    print("search \(engine): \(total) invoices of one company (\(body.utf8.count / 1024) KiB bodies) written in \(fillTime.components.seconds) s")
    // A company does not get 100,000 invoices in seconds: by the time it has them, PostgreSQL's autovacuum
    // (which since version 13 also follows inserts) has set the visibility map and the statistics that
    // index-only scans rely on. Do now what it would have done; measuring in the seconds after a bulk
    // load would time the load's aftermath, not the queries.
    if engine == "PostgreSQL" { try await db.sql.raw("VACUUM ANALYZE invoices").run() }
    let today = LocalDate(year: 2026, month: 11, day: 25)!
    func measure(_ name: String, _ work: () async throws -> Int) async throws {
        _ = try await work()
        var times: [Double] = []
        var result = 0
        for _ in 0..<repeats {
            let s = ContinuousClock.now
            result = try await work()
            let d = ContinuousClock.now - s
            times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        let label = name.padding(toLength: 52, withPad: " ", startingAt: 0)
        print(label + String(format: " median %7.2f ms   p95 %7.2f ms   (%d rows)", percentile(times, 0.5), percentile(times, 0.95), result))
    }
    try await measure("dashboard (counts, amounts, latest invoices)") {
        let summary = try await Dashboard.summary(db, companyID: a.id, today: today)
        _ = try await Dashboard.latest(db, companyID: a.id)
        return summary.issued
    }
    try await measure("dashboard of the buyer (received)") { try await Dashboard.summary(db, companyID: b.id, today: today).received }
    func list(_ configure: (inout Invoices.Query) -> Void) async throws -> Int {
        var q = Invoices.Query()
        configure(&q)
        return try await Invoices.list(db, companyID: a.id, q).total
    }
    try await measure("sent, newest first, page 1") { try await list { _ in } }
    try await measure("sent, page 100 (offset 4,950)") { try await list { $0.page = 100 } }
    try await measure("search \"Client 42\" (number, client, SIREN)") { try await list { $0.text = "Client 42" } }
    try await measure("search by number \"B2026-00077\"") { try await list { $0.text = "B2026-00077" } }
    try await measure("status 207 (en litige), by amount descending") { try await list { $0.statusCodes = [207]; $0.sort = "-amount" } }
    try await measure("March 2026, 1,000–2,000 €") { try await list { $0.from = "2026-03-01"; $0.to = "2026-03-31"; $0.minAmount = 1000; $0.maxAmount = 2000 } }
    try await measure("received by B, status 205") {
        var q = Invoices.Query(); q.direction = .received; q.statusCodes = [205]
        return try await Invoices.list(db, companyID: b.id, q).total
    }
    try await db.shutdown()
}

switch CommandLine.arguments.dropFirst().first {
case "issue": try await issueBenchmark()
case "search": try await searchBenchmark()
case "direct": try await directBenchmark()
default:
    FileHandle.standardError.write(Data("usage: facteur-bench-platform issue|direct [--count N] [--concurrency C] [--client lean|urlsession] | search [--invoices N] [--repeat R]\n".utf8))
    exit(2)
}
exit(0)
