import FacteurXML
import Foundation
import InvoiceModel
import InvoiceValidation
import Testing
@testable import InvoiceFormats

/// Precise mappings of the UBL binding, checked on the written XML (element, place, attributes), on the
/// XSD (element order), and by reading back.
@Suite struct UBLMappingTests {
    static let validator = try! Validator()

    static func d(_ s: String) -> Decimal { Decimal(plain: s)! }
    static func date(_ s: String) -> LocalDate { LocalDate(iso: s)! }

    /// A small but complete invoice: 2 lines at 20 %, one document allowance and one charge.
    static func sample(typeCode: String = "380") -> Invoice {
        var inv = Invoice(invoiceNumber: "F-2026-001", issueDate: date("2026-03-15"), typeCode: typeCode, currencyCode: "EUR")
        inv.paymentDueDate = date("2026-04-14")
        inv.buyerReference = "SERVICE-42"
        inv.seller = Seller(name: "Atelier Dupont SARL", identifiers: [Identifier("12345678900017", scheme: "0009")],
                            legalRegistrationIdentifier: Identifier("123456789", scheme: "0002"), vatIdentifier: "FR32123456789",
                            electronicAddress: Identifier("123456789", scheme: "0225"),
                            postalAddress: PostalAddress(line1: "1 rue de la Paix", city: "Paris", postCode: "75002", countryCode: "FR"))
        inv.buyer = Buyer(name: "Client SA", electronicAddress: Identifier("987654321", scheme: "0225"),
                          postalAddress: PostalAddress(city: "Lyon", postCode: "69001", countryCode: "FR"))
        inv.lines = [
            InvoiceLine(identifier: "1", quantity: 2, unitCode: "C62", netAmount: 200, price: PriceDetails(netPrice: 100),
                        vat: LineVATInformation(.standard, rate: 20), item: Item(name: "Chaise")),
            InvoiceLine(identifier: "2", quantity: d("1.5"), unitCode: "HUR", netAmount: 90, price: PriceDetails(netPrice: 60),
                        vat: LineVATInformation(.standard, rate: 20), item: Item(name: "Pose")),
        ]
        inv.allowanceCharges = [
            .allowance(amount: 29, baseAmount: 290, percentage: 10, vatCategoryCode: "S", vatRate: 20, reason: "Remise fidélité", reasonCode: "95"),
            .charge(amount: 10, vatCategoryCode: "S", vatRate: 20, reason: "Livraison", reasonCode: "DL"),
        ]
        inv.vatBreakdown = [VATBreakdown(taxableAmount: 271, taxAmount: d("54.20"), categoryCode: "S", rate: 20)]
        inv.totals = DocumentTotals(sumOfLineNetAmounts: 290, sumOfAllowances: 29, sumOfCharges: 10, totalWithoutVAT: 271,
                                    totalVAT: d("54.20"), totalWithVAT: d("325.20"), amountDueForPayment: d("325.20"))
        inv.paymentInstructions = PaymentInstructions(meansTypeCode: "58", remittanceInformation: "F-2026-001",
                                                      creditTransfers: [CreditTransfer(accountIdentifier: "FR7630006000011234567890189")])
        return inv
    }

    func root(_ data: Data) throws -> XMLElement { try XMLParser.parse(data).root }
    func cac(_ e: XMLElement?, _ names: String...) -> XMLElement? {
        names.reduce(e) { $0?.child(Namespace.cac, $1) }
    }
    func cbc(_ e: XMLElement?, _ name: String) -> XMLElement? { e?.child(Namespace.cbc, name) }

    /// The XSD is a sequence: an element out of place fails it, so this checks the writer's order.
    func expectSchemaValid(_ data: Data, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let report = Self.validator.validate(data, file: what)
        let xsd = report.errors.filter { $0.rule.hasPrefix("XSD") }
        #expect(xsd.isEmpty, "\(what): \(xsd.map { "\($0.line ?? 0): \($0.message.text(.en))" })", sourceLocation: sourceLocation)
    }

