import Foundation
import InvoiceModel

/// Writes the model as UBL 2.1, elements in the order of the OASIS schemas (`UBL-Invoice-2.1.xsd`,
/// `UBL-CreditNote-2.1.xsd`, `UBL-CommonAggregateComponents-2.1.xsd`): the schema is a sequence, so a
/// misplaced element makes the whole document invalid.
struct UBLWriter {
    let invoice: Invoice
    let isCreditNote: Bool
    private var w: XMLWriter

    init(invoice: Invoice) {
        self.invoice = invoice
        self.isCreditNote = invoice.isCreditNote
        w = XMLWriter(namespaces: [("cac", Namespace.cac), ("cbc", Namespace.cbc)])
    }

    private var currency: [(String, String)] { [("currencyID", invoice.currencyCode)] }

    /// Amounts with at least two decimals, as invoices print them; never rounded (BR-DEC rules are the
    /// validator's business, and a writer that rounds would hide the defect).
    private func amount(_ value: Decimal) -> String { value.formatted(minFractionDigits: 2) }

    private mutating func amount(_ name: String, _ value: Decimal?) {
        guard let value else { return }
        w.leaf("cbc:" + name, amount(value), currency)
    }

    private mutating func cbc(_ name: String, _ value: String?, _ attributes: [(String, String)] = []) {
        w.leaf("cbc:" + name, value, attributes)
    }

    /// Terms the model keeps as non-optional strings, where "" means "missing in the source": writing an
    /// empty element would make the term look present to validation, so nothing is written.
    private mutating func required(_ name: String, _ value: String, _ attributes: [(String, String)] = []) {
        if !value.isEmpty { cbc(name, value, attributes) }
    }

    private mutating func id(_ name: String, _ identifier: Identifier?, schemeAttribute: String = "schemeID") {
        guard let identifier else { return }
        cbc(name, identifier.value, identifier.scheme.map { [(schemeAttribute, $0)] } ?? [])
    }

    private mutating func cac(_ name: String, _ body: (inout UBLWriter) -> Void) {
        w.start("cac:" + name)
        body(&self)
        w.end()
    }

    // MARK: Document

