import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLKit

/// SQLite's write transactions, run on one thread: the connection they use and the code between
/// their statements share the single thread of `threads`.
///
/// Why: SQLite has one writer at a time, so the time a transaction holds the write lock bounds
/// throughput. On the pooled connections each statement goes to a worker thread of SQLite's pool and
/// its continuation back to Swift's cooperative pool (one thread per core), where it queues behind
/// whatever is running — a validation or a PDF render runs for a millisecond without yielding. A
/// transaction of ten statements held the lock mostly waiting for threads. Here the statement is
/// queued on the same thread that runs the transaction's code, and the code after it is queued there
/// too (this executor): the transaction runs from BEGIN to COMMIT without a thread hop or a wake-up.
final class SQLiteWriter: TaskExecutor, @unchecked Sendable {
    // `@unchecked`: the connection is only used by the transaction holding `WriterGate`.
    let threads: NIOThreadPool
    let connection: SQLiteConnection
    let sql: any SQLDatabase

    private init(threads: NIOThreadPool, connection: SQLiteConnection) {
        self.threads = threads
        self.connection = connection
        self.sql = connection.sql()
    }

    /// Opens the writer's connection with the same set-up as the pooled ones (foreign keys, busy timeout).
    static func open(path: String, logger: Logger, on eventLoop: any EventLoop) async throws -> SQLiteWriter {
        let threads = NIOThreadPool(numberOfThreads: 1)
        threads.start()
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threads, logger: logger, on: eventLoop)
            let writer = SQLiteWriter(threads: threads, connection: connection)
            do {
                try await writer.sql.raw("PRAGMA foreign_keys = ON").run()
                try await writer.sql.raw("PRAGMA busy_timeout=10000").run()
            } catch {
                try? await connection.close()
                throw error
            }
            return writer
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // Jobs and statements share the thread pool's one queue, in order. Once the pool has stopped,
        // `submit` runs the item at once on the caller's thread: the job still runs (its task ends).
        threads.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    func close() async throws {
        try await connection.close()
        try await threads.shutdownGracefully()
    }
}
