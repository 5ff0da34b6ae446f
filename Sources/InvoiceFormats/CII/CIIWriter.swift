import Foundation
import InvoiceModel

extension CII {
    /// Writes CII D16B in the element order the schema requires.
    ///
    /// With a `profile`, BT-24 becomes that profile's specification identifier and only the elements the
    /// profile allows are written. Without one, BT-24 is kept and every term the model holds is written, so
    /// that a document read and written again keeps all it said, defects included. Two terms the model cannot
    /// hold as absent are left out when they stand for nothing: an address with no field at all, and BT-106
    /// of an invoice that declares MINIMUM (the one profile without it) and has no lines, read back as zero.
    public static func write(_ invoice: Invoice, profile: FacturXProfile? = nil) -> Data {
        var writer = CIIWriter(invoice: invoice, profile: profile)
        return writer.write()
    }

    /// BT-8: UBL uses UNTDID 2005 (3 invoice date, 35 delivery date, 432 payment date), CII UNTDID 2475
    /// (5, 29, 72). Codes already in 2475, or unknown, pass through so validation can report them.
    public static func untdid2475(fromVATPointDateCode code: String) -> String {
        switch code {
        case "3": return "5"
        case "35": return "29"
        case "432": return "72"
        default: return code
        }
    }
}

struct CIIWriter {
    let inv: Invoice
    /// The profile whose limits apply and whose BT-24 is written (see `CII.write`); nil writes everything.
    let profile: FacturXProfile?
    var w = XMLWriter(namespaces: [
        ("rsm", Namespace.rsm), ("qdt", Namespace.qdt), ("ram", Namespace.ram), ("udt", Namespace.udt),
    ])

    init(invoice: Invoice, profile: FacturXProfile?) {
        inv = invoice
        self.profile = profile
    }

    private static func rank(_ p: FacturXProfile) -> Int {
        switch p {
        case .minimum: return 0
        case .basicWL: return 1
        case .basic: return 2
        case .en16931: return 3
        case .extended: return 4
        }
    }

    /// Whether the profile in force includes what `p` and larger profiles allow.
    private func allows(_ p: FacturXProfile) -> Bool {
        guard let profile else { return true }
        return Self.rank(profile) >= Self.rank(p)
    }

    // MARK: Document

    mutating func write() -> Data {
        w.start("rsm:CrossIndustryInvoice")
        w.start("rsm:ExchangedDocumentContext")
        if let bp = inv.processControl.businessProcessType {
            w.start("ram:BusinessProcessSpecifiedDocumentContextParameter")
            w.leaf("ram:ID", bp)
            w.end()
        }
        w.start("ram:GuidelineSpecifiedDocumentContextParameter")
        w.leaf("ram:ID", (profile?.specificationIdentifier ?? inv.processControl.specificationIdentifier).nonEmpty)
        w.end()
        w.end()

        w.start("rsm:ExchangedDocument")
        w.leaf("ram:ID", inv.invoiceNumber.nonEmpty)
        w.leaf("ram:TypeCode", inv.typeCode.nonEmpty)
        if let issue = inv.issueDate { dateTime("ram:IssueDateTime", issue) }
        if allows(.basicWL) {
            for note in inv.notes {
                w.start("ram:IncludedNote")
                w.leaf("ram:Content", note.text.nonEmpty)
                w.leaf("ram:SubjectCode", note.subjectCode)
                w.end()
            }
        }
        w.end()

        w.start("rsm:SupplyChainTradeTransaction")
        if allows(.basic) {
            for line in inv.lines { writeLine(line) }
        }
        writeAgreement()
        writeDelivery()
        writeSettlement()
        w.end()
        w.end()
        return w.data
    }

    // MARK: Header trade agreement

