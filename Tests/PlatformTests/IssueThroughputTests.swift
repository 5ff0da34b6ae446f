import Crypto
import Foundation
import InvoiceFormats
import InvoiceModel
import Logging
import SQLKit
import Synchronization
import Testing
@testable import Platform

/// A value several tasks update.
final class Shared<T: Sendable>: Sendable {
    let value: Mutex<T>
    init(_ v: T) { value = Mutex(v) }
}

/// What issuing does to go faster must not change what it writes: the texts written before the number is
/// taken and filled in afterwards, the hexadecimal digests, SQLite's writer connection.
@Suite(.serialized) struct IssueThroughputTests {
    /// Every issued invoice's stored JSON body and CII XML are, byte for byte, what writing them again
    /// from the stored invoice gives — with a prefix holding a slash, and with a note that repeats the
    /// stand-in number (the XML slot is then ambiguous and the XML is written again in full).
    @Test(arguments: Engines.all)
    func filledInTextsAreWhatWritingThemWithTheNumberGives(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            _ = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            var settings = try await CompanyProfiles.get(db, companyID: a.id).settings
            settings.addressLine1 = "1 rue de la Paix"
            settings.postCode = "69001"
            settings.city = "Lyon"
            settings.invoicePrefix = "FA/"
            _ = try await CompanyProfiles.update(db, companyID: a.id, role: .manager, settings, actor: "test", ip: nil)
            let client = try await Clients.create(db, companyID: a.id, Client(kind: .business, name: "Client SA", siret: "73282932000074",
                                                                              emails: ["compta@client.fr"], addressLine1: "2 avenue Foch",
                                                                              postCode: "75016", city: "Paris"), actor: "test", ip: nil)
            var entry = InvoiceEntry(clientId: client.id, lines: [
                .init(description: "Conseil « senior » & suivi", quantity: Decimal(string: "3.50")!, unit: "DAY", unitPrice: Decimal(string: "650.00")!,
                      vatCategory: "S", vatRate: 20),
                .init(description: "Livres", quantity: 4, unitPrice: Decimal(string: "32.50")!, discountPercent: 10, vatCategory: "S", vatRate: Decimal(string: "5.5")!),
            ])
            let year = Invoices.today().year
            var ambiguous = entry
            ambiguous.notes = [InvoiceNumbering.format(prefix: "FA/", year: year, value: 0)]
            var ids: [String] = []
            for e in [entry, ambiguous, entry] {
                let draft = try await Invoices.createDraft(db, companyID: a.id, e, actor: "user:alice", ip: nil)
                let issued = try await Invoices.issue(db, companyID: a.id, id: draft.id, producer: FacturXProducer(), actor: "user:alice", ip: nil)
                ids.append(issued.id)
            }
            entry.notes = nil
            var numbers: [String] = []
            for id in ids {
                let row = try #require(try await db.sql.select().column("*").from("invoices").where("id", .equal, id).first(decoding: InvoiceRow.self))
                let invoice = try JSONDecoder().decode(Invoice.self, from: Data(row.body.utf8))
                #expect(invoice.invoiceNumber == row.number)
                numbers.append(invoice.invoiceNumber)
                // The body as a full encoding of the stored invoice writes it.
                #expect(String(decoding: try Invoices.encoder.encode(invoice), as: UTF8.self) == row.body)
                // The XML as CII's writer writes it with the number, and the same XML inside the PDF.
                let xml = try await Documents.get(db.sql, sha256: try #require(row.xml_sha256)).data
                #expect(xml == CII.write(invoice, profile: .en16931))
                let pdf = try await Documents.get(db.sql, sha256: try #require(row.pdf_sha256)).data
                #expect(embeddedInvoiceXML(pdf) == xml)
                #expect(String(decoding: xml, as: UTF8.self).contains(">\(invoice.invoiceNumber)<"))
            }
            #expect(numbers == (1...3).map { InvoiceNumbering.format(prefix: "FA/", year: year, value: $0) })
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test func numberSlotIsFilledOnlyWhereItIsFoundOnce() throws {
        let slot = Invoices.NumberSlot(standIn: "F2026-000000")
        let once = Data("<a><ram:ID>F2026-000000</ram:ID><b>x</b></a>".utf8)
        #expect(slot.xml(once, number: "F2026-001234") == Data("<a><ram:ID>F2026-001234</ram:ID><b>x</b></a>".utf8))
        // Longer than the stand-in (a millionth invoice).
        #expect(slot.xml(once, number: "F2026-1000000") == Data("<a><ram:ID>F2026-1000000</ram:ID><b>x</b></a>".utf8))
        let twice = Data("<a><ram:ID>F2026-000000</ram:ID><ram:Content>F2026-000000</ram:Content></a>".utf8)
        #expect(slot.xml(twice, number: "F2026-000001") == nil)
        #expect(slot.xml(Data("<a/>".utf8), number: "F2026-000001") == nil)
        // Characters XML would escape are not filled in.
        #expect(slot.xml(once, number: "F&2026-1") == nil)
        // JSON: the placeholder quoted, once.
        let body = "{\"a\":\"x\",\"invoiceNumber\":\"\(slot.placeholder)\",\"z\":1}"
        #expect(try slot.json(body, number: "FA/2026-000001") == "{\"a\":\"x\",\"invoiceNumber\":" + String(decoding: try Invoices.encoder.encode("FA/2026-000001"), as: UTF8.self) + ",\"z\":1}")
        #expect(try slot.json("{\"a\":\"x\"}", number: "F1") == nil)
        #expect(try slot.json("[\"\(slot.placeholder)\",\"\(slot.placeholder)\"]", number: "F1") == nil)
    }

    @Test func hexIsWhatFormattingEachByteGives() {
        var samples: [[UInt8]] = [[], [0], [255], Array(0...255)]
        for _ in 0..<50 { samples.append((0..<Int.random(in: 1...64)).map { _ in UInt8.random(in: 0...255) }) }
        for bytes in samples {
            #expect(Hex.lowercase(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        }
        let data = Data("facteur".utf8)
        #expect(Documents.sha256(data) == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
    }

    /// A body that writes through the database rather than its transaction's connection fails at once
    /// (it would wait for the writer it holds, for ever), and its transaction is rolled back.
    @Test(.disabled("SQLiteWriter is not wired in: the full suite hung or stalled with it in about one run out of three")) func aWriteInsideABodyThroughTheDatabaseFails() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            try await db.sql.raw("CREATE TABLE t (k TEXT PRIMARY KEY)").run()
            await #expect(throws: DatabaseError.self) {
                try await db.sql.transaction { tx in
                    try await tx.raw("INSERT INTO t (k) VALUES ('d')").run()
                    _ = try await db.sql.transaction { inner in try await inner.raw("INSERT INTO t (k) VALUES ('e')").run() }
                }
            }
            try await db.sql.transaction { tx in try await tx.raw("INSERT INTO t (k) VALUES ('f')").run() }
            struct K: Decodable { let k: String }
            #expect(try await db.sql.raw("SELECT k FROM t ORDER BY k").all(decoding: K.self).map(\.k) == ["f"])
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// The same draft issued twice at once (a double click): one request issues it, the other is told
    /// it changed under it — a conflict, not a server error — and no number is lost.
    @Test(arguments: Engines.all)
    func aDraftIssuedTwiceAtOnceIsIssuedOnce(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let client = try await Clients.create(db, companyID: a.id, Client(kind: .business, name: "Client SA", siret: "73282932000074",
                                                                              emails: ["compta@client.fr"], addressLine1: "2 avenue Foch", postCode: "75016", city: "Paris"), actor: "test", ip: nil)
            let entry = InvoiceEntry(clientId: client.id, lines: [
                .init(description: "Conseil", quantity: 2, unitPrice: 100, vatCategory: "S", vatRate: 20)])
            for round in 0..<5 {
                let draft = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "test", ip: nil)
                let outcomes = await withTaskGroup(of: Result<String?, any Error>.self) { group in
                    for _ in 0..<2 {
                        group.addTask {
                            do { return .success(try await Invoices.issue(db, companyID: a.id, id: draft.id, producer: FacturXProducer(), actor: "test", ip: nil).number) }
                            catch { return .failure(error) }
                        }
                    }
                    var all: [Result<String?, any Error>] = []
                    for await r in group { all.append(r) }
                    return all
                }
                let numbers = outcomes.compactMap { try? $0.get() }
                #expect(numbers.count == 1, "\(engine) round \(round): \(outcomes)")
                let value = numbers.first.flatMap { $0 }.flatMap { $0.split(separator: "-").last }.flatMap { Int($0) }
                #expect(value == round + 1, "\(engine) round \(round): \(numbers) — no number skipped")
                for case .failure(let error) in outcomes {
                    #expect(error is PlatformError, "\(engine) round \(round): \(error)")
                }
            }
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// SQLite's write transactions run on a connection of their own; single statements written through
    /// the pool at the same time wait for the write lock (busy timeout) instead of failing, and every
    /// write is there afterwards.
    @Test(.disabled("SQLiteWriter is not wired in: the full suite hung or stalled with it in about one run out of three")) func writerConnectionAndPooledWritesShareTheFile() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            // The writer's connection is set up as the pooled ones: foreign keys, busy timeout, and
            // durable commits (synchronous FULL, SQLite's default: 2).
            struct P: Decodable { let foreign_keys: Int?; let timeout: Int?; let synchronous: Int? }
            let writer = try #require((db.sql as? any SerializedWriters)?.writer)
            #expect(try await writer.sql.raw("PRAGMA foreign_keys").first(decoding: P.self)?.foreign_keys == 1)
            #expect(try await writer.sql.raw("PRAGMA busy_timeout").first(decoding: P.self)?.timeout == 10000)
            #expect(try await writer.sql.raw("PRAGMA synchronous").first(decoding: P.self)?.synchronous == 2)
            #expect(try await db.sql.raw("PRAGMA synchronous").first(decoding: P.self)?.synchronous == 2)
            try await db.sql.raw("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)").run()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<16 {
                    group.addTask {
                        if i % 2 == 0 {
                            try await db.sql.transaction { tx in
                                try await tx.raw("INSERT INTO t (k, v) VALUES (\(bind: "tx\(i)"), 1)").run()
                                try await tx.raw("UPDATE t SET v = v + 1 WHERE k = \(bind: "tx\(i)")").run()
                            }
                        } else {
                            try await db.sql.raw("INSERT INTO t (k, v) VALUES (\(bind: "single\(i)"), 1)").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            struct R: Decodable { let k: String; let v: Int }
            let rows = try await db.sql.raw("SELECT k, v FROM t ORDER BY k").all(decoding: R.self)
            #expect(rows.count == 16)
            #expect(rows.filter { $0.k.hasPrefix("tx") }.allSatisfy { $0.v == 2 })
            #expect(rows.filter { $0.k.hasPrefix("single") }.allSatisfy { $0.v == 1 })
            // A transaction that fails leaves nothing, and the writer goes on.
            await #expect(throws: (any Error).self) {
                try await db.sql.transaction { tx in
                    try await tx.raw("INSERT INTO t (k, v) VALUES ('gone', 1)").run()
                    try await tx.raw("INSERT INTO t (k, v) VALUES ('tx0', 1)").run()
                }
            }
            #expect(try await db.sql.raw("SELECT k, v FROM t WHERE k = 'gone'").all(decoding: R.self).isEmpty)
            try await db.sql.transaction { tx in try await tx.raw("INSERT INTO t (k, v) VALUES ('after', 1)").run() }
            #expect(try await db.sql.raw("SELECT k, v FROM t").all(decoding: R.self).count == 17)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// Holds SQLite's writer with a transaction that waits for `release`, until `count` more are queued.
    private static func holdWriter(_ db: Database, until count: Int, _ queue: @escaping @Sendable () async throws -> Void) async throws {
        let writer = try #require((db.sql as? any SerializedWriters)?.writer)
        let (released, release) = AsyncStream<Void>.makeStream()
        let (started, start) = AsyncStream<Void>.makeStream()
        async let holding: Void = db.sql.transaction { tx in
            try await tx.raw("INSERT INTO t (k, v) VALUES ('holder', 0)").run()
            start.yield()
            for await _ in released { break }
        }
        for await _ in started { break }
        async let queued: Void = queue()
        while writer.waiting < count { try await Task.sleep(for: .milliseconds(2)) }
        release.yield()
        try await holding
        try await queued
    }

    /// Transactions queued behind a running one commit together; one that throws is rolled back alone
    /// and its caller, only its caller, gets its error; each body sees what the earlier ones wrote.
    @Test(.disabled("SQLiteWriter is not wired in: the full suite hung or stalled with it in about one run out of three")) func aFailingBodyInAGroupTakesOnlyItsOwnWorkBack() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            try await db.sql.raw("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)").run()
            let writer = try #require((db.sql as? any SerializedWriters)?.writer)
            let before = writer.usage
            struct Boom: Error, Equatable { let n: Int }
            let outcomes = Shared<[Int: Result<Int, Boom>]>([:])
            try await Self.holdWriter(db, until: 6) {
                await withTaskGroup(of: Void.self) { group in
                    for i in 0..<6 {
                        group.addTask {
                            do {
                                let seen = try await db.sql.transaction { tx -> Int in
                                    try await tx.raw("INSERT INTO t (k, v) VALUES (\(bind: "k\(i)"), \(bind: i))").run()
                                    struct N: Decodable { let n: Int }
                                    let n = try await tx.raw("SELECT count(*) AS n FROM t").first(decoding: N.self)?.n ?? -1
                                    if i == 3 { throw Boom(n: n) }
                                    return n
                                }
                                outcomes.value.withLock { $0[i] = .success(seen) }
                            } catch let e as Boom {
                                outcomes.value.withLock { $0[i] = .failure(e) }
                            } catch {
                                Issue.record("unexpected error \(error)")
                            }
                        }
                        // Queued in this order.
                        let queued = i + 1
                        while ((db.sql as? any SerializedWriters)?.writer?.waiting ?? 0) < queued { try? await Task.sleep(for: .milliseconds(1)) }
                    }
                }
            }
            let after = writer.usage
            // The holder's transaction, then the six in one.
            #expect(after.groups - before.groups == 2)
            #expect(after.bodies - before.bodies == 7)
            struct R: Decodable { let k: String }
            let keys = Set(try await db.sql.raw("SELECT k FROM t").all(decoding: R.self).map(\.k))
            #expect(keys == ["holder", "k0", "k1", "k2", "k4", "k5"])
            let o = outcomes.value.withLock { $0 }
            // Body i sees the holder's row, the rows of the bodies before it that were kept, and its own.
            #expect(o[0] == .success(2))
            #expect(o[1] == .success(3))
            #expect(o[2] == .success(4))
            #expect(o[3] == .failure(Boom(n: 5)))
            #expect(o[4] == .success(5))
            #expect(o[5] == .success(6))
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// When a group's COMMIT fails (here a deferred foreign key checked at COMMIT), every body of the
    /// group fails, and nothing of the group is kept; the writer goes on afterwards.
    @Test(.disabled("SQLiteWriter is not wired in: the full suite hung or stalled with it in about one run out of three")) func aFailedGroupCommitFailsEveryCaller() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            try await db.sql.raw("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)").run()
            try await db.sql.raw("CREATE TABLE parent (id TEXT PRIMARY KEY)").run()
            try await db.sql.raw("CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)").run()
            let writer = try #require((db.sql as? any SerializedWriters)?.writer)
            let before = writer.usage
            let failures = Shared(0)
            try await Self.holdWriter(db, until: 3) {
                await withTaskGroup(of: Void.self) { group in
                    for i in 0..<3 {
                        group.addTask {
                            do {
                                try await db.sql.transaction { tx in
                                    if i == 1 {
                                        try await tx.raw("INSERT INTO child (id, parent_id) VALUES ('c', 'missing')").run()
                                    } else {
                                        try await tx.raw("INSERT INTO t (k, v) VALUES (\(bind: "g\(i)"), 1)").run()
                                    }
                                }
                            } catch {
                                failures.value.withLock { $0 += 1 }
                            }
                        }
                        let queued = i + 1
                        while ((db.sql as? any SerializedWriters)?.writer?.waiting ?? 0) < queued { try? await Task.sleep(for: .milliseconds(1)) }
                    }
                }
            }
            #expect(writer.usage.groups - before.groups == 2)
            #expect(failures.value.withLock { $0 } == 3)
            struct R: Decodable { let k: String }
            #expect(try await db.sql.raw("SELECT k FROM t").all(decoding: R.self).map(\.k) == ["holder"])
            #expect(try await db.sql.raw("SELECT id AS k FROM child").all(decoding: R.self).isEmpty)
            try await db.sql.transaction { tx in try await tx.raw("INSERT INTO t (k, v) VALUES ('after', 1)").run() }
            #expect(try await db.sql.raw("SELECT k FROM t ORDER BY k").all(decoding: R.self).map(\.k) == ["after", "holder"])
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
