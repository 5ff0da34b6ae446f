import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import Platform

@Suite(.serialized) struct ClientsPagesTests {
    @Test(arguments: Engines.all)
    func listSearchAddEditArchiveAndImport(engine: String) async throws {
        let f = try await WebFixture.make(engine)
        try await f.run { f in
            let (a, _) = try await Companies.create(f.db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            for i in 1...30 {
                _ = try await Clients.create(f.db, companyID: a.id, Client(kind: .business, name: String(format: "Client %02d", i), siren: "732829320",
                                                                           emails: ["c\(i)@x.fr"]), actor: "test", ip: nil)
            }
            try await f.app.test(.router) { client in
                var b = TestBrowser()
                try await b.login(client, "alice@example.fr", CompanyAndAPITests.alice.password)
                var r = try await b.get(client, "/clients")
                #expect(r.status == .ok && b.lastBody.contains("Client 01") && b.lastBody.contains("Client 25") && !b.lastBody.contains("Client 26"))
                #expect(b.lastBody.contains("30 clients — page 1 sur 2") && b.lastBody.contains("page=2"))
                try await b.get(client, "/clients?page=2")
                #expect(b.lastBody.contains("Client 26") && !b.lastBody.contains("Client 01"))
                try await b.get(client, "/clients?q=client%2007")
                #expect(b.lastBody.contains("Client 07") && !b.lastBody.contains("Client 08"))

                // Add: a public body whose SIRET and service code are required.
                try await b.get(client, "/clients/nouveau")
                r = try await b.post(client, "/clients/nouveau", ["kind": "public_body", "name": "Mairie de Lyon", "channel": "chorus_pro",
                                                                  "serviceCodeRequired": "on", "countryCode": "FR"])
                #expect(r.status == .unprocessableContent)
                #expect(b.lastBody.contains("id=\"siret-error\"") && b.lastBody.contains("id=\"serviceCode-error\""))
                r = try await b.post(client, "/clients/nouveau", ["kind": "public_body", "name": "Mairie de Lyon", "channel": "chorus_pro", "siret": "21690123100011",
                                                                  "serviceCode": "SERV-1", "serviceCodeRequired": "on", "engagementRequired": "on", "countryCode": "FR"])
                #expect(r.status == .seeOther)
                let location = try #require(r.headers[.location])
                let id = String(location.split(separator: "/").last!)
                let created = try await Clients.get(f.db, companyID: a.id, id: id)
                #expect(created.kind == .publicBody && created.serviceCodeRequired && created.engagementRequired && created.siren == "216901231")
                // Edit: an individual by paper needs an address.
                r = try await b.post(client, location, ["kind": "individual", "name": "M. Martin", "channel": "paper", "countryCode": "FR"])
                #expect(r.status == .unprocessableContent && b.lastBody.contains("id=\"addressLine1-error\""))
                r = try await b.post(client, location, ["kind": "individual", "name": "M. Martin", "channel": "paper", "addressLine1": "3 rue Neuve",
                                                        "postCode": "69002", "city": "Lyon", "countryCode": "FR"])
                #expect(r.status == .seeOther)
                let edited = try await Clients.get(f.db, companyID: a.id, id: id)
                #expect(edited.kind == .individual && edited.siren == nil && edited.siret == nil && edited.serviceCode == nil, "emptied fields are cleared")
                r = try await b.post(client, location + "/archiver", [:])
                #expect(r.headers[.location] == "/clients")
                #expect(try await Clients.get(f.db, companyID: a.id, id: id).archived)
                try await b.get(client, "/clients?q=Martin")
                #expect(!b.lastBody.contains("M. Martin"))
                try await b.get(client, "/clients?q=Martin&archives=on")
                #expect(b.lastBody.contains("M. Martin") && b.lastBody.contains("archivé"))

                // Import: with errors in all-or-nothing mode nothing is imported, and the page says so.
                let csv = "type;nom;siren;courriel\nentreprise;Import Un;732829320;un@x.fr\nentreprise;;123;deux@x\nparticulier;Import Trois;;trois@x.fr\n"
                try await b.get(client, "/clients/import")
                r = try await b.upload(client, "/clients/import", fields: ["mode": "all"], file: ("file", "clients.csv", "text/csv", Data(csv.utf8)))
                #expect(r.status == .unprocessableContent)
                #expect(b.lastBody.contains("PAS été importé"))
                #expect(b.lastBody.contains("<td>3</td>"), "the line in error is named")
                #expect(try await Clients.list(f.db, companyID: a.id, query: "Import").total == 0)
                r = try await b.upload(client, "/clients/import", fields: ["mode": "partial"], file: ("file", "clients.csv", "text/csv", Data(csv.utf8)))
                #expect(r.status == .ok && b.lastBody.contains("Import partiel : 2 clients importés, 1 ligne rejetée"))
                #expect(try await Clients.list(f.db, companyID: a.id, query: "Import").total == 2)
            }
        }
    }
}