    mutating func write() -> Data {
        let inv = invoice
        let rootName = isCreditNote ? "CreditNote" : "Invoice"
        w.start(rootName, [("xmlns", isCreditNote ? Namespace.ublCreditNote : Namespace.ublInvoice)])
        required("CustomizationID", inv.processControl.specificationIdentifier)
        cbc("ProfileID", inv.processControl.businessProcessType)
        required("ID", inv.invoiceNumber)
        cbc("IssueDate", inv.issueDate?.isoString)
        if isCreditNote {
            cbc("TaxPointDate", inv.vatPointDate?.isoString)
            required("CreditNoteTypeCode", inv.typeCode)
            notes()
        } else {
            cbc("DueDate", inv.paymentDueDate?.isoString)
            required("InvoiceTypeCode", inv.typeCode)
            notes()
            cbc("TaxPointDate", inv.vatPointDate?.isoString)
        }
        required("DocumentCurrencyCode", inv.currencyCode)
        cbc("TaxCurrencyCode", inv.vatAccountingCurrencyCode)
        cbc("AccountingCost", inv.buyerAccountingReference)
        cbc("BuyerReference", inv.buyerReference)
        if inv.invoicingPeriod != nil || inv.vatPointDateCode != nil {
            cac("InvoicePeriod") { me in
                me.cbc("StartDate", inv.invoicingPeriod?.startDate?.isoString)
                me.cbc("EndDate", inv.invoicingPeriod?.endDate?.isoString)
                me.cbc("DescriptionCode", inv.vatPointDateCode.map { VATPointDateCode.ciiToUBL[$0] ?? $0 })
            }
        }
        if inv.purchaseOrderReference != nil || inv.salesOrderReference != nil {
            cac("OrderReference") { me in
                me.cbc("ID", inv.purchaseOrderReference ?? "NA")
                me.cbc("SalesOrderID", inv.salesOrderReference)
            }
        }
        for preceding in inv.precedingInvoices {
            cac("BillingReference") { me in
                me.cac("InvoiceDocumentReference") { me in
                    me.required("ID", preceding.reference)
                    me.cbc("IssueDate", preceding.issueDate?.isoString)
                    me.cbc("DocumentTypeCode", preceding.typeCode)
                }
            }
        }
        reference("DespatchDocumentReference", inv.despatchAdviceReference)
        reference("ReceiptDocumentReference", inv.receivingAdviceReference)
        if isCreditNote {
            reference("ContractDocumentReference", inv.contractReference)
            additionalDocumentReferences()
            reference("OriginatorDocumentReference", inv.tenderOrLotReference)
        } else {
            reference("OriginatorDocumentReference", inv.tenderOrLotReference)
            reference("ContractDocumentReference", inv.contractReference)
            additionalDocumentReferences()
            reference("ProjectReference", inv.projectReference)
        }

        let creditor = inv.paymentInstructions?.directDebit?.creditorIdentifier
        cac("AccountingSupplierParty") { me in me.seller(inv.seller, creditor: inv.payee == nil ? creditor : nil) }
        cac("AccountingCustomerParty") { me in me.buyer(inv.buyer) }
        if let payee = inv.payee {
            cac("PayeeParty") { me in me.payee(payee, creditor: creditor) }
        }
        if let rep = inv.sellerTaxRepresentative {
            cac("TaxRepresentativeParty") { me in
                if !rep.name.isEmpty { me.cac("PartyName") { $0.cbc("Name", rep.name) } }
                me.address("PostalAddress", rep.postalAddress)
                if !rep.vatIdentifier.isEmpty { me.partyTaxScheme(rep.vatIdentifier, scheme: "VAT") }
            }
        }
        if let delivery = inv.delivery { self.delivery(delivery) }
        if let payment = inv.paymentInstructions { paymentMeans(payment) }
        if let terms = inv.paymentTerms {
            cac("PaymentTerms") { $0.cbc("Note", terms) }
        }
        for ac in inv.allowanceCharges { allowanceCharge(ac, documentLevel: true) }
        taxTotals()
        cac("LegalMonetaryTotal") { me in
            let t = inv.totals
            me.amount("LineExtensionAmount", t.sumOfLineNetAmounts)
            me.amount("TaxExclusiveAmount", t.totalWithoutVAT)
            me.amount("TaxInclusiveAmount", t.totalWithVAT)
            me.amount("AllowanceTotalAmount", t.sumOfAllowances)
            me.amount("ChargeTotalAmount", t.sumOfCharges)
            me.amount("PrepaidAmount", t.paidAmount)
            me.amount("PayableRoundingAmount", t.roundingAmount)
            me.amount("PayableAmount", t.amountDueForPayment)
        }
        for l in inv.lines { line(l) }
        w.end()
        return w.data
    }

    private mutating func notes() {
        for note in invoice.notes {
            cbc("Note", note.subjectCode.map { "#\($0)#" + note.text } ?? note.text)
        }
    }

    private mutating func reference(_ name: String, _ value: String?) {
        guard let value else { return }
        cac(name) { $0.cbc("ID", value) }
    }

    private mutating func additionalDocumentReferences() {
        let inv = invoice
        if isCreditNote, let project = inv.projectReference {
            cac("AdditionalDocumentReference") { me in
                me.cbc("ID", project)
                me.cbc("DocumentTypeCode", "50")
            }
        }
        if let object = inv.invoicedObjectIdentifier {
            cac("AdditionalDocumentReference") { me in
                me.id("ID", object)
                me.cbc("DocumentTypeCode", "130")
            }
        }
        for doc in inv.supportingDocuments {
            cac("AdditionalDocumentReference") { me in
                me.required("ID", doc.reference)
                me.cbc("DocumentDescription", doc.description)
                if doc.attachment != nil || doc.externalLocation != nil {
                    me.cac("Attachment") { me in
                        if let a = doc.attachment {
                            me.cbc("EmbeddedDocumentBinaryObject", a.data.base64EncodedString(),
                                   [("mimeCode", a.mimeCode), ("filename", a.filename)])
                        }
                        if let url = doc.externalLocation {
                            me.cac("ExternalReference") { $0.cbc("URI", url) }
                        }
                    }
                }
            }
        }
    }

