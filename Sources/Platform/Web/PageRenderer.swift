import Foundation
import Hummingbird
import Mustache

/// The templates (`Resources/templates/*.mustache`) and static files (`Resources/static`), read from
/// the bundle once at start.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let staticFiles: [String: (contentType: String, bytes: [UInt8])]

    public enum LoadError: Error, CustomStringConvertible {
        case missingResources
        case template(String, String)
        public var description: String {
            switch self {
            case .missingResources: return "the Platform bundle has no Resources folder (templates, CSS)"
            case let .template(name, reason): return "template \(name) cannot be read: \(reason)"
            }
        }
    }

    static func resourcesFolder() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else { throw LoadError.missingResources }
        return url
    }

    public static func load() async throws -> PageRenderer {
        let root = try resourcesFolder()
        let library: MustacheLibrary
        do {
            library = try await MustacheLibrary(directory: root.appendingPathComponent("templates").path)
        } catch let e as MustacheLibrary.ParserError {
            throw LoadError.template(e.filename, "\(e.error) at line \(e.context.lineNumber), column \(e.context.columnNumber)")
        }
        var files: [String: (String, [UInt8])] = [:]
        let staticDir = root.appendingPathComponent("static")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staticDir.path)) ?? [] {
            let data = try Data(contentsOf: staticDir.appendingPathComponent(name))
            let type: String
            switch (name as NSString).pathExtension {
            case "css": type = "text/css; charset=utf-8"
            case "js": type = "text/javascript; charset=utf-8"
            case "svg": type = "image/svg+xml"
            case "png": type = "image/png"
            case "ico": type = "image/x-icon"
            default: type = "application/octet-stream"
            }
            files[name] = (type, [UInt8](data))
        }
        return PageRenderer(library: library, staticFiles: files)
    }

    /// Renders a template; a missing template is a programming error reported plainly.
    public func render(_ template: String, _ object: Any) -> String {
        library.render(object, withTemplate: template) ?? "<!-- template \(template) is missing -->"
    }

    public func hasTemplate(_ name: String) -> Bool { library.getTemplate(named: name) != nil }

    /// `GET /static/<name>`, cached by the browser for an hour.
    func registerStatic(on router: Router<AppRequestContext>) {
        let files = staticFiles
        router.get("/static/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let file = files[name] else { throw HTTPError(.notFound) }
            var headers = HTTPFields()
            headers[.contentType] = file.contentType
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
    }
}

/// Form values and field errors, shaped for templates: `{{form.values.email}}`,
/// `{{#form.errors.email}}…{{/form.errors.email}}`, and a summary linking to each field.
public struct FormState: Sendable {
    public var values: [String: String]
    public var errors: [String: String] = [:]
    /// Field order for the summary.
    public var order: [String] = []

    public init(values: [String: String] = [:]) { self.values = values }

    public mutating func add(_ field: String, _ message: String) {
        if errors[field] == nil { order.append(field) }
        errors[field] = message
    }

    /// Adds platform field errors in the page's language; `rename` maps their field names to the form's.
    public mutating func add(_ fieldErrors: [FieldError], lang: Lang, rename: [String: String] = [:]) {
        for e in fieldErrors { add(rename[e.field] ?? e.field, lang.pick(fr: e.fr, en: e.en)) }
    }

    public var isValid: Bool { errors.isEmpty }

    /// What templates read.
    public var model: [String: Any] {
        [
            "values": values,
            "errors": errors,
            "hasErrors": !errors.isEmpty,
            "summary": order.map { ["field": $0, "message": errors[$0] ?? ""] },
        ]
    }
}

/// `application/x-www-form-urlencoded` bodies and query strings.
enum FormDecoding {
    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            if !key.isEmpty { result[key] = value }
        }
        return result
    }

    static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }
}
