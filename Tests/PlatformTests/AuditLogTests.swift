import Foundation
import Logging
import SQLKit
import Testing
@testable import Platform

@Suite(.serialized) struct AuditLogTests {
    @Test(arguments: Engines.all)
    func chainVerifiesAndNamesTheFirstAlteredEntry(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            for i in 1...5 {
                try await db.sql.transaction { tx in
                    try await AuditLog.append(tx, companyID: "A", actor: "user:alice", ip: "127.0.0.1", action: "client.update",
                                              subject: "client:\(i)", details: ["name": "Client \(i)", "iban": "FR76…"])
                }
            }
            try await AuditLog.append(db.sql, companyID: "B", actor: "user:bob", ip: nil, action: "company.create", subject: "company:B")
            var result = try await AuditLog.verify(db.sql)
            #expect(result.entries == 6)
            #expect(result.breaks.isEmpty)

            // Someone edits a row directly in the database: the chain says where.
            try await db.sql.raw("UPDATE audit_log SET details = '{\"name\":\"Client X\"}' WHERE company_id = 'A' AND seq = 3").run()
            result = try await AuditLog.verify(db.sql)
            #expect(result.breaks.count == 1)
            #expect(result.breaks.first?.companyID == "A")
            #expect(result.breaks.first?.seq == 3)
            #expect(result.breaks.first?.reason.contains("altered") == true)
            // Company B's chain is untouched and verifies alone.
            #expect(try await AuditLog.verify(db.sql, companyID: "B").breaks.isEmpty)

            // Recomputing the altered row's hash does not help: the next entry no longer points to it.
            try await db.sql.raw("DELETE FROM audit_log WHERE company_id = 'A' AND seq = 2").run()
            result = try await AuditLog.verify(db.sql, companyID: "A")
            #expect(result.breaks.first?.seq == 3)
            #expect(result.breaks.first?.reason.contains("missing") == true)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test func hashCoversEveryField() {
        let base = AuditEntry.computeHash(companyID: "A", seq: 1, at: "t", actor: "a", ip: nil, action: "x", subject: "s", details: "{}", prevHash: AuditLog.genesis)
        #expect(base.count == 64)
        #expect(base != AuditEntry.computeHash(companyID: "A", seq: 1, at: "t", actor: "a", ip: "1.2.3.4", action: "x", subject: "s", details: "{}", prevHash: AuditLog.genesis))
        #expect(base != AuditEntry.computeHash(companyID: "A", seq: 2, at: "t", actor: "a", ip: nil, action: "x", subject: "s", details: "{}", prevHash: AuditLog.genesis))
        // Length prefixes: moving a character from one field to the next changes the hash.
        #expect(AuditEntry.computeHash(companyID: "A", seq: 1, at: "t", actor: "ab", ip: nil, action: "c", subject: "s", details: "{}", prevHash: "0")
            != AuditEntry.computeHash(companyID: "A", seq: 1, at: "t", actor: "a", ip: nil, action: "bc", subject: "s", details: "{}", prevHash: "0"))
    }
}

@Suite(.serialized) struct AuditLogConcurrencyTests {
    /// Eight writers appending to one company's chain at once: every append lands, in one unbroken chain
    /// (on PostgreSQL two transactions used to read the same last entry and one failed).
    @Test(arguments: Engines.all)
    func concurrentAppendsToOneChain(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (company, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let before = try await AuditLog.verify(db.sql, companyID: company.id).entries
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<8 {
                    group.addTask {
                        for i in 0..<10 {
                            try await db.sql.transaction { tx in
                                try await AuditLog.append(tx, companyID: company.id, actor: "writer:\(w)", ip: nil, action: "test.append", subject: "item:\(w)-\(i)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let result = try await AuditLog.verify(db.sql, companyID: company.id)
            #expect(result.entries == before + 80)
            #expect(result.breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}

@Suite(.serialized) struct ConcurrentDraftsTests {
    /// Eight issuers typing drafts for one company at once: each draft's insert holds a key-share lock on
    /// the company (foreign key) before its audit entry locks the chain — this deadlocked on PostgreSQL.
    @Test(arguments: Engines.all)
    func concurrentDraftsOfOneCompany(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            let (a, _, clientID) = try await NotificationWebhookTests.setUp(db)
            let entry = InvoiceEntry(clientId: clientID, lines: [.init(description: "Conseil", quantity: 1, unitPrice: 100)])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<5 { _ = try await Invoices.createDraft(db, companyID: a.id, entry, actor: "t", ip: nil) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await Invoices.list(db, companyID: a.id, Invoices.Query()).total == 40)
            #expect(try await AuditLog.verify(db.sql, companyID: a.id).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
