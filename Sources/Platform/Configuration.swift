import Foundation
import Logging

/// How Facteur runs: read from the environment (documented in the README), overridden by the
/// command line. Defaults give a working local installation with nothing to configure.
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

    public init() {}

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> Configuration {
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
        return c
    }
}

public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(name: String, value: String, expected: String)
    public var description: String {
        switch self {
        case let .invalid(name, value, expected): return "\(name)=\(value) is not valid: expected \(expected)"
        }
    }
}
