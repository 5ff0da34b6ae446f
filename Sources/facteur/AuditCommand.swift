import ArgumentParser
import Foundation
import Platform

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Journal d'audit chaîné (SHA-256) de chaque société.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Recalcule les chaînes du journal d'audit et nomme la première entrée altérée. Code de retour 1 si une chaîne est rompue."
        )

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let result = try await withStorage(storage) { db in try await AuditLog.verify(db.sql) }
            if result.breaks.isEmpty {
                writeStdout("OK \(result.entries) entrée(s) vérifiée(s), aucune altération.\n")
            } else {
                for b in result.breaks {
                    writeStdout("KO société \(b.companyID), entrée \(b.seq) : \(frenchReason(b.reason))\n")
                }
                throw ExitCode(1)
            }
        }

        func frenchReason(_ r: String) -> String {
            if r.contains("missing") { return "une entrée précédente a disparu (\(r))" }
            if r.contains("previous") { return "elle ne pointe plus vers l'entrée précédente (\(r))" }
            return "son contenu ne correspond plus à son empreinte : elle a été modifiée après coup (\(r))"
        }
    }
}
