import Foundation
import SQLKit

/// A ready-to-try installation: two companies that are each other's clients, a public body,
/// their managers and API tokens. The identifiers are fictitious (valid check digits, no real company).
public enum DemoData {
    public struct Account: Sendable {
        public var company: String
        public var siret: String
        public var email: String
        public var password: String
        public var apiToken: String
    }

    public static let password = "facteur-demo-2026"

    /// Seeds once; later runs find the companies and only issue fresh API tokens to print.
    public static func seed(_ db: Database) async throws -> [Account] {
        let companies = [
            Companies.NewCompany(siret: "84215730700013", name: "Atelier Dupont SARL", adminEmail: "alice@atelier-dupont.example",
                                 adminName: "Alice Dupont", password: password),
            Companies.NewCompany(siret: "90531862200016", name: "Boulangerie Martin SAS", adminEmail: "bruno@boulangerie-martin.example",
                                 adminName: "Bruno Martin", password: password),
        ]
        var records: [CompanyRecord] = []
        for c in companies {
            if let existing = try await Companies.find(db, siret: c.siret) {
                records.append(existing)
            } else {
                records.append(try await Companies.create(db, c, actor: "demo", ip: nil).0)
            }
        }
        let existingClients = try await Clients.list(db, companyID: records[0].id).total
        if existingClients == 0 {
            // Each company is the other's client: invoices between them stay on the Facteur network.
            for (owner, other, email) in [(records[0], records[1], "compta@boulangerie-martin.example"), (records[1], records[0], "compta@atelier-dupont.example")] {
                _ = try await Clients.create(db, companyID: owner.id,
                                             Client(kind: .business, name: other.name, siret: other.siret, vatNumber: other.vatNumber, emails: [email],
                                                    channel: .network, addressLine1: "1 rue de l'Exemple", postCode: "69001", city: "Lyon"),
                                             actor: "demo", ip: nil)
            }
            _ = try await Clients.create(db, companyID: records[0].id,
                                         Client(kind: .publicBody, name: "Commune de Facteurville", siret: "21759993500012", serviceCode: "SERVICE-TECHNIQUE",
                                                serviceCodeRequired: true, engagementRequired: true, channel: .chorusPro,
                                                addressLine1: "Place de la Mairie", postCode: "75999", city: "Facteurville"),
                                         actor: "demo", ip: nil)
        }
        var accounts: [Account] = []
        for (record, c) in zip(records, companies) {
            let token = try await APITokens.create(db, companyID: record.id, name: "demo", actor: "demo", ip: nil)
            accounts.append(Account(company: record.name, siret: record.siret, email: c.adminEmail, password: password, apiToken: token.token))
        }
        return accounts
    }
}