    @Test func theSampleIsValidUBL() throws {
        let data = UBL.write(Self.sample())
        let report = Self.validator.validate(data, file: "sample")
        #expect(report.valid, "\(report.errors.map { "\($0.rule) \($0.message.text(.en))" })")
        #expect(try UBL.read(data) == Self.sample())
    }

    @Test func creditNoteUsesTheCreditNoteVocabulary() throws {
        var inv = Self.sample(typeCode: "381")
        inv.projectReference = "PRJ-7"
        inv.precedingInvoices = [PrecedingInvoiceReference(reference: "F-2026-000", issueDate: Self.date("2026-02-01"))]
        let data = UBL.write(inv)
        let r = try root(data)
        #expect(r.name == QName(Namespace.ublCreditNote, "CreditNote"))
        #expect(cbc(r, "CreditNoteTypeCode")?.text == "381")
        #expect(cbc(r, "InvoiceTypeCode") == nil)
        // A CreditNote has no DueDate: BT-9 goes in the payment means.
        #expect(cbc(r, "DueDate") == nil)
        #expect(cbc(cac(r, "PaymentMeans"), "PaymentDueDate")?.text == "2026-04-14")
        // Nor a ProjectReference: BT-11 is a document reference of type 50.
        #expect(cac(r, "ProjectReference") == nil)
        let project = r.children(Namespace.cac, "AdditionalDocumentReference").first { cbc($0, "DocumentTypeCode")?.text == "50" }
        #expect(cbc(project, "ID")?.text == "PRJ-7")
        let lines = r.children(Namespace.cac, "CreditNoteLine")
        #expect(lines.count == 2)
        #expect(cbc(lines[1], "CreditedQuantity")?.text == "1.5")
        #expect(cbc(lines[1], "CreditedQuantity")?.attribute("unitCode") == "HUR")
        #expect(r.children(Namespace.cac, "InvoiceLine").isEmpty)
        expectSchemaValid(data, "credit note")
        #expect(try UBL.read(data) == inv)
        #expect(Self.validator.validate(data, file: "cn").valid)
    }

    @Test func allowancesAndChargesKeepReasonsAndCodes() throws {
        var inv = Self.sample()
        inv.lines[0].allowanceCharges = [.allowance(amount: 5, baseAmount: 205, percentage: Self.d("2.439"), reason: "Promo", reasonCode: "64"),
                                         .charge(amount: 5, reason: "Emballage", reasonCode: "ABL")]
        inv.lines[0].netAmount = 200
        let data = UBL.write(inv)
        let r = try root(data)
        let doc = r.children(Namespace.cac, "AllowanceCharge")
        #expect(doc.map { cbc($0, "ChargeIndicator")?.text } == ["false", "true"])
        #expect(cbc(doc[0], "AllowanceChargeReasonCode")?.text == "95")
        #expect(cbc(doc[0], "AllowanceChargeReason")?.text == "Remise fidélité")
        #expect(cbc(doc[0], "MultiplierFactorNumeric")?.text == "10")
        #expect(cbc(doc[0], "Amount")?.attribute("currencyID") == "EUR")
        #expect(cbc(doc[0], "BaseAmount")?.text == "290.00")
        #expect(cbc(cac(doc[0], "TaxCategory"), "ID")?.text == "S")
        #expect(cbc(cac(doc[0], "TaxCategory", "TaxScheme"), "ID")?.text == "VAT")
        #expect(cbc(doc[1], "AllowanceChargeReasonCode")?.text == "DL")
        let line = r.children(Namespace.cac, "InvoiceLine")[0].children(Namespace.cac, "AllowanceCharge")
        #expect(line.count == 2)
        #expect(cbc(line[0], "MultiplierFactorNumeric")?.text == "2.439")
        #expect(cbc(line[1], "AllowanceChargeReasonCode")?.text == "ABL")
        // Line allowances take the line's VAT category: no TaxCategory of their own.
        #expect(cac(line[0], "TaxCategory") == nil)
        expectSchemaValid(data, "allowances")
        let back = try UBL.read(data)
        #expect(back.allowances == inv.allowances)
        #expect(back.charges == inv.charges)
        #expect(back.lines[0].allowanceCharges == inv.lines[0].allowanceCharges)
    }

