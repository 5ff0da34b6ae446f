import FacteurXML
import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation
import Testing

/// Precise mappings between the model and CII elements, written by hand from the EN 16931 CII binding.
@Suite struct CIIMappingTests {
    static func d(_ s: String) -> Decimal { Decimal(plain: s)! }
    static func day(_ s: String) -> LocalDate { LocalDate(iso: s)! }

    /// A credit note touching the terms the unit tests look at; its totals add up (BR-CO-10 … BR-CO-16).
    static func creditNote() -> Invoice {
        var inv = Invoice(invoiceNumber: "AV-2026-0042", issueDate: day("2026-03-05"), typeCode: "381", currencyCode: "EUR")
        inv.vatPointDateCode = "5"
        inv.paymentDueDate = day("2026-04-04")
        inv.buyerReference = "SERVICE-ACHATS"
        inv.purchaseOrderReference = "BC-778"
        inv.paymentTerms = "Remboursement sous 30 jours"
        inv.notes = [Note("Avoir sur la facture F-2026-0007", subjectCode: "AAI")]
        inv.precedingInvoices = [PrecedingInvoiceReference(reference: "F-2026-0007", issueDate: day("2026-02-01"))]
        inv.seller = Seller(name: "Atelier Dupont SARL", identifiers: [Identifier("123456789", scheme: "0002")],
                            legalRegistrationIdentifier: Identifier("123456789", scheme: "0002"),
                            vatIdentifier: "FR32123456789",
                            electronicAddress: Identifier("123456789", scheme: "0225"),
                            postalAddress: PostalAddress(line1: "1 rue de la Paix", city: "Paris", postCode: "75002", countryCode: "FR"),
                            contact: Contact(name: "Marie Dupont", telephone: "+33 1 23 45 67 89", email: "compta@dupont.example"))
        inv.buyer = Buyer(name: "Client SA", legalRegistrationIdentifier: Identifier("987654321", scheme: "0002"),
                          vatIdentifier: "FR45987654321", electronicAddress: Identifier("987654321", scheme: "0225"),
                          postalAddress: PostalAddress(city: "Lyon", postCode: "69001", countryCode: "FR"))
        inv.paymentInstructions = PaymentInstructions(
            meansTypeCode: "58", meansText: "Virement SEPA", remittanceInformation: "AV-2026-0042",
            creditTransfers: [CreditTransfer(accountIdentifier: "FR7630006000011234567890189", accountName: "Atelier Dupont",
                                             serviceProviderIdentifier: "AGRIFRPP")])
        inv.supportingDocuments = [SupportingDocument(
            reference: "BL-55", description: "Bon de livraison",
            attachment: BinaryObject(data: Data("a;b\n1;2\n".utf8), mimeCode: "text/csv", filename: "bl-55.csv"))]
        inv.allowanceCharges = [
            .allowance(amount: d("10.00"), baseAmount: d("100.00"), percentage: d("10"), vatCategoryCode: "S",
                       vatRate: d("20"), reason: "Remise fidélité", reasonCode: "95"),
            .charge(amount: d("5.00"), vatCategoryCode: "S", vatRate: d("20"), reason: "Emballage", reasonCode: "ABL"),
        ]
        var line1 = InvoiceLine(identifier: "1", quantity: d("2"), unitCode: "C62", netAmount: d("90.00"),
                                price: PriceDetails(netPrice: d("50.00"), discount: d("5.00"), grossPrice: d("55.00")),
                                vat: LineVATInformation(.standard, rate: d("20")),
                                item: Item(name: "Chaise", sellerIdentifier: "CH-01",
                                           standardIdentifier: Identifier("03012345678901", scheme: "0160"),
                                           classificationIdentifiers: [ClassificationIdentifier("94017100", scheme: "HS", schemeVersion: "2022")],
                                           countryOfOrigin: "FR",
                                           attributes: [ItemAttribute(name: "Couleur", value: "Chêne")]))
        line1.period = Period(startDate: day("2026-02-01"), endDate: day("2026-02-28"))
        line1.allowanceCharges = [.allowance(amount: d("10.00"), baseAmount: d("100.00"), percentage: d("10"),
                                             reason: "Remise", reasonCode: "95")]
        let line2 = InvoiceLine(identifier: "2", quantity: d("1"), unitCode: "HUR", netAmount: d("50.00"),
                                price: PriceDetails(netPrice: d("50"), baseQuantity: d("1"), baseQuantityUnitCode: "HUR"),
                                vat: LineVATInformation(.exempt, rate: d("0")),
                                item: Item(name: "Formation"))
        inv.lines = [line1, line2]
        inv.vatBreakdown = [
            VATBreakdown(taxableAmount: d("85.00"), taxAmount: d("17.00"), categoryCode: "S", rate: d("20")),
            VATBreakdown(taxableAmount: d("50.00"), taxAmount: d("0.00"), categoryCode: "E", rate: d("0"),
                         exemptionReason: "Exonération de TVA, article 261-4-4° du CGI", exemptionReasonCode: "VATEX-EU-132-1I"),
        ]
        inv.totals = DocumentTotals(sumOfLineNetAmounts: d("140.00"), sumOfAllowances: d("10.00"), sumOfCharges: d("5.00"),
                                    totalWithoutVAT: d("135.00"), totalVAT: d("17.00"), totalWithVAT: d("152.00"),
                                    amountDueForPayment: d("152.00"))
        return inv
    }