    // MARK: Parties

    /// An address with nothing in it is how the model holds a missing BG-5, BG-8 or BG-12: writing an empty
    /// element would hide that from the rules that require the group (BR-08, BR-10, BR-19).
    private mutating func address(_ name: String, _ a: PostalAddress) {
        guard a != PostalAddress() else { return }
        cac(name) { me in
            me.cbc("StreetName", a.line1)
            me.cbc("AdditionalStreetName", a.line2)
            me.cbc("CityName", a.city)
            me.cbc("PostalZone", a.postCode)
            me.cbc("CountrySubentity", a.countrySubdivision)
            if let line3 = a.line3 { me.cac("AddressLine") { $0.cbc("Line", line3) } }
            if !a.countryCode.isEmpty { me.cac("Country") { $0.cbc("IdentificationCode", a.countryCode) } }
        }
    }

    private mutating func partyTaxScheme(_ companyID: String, scheme: String) {
        cac("PartyTaxScheme") { me in
            me.cbc("CompanyID", companyID)
            me.cac("TaxScheme") { $0.cbc("ID", scheme) }
        }
    }

    private mutating func contact(_ c: Contact?) {
        guard let c else { return }
        cac("Contact") { me in
            me.cbc("Name", c.name)
            me.cbc("Telephone", c.telephone)
            me.cbc("ElectronicMail", c.email)
        }
    }

    private mutating func partyIdentification(_ identifier: Identifier) {
        cac("PartyIdentification") { $0.id("ID", identifier) }
    }

    private mutating func seller(_ s: Seller, creditor: String?) {
        cac("Party") { me in
            me.id("EndpointID", s.electronicAddress)
            for identifier in s.identifiers { me.partyIdentification(identifier) }
            if let creditor { me.partyIdentification(Identifier(creditor, scheme: "SEPA")) }
            if let trading = s.tradingName { me.cac("PartyName") { $0.cbc("Name", trading) } }
            me.address("PostalAddress", s.postalAddress)
            if let vat = s.vatIdentifier { me.partyTaxScheme(vat, scheme: "VAT") }
            // BT-32 is any tax scheme other than VAT in the binding; "TAX" is the usual name.
            if let tax = s.taxRegistrationIdentifier { me.partyTaxScheme(tax, scheme: "TAX") }
            me.cac("PartyLegalEntity") { me in
                me.required("RegistrationName", s.name)
                me.id("CompanyID", s.legalRegistrationIdentifier)
                me.cbc("CompanyLegalForm", s.additionalLegalInformation)
            }
            me.contact(s.contact)
        }
    }

    private mutating func buyer(_ b: Buyer) {
        cac("Party") { me in
            me.id("EndpointID", b.electronicAddress)
            if let identifier = b.identifier { me.partyIdentification(identifier) }
            if let trading = b.tradingName { me.cac("PartyName") { $0.cbc("Name", trading) } }
            me.address("PostalAddress", b.postalAddress)
            if let vat = b.vatIdentifier { me.partyTaxScheme(vat, scheme: "VAT") }
            me.cac("PartyLegalEntity") { me in
                me.required("RegistrationName", b.name)
                me.id("CompanyID", b.legalRegistrationIdentifier)
            }
            me.contact(b.contact)
        }
    }

    private mutating func payee(_ p: Payee, creditor: String?) {
        if let identifier = p.identifier { partyIdentification(identifier) }
        if let creditor { partyIdentification(Identifier(creditor, scheme: "SEPA")) }
        if !p.name.isEmpty { cac("PartyName") { $0.cbc("Name", p.name) } }
        if let legal = p.legalRegistrationIdentifier {
            cac("PartyLegalEntity") { $0.id("CompanyID", legal) }
        }
    }

    private mutating func delivery(_ d: DeliveryInformation) {
        cac("Delivery") { me in
            me.cbc("ActualDeliveryDate", d.actualDeliveryDate?.isoString)
            if d.locationIdentifier != nil || d.address != nil {
                me.cac("DeliveryLocation") { me in
                    me.id("ID", d.locationIdentifier)
                    if let a = d.address { me.address("Address", a) }
                }
            }
            if let name = d.partyName {
                me.cac("DeliveryParty") { me in me.cac("PartyName") { $0.cbc("Name", name) } }
            }
        }
    }

