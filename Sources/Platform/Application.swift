import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Closes the database when the application stops (graceful shutdown of the service group).
struct DatabaseService: Service {
    let database: Database
    func run() async throws {
        try? await gracefulShutdown()
        try await database.shutdown()
    }
}

/// What `buildApplication` assembles, open to the tests (the page routes, the mail service).
struct ApplicationParts {
    let router: Router<AppRequestContext>
    let web: Web
    let mail: MailService
}

/// The one seam used by `facteur serve`, the tests and the operator commands: opens the
/// storage, brings its schema up to date, and builds the web application.
public func buildApplication(_ configuration: Configuration, logger existing: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = existing ?? Logger(label: "facteur")
    logger.logLevel = configuration.logLevel
    let database = try await Database.open(configuration, logger: logger)
    let parts: ApplicationParts
    do {
        try await Migrations.apply(to: database, logger: logger)
        parts = try await buildParts(configuration, database: database, logger: logger)
    } catch {
        try? await database.shutdown()
        throw error
    }
    logger.info("storage ready", metadata: ["database": "\(database.location)"])
    return Application(
        router: parts.router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Facteur"),
        services: [parts.mail, WebhookService(database: database, logger: logger), DigestService(database: database, logger: logger),
                   DatabaseService(database: database)],
        logger: logger
    )
}

func buildParts(_ configuration: Configuration, database: Database, logger: Logger) async throws -> ApplicationParts {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    Observability.register(on: router, engine: database.engine)
    HealthRoutes(database: database).register(on: router)
    OpenAPIDocument.register(on: router)
    APIRoutes(database: database, baseURL: configuration.baseURL).register(on: router)
    let outbox = Outbox(database: database)
    let renderer = try await PageRenderer.load()
    let web = WebModules.register(on: router, database: database, configuration: configuration, renderer: renderer, outbox: outbox)
    let transport: any MailTransport = configuration.smtp.map { SMTPTransport($0, logger: logger) } ?? LocalMailbox(logger: logger)
    let mail = MailService(outbox: outbox, transport: transport, from: configuration.mailFrom,
                           interval: .milliseconds(Int64(configuration.mailInterval * 1000)), logger: logger)
    return ApplicationParts(router: router, web: web, mail: mail)
}