    /// The elements at a `prefix:Name/prefix:Name` path below `e`.
    static func at(_ e: XMLElement, _ path: String) -> [XMLElement] {
        let ns = ["rsm": Namespace.rsm, "ram": Namespace.ram, "udt": Namespace.udt, "qdt": Namespace.qdt]
        var current = [e]
        for step in path.split(separator: "/") {
            let parts = step.split(separator: ":")
            current = current.flatMap { $0.children(ns[String(parts[0])]!, String(parts[1])) }
        }
        return current
    }

    static func texts(_ e: XMLElement, _ path: String) -> [String] { at(e, path).map(\.trimmedText) }

    static let settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    static let agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
    static let lineItem = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem"

    func written(_ inv: Invoice) throws -> XMLElement { try XMLParser.parse(CII.write(inv)).root }

    @Test func creditNoteIsValidAndSurvives() throws {
        let inv = Self.creditNote()
        let data = CII.write(inv)
        try data.write(to: CIIRoundTripTests.outputFolder.appendingPathComponent("unit-credit-note-381.xml"))
        let report = CIIRoundTripTests.validator.validate(data, file: "avoir.xml")
        #expect(report.errors.isEmpty, "\(report.errors.map { "\($0.rule) \($0.path ?? "") \($0.message.en)" })")
        #expect(try CII.read(data) == inv)
        let root = try written(inv)
        #expect(Self.texts(root, "rsm:ExchangedDocument/ram:TypeCode") == ["381"])
        #expect(Self.texts(root, "rsm:ExchangedDocument/ram:ID") == ["AV-2026-0042"])
    }

