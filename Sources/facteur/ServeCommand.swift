import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Platform

/// Options shared by the commands that open the storage: the same data folder / DATABASE_URL as `serve`.
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Dossier des données (base SQLite embarquée, fichiers). Défaut : ./var ou FACTEUR_DATA.")
    var data: String?

    func configuration() throws -> Configuration {
        var c: Configuration
        do { c = try Configuration.fromEnvironment() } catch {
            throw ValidationError("\(error)")
        }
        if let data { c.dataDirectory = data }
        return c
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Lance le serveur web Facteur (http://localhost:8080 par défaut).",
        discussion: "Base embarquée SQLite dans le dossier des données, ou PostgreSQL si DATABASE_URL=postgres://… est défini. Les migrations sont appliquées au démarrage."
    )

    @Option(name: .long, help: "Adresse d'écoute (défaut 127.0.0.1 ou FACTEUR_HOST).")
    var host: String?

    @Option(name: .long, help: "Port (défaut 8080 ou FACTEUR_PORT).")
    var port: Int?

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        var config = try storage.configuration()
        if let host { config.host = host }
        if let port { config.port = port }
        let app = try await buildApplication(config)
        try await app.runService()
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Met le schéma de la base à jour (les migrations sont aussi appliquées par serve)."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let config = try storage.configuration()
        var logger = Logger(label: "facteur")
        logger.logLevel = config.logLevel
        let db = try await Database.open(config, logger: logger)
        do {
            let applied = try await Migrations.apply(to: db, logger: logger)
            let versions = try await Migrations.appliedVersions(in: db)
            writeStdout(applied.isEmpty
                ? "Base à jour (\(db.location)) : version \(versions.last ?? 0).\n"
                : "\(applied.count) migration(s) appliquée(s) à \(db.location) : " + applied.map { "\($0.version) \($0.name)" }.joined(separator: ", ") + ".\n")
        } catch {
            try? await db.shutdown()
            throw error
        }
        try await db.shutdown()
    }
}
