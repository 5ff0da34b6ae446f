import Foundation
import Logging
import SQLKit
import Testing
@testable import Platform

/// The persistence tests run on the embedded SQLite database and, when `DATABASE_URL` names one
/// (CI starts a throwaway PostgreSQL 15), on PostgreSQL with the same SQL.
enum Engines {
    static var all: [String] {
        var engines = ["sqlite"]
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], url.hasPrefix("postgres") { engines.append("postgres") }
        return engines
    }

    /// A fresh database: a new SQLite file, or a new PostgreSQL schema made the default for the test's connections.
    static func open(_ engine: String) async throws -> (Database, cleanup: @Sendable () async throws -> Void) {
        let (db, _, cleanup) = try await openWithConfiguration(engine)
        return (db, cleanup)
    }

    /// Also returns the configuration that reaches the same storage (for `buildApplication`).
    static func openWithConfiguration(_ engine: String) async throws -> (Database, Configuration, cleanup: @Sendable () async throws -> Void) {
        var config = Configuration()
        config.logLevel = .warning
        let logger = Logger(label: "test")
        if engine == "sqlite" {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-test-\(UUID().uuidString)")
            config.dataDirectory = dir.path
            let db = try await Database.open(config, logger: logger)
            return (db, config, {
                try await db.shutdown()
                try? FileManager.default.removeItem(at: dir)
            })
        }
        // One database per test keeps tests independent; created through an admin connection.
        let base = ProcessInfo.processInfo.environment["DATABASE_URL"]!
        let name = "facteur_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        config.databaseURL = base
        let admin = try await Database.open(config, logger: logger)
        try await admin.sql.raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
        var url = URLComponents(string: base)!
        url.path = "/" + name
        config.databaseURL = url.string!
        let db = try await Database.open(config, logger: logger)
        return (db, config, {
            try await db.shutdown()
            try await admin.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: String(name)) WITH (FORCE)").run()
            try await admin.shutdown()
        })
    }
}

@Suite(.serialized) struct StorageTests {
    @Test(arguments: Engines.all)
    func migrationsApplyOnceAndInOrder(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            #expect(db.engine.rawValue == engine)
            let first = try await Migrations.apply(to: db, logger: Logger(label: "test"))
            #expect(first.map(\.version) == Migrations.all.map(\.version))
            let second = try await Migrations.apply(to: db, logger: Logger(label: "test"))
            #expect(second.isEmpty)
            #expect(try await Migrations.appliedVersions(in: db) == Migrations.all.map(\.version))
            // The schema is there: insert and read back through the same SQL on both engines.
            try await db.sql.insert(into: "companies")
                .columns("id", "siren", "siret", "name", "created_at")
                .values(SQLBind("c1"), SQLBind("123456782"), SQLBind("12345678200077"), SQLBind("Dupont & Fils"), SQLBind("2026-11-24T12:00:00Z"))
                .run()
            struct Row: Decodable { let name: String; let siren: String }
            let rows = try await db.sql.select().columns("name", "siren").from("companies").all(decoding: Row.self)
            #expect(rows.count == 1 && rows[0].name == "Dupont & Fils" && rows[0].siren == "123456782")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test(arguments: Engines.all)
    func aFailedTransactionLeavesNothing(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.sql.transaction { tx in
                    try await tx.insert(into: "users").columns("id", "email", "full_name", "active", "created_at")
                        .values(SQLBind("u1"), SQLBind("a@example.fr"), SQLBind("A"), SQLBind(true), SQLBind("2026-11-24T12:00:00Z")).run()
                    throw Boom()
                }
            }
            struct Count: Decodable { let n: Int }
            let n = try await db.sql.raw("SELECT COUNT(*) AS n FROM users").first(decoding: Count.self)?.n
            #expect(n == 0)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}

@Suite struct SQLiteConnectionSetupTests {
    /// Every connection of the SQLite pool waits for the write lock instead of failing at once: sessions
    /// held open at the same time take as many connections as the pool gives (8), and each reports the timeout.
    @Test func everyConnectionHasTheBusyTimeout() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            struct Timeout: Decodable { let timeout: Int }
            let timeouts = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await db.sql.withSession { conn in
                            let t = try await conn.raw("PRAGMA busy_timeout").all(decoding: Timeout.self).map(\.timeout)
                            try await Task.sleep(for: .milliseconds(5))
                            return t
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(timeouts.count == 8)
            #expect(timeouts.allSatisfy { $0 == 10_000 }, "\(timeouts)")
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}

@Suite struct ISOTimeTests {
    @Test func sameTextAsFoundationsFormatter() {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var instants = [0.0, 951_782_400.25, 1_764_061_080.999, 1_764_061_080.9996, 951_782_399.9994, 1_799_999_999.5, Date().timeIntervalSince1970]
        for _ in 0..<500 { instants.append(Double.random(in: 0..<4_102_444_800)) }
        for seconds in instants {
            let d = Date(timeIntervalSince1970: seconds)
            #expect(ISOTime.string(d) == plain.string(from: d))
            #expect(ISOTime.string(d, milliseconds: true) == fractional.string(from: d))
        }
    }
}
