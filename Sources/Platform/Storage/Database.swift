import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

public enum DatabaseEngine: String, Sendable {
    case sqlite, postgres
}

public enum DatabaseError: Error, CustomStringConvertible {
    case cannotCreateDataDirectory(String, underlying: String)
    case invalidURL(String)
    case noWriteAheadLog(String)
    case writeInsideTransaction

    public var description: String {
        switch self {
        case let .noWriteAheadLog(mode):
            return "SQLite refused write-ahead logging (journal mode \(mode)): the data folder must be on a local file system"
        case .writeInsideTransaction:
            return "a write went through the database while a transaction held SQLite's writer: it must use the transaction's connection"
        case let .cannotCreateDataDirectory(path, underlying): return "cannot create the data folder \(path): \(underlying)"
        case let .invalidURL(url): return "DATABASE_URL \(url) cannot be used: expected postgres://user:password@host:port/database"
        }
    }
}

/// The storage: one SQL interface (SQLKit) over the embedded SQLite database or PostgreSQL.
/// Queries are written once, in the SQL both engines accept.
public final class Database: Sendable {
    public let engine: DatabaseEngine
    public let sql: any SQLDatabase
    /// Where the data is, for logs and the operator (never the password).
    public let location: String
    private let shutdownPool: @Sendable () async throws -> Void

    private init(engine: DatabaseEngine, sql: any SQLDatabase, location: String, shutdown: @escaping @Sendable () async throws -> Void) {
        self.engine = engine
        self.sql = sql
        self.location = location
        self.shutdownPool = shutdown
    }

    public static func open(_ configuration: Configuration, logger: Logger) async throws -> Database {
        let group = MultiThreadedEventLoopGroup.singleton
        if let url = configuration.databaseURL {
            guard let config = try? SQLPostgresConfiguration(url: url) else { throw DatabaseError.invalidURL(url) }
            let pools = EventLoopGroupConnectionPool(source: PostgresConnectionSource(sqlConfiguration: config),
                                                     maxConnectionsPerEventLoop: 4, on: group)
            let db = PooledSQLDatabase(pools: pools, dialect: PostgresDialect(), logger: logger,
                                       cells: { try await CellRunner.postgres($0, sql: $1, binds: $2, logger: $3) }) { $0.sql() }
            let core = config.coreConfiguration
            return Database(engine: .postgres, sql: db, location: "PostgreSQL \(core.host ?? "socket"):\(core.port ?? 5432)/\(core.database ?? "")",
                            shutdown: { try await db.shutdown() })
        }
        let folder = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw DatabaseError.cannotCreateDataDirectory(folder.path, underlying: error.localizedDescription)
        }
        let path = folder.appendingPathComponent("facteur.sqlite").path
        // SQLite calls block a thread: a pool of its own keeps them off NIO's shared threads.
        let threads = NIOThreadPool(numberOfThreads: 8)
        threads.start()
        let source = PreparedConnectionSource(
            base: SQLiteConnectionSource(configuration: .init(storage: .file(path: path), enableForeignKeys: true), threadPool: threads),
            setup: { $0.sql().raw("PRAGMA busy_timeout=10000").run() })
        let pools = EventLoopGroupConnectionPool(source: source, maxConnectionsPerEventLoop: 4, on: group)
        let sqlite = PooledSQLDatabase(pools: pools, dialect: SQLiteDialect(), logger: logger,
                                       serializeWriters: true,
                                       cells: { conn, sql, binds, _ in try await CellRunner.sqlite(conn, sql: sql, binds: binds) }) { $0.sql() }
        let db = Database(engine: .sqlite, sql: sqlite, location: "SQLite \(path)", shutdown: {
            try await sqlite.shutdown()
            try await threads.shutdownGracefully()
        })
        // WAL (a property of the file) lets readers work while one writer commits; the busy timeout
        // (set on each connection) makes concurrent writers wait for the lock instead of failing.
        struct Mode: Decodable { let journal_mode: String }
        let mode = try await db.sql.raw("PRAGMA journal_mode=WAL").first(decoding: Mode.self)?.journal_mode ?? "?"
        guard mode.lowercased() == "wal" else {
            try? await db.shutdown()
            throw DatabaseError.noWriteAheadLog(mode)
        }
        // `SQLiteWriter` (one writer thread with group commit: ≈ 1.7× the issuing throughput) is not wired in:
        // with it, the full test suite hung or stalled in about one run out of three, and the cause was
        // not found. Writers queue on `WriterGate` and run on pooled connections, as before.
        return db
    }

    public func shutdown() async throws {
        try await shutdownPool()
    }

    /// SQLite, every database of the process: how many write transactions ran (`transactions`; several
    /// callers' bodies may share one: group commit), how long in all they held the single writer's lock,
    /// and how many bodies the grouped ones ran. PostgreSQL's writers lock rows, not the database, and do
    /// not count. For benchmarks and diagnostics.
    public static var writerLockUsage: (transactions: Int, held: Duration, bodies: Int) {
        let u = WriterGate.usage
        return (u.holds, u.held, u.bodies)
    }

    /// Answers when the database answers a trivial query.
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1 AS one").all()
    }
}
