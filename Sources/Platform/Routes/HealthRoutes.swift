import Foundation
import Hummingbird

/// `/healthz` for load balancers and operators: 200 when the database answers, 503 otherwise.
struct HealthRoutes {
    let database: Database

    struct Health: ResponseEncodable {
        let status: String
        let database: String
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            do {
                try await database.ping()
                return try JSONEncoder().encodeAsResponse(Health(status: "ok", database: database.engine.rawValue))
            } catch {
                return try JSONEncoder().encodeAsResponse(Health(status: "unavailable", database: database.engine.rawValue), status: .serviceUnavailable)
            }
        }
    }
}

extension JSONEncoder {
    func encodeAsResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
