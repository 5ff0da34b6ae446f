import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import Platform

/// A `multipart/form-data` body as a browser sends it.
func multipartBody(boundary: String, fields: [String: String] = [:], file: (name: String, filename: String, type: String, data: Data)?) -> ByteBuffer {
    var body = Data()
    for (k, v) in fields {
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
    }
    if let f = file {
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\"; filename=\"\(f.filename)\"\r\nContent-Type: \(f.type)\r\n\r\n".utf8)
        body += f.data + Data("\r\n".utf8)
    }
    body += Data("--\(boundary)--\r\n".utf8)
    return ByteBuffer(bytes: body)
}

extension TestBrowser {
    mutating func upload(_ client: some TestClientProtocol, _ uri: String, fields: [String: String] = [:],
                         file: (name: String, filename: String, type: String, data: Data)?) async throws -> TestResponse {
        var headers = cookieHeader
        headers[.contentType] = "multipart/form-data; boundary=XyZfacteur42"
        let sep = uri.contains("?") ? "&" : "?"
        let response = try await client.execute(uri: uri + sep + "_csrf=\(csrf)", method: .post, headers: headers,
                                                body: multipartBody(boundary: "XyZfacteur42", fields: fields, file: file))
        absorb(response)
        return response
    }

    mutating func login(_ client: some TestClientProtocol, _ email: String, _ password: String) async throws {
        try await get(client, "/connexion")
        let r = try await post(client, "/connexion", ["email": email, "password": password])
        #expect(r.status == .seeOther && r.headers[.location] == "/tableau-de-bord", "login of \(email)")
    }
}

