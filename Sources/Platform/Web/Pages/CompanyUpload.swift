import Foundation
import Hummingbird
import NIOFoundationCompat

/// `multipart/form-data` bodies (file inputs: the logo, the clients' CSV file). Only what a
/// browser sends: parts with a `name`, optionally a `filename`.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: Data
    }

    var parts: [Part] = []

    func file(_ name: String) -> Part? { parts.first { $0.name == name && $0.filename != nil } }
    func value(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                return kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Nil when the body is not multipart; the caller says which field was expected.
    static func parse(_ body: Data, contentType: String?) -> MultipartForm? {
        guard let boundary = boundary(contentType) else { return nil }
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var form = MultipartForm()
        var cursor = body.startIndex
        guard let first = body.range(of: delimiter, in: cursor..<body.endIndex) else { return nil }
        cursor = first.upperBound
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { return nil }
            cursor += 2
            guard let hEnd = body.range(of: headerEnd, in: cursor..<body.endIndex) else { return nil }
            let headers = String(decoding: body[cursor..<hEnd.lowerBound], as: UTF8.self)
            let contentStart = hEnd.upperBound
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: contentStart..<body.endIndex) else { return nil }
            var part = Part(name: "", filename: nil, contentType: nil, data: Data(body[contentStart..<next.lowerBound]))
            for line in headers.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = Self.parameter("name", in: line) ?? ""
                    part.filename = Self.parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            form.parts.append(part)
            cursor = next.upperBound
        }
        return form
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let kv = piece.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].lowercased() == name {
                return String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Reads the request's multipart body, at most `limit` bytes (a larger upload is a 413-like page error).
    static func read(_ request: Request, limit: Int) async throws -> MultipartForm? {
        let buffer = try await request.body.collect(upTo: limit)
        return parse(Data(buffer: buffer), contentType: request.headers[.contentType])
    }
}
