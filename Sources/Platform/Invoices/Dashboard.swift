import Foundation
import InvoiceModel
import SQLKit

/// « Mon tableau de bord »: counts and amounts of one company's invoices. Two grouped queries, one
/// per side, each answered from an index that starts with the company (`invoices_seller_state_status`,
/// `invoices_buyer_status`), so the cost follows the company's own invoices, never the table's.
public enum Dashboard {
    public struct Summary: Sendable, Equatable {
        public var drafts = 0
        /// Received invoices waiting for this company's decision (203 mise à disposition, 204 prise en
        /// charge, 209 complétée), and sent invoices the buyer suspended (208: the issuer must complete them).
        public var awaitingAction = 0
        public var receivedAwaiting = 0
        public var sentSuspended = 0
        public var issued = 0
        public var received = 0
        public var refusedOrRejected = 0
        public var collected = 0
        /// Sent, issued, neither collected nor refused, rejected or cancelled: what clients still owe.
        public var outstanding: Decimal = 0
        public var outstandingCount = 0
        /// The part of `outstanding` whose due date has passed.
        public var overdue: Decimal = 0
        public var overdueCount = 0
    }

    static let closed: Set<Int> = [LifecycleStatus.collected.code, LifecycleStatus.refused.code, LifecycleStatus.rejected.code, LifecycleStatus.cancelled.code]
    static let receivedAwaitingCodes = [LifecycleStatus.madeAvailable.code, LifecycleStatus.takenInCharge.code, LifecycleStatus.completed.code]

    public static func summary(_ db: Database, companyID: String, today: LocalDate) async throws -> Summary {
        var s = Summary()
        let todayText = today.isoString
        // Counts: answered from the index alone (seller_company_id, state, status_code), never the rows.
        struct SentGroup: Decodable { let state: String; let status_code: Int?; let n: Int }
        let sent = try await db.sql.raw("""
            SELECT state, status_code, COUNT(*) AS n FROM invoices WHERE seller_company_id = \(bind: companyID) GROUP BY state, status_code
            """).all(decoding: SentGroup.self)
        for g in sent {
            if g.state == InvoiceState.draft.rawValue { s.drafts += g.n; continue }
            s.issued += g.n
            guard let code = g.status_code else { continue }
            if code == LifecycleStatus.suspended.code { s.sentSuspended += g.n }
            if code == LifecycleStatus.refused.code || code == LifecycleStatus.rejected.code { s.refusedOrRejected += g.n }
            if code == LifecycleStatus.collected.code { s.collected += g.n }
            if !closed.contains(code) { s.outstandingCount += g.n }
        }
        // Amounts of the open invoices, in cents, from the same index alone: since migration 12 it carries
        // due date, amount and paid too (PostgreSQL sums a BIGINT as NUMERIC: cast back).
        let open = LifecycleStatus.allCases.map(\.code).filter { !closed.contains($0) }
        struct Sums: Decodable { let due: Int?; let overdue: Int?; let overdue_n: Int?; let partial_n: Int? }
        let sums = try await db.sql.raw("""
            SELECT CAST(SUM(amount_due_cents) AS BIGINT) AS due,
                   CAST(SUM(CASE WHEN due_date < \(bind: todayText) THEN amount_due_cents ELSE 0 END) AS BIGINT) AS overdue,
                   CAST(SUM(CASE WHEN due_date < \(bind: todayText) THEN 1 ELSE 0 END) AS BIGINT) AS overdue_n,
                   CAST(SUM(CASE WHEN paid <> '0' THEN 1 ELSE 0 END) AS BIGINT) AS partial_n
            FROM invoices WHERE seller_company_id = \(bind: companyID) AND state = 'issued' AND status_code IN (\(binds: open))
            """).first(decoding: Sums.self)
        let dueCents = sums?.due ?? 0
        let overdueCents = sums?.overdue ?? 0
        let partial = sums?.partial_n ?? 0
        s.overdueCount = sums?.overdue_n ?? 0
        var outstanding = Decimal(dueCents) / 100
        var overdue = Decimal(overdueCents) / 100
        if partial > 0 {
            // Payments already received on open invoices: few rows, read only when there are some.
            struct Paid: Decodable { let paid: String; let due_date: String? }
            let rows = try await db.sql.select().columns("paid", "due_date").from("invoices").where("seller_company_id", .equal, companyID)
                .where("state", .equal, InvoiceState.issued.rawValue).where("status_code", .in, open).where("paid", .notEqual, "0")
                .all(decoding: Paid.self)
            for r in rows {
                let p = Decimal(string: r.paid) ?? 0
                outstanding -= p
                if let d = r.due_date, d < todayText { overdue -= p }
            }
        }
        s.outstanding = outstanding
        s.overdue = overdue

        struct ReceivedGroup: Decodable { let status_code: Int?; let n: Int }
        let received = try await db.sql.raw("""
            SELECT status_code, COUNT(*) AS n FROM invoices WHERE buyer_company_id = \(bind: companyID) GROUP BY status_code
            """).all(decoding: ReceivedGroup.self)
        for g in received {
            s.received += g.n
            if let code = g.status_code, receivedAwaitingCodes.contains(code) { s.receivedAwaiting += g.n }
        }
        s.awaitingAction = s.receivedAwaiting + s.sentSuspended
        return s
    }

    /// The latest invoices of both sides: the first entries of `invoices_seller_list` (by issue date) and of
    /// `invoices_buyer_list` (by issuing time), without the bodies.
    public static func latest(_ db: Database, companyID: String, limit: Int = 5) async throws -> [InvoiceView] {
        let sentRows = try await db.sql.select().columns(Invoices.listColumns).from("invoices").where("seller_company_id", .equal, companyID)
            .orderBy("issue_date", .descending).limit(limit).all(decoding: InvoiceRow.self)
        let receivedRows = try await db.sql.select().columns(Invoices.listColumns).from("invoices").where("buyer_company_id", .equal, companyID)
            .where("state", .equal, InvoiceState.issued.rawValue).orderBy("issued_at", .descending).limit(limit).all(decoding: InvoiceRow.self)
        let all = (sentRows + receivedRows).sorted { ($0.issued_at ?? $0.updated_at) > ($1.issued_at ?? $1.updated_at) }
        return try all.prefix(limit).map { try Invoices.view($0, companyID: companyID, full: false) }
    }
}
