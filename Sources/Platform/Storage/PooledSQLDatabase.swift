@preconcurrency import AsyncKit
import Logging
import NIOCore
import SQLKit
import Synchronization

/// An `SQLDatabase` over a connection pool: each query borrows a connection; a session (a
/// transaction) keeps one connection for all its queries. The same adapter serves SQLite and
/// PostgreSQL, so the rest of Facteur sees one database.
final class PooledSQLDatabase<Source: ConnectionPoolSource>: SQLDatabase, @unchecked Sendable {
    // The pool is thread-safe (it locks internally) but predates Sendable annotations.
    let pools: EventLoopGroupConnectionPool<Source>
    let makeSQL: @Sendable (Source.Connection) -> any SQLDatabase
    let logger: Logger
    let dialect: any SQLDialect
    /// Only used when `serializeWriters` (SQLite).
    let writerGate = WriterGate()
    /// SQLite: the connection and thread write transactions run on (set once, right after opening).
    private let writerSlot = Mutex<SQLiteWriter?>(nil)
    var writer: SQLiteWriter? { writerSlot.withLock { $0 } }
    func setWriter(_ writer: SQLiteWriter) { writerSlot.withLock { $0 = writer } }
    let serializeWriters: Bool
    /// Runs a serialized query on a connection and returns its rows by position (`Database.cells`).
    typealias CellsRunner = @Sendable (Source.Connection, String, [any Encodable & Sendable], Logger) async throws -> [[SQLCell]]
    let runCells: CellsRunner?

    init(pools: EventLoopGroupConnectionPool<Source>, dialect: any SQLDialect, logger: Logger,
         serializeWriters: Bool = false, cells: CellsRunner? = nil, makeSQL: @escaping @Sendable (Source.Connection) -> any SQLDatabase) {
        self.serializeWriters = serializeWriters
        self.runCells = cells
        self.pools = pools
        self.dialect = dialect
        self.logger = logger
        self.makeSQL = makeSQL
    }

    /// The connection's SQL interface (its set-up statements ran when it was opened: `PreparedConnectionSource`).
    private func ready(_ conn: Source.Connection) -> EventLoopFuture<any SQLDatabase> {
        conn.eventLoop.makeSucceededFuture(makeSQL(conn))
    }

    /// `ready` without a future: waiting on even a completed future from a task costs a trip to the
    /// connection's event loop and back.
    private func readyNow(_ conn: Source.Connection) async throws -> any SQLDatabase {
        makeSQL(conn)
    }

    var eventLoop: any EventLoop { pools.eventLoopGroup.any() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        leased.withLock { $0 += 1 }
        return pools.withConnection(logger: logger) { conn in
            self.ready(conn).flatMap { $0.execute(sql: query, onRow) }
        }.always { _ in self.leased.withLock { $0 -= 1 } }
    }

    /// The async path matters: SQLite's async query hands rows over on its worker thread, where the
    /// future-based one schedules one event-loop task per row and then hops back again.
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let conn = try await lease()
        defer { giveBack(conn) }
        try await readyNow(conn).execute(sql: query, onRow)
    }

    func cells(_ query: any SQLExpression) async throws -> [[SQLCell]] {
        guard let runCells else { throw SQLCellsError.notPooled }
        let (sql, binds) = serialize(query)
        let conn = try await lease()
        defer { giveBack(conn) }
        _ = try await readyNow(conn)
        return try await runCells(conn, sql, binds, logger)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let conn = try await lease()
        defer { giveBack(conn) }
        return try await closure(try await readyNow(conn))
    }

    /// Connections taken and not yet handed back (or being waited for).
    private let leased = Mutex(0)

    private func lease() async throws -> Source.Connection {
        leased.withLock { $0 += 1 }
        do {
            return try await pools.requestConnection(logger: logger).get()
        } catch {
            leased.withLock { $0 -= 1 }
            throw error
        }
    }

    /// Hands the connection back on its event loop (where the pool does it anyway), and only then counts it
    /// as returned, which `shutdown` waits for.
    private func giveBack(_ conn: Source.Connection) {
        conn.eventLoop.execute {
            self.pools.releaseConnection(conn, logger: self.logger)
            self.leased.withLock { $0 -= 1 }
        }
    }

    /// Waits (10 s at most) for the queries still running: a connection handed back after the pool closed
    /// is closed then, and a SQLite connection can no longer close once its thread pool has stopped.
    func shutdown() async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while leased.withLock({ $0 }) > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        // The writer's connection closes once the transaction running, if any, has ended.
        if let writer {
            await writerGate.acquire()
            try? await writer.close()
            // Later transactions fail on the closed connection instead of waiting for ever.
            writerGate.release()
        }
        try await pools.shutdownAsync()
    }
}

