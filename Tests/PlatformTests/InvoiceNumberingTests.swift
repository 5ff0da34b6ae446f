import Foundation
import Logging
import SQLKit
import Testing
@testable import Platform

@Suite(.serialized) struct InvoiceNumberingTests {
    /// 8 concurrent issuers × 200 invoices: each of 1…1,600 exactly once, on both engines.
    @Test(arguments: Engines.all)
    func concurrentIssuersGetEveryNumberOnce(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (company, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let id = company.id
            let numbers = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var mine: [Int] = []
                        for _ in 0..<200 {
                            mine.append(try await db.sql.transaction { tx in
                                try await InvoiceNumbering.next(tx, companyID: id, year: 2026)
                            })
                        }
                        return mine
                    }
                }
                var all: [Int] = []
                for try await chunk in group { all += chunk }
                return all
            }
            #expect(numbers.count == 1600)
            #expect(numbers.sorted() == Array(1...1600), "unique and without gaps")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test(arguments: Engines.all)
    func aRolledBackIssueGivesItsNumberBackAndYearsAreSeparate(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (company, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let id = company.id
            struct Failed: Error {}
            #expect(try await db.sql.transaction { try await InvoiceNumbering.next($0, companyID: id, year: 2026) } == 1)
            await #expect(throws: Failed.self) {
                try await db.sql.transaction { tx in
                    _ = try await InvoiceNumbering.next(tx, companyID: id, year: 2026)
                    throw Failed()
                }
            }
            #expect(try await db.sql.transaction { try await InvoiceNumbering.next($0, companyID: id, year: 2026) } == 2)
            #expect(try await db.sql.transaction { try await InvoiceNumbering.next($0, companyID: id, year: 2027) } == 1)
            #expect(InvoiceNumbering.format(prefix: "FA", year: 2026, value: 42) == "FA2026-000042")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
