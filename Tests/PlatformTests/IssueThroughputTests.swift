import Crypto
import Foundation
import InvoiceFormats
import InvoiceModel
import Logging
import SQLKit
import Testing
@testable import Platform

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

    /// SQLite's write transactions run on a connection of their own; single statements written through
    /// the pool at the same time wait for the write lock (busy timeout) instead of failing, and every
    /// write is there afterwards.
    @Test func writerConnectionAndPooledWritesShareTheFile() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
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
}