    @Test func vatExemptionReasonTextAndCode() throws {
        var inv = Self.sample()
        inv.vatBreakdown.append(VATBreakdown(taxableAmount: 0, taxAmount: 0, categoryCode: "E", rate: 0,
                                             exemptionReason: "Exonération art. 261 du CGI", exemptionReasonCode: "VATEX-EU-132"))
        let data = UBL.write(inv)
        let subtotals = cac(try root(data), "TaxTotal")!.children(Namespace.cac, "TaxSubtotal")
        #expect(subtotals.count == 2)
        let category = cac(subtotals[1], "TaxCategory")
        #expect(cbc(category, "ID")?.text == "E")
        #expect(cbc(category, "Percent")?.text == "0")
        #expect(cbc(category, "TaxExemptionReasonCode")?.text == "VATEX-EU-132")
        #expect(cbc(category, "TaxExemptionReason")?.text == "Exonération art. 261 du CGI")
        expectSchemaValid(data, "exemption")
        #expect(try UBL.read(data).vatBreakdown == inv.vatBreakdown)
    }

    @Test func categoryOHasNoRateAndBT111GoesInASecondTaxTotal() throws {
        var inv = Self.sample()
        inv.vatAccountingCurrencyCode = "USD"
        inv.totals.totalVATInAccountingCurrency = Self.d("58.10")
        inv.vatBreakdown.append(VATBreakdown(taxableAmount: 0, taxAmount: 0, categoryCode: "O", exemptionReason: "Hors champ"))
        let data = UBL.write(inv)
        let totals = try root(data).children(Namespace.cac, "TaxTotal")
        #expect(totals.count == 2)
        #expect(cbc(totals[1], "TaxAmount")?.attribute("currencyID") == "USD")
        #expect(cbc(totals[1], "TaxAmount")?.text == "58.10")
        #expect(totals[1].children(Namespace.cac, "TaxSubtotal").isEmpty)
        #expect(cbc(cac(totals[0].children(Namespace.cac, "TaxSubtotal")[1], "TaxCategory"), "Percent") == nil)
        let back = try UBL.read(data)
        #expect(back.totals == inv.totals)
        #expect(back.vatBreakdown[1].rate == nil)
    }

    @Test func paymentMeansOnePerAccountWithCardAndMandateOnce() throws {
        var inv = Self.sample()
        inv.paymentInstructions = PaymentInstructions(
            meansTypeCode: "30", meansText: "Virement", remittanceInformation: "RF18539007547034",
            creditTransfers: [CreditTransfer(accountIdentifier: "FR7630006000011234567890189", accountName: "Atelier Dupont",
                                             serviceProviderIdentifier: "AGRIFRPP"),
                              CreditTransfer(accountIdentifier: "DE89370400440532013000")],
            paymentCard: PaymentCard(primaryAccountNumber: "1234", holderName: "J. Dupont"),
            directDebit: DirectDebit(mandateReference: "MANDAT-1", creditorIdentifier: "FR12ZZZ123456",
                                     debitedAccountIdentifier: "FR7612345987650123456789014"))
        let data = UBL.write(inv)
        let r = try root(data)
        let means = r.children(Namespace.cac, "PaymentMeans")
        #expect(means.count == 2)
        #expect(means.map { cbc($0, "PaymentMeansCode")?.text } == ["30", "30"])
        #expect(cbc(means[0], "PaymentMeansCode")?.attribute("name") == "Virement")
        #expect(cbc(means[1], "PaymentMeansCode")?.attribute("name") == nil)   // UBL-SR-27: once
        #expect(means.map { cbc($0, "PaymentID")?.text } == ["RF18539007547034", "RF18539007547034"])
        #expect(cbc(cac(means[0], "PayeeFinancialAccount", "FinancialInstitutionBranch"), "ID")?.text == "AGRIFRPP")
        #expect(cbc(cac(means[0], "PayeeFinancialAccount"), "Name")?.text == "Atelier Dupont")
        #expect(cbc(cac(means[1], "PayeeFinancialAccount"), "ID")?.text == "DE89370400440532013000")
        #expect(cbc(cac(means[0], "CardAccount"), "PrimaryAccountNumberID")?.text == "1234")
        #expect(cbc(cac(means[0], "CardAccount"), "NetworkID") != nil)   // mandatory in UBL
        #expect(cac(means[1], "CardAccount") == nil)
        #expect(cbc(cac(means[0], "PaymentMandate"), "ID")?.text == "MANDAT-1")
        #expect(cbc(cac(means[0], "PaymentMandate", "PayerFinancialAccount"), "ID")?.text == "FR7612345987650123456789014")
        // BT-90 is the seller's identifier with scheme SEPA when there is no payee.
        let sellerIDs = cac(r, "AccountingSupplierParty", "Party")!.children(Namespace.cac, "PartyIdentification").compactMap { cbc($0, "ID") }
        #expect(sellerIDs.contains { $0.text == "FR12ZZZ123456" && $0.attribute("schemeID") == "SEPA" })
        expectSchemaValid(data, "payment")
        let back = try UBL.read(data)
        #expect(back.paymentInstructions == inv.paymentInstructions)
        #expect(back.seller == inv.seller)   // the SEPA identifier did not become a BT-29

        // With a payee, BT-90 goes to the payee.
        inv.payee = Payee(name: "Factor SA", identifier: Identifier("55566677700011", scheme: "0009"))
        let withPayee = UBL.write(inv)
        let payeeIDs = cac(try root(withPayee), "PayeeParty")!.children(Namespace.cac, "PartyIdentification").compactMap { cbc($0, "ID") }
        #expect(payeeIDs.map { $0.attribute("schemeID") } == ["0009", "SEPA"])
        #expect(try UBL.read(withPayee) == inv)
        expectSchemaValid(withPayee, "payee")
    }

