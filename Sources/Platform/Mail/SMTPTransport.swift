import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends through an SMTP server over TCP: EHLO, STARTTLS when configured (the connection is then
/// encrypted before any password is sent, and refused if the server does not offer it), AUTH PLAIN
/// or LOGIN, MAIL FROM, RCPT TO, DATA (dot-stuffed), QUIT. One connection per email: Facteur sends
/// few emails, and a fresh connection has no state to get wrong.
public struct SMTPTransport: MailTransport {
    public let configuration: SMTPConfiguration
    public let logger: Logger
    /// Every exchange with the server must finish within this time.
    public var timeout: Duration = .seconds(30)
    public var name: String { "smtp \(configuration.host):\(configuration.port)" }

    public init(_ configuration: SMTPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ message: MailMessage, from: String) async throws {
        let sender = MIMEMessage.address(from), recipient = MIMEMessage.address(message.to)
        // An address goes into an SMTP command line: anything that could end or bend the command is refused.
        for address in [sender, recipient] where !Self.isPlainAddress(address) { throw SMTPError.invalidAddress(address) }
        let data = MIMEMessage.dotStuffed(MIMEMessage.render(message, from: from))
        try await withTimeout(timeout) {
            try await self.converse(envelopeFrom: sender, to: recipient, data: data)
        }
    }

    static func isPlainAddress(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" }
    }

    func converse(envelopeFrom: String, to: String, data: String) async throws {
        let config = configuration
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: config.host, port: config.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = SMTPReplyReader(inbound.makeAsyncIterator())
            func command(_ line: String, expect codes: Set<Int>, shown: String? = nil) async throws -> SMTPReply {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                let reply = try await replies.next()
                guard codes.contains(reply.code) else { throw SMTPError.unexpectedReply(command: shown ?? line, reply: reply) }
                return reply
            }
            let greeting = try await replies.next()
            guard greeting.code == 220 else { throw SMTPError.unexpectedReply(command: "(connection)", reply: greeting) }
            let heloName = "facteur.localhost"
            var ehlo = try await command("EHLO \(heloName)", expect: [250])
            if config.startTLS {
                guard ehlo.extensions.contains("STARTTLS") else { throw SMTPError.startTLSUnavailable(config.host) }
                _ = try await command("STARTTLS", expect: [220])
                var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
                if let caFile = config.caFile { tlsConfiguration.trustRoots = .file(caFile) }
                let context = try NIOSSLContext(configuration: tlsConfiguration)
                // An IP address is no name for SNI: the certificate is then checked against the address.
                let isAddress = (try? SocketAddress(ipAddress: config.host, port: 0)) != nil
                let tls = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : config.host)
                try await channel.channel.pipeline.addHandler(tls, position: .first).get()
                ehlo = try await command("EHLO \(heloName)", expect: [250])
            }
            if let user = config.user, let password = config.password {
                let mechanisms = ehlo.authMechanisms
                if mechanisms.contains("PLAIN") || mechanisms.isEmpty {
                    let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                    _ = try await command("AUTH PLAIN \(token)", expect: [235], shown: "AUTH PLAIN (credentials hidden)")
                } else if mechanisms.contains("LOGIN") {
                    _ = try await command("AUTH LOGIN", expect: [334])
                    _ = try await command(Data(user.utf8).base64EncodedString(), expect: [334], shown: "(user name)")
                    _ = try await command(Data(password.utf8).base64EncodedString(), expect: [235], shown: "(password)")
                } else {
                    throw SMTPError.noSupportedAuth(mechanisms)
                }
            }
            _ = try await command("MAIL FROM:<\(envelopeFrom)>", expect: [250])
            _ = try await command("RCPT TO:<\(to)>", expect: [250, 251])
            _ = try await command("DATA", expect: [354])
            try await outbound.write(ByteBuffer(string: data))
            let accepted = try await replies.next()
            guard accepted.code == 250 else { throw SMTPError.unexpectedReply(command: "(message data)", reply: accepted) }
            _ = try? await command("QUIT", expect: [221])
        }
    }
}

/// A server reply: its code and text lines (several for a multi-line reply).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]
    public var description: String { "\(code) \(lines.joined(separator: " / "))" }

    /// EHLO keywords, upper-cased (`STARTTLS`, `AUTH PLAIN LOGIN`, …).
    var extensions: Set<String> { Set(lines.dropFirst().compactMap { $0.split(separator: " ").first.map { $0.uppercased() } }) }
    var authMechanisms: Set<String> {
        for line in lines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            if words.first == "AUTH" || words.first == "AUTH=" { return Set(words.dropFirst().map(String.init)) }
        }
        return []
    }
}

/// Reads CRLF-terminated reply lines off the connection; a reply ends at the line whose code is
/// followed by a space (RFC 5321 §4.2.1).
struct SMTPReplyReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    mutating func line() async throws -> String {
        while true {
            if let cr = pending.firstIndex(of: 0x0A) {
                var bytes = Array(pending[..<cr])
                if bytes.last == 0x0D { bytes.removeLast() }
                pending.removeFirst(cr + 1)
                return String(decoding: bytes, as: UTF8.self)
            }
            guard var buffer = try await iterator.next() else { throw SMTPError.connectionClosed }
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            if pending.count > 1 << 20 { throw SMTPError.malformedReply("reply longer than 1 MiB") }
        }
    }

    mutating func next() async throws -> SMTPReply {
        var lines: [String] = []
        while true {
            let l = try await line()
            guard l.count >= 3, let code = Int(l.prefix(3)) else { throw SMTPError.malformedReply(l) }
            lines.append(l.count > 4 ? String(l.dropFirst(4)) : "")
            if l.count == 3 || l[l.index(l.startIndex, offsetBy: 3)] == " " { return SMTPReply(code: code, lines: lines) }
        }
    }
}

public enum SMTPError: Error, CustomStringConvertible, Equatable {
    case unexpectedReply(command: String, reply: SMTPReply)
    case startTLSUnavailable(String)
    case noSupportedAuth(Set<String>)
    case connectionClosed
    case malformedReply(String)
    case timedOut
    case invalidAddress(String)

    public var description: String {
        switch self {
        case let .unexpectedReply(command, reply): return "the SMTP server answered \(reply) to \(command)"
        case let .startTLSUnavailable(host): return "\(host) does not offer STARTTLS (set FACTEUR_SMTP_STARTTLS=false to send unencrypted)"
        case let .noSupportedAuth(m): return "the SMTP server offers no authentication Facteur knows (PLAIN, LOGIN); it offers \(m.sorted().joined(separator: ", "))"
        case .connectionClosed: return "the SMTP server closed the connection"
        case let .malformedReply(l): return "the SMTP server sent a line that is not a reply: \(l)"
        case .timedOut: return "the SMTP server did not answer in time"
        case let .invalidAddress(a): return "« \(a) » cannot be used as an email address in an SMTP command"
        }
    }
}

/// Runs `body`, giving up with `SMTPError.timedOut` after `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw SMTPError.timedOut
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
