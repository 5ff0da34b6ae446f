import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

@Suite(.serialized) struct CompanyAPITests {
    /// Every `/api/v1` route the server registers is in the OpenAPI document with its methods, and the reverse.
    @Test func openAPIDescribesEveryRegisteredAPIRoute() async throws {
        let (db, cleanup) = try await Engines.open("sqlite")
        defer { Task { try? await cleanup() } }
        let router = Router(context: AppRequestContext.self)
        APIRoutes(database: db).register(on: router)
        var registered: [String: Set<String>] = [:]
        for r in router.routes {
            let path = "/" + r.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            guard path.hasPrefix("/api/v1/") else { continue }
            registered[String(path.dropFirst("/api/v1".count)), default: []].insert(r.method.rawValue.lowercased())
        }
        let paths = try #require(OpenAPIDocument.document["paths"] as? [String: [String: Any]])
        var documented: [String: Set<String>] = [:]
        for (p, ops) in paths { documented[p] = Set(ops.keys.filter { $0 != "parameters" }) }
        #expect(registered.count >= 12, "\(registered.keys.sorted())")
        #expect(registered == documented)
        try await cleanup()
    }

    @Test(arguments: Engines.all)
    func settingsBankAccountsUsersAndRolesThroughTheAPI(engine: String) async throws {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, alice) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let manager = try await APITokens.create(db, companyID: a.id, name: "erp", actor: "test", ip: nil)
            let viewer = try await APITokens.create(db, companyID: a.id, name: "reporting", actor: "test", ip: nil)
            try await APITokens.setRole(db, companyID: a.id, tokenID: viewer.id, role: .viewer, actor: "test", ip: nil)
            var appConfig = config
            appConfig.logLevel = .warning
            let app = try await buildApplication(appConfig)
            try await app.test(.router) { client in
                func call(_ method: HTTPRequest.Method, _ uri: String, _ token: String, _ body: String? = nil) async throws -> (HTTPResponse.Status, [String: Any], String) {
                    var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    if body != nil { headers[.contentType] = "application/json" }
                    return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
                        let text = String(buffer: r.body)
                        return (r.status, (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:], text)
                    }
                }
                var (status, json, text) = try await call(.get, "/api/v1/company", viewer.token)
                #expect(status == .ok && json["siret"] as? String == a.siret && json["invoicePrefix"] as? String == "F")
                #expect(json["vatNumber"] as? String == "FR11123456782")

                let settings = #"{"name":"Dupont & Fils","legalForm":"SARL","shareCapital":"10 000,00","rcs":"RCS Lyon 123 456 782","addressLine1":"1 rue de la Paix","postCode":"69001","city":"Lyon","invoicePrefix":"DF","paymentTermsDays":45,"latePenaltyRate":"12.15","timeZone":"Europe/Paris"}"#
                (status, json, _) = try await call(.put, "/api/v1/company", viewer.token, settings)
                #expect(status == .forbidden, "a viewer cannot change settings")
                (status, json, _) = try await call(.put, "/api/v1/company", manager.token, settings)
                #expect(status == .ok)
                #expect(json["shareCapital"] as? String == "10000" && json["paymentTermsDays"] as? Int == 45)
                #expect((json["nextInvoiceNumberExample"] as? String)?.hasPrefix("DF20") == true)
                (status, json, text) = try await call(.put, "/api/v1/company", manager.token, #"{"name":"","paymentTermsDays":120,"timeZone":"Nowhere"}"#)
                #expect(status == .unprocessableContent)
                let fields = Set(((json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["name", "paymentTermsDays", "timeZone"], "\(text)")

                (status, json, _) = try await call(.post, "/api/v1/company/bank-accounts", manager.token, #"{"label":"Courant","iban":"FR76 3000 6000 0112 3456 7890 189","bic":"BNPAFRPP"}"#)
                #expect(status == .created && json["isDefault"] as? Bool == true)
                let accountID = json["id"] as? String ?? ""
                (status, json, _) = try await call(.post, "/api/v1/company/bank-accounts", manager.token, #"{"label":"X","iban":"FR76 3000 6000 0112 3456 7890 180"}"#)
                #expect(status == .unprocessableContent && ((json["errors"] as? [[String: Any]])?.first?["code"] as? String) == "checksum")
                (status, _, _) = try await call(.delete, "/api/v1/company/bank-accounts/\(accountID)", viewer.token)
                #expect(status == .forbidden)
                (status, json, _) = try await call(.get, "/api/v1/company/bank-accounts", viewer.token)
                #expect((json["items"] as? [Any])?.count == 1)

                // Users: invite (managers only), list, change role, remove; the principal stays.
                (status, _, _) = try await call(.post, "/api/v1/invitations", viewer.token, #"{"email":"carol@example.fr","role":"issuer"}"#)
                #expect(status == .forbidden)
                (status, json, _) = try await call(.post, "/api/v1/invitations", manager.token, #"{"email":"carol@example.fr","role":"issuer"}"#)
                #expect(status == .created)
                let path = try #require(json["acceptPath"] as? String)
                let mail = try #require(try await Outbox(database: db).recent().first { $0.toAddress == "carol@example.fr" }, "the invitation is emailed")
                #expect(mail.textBody.contains(path) && mail.subject.contains(a.name))
                let token = String(path.split(separator: "=").last ?? "")
                let (carol, _) = try await Users.accept(db, token: token, actingUserID: nil, newAccount: .init(fullName: "Carol", password: "a long enough password"), ip: nil)
                (status, json, _) = try await call(.get, "/api/v1/users", viewer.token)
                #expect((json["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["alice@example.fr", "carol@example.fr"])
                (status, json, _) = try await call(.put, "/api/v1/users/\(carol)", manager.token, #"{"role":"boss"}"#)
                #expect(status == .unprocessableContent)
                (status, json, _) = try await call(.put, "/api/v1/users/\(carol)", manager.token, #"{"role":"approver"}"#)
                #expect(status == .ok && json["role"] as? String == "approver")
                (status, _, _) = try await call(.delete, "/api/v1/users/\(alice.id)", manager.token)
                #expect(status == .conflict, "the principal manager cannot be removed")
                (status, _, _) = try await call(.delete, "/api/v1/users/\(carol)", manager.token)
                #expect(status == .noContent)
                #expect(try await Users.role(db, userID: carol, companyID: a.id) == nil)
                // Viewers read clients but cannot change them.
                (status, _, _) = try await call(.post, "/api/v1/clients", viewer.token, #"{"kind":"individual","name":"M. X","channel":"paper","addressLine1":"1 rue","city":"Lyon"}"#)
                #expect(status == .forbidden)
                (status, _, _) = try await call(.get, "/api/v1/clients", viewer.token)
                #expect(status == .ok)
            }
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