    @Test func attachmentsAreBase64WithMimeCodeAndFilename() throws {
        var inv = Self.sample()
        let bytes = Data("date;heures\n2026-03-01;7.5\n".utf8)
        inv.supportingDocuments = [
            SupportingDocument(reference: "TS-1", description: "Relevé d'heures",
                               attachment: BinaryObject(data: bytes, mimeCode: "text/csv", filename: "heures.csv")),
            SupportingDocument(reference: "CGV", externalLocation: "https://example.com/cgv.pdf"),
        ]
        inv.invoicedObjectIdentifier = Identifier("COMPTEUR-88", scheme: "AUU")
        let data = UBL.write(inv)
        let refs = try root(data).children(Namespace.cac, "AdditionalDocumentReference")
        #expect(refs.count == 3)
        let object = refs.first { cbc($0, "DocumentTypeCode")?.text == "130" }
        #expect(cbc(object, "ID")?.attribute("schemeID") == "AUU")
        let attached = refs.first { cbc($0, "ID")?.text == "TS-1" }
        let binary = cbc(cac(attached, "Attachment"), "EmbeddedDocumentBinaryObject")
        #expect(binary?.attribute("mimeCode") == "text/csv")
        #expect(binary?.attribute("filename") == "heures.csv")
        #expect(binary.flatMap { Data(base64Encoded: $0.text) } == bytes)
        let external = refs.first { cbc($0, "ID")?.text == "CGV" }
        #expect(cbc(cac(external, "Attachment", "ExternalReference"), "URI")?.text == "https://example.com/cgv.pdf")
        expectSchemaValid(data, "attachments")
        let back = try UBL.read(data)
        #expect(back.supportingDocuments == inv.supportingDocuments)
        #expect(back.invoicedObjectIdentifier == inv.invoicedObjectIdentifier)
    }

