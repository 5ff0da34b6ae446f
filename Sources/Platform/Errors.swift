import Foundation

/// A problem with one field of a request or a command, said in French and English.
public struct FieldError: Error, Sendable, Equatable, Codable {
    public var field: String
    public var code: String
    public var fr: String
    public var en: String

    public init(_ field: String, _ code: String, fr: String, en: String) {
        self.field = field
        self.code = code
        self.fr = fr
        self.en = en
    }
}

/// What can go wrong in the platform's operations, typed so that HTTP, the CLI and the UI each
/// say it their way (problem+json with field details, an exit code, a message next to a field).
public enum PlatformError: Error, Sendable, Equatable, CustomStringConvertible {
    case validation([FieldError])
    case conflict(field: String, fr: String, en: String)
    case notFound(what: String)
    case unauthorized

    public var description: String {
        switch self {
        case .validation(let errors): return errors.map { "\($0.field): \($0.en)" }.joined(separator: "; ")
        case .conflict(let field, _, let en): return "\(field): \(en)"
        case .notFound(let what): return "\(what) not found"
        case .unauthorized: return "authentication required"
        }
    }

    public var french: String {
        switch self {
        case .validation(let errors): return errors.map { "\($0.field) : \($0.fr)" }.joined(separator: " ; ")
        case .conflict(let field, let fr, _): return "\(field) : \(fr)"
        case .notFound(let what): return "\(what) introuvable"
        case .unauthorized: return "authentification requise"
        }
    }
}
