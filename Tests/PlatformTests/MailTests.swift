import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import Platform

/// A transport that fails a given number of times, then accepts.
final class FlakyTransport: MailTransport, @unchecked Sendable {
    let lock = NSLock()
    var failuresLeft: Int
    var delivered: [MailMessage] = []
    init(failures: Int) { failuresLeft = failures }
    var name: String { "flaky" }
    func send(_ message: MailMessage, from: String) async throws {
        try lock.withLock {
            if failuresLeft > 0 {
                failuresLeft -= 1
                throw SMTPError.connectionClosed
            }
            delivered.append(message)
        }
    }
}

/// Runs a process until `ready` returns true on its output so far, or fails after `seconds`.
func startProcess(_ arguments: [String], waitForPort port: Int, seconds: Double = 180) async throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(seconds)
    // Generous: Python servers start in well under a second alone, but can take over 15 s while the
    // whole suite runs in parallel on two cores.
    while Date() < deadline {
        guard p.isRunning else { throw SMTPError.connectionClosed }
        if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
            try? await channel.close()
            return p
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    p.terminate()
    throw SMTPError.timedOut
}

/// A transport for tests against real servers: the whole test suite runs in parallel on two cores,
/// where a Python TLS server can take far longer to answer than a production one would.
func patientTransport(_ configuration: SMTPConfiguration) -> SMTPTransport {
    var t = SMTPTransport(configuration, logger: Logger(label: "test"))
    t.timeout = .seconds(180)
    return t
}

/// A free TCP port on the loopback interface (bound then released).
func freePort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress!.port!
    try channel.close().wait()
    return port
}

