import Foundation
import Hummingbird
import NIOFoundationCompat

extension Client: ResponseEncodable {}
extension ClientImport.Report: ResponseEncodable {}

struct ClientPage: Encodable, ResponseGenerator {
    var items: [Client]
    var total: Int
    var page: Int
    var perPage: Int

    /// The same JSON as `JSONEncoder` gives (same keys, values and escaping; absent optionals left out), written
    /// straight into the response buffer: `JSONEncoder` builds a tree of boxed values first, and took a fifth
    /// of the CPU of a busy `GET /api/v1/clients`.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = json()
        var headers = HTTPFields()
        headers.reserveCapacity(4)
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    func json() -> ByteBuffer {
        var json = JSONWriter(capacity: 256 + items.count * 320)
        json.raw("{\"items\":[")
        for (i, c) in items.enumerated() {
            if i > 0 { json.raw(",") }
            c.write(to: &json)
        }
        json.raw("],\"total\":"); json.int(total)
        json.raw(",\"page\":"); json.int(page)
        json.raw(",\"perPage\":"); json.int(perPage)
        json.raw("}")
        return json.buffer
    }
}

extension Client {
    /// Keys as `Client`'s synthesized `Encodable` names them; nil optionals are omitted as it omits them.
    func write(to json: inout JSONWriter) {
        json.raw("{\"id\":"); json.string(id)
        json.raw(",\"kind\":"); json.string(kind.rawValue)
        json.raw(",\"name\":"); json.string(name)
        if let siren { json.raw(",\"siren\":"); json.string(siren) }
        if let siret { json.raw(",\"siret\":"); json.string(siret) }
        if let vatNumber { json.raw(",\"vatNumber\":"); json.string(vatNumber) }
        json.raw(",\"emails\":[")
        for (i, e) in emails.enumerated() {
            if i > 0 { json.raw(",") }
            json.string(e)
        }
        json.raw("]")
        if let serviceCode { json.raw(",\"serviceCode\":"); json.string(serviceCode) }
        json.raw(",\"serviceCodeRequired\":"); json.bool(serviceCodeRequired)
        json.raw(",\"engagementRequired\":"); json.bool(engagementRequired)
        json.raw(",\"channel\":"); json.string(channel.rawValue)
        if let addressLine1 { json.raw(",\"addressLine1\":"); json.string(addressLine1) }
        if let addressLine2 { json.raw(",\"addressLine2\":"); json.string(addressLine2) }
        if let postCode { json.raw(",\"postCode\":"); json.string(postCode) }
        if let city { json.raw(",\"city\":"); json.string(city) }
        json.raw(",\"countryCode\":"); json.string(countryCode)
        json.raw(",\"archived\":"); json.bool(archived)
        json.raw("}")
    }
}

/// Writes JSON text into a `ByteBuffer`, escaping strings exactly as Foundation's `JSONEncoder` does by
/// default: `"` `\\` and `/` backslashed, \b \t \n \f \r by name, other control characters as \u00xx,
/// everything else as UTF-8.
struct JSONWriter {
    /// Bytes gathered in an array and copied into a `ByteBuffer` once: a `ByteBuffer` write per fragment
    /// (a dozen per client) cost more than the copy.
    private var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func int(_ n: Int) {
        bytes.append(contentsOf: String(n).utf8)
    }

    mutating func bool(_ b: Bool) {
        raw(b ? "true" : "false")
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/") {
                if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
                start = i + 1
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case UInt8(ascii: "/"): raw("\\/")
                case 0x08: raw("\\b")
                case 0x09: raw("\\t")
                case 0x0A: raw("\\n")
                case 0x0C: raw("\\f")
                case 0x0D: raw("\\r")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    raw("\\u00")
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                }
            }
            if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
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
