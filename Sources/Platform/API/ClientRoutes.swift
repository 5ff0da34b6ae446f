import Foundation
import Hummingbird
import NIOFoundationCompat

extension Client: ResponseEncodable {}
extension ClientImport.Report: ResponseEncodable {}

struct ClientPage: ResponseEncodable {
    var items: [Client]
    var total: Int
    var page: Int
    var perPage: Int
}

/// What a caller sends to create or replace a client. Missing booleans and lists take their defaults.
struct ClientInput: Decodable {
    var kind: Client.Kind
    var name: String
    var siren: String?
    var siret: String?
    var vatNumber: String?
    var emails: [String]?
    var serviceCode: String?
    var serviceCodeRequired: Bool?
    var engagementRequired: Bool?
    var channel: Client.Channel?
    var addressLine1: String?
    var addressLine2: String?
    var postCode: String?
    var city: String?
    var countryCode: String?

    var client: Client {
        Client(kind: kind, name: name, siren: siren, siret: siret, vatNumber: vatNumber, emails: emails ?? [], serviceCode: serviceCode,
               serviceCodeRequired: serviceCodeRequired ?? false, engagementRequired: engagementRequired ?? false,
               channel: channel ?? ((emails ?? []).isEmpty ? (kind == .publicBody ? .chorusPro : .paper) : .email),
               addressLine1: addressLine1, addressLine2: addressLine2, postCode: postCode, city: city, countryCode: countryCode ?? "FR")
    }
}

struct ClientRoutes {
    let database: Database

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("clients") { request, context -> ClientPage in
            let company = try context.requireCompany()
            let q = request.uri.queryParameters
            let page = try await Clients.list(database, companyID: company, query: q.get("q"),
                                              includeArchived: q.get("archived") == "true",
                                              page: q.get("page", as: Int.self) ?? 1, perPage: q.get("perPage", as: Int.self) ?? 50)
            return ClientPage(items: page.items, total: page.total, page: page.page, perPage: page.perPage)
        }
        api.post("clients") { request, context -> EditedResponse<Client> in
            let company = try context.requireCompany()
            try context.requireClientEditor()
            let input = try await decode(request, context)
            let created = try await Clients.create(database, companyID: company, input.client, actor: context.actor, ip: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/clients/\(created.id)"], response: created)
        }
        api.post("clients/import") { request, context -> EditedResponse<ClientImport.Report> in
            let company = try context.requireCompany()
            try context.requireClientEditor()
            let modeText = request.uri.queryParameters.get("mode") ?? "all"
            guard let mode = ClientImport.Mode(rawValue: modeText) else {
                throw PlatformError.validation([FieldError("mode", "invalid", fr: "mode = all (tout ou rien) ou partial (lignes valides seulement).",
                                                           en: "mode = all (all or nothing) or partial (valid lines only).")])
            }
            let body = try await request.body.collect(upTo: 10 << 20)
            let report = try await ClientImport.run(database, companyID: company, data: Data(buffer: body), mode: mode,
                                                    actor: context.actor, ip: context.remoteAddress)
            // 422 when nothing could be imported because of errors, so scripts notice.
            let status: HTTPResponse.Status = report.imported == 0 && !report.errors.isEmpty ? .unprocessableContent : .ok
            return EditedResponse(status: status, response: report)
        }
        api.get("clients/:id") { _, context -> Client in
            try await Clients.get(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"))
        }
        api.put("clients/:id") { request, context -> Client in
            try context.requireClientEditor()
            let input = try await decode(request, context)
            return try await Clients.update(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                            input.client, actor: context.actor, ip: context.remoteAddress)
        }
        api.delete("clients/:id") { _, context -> HTTPResponse.Status in
            try context.requireClientEditor()
            try await Clients.archive(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                      actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
    }

    /// A body that is not the expected JSON is a 422 naming what is wrong, not a bare 400.
    func decode(_ request: Request, _ context: AppRequestContext) async throws -> ClientInput {
        let body = try await request.body.collect(upTo: 1 << 20)
        do {
            return try JSONDecoder().decode(ClientInput.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            throw PlatformError.validation([Self.fieldError(error)])
        }
    }

    static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ c: DecodingError.Context) -> String { c.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, _):
            return FieldError(key.stringValue, "required", fr: "Champ obligatoire.", en: "Required field.")
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return FieldError(path(c), "type", fr: "Valeur du mauvais type.", en: "Wrong type of value.")
        case .dataCorrupted(let c):
            return FieldError(path(c).isEmpty ? "body" : path(c), "invalid", fr: "Valeur invalide : \(c.debugDescription)", en: "Invalid value: \(c.debugDescription)")
        @unknown default:
            return FieldError("body", "invalid", fr: "Corps de requête invalide.", en: "Invalid request body.")
        }
    }
}

extension AppRequestContext {
    func requireCompany() throws -> String {
        guard let companyID else { throw PlatformError.unauthorized }
        return companyID
    }

    /// Viewers and approvers read clients; managers and issuers change them.
    func requireClientEditor() throws {
        let role = try requireRole()
        if !role.canEditClients { throw AccessDenied.issuersOnly }
    }

    /// Who acts, for the audit trail.
    var actor: String { "api:\(companyID ?? "?")" }
}