    private mutating func writeAgreement() {
        w.start("ram:ApplicableHeaderTradeAgreement")
        w.leaf("ram:BuyerReference", inv.buyerReference)
        let s = inv.seller
        writeParty("ram:SellerTradeParty", identifiers: s.identifiers, name: s.name.nonEmpty,
                   description: s.additionalLegalInformation, legal: s.legalRegistrationIdentifier,
                   tradingName: s.tradingName, contact: s.contact, address: s.postalAddress,
                   electronicAddress: s.electronicAddress, vat: s.vatIdentifier, taxRegistration: s.taxRegistrationIdentifier,
                   sellerAddress: true)
        let b = inv.buyer
        writeParty("ram:BuyerTradeParty", identifiers: b.identifier.map { [$0] } ?? [], name: b.name.nonEmpty,
                   description: nil, legal: b.legalRegistrationIdentifier,
                   tradingName: allows(.en16931) ? b.tradingName : nil,
                   contact: b.contact, address: b.postalAddress, electronicAddress: b.electronicAddress,
                   vat: allows(.basicWL) ? b.vatIdentifier : nil, taxRegistration: nil, sellerAddress: false)
        if allows(.basicWL), let t = inv.sellerTaxRepresentative {
            writeParty("ram:SellerTaxRepresentativeTradeParty", identifiers: [], name: t.name.nonEmpty, description: nil,
                       legal: nil, tradingName: nil, contact: nil, address: t.postalAddress, electronicAddress: nil,
                       vat: t.vatIdentifier.nonEmpty, taxRegistration: nil, sellerAddress: false)
        }
        if allows(.en16931) { reference("ram:SellerOrderReferencedDocument", inv.salesOrderReference) }
        reference("ram:BuyerOrderReferencedDocument", inv.purchaseOrderReference)
        if allows(.basicWL) { reference("ram:ContractReferencedDocument", inv.contractReference) }
        if allows(.en16931) {
            for doc in inv.supportingDocuments {
                w.start("ram:AdditionalReferencedDocument")
                w.leaf("ram:IssuerAssignedID", doc.reference.nonEmpty)
                w.leaf("ram:URIID", doc.externalLocation)
                w.leaf("ram:TypeCode", "916")
                w.leaf("ram:Name", doc.description)
                if let a = doc.attachment {
                    w.leaf("ram:AttachmentBinaryObject", a.data.base64EncodedString(),
                           [("mimeCode", a.mimeCode), ("filename", a.filename)])
                }
                w.end()
            }
            if let tender = inv.tenderOrLotReference {
                w.start("ram:AdditionalReferencedDocument")
                w.leaf("ram:IssuerAssignedID", tender)
                w.leaf("ram:TypeCode", "50")
                w.end()
            }
            if let object = inv.invoicedObjectIdentifier {
                w.start("ram:AdditionalReferencedDocument")
                w.leaf("ram:IssuerAssignedID", object.value)
                w.leaf("ram:TypeCode", "130")
                w.leaf("ram:ReferenceTypeCode", object.scheme)
                w.end()
            }
            if let project = inv.projectReference {
                w.start("ram:SpecifiedProcuringProject")
                w.leaf("ram:ID", project)
                // The schema requires a name the model does not have; the CII binding suggests this one.
                w.leaf("ram:Name", "Project reference")
                w.end()
            }
        }
        w.end()
    }

    // MARK: Header trade delivery

    private mutating func writeDelivery() {
        w.start("ram:ApplicableHeaderTradeDelivery")
        if allows(.basicWL), let d = inv.delivery {
            if d.partyName != nil || d.locationIdentifier != nil || d.address != nil {
                writeParty("ram:ShipToTradeParty", identifiers: d.locationIdentifier.map { [$0] } ?? [],
                           name: d.partyName, description: nil, legal: nil, tradingName: nil, contact: nil,
                           address: d.address, electronicAddress: nil, vat: nil, taxRegistration: nil,
                           sellerAddress: false)
            }
            if let date = d.actualDeliveryDate {
                w.start("ram:ActualDeliverySupplyChainEvent")
                dateTime("ram:OccurrenceDateTime", date)
                w.end()
            }
        }
        if allows(.basicWL) { reference("ram:DespatchAdviceReferencedDocument", inv.despatchAdviceReference) }
        if allows(.en16931) { reference("ram:ReceivingAdviceReferencedDocument", inv.receivingAdviceReference) }
        w.end()
    }

