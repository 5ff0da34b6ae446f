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
        try await seedInvoices(db, seller: records[0], buyer: records[1])
        var accounts: [Account] = []
        for (record, c) in zip(records, companies) {
            let token = try await APITokens.create(db, companyID: record.id, name: "demo", actor: "demo", ip: nil)
            accounts.append(Account(company: record.name, siret: record.siret, email: c.adminEmail, password: password, apiToken: token.token))
        }
        return accounts
    }

    /// Addresses, a bank account and a few invoices between the two companies, at different stages of
    /// their lives, so that both dashboards, inboxes and timelines have something to show.
    static func seedInvoices(_ db: Database, seller: CompanyRecord, buyer: CompanyRecord) async throws {
        struct N: Decodable { let n: Int }
        let existing = try await db.sql.raw("SELECT count(*) AS n FROM invoices WHERE seller_company_id = \(bind: seller.id)").first(decoding: N.self)?.n ?? 0
        guard existing == 0 else { return }
        for (company, street, post, city) in [(seller, "12 rue des Artisans", "69003", "Lyon"), (buyer, "3 place du Marché", "69001", "Lyon")] {
            var settings = try await CompanyProfiles.get(db, companyID: company.id).settings
            settings.addressLine1 = street
            settings.postCode = post
            settings.city = city
            settings.legalForm = company.id == seller.id ? "SARL" : "SAS"
            settings.shareCapital = "10000"
            _ = try await CompanyProfiles.update(db, companyID: company.id, role: .manager, settings, actor: "demo", ip: nil)
        }
        _ = try await CompanyProfiles.addBankAccount(db, companyID: seller.id, role: .manager,
                                                     BankAccount(label: "Compte courant", iban: "FR7630006000011234567890189", bic: "AGRIFRPP", isDefault: true),
                                                     actor: "demo", ip: nil)
        guard let client = try await Clients.list(db, companyID: seller.id, query: buyer.siren).items.first else { return }
        let producer = FacturXProducer()
        func entry(_ lines: [InvoiceEntry.Line]) -> InvoiceEntry {
            var e = InvoiceEntry(clientId: client.id, lines: lines)
            e.operationCategory = .mixed
            return e
        }
        func d(_ s: String) -> Decimal? { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX")) }
        let one = try await Invoices.createDraft(db, companyID: seller.id, entry([
            .init(description: "Réparation du four à sole", quantity: 1, unitPrice: d("850")!),
            .init(description: "Pièces détachées (résistances)", quantity: 4, unitPrice: d("62.50")!),
        ]), actor: "demo", ip: nil)
        let issuedOne = try await Invoices.issue(db, companyID: seller.id, id: one.id, producer: producer, actor: "demo", ip: nil)
        _ = try await Invoices.changeStatus(db, companyID: buyer.id, id: issuedOne.id, code: 205, reason: nil, actor: "demo", ip: nil)
        let two = try await Invoices.createDraft(db, companyID: seller.id, entry([
            .init(description: "Maintenance trimestrielle", quantity: 1, unitPrice: d("390")!),
            .init(description: "Livre « L'art du pain »", quantity: 2, unitPrice: d("28")!, vatCategory: "S", vatRate: d("5.5")!),
        ]), actor: "demo", ip: nil)
        let issuedTwo = try await Invoices.issue(db, companyID: seller.id, id: two.id, producer: producer, actor: "demo", ip: nil)
        _ = try await Invoices.changeStatus(db, companyID: buyer.id, id: issuedTwo.id, code: 205, reason: nil, actor: "demo", ip: nil)
        _ = try await Invoices.changeStatus(db, companyID: buyer.id, id: issuedTwo.id, code: 211, reason: nil, actor: "demo", ip: nil)
        _ = try await Invoices.changeStatus(db, companyID: seller.id, id: issuedTwo.id, code: 212, reason: nil, actor: "demo", ip: nil)
        let three = try await Invoices.createDraft(db, companyID: seller.id, entry([
            .init(description: "Remplacement du pétrin", quantity: 1, unitPrice: d("2400")!),
        ]), actor: "demo", ip: nil)
        _ = try await Invoices.issue(db, companyID: seller.id, id: three.id, producer: producer, actor: "demo", ip: nil)
        _ = try await Invoices.createDraft(db, companyID: seller.id, entry([
            .init(description: "Devis : vitrine réfrigérée", quantity: 1, unitPrice: d("1750")!),
        ]), actor: "demo", ip: nil)
    }
}