/// Reads the messages of a Maildir with Python's own email parser (not Facteur's code), as JSON.
func readMaildir(_ dir: String) throws -> [[String: String]] {
    let script = """
    import json, mailbox, sys
    from email.header import decode_header, make_header
    out = []
    for m in mailbox.Maildir(sys.argv[1], factory=None):
        d = {"subject": str(make_header(decode_header(m["Subject"]))), "from": str(make_header(decode_header(m["From"]))),
             "to": m["To"], "content_type": m.get_content_type(), "envelope_from": m.get("X-MailFrom", ""), "envelope_to": m.get("X-RcptTo", "")}
        for part in m.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                d[part.get_content_type()] = part.get_payload(decode=True).decode(part.get_content_charset())
        out.append(d)
    print(json.dumps(out))
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, dir]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (try JSONSerialization.jsonObject(with: data) as? [[String: String]]) ?? []
}

@Suite(.serialized) struct MailTests {
    @Test func headersAreEncodedPerRFC2047() throws {
        #expect(MIMEMessage.encodeWord("Activate your Facteur account") == "Activate your Facteur account")
        let subject = "Réinitialisation de votre mot de passe Facteur — société « Élan » 🚀 avec un sujet assez long pour être coupé"
        let encoded = MIMEMessage.encodeWord(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = Data()
        for w in words {
            #expect(w.count <= 75, "an encoded word has at most 75 characters: \(w)")
            #expect(w.hasPrefix("=?UTF-8?B?") && w.hasSuffix("?="))
            decoded += try #require(Data(base64Encoded: String(w.dropFirst(10).dropLast(2))))
            #expect(String(data: try #require(Data(base64Encoded: String(w.dropFirst(10).dropLast(2)))), encoding: .utf8) != nil,
                     "each word holds whole characters")
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        #expect(MIMEMessage.encodeWord("a\r\nBcc: x@y.fr") == "a  Bcc: x@y.fr", "no header injection")
        #expect(MIMEMessage.address("Facteur <no-reply@facteur.fr>") == "no-reply@facteur.fr")
    }

    @Test func dataIsDotStuffed() {
        let out = MIMEMessage.dotStuffed("Subject: x\r\n\r\n.hidden line\nnormal\r\n..two\r\n")
        #expect(out == "Subject: x\r\n\r\n..hidden line\r\nnormal\r\n...two\r\n.\r\n")
    }

    @Test func failedEmailsAreRetriedWithBackoffThenGivenUp() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let outbox = Outbox(database: db)
            let record = try await outbox.enqueue(MailMessage(to: "a@exemple.fr", subject: "s", text: "t"))
            let transport = FlakyTransport(failures: 2)
            let service = MailService(outbox: outbox, transport: transport, from: "f@exemple.fr", interval: .seconds(1), logger: Logger(label: "test"))
            var now = Date()
            #expect(await service.deliverDue(now: now) == 0)
            var row = try #require(try await outbox.find(id: record.id))
            #expect(row.status == .pending && row.attempts == 1 && row.lastError?.contains("closed") == true)
            let firstWait = try #require(Timestamp.date(row.nextAttemptAt)).timeIntervalSince(now)
            #expect(firstWait > 50 && firstWait < 70, "first retry after a minute")
            #expect(await service.deliverDue(now: now) == 0, "not due yet: nothing tried")
            #expect(try await outbox.find(id: record.id)?.attempts == 1)
            now = now.addingTimeInterval(61)
            #expect(await service.deliverDue(now: now) == 0)
            row = try #require(try await outbox.find(id: record.id))
            let secondWait = try #require(Timestamp.date(row.nextAttemptAt)).timeIntervalSince(now)
            #expect(row.attempts == 2 && secondWait > 110 && secondWait < 130, "then after two minutes")
            now = now.addingTimeInterval(121)
            #expect(await service.deliverDue(now: now) == 1)
            row = try #require(try await outbox.find(id: record.id))
            #expect(row.status == .sent && row.attempts == 3 && row.sentAt != nil && row.lastError == nil)
            #expect(transport.delivered.map(\.to) == ["a@exemple.fr"])
            // An email that never goes is marked failed after the last attempt.
            let doomed = try await outbox.enqueue(MailMessage(to: "b@exemple.fr", subject: "s", text: "t"))
            let broken = MailService(outbox: outbox, transport: FlakyTransport(failures: 1000), from: "f@exemple.fr", interval: .seconds(1),
                                     logger: Logger(label: "test"))
            for _ in 0..<Outbox.maxAttempts {
                now = now.addingTimeInterval(3601)
                await broken.deliverDue(now: now)
            }
            row = try #require(try await outbox.find(id: doomed.id))
            #expect(row.status == .failed && row.attempts == Outbox.maxAttempts)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }

    @Test func sendsThroughARealSMTPServer() async throws {
        let port = try freePort()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-maildir-\(UUID().uuidString)").path
        let server = try await startProcess(["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", dir],
                                            waitForPort: port)
        defer {
            server.terminate()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let transport = patientTransport(SMTPConfiguration(host: "127.0.0.1", port: port, startTLS: false))
        let html = "<p>Bonjour Zoé,</p>\n<p>.Une ligne qui commence par un point</p>"
        let text = "Bonjour Zoé,\n.Une ligne qui commence par un point\n\nhttps://facteur.example/lien"
        try await transport.send(MailMessage(to: "zoe@exemple.fr", subject: "Votre facture n° 2026-001 — société « Élan »", text: text, html: html),
                                 from: "Facteur Élan <no-reply@facteur.example>")
        let messages = try readMaildir(dir)
        #expect(messages.count == 1)
        let m = try #require(messages.first)
        #expect(m["subject"] == "Votre facture n° 2026-001 — société « Élan »")
        #expect(m["from"] == "Facteur Élan <no-reply@facteur.example>")
        #expect(m["to"] == "zoe@exemple.fr")
        #expect(m["content_type"] == "multipart/alternative")
        #expect(m["text/plain"]?.replacingOccurrences(of: "\r\n", with: "\n") == text + "\n" || m["text/plain"]?.replacingOccurrences(of: "\r\n", with: "\n") == text)
        #expect(m["text/html"] == html)
        // An address that would bend the SMTP command is refused before connecting.
        await #expect(throws: SMTPError.invalidAddress("a@b.fr>\r\nRCPT TO:<x@y.fr")) {
            try await transport.send(MailMessage(to: "a@b.fr>\r\nRCPT TO:<x@y.fr", subject: "x", text: "x"), from: "no-reply@facteur.example")
        }
        #expect(try readMaildir(dir).count == 1)
    }

    @Test func refusesToSendInClearWhenSTARTTLSIsMissing() async throws {
        let port = try freePort()
        let server = try await startProcess(["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Sink"], waitForPort: port)
        defer { server.terminate() }
        let transport = patientTransport(SMTPConfiguration(host: "127.0.0.1", port: port, user: "u", password: "p", startTLS: true))
        await #expect(throws: SMTPError.startTLSUnavailable("127.0.0.1")) {
            try await transport.send(MailMessage(to: "a@b.fr", subject: "x", text: "x"), from: "no-reply@facteur.example")
        }
    }

    @Test func configurationFileThenEnvironment() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-\(UUID().uuidString).conf")
        try """
        # Facteur
        FACTEUR_PORT = 9191
        FACTEUR_SMTP_HOST = smtp.exemple.fr
        FACTEUR_SMTP_PORT=2525
        FACTEUR_SMTP_STARTTLS = false
        FACTEUR_MAIL_FROM = "Facteur <facturation@exemple.fr>"
        FACTEUR_DATA = /srv/facteur
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let c = try Configuration.fromEnvironment(["FACTEUR_CONFIG": file.path, "FACTEUR_DATA": "/tmp/from-env"])
        #expect(c.port == 9191)
        #expect(c.dataDirectory == "/tmp/from-env", "the environment wins over the file")
        #expect(c.smtp == SMTPConfiguration(host: "smtp.exemple.fr", port: 2525, startTLS: false))
        #expect(c.mailFrom == "Facteur <facturation@exemple.fr>")
        #expect(c.baseURL == "http://localhost:9191")
        #expect(throws: ConfigurationError.badLine(path: "x.conf", line: 2, text: "just words")) {
            try ConfigurationFile.parse("# ok\njust words\n", path: "x.conf")
        }
        #expect(throws: ConfigurationError.self) { try Configuration.fromEnvironment(["FACTEUR_CONFIG": "/nonexistent/facteur.conf"]) }
        #expect(throws: ConfigurationError.invalid(name: "FACTEUR_SMTP_STARTTLS", value: "peut-être", expected: "true or false")) {
            try Configuration.from(["FACTEUR_SMTP_HOST": "h", "FACTEUR_SMTP_STARTTLS": "peut-être"])
        }
        #expect(Configuration().showsLocalMailbox, "loopback without SMTP: the local mailbox is readable")
        var exposed = Configuration()
        exposed.host = "0.0.0.0"
        #expect(!exposed.showsLocalMailbox)
    }
}

