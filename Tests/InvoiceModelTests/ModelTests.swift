import Foundation
import Testing
@testable import InvoiceModel

@Suite("Model")
struct ModelTests {
    @Test func creditNoteCodes() {
        #expect(Invoice(typeCode: "381").isCreditNote)
        #expect(Invoice(typeCode: "261").isCreditNote)
        #expect(Invoice(typeCode: "396").isCreditNote)
        // 532 has no enum case but is still a credit note code of UNTDID 1001.
        #expect(Invoice(typeCode: "532").isCreditNote)
        #expect(Invoice(typeCode: "532").knownTypeCode == nil)
        #expect(!Invoice(typeCode: "380").isCreditNote)
        #expect(!Invoice(typeCode: "384").isCreditNote)
        #expect(!Invoice(typeCode: "386").isCreditNote)
        #expect(!Invoice(typeCode: "389").isCreditNote)
        #expect(!Invoice(typeCode: "").isCreditNote)
        #expect(Invoice(typeCode: "389").knownTypeCode == .selfBilledInvoice)
        #expect(InvoiceTypeCode.selfBilledInvoice.isSelfBilled)
        #expect(!InvoiceTypeCode.commercialInvoice.isSelfBilled)
        #expect(InvoiceTypeCode.allCases.filter(\.isCreditNote).allSatisfy { InvoiceTypeCode.creditNoteCodes.contains($0.rawValue) })
    }

    @Test func vatCategories() {
        #expect(VATCategory.allCases.map(\.rawValue) == ["S", "Z", "E", "AE", "K", "G", "O", "L", "M"])
        #expect(Set(VATCategory.allCases.filter(\.chargesNoVAT)) == [.exempt, .reverseCharge, .intraCommunity, .export, .outsideScope])
        #expect(VATBreakdown(categoryCode: "AE").category == .reverseCharge)
        // Unknown codes stay representable: the raw string is kept, the typed view is nil.
        let odd = VATBreakdown(categoryCode: "XX", rate: 7)
        #expect(odd.category == nil)
        #expect(odd.categoryCode == "XX")
        #expect(LineVATInformation(categoryCode: "B").category == nil)
    }

    @Test func allowancesAndChargesKeepDocumentOrder() {
        let invoice = Invoice(allowanceCharges: [
            .charge(amount: 10, vatCategoryCode: "S", vatRate: 20, reason: "Transport"),
            .allowance(amount: 5, vatCategoryCode: "S", vatRate: 20, reason: "Remise"),
            .charge(amount: 2, vatCategoryCode: "S", vatRate: 20, reason: "Emballage"),
        ])
        #expect(invoice.allowances.map(\.reason) == ["Remise"])
        #expect(invoice.charges.map(\.reason) == ["Transport", "Emballage"])
        #expect(invoice.allowanceCharges.map(\.isCharge) == [true, false, true])
    }

