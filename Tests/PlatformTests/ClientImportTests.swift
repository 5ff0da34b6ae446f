import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

@Suite(.serialized) struct ClientImportTests {
    /// As a French spreadsheet saves it: BOM, `;`, quotes around a name with a `;` and a newline, CRLF.
    static let goodAndBad = "\u{FEFF}Type;Nom;SIRET;TVA;Courriel;Canal;Code service;Code service obligatoire\r\n"
        + "entreprise;\"Dupont; Fils & Cie\";73282932000074;;compta@dupont.example;courriel;;\r\n"
        + "entité publique;Mairie;21759993500012;;;chorus pro;SERV-1;oui\r\n"
        + "particulier;\"M. Martin\nBâtiment B\";;;martin@example.fr;;;\r\n"
        + "entreprise;Sans SIREN;;;x@y.fr;;;\r\n"
        + "fournisseur;Inconnu;;;;;;\r\n"

    @Test func parsesFrenchCSVAndReportsLineByLine() {
        let (clients, errors) = ClientImport.parse(Data(Self.goodAndBad.utf8))
        #expect(clients.map(\.client.name) == ["Dupont; Fils & Cie", "Mairie", "M. Martin\nBâtiment B"])
        #expect(clients.map(\.line) == [2, 3, 4])
        #expect(clients[1].client.serviceCodeRequired && clients[1].client.channel == .chorusPro)
        // Line numbers are the file's: the quoted newline of line 4 pushes the next record to line 6.
        #expect(errors.map(\.line) == [6, 7])
        #expect(errors[0].errors.map(\.field) == ["siren"])
        #expect(errors[1].errors.map(\.field) == ["kind"])
    }

    @Test func headerAndEncodingProblemsAreExplained() {
        #expect(ClientImport.parse(Data("nom,ville\nA,B\n".utf8)).errors.first?.errors.first?.field == "header")
        #expect(ClientImport.parse(Data([0x4E, 0x6F, 0x6D, 0xE9])).errors.first?.errors.first?.code == "encoding")
        #expect(ClientImport.parse(Data()).errors.first?.errors.first?.code == "empty")
    }

    @Test(arguments: Engines.all)
    func allOrNothingOrPartialThroughTheAPI(engine: String) async throws {
        let (db, config, cleanup) = try await Engines.openWithConfiguration(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let token = try await APITokens.create(db, companyID: a.id, name: "a", actor: "test", ip: nil).token
            var appConfig = config
            appConfig.logLevel = .warning
            let app = try await buildApplication(appConfig)
            try await app.test(.router) { client in
                let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "text/csv"]
                try await client.execute(uri: "/api/v1/clients/import", method: .post, headers: headers, body: ByteBuffer(string: Self.goodAndBad)) { r in
                    #expect(r.status == .unprocessableContent)
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                    #expect(json?["imported"] as? Int == 0, "all-or-nothing by default")
                    #expect((json?["errors"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [6, 7])
                }
                #expect(try await Clients.list(db, companyID: a.id).total == 0)
                try await client.execute(uri: "/api/v1/clients/import?mode=partial", method: .post, headers: headers, body: ByteBuffer(string: Self.goodAndBad)) { r in
                    #expect(r.status == .ok)
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                    #expect(json?["imported"] as? Int == 3)
                    #expect(json?["rejected"] as? Int == 2)
                }
                try await client.execute(uri: "/api/v1/clients/import?mode=maybe", method: .post, headers: headers, body: ByteBuffer(string: Self.goodAndBad)) { r in
                    #expect(r.status == .unprocessableContent)
                }
            }
            #expect(try await Clients.list(db, companyID: a.id).total == 3)
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