/// STARTTLS and AUTH against a server that requires both (scripts/e2e/smtp_server.py, aiosmtpd),
/// with a certificate made for the test and trusted through `caFile`.
@Suite(.serialized) struct SMTPSecurityTests {
    static func makeCertificate(in dir: String) throws -> (cert: String, key: String) {
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                       "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return (cert, key)
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/e2e/smtp_server.py").path

    @Test(arguments: [false, true])
    func startTLSThenAuthenticate(onlyLogin: Bool) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-smtps-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (cert, key) = try Self.makeCertificate(in: dir)
        let port = try freePort()
        let server = try await startProcess(["python3", Self.script, "--port", "\(port)", "--maildir", dir + "/mail", "--cert", cert, "--key", key,
                                             "--user", "facteur", "--password", "mot de passe ✓"] + (onlyLogin ? ["--only-login"] : []),
                                            waitForPort: port)
        defer { server.terminate() }
        for host in ["127.0.0.1", "localhost"] {
            let transport = patientTransport(SMTPConfiguration(host: host, port: port, user: "facteur", password: "mot de passe ✓", startTLS: true, caFile: cert))
            try await transport.send(MailMessage(to: "zoe@exemple.fr", subject: "Chiffré via \(host)", text: "Bonjour"), from: "no-reply@facteur.example")
        }
        let received = try readMaildir(dir + "/mail")
        #expect(Set(received.compactMap { $0["subject"] }) == ["Chiffré via 127.0.0.1", "Chiffré via localhost"])
        let log = try String(contentsOfFile: dir + "/mail-auth.log", encoding: .utf8)
        #expect(log == String(repeating: "\(onlyLogin ? "LOGIN" : "PLAIN") ok tls=True\n", count: 2))
        // A wrong password: the server's refusal is reported with the command (not the password).
        let wrong = patientTransport(SMTPConfiguration(host: "127.0.0.1", port: port, user: "facteur", password: "faux", startTLS: true, caFile: cert))
        do {
            try await wrong.send(MailMessage(to: "zoe@exemple.fr", subject: "x", text: "x"), from: "no-reply@facteur.example")
            Issue.record("a wrong password was accepted")
        } catch let error as SMTPError {
            guard case .unexpectedReply(let command, let reply) = error else { Issue.record("unexpected \(error)"); return }
            #expect(reply.code == 535)
            #expect(!command.contains("faux") && !command.contains(Data("faux".utf8).base64EncodedString()))
        }
        // A certificate nobody vouches for is refused.
        let untrusting = patientTransport(SMTPConfiguration(host: "localhost", port: port, user: "facteur", password: "mot de passe ✓", startTLS: true))
        await #expect(throws: (any Error).self) {
            try await untrusting.send(MailMessage(to: "zoe@exemple.fr", subject: "x", text: "x"), from: "no-reply@facteur.example")
        }
        #expect(try readMaildir(dir + "/mail").count == 2)
    }
}
