import ArgumentParser
import Foundation
import Logging
import Platform

/// Opens the storage (migrated), runs `body`, closes it — for the operator's commands.
func withStorage<T: Sendable>(_ options: StorageOptions, _ body: @Sendable (Database) async throws -> T) async throws -> T {
    let config = try options.configuration()
    var logger = Logger(label: "facteur")
    logger.logLevel = .warning
    let db = try await Database.open(config, logger: logger)
    do {
        try await Migrations.apply(to: db, logger: logger)
        let result = try await body(db)
        try await db.shutdown()
        return result
    } catch {
        try? await db.shutdown()
        throw error
    }
}

/// A platform error said to the operator, in French, with exit code 1.
func report(_ error: Error) -> Error {
    if let e = error as? PlatformError {
        writeStderr("facteur: \(e.french)\n")
        return ExitCode(1)
    }
    return error
}

struct CompanyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "company", abstract: "Sociétés inscrites sur Facteur.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Inscrit une société et son gestionnaire principal (pour les installations scriptées).")

        @Option(help: "SIRET du siège ou de l'établissement (14 chiffres).") var siret: String
        @Option(help: "Raison sociale.") var name: String
        @Option(name: .customLong("admin-email"), help: "Adresse du gestionnaire principal.") var adminEmail: String
        @Option(name: .customLong("admin-name"), help: "Nom du gestionnaire principal.") var adminName: String?
        @Option(help: "Mot de passe du gestionnaire principal (12 caractères au moins).") var password: String
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let new = Companies.NewCompany(siret: siret, name: name, adminEmail: adminEmail, adminName: adminName ?? adminEmail, password: password)
            do {
                let (company, user) = try await withStorage(storage) { db in
                    try await Companies.create(db, new, actor: "operator:cli", ip: nil)
                }
                writeStdout("Société « \(company.name) » inscrite : SIREN \(company.siren), SIRET \(company.siret), TVA \(company.vatNumber ?? "-").\n")
                writeStdout("Gestionnaire principal : \(user.email)\n")
                writeStdout("\(company.id)\n")
            } catch { throw report(error) }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Jetons d'API des sociétés.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Crée un jeton d'API pour une société ; le jeton est affiché une seule fois, seul sur la dernière ligne.")

        @Option(help: "SIRET de la société.") var company: String
        @Option(help: "Nom du jeton (par ex. le logiciel qui l'utilise).") var name: String = "cli"
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let siret = company
            let tokenName = name
            do {
                let created = try await withStorage(storage) { db -> APITokens.Created in
                    guard let c = try await Companies.find(db, siret: siret) else { throw PlatformError.notFound(what: "société \(siret)") }
                    return try await APITokens.create(db, companyID: c.id, name: tokenName, actor: "operator:cli", ip: nil)
                }
                writeStdout("Jeton « \(tokenName) » créé (\(created.id)). Conservez-le : il ne sera plus affiché.\n")
                writeStdout("\(created.token)\n")
            } catch { throw report(error) }
        }
    }
}