    // MARK: Payment

    /// One `PaymentMeans` per account (BG-17), all with the same code and payment reference (UBL-SR-44,
    /// UBL-SR-47); the means text, card, mandate and a credit note's due date once, on the first.
    private mutating func paymentMeans(_ p: PaymentInstructions) {
        let accounts: [CreditTransfer?] = p.creditTransfers.isEmpty ? [nil] : p.creditTransfers.map { $0 }
        for (index, account) in accounts.enumerated() {
            let first = index == 0
            cac("PaymentMeans") { me in
                me.required("PaymentMeansCode", p.meansTypeCode, first ? (p.meansText.map { [("name", $0)] } ?? []) : [])
                if first && me.isCreditNote { me.cbc("PaymentDueDate", me.invoice.paymentDueDate?.isoString) }
                me.cbc("PaymentID", p.remittanceInformation)
                if first, let card = p.paymentCard {
                    me.cac("CardAccount") { me in
                        me.required("PrimaryAccountNumberID", card.primaryAccountNumber)
                        me.cbc("NetworkID", "NA")
                        me.cbc("HolderName", card.holderName)
                    }
                }
                if let account {
                    me.cac("PayeeFinancialAccount") { me in
                        me.required("ID", account.accountIdentifier)
                        me.cbc("Name", account.accountName)
                        if let bic = account.serviceProviderIdentifier {
                            me.cac("FinancialInstitutionBranch") { $0.cbc("ID", bic) }
                        }
                    }
                }
                if first, let debit = p.directDebit, debit.mandateReference != nil || debit.debitedAccountIdentifier != nil {
                    me.cac("PaymentMandate") { me in
                        me.cbc("ID", debit.mandateReference)
                        if let account = debit.debitedAccountIdentifier {
                            me.cac("PayerFinancialAccount") { $0.cbc("ID", account) }
                        }
                    }
                }
            }
        }
    }

    // MARK: Allowances, charges, VAT

    /// `code` nil writes no ID: breakdowns and lines pass nil for their "" (missing) category, while an
    /// allowance's optional category is written as it is.
    private mutating func taxCategory(_ name: String, code: String?, rate: Decimal?,
                                      exemptionCode: String? = nil, exemptionReason: String? = nil) {
        cac(name) { me in
            me.cbc("ID", code)
            me.cbc("Percent", rate?.plainString)
            me.cbc("TaxExemptionReasonCode", exemptionCode)
            me.cbc("TaxExemptionReason", exemptionReason)
            me.cac("TaxScheme") { $0.cbc("ID", "VAT") }
        }
    }

    private mutating func allowanceCharge(_ ac: AllowanceCharge, documentLevel: Bool) {
        cac("AllowanceCharge") { me in
            me.cbc("ChargeIndicator", ac.isCharge ? "true" : "false")
            me.cbc("AllowanceChargeReasonCode", ac.reasonCode)
            me.cbc("AllowanceChargeReason", ac.reason)
            me.cbc("MultiplierFactorNumeric", ac.percentage?.plainString)
            // Amount is mandatory in UBL; when only base and percentage are known (a draft) it follows from
            // them. With neither, nothing is written: an invented 0 would hide the defect from BR-31/BR-36.
            let derived = ac.baseAmount.flatMap { base in ac.percentage.map { (base * $0 / 100).rounded(scale: 2) } }
            me.amount("Amount", ac.amount ?? derived)
            me.amount("BaseAmount", ac.baseAmount)
            if documentLevel, ac.vatCategoryCode != nil || ac.vatRate != nil {
                me.taxCategory("TaxCategory", code: ac.vatCategoryCode, rate: ac.vatRate)
            }
        }
    }

