import Foundation

/// Migrations 6 and 7 (web sessions, account tokens, login throttling; the mail outbox). Kept beside
/// the code that uses them and appended to `Migrations.all`.
extension Migrations {
    static let webMigrations: [Migration] = [
        Migration(version: 6, name: "create-sessions-account-tokens-login-attempts", statements: [
            // The cookie carries a random token; only its SHA-256 is stored, so a copy of the database
            // does not let anyone take over a session. A session without user is a visitor's (CSRF token
            // for the login and sign-up forms).
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id TEXT REFERENCES users (id),
                company_id TEXT REFERENCES companies (id),
                csrf_token TEXT NOT NULL,
                flash TEXT,
                ip TEXT,
                user_agent TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_id)",
            "CREATE INDEX sessions_expires ON sessions (expires_at)",
            // Sign-up activation and password reset links: single use (used_at), expiring, stored hashed.
            """
            CREATE TABLE account_tokens (
                token_hash TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                email TEXT NOT NULL,
                user_id TEXT REFERENCES users (id),
                siret TEXT,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT
            )
            """,
            "CREATE INDEX account_tokens_email ON account_tokens (email, kind)",
            """
            CREATE TABLE login_attempts (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL,
                ip TEXT NOT NULL,
                succeeded BOOLEAN NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX login_attempts_email ON login_attempts (email, at)",
            "CREATE INDEX login_attempts_ip ON login_attempts (ip, at)",
        ]),
        Migration(version: 7, name: "create-mail-outbox", statements: [
            // Every email is written here first (in the same request as the change that causes it)
            // and sent later by the mail service, with retries: a mail server that is down loses nothing.
            """
            CREATE TABLE mail_outbox (
                id TEXT PRIMARY KEY,
                to_address TEXT NOT NULL,
                subject TEXT NOT NULL,
                text_body TEXT NOT NULL,
                html_body TEXT,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at TEXT NOT NULL,
                last_error TEXT,
                created_at TEXT NOT NULL,
                sent_at TEXT
            )
            """,
            "CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)",
        ]),
    ]
}