    // MARK: Header trade settlement

    private mutating func writeSettlement() {
        w.start("ram:ApplicableHeaderTradeSettlement")
        let pi = allows(.basicWL) ? inv.paymentInstructions : nil
        w.leaf("ram:CreditorReferenceID", pi?.directDebit?.creditorIdentifier)
        w.leaf("ram:PaymentReference", pi?.remittanceInformation)
        if allows(.basicWL) { w.leaf("ram:TaxCurrencyCode", inv.vatAccountingCurrencyCode) }
        w.leaf("ram:InvoiceCurrencyCode", inv.currencyCode.nonEmpty)
        if allows(.basicWL), let payee = inv.payee {
            writeParty("ram:PayeeTradeParty", identifiers: payee.identifier.map { [$0] } ?? [], name: payee.name.nonEmpty,
                       description: nil, legal: payee.legalRegistrationIdentifier, tradingName: nil, contact: nil,
                       address: nil, electronicAddress: nil, vat: nil, taxRegistration: nil, sellerAddress: false)
        }
        if let pi { writePaymentMeans(pi) }
        if allows(.basicWL) {
            let vatCode = inv.vatPointDateCode.map(CII.untdid2475(fromVATPointDateCode:))
            // BT-7 and BT-8 are written once, on the first breakdown: CII-SR-461 allows a single TaxPointDate.
            for (index, vat) in inv.vatBreakdown.enumerated() {
                w.start("ram:ApplicableTradeTax")
                w.leaf("ram:CalculatedAmount", amount(vat.taxAmount))
                w.leaf("ram:TypeCode", "VAT")
                w.leaf("ram:ExemptionReason", vat.exemptionReason)
                w.leaf("ram:BasisAmount", amount(vat.taxableAmount))
                w.leaf("ram:CategoryCode", vat.categoryCode.nonEmpty)
                w.leaf("ram:ExemptionReasonCode", vat.exemptionReasonCode)
                if index == 0, allows(.en16931), let date = inv.vatPointDate {
                    w.start("ram:TaxPointDate")
                    w.leaf("udt:DateString", date.cii102String, [("format", "102")])
                    w.end()
                }
                if index == 0 { w.leaf("ram:DueDateTypeCode", vatCode) }
                w.leaf("ram:RateApplicablePercent", vat.rate.map { CII.plain($0) })
                w.end()
            }
            if let p = inv.invoicingPeriod { period(p) }
            for ac in inv.allowanceCharges { allowanceCharge(ac, documentLevel: true) }
            let mandate = pi?.directDebit?.mandateReference
            if inv.paymentTerms != nil || inv.paymentDueDate != nil || mandate != nil {
                w.start("ram:SpecifiedTradePaymentTerms")
                w.leaf("ram:Description", inv.paymentTerms)
                if let due = inv.paymentDueDate { dateTime("ram:DueDateDateTime", due) }
                w.leaf("ram:DirectDebitMandateID", mandate)
                w.end()
            }
        }
        writeTotals()
        if allows(.basicWL) {
            for ref in inv.precedingInvoices {
                w.start("ram:InvoiceReferencedDocument")
                w.leaf("ram:IssuerAssignedID", ref.reference.nonEmpty)
                if allows(.extended) { w.leaf("ram:TypeCode", ref.typeCode) }
                if let date = ref.issueDate {
                    w.start("ram:FormattedIssueDateTime")
                    w.leaf("qdt:DateTimeString", date.cii102String, [("format", "102")])
                    w.end()
                }
                w.end()
            }
            if let account = inv.buyerAccountingReference {
                w.start("ram:ReceivableSpecifiedTradeAccountingAccount")
                w.leaf("ram:ID", account)
                w.end()
            }
        }
        w.end()
    }

