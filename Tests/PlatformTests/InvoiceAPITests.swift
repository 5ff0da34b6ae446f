import Foundation
import Hummingbird
import HummingbirdTesting
import InvoiceModel
import Logging
import Testing
@testable import Platform

/// The invoice contract billing software relies on, through real HTTP routes, on both engines:
/// A types an invoice for B (a company on the network), issues it; B receives it, approves it,
/// transmits payment; A records the payment and the invoice is Encaissée. A third company sees nothing.
@Suite(.serialized) struct InvoiceAPITests {
    struct Call {
        let client: any TestClientProtocol
        func run(_ method: HTTPRequest.Method, _ uri: String, _ token: String, json: String? = nil,
                 body: Data? = nil, contentType: String? = nil) async throws -> (HTTPResponse.Status, Data, HTTPFields) {
            var headers: HTTPFields = [.authorization: "Bearer \(token)"]
            if json != nil { headers[.contentType] = "application/json" }
            if let contentType { headers[.contentType] = contentType }
            let buffer = json.map { ByteBuffer(string: $0) } ?? body.map { ByteBuffer(bytes: $0) }
            return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { r in
                (r.status, Data(buffer: r.body), r.headers)
            }
        }
        func object(_ data: Data) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        }
    }

    static let bob = Companies.NewCompany(siret: "73282932000074", name: "Client SA", adminEmail: "bob@example.fr",
                                          adminName: "Bob", password: "another long password")
    static let carol = Companies.NewCompany(siret: "55208131766522", name: "Tierce SAS", adminEmail: "carol@example.fr",
                                            adminName: "Carol", password: "yet another long password")

    @Test(arguments: Engines.all)
    func issueDeliverApprovePay(engine: String) async throws {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, Self.bob, actor: "test", ip: nil)
            let (c, _) = try await Companies.create(db, Self.carol, actor: "test", ip: nil)
            let ta = try await APITokens.create(db, companyID: a.id, name: "a", actor: "test", ip: nil).token
            let tb = try await APITokens.create(db, companyID: b.id, name: "b", actor: "test", ip: nil).token
            let tc = try await APITokens.create(db, companyID: c.id, name: "c", actor: "test", ip: nil).token
            let app = try await buildApplication(config)
            try await app.test(.router) { client in
                let call = Call(client: client)
                // A's settings: an address (the seller's postal address is mandatory) and a bank account.
                var (status, data, _) = try await call.run(.put, "/api/v1/company", ta, json: """
                    {"name":"Dupont & Fils","legalForm":"SARL","shareCapital":"10000","rcs":"Lyon B 123 456 782","addressLine1":"1 rue de la Paix","postCode":"69001","city":"Lyon","countryCode":"FR","invoicePrefix":"F","paymentTermsDays":30,"recoveryIndemnityText":"Indemnité forfaitaire pour frais de recouvrement : 40 €.","earlyPaymentDiscount":"Pas d'escompte.","timeZone":"Europe/Paris"}
                    """)
                #expect(status == .ok, "\(String(decoding: data, as: UTF8.self))")
                (status, data, _) = try await call.run(.post, "/api/v1/company/bank-accounts", ta, json: #"{"label":"Courant","iban":"FR7630006000011234567890189","bic":"AGRIFRPP","isDefault":true}"#)
                #expect(status == .created, "\(String(decoding: data, as: UTF8.self))")
                (status, data, _) = try await call.run(.post, "/api/v1/clients", ta, json: #"{"kind":"business","name":"Client SA","siret":"73282932000074","emails":["compta@client.fr"],"addressLine1":"2 avenue Foch","postCode":"75016","city":"Paris"}"#)
                #expect(status == .created)
                let clientID = call.object(data)["id"] as? String ?? ""

                // Bad entries are refused field by field.
                (status, data, _) = try await call.run(.post, "/api/v1/invoices", ta, json: """
                    {"clientId":"\(clientID)","lines":[{"description":"","quantity":"1","unitPrice":"10","vatCategory":"S"},{"description":"x","quantity":"2","unitPrice":"5","vatCategory":"Q"}]}
                    """)
                #expect(status == .unprocessableContent)
                let fields = Set(((call.object(data)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                #expect(fields == ["lines[0].description", "lines[0].vatRate", "lines[1].vatCategory"], "\(fields)")

                // Three lines, two VAT rates.
                (status, data, _) = try await call.run(.post, "/api/v1/invoices", ta, json: """
                    {"clientId":"\(clientID)","operationCategory":"mixed","issueDate":"2026-11-20","dueDate":"2026-12-20","lines":[
                      {"description":"Conseil (jours)","quantity":"3","unit":"DAY","unitPrice":"650.00","vatCategory":"S","vatRate":"20"},
                      {"description":"Livres techniques","quantity":"4","unitPrice":"32.50","vatCategory":"S","vatRate":"5.5","discountPercent":"10"},
                      {"description":"Déplacement","quantity":1,"unitPrice":120.4,"vatCategory":"S","vatRate":20}]}
                    """)
                #expect(status == .created, "\(String(decoding: data, as: UTF8.self))")
                let draft = call.object(data)
                let id = draft["id"] as? String ?? ""
                #expect(draft["state"] as? String == "draft")
                #expect(draft["number"] == nil || draft["number"] is NSNull)
                let totals = draft["totals"] as? [String: Any]
                // 1950 + 2070.40 at 20 % = 414.08 ; 117.00 (130 − 10 %) at 5.5 % = 6.44 (6.435 rounded half up)
                #expect(totals?["withoutVAT"] as? String == "2187.4")
                #expect(totals?["vat"] as? String == "420.52")
                #expect(totals?["withVAT"] as? String == "2607.92")

                // Before issue, B sees nothing; C never does.
                (status, _, _) = try await call.run(.get, "/api/v1/invoices/\(id)", tb)
                #expect(status == .notFound)

                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/issue", ta)
                #expect(status == .ok, "\(String(decoding: data, as: UTF8.self))")
                let issued = call.object(data)
                #expect(issued["number"] as? String == "F2026-000001")
                #expect((issued["status"] as? [String: Any])?["code"] as? Int == 203)
                #expect(issued["onNetwork"] as? Bool == true)

                // Frozen: no edit, no delete.
                (status, _, _) = try await call.run(.delete, "/api/v1/invoices/\(id)", ta)
                #expect(status == .conflict)

                // B's inbox has it, with the same PDF and XML.
                (status, data, _) = try await call.run(.get, "/api/v1/invoices?direction=received", tb)
                let received = (call.object(data)["items"] as? [[String: Any]]) ?? []
                #expect(received.map { $0["id"] as? String } == [id])
                #expect(received.first?["direction"] as? String == "received")
                var pdfs: [Data] = []
                for token in [ta, tb] {
                    let (s, pdf, h) = try await call.run(.get, "/api/v1/invoices/\(id)/pdf", token)
                    #expect(s == .ok)
                    #expect(h[.contentType] == "application/pdf")
                    #expect(pdf.starts(with: Array("%PDF-".utf8)))
                    pdfs.append(pdf)
                    let (sx, xml, _) = try await call.run(.get, "/api/v1/invoices/\(id)/xml", token)
                    #expect(sx == .ok)
                    #expect(String(decoding: xml, as: UTF8.self).contains("F2026-000001"))
                }
                #expect(pdfs[0] == pdfs[1])
                // The reference checker accepts the issued Factur-X: PDF/A-3 markers, container, and every
                // rule (EN 16931, Factur-X profile, French CTC) on the embedded XML.
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-issued-\(UUID().uuidString).pdf")
                try pdfs[0].write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/oracle/check_pdf.py").standardized.path
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = ["python3", checker, "--fr-ctc", file.path]
                let out = Pipe()
                p.standardOutput = out
                p.standardError = out
                try p.run()
                let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                #expect(p.terminationStatus == 0 && report.contains("1 passed, 0 failed"), "check_pdf.py --fr-ctc: \(report)")
                for path in ["", "/pdf", "/xml", "/history"] {
                    (status, _, _) = try await call.run(.get, "/api/v1/invoices/\(id)\(path)", tc)
                    #expect(status == .notFound, "C must not see \(path)")
                }
                (status, _, _) = try await call.run(.post, "/api/v1/invoices/\(id)/status", tc, json: #"{"code":205}"#)
                #expect(status == .notFound)

                // The issuer cannot approve its own invoice; a refusal needs a reason.
                (status, _, _) = try await call.run(.post, "/api/v1/invoices/\(id)/status", ta, json: #"{"code":205}"#)
                #expect(status == .conflict)
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/status", tb, json: #"{"code":210}"#)
                #expect(status == .conflict)
                #expect(String(decoding: data, as: UTF8.self).contains("requires a reason"))

                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/status", tb, json: #"{"code":205}"#)
                #expect(status == .ok)
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/status", tb, json: #"{"code":211}"#)
                #expect(status == .ok)
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/payments", tb, json: #"{"amount":"100"}"#)
                #expect(status == .conflict, "only the issuer records payments")
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/payments", ta, json: #"{"amount":"1000"}"#)
                #expect(status == .ok)
                #expect((call.object(data)["status"] as? [String: Any])?["code"] as? Int == 211, "partial payment keeps the status")
                #expect((call.object(data)["totals"] as? [String: Any])?["outstanding"] as? String == "1607.92")
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/payments", ta, json: #"{"amount":"1607.93"}"#)
                #expect(status == .unprocessableContent, "more than outstanding")
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/payments", ta, json: #"{"amount":"1607.92"}"#)
                #expect((call.object(data)["status"] as? [String: Any])?["code"] as? Int == 212)

                (status, data, _) = try await call.run(.get, "/api/v1/invoices/\(id)/history", tb)
                let codes = ((call.object(data)["items"] as? [[String: Any]]) ?? []).compactMap { $0["statusCode"] as? Int }
                #expect(codes == [200, 201, 202, 203, 205, 211, 211, 212], "\(codes)")

                // A credit note for line 2 only, referencing the invoice, numbered in the same sequence.
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(id)/credit-note", ta, json: #"{"lines":[{"line":2,"quantity":"1"}]}"#)
                #expect(status == .created, "\(String(decoding: data, as: UTF8.self))")
                let credit = call.object(data)
                #expect(credit["typeCode"] as? String == "381")
                #expect((credit["totals"] as? [String: Any])?["withoutVAT"] as? String == "29.25")
                let creditID = credit["id"] as? String ?? ""
                (status, data, _) = try await call.run(.post, "/api/v1/invoices/\(creditID)/issue", ta)
                #expect(status == .ok, "\(String(decoding: data, as: UTF8.self))")
                #expect(call.object(data)["number"] as? String == "F2026-000002")
                let creditTotal = ((call.object(data)["totals"] as? [String: Any])?["withVAT"] as? String).flatMap { Decimal(string: $0) }

                // The dashboard's sums (PostgreSQL sums integers as NUMERIC: this once failed there):
                // the collected invoice is closed, the credit note is still open.
                let summary = try await Dashboard.summary(db, companyID: a.id, today: LocalDate(year: 2026, month: 11, day: 25)!)
                #expect(summary.collected == 1)
                #expect(summary.outstandingCount == 1)
                #expect(summary.outstanding == creditTotal)

                // Unauthenticated: 401.
                let (s401, _, _) = try await client.execute(uri: "/api/v1/invoices", method: .get, headers: [:], body: nil) { ($0.status, 0, 0) }
                #expect(s401 == .unauthorized)
            }
            let (entries, breaks) = try await AuditLog.verify(db.sql)
            #expect(entries > 10)
            #expect(breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
