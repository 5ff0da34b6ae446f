import Foundation
import Hummingbird

/// RFC 9457 problem details, with the field-level errors of a validation failure.
struct Problem: Encodable, Sendable {
    var type = "about:blank"
    var title: String
    var status: Int
    var detail: String
    var errors: [FieldError]?

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func from(_ error: PlatformError) -> Problem {
        switch error {
        case .validation(let errors):
            return Problem(title: "Invalid request", status: 422, detail: error.description, errors: errors)
        case .conflict:
            return Problem(title: "Conflict", status: 409, detail: error.description)
        case .notFound:
            return Problem(title: "Not found", status: 404, detail: error.description)
        case .unauthorized:
            return Problem(title: "Unauthorized", status: 401, detail: "Send a valid API token: Authorization: Bearer fct_…")
        }
    }
}

/// Turns platform errors thrown by API handlers into problem+json responses.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as PlatformError {
            return Problem.from(error).response()
        } catch let error as AccessDenied {
            return Problem(title: "Forbidden", status: 403, detail: error.en).response()
        } catch let error as HTTPError where error.status == .badRequest || error.status == .notFound {
            return Problem(title: error.status.reasonPhrase, status: Int(error.status.code), detail: error.body ?? error.status.reasonPhrase).response()
        }
    }
}