@Suite(.serialized) struct CompanyPagesTests {
    @Test(arguments: Engines.all)
    func managerEditsSettingsBankAccountsAndLogo(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.login(client, "alice@example.fr", CompanyAndAPITests.alice.password)
                var r = try await b.get(client, "/societe")
                #expect(r.status == .ok)
                #expect(b.lastBody.contains("FR11123456782"), "the VAT number computed from the SIREN is shown")
                #expect(b.lastBody.contains("<label for=\"shareCapital\">"), "labels are bound to their inputs")
                #expect(!b.lastBody.contains("<fieldset disabled>"), "a manager edits")

                // Every problem at once, beside its field, with a summary linking to it.
                r = try await b.post(client, "/societe", ["name": "", "shareCapital": "beaucoup", "countryCode": "FR", "postCode": "123",
                                                         "invoicePrefix": "F", "paymentTermsDays": "90", "timeZone": "Europe/Paris",
                                                         "recoveryIndemnityText": "40 €", "earlyPaymentDiscount": "Aucun"])
                #expect(r.status == .unprocessableContent)
                for field in ["name", "shareCapital", "postCode", "paymentTermsDays"] {
                    #expect(b.lastBody.contains("id=\"\(field)-error\"") && b.lastBody.contains("href=\"#\(field)\""), "\(field) error shown and linked")
                }
                #expect(b.lastBody.contains("plafond légal"))
                #expect(b.lastBody.contains("value=\"beaucoup\""), "what was typed is kept")

                r = try await b.post(client, "/societe", ["name": "Dupont & Fils", "legalForm": "SARL", "shareCapital": "7 500,50", "rcs": "RCS Lyon 123 456 782",
                                                         "addressLine1": "1 rue de la Paix", "postCode": "69001", "city": "Lyon", "countryCode": "FR",
                                                         "invoicePrefix": "DF-", "paymentTermsDays": "45", "latePenaltyRate": "12,15", "timeZone": "Europe/Paris",
                                                         "recoveryIndemnityText": CompanySettings.defaultRecoveryIndemnity, "earlyPaymentDiscount": "Aucun escompte."])
                #expect(r.status == .seeOther && r.headers[.location] == "/societe")
                let saved = try await CompanyProfiles.get(f.db, companyID: a.id).settings
                #expect(saved.shareCapital == "7500.5" && saved.latePenaltyRate == "12.15" && saved.paymentTermsDays == 45 && saved.invoicePrefix == "DF-")
                try await b.get(client, "/societe")
                #expect(b.lastBody.contains("sont enregistrées"), "flash message")
                #expect(b.lastBody.contains("value=\"7500,5\""), "decimals shown the French way")
                #expect(b.lastBody.contains("DF-20"), "the next invoice number is previewed")

                // Bank accounts.
                r = try await b.post(client, "/societe/comptes", ["label": "Courant", "iban": "FR76 3000 6000 0112 3456 7890 188", "bic": "BNPAFRPP"])
                #expect(r.status == .unprocessableContent && b.lastBody.contains("id=\"iban-error\""))
                r = try await b.post(client, "/societe/comptes", ["label": "Courant", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "BNPAFRPP"])
                #expect(r.status == .seeOther)
                r = try await b.post(client, "/societe/comptes", ["label": "Épargne", "iban": "DE89 3704 0044 0532 0130 00"])
                try await b.get(client, "/societe")
                #expect(b.lastBody.contains("FR76 3000 6000 0112 3456 7890 189"), "IBAN shown in groups of four")
                let accounts = try await CompanyProfiles.bankAccounts(f.db, companyID: a.id)
                #expect(accounts.map(\.isDefault) == [true, false])
                r = try await b.get(client, "/societe/comptes/\(accounts[1].id)")
                #expect(r.status == .ok && b.lastBody.contains("value=\"DE89 3704 0044 0532 0130 00\""))
                r = try await b.post(client, "/societe/comptes/\(accounts[1].id)", ["label": "Livret", "iban": "DE89 3704 0044 0532 0130 01"])
                #expect(r.status == .unprocessableContent && b.lastBody.contains("id=\"iban-error\""))
                r = try await b.post(client, "/societe/comptes/\(accounts[1].id)", ["label": "Livret", "iban": "DE89 3704 0044 0532 0130 00", "bic": "DEUTDEFF"])
                #expect(r.status == .seeOther)
                #expect(try await CompanyProfiles.bankAccount(f.db, companyID: a.id, id: accounts[1].id).label == "Livret")
                r = try await b.post(client, "/societe/comptes/\(accounts[1].id)/defaut", [:])
                #expect(try await CompanyProfiles.bankAccounts(f.db, companyID: a.id).map(\.isDefault) == [false, true])
                r = try await b.post(client, "/societe/comptes/\(accounts[1].id)/supprimer", [:])
                #expect(try await CompanyProfiles.bankAccounts(f.db, companyID: a.id).map(\.id) == [accounts[0].id])

                // Logo upload (multipart; the CSRF token travels in the address).
                try await b.get(client, "/societe")
                let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 100)
                r = try await b.upload(client, "/societe/logo", file: ("logo", "logo.gif", "image/gif", Data("GIF89a....".utf8)))
                #expect(r.status == .unprocessableContent && b.lastBody.contains("PNG ou JPEG"))
                r = try await b.upload(client, "/societe/logo", file: ("logo", "logo.png", "image/png", png))
                #expect(r.status == .seeOther)
                r = try await b.get(client, "/societe/logo")
                #expect(r.status == .ok && r.headers[.contentType] == "image/png" && Data(buffer: r.body) == png)
                try await b.get(client, "/societe")
                #expect(b.lastBody.contains("<img class=\"company-logo\""))
                // Without the CSRF token, nothing is stored.
                var headers = b.cookieHeader
                headers[.contentType] = "multipart/form-data; boundary=B"
                r = try await client.execute(uri: "/societe/logo", method: .post, headers: headers,
                                             body: multipartBody(boundary: "B", file: ("logo", "x.png", "image/png", png + png)))
                #expect(r.status == .forbidden)
                #expect(try await CompanyProfiles.logo(f.db, companyID: a.id)?.data == png)

                // English on request.
                try await b.get(client, "/societe?lang=en")
                #expect(b.lastBody.contains("Bank accounts") && b.lastBody.contains("<html lang=\"en\">"))
            }
            let actions = try await f.db.sql.select().column("action").from("audit_log").where("company_id", .equal, a.id).all(decoding: [String: String].self)
                .compactMap { $0["action"] }
            for action in ["company.update", "bank_account.create", "bank_account.update", "bank_account.delete", "company.logo"] {
                #expect(actions.contains(action), "\(action) audited")
            }
            #expect(try await AuditLog.verify(f.db.sql).breaks.isEmpty)
        }
    }
}
