import Foundation
import InvoiceModel

/// Demonstration invoices for reference renderings, tests and the benchmark: a French SAS billing a
/// French client, every amount computed by `InvoiceCalculator` so that the invoice is consistent.
public enum RenderSamples {
    static let items: [(String, String?, Decimal, String, Decimal, Decimal)] = [
        ("Développement d'une application de facturation électronique", "Sprint de deux semaines, équipe de trois personnes, revue de code et recette incluses", 10, "DAY", Decimal(string: "650")!, 20),
        ("Hébergement mensuel", nil, 1, "MON", Decimal(string: "89.90")!, 20),
        ("Formation « Factur-X et réforme 2026 »", "Session d'une journée pour huit participants", 1, "DAY", Decimal(string: "1200")!, 20),
        ("Livres techniques", nil, 3, "C62", Decimal(string: "42.50")!, Decimal(string: "5.5")!),
        ("Câbles réseau Cat. 6 — 3 m", nil, 25, "C62", Decimal(string: "4.35")!, 20),
        ("Maintenance corrective", "Intervention sur site, déplacement compris", Decimal(string: "3.5")!, "HUR", Decimal(string: "95")!, 20),
        ("Licence logicielle annuelle", nil, 5, "C62", Decimal(string: "199")!, 20),
        ("Audit de conformité EN 16931", nil, 1, "LS", Decimal(string: "2400")!, 20),
        ("Papier recyclé A4 — ramette de 500 feuilles", nil, 12, "C62", Decimal(string: "5.1234")!, 20),
        ("Frais de port", nil, 1, "C62", Decimal(string: "15")!, 20),
    ]

    /// A standard-rated French B2B invoice with `lines` lines (cycling through ten kinds of goods and
    /// services), numbered `number`.
    public static func invoice(lines count: Int = 10, number: String = "FA-2026-00042") -> Invoice {
        var inv = Invoice(invoiceNumber: number, issueDate: LocalDate(year: 2026, month: 11, day: 25), typeCode: "380",
                          currencyCode: "EUR")
        inv.paymentDueDate = LocalDate(year: 2026, month: 12, day: 25)
        inv.vatPointDateCode = "5"
        inv.buyerReference = "SERVICE-COMPTA"
        inv.purchaseOrderReference = "EJ-2026-000731"
        inv.contractReference = "CTR-2025-17"
        inv.paymentTerms = "Paiement à 30 jours date de facture."
        inv.processControl = ProcessControl(businessProcessType: "M1")
        inv.notes = [
            Note("Pénalités de retard : trois fois le taux d'intérêt légal.", subjectCode: "PMD"),
            Note("Indemnité forfaitaire pour frais de recouvrement : 40 €.", subjectCode: "PMT"),
            Note("Escompte pour paiement anticipé : néant.", subjectCode: "AAB"),
            Note("Merci de votre confiance ; pour toute question, écrivez à compta@exemple-editeur.fr.", subjectCode: "AAI"),
        ]
        inv.seller = Seller(
            name: "Éditions Numériques Lumière SAS", tradingName: "Lumière Logiciels",
            identifiers: [Identifier("73282932000074", scheme: "0009")],
            legalRegistrationIdentifier: Identifier("732829320", scheme: "0002"), vatIdentifier: "FR44732829320",
            additionalLegalInformation: "SAS au capital de 50 000 € — RCS Lyon 732 829 320",
            electronicAddress: Identifier("732829320", scheme: "0225"),
            postalAddress: PostalAddress(line1: "12 rue de la République", line2: "Bâtiment B", city: "Lyon", postCode: "69002",
                                         countryCode: "FR"),
            contact: Contact(name: "Service facturation", telephone: "04 72 00 00 00", email: "compta@exemple-editeur.fr"))
        inv.buyer = Buyer(
            name: "Coopérative Agricole du Val de Loire", identifier: Identifier("35600000000048", scheme: "0009"),
            legalRegistrationIdentifier: Identifier("356000000", scheme: "0002"), vatIdentifier: "FR39356000000",
            electronicAddress: Identifier("356000000", scheme: "0225"),
            postalAddress: PostalAddress(line1: "3 chemin des Vignes", city: "Saumur", postCode: "49400", countryCode: "FR"),
            contact: Contact(name: "Mme Hélène Moreau", email: "h.moreau@exemple-coop.fr"))
        inv.delivery = DeliveryInformation(partyName: "Entrepôt de Doué", actualDeliveryDate: LocalDate(year: 2026, month: 11, day: 20),
                                           address: PostalAddress(line1: "ZA des Perrières", city: "Doué-en-Anjou", postCode: "49700",
                                                                  countryCode: "FR"))
        inv.paymentInstructions = PaymentInstructions(
            meansTypeCode: "58", remittanceInformation: number,
            creditTransfers: [CreditTransfer(accountIdentifier: "FR7630006000011234567890189", accountName: "Éditions Numériques Lumière",
                                             serviceProviderIdentifier: "AGRIFRPPXXX")])
        for i in 0..<count {
            let (name, desc, qty, unit, price, rate) = items[i % items.count]
            var line = InvoiceLine(identifier: String(i + 1), quantity: qty, unitCode: unit,
                                   price: PriceDetails(netPrice: price), vat: LineVATInformation(.standard, rate: rate),
                                   item: Item(name: count > items.count ? "\(name) (\(i + 1))" : name, description: desc))
            if i % items.count == 2 {
                line.allowanceCharges = [.allowance(amount: 120, reason: "Remise fidélité", reasonCode: "95")]
            }
            inv.lines.append(line)
        }
        inv.allowanceCharges = [.allowance(amount: 50, vatCategoryCode: "S", vatRate: 20, reason: "Geste commercial", reasonCode: "95")]
        inv.totals.paidAmount = 500
        return InvoiceCalculator().calculate(inv)
    }
}