    /// BG-16. CII has one `SpecifiedTradeSettlementPaymentMeans` per creditor account, so several BG-17
    /// repeat the means code; the card and the debited account go with the first.
    private mutating func writePaymentMeans(_ pi: PaymentInstructions) {
        let debited = pi.directDebit?.debitedAccountIdentifier
        let card = allows(.en16931) ? pi.paymentCard : nil
        let hasMeans = !pi.meansTypeCode.isEmpty || pi.meansText != nil || card != nil || debited != nil
            || !pi.creditTransfers.isEmpty
        guard hasMeans else { return }
        let count = max(1, pi.creditTransfers.count)
        for i in 0..<count {
            w.start("ram:SpecifiedTradeSettlementPaymentMeans")
            w.leaf("ram:TypeCode", pi.meansTypeCode.nonEmpty)
            if allows(.en16931) { w.leaf("ram:Information", pi.meansText) }
            if i == 0, let card {
                w.start("ram:ApplicableTradeSettlementFinancialCard")
                w.leaf("ram:ID", card.primaryAccountNumber.nonEmpty)
                w.leaf("ram:CardholderName", card.holderName)
                w.end()
            }
            if i == 0, let debited {
                w.start("ram:PayerPartyDebtorFinancialAccount")
                w.leaf("ram:IBANID", debited)
                w.end()
            }
            if i < pi.creditTransfers.count {
                let ct = pi.creditTransfers[i]
                w.start("ram:PayeePartyCreditorFinancialAccount")
                if !ct.isProprietaryAccountIdentifier { w.leaf("ram:IBANID", ct.accountIdentifier.nonEmpty) }
                if allows(.en16931) { w.leaf("ram:AccountName", ct.accountName) }
                if ct.isProprietaryAccountIdentifier { w.leaf("ram:ProprietaryID", ct.accountIdentifier.nonEmpty) }
                w.end()
                if allows(.en16931), let bic = ct.serviceProviderIdentifier {
                    w.start("ram:PayeeSpecifiedCreditorFinancialInstitution")
                    w.leaf("ram:BICID", bic)
                    w.end()
                }
            }
            w.end()
        }
    }