    private mutating func taxTotals() {
        let inv = invoice
        let total = inv.totals.totalVAT ?? (inv.vatBreakdown.isEmpty ? nil : inv.vatBreakdown.reduce(0) { $0 + $1.taxAmount })
        if let total {
            cac("TaxTotal") { me in
                me.amount("TaxAmount", total)
                for vat in inv.vatBreakdown {
                    me.cac("TaxSubtotal") { me in
                        me.amount("TaxableAmount", vat.taxableAmount)
                        me.amount("TaxAmount", vat.taxAmount)
                        me.taxCategory("TaxCategory", code: vat.categoryCode.isEmpty ? nil : vat.categoryCode, rate: vat.rate,
                                       exemptionCode: vat.exemptionReasonCode, exemptionReason: vat.exemptionReason)
                    }
                }
            }
        }
        if let accounting = inv.totals.totalVATInAccountingCurrency {
            cac("TaxTotal") { me in
                me.cbc("TaxAmount", me.amount(accounting), [("currencyID", inv.vatAccountingCurrencyCode ?? inv.currencyCode)])
            }
        }
    }

    // MARK: Lines

    private mutating func line(_ l: InvoiceLine) {
        cac(isCreditNote ? "CreditNoteLine" : "InvoiceLine") { me in
            me.required("ID", l.identifier)
            me.cbc("Note", l.note)
            me.cbc(me.isCreditNote ? "CreditedQuantity" : "InvoicedQuantity", l.quantity.plainString,
                   l.unitCode.isEmpty ? [] : [("unitCode", l.unitCode)])
            me.amount("LineExtensionAmount", l.netAmount)
            me.cbc("AccountingCost", l.buyerAccountingReference)
            if let period = l.period {
                me.cac("InvoicePeriod") { me in
                    me.cbc("StartDate", period.startDate?.isoString)
                    me.cbc("EndDate", period.endDate?.isoString)
                }
            }
            if let order = l.orderLineReference { me.cac("OrderLineReference") { $0.cbc("LineID", order) } }
            if let object = l.objectIdentifier {
                me.cac("DocumentReference") { me in
                    me.id("ID", object)
                    me.cbc("DocumentTypeCode", "130")
                }
            }
            for ac in l.allowanceCharges { me.allowanceCharge(ac, documentLevel: false) }
            me.item(l)
            me.cac("Price") { me in
                let price = l.price
                me.cbc("PriceAmount", price.netPrice.plainString, me.currency)
                if let base = price.baseQuantity {
                    me.cbc("BaseQuantity", base.plainString, price.baseQuantityUnitCode.map { [("unitCode", $0)] } ?? [])
                }
                if price.discount != nil || price.grossPrice != nil {
                    me.cac("AllowanceCharge") { me in
                        me.cbc("ChargeIndicator", "false")
                        let discount = price.discount ?? (price.grossPrice.map { $0 - price.netPrice } ?? 0)
                        me.cbc("Amount", discount.plainString, me.currency)
                        if let gross = price.grossPrice { me.cbc("BaseAmount", gross.plainString, me.currency) }
                    }
                }
            }
        }
    }

    private mutating func item(_ l: InvoiceLine) {
        let item = l.item
        cac("Item") { me in
            me.cbc("Description", item.description)
            me.required("Name", item.name)
            if let id = item.buyerIdentifier { me.cac("BuyersItemIdentification") { $0.cbc("ID", id) } }
            if let id = item.sellerIdentifier { me.cac("SellersItemIdentification") { $0.cbc("ID", id) } }
            if let id = item.standardIdentifier { me.cac("StandardItemIdentification") { $0.id("ID", id) } }
            if let country = item.countryOfOrigin { me.cac("OriginCountry") { $0.cbc("IdentificationCode", country) } }
            for c in item.classificationIdentifiers {
                me.cac("CommodityClassification") { me in
                    var attributes: [(String, String)] = []
                    if let scheme = c.scheme { attributes.append(("listID", scheme)) }
                    if let version = c.schemeVersion { attributes.append(("listVersionID", version)) }
                    me.cbc("ItemClassificationCode", c.value, attributes)
                }
            }
            me.taxCategory("ClassifiedTaxCategory", code: l.vat.categoryCode.isEmpty ? nil : l.vat.categoryCode, rate: l.vat.rate)
            for attribute in item.attributes {
                me.cac("AdditionalItemProperty") { me in
                    me.required("Name", attribute.name)
                    me.required("Value", attribute.value)
                }
            }
        }
    }
}
