/// Invoices, their lifecycle history and their documents (migration 10).
let invoiceMigrations: [Migration] = [
    Migration(version: 10, name: "create-invoices-events-documents", statements: [
        // One row per invoice, seen by its seller and — once issued on the network — by its buyer.
        // Amounts are exact decimal text; `amount_due_cents` exists for sorting, ranges and sums.
        """
        CREATE TABLE invoices (
            id TEXT PRIMARY KEY,
            seller_company_id TEXT NOT NULL REFERENCES companies (id),
            buyer_company_id TEXT REFERENCES companies (id),
            client_id TEXT,
            state TEXT NOT NULL,
            status_code INTEGER,
            number TEXT,
            year INTEGER,
            type_code TEXT NOT NULL,
            issue_date TEXT,
            due_date TEXT,
            currency TEXT NOT NULL,
            seller_name TEXT NOT NULL,
            seller_siren TEXT,
            buyer_name TEXT NOT NULL,
            buyer_siren TEXT,
            total_without_vat TEXT NOT NULL,
            total_vat TEXT NOT NULL,
            total_with_vat TEXT NOT NULL,
            amount_due TEXT NOT NULL,
            amount_due_cents BIGINT NOT NULL,
            paid TEXT NOT NULL,
            source TEXT NOT NULL,
            entry TEXT,
            body TEXT NOT NULL,
            source_sha256 TEXT,
            xml_sha256 TEXT,
            pdf_sha256 TEXT,
            channel TEXT,
            sent_at TEXT,
            sent_means TEXT,
            credited_invoice_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            issued_at TEXT
        )
        """,
        // A number is used once per seller and year (deposited invoices bring their own).
        "CREATE UNIQUE INDEX invoices_seller_year_number ON invoices (seller_company_id, year, number)",
        "CREATE INDEX invoices_seller_state_status ON invoices (seller_company_id, state, status_code)",
        "CREATE INDEX invoices_seller_date ON invoices (seller_company_id, issue_date)",
        "CREATE INDEX invoices_buyer_status ON invoices (buyer_company_id, status_code)",
        """
        CREATE TABLE invoice_events (
            invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            status_code INTEGER NOT NULL,
            side TEXT NOT NULL,
            actor TEXT NOT NULL,
            company_id TEXT NOT NULL,
            reason TEXT,
            amount TEXT,
            PRIMARY KEY (invoice_id, seq)
        )
        """,
        // Content-addressed: the key is the SHA-256 of the content (BYTEA is a blob on SQLite too).
        """
        CREATE TABLE documents (
            sha256 TEXT PRIMARY KEY,
            media_type TEXT NOT NULL,
            size BIGINT NOT NULL,
            content BYTEA NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
    ]),
]

/// Notifications (per-person choice, per-company wording, daily digests) and webhooks (migration 11).
let notificationMigrations: [Migration] = [
    Migration(version: 11, name: "create-notifications-and-webhooks", statements: [
        """
        CREATE TABLE notification_preferences (
            company_id TEXT NOT NULL REFERENCES companies (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            mode TEXT NOT NULL,
            PRIMARY KEY (company_id, user_id)
        )
        """,
        """
        CREATE TABLE notification_templates (
            company_id TEXT NOT NULL REFERENCES companies (id),
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, kind)
        )
        """,
        """
        CREATE TABLE notification_digest (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            line TEXT NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT
        )
        """,
        "CREATE INDEX notification_digest_pending ON notification_digest (sent_at, created_at)",
        """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            company_id TEXT NOT NULL REFERENCES companies (id),
            url TEXT NOT NULL,
            secret TEXT NOT NULL,
            active BOOLEAN NOT NULL,
            created_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            webhook_id TEXT NOT NULL REFERENCES webhooks (id),
            company_id TEXT NOT NULL,
            event TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            response_code INTEGER,
            created_at TEXT NOT NULL,
            delivered_at TEXT
        )
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
    ]),
]

/// Lists and the dashboard answered from indexes (migration 12). An invoice row carries its body — a few
/// kilobytes of JSON — so on SQLite every row read is about one page: with 100,000 invoices a list that
/// filters or sorts by reading rows reads hundreds of megabytes. Each side gets one index that holds
/// every column a list filters, sorts or searches on, so a page is found in the index alone and only its
/// 50 rows are read; the dashboard's amounts come from the status index, widened with them.
let invoiceListMigrations: [Migration] = [
    Migration(version: 12, name: "index-invoice-lists-and-dashboard-amounts", statements: [
        "DROP INDEX invoices_seller_date",
        """
        CREATE INDEX invoices_seller_list ON invoices (seller_company_id, issue_date, state, status_code, amount_due_cents,
            created_at, number, buyer_name, buyer_siren, seller_name, channel, id)
        """,
        "DROP INDEX invoices_seller_state_status",
        "CREATE INDEX invoices_seller_state_status ON invoices (seller_company_id, state, status_code, due_date, amount_due_cents, paid)",
        """
        CREATE INDEX invoices_buyer_list ON invoices (buyer_company_id, state, issued_at, issue_date, status_code, amount_due_cents,
            created_at, number, buyer_name, buyer_siren, seller_name, channel, id)
        """,
    ]),
]
