import Foundation
import Logging

/// How Facteur runs: read from a configuration file and the environment (the environment wins),
/// overridden by the command line. Defaults give a working local installation with nothing to configure.
public struct Configuration: Sendable {
    /// Address the web server listens on (`FACTEUR_HOST`, default 127.0.0.1).
    public var host: String = "127.0.0.1"
    /// Port (`FACTEUR_PORT`, default 8080).
    public var port: Int = 8080
    /// Folder for the embedded database and stored files (`FACTEUR_DATA`, default ./var).
    public var dataDirectory: String = "./var"
    /// PostgreSQL instead of the embedded SQLite (`DATABASE_URL=postgres://user:pass@host:port/db`).
    public var databaseURL: String?
    /// `trace`…`critical` (`LOG_LEVEL`, default info).
    public var logLevel: Logger.Level = .info
    /// The address people reach Facteur at, for the links in emails (`FACTEUR_PUBLIC_URL`,
    /// default http://localhost:PORT).
    public var publicURL: String?
    /// Session cookies marked `Secure` (`FACTEUR_SECURE_COOKIES`, default false; they are also marked
    /// when a proxy says `X-Forwarded-Proto: https`).
    public var secureCookies: Bool = false
    /// Demonstration mode (`FACTEUR_DEMO`, default false): the local mailbox is shown at `/dev/mail`.
    public var demo: Bool = false
    /// Outgoing mail server; unset: emails stay in the local mailbox (and the log).
    public var smtp: SMTPConfiguration?
    /// The sender of Facteur's emails (`FACTEUR_MAIL_FROM`).
    public var mailFrom: String = "Facteur <no-reply@facteur.localhost>"
    /// How often the mail service looks for emails to send, in seconds (`FACTEUR_MAIL_INTERVAL`, default 5).
    public var mailInterval: Double = 5

    public init() {}

    /// The base of absolute links (no trailing slash).
    public var baseURL: String {
        if let publicURL, !publicURL.isEmpty { return publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        let shown = host == "127.0.0.1" || host == "0.0.0.0" || host == "::" ? "localhost" : host
        return "http://\(shown):\(port)"
    }

    /// Whether `/dev/mail` shows the local mailbox: in demo mode, or when no mail server is configured
    /// and the server only listens on the loopback interface (nobody else can read it).
    public var showsLocalMailbox: Bool {
        demo || (smtp == nil && (host == "127.0.0.1" || host == "localhost" || host == "::1"))
    }

    /// Reads the configuration file named by `FACTEUR_CONFIG` (or `./facteur.conf` when it exists), then
    /// the environment, which wins.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Configuration {
        var values: [String: String] = [:]
        if let named = env["FACTEUR_CONFIG"], !named.isEmpty {
            values = try ConfigurationFile.read(path: named)
        } else if FileManager.default.fileExists(atPath: "facteur.conf") {
            values = try ConfigurationFile.read(path: "facteur.conf")
        }
        values.merge(env.filter { !$0.value.isEmpty }) { _, fromEnvironment in fromEnvironment }
        return try from(values)
    }

