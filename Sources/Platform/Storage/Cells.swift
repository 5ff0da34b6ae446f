import Foundation
import NIOCore
import PostgresKit
import SQLKit
import SQLiteKit

/// One value of a result row, read by position. Hot read paths (an API page served thousands of
/// times a second) use these instead of `Decodable` rows: SQLKit's row decoder goes through
/// `Codable` containers, dynamic casts and a column-name lookup for every field, which cost more
/// than the query itself.
public enum SQLCell: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var string: String? {
        switch self {
        case .text(let s): return s
        case .integer(let n): return String(n)
        case .real(let d): return String(d)
        case .null, .blob: return nil
        }
    }

    public var int: Int? {
        switch self {
        case .integer(let n): return Int(n)
        case .text(let s): return Int(s)
        case .real(let d): return Int(exactly: d)
        case .null, .blob: return nil
        }
    }

    /// SQLite stores booleans as 0/1; PostgreSQL's are read as 0/1 too (see `PostgresCell`).
    public var bool: Bool? {
        switch self {
        case .integer(let n): return n != 0
        case .text(let s): return s == "1" || s == "true" || s == "t"
        case .real(let d): return d != 0
        case .null, .blob: return nil
        }
    }
}

public enum SQLCellsError: Error, CustomStringConvertible {
    case unsupportedBind(String)
    case unsupportedColumn(name: String, type: String)
    case notPooled
    case missingColumn(table: String, name: String)
    case unexpectedNull(table: String, column: String)

    public var description: String {
        switch self {
        case .unsupportedBind(let t): return "positional query: a bound value of type \(t) is not supported (String, Int, Bool, Double or nil)"
        case let .unsupportedColumn(name, type): return "positional query: column \(name) has type \(type), which is not read as a cell"
        case .notPooled: return "positional query: this database does not run positional queries"
        case let .missingColumn(table, name): return "\(table): column \(name) is missing from the row"
        case let .unexpectedNull(table, column): return "\(table): column \(column) is NULL where a value is required"
        }
    }
}

/// Databases that can run a query and return its rows as positional cells.
protocol CellQuerying: Sendable {
    func cells(_ query: any SQLExpression) async throws -> [[SQLCell]]
}

extension Database {
    /// Runs `query` (built with SQLKit, the same SQL for both engines) and returns each row's values in
    /// the order of its columns. Bound values may be String, Int, Int64, Bool, Double or nil.
    public func cells(_ query: any SQLExpression) async throws -> [[SQLCell]] {
        guard let db = sql as? any CellQuerying else { throw SQLCellsError.notPooled }
        return try await db.cells(query)
    }
}

/// How each engine runs a positional query on one of its connections.
enum CellRunner {
    static func sqlite(_ conn: SQLiteConnection, sql: String, binds: [any Encodable & Sendable]) async throws -> [[SQLCell]] {
        let encoder = SQLiteDataEncoder()
        let data = try binds.map { try encoder.encode($0) }
        // Rows arrive one after the other on the connection's worker thread; the await orders them before the read.
        nonisolated(unsafe) var rows: [[SQLCell]] = []
        try await conn.query(sql, data) { row in
            rows.append(row.columns.map { column in
                switch column.data {
                case .null: return .null
                case .integer(let n): return .integer(Int64(n))
                case .float(let d): return .real(d)
                case .text(let s): return .text(s)
                case .blob(let b): return .blob(Array(b.readableBytesView))
                }
            })
        }
        return rows
    }

    static func postgres(_ conn: PostgresConnection, sql: String, binds: [any Encodable & Sendable], logger: Logger) async throws -> [[SQLCell]] {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case let v as String: bindings.append(v)
            case let v as Int: bindings.append(v)
            case let v as Int64: bindings.append(v)
            case let v as Bool: bindings.append(v)
            case let v as Double: bindings.append(v)
            default:
                guard isNil(bind) else { throw SQLCellsError.unsupportedBind(String(describing: type(of: bind))) }
                bindings.appendNull()
            }
        }
        var rows: [[SQLCell]] = []
        for try await row in try await conn.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            var cells: [SQLCell] = []
            cells.reserveCapacity(row.count)
            for cell in row { cells.append(try Self.cell(cell)) }
            rows.append(cells)
        }
        return rows
    }

    /// An `Optional<T>.none` hidden in an existential (a bound nil).
    private static func isNil(_ value: any Encodable & Sendable) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }

    private static func cell(_ cell: PostgresCell) throws -> SQLCell {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .numeric: return .text(try cell.decode(String.self))
        case .text, .varchar, .name, .bpchar: return .text(try cell.decode(String.self))
        case .bytea: return .blob(try cell.decode([UInt8].self))
        default:
            if let s = try? cell.decode(String.self) { return .text(s) }
            throw SQLCellsError.unsupportedColumn(name: cell.columnName, type: "\(cell.dataType)")
        }
    }
}
