import ArgumentParser
import Foundation
import Logging

/// `facteur`: one executable for the server and the operator's tools.
@main
struct Facteur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facteur",
        abstract: "Facteur — plateforme d'échange de factures électroniques (EN 16931, Factur-X, Chorus Pro).",
        subcommands: [ServeCommand.self, MigrateCommand.self, ValidateCommand.self, ExtractCommand.self, ConvertCommand.self, CompanyCommand.self, TokenCommand.self, AuditCommand.self, RenderCommand.self]
    )

    /// Exit codes other tools rely on: 0 all good, 1 invalid invoice(s), 2 usage or I/O error.
    static func main() async {
        // Logs go to standard error: standard output is for results other tools read.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Facteur.exit(withError: error) // --help, --version
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum OutputLanguage: String, ExpressibleByArgument, CaseIterable {
    case fr, en
}

func writeStdout(_ s: String) {
    FileHandle.standardOutput.write(Data(s.utf8))
}

func writeStderr(_ s: String) {
    FileHandle.standardError.write(Data(s.utf8))
}
