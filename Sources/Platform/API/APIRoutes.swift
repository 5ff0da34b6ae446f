import Foundation
import Hummingbird

/// The request context: which company the caller acts for, once authenticated.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var companyID: String?
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
        guard let company = try await APITokens.company(for: token, in: database) else { throw PlatformError.unauthorized }
        var context = context
        context.companyID = company
        return try await next(request, context)
    }
}

struct APIRoutes {
    let database: Database

    struct CompanyJSON: ResponseEncodable {
        var id: String
        var siren: String
        var siret: String
        var name: String
        var legalForm: String?
        var shareCapital: String?
        var rcs: String?
        var vatNumber: String?

        init(_ c: CompanyRecord) {
            id = c.id
            siren = c.siren
            siret = c.siret
            name = c.name
            legalForm = c.legalForm
            shareCapital = c.shareCapital
            rcs = c.rcs
            vatNumber = c.vatNumber
        }
    }

    func register(on router: Router<AppRequestContext>) {
        let api = router.group("api/v1")
            .add(middleware: ProblemMiddleware())
            .add(middleware: BearerTokenMiddleware(database: database))
        api.get("company") { _, context -> CompanyJSON in
            // Every query is scoped to the authenticated company; there is no way to name another.
            guard let id = context.companyID, let company = try await Companies.find(database, id: id) else {
                throw PlatformError.unauthorized
            }
            return CompanyJSON(company)
        }
        ClientRoutes(database: database).register(on: api)
    }
}