    private mutating func writeTotals() {
        let t = inv.totals
        w.start("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
        let minimumWithoutBT106 = profile == nil && inv.lines.isEmpty && t.sumOfLineNetAmounts == 0
            && FacturXProfile(specificationIdentifier: inv.processControl.specificationIdentifier) == .minimum
        if allows(.basicWL) {
            if !minimumWithoutBT106 { w.leaf("ram:LineTotalAmount", amount(t.sumOfLineNetAmounts)) }
            w.leaf("ram:ChargeTotalAmount", t.sumOfCharges.map(amount))
            w.leaf("ram:AllowanceTotalAmount", t.sumOfAllowances.map(amount))
        }
        w.leaf("ram:TaxBasisTotalAmount", amount(t.totalWithoutVAT))
        if let vat = t.totalVAT {
            w.leaf("ram:TaxTotalAmount", amount(vat), currency(inv.currencyCode))
        }
        // MINIMUM has no BT-6, and its rules refuse a TaxTotalAmount in a currency other than BT-5.
        if allows(.basicWL), let vat = t.totalVATInAccountingCurrency {
            w.leaf("ram:TaxTotalAmount", amount(vat), currency(inv.vatAccountingCurrencyCode ?? ""))
        }
        if allows(.en16931) { w.leaf("ram:RoundingAmount", t.roundingAmount.map(amount)) }
        w.leaf("ram:GrandTotalAmount", amount(t.totalWithVAT))
        if allows(.basicWL) { w.leaf("ram:TotalPrepaidAmount", t.paidAmount.map(amount)) }
        w.leaf("ram:DuePayableAmount", amount(t.amountDueForPayment))
        w.end()
    }

    // MARK: Lines

    private mutating func writeLine(_ line: InvoiceLine) {
        let full = allows(.en16931)
        w.start("ram:IncludedSupplyChainTradeLineItem")
        w.start("ram:AssociatedDocumentLineDocument")
        w.leaf("ram:LineID", line.identifier.nonEmpty)
        if let note = line.note {
            w.start("ram:IncludedNote")
            w.leaf("ram:Content", note)
            w.end()
        }
        w.end()

        let item = line.item
        w.start("ram:SpecifiedTradeProduct")
        if let id = item.standardIdentifier { w.leaf("ram:GlobalID", id.value, scheme(id.scheme)) }
        if full {
            w.leaf("ram:SellerAssignedID", item.sellerIdentifier)
            w.leaf("ram:BuyerAssignedID", item.buyerIdentifier)
        }
        w.leaf("ram:Name", item.name.nonEmpty)
        if full {
            w.leaf("ram:Description", item.description)
            for attribute in item.attributes {
                w.start("ram:ApplicableProductCharacteristic")
                w.leaf("ram:Description", attribute.name.nonEmpty)
                w.leaf("ram:Value", attribute.value.nonEmpty)
                w.end()
            }
            for c in item.classificationIdentifiers {
                var attributes: [(String, String)] = []
                if let s = c.scheme { attributes.append(("listID", s)) }
                if let v = c.schemeVersion { attributes.append(("listVersionID", v)) }
                w.start("ram:DesignatedProductClassification")
                w.leaf("ram:ClassCode", c.value, attributes)
                w.end()
            }
            if let origin = item.countryOfOrigin {
                w.start("ram:OriginTradeCountry")
                w.leaf("ram:ID", origin)
                w.end()
            }
        }
        w.end()

        let p = line.price
        w.start("ram:SpecifiedLineTradeAgreement")
        if full, let orderLine = line.orderLineReference {
            w.start("ram:BuyerOrderReferencedDocument")
            w.leaf("ram:LineID", orderLine)
            w.end()
        }
        // BT-147 lives inside the gross price: without BT-148 there is nowhere to put it.
        if let gross = p.grossPrice {
            w.start("ram:GrossPriceProductTradePrice")
            w.leaf("ram:ChargeAmount", CII.plain(gross))
            // The gross price is per the same base quantity as the net price (BT-149 qualifies both).
            if let q = p.baseQuantity {
                w.leaf("ram:BasisQuantity", CII.plain(q), p.baseQuantityUnitCode.map { [("unitCode", $0)] } ?? [])
            }
            if let discount = p.discount {
                w.start("ram:AppliedTradeAllowanceCharge")
                indicator(false)
                w.leaf("ram:ActualAmount", CII.plain(discount))
                w.end()
            }
            w.end()
        }
        w.start("ram:NetPriceProductTradePrice")
        w.leaf("ram:ChargeAmount", CII.plain(p.netPrice))
        if let q = p.baseQuantity {
            w.leaf("ram:BasisQuantity", CII.plain(q), p.baseQuantityUnitCode.map { [("unitCode", $0)] } ?? [])
        }
        w.end()
        w.end()

        w.start("ram:SpecifiedLineTradeDelivery")
        w.leaf("ram:BilledQuantity", CII.plain(line.quantity), line.unitCode.isEmpty ? [] : [("unitCode", line.unitCode)])
        w.end()

        w.start("ram:SpecifiedLineTradeSettlement")
        w.start("ram:ApplicableTradeTax")
        w.leaf("ram:TypeCode", "VAT")
        w.leaf("ram:CategoryCode", line.vat.categoryCode.nonEmpty)
        w.leaf("ram:RateApplicablePercent", line.vat.rate.map { CII.plain($0) })
        w.end()
        if let period = line.period { self.period(period) }
        for ac in line.allowanceCharges { allowanceCharge(ac, documentLevel: false) }
        w.start("ram:SpecifiedTradeSettlementLineMonetarySummation")
        w.leaf("ram:LineTotalAmount", amount(line.netAmount))
        w.end()
        if full, let object = line.objectIdentifier {
            w.start("ram:AdditionalReferencedDocument")
            w.leaf("ram:IssuerAssignedID", object.value)
            w.leaf("ram:TypeCode", "130")
            w.leaf("ram:ReferenceTypeCode", object.scheme)
            w.end()
        }
        if full, let account = line.buyerAccountingReference {
            w.start("ram:ReceivableSpecifiedTradeAccountingAccount")
            w.leaf("ram:ID", account)
            w.end()
        }
        w.end()
        w.end()
    }

    // MARK: Shared structures

    /// A `ram:TradePartyType` with what the profile in force allows of it. In MINIMUM only the seller keeps
    /// an address, its country (`sellerAddress`).
    private mutating func writeParty(_ element: String, identifiers: [Identifier], name: String?, description: String?,
                                     legal: Identifier?, tradingName: String?, contact: Contact?, address: PostalAddress?,
                                     electronicAddress: Identifier?, vat: String?, taxRegistration: String?,
                                     sellerAddress: Bool) {
        let wl = allows(.basicWL), full = allows(.en16931)
        w.start(element)
        if wl {
            for id in identifiers where id.scheme == nil { w.leaf("ram:ID", id.value) }
            for id in identifiers where id.scheme != nil { w.leaf("ram:GlobalID", id.value, scheme(id.scheme)) }
        }
        w.leaf("ram:Name", name)
        if full { w.leaf("ram:Description", description) }
        let trading = wl ? tradingName : nil
        if legal != nil || trading != nil {
            w.start("ram:SpecifiedLegalOrganization")
            if let legal { w.leaf("ram:ID", legal.value, scheme(legal.scheme)) }
            w.leaf("ram:TradingBusinessName", trading)
            w.end()
        }
        if full, let c = contact {
            w.start("ram:DefinedTradeContact")
            w.leaf("ram:PersonName", c.name)
            if let phone = c.telephone {
                w.start("ram:TelephoneUniversalCommunication")
                w.leaf("ram:CompleteNumber", phone)
                w.end()
            }
            if let email = c.email {
                w.start("ram:EmailURIUniversalCommunication")
                w.leaf("ram:URIID", email)
                w.end()
            }
            w.end()
        }
        // An address with nothing in it is the model's stand-in for an absent one: written only for the seller,
        // whose BG-5 every profile requires (MINIMUM too, country only), so that validation names the gap.
        if let a = address, a != PostalAddress() || sellerAddress, wl || sellerAddress {
            w.start("ram:PostalTradeAddress")
            if wl {
                w.leaf("ram:PostcodeCode", a.postCode)
                w.leaf("ram:LineOne", a.line1)
                w.leaf("ram:LineTwo", a.line2)
                w.leaf("ram:LineThree", a.line3)
                w.leaf("ram:CityName", a.city)
            }
            w.leaf("ram:CountryID", a.countryCode.nonEmpty)
            if wl { w.leaf("ram:CountrySubDivisionName", a.countrySubdivision) }
            w.end()
        }
        if wl, let e = electronicAddress {
            w.start("ram:URIUniversalCommunication")
            w.leaf("ram:URIID", e.value, scheme(e.scheme))
            w.end()
        }
        if let vat {
            w.start("ram:SpecifiedTaxRegistration")
            w.leaf("ram:ID", vat, [("schemeID", "VA")])
            w.end()
        }
        if let taxRegistration {
            w.start("ram:SpecifiedTaxRegistration")
            w.leaf("ram:ID", taxRegistration, [("schemeID", "FC")])
            w.end()
        }
        w.end()
    }

    private mutating func allowanceCharge(_ ac: AllowanceCharge, documentLevel: Bool) {
        w.start("ram:SpecifiedTradeAllowanceCharge")
        indicator(ac.isCharge)
        // BASIC lines carry allowance and charge amounts only, not how they were computed.
        if documentLevel || allows(.en16931) {
            w.leaf("ram:CalculationPercent", ac.percentage.map { CII.plain($0) })
            w.leaf("ram:BasisAmount", ac.baseAmount.map(amount))
        }
        // Mandatory in the schema; a model that only knows base and percentage has not been computed yet,
        // and the missing element lets validation say so rather than an invented amount.
        w.leaf("ram:ActualAmount", ac.amount.map(amount))
        w.leaf("ram:ReasonCode", ac.reasonCode)
        w.leaf("ram:Reason", ac.reason)
        // BASIC WL and BASIC require the tax category; EN 16931 leaves it to BR-32/BR-37 to report a missing one.
        if documentLevel && (ac.vatCategoryCode != nil || ac.vatRate != nil || !allows(.en16931)) {
            w.start("ram:CategoryTradeTax")
            w.leaf("ram:TypeCode", "VAT")
            w.leaf("ram:CategoryCode", ac.vatCategoryCode)
            w.leaf("ram:RateApplicablePercent", ac.vatRate.map { CII.plain($0) })
            w.end()
        }
        w.end()
    }

    private mutating func period(_ p: Period) {
        w.start("ram:BillingSpecifiedPeriod")
        if let s = p.startDate { dateTime("ram:StartDateTime", s) }
        if let e = p.endDate { dateTime("ram:EndDateTime", e) }
        w.end()
    }

    private mutating func reference(_ element: String, _ id: String?) {
        guard let id else { return }
        w.start(element)
        w.leaf("ram:IssuerAssignedID", id)
        w.end()
    }

    private mutating func dateTime(_ element: String, _ date: LocalDate) {
        w.start(element)
        w.leaf("udt:DateTimeString", date.cii102String, [("format", "102")])
        w.end()
    }

    private mutating func indicator(_ value: Bool) {
        w.start("ram:ChargeIndicator")
        w.leaf("udt:Indicator", value ? "true" : "false")
        w.end()
    }

    // MARK: Values

    /// Amounts keep every digit they have and at least cents, never an exponent.
    private func amount(_ value: Decimal) -> String { CII.plain(value, minFractionDigits: 2) }

    private func scheme(_ s: String?) -> [(String, String)] { s.map { [("schemeID", $0)] } ?? [] }

    private func currency(_ code: String) -> [(String, String)] { code.isEmpty ? [] : [("currencyID", code)] }
}

extension CII {
    /// Plain decimal notation: no exponent, no grouping, `.` separator, every digit kept, at least
    /// `minFractionDigits` fractional digits.
    ///
    /// `Decimal.description` gives exactly that on today's Foundation and is ten times faster than
    /// `formatted(minFractionDigits:)` (about 2 µs instead of 20 per number, most of the writing time);
    /// it is used only once read back to the same value without an exponent, else the exact slow path runs.
    public static func plain(_ value: Decimal, minFractionDigits: Int = 0) -> String {
        let text = value.description
        guard !text.contains(where: { !($0.isASCII && ($0.isNumber || $0 == "." || $0 == "-")) }),
              let back = Decimal(plain: text), back == value else {
            return value.formatted(minFractionDigits: minFractionDigits)
        }
        let fraction = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 } ?? 0
        guard fraction < minFractionDigits else { return text }
        return text + (fraction == 0 ? "." : "") + String(repeating: "0", count: minFractionDigits - fraction)
    }
}

extension String {
    /// The model keeps a missing mandatory text term as "" (see `Party.swift`); the writer then leaves the
    /// element out, so that the written document lacks it exactly as the source did.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