    @Test func fullInvoiceSurvivesJSON() throws {
        let pdf = Data([0x25, 0x50, 0x44, 0x46, 0x2D, 0x00, 0xFF])
        let invoice = Invoice(
            invoiceNumber: "FA-2024-0042", issueDate: date("2024-03-15"), typeCode: "380",
            currencyCode: "EUR", vatAccountingCurrencyCode: "USD", vatPointDateCode: "5",
            paymentDueDate: date("2024-04-14"), buyerReference: "SERVICE-ACHATS",
            purchaseOrderReference: "PO-778", invoicedObjectIdentifier: Identifier("OBJ-1", scheme: "AAA"),
            paymentTerms: "30 jours fin de mois",
            notes: [Note("Pénalités de retard : 3 fois le taux d'intérêt légal", subjectCode: "PMD")],
            processControl: ProcessControl(businessProcessType: "S1"),
            precedingInvoices: [PrecedingInvoiceReference(reference: "FA-2024-0001", issueDate: date("2024-01-10"))],
            seller: Seller(name: "Atelier Dupont SARL", tradingName: "Dupont & Fils",
                           identifiers: [Identifier("12345678900017", scheme: "0009"), Identifier("INTERNAL-7")],
                           legalRegistrationIdentifier: Identifier("123456789", scheme: "0002"),
                           vatIdentifier: "FR32123456789", additionalLegalInformation: "SARL au capital de 10 000 €",
                           electronicAddress: Identifier("123456789", scheme: "0225"),
                           postalAddress: PostalAddress(line1: "12 rue des Lilas", city: "Lyon", postCode: "69003",
                                                        countryCode: "FR"),
                           contact: Contact(name: "Service facturation", email: "factures@dupont.example")),
            buyer: Buyer(name: "Mairie de Villeurbanne", identifier: Identifier("SERVICE-42", scheme: "0240"),
                         legalRegistrationIdentifier: Identifier("216902647", scheme: "0002"),
                         postalAddress: PostalAddress(city: "Villeurbanne", countryCode: "FR")),
            payee: Payee(name: "Factor SA", identifier: Identifier("FR-FACTOR")),
            sellerTaxRepresentative: SellerTaxRepresentative(name: "Rep", vatIdentifier: "FR00999999999",
                                                             postalAddress: PostalAddress(countryCode: "FR")),
            delivery: DeliveryInformation(partyName: "Entrepôt", actualDeliveryDate: date("2024-03-10"),
                                          address: PostalAddress(line3: "Quai 4", countryCode: "FR")),
            invoicingPeriod: Period(startDate: date("2024-03-01"), endDate: date("2024-03-31")),
            paymentInstructions: PaymentInstructions(
                meansTypeCode: "58", remittanceInformation: "FA-2024-0042",
                creditTransfers: [CreditTransfer(accountIdentifier: "FR7630006000011234567890189",
                                                 serviceProviderIdentifier: "AGRIFRPP")],
                directDebit: DirectDebit(mandateReference: "MANDAT-1", creditorIdentifier: "FR12ZZZ123456")),
            allowanceCharges: [.allowance(amount: dec("6.71"), baseAmount: dec("134.20"), percentage: 5,
                                          vatCategoryCode: "S", vatRate: dec("5.5"), reasonCode: "95")],
            totals: DocumentTotals(sumOfLineNetAmounts: dec("1039.20"), paidAmount: 200),
            vatBreakdown: [VATBreakdown(taxableAmount: 500, categoryCode: "E", rate: 0,
                                        exemptionReason: "Exonération", exemptionReasonCode: "VATEX-EU-132")],
            supportingDocuments: [SupportingDocument(reference: "BL-1", description: "Bon de livraison",
                                                     attachment: BinaryObject(data: pdf, mimeCode: "application/pdf",
                                                                              filename: "bl.pdf"))],
            lines: [InvoiceLine(identifier: "1", note: "Note", objectIdentifier: Identifier("X", scheme: "ABZ"),
                                quantity: dec("2.5"), unitCode: "KGM", netAmount: 46, orderLineReference: "3",
                                period: Period(startDate: date("2024-03-01")),
                                allowanceCharges: [.allowance(amount: 1, reason: "Promo")],
                                price: PriceDetails(netPrice: dec("18.40"), discount: dec("1.60"),
                                                    grossPrice: 20, baseQuantity: 1, baseQuantityUnitCode: "KGM"),
                                vat: LineVATInformation(.standard, rate: dec("5.5")),
                                item: Item(name: "Café", sellerIdentifier: "CAF-01",
                                           standardIdentifier: Identifier("3012345678901", scheme: "0160"),
                                           classificationIdentifiers: [ClassificationIdentifier("09012100", scheme: "HS",
                                                                                                schemeVersion: "2022")],
                                           countryOfOrigin: "CO",
                                           attributes: [ItemAttribute(name: "Torréfaction", value: "Moyenne")]))])

        let data = try JSONEncoder().encode(invoice)
        let back = try JSONDecoder().decode(Invoice.self, from: data)
        #expect(back == invoice)
        #expect(back.supportingDocuments.first?.attachment?.data == pdf)
        #expect(back.lines.first?.item.classificationIdentifiers.first?.schemeVersion == "2022")
        // Dates are stored as ISO text, not as seconds since an epoch in some time zone.
        #expect(String(decoding: data, as: UTF8.self).contains(#""issueDate":"2024-03-15""#))
    }

    @Test func defaultsDescribeAnEmptyEuroInvoice() {
        let invoice = Invoice()
        #expect(invoice.typeCode == "380")
        #expect(invoice.currencyCode == "EUR")
        #expect(invoice.processControl.specificationIdentifier == "urn:cen.eu:en16931:2017")
        #expect(invoice.issueDate == nil)
        #expect(invoice.lines.isEmpty && invoice.vatBreakdown.isEmpty)
        #expect(InvoiceLine().unitCode == "C62")
    }
}