/// A FIFO async lock: SQLite has one writer at a time, so Facteur's own writers queue here, in
/// memory, instead of spinning in SQLite's busy handler on the few threads that run queries.
final class WriterGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var since = ContinuousClock.now
    }
    private let state = Mutex(State())
    /// Process-wide (every SQLite database of the process): the benchmark reads the server's figures.
    static let totals = Mutex((holds: 0, held: Duration.zero))
    /// Transaction bodies run by SQLite writers' groups (several per hold when grouped).
    static let bodies = Mutex(0)

    func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.busy { s.waiters.append(c); return false }
                s.busy = true
                s.since = .now
                return true
            }
            if resumeNow { c.resume() }
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            let now = ContinuousClock.now
            let held = now - s.since
            WriterGate.totals.withLock { $0.holds += 1; $0.held += held }
            s.since = now
            if s.waiters.isEmpty { s.busy = false; return nil }
            return s.waiters.removeFirst()
        }
        next?.resume()
    }

    /// How many times gates were taken and for how long in all (from being granted to being
    /// released, the hand-over to the next writer included): what bounds SQLite's write throughput.
    static var usage: (holds: Int, held: Duration, bodies: Int) {
        let t = totals.withLock { $0 }
        return (t.holds, t.held, bodies.withLock { $0 })
    }
}

/// Databases that need writers serialized in-process (SQLite).
protocol SerializedWriters {
    var writerGate: WriterGate { get }
    var serializesWriters: Bool { get }
    var writer: SQLiteWriter? { get }
}

extension PooledSQLDatabase: CellQuerying {}

extension PooledSQLDatabase: SerializedWriters {
    var serializesWriters: Bool { serializeWriters }
}


extension SQLDatabase {
    /// Runs `body` in a transaction on one connection: committed when it returns, rolled back when it throws.
    /// On SQLite every transaction takes the write lock at once (`BEGIN IMMEDIATE`) after queueing
    /// behind the other writers of this process: no lock upgrade can fail halfway.
    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        guard let serialized = self as? SerializedWriters, serialized.serializesWriters else {
            return try await withSession { session in try await runTransaction(on: session, body) }
        }
        let gate = serialized.writerGate
        guard let writer = serialized.writer else {
            await gate.acquire()
            defer { gate.release() }
            return try await withSession { try await runTransaction(on: $0, body) }
        }
        // On the writer's own thread and connection, grouped with the transactions waiting (`SQLiteWriter`).
        return try await writer.transaction(gate: gate, body)
    }

    private func runTransaction<R: Sendable>(on session: any SQLDatabase, _ body: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let sqlite = session.dialect.name == "sqlite"
        try await session.raw(SQLQueryString(sqlite ? "BEGIN IMMEDIATE" : "BEGIN")).run()
        do {
            let result = try await body(session)
            try await session.raw("COMMIT").run()
            return result
        } catch {
            try? await session.raw("ROLLBACK").run()
            throw error
        }
    }
}

/// A pool source whose connections run their set-up statements (SQLite's busy timeout) when they are
/// opened, before the pool hands them out: every connection has them, including one opened later to
/// replace a closed one. (Remembering set-up connections by object identity could mistake a new
/// connection for an old one allocated at the same address.)
struct PreparedConnectionSource<Base: ConnectionPoolSource & Sendable>: ConnectionPoolSource, Sendable where Base.Connection: Sendable {
    let base: Base
    let setup: @Sendable (Base.Connection) -> EventLoopFuture<Void>

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<Base.Connection> {
        let setup = self.setup
        return base.makeConnection(logger: logger, on: eventLoop).flatMap { conn in
            setup(conn).map { conn }.flatMapError { error in
                conn.close().flatMapThrowing { throw error }
            }
        }
    }
}
