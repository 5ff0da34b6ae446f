import Foundation
import SQLKit

/// Invoice numbers: a yearly sequence per company, unique and without gaps (a legal requirement),
/// even with many issuers at once.
public enum InvoiceNumbering {
    /// Takes the next number of `year` for the company. Call it inside the transaction that issues
    /// the invoice (`transaction`): the row update locks the sequence until that
    /// transaction ends — on PostgreSQL by row lock, on SQLite by the database write lock — and a
    /// rollback returns the number.
    public static func next(_ tx: any SQLDatabase, companyID: String, year: Int) async throws -> Int {
        // One statement (upsert): the first number of a year creates the row, the others increment
        // it; both engines return the row as written, under its lock.
        struct Taken: Decodable { let value: Int }
        guard let taken = try await tx.raw("""
            INSERT INTO invoice_sequences (company_id, year, next_value) VALUES (\(bind: companyID), \(bind: year), 2)
            ON CONFLICT (company_id, year) DO UPDATE SET next_value = invoice_sequences.next_value + 1
            RETURNING next_value - 1 AS value
            """).first(decoding: Taken.self) else {
            throw PlatformError.notFound(what: "invoice sequence")
        }
        return taken.value
    }

    /// `PREFIX2026-000042`: the company's prefix, the year, the number on at least 6 digits.
    public static func format(prefix: String, year: Int, value: Int) -> String {
        let digits = String(value)
        return "\(prefix)\(year)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