    @Test func base64WithLineBreaksIsReadAndBadBase64IsAnError() throws {
        var xml = String(decoding: UBL.write(Self.sample()), as: UTF8.self)
        let reference = """
          <cac:AdditionalDocumentReference>
            <cbc:ID>A</cbc:ID>
            <cac:Attachment>
              <cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a.pdf">SGVs
              bG8=</cbc:EmbeddedDocumentBinaryObject>
            </cac:Attachment>
          </cac:AdditionalDocumentReference>

        """
        xml = xml.replacingOccurrences(of: "  <cac:AccountingSupplierParty>", with: reference + "  <cac:AccountingSupplierParty>")
        let doc = try UBL.read(Data(xml.utf8)).supportingDocuments.first
        #expect(doc?.attachment?.data == Data("Hello".utf8))
        let bad = xml.replacingOccurrences(of: "bG8=", with: "b*8=")
        #expect {
            try UBL.read(Data(bad.utf8))
        } throws: { error in
            guard case let .invalidBinary(term, path, line) = error as? UBLReadError else { return false }
            return term == "BT-125" && path.hasSuffix("EmbeddedDocumentBinaryObject") && line > 1
        }
    }

    @Test func precedingInvoicesEachInTheirBillingReference() throws {
        var inv = Self.sample(typeCode: "384")
        inv.precedingInvoices = [PrecedingInvoiceReference(reference: "F-1", issueDate: Self.date("2026-01-10")),
                                 PrecedingInvoiceReference(reference: "F-2")]
        let data = UBL.write(inv)
        let refs = try root(data).children(Namespace.cac, "BillingReference").compactMap { cac($0, "InvoiceDocumentReference") }
        #expect(refs.map { cbc($0, "ID")?.text } == ["F-1", "F-2"])
        #expect(cbc(refs[0], "IssueDate")?.text == "2026-01-10")
        #expect(cbc(refs[1], "IssueDate") == nil)
        expectSchemaValid(data, "preceding")
        #expect(try UBL.read(data).precedingInvoices == inv.precedingInvoices)
    }

    @Test func itemIdentifiersAttributesAndClassifications() throws {
        var inv = Self.sample()
        inv.lines[0].item = Item(name: "Chaise", description: "Chaise en chêne", sellerIdentifier: "CH-01", buyerIdentifier: "ACH-9",
                                 standardIdentifier: Identifier("03700123456788", scheme: "0160"),
                                 classificationIdentifiers: [ClassificationIdentifier("94016100", scheme: "HS", schemeVersion: "2022"),
                                                             ClassificationIdentifier("39111000", scheme: "STI")],
                                 countryOfOrigin: "FR",
                                 attributes: [ItemAttribute(name: "Couleur", value: "Naturel"), ItemAttribute(name: "Bois", value: "Chêne")])
        inv.lines[0].period = Period(startDate: Self.date("2026-03-01"), endDate: Self.date("2026-03-31"))
        inv.lines[0].objectIdentifier = Identifier("OBJ-1", scheme: "AAA")
        inv.lines[0].orderLineReference = "10"
        inv.lines[0].price = PriceDetails(netPrice: 100, discount: 20, grossPrice: 120, baseQuantity: 1, baseQuantityUnitCode: "C62")
        let data = UBL.write(inv)
        let line = try root(data).children(Namespace.cac, "InvoiceLine")[0]
        let item = cac(line, "Item")
        #expect(item?.children.map(\.localName) == ["Description", "Name", "BuyersItemIdentification", "SellersItemIdentification",
                                                    "StandardItemIdentification", "OriginCountry", "CommodityClassification",
                                                    "CommodityClassification", "ClassifiedTaxCategory", "AdditionalItemProperty",
                                                    "AdditionalItemProperty"])
        let codes = item!.children(Namespace.cac, "CommodityClassification").compactMap { cbc($0, "ItemClassificationCode") }
        #expect(codes.map { $0.attribute("listID") } == ["HS", "STI"])
        #expect(codes.map { $0.attribute("listVersionID") } == ["2022", nil])
        #expect(cbc(cac(item, "StandardItemIdentification"), "ID")?.attribute("schemeID") == "0160")
        let properties = item!.children(Namespace.cac, "AdditionalItemProperty")
        #expect(properties.map { cbc($0, "Name")?.text } == ["Couleur", "Bois"])
        #expect(properties.map { cbc($0, "Value")?.text } == ["Naturel", "Chêne"])
        let discount = cac(line, "Price", "AllowanceCharge")
        #expect(cbc(discount, "Amount")?.text == "20")
        #expect(cbc(discount, "BaseAmount")?.text == "120")
        expectSchemaValid(data, "item")
        #expect(try UBL.read(data).lines == inv.lines)
    }

    @Test(arguments: [("5", "3"), ("29", "35"), ("72", "432"), ("3", "3"), ("35", "35"), ("432", "432")])
    func vatPointDateCodeIsWrittenInUNTDID2005(model: String, ubl: String) throws {
        var inv = Self.sample()
        inv.vatPointDateCode = model
        let data = UBL.write(inv)
        #expect(cbc(cac(try root(data), "InvoicePeriod"), "DescriptionCode")?.text == ubl)
        expectSchemaValid(data, "BT-8")
        #expect(try UBL.read(data).vatPointDateCode == ubl)
    }

    @Test func noteSubjectCodeTravelsAsAPrefix() throws {
        var inv = Self.sample()
        inv.notes = [Note("Pénalités de retard : 3 fois le taux légal", subjectCode: "PMD"), Note("Merci de votre confiance")]
        let data = UBL.write(inv)
        #expect(try root(data).children(Namespace.cbc, "Note").map(\.text) == ["#PMD#Pénalités de retard : 3 fois le taux légal", "Merci de votre confiance"])
        #expect(try UBL.read(data).notes == inv.notes)
    }

    @Test func salesOrderWithoutPurchaseOrderUsesNA() throws {
        var inv = Self.sample()
        inv.salesOrderReference = "CMD-77"
        let data = UBL.write(inv)
        let order = cac(try root(data), "OrderReference")
        #expect(cbc(order, "ID")?.text == "NA")
        #expect(cbc(order, "SalesOrderID")?.text == "CMD-77")
        let back = try UBL.read(data)
        #expect(back.purchaseOrderReference == nil)
        #expect(back.salesOrderReference == "CMD-77")
    }

    @Test func partiesDeliveryAndTaxRepresentative() throws {
        var inv = Self.sample()
        inv.seller.tradingName = "Dupont Meubles"
        inv.seller.taxRegistrationIdentifier = "FR-LOCAL-1"
        inv.seller.additionalLegalInformation = "SARL au capital de 10 000 €"
        inv.seller.contact = Contact(name: "Jeanne", telephone: "+33 1 23 45 67 89", email: "jeanne@dupont.fr")
        inv.seller.postalAddress.line2 = "Bâtiment B"
        inv.seller.postalAddress.line3 = "3e étage"
        inv.seller.postalAddress.countrySubdivision = "Île-de-France"
        inv.buyer.identifier = Identifier("98765432100015", scheme: "0009")
        inv.buyer.legalRegistrationIdentifier = Identifier("987654321", scheme: "0002")
        inv.buyer.vatIdentifier = "FR45987654321"
        inv.buyer.tradingName = "Client"
        inv.sellerTaxRepresentative = SellerTaxRepresentative(name: "Rep SA", vatIdentifier: "FR11999999999",
                                                              postalAddress: PostalAddress(city: "Nice", countryCode: "FR"))
        inv.delivery = DeliveryInformation(partyName: "Entrepôt", locationIdentifier: Identifier("3012345000010", scheme: "0088"),
                                           actualDeliveryDate: Self.date("2026-03-10"),
                                           address: PostalAddress(line1: "ZI Nord", city: "Lille", postCode: "59000", countryCode: "FR"))
        inv.invoicingPeriod = Period(startDate: Self.date("2026-03-01"), endDate: Self.date("2026-03-31"))
        inv.contractReference = "CT-1"; inv.purchaseOrderReference = "PO-1"; inv.receivingAdviceReference = "REC-1"
        inv.despatchAdviceReference = "BL-1"; inv.tenderOrLotReference = "LOT-1"; inv.projectReference = "PRJ-1"
        inv.buyerAccountingReference = "6061"; inv.paymentTerms = "30 jours fin de mois"; inv.vatPointDate = Self.date("2026-03-15")
        inv.processControl.businessProcessType = "S1"
        let data = UBL.write(inv)
        let party = cac(try root(data), "AccountingSupplierParty", "Party")
        let schemes = party!.children(Namespace.cac, "PartyTaxScheme").map { cbc(cac($0, "TaxScheme"), "ID")?.text }
        #expect(schemes == ["VAT", "TAX"])
        #expect(cbc(cac(party, "PartyLegalEntity"), "CompanyLegalForm")?.text == "SARL au capital de 10 000 €")
        #expect(cbc(cac(party, "PostalAddress", "AddressLine"), "Line")?.text == "3e étage")
        expectSchemaValid(data, "parties")
        #expect(try UBL.read(data) == inv)
        // An invoice with all of this is still valid EN 16931.
        let report = Self.validator.validate(data, file: "parties")
        #expect(report.valid, "\(report.errors.map { "\($0.rule) \($0.message.text(.en))" })")
    }

    // MARK: Errors

    @Test func errorsNameTheTermElementAndLine() throws {
        let xml = String(decoding: UBL.write(Self.sample()), as: UTF8.self)
        let badAmount = xml.replacingOccurrences(of: "<cbc:PayableAmount currencyID=\"EUR\">325.20<", with: "<cbc:PayableAmount currencyID=\"EUR\">325,20<")
        let line = badAmount.components(separatedBy: "\n").firstIndex { $0.contains("325,20") }! + 1
        #expect(throws: UBLReadError.invalidNumber(term: "BT-115", value: "325,20", path: "/Invoice/LegalMonetaryTotal/PayableAmount", line: line)) {
            try UBL.read(Data(badAmount.utf8))
        }
        let badDate = xml.replacingOccurrences(of: "<cbc:IssueDate>2026-03-15<", with: "<cbc:IssueDate>2026-02-30<")
        #expect {
            try UBL.read(Data(badDate.utf8))
        } throws: { error in
            guard case let .invalidDate(term, value, _, line) = error as? UBLReadError else { return false }
            return term == "BT-2" && value == "2026-02-30" && line > 1
        }
        let cii = Data("<rsm:CrossIndustryInvoice xmlns:rsm=\"\(Namespace.rsm)\"/>".utf8)
        #expect(throws: UBLReadError.notUBL(root: "CrossIndustryInvoice", namespace: Namespace.rsm, line: 1)) { try UBL.read(cii) }
        #expect {
            try UBL.read(Data("<Invoice><unclosed></Invoice>".utf8))
        } throws: { error in
            guard case .notXML = error as? UBLReadError else { return false }
            return true
        }
        // French by default, English on request.
        let error = UBLReadError.invalidNumber(term: "BT-115", value: "325,20", path: "/Invoice/LegalMonetaryTotal/PayableAmount", line: 40)
        #expect(error.description.contains("n'est pas un nombre décimal"))
        #expect(error.englishDescription.contains("is not a decimal number"))
    }

    /// Missing business terms are not reading errors: the model holds them as empty so validation names them.
    @Test func aDefectiveDocumentStillLoads() throws {
        var inv = Self.sample()
        inv.seller.name = ""
        inv.invoiceNumber = ""
        inv.lines[0].item.name = ""
        let data = UBL.write(inv)
        let back = try UBL.read(data)
        #expect(back.seller.name.isEmpty && back.invoiceNumber.isEmpty && back.lines[0].item.name.isEmpty)
        let rules = Set(Self.validator.validate(data, file: "defective").errors.map(\.rule))
        #expect(rules.isSuperset(of: ["BR-02", "BR-06", "BR-25"]), "\(rules.sorted())")
    }

    /// A missing postal address is an empty one in the model; it must stay missing for validation.
    @Test func aMissingAddressIsNotWrittenEmpty() throws {
        var inv = Self.sample()
        inv.buyer.postalAddress = PostalAddress()
        let data = UBL.write(inv)
        #expect(cac(try root(data), "AccountingCustomerParty", "Party", "PostalAddress") == nil)
        #expect(try UBL.read(data).buyer.postalAddress == PostalAddress())
        let rules = Set(Self.validator.validate(data, file: "no-address").errors.map(\.rule))
        #expect(rules.contains("BR-10"), "\(rules.sorted())")
    }
}