    /// The configuration from key → value pairs (the names of the environment variables).
    public static func from(_ env: [String: String]) throws(ConfigurationError) -> Configuration {
        var c = Configuration()
        if let h = env["FACTEUR_HOST"], !h.isEmpty { c.host = h }
        if let p = env["FACTEUR_PORT"], !p.isEmpty {
            guard let port = Int(p), (1...65535).contains(port) else { throw .invalid(name: "FACTEUR_PORT", value: p, expected: "a port number 1-65535") }
            c.port = port
        }
        if let d = env["FACTEUR_DATA"], !d.isEmpty { c.dataDirectory = d }
        if let u = env["DATABASE_URL"], !u.isEmpty {
            guard u.hasPrefix("postgres://") || u.hasPrefix("postgresql://") else {
                throw .invalid(name: "DATABASE_URL", value: u, expected: "a postgres:// URL (leave it unset for the embedded SQLite database)")
            }
            c.databaseURL = u
        }
        if let l = env["LOG_LEVEL"], !l.isEmpty {
            guard let level = Logger.Level(rawValue: l.lowercased()) else {
                throw .invalid(name: "LOG_LEVEL", value: l, expected: "trace, debug, info, notice, warning, error or critical")
            }
            c.logLevel = level
        }
        if let u = env["FACTEUR_PUBLIC_URL"], !u.isEmpty {
            guard u.hasPrefix("http://") || u.hasPrefix("https://") else {
                throw .invalid(name: "FACTEUR_PUBLIC_URL", value: u, expected: "an http:// or https:// address")
            }
            c.publicURL = u
        }
        if let s = env["FACTEUR_SECURE_COOKIES"] { c.secureCookies = try bool("FACTEUR_SECURE_COOKIES", s) }
        if let s = env["FACTEUR_DEMO"] { c.demo = try bool("FACTEUR_DEMO", s) }
        if let f = env["FACTEUR_MAIL_FROM"], !f.isEmpty {
            guard f.contains("@") else { throw .invalid(name: "FACTEUR_MAIL_FROM", value: f, expected: "an email address, optionally with a name: Facteur <no-reply@example.fr>") }
            c.mailFrom = f
        }
        if let i = env["FACTEUR_MAIL_INTERVAL"], !i.isEmpty {
            guard let seconds = Double(i), seconds > 0, seconds <= 3600 else {
                throw .invalid(name: "FACTEUR_MAIL_INTERVAL", value: i, expected: "a number of seconds between 0 and 3600")
            }
            c.mailInterval = seconds
        }
        if let h = env["FACTEUR_SMTP_HOST"], !h.isEmpty {
            var smtp = SMTPConfiguration(host: h)
            if let p = env["FACTEUR_SMTP_PORT"], !p.isEmpty {
                guard let port = Int(p), (1...65535).contains(port) else { throw .invalid(name: "FACTEUR_SMTP_PORT", value: p, expected: "a port number 1-65535") }
                smtp.port = port
            }
            if let u = env["FACTEUR_SMTP_USER"], !u.isEmpty { smtp.user = u }
            if let p = env["FACTEUR_SMTP_PASSWORD"], !p.isEmpty { smtp.password = p }
            if let s = env["FACTEUR_SMTP_STARTTLS"] { smtp.startTLS = try bool("FACTEUR_SMTP_STARTTLS", s) }
            if let f = env["FACTEUR_SMTP_CA_FILE"], !f.isEmpty { smtp.caFile = f }
            c.smtp = smtp
        }
        return c
    }

    static func bool(_ name: String, _ value: String) throws(ConfigurationError) -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on", "oui": return true
        case "0", "false", "no", "off", "non", "": return false
        default: throw .invalid(name: name, value: value, expected: "true or false")
        }
    }
}

/// The outgoing mail server.
public struct SMTPConfiguration: Sendable, Equatable {
    /// `FACTEUR_SMTP_HOST`.
    public var host: String
    /// `FACTEUR_SMTP_PORT`, default 587 (submission).
    public var port: Int = 587
    /// `FACTEUR_SMTP_USER` / `FACTEUR_SMTP_PASSWORD`: AUTH PLAIN (or LOGIN) when set.
    public var user: String?
    public var password: String?
    /// `FACTEUR_SMTP_STARTTLS`, default true: upgrade the connection before authenticating.
    public var startTLS: Bool = true
    /// `FACTEUR_SMTP_CA_FILE`: a PEM file of the authorities to trust for the server's certificate
    /// (a private authority); unset: the system's.
    public var caFile: String?

    public init(host: String, port: Int = 587, user: String? = nil, password: String? = nil, startTLS: Bool = true, caFile: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.startTLS = startTLS
        self.caFile = caFile
    }
}

/// `facteur.conf`: one `KEY = value` a line (the environment variables' names), `#` comments,
/// optional quotes around the value.
public enum ConfigurationFile {
    public static func read(path: String) throws(ConfigurationError) -> [String: String] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String = "facteur.conf") throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw .badLine(path: path, line: number + 1, text: line)
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw .badLine(path: path, line: number + 1, text: line)
            }
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f { value = String(value.dropFirst().dropLast()) }
            values[key.uppercased()] = value
        }
        return values
    }
}

public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(name: String, value: String, expected: String)
    case unreadableFile(path: String, reason: String)
    case badLine(path: String, line: Int, text: String)
    public var description: String {
        switch self {
        case let .invalid(name, value, expected): return "\(name)=\(value) is not valid: expected \(expected)"
        case let .unreadableFile(path, reason): return "cannot read the configuration file \(path): \(reason)"
        case let .badLine(path, line, text): return "\(path), line \(line): expected KEY = value, found « \(text) »"
        }
    }
}
