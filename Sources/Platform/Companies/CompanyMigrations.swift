import Foundation

/// Migrations 8 and 9 (Ma société, Mes utilisateurs). Kept beside the code that uses them and
/// appended to `Migrations.all`, so that the web foundations' migrations (6, 7) and these evolve
/// without editing the same lines.
extension Migrations {
    static let companyMigrations: [Migration] = [
        Migration(version: 8, name: "company-settings-bank-accounts-logo", statements: [
            // SQLite adds one column per ALTER TABLE; PostgreSQL accepts the same statements.
            "ALTER TABLE companies ADD COLUMN address_line1 TEXT",
            "ALTER TABLE companies ADD COLUMN address_line2 TEXT",
            "ALTER TABLE companies ADD COLUMN post_code TEXT",
            "ALTER TABLE companies ADD COLUMN city TEXT",
            "ALTER TABLE companies ADD COLUMN country_code TEXT NOT NULL DEFAULT 'FR'",
            "ALTER TABLE companies ADD COLUMN invoice_prefix TEXT NOT NULL DEFAULT 'F'",
            "ALTER TABLE companies ADD COLUMN payment_terms_days INTEGER NOT NULL DEFAULT 30",
            // Decimal rates and amounts are stored as their exact decimal text, never as floating point.
            "ALTER TABLE companies ADD COLUMN late_penalty_rate TEXT",
            "ALTER TABLE companies ADD COLUMN recovery_indemnity_text TEXT",
            "ALTER TABLE companies ADD COLUMN early_payment_discount TEXT",
            "ALTER TABLE companies ADD COLUMN legal_mentions TEXT",
            "ALTER TABLE companies ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Paris'",
            "ALTER TABLE companies ADD COLUMN updated_at TEXT",
            """
            CREATE TABLE bank_accounts (
                id TEXT PRIMARY KEY,
                company_id TEXT NOT NULL REFERENCES companies (id),
                label TEXT NOT NULL,
                holder TEXT,
                iban TEXT NOT NULL,
                bic TEXT,
                is_default BOOLEAN NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX bank_accounts_company ON bank_accounts (company_id)",
            // The logo travels with the database (base64 text: the same column type on both engines),
            // so a PostgreSQL installation with several servers needs no shared folder.
            """
            CREATE TABLE company_logos (
                company_id TEXT PRIMARY KEY REFERENCES companies (id),
                content_type TEXT NOT NULL,
                data TEXT NOT NULL,
                byte_count INTEGER NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            // API tokens get a role too, so that a read-only integration can be given a read-only token.
            "ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'manager'",
        ]),
        Migration(version: 9, name: "create-invitations", statements: [
            // Only a SHA-256 of the invitation token is kept; the link is single-use and expires.
            """
            CREATE TABLE invitations (
                id TEXT PRIMARY KEY,
                company_id TEXT NOT NULL REFERENCES companies (id),
                email TEXT NOT NULL,
                role TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                invited_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                accepted_at TEXT,
                accepted_by TEXT,
                revoked_at TEXT
            )
            """,
            "CREATE INDEX invitations_company ON invitations (company_id, email)",
        ]),
    ]
}
