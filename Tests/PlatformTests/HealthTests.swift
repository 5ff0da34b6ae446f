import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Platform

@Suite struct HealthTests {
    @Test func healthzAnswersWithTheEngine() async throws {
        var config = Configuration()
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-health-\(UUID().uuidString)").path
        config.logLevel = .warning
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let app = try await buildApplication(config)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = String(buffer: response.body)
                #expect(body.contains("\"status\":\"ok\""))
                #expect(body.contains("\"database\":\"sqlite\""))
            }
            try await client.execute(uri: "/no-such-page", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body).contains("facteur_info{database=\"sqlite\"} 1"))
            }
        }
        // The data folder now holds the embedded database, migrated.
        #expect(FileManager.default.fileExists(atPath: config.dataDirectory + "/facteur.sqlite"))
    }

    @Test func badEnvironmentIsExplained() {
        #expect(throws: ConfigurationError.invalid(name: "FACTEUR_PORT", value: "http", expected: "a port number 1-65535")) {
            try Configuration.fromEnvironment(["FACTEUR_PORT": "http"])
        }
        #expect(throws: ConfigurationError.self) { try Configuration.fromEnvironment(["DATABASE_URL": "mysql://x"]) }
        let c = try? Configuration.fromEnvironment(["FACTEUR_PORT": "9090", "FACTEUR_DATA": "/tmp/x", "LOG_LEVEL": "debug"])
        #expect(c?.port == 9090 && c?.dataDirectory == "/tmp/x" && c?.logLevel == .debug)
    }
}
