import Foundation
import Hummingbird

/// The request context: which company the caller acts for, once authenticated.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var companyID: String?
    /// What the caller may do in that company (the API token's role).
    public var role: Role?
    /// The caller's address, recorded in the audit trail.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// Authenticates `/api/v1` calls with a company's API token; 401 problem+json otherwise.
struct BearerTokenMiddleware: RouterMiddleware {
    let database: Database

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw PlatformError.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let found = try await APITokens.lookup(token, in: database) else { throw PlatformError.unauthorized }
        var context = context
        context.companyID = found.companyID
        context.role = found.role
        return try await next(request, context)
    }
}

struct APIRoutes {
    let database: Database
    /// Links in notification emails point here (`FACTEUR_PUBLIC_URL`).
    var baseURL: String = "http://localhost:8080"

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
            .add(middleware: ProblemMiddleware())
            .add(middleware: BearerTokenMiddleware(database: database))
        // Every query is scoped to the authenticated company; there is no way to name another.
        CompanyRoutes(database: database).register(on: api)
        ClientRoutes(database: database).register(on: api)
        UserRoutes(database: database).register(on: api)
        InvoiceRoutes(database: database, producer: FacturXProducer(), baseURL: baseURL).register(on: api)
    }
}
