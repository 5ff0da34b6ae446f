import Foundation
import Logging
import SQLKit

/// A numbered, forward-only change of the schema. The SQL is written once for both engines:
/// text identifiers, ISO-8601 text timestamps, INTEGER and BOOLEAN columns, no engine-specific types.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]
}

public enum MigrationError: Error, CustomStringConvertible {
    case duplicateVersion(Int, names: [String])

    public var description: String {
        switch self {
        case let .duplicateVersion(v, names): return "migration number \(v) is used more than once: \(names.joined(separator: ", "))"
        }
    }
}

public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "create-companies-users-memberships", statements: [
            """
            CREATE TABLE companies (
                id TEXT PRIMARY KEY,
                siren TEXT NOT NULL,
                siret TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                legal_form TEXT,
                share_capital TEXT,
                rcs TEXT,
                vat_number TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX companies_siren ON companies (siren)",
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                full_name TEXT NOT NULL,
                password_hash TEXT,
                active BOOLEAN NOT NULL,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE memberships (
                company_id TEXT NOT NULL REFERENCES companies (id),
                user_id TEXT NOT NULL REFERENCES users (id),
                role TEXT NOT NULL,
                is_principal BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (company_id, user_id)
            )
            """,
        ]),
        Migration(version: 2, name: "create-audit-log", statements: [
            // One hash chain per company: each entry carries the SHA-256 of the previous one, so any
            // later change to a row breaks the chain from that row on.
            """
            CREATE TABLE audit_log (
                company_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                ip TEXT,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (company_id, seq)
            )
            """,
        ]),
        Migration(version: 3, name: "create-api-tokens", statements: [
            // Only a SHA-256 of each token is kept: the token itself is shown once, at creation.
            """
            CREATE TABLE api_tokens (
                id TEXT PRIMARY KEY,
                company_id TEXT NOT NULL REFERENCES companies (id),
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
            "CREATE INDEX api_tokens_company ON api_tokens (company_id)",
        ]),
        Migration(version: 4, name: "create-clients", statements: [
            """
            CREATE TABLE clients (
                id TEXT PRIMARY KEY,
                company_id TEXT NOT NULL REFERENCES companies (id),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                siren TEXT,
                siret TEXT,
                vat_number TEXT,
                emails TEXT NOT NULL,
                service_code TEXT,
                service_code_required BOOLEAN NOT NULL,
                engagement_required BOOLEAN NOT NULL,
                channel TEXT NOT NULL,
                address_line1 TEXT,
                address_line2 TEXT,
                post_code TEXT,
                city TEXT,
                country_code TEXT NOT NULL,
                archived BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX clients_company_name ON clients (company_id, name)",
            "CREATE INDEX clients_company_siren ON clients (company_id, siren)",
        ]),
        Migration(version: 5, name: "create-invoice-sequences", statements: [
            // The next invoice number of each company and year. Taken in the transaction that issues
            // the invoice: a rolled-back issue gives its number back, so the sequence has no gaps.
            """
            CREATE TABLE invoice_sequences (
                company_id TEXT NOT NULL REFERENCES companies (id),
                year INTEGER NOT NULL,
                next_value INTEGER NOT NULL,
                PRIMARY KEY (company_id, year)
            )
            """,
        ]),
    ] + webMigrations // 6, 7: Auth/AuthMigrations.swift
      + companyMigrations // 8, 9: Companies/CompanyMigrations.swift
      + invoiceMigrations + notificationMigrations + invoiceListMigrations // 10, 11, 12: Invoices/InvoiceMigrations.swift
      + [
        // The clients page (API and UI): rows come out of this index already in page order, so a page reads
        // its 50 rows instead of sorting the company's clients, and the count is read from the index alone.
        Migration(version: 13, name: "index-client-pages", statements: [
            "CREATE INDEX clients_company_list ON clients (company_id, archived, name, id)",
        ]),
      ]

    struct Applied: Codable {
        let version: Int
    }

    /// Applies the migrations not applied yet, in order, each in a transaction where the engine
    /// allows DDL in transactions (both do). Returns the ones applied now.
    @discardableResult
    public static func apply(to db: Database, logger: Logger, migrations: [Migration] = all) async throws -> [Migration] {
        try await db.sql.raw("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """).run()
        // Two migrations sharing a number would leave one never applied on databases that ran the other.
        var seen = Set<Int>()
        for m in migrations where !seen.insert(m.version).inserted {
            throw MigrationError.duplicateVersion(m.version, names: migrations.filter { $0.version == m.version }.map(\.name))
        }
        let done = Set(try await db.sql.raw("SELECT version FROM schema_migrations").all(decoding: Applied.self).map(\.version))
        var applied: [Migration] = []
        for m in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(m.version) {
            try await db.sql.transaction { tx in
                for statement in m.statements { try await tx.raw(SQLQueryString(statement)).run() }
                try await tx.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(m.version), SQLBind(m.name), SQLBind(ISO8601DateFormatter().string(from: Date())))
                    .run()
            }
            logger.info("migration applied", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
            applied.append(m)
        }
        return applied
    }

    /// The versions recorded as applied.
    public static func appliedVersions(in db: Database) async throws -> [Int] {
        try await db.sql.raw("SELECT version FROM schema_migrations ORDER BY version").all(decoding: Applied.self).map(\.version)
    }
}
