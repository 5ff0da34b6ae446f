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

/// The one seam used by `facteur serve`, the tests and the operator commands: opens the
/// storage, brings its schema up to date, and builds the web application.
public func buildApplication(_ configuration: Configuration, logger existing: Logger? = nil) async throws -> some ApplicationProtocol {
    var logger = existing ?? Logger(label: "facteur")
    logger.logLevel = configuration.logLevel
    let database = try await Database.open(configuration, logger: logger)
    do {
        try await Migrations.apply(to: database, logger: logger)
    } catch {
        try? await database.shutdown()
        throw error
    }
    logger.info("storage ready", metadata: ["database": "\(database.location)"])
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    Observability.register(on: router, engine: database.engine)
    HealthRoutes(database: database).register(on: router)
    OpenAPIDocument.register(on: router)
    APIRoutes(database: database).register(on: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Facteur"),
        services: [DatabaseService(database: database)],
        logger: logger
    )
}
