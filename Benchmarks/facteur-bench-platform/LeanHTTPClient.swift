#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The load generator of the issuing benchmark: a minimal HTTP/1.1 client over a plain blocking
// socket, one keep-alive connection per simulated client, each driven by a thread of its own.
//
// Why not URLSession: on Linux it is libcurl behind a dispatch queue, plus JSONSerialization to read
// the answers, and it runs in the server's process on the same two cores — profiling showed it taking
// about an eighth of the CPU the server needs. The requests and answers are still real ones through the
// real server (its HTTP parser, router, authentication and JSON encoding): the client sends the same
// bytes a billing program would and checks the status and the body of every answer. Blocking threads
// also keep the generator off Swift's cooperative pool, where the server's handlers run. (The API
// benchmark uses wrk for the same reason.)

enum LeanHTTPError: Error, CustomStringConvertible {
    case connect(Int32)
    case io(String)
    case malformed(String)

    var description: String {
        switch self {
        case let .connect(errno): return "connect failed (errno \(errno))"
        case let .io(what): return "socket: \(what)"
        case let .malformed(what): return "malformed HTTP response: \(what)"
        }
    }
}

final class LeanHTTPClient {
    private let fd: Int32
    private let host: String
    private var buffer: [UInt8] = []
    private var start = 0

    init(port: Int) throws {
        host = "127.0.0.1:\(port)"
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LeanHTTPError.connect(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let e = errno
            close(fd)
            throw LeanHTTPError.connect(e)
        }
        // Requests go out in one write; without this, Nagle would hold the next one back.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends one request and reads its whole answer: (status, body).
    func request(_ method: String, _ path: String, token: String, json: [UInt8]?) throws -> (status: Int, body: [UInt8]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\nAccept: application/json\r\n"
        if let json { head += "Content-Type: application/json\r\nContent-Length: \(json.count)\r\n" } else { head += "Content-Length: 0\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let json { bytes += json }
        try writeAll(bytes)
        return try readResponse()
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LeanHTTPError.io("send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LeanHTTPError.io("recv: errno \(errno)")
            }
            if n == 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
    }

    private func readResponse() throws -> (status: Int, body: [UInt8]) {
        // What the previous answer left (nothing, as requests are not pipelined) moves to the front.
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        // Head: up to the blank line.
        var headEnd: Int?
        var searchFrom = start
        while headEnd == nil {
            if buffer.count - start >= 4 {
                var i = max(searchFrom, start)
                while i + 3 < buffer.count {
                    if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { headEnd = i; break }
                    i += 1
                }
                searchFrom = max(start, buffer.count - 3)
            }
            if headEnd == nil, try !fill() { throw LeanHTTPError.malformed("connection closed before the headers ended") }
        }
        let head = String(decoding: buffer[start..<headEnd!], as: UTF8.self)
        start = headEnd! + 4
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw LeanHTTPError.malformed("status line \(lines.first ?? "")")
        }
        var length: Int?
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
        }
        if chunked { return (status, try readChunked()) }
        let count = length ?? 0
        while buffer.count - start < count {
            if try !fill() { throw LeanHTTPError.malformed("connection closed inside the body") }
        }
        let body = Array(buffer[start..<(start + count)])
        start += count
        return (status, body)
    }

    private func readLine() throws -> String {
        while true {
            var i = start
            while i + 1 < buffer.count {
                if buffer[i] == 13 && buffer[i + 1] == 10 {
                    let line = String(decoding: buffer[start..<i], as: UTF8.self)
                    start = i + 2
                    return line
                }
                i += 1
            }
            if try !fill() { throw LeanHTTPError.malformed("connection closed inside a chunk header") }
        }
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            guard let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                throw LeanHTTPError.malformed("chunk size \(sizeLine)")
            }
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while try !readLine().isEmpty {}
                return body
            }
            while buffer.count - start < size + 2 {
                if try !fill() { throw LeanHTTPError.malformed("connection closed inside a chunk") }
            }
            body += buffer[start..<(start + size)]
            start += size + 2
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// The value of `key` in a JSON object, at its top level only (a nested object's key of the same name
/// does not match), as its raw bytes: a string's content without its quotes, else the value's text.
/// Enough to read an id or a status code from an answer without a JSON library.
func topLevelJSONValue(_ json: ArraySlice<UInt8>, key: String) -> ArraySlice<UInt8>? {
    let keyBytes = Array(key.utf8)
    var depth = 0
    var i = json.startIndex
    // Skips a string starting at `i` (on its opening quote); returns the index after its closing quote.
    func skipString(_ from: Int) -> Int {
        var j = from + 1
        while j < json.endIndex {
            if json[j] == UInt8(ascii: "\\") { j += 2; continue }
            if json[j] == UInt8(ascii: "\"") { return j + 1 }
            j += 1
        }
        return j
    }
    while i < json.endIndex {
        let c = json[i]
        switch c {
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; i += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; i += 1
        case UInt8(ascii: "\""):
            let end = skipString(i)
            // A key of the outer object: a string at depth 1 followed by a colon.
            var k = end
            while k < json.endIndex, json[k] == 32 || json[k] == 10 || json[k] == 13 || json[k] == 9 { k += 1 }
            if depth == 1, k < json.endIndex, json[k] == UInt8(ascii: ":"), json[(i + 1)..<(end - 1)].elementsEqual(keyBytes) {
                var v = k + 1
                while v < json.endIndex, json[v] == 32 || json[v] == 10 || json[v] == 13 || json[v] == 9 { v += 1 }
                guard v < json.endIndex else { return nil }
                if json[v] == UInt8(ascii: "\"") { return json[(v + 1)..<(skipString(v) - 1)] }
                // A number, literal, object or array: up to the matching end.
                var d = 0
                var e = v
                while e < json.endIndex {
                    let x = json[e]
                    if x == UInt8(ascii: "\"") { e = skipString(e); continue }
                    if x == UInt8(ascii: "{") || x == UInt8(ascii: "[") { d += 1 }
                    if x == UInt8(ascii: "}") || x == UInt8(ascii: "]") {
                        if d == 0 { break }
                        d -= 1
                        if d == 0 { e += 1; break }
                    }
                    if d == 0 && x == UInt8(ascii: ",") { break }
                    e += 1
                }
                return json[v..<e]
            }
            i = end
        default: i += 1
        }
    }
    return nil
}