    @Test func datesAreFormat102() throws {
        let root = try written(Self.creditNote())
        let issue = Self.at(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")
        #expect(issue.map(\.trimmedText) == ["20260305"])
        #expect(issue.first?.attribute("format") == "102")
        #expect(Self.texts(root, "\(Self.settlement)/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == ["20260404"])
        let preceding = Self.at(root, "\(Self.settlement)/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString")
        #expect(preceding.map(\.trimmedText) == ["20260201"] && preceding.first?.attribute("format") == "102")
        #expect(Self.texts(root, "\(Self.lineItem)/ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString") == ["20260228"])
    }

    @Test func vatPointDateCodesFromUBLAreTranslated() throws {
        var inv = Self.creditNote()
        for (ubl, cii) in [("3", "5"), ("35", "29"), ("432", "72"), ("29", "29")] {
            inv.vatPointDateCode = ubl
            let root = try written(inv)
            #expect(Self.texts(root, "\(Self.settlement)/ram:ApplicableTradeTax/ram:DueDateTypeCode") == [cii])
        }
        // BT-7 goes on the first breakdown only (CII-SR-461), and never together with BT-8 (BR-CO-3).
        inv.vatPointDateCode = nil
        inv.vatPointDate = Self.day("2026-02-28")
        let root = try written(inv)
        #expect(Self.texts(root, "\(Self.settlement)/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString") == ["20260228"])
        #expect(try CII.read(CII.write(inv)).vatPointDate == Self.day("2026-02-28"))
    }

    @Test func documentAllowancesAndChargesWithReasonCodes() throws {
        let root = try written(Self.creditNote())
        let acs = Self.at(root, "\(Self.settlement)/ram:SpecifiedTradeAllowanceCharge")
        #expect(acs.count == 2)
        #expect(Self.texts(acs[0], "ram:ChargeIndicator/udt:Indicator") == ["false"])
        #expect(Self.texts(acs[0], "ram:ReasonCode") == ["95"])
        #expect(Self.texts(acs[0], "ram:Reason") == ["Remise fidélité"])
        #expect(Self.texts(acs[0], "ram:CalculationPercent") == ["10"])
        #expect(Self.texts(acs[0], "ram:BasisAmount") == ["100.00"])
        #expect(Self.texts(acs[0], "ram:CategoryTradeTax/ram:CategoryCode") == ["S"])
        #expect(Self.texts(acs[1], "ram:ChargeIndicator/udt:Indicator") == ["true"])
        #expect(Self.texts(acs[1], "ram:ReasonCode") == ["ABL"])
        // Schema order: percent, basis, actual amount, reason code, reason, tax.
        #expect(acs[0].children.map(\.localName) == ["ChargeIndicator", "CalculationPercent", "BasisAmount", "ActualAmount",
                                                       "ReasonCode", "Reason", "CategoryTradeTax"])
        let back = try CII.read(CII.write(Self.creditNote()))
        #expect(back.allowances.first?.reasonCode == "95" && back.charges.first?.reason == "Emballage")
        #expect(back.lines[0].allowances.first?.percentage == Self.d("10"))
    }

    /// A document allowance without VAT category (a defective UBL source) stays without one; BASIC WL, whose
    /// schema requires the category element, gets an empty one for validation to report.
    @Test func allowanceWithoutCategory() throws {
        var inv = Self.creditNote()
        inv.allowanceCharges[0].vatCategoryCode = nil
        inv.allowanceCharges[0].vatRate = nil
        #expect(try CII.read(CII.write(inv)) == inv)
        let root = try written(inv)
        #expect(Self.at(root, "\(Self.settlement)/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax").count == 1)
        let wl = try XMLParser.parse(CII.write(inv, profile: .basicWL)).root
        #expect(Self.at(wl, "\(Self.settlement)/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax").count == 2)
        #expect(Self.texts(wl, "\(Self.settlement)/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax/ram:CategoryCode") == ["S"])
        let report = CIIRoundTripTests.validator.validate(CII.write(inv), file: "sans-categorie.xml")
        #expect(report.errors.contains { $0.rule == "BR-32" })
    }

    @Test func vatExemptionReasons() throws {
        let root = try written(Self.creditNote())
        let taxes = Self.at(root, "\(Self.settlement)/ram:ApplicableTradeTax")
        #expect(taxes.count == 2)
        #expect(Self.texts(taxes[1], "ram:CategoryCode") == ["E"])
        #expect(Self.texts(taxes[1], "ram:ExemptionReason") == ["Exonération de TVA, article 261-4-4° du CGI"])
        #expect(Self.texts(taxes[1], "ram:ExemptionReasonCode") == ["VATEX-EU-132-1I"])
        #expect(taxes[1].children.map(\.localName) == ["CalculatedAmount", "TypeCode", "ExemptionReason", "BasisAmount",
                                                         "CategoryCode", "ExemptionReasonCode", "RateApplicablePercent"])
    }

    @Test func creditTransferWithIBANAndBIC() throws {
        let root = try written(Self.creditNote())
        let means = Self.at(root, "\(Self.settlement)/ram:SpecifiedTradeSettlementPaymentMeans")
        #expect(means.count == 1)
        #expect(Self.texts(means[0], "ram:TypeCode") == ["58"])
        #expect(Self.texts(means[0], "ram:Information") == ["Virement SEPA"])
        #expect(Self.texts(means[0], "ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == ["FR7630006000011234567890189"])
        #expect(Self.texts(means[0], "ram:PayeePartyCreditorFinancialAccount/ram:AccountName") == ["Atelier Dupont"])
        #expect(Self.texts(means[0], "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == ["AGRIFRPP"])
        #expect(Self.texts(root, "\(Self.settlement)/ram:PaymentReference") == ["AV-2026-0042"])
    }

    @Test func severalAccountsProprietaryIdentifierCardAndDirectDebit() throws {
        var inv = Self.creditNote()
        inv.paymentInstructions = PaymentInstructions(
            meansTypeCode: "59", meansText: "Prélèvement",
            creditTransfers: [CreditTransfer(accountIdentifier: "FR7630006000011234567890189"),
                              CreditTransfer(accountIdentifier: "LOCAL-0042", isProprietaryAccountIdentifier: true)],
            paymentCard: PaymentCard(primaryAccountNumber: "1234", holderName: "M DUPONT"),
            directDebit: DirectDebit(mandateReference: "MANDAT-9", creditorIdentifier: "FR12ZZZ123456",
                                     debitedAccountIdentifier: "FR7611111222223333344444555"))
        let root = try written(inv)
        let means = Self.at(root, "\(Self.settlement)/ram:SpecifiedTradeSettlementPaymentMeans")
        #expect(means.count == 2)
        #expect(Self.texts(root, "\(Self.settlement)/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == ["59", "59"])
        #expect(Self.texts(means[0], "ram:ApplicableTradeSettlementFinancialCard/ram:ID") == ["1234"])
        #expect(Self.texts(means[0], "ram:ApplicableTradeSettlementFinancialCard/ram:CardholderName") == ["M DUPONT"])
        #expect(Self.texts(means[0], "ram:PayerPartyDebtorFinancialAccount/ram:IBANID") == ["FR7611111222223333344444555"])
        #expect(Self.texts(means[1], "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID") == ["LOCAL-0042"])
        #expect(Self.at(means[1], "ram:PayeePartyCreditorFinancialAccount/ram:IBANID").isEmpty)
        #expect(Self.texts(root, "\(Self.settlement)/ram:CreditorReferenceID") == ["FR12ZZZ123456"])
        #expect(Self.texts(root, "\(Self.settlement)/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID") == ["MANDAT-9"])
        // CreditorReferenceID comes first in the settlement (schema order).
        #expect(Self.at(root, Self.settlement).first?.children.first?.localName == "CreditorReferenceID")
        #expect(try CII.read(CII.write(inv)) == inv)
        // Written as BASIC WL, the card, the means text and the BIC go: the profile has no place for them.
        let wl = try CII.read(CII.write(inv, profile: .basicWL))
        #expect(wl.paymentInstructions?.paymentCard == nil && wl.paymentInstructions?.meansText == nil)
        #expect(wl.paymentInstructions?.creditTransfers.map(\.accountIdentifier) == ["FR7630006000011234567890189", "LOCAL-0042"])
        #expect(wl.paymentInstructions?.directDebit == inv.paymentInstructions?.directDebit)
    }

    @Test func supportingDocumentWithBase64Attachment() throws {
        let inv = Self.creditNote()
        let root = try written(inv)
        let docs = Self.at(root, "\(Self.agreement)/ram:AdditionalReferencedDocument")
        #expect(docs.count == 1)
        #expect(Self.texts(docs[0], "ram:IssuerAssignedID") == ["BL-55"])
        #expect(Self.texts(docs[0], "ram:TypeCode") == ["916"])
        #expect(Self.texts(docs[0], "ram:Name") == ["Bon de livraison"])
        let bin = try #require(Self.at(docs[0], "ram:AttachmentBinaryObject").first)
        #expect(bin.trimmedText == "YTtiCjE7Mgo=")  // base64 of "a;b\n1;2\n"
        #expect(bin.attribute("mimeCode") == "text/csv" && bin.attribute("filename") == "bl-55.csv")
        #expect(try CII.read(CII.write(inv)).supportingDocuments == inv.supportingDocuments)
    }

    @Test func tenderAndInvoicedObjectShareTheElementWithSupportingDocuments() throws {
        var inv = Self.creditNote()
        inv.tenderOrLotReference = "LOT-3"
        inv.invoicedObjectIdentifier = Identifier("COMPTEUR-77", scheme: "AVV")
        inv.lines[0].objectIdentifier = Identifier("SUB-1", scheme: "ABZ")
        let root = try written(inv)
        #expect(Self.texts(root, "\(Self.agreement)/ram:AdditionalReferencedDocument/ram:TypeCode") == ["916", "50", "130"])
        let lineDoc = Self.at(root, "\(Self.lineItem)/ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument")
        #expect(lineDoc.count == 1 && Self.texts(lineDoc[0], "ram:ReferenceTypeCode") == ["ABZ"])
        let back = try CII.read(CII.write(inv))
        #expect(back == inv)
        #expect(back.invoicedObjectIdentifier?.scheme == "AVV" && back.supportingDocuments.count == 1)
    }

    @Test func precedingInvoicesAndTheirExtendedTypeCode() throws {
        var inv = Self.creditNote()
        inv.precedingInvoices.append(PrecedingInvoiceReference(reference: "F-2026-0009", typeCode: "380"))
        let back = try CII.read(CII.write(inv))
        #expect(back.precedingInvoices == inv.precedingInvoices)
        let root = try written(inv)
        #expect(Self.texts(root, "\(Self.settlement)/ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == ["F-2026-0007", "F-2026-0009"])
        // The type code is an EXTENDED element: kept for EXTENDED, left out for EN 16931.
        let ext = try XMLParser.parse(CII.write(inv, profile: .extended)).root
        #expect(Self.texts(ext, "\(Self.settlement)/ram:InvoiceReferencedDocument/ram:TypeCode") == ["380"])
        let en = try XMLParser.parse(CII.write(inv, profile: .en16931)).root
        #expect(Self.texts(en, "\(Self.settlement)/ram:InvoiceReferencedDocument/ram:TypeCode").isEmpty)
    }

    @Test func lineItemAttributesClassificationsAndPrices() throws {
        let root = try written(Self.creditNote())
        let product = try #require(Self.at(root, "\(Self.lineItem)/ram:SpecifiedTradeProduct").first)
        #expect(product.children.map(\.localName) == ["GlobalID", "SellerAssignedID", "Name", "ApplicableProductCharacteristic",
                                                        "DesignatedProductClassification", "OriginTradeCountry"])
        #expect(Self.at(product, "ram:GlobalID").first?.attribute("schemeID") == "0160")
        #expect(Self.texts(product, "ram:ApplicableProductCharacteristic/ram:Description") == ["Couleur"])
        #expect(Self.texts(product, "ram:ApplicableProductCharacteristic/ram:Value") == ["Chêne"])
        let code = try #require(Self.at(product, "ram:DesignatedProductClassification/ram:ClassCode").first)
        #expect(code.trimmedText == "94017100" && code.attribute("listID") == "HS" && code.attribute("listVersionID") == "2022")
        #expect(Self.texts(product, "ram:OriginTradeCountry/ram:ID") == ["FR"])
        let agreement = "ram:SpecifiedLineTradeAgreement"
        let line1 = Self.at(root, Self.lineItem)[0], line2 = Self.at(root, Self.lineItem)[1]
        #expect(Self.texts(line1, "\(agreement)/ram:GrossPriceProductTradePrice/ram:ChargeAmount") == ["55"])
        #expect(Self.texts(line1, "\(agreement)/ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount") == ["5"])
        #expect(Self.texts(line1, "\(agreement)/ram:NetPriceProductTradePrice/ram:ChargeAmount") == ["50"])
        #expect(Self.at(line1, "\(agreement)/ram:GrossPriceProductTradePrice").first?.children.map(\.localName)
                    == ["ChargeAmount", "AppliedTradeAllowanceCharge"])
        let basis = try #require(Self.at(line2, "\(agreement)/ram:NetPriceProductTradePrice/ram:BasisQuantity").first)
        #expect(basis.trimmedText == "1" && basis.attribute("unitCode") == "HUR")
        let quantity = try #require(Self.at(line2, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity").first)
        #expect(quantity.attribute("unitCode") == "HUR")
        #expect(Self.texts(line2, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount") == ["50.00"])
    }

    @Test func partiesMapToTheirCIIElements() throws {
        let root = try written(Self.creditNote())
        let seller = try #require(Self.at(root, "\(Self.agreement)/ram:SellerTradeParty").first)
        #expect(seller.children.map(\.localName) == ["GlobalID", "Name", "SpecifiedLegalOrganization", "DefinedTradeContact",
                                                       "PostalTradeAddress", "URIUniversalCommunication", "SpecifiedTaxRegistration"])
        #expect(Self.at(seller, "ram:SpecifiedTaxRegistration/ram:ID").first?.attribute("schemeID") == "VA")
        #expect(Self.at(seller, "ram:URIUniversalCommunication/ram:URIID").first?.attribute("schemeID") == "0225")
        #expect(Self.texts(seller, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID") == ["compta@dupont.example"])
        #expect(Self.texts(seller, "ram:PostalTradeAddress/ram:CountryID") == ["FR"])
    }

    /// Amounts are plain decimal strings: no exponent, no grouping, every digit kept, at least cents.
    @Test func amountsArePlainDecimals() throws {
        var inv = Self.creditNote()
        inv.totals.totalWithVAT = Decimal(string: "1.52E+2", locale: Locale(identifier: "en_US_POSIX"))!
        inv.totals.amountDueForPayment = Self.d("1234567890123.456")
        inv.totals.paidAmount = Self.d("-0.5")
        let root = try written(inv)
        let m = "\(Self.settlement)/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
        #expect(Self.texts(root, "\(m)/ram:GrandTotalAmount") == ["152.00"])
        #expect(Self.texts(root, "\(m)/ram:DuePayableAmount") == ["1234567890123.456"])
        #expect(Self.texts(root, "\(m)/ram:TotalPrepaidAmount") == ["-0.50"])
        let all = CII.write(inv)
        #expect(!String(decoding: all, as: UTF8.self).contains("E+"))
        #expect(Self.at(root, "\(m)/ram:TaxTotalAmount").first?.attribute("currencyID") == "EUR")
    }

    /// The writer's fast number formatting agrees with the model's exact one, digit for digit.
    @Test func fastPlainNotationMatchesTheExactOne() {
        let posix = Locale(identifier: "en_US_POSIX")
        let texts = ["0.5", "-0.5", "12.5", "100", "1E+3", "1.52E+2", "1E-10", "-3.14159", "1234567890123.456",
                     "123456789012345678901234567890.12", "0.000000000000000001", "99999999999999999999", "7E+25", "0.01"]
        for text in texts {
            let value = Decimal(string: text, locale: posix)!
            for digits in [0, 2, 4] {
                let fast = CII.plain(value, minFractionDigits: digits)
                #expect(fast == value.formatted(minFractionDigits: digits), "\(text) with \(digits) digits")
                #expect(!fast.contains("E") && !fast.contains("e") && Decimal(plain: fast) == value)
            }
        }
        #expect(CII.plain(0, minFractionDigits: 2) == "0.00")
        #expect(CII.plain(Decimal(plain: "20.00")!) == "20")
    }

    @Test func vatInAccountingCurrencyIsTheSecondTaxTotal() throws {
        var inv = Self.creditNote()
        inv.vatAccountingCurrencyCode = "USD"
        inv.totals.totalVATInAccountingCurrency = Self.d("20.50")
        let root = try written(inv)
        let totals = Self.at(root, "\(Self.settlement)/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount")
        #expect(totals.map { $0.attribute("currencyID") } == ["EUR", "USD"])
        #expect(Self.texts(root, "\(Self.settlement)/ram:TaxCurrencyCode") == ["USD"])
        let back = try CII.read(CII.write(inv))
        #expect(back.totals.totalVAT == Self.d("17") && back.totals.totalVATInAccountingCurrency == Self.d("20.5"))
    }

    /// The hand-made credit note, written for each Factur-X profile, is accepted by that profile's rules.
    @Test(arguments: FacturXProfile.allCases)
    func creditNoteForEveryProfile(profile: FacturXProfile) throws {
        let data = CII.write(Self.creditNote(), profile: profile)
        try data.write(to: CIIRoundTripTests.outputFolder.appendingPathComponent("unit-credit-note-\(profile.rawValue).xml"))
        let report = CIIRoundTripTests.validator.validate(data, file: "avoir-\(profile.rawValue).xml")
        #expect(report.profile.flatMap(FacturXProfile.init(specificationIdentifier:)) == profile)
        #expect(report.errors.isEmpty, "\(profile): \(report.errors.map { "\($0.rule) \($0.path ?? "")" })")
    }

    @Test func profileSetsBT24() throws {
        let inv = Self.creditNote()
        for profile in FacturXProfile.allCases {
            let root = try XMLParser.parse(CII.write(inv, profile: profile)).root
            #expect(Self.texts(root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
                        == [profile.specificationIdentifier])
        }
        var custom = inv
        custom.processControl.specificationIdentifier = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
        #expect(try CII.read(CII.write(custom)).processControl.specificationIdentifier == custom.processControl.specificationIdentifier)
    }
}
