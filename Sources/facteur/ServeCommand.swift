import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Platform

/// Options shared by the commands that open the storage: the same data folder / DATABASE_URL as `serve`.
struct StorageOptions: ParsableArguments {
    @Option(name: .long, help: "Dossier des données (base SQLite embarquée, fichiers). Défaut : ./var ou FACTEUR_DATA.")
    var data: String?

    @Option(name: .long, help: "Fichier de configuration (CLÉ = valeur par ligne ; les variables d'environnement l'emportent). Défaut : FACTEUR_CONFIG ou ./facteur.conf s'il existe.")
    var config: String?

    func configuration() throws -> Configuration {
        var c: Configuration
        var env = ProcessInfo.processInfo.environment
        if let config { env["FACTEUR_CONFIG"] = config }
        do { c = try Configuration.fromEnvironment(env) } catch {
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

    @Flag(name: .long, help: "Crée des données de démonstration (deux sociétés clientes l'une de l'autre, une entité publique) et affiche comment s'en servir.")
    var demo = false

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        var config = try storage.configuration()
        if let host { config.host = host }
        if let port { config.port = port }
        if demo {
            config.demo = true
            let accounts = try await withStorage(storage) { db in try await DemoData.seed(db) }
            let base = "http://\(config.host == "127.0.0.1" ? "localhost" : config.host):\(config.port)"
            var text = "\nFacteur — données de démonstration prêtes.\n"
            for a in accounts {
                text += "  \(a.company) (SIRET \(a.siret))\n    identifiant : \(a.email)   mot de passe : \(a.password)\n    jeton d'API : \(a.apiToken)\n"
            }
            text += "Connectez-vous sur \(base)/connexion avec l'un de ces comptes ; les emails envoyés s'affichent sur \(base)/dev/mail.\n"
            text += "Essayez l'API : curl -H 'Authorization: Bearer \(accounts[0].apiToken)' \(base)/api/v1/invoices\n"
            text += "Facteur écoute sur \(base) (Ctrl-C pour arrêter).\n\n"
            writeStdout(text)
        }
        Observability.bootstrap()
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
