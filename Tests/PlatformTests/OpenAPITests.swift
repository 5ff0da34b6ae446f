import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Platform

@Suite struct OpenAPITests {
    @Test func documentIsServedAndDescribesEveryRoute() async throws {
        var config = Configuration()
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-openapi-\(UUID().uuidString)").path
        config.logLevel = .warning
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
        let app = try await buildApplication(config)
        let body = try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok, "served without a token")
                return Data(buffer: response.body)
            }
        }
        let doc = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        // Every API route the server registers is described, with the methods it answers.
        let expected: [String: Set<String>] = ["/company": ["get", "put"], "/clients": ["get", "post"], "/clients/{id}": ["get", "put", "delete"], "/clients/import": ["post"],
                                                     "/invoices": ["get", "post"], "/invoices/{id}": ["get", "put", "delete"], "/invoices/{id}/issue": ["post"],
                                                     "/invoices/{id}/status": ["post"], "/invoices/{id}/payments": ["post"], "/invoices/{id}/pdf": ["get"],
                                                     "/invoices/{id}/xml": ["get"], "/invoices/{id}/history": ["get"], "/invoices/{id}/credit-note": ["post"],
                                                     "/webhooks": ["get", "post"], "/webhooks/{id}": ["delete"], "/webhooks/{id}/deliveries": ["get"],
                                                     "/notification-templates/{kind}": ["get", "put", "delete"], "/notification-templates/{kind}/preview": ["post"]]
        for (path, methods) in expected {
            #expect(Set(paths[path]?.keys.filter { $0 != "parameters" } ?? []) == methods, "\(path)")
        }

        // An independent validator reads it, when installed (CI installs it).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-openapi-\(UUID().uuidString).json")
        try body.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sys, json\ntry:\n from openapi_spec_validator import validate\nexcept ImportError:\n sys.exit(3)\nvalidate(json.load(open(sys.argv[1])))", file.path]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus == 3 {
            print("openapi-spec-validator is not installed: independent check skipped")
        } else {
            #expect(p.terminationStatus == 0, "openapi-spec-validator rejects the document")
        }
    }
}
