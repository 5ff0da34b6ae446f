import Foundation
import Logging
import InvoiceModel
import SQLKit
import Synchronization
import Testing
@testable import Platform

/// The batched writes issuing uses inside its transaction (several audit entries, webhook deliveries or
/// documents in one statement) must record exactly what one call per item records.
@Suite(.serialized) struct IssuingBatchTests {
    @Test(arguments: Engines.all)
    func auditEntriesAppendedTogetherChainLikeOneByOne(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            try await AuditLog.append(db.sql, companyID: "A", actor: "user:alice", ip: "10.0.0.1", action: "client.create", subject: "client:1")
            // Mixed present and absent addresses in one insert (the seller's request has one, the platform's entry none).
            let written = try await db.sql.transaction { tx in
                try await AuditLog.appendAll(tx, [
                    .init(companyID: "A", actor: "user:alice", ip: "10.0.0.2", action: "invoice.issue", subject: "invoice:x", details: ["number": "F1"]),
                    .init(companyID: "B", actor: "facteur", ip: nil, action: "invoice.receive", subject: "invoice:x", details: ["seller": "A"]),
                    .init(companyID: "A", actor: "facteur", ip: nil, action: "invoice.note", subject: "invoice:x"),
                ])
            }
            #expect(written.map(\.seq) == [2, 1, 3])
            let stored = try await db.sql.select().column("*").from("audit_log").orderBy("company_id").orderBy("seq").all(decoding: AuditEntry.self)
            #expect(stored.count == 4)
            let a = stored.filter { $0.companyID == "A" }
            #expect(a.map(\.seq) == [1, 2, 3])
            #expect(a[1].prevHash == a[0].hash)
            #expect(a[2].prevHash == a[1].hash)
            #expect(a[1].ip == "10.0.0.2")
            #expect(a[2].ip == nil)
            #expect(stored.first { $0.companyID == "B" }?.prevHash == AuditLog.genesis)
            // Each stored entry's hash is the one an independent computation gives for its fields.
            for e in stored {
                #expect(e.hash == AuditEntry.computeHash(companyID: e.companyID, seq: e.seq, at: e.at, actor: e.actor, ip: e.ip, action: e.action,
                                                         subject: e.subject, details: e.details, prevHash: e.prevHash))
            }
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
            // A single append afterwards continues the chain the batch left.
            let next = try await AuditLog.append(db.sql, companyID: "A", actor: "user:alice", ip: nil, action: "client.update", subject: "client:1")
            #expect(next.seq == 4)
            #expect(next.prevHash == a[2].hash)
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test(arguments: Engines.all)
    func webhookDeliveriesAndDocumentsInOneStatement(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (seller, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (buyer, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            let s1 = try await Webhooks.create(db, companyID: seller.id, url: "https://a.example/hook1", actor: "test", ip: nil)
            let s2 = try await Webhooks.create(db, companyID: seller.id, url: "https://a.example/hook2", actor: "test", ip: nil)
            let b1 = try await Webhooks.create(db, companyID: buyer.id, url: "https://b.example/hook", actor: "test", ip: nil)
            try await Webhooks.delete(db, companyID: seller.id, id: s2.id, actor: "test", ip: nil)
            try await db.sql.transaction { tx in
                try await Webhooks.enqueueAll(tx, [
                    (seller.id, "invoice.issued", ["invoice": ["id": "x"]]),
                    (buyer.id, "invoice.received", ["invoice": ["id": "x"]]),
                ])
            }
            let deliveries = try await db.sql.select().column("*").from("webhook_deliveries").all(decoding: Webhooks.Delivery.self)
            // One per active webhook of the company the event is for; none for the deleted one.
            #expect(deliveries.count == 2)
            let bySeller = deliveries.filter { $0.company_id == seller.id }
            #expect(bySeller.map(\.webhook_id) == [s1.id])
            #expect(bySeller.first?.event == "invoice.issued")
            #expect(deliveries.first { $0.company_id == buyer.id }?.webhook_id == b1.id)
            for d in deliveries {
                let payload = try JSONSerialization.jsonObject(with: Data(d.payload.utf8)) as? [String: Any]
                #expect(payload?["event"] as? String == d.event)
                #expect(payload?["id"] as? String == d.id)
                #expect(d.status == "pending" && d.attempts == 0 && d.last_error == nil)
            }

            let xml = Data("<xml/>".utf8), pdf = Data("%PDF-1.7 test".utf8)
            let hashes = try await db.sql.transaction { tx in
                try await Documents.putAll(tx, [(xml, "application/xml"), (pdf, "application/pdf"), (xml, "application/xml")])
            }
            #expect(hashes == [Documents.sha256(xml), Documents.sha256(pdf), Documents.sha256(xml)])
            // Storing the same bytes again changes nothing: content-addressed.
            _ = try await db.sql.transaction { tx in try await Documents.putAll(tx, [(pdf, "application/pdf")]) }
            struct N: Decodable { let n: Int }
            #expect(try await db.sql.raw("SELECT count(*) AS n FROM documents").first(decoding: N.self)?.n == 2)
            #expect(try await Documents.get(db.sql, sha256: hashes[1]).data == pdf)
            #expect(try await Documents.get(db.sql, sha256: hashes[0]).mediaType == "application/xml")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// Creating and issuing answer with the invoice built in memory instead of reading it back: the
    /// answer must be, byte for byte, what reading it afterwards gives.
    @Test(arguments: Engines.all)
    func createAndIssueAnswerWhatAReadGives(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            var settings = try await CompanyProfiles.get(db, companyID: a.id).settings
            settings.addressLine1 = "1 rue de la Paix"
            settings.postCode = "69001"
            settings.city = "Lyon"
            _ = try await CompanyProfiles.update(db, companyID: a.id, role: .manager, settings, actor: "test", ip: nil)
            let client = try await Clients.create(db, companyID: a.id, Client(kind: .business, name: "Client SA", siret: "73282932000074",
                                                                              emails: ["compta@client.fr"], addressLine1: "2 avenue Foch",
                                                                              postCode: "75016", city: "Paris"), actor: "test", ip: nil)
            // The invoice shows the default bank account, not the first one added.
            _ = try await CompanyProfiles.addBankAccount(db, companyID: a.id, role: .manager,
                                                         BankAccount(label: "Courant", iban: "FR7630006000011234567890189", bic: "AGRIFRPP"), actor: "test", ip: nil)
            _ = try await CompanyProfiles.addBankAccount(db, companyID: a.id, role: .manager,
                                                         BankAccount(label: "Principal", iban: "FR1420041010050500013M02606", bic: "PSSTFRPPPAR", isDefault: true),
                                                         actor: "test", ip: nil)
            let entry = InvoiceEntry(clientId: client.id, lines: [
                .init(description: "Conseil (jours)", quantity: Decimal(string: "3.50")!, unit: "DAY", unitPrice: Decimal(string: "650.00")!,
                      vatCategory: "S", vatRate: 20),
                .init(description: "Livres « techniques »", quantity: 4, unitPrice: Decimal(string: "32.50")!, discountPercent: 10,
                      vatCategory: "S", vatRate: Decimal(string: "5.5")!),
            ])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let created = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "user:alice", ip: "10.0.0.1")
            let readDraft = try await Invoices.view(db, companyID: a.id, id: created.id, full: true)
            #expect(created.entry != nil && created.invoice != nil)
            // The seller and the client, read together, are each the right company's.
            #expect(created.invoice?.seller.name == "Dupont & Fils")
            #expect(created.invoice?.seller.legalRegistrationIdentifier?.value == "123456782")
            #expect(created.invoice?.seller.postalAddress.city == "Lyon")
            #expect(created.invoice?.buyer.name == "Client SA")
            #expect(created.invoice?.buyer.postalAddress.city == "Paris")
            var foreign = entry
            foreign.clientId = client.id
            await #expect(throws: PlatformError.self) { _ = try await Invoices.createDraft(db, companyID: b.id, foreign, actor: "user:bob", ip: nil) }
            let transfer = created.invoice?.paymentInstructions?.creditTransfers.first
            #expect(transfer?.accountIdentifier == "FR1420041010050500013M02606")
            #expect(transfer?.serviceProviderIdentifier == "PSSTFRPPPAR")
            #expect(try encoder.encode(created) == encoder.encode(readDraft))
            let issued = try await Invoices.issue(db, companyID: a.id, id: created.id, producer: FacturXProducer(), actor: "user:alice", ip: "10.0.0.1")
            let readIssued = try await Invoices.view(db, companyID: a.id, id: created.id, full: true)
            #expect(issued.number != nil && issued.number == readIssued.invoice?.invoiceNumber)
            #expect(try encoder.encode(issued) == encoder.encode(readIssued))
            // The buyer on the network sees the same invoice, without the seller's entry.
            let received = try await Invoices.view(db, companyID: b.id, id: created.id, full: true)
            #expect(received.entry == nil)
            #expect(try encoder.encode(received.invoice) == encoder.encode(issued.invoice))

            // The company's logo reaches the PDF producer (read with the seller's row now).
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
            try await CompanyProfiles.setLogo(db, companyID: a.id, role: .manager, data: png, actor: "test", ip: nil)
            let recorder = LogoRecorder()
            let second = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "user:alice", ip: nil)
            _ = try await Invoices.issue(db, companyID: a.id, id: second.id, producer: recorder, actor: "user:alice", ip: nil)
            #expect(recorder.logos.withLock { $0 } == [png])
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// The client and the company on the network it is, in one read: what `networkCompany` finds from
    /// the SIREN an invoice to that client names.
    @Test(arguments: Engines.all)
    func clientAndItsCompanyOnTheNetworkInOneRead(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, InvoiceAPITests.bob, actor: "test", ip: nil)
            func client(_ name: String, siren: String? = nil, siret: String? = nil) async throws -> Client {
                try await Clients.create(db, companyID: a.id, Client(kind: .business, name: name, siren: siren, siret: siret, emails: ["x@example.fr"],
                                                                     addressLine1: "1 rue", postCode: "75001", city: "Paris"), actor: "test", ip: nil)
            }
            let bySIRET = try await client("Par SIRET", siret: "73282932000074")
            let bySIREN = try await client("Par SIREN", siren: "732829320")
            let outside = try await client("Hors réseau", siren: "987654308")
            let itself = try await client("Soi-même", siren: "123456782")
            for c in [bySIRET, bySIREN, outside, itself] {
                let (read, network) = try await Invoices.clientAndNetworkCompany(db.sql, companyID: a.id, clientID: c.id)
                #expect(read == (try await Clients.get(db, companyID: a.id, id: c.id)))
                let siren = c.siren ?? c.siret.map { String($0.prefix(9)) }
                #expect(network?.siren == siren)
                #expect(network?.company == (try await Invoices.networkCompany(db.sql, siren: siren, excluding: a.id)))
            }
            #expect(try await Invoices.clientAndNetworkCompany(db.sql, companyID: a.id, clientID: bySIRET.id).network?.company == b.id)
            #expect(try await Invoices.clientAndNetworkCompany(db.sql, companyID: a.id, clientID: outside.id).network?.company == nil)
            #expect(try await Invoices.clientAndNetworkCompany(db.sql, companyID: a.id, clientID: itself.id).network?.company == nil)
            // Another company's client is not found.
            await #expect(throws: PlatformError.self) { try await Invoices.clientAndNetworkCompany(db.sql, companyID: b.id, clientID: bySIRET.id) }
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    /// Emails and webhook deliveries written while issuing stamp their rows with Notifications.timestamp, which must
    /// write exactly what Timestamp (a Foundation date formatter) writes elsewhere.
    @Test func isoTimeWritesWhatTimestampWrites() {
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.999_9), Date(timeIntervalSince1970: 951_782_399.5), Date(timeIntervalSince1970: 951_782_399.9994), Date()]
        for _ in 0..<200 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800))) }
        for d in dates { #expect(Notifications.timestamp(d) == Timestamp.string(d), "\(d.timeIntervalSince1970)") }
    }
}

/// Records the logo each rendering is given, and renders without it (the test's bytes are no real image).
final class LogoRecorder: InvoiceDocumentProducer {
    let logos = Mutex<[Data?]>([])
    func documents(for invoice: Invoice, logo: Data?) throws -> (xml: Data, pdf: Data) {
        logos.withLock { $0.append(logo) }
        return try FacturXProducer().documents(for: invoice, logo: nil)
    }
}
