import FacteurXML
import Foundation
import InvoiceModel

/// Maps a UBL 2.1 tree onto the model, term by term, following the XPaths of the CEN UBL binding.
///
/// Where UBL allows repetitions that EN 16931 does not (UBL-SR-* rules), the first occurrence is taken:
/// validation reports the extra ones on the source document.
struct UBLReader {
    let root: XMLElement
    private(set) var isCreditNote = false

    init(root: XMLElement) {
        self.root = root
    }

    private typealias E = XMLElement

    // MARK: Small accessors

    private func cac(_ e: E?, _ name: String) -> E? { e?.child(Namespace.cac, name) }
    private func cacs(_ e: E?, _ name: String) -> [E] { e?.children(Namespace.cac, name) ?? [] }
    private func cbc(_ e: E?, _ name: String) -> E? { e?.child(Namespace.cbc, name) }
    private func cbcs(_ e: E?, _ name: String) -> [E] { e?.children(Namespace.cbc, name) ?? [] }

    /// Text of an element, trimmed; nil when the element is absent. An element present but empty gives
    /// "", so that writing it back reproduces what validation saw.
    private func text(_ e: E?, _ name: String) -> String? { cbc(e, name)?.trimmedText }

    private func identifier(_ e: E?) -> Identifier? {
        guard let e else { return nil }
        return Identifier(e.trimmedText, scheme: e.attribute("schemeID"))
    }

    private func decimal(_ e: E?, _ term: String) throws(UBLReadError) -> Decimal? {
        guard let e else { return nil }
        let raw = e.trimmedText
        guard let value = Decimal(plain: raw) else {
            throw .invalidNumber(term: term, value: raw, path: e.path, line: e.line)
        }
        return value
    }

    private func decimal(_ parent: E?, _ name: String, _ term: String) throws(UBLReadError) -> Decimal? {
        try decimal(cbc(parent, name), term)
    }

    private func date(_ parent: E?, _ name: String, _ term: String) throws(UBLReadError) -> LocalDate? {
        guard let e = cbc(parent, name) else { return nil }
        let raw = e.trimmedText
        guard let value = LocalDate(iso: raw) else {
            throw .invalidDate(term: term, value: raw, path: e.path, line: e.line)
        }
        return value
    }

    private func isVAT(_ taxCategoryOrScheme: E) -> Bool {
        let scheme = cac(taxCategoryOrScheme, "TaxScheme")
        return text(scheme, "ID")?.uppercased() == "VAT"
    }

    // MARK: Document

    mutating func read() throws(UBLReadError) -> Invoice {
        guard let syntax = InvoiceSyntax(root: root.name), syntax != .cii else {
            throw .notUBL(root: root.localName, namespace: root.namespace, line: root.line)
        }
        isCreditNote = syntax == .ublCreditNote
        var inv = Invoice()
        inv.invoiceNumber = text(root, "ID") ?? ""
        inv.issueDate = try date(root, "IssueDate", "BT-2")
        inv.typeCode = text(root, isCreditNote ? "CreditNoteTypeCode" : "InvoiceTypeCode") ?? ""
        inv.currencyCode = text(root, "DocumentCurrencyCode") ?? ""
        inv.vatAccountingCurrencyCode = text(root, "TaxCurrencyCode")
        inv.vatPointDate = try date(root, "TaxPointDate", "BT-7")
        inv.buyerReference = text(root, "BuyerReference")
        inv.buyerAccountingReference = text(root, "AccountingCost")
        inv.notes = cbcs(root, "Note").map { Self.note($0.trimmedText) }
        inv.processControl = ProcessControl(businessProcessType: text(root, "ProfileID"),
                                            specificationIdentifier: text(root, "CustomizationID") ?? "")

        if let period = cac(root, "InvoicePeriod") {
            inv.vatPointDateCode = text(period, "DescriptionCode")
            inv.invoicingPeriod = try self.period(period)
        }
        if let order = cac(root, "OrderReference") {
            let id = text(order, "ID")
            let sales = text(order, "SalesOrderID")
            // OrderReference/ID is mandatory in UBL; "NA" is the agreed filler when only BT-14 is known.
            inv.purchaseOrderReference = (id == "NA" && sales != nil) ? nil : id
            inv.salesOrderReference = sales
        }
        for billing in cacs(root, "BillingReference") {
            guard let doc = cac(billing, "InvoiceDocumentReference") else { continue }
            inv.precedingInvoices.append(PrecedingInvoiceReference(
                reference: text(doc, "ID") ?? "", issueDate: try date(doc, "IssueDate", "BT-26"),
                typeCode: text(doc, "DocumentTypeCode")))
        }
        inv.despatchAdviceReference = text(cac(root, "DespatchDocumentReference"), "ID")
        inv.receivingAdviceReference = text(cac(root, "ReceiptDocumentReference"), "ID")
        inv.tenderOrLotReference = text(cac(root, "OriginatorDocumentReference"), "ID")
        inv.contractReference = text(cac(root, "ContractDocumentReference"), "ID")
        inv.projectReference = text(cac(root, "ProjectReference"), "ID")
        for ref in cacs(root, "AdditionalDocumentReference") {
            let code = text(ref, "DocumentTypeCode")
            if code == "130", inv.invoicedObjectIdentifier == nil {
                inv.invoicedObjectIdentifier = identifier(cbc(ref, "ID"))
            } else if code == "50", isCreditNote, inv.projectReference == nil {
                inv.projectReference = text(ref, "ID")
            } else {
                inv.supportingDocuments.append(try supportingDocument(ref))
            }
        }

        let sellerParty = cac(cac(root, "AccountingSupplierParty"), "Party")
        let payeeParty = cac(root, "PayeeParty")
        let paymentMeans = cacs(root, "PaymentMeans")
        // BT-90 has no place of its own: it is a party identifier with scheme SEPA, read into the direct
        // debit when there are payment instructions, and kept as an ordinary identifier otherwise.
        let sepaGoesToPayment = !paymentMeans.isEmpty
        var creditorIdentifier: String?
        inv.seller = try seller(sellerParty, sepaGoesToPayment: sepaGoesToPayment, creditor: &creditorIdentifier)
        inv.buyer = try buyer(cac(cac(root, "AccountingCustomerParty"), "Party"))
        if let payeeParty {
            inv.payee = payee(payeeParty, sepaGoesToPayment: sepaGoesToPayment, creditor: &creditorIdentifier)
        }
        if let rep = cac(root, "TaxRepresentativeParty") {
            inv.sellerTaxRepresentative = SellerTaxRepresentative(
                name: text(cac(rep, "PartyName"), "Name") ?? "",
                vatIdentifier: text(cac(rep, "PartyTaxScheme"), "CompanyID") ?? "",
                postalAddress: address(cac(rep, "PostalAddress")) ?? PostalAddress())
        }
        if let delivery = cac(root, "Delivery") {
            let location = cac(delivery, "DeliveryLocation")
            inv.delivery = DeliveryInformation(
                partyName: text(cac(cac(delivery, "DeliveryParty"), "PartyName"), "Name"),
                locationIdentifier: identifier(cbc(location, "ID")),
                actualDeliveryDate: try date(delivery, "ActualDeliveryDate", "BT-72"),
                address: address(cac(location, "Address")))
        }

        inv.paymentDueDate = try date(root, "DueDate", "BT-9")
        if !paymentMeans.isEmpty {
            inv.paymentInstructions = paymentInstructions(paymentMeans, creditorIdentifier: creditorIdentifier)
            if inv.paymentDueDate == nil {
                for means in paymentMeans {
                    if let due = try date(means, "PaymentDueDate", "BT-9") { inv.paymentDueDate = due; break }
                }
            }
        }
        inv.paymentTerms = text(cac(root, "PaymentTerms"), "Note")

        for e in cacs(root, "AllowanceCharge") { inv.allowanceCharges.append(try allowanceCharge(e, documentLevel: true)) }
        try readTaxTotals(&inv)
        let totals = cac(root, "LegalMonetaryTotal")
        inv.totals.sumOfLineNetAmounts = try decimal(totals, "LineExtensionAmount", "BT-106") ?? 0
        inv.totals.totalWithoutVAT = try decimal(totals, "TaxExclusiveAmount", "BT-109") ?? 0
        inv.totals.totalWithVAT = try decimal(totals, "TaxInclusiveAmount", "BT-112") ?? 0
        inv.totals.sumOfAllowances = try decimal(totals, "AllowanceTotalAmount", "BT-107")
        inv.totals.sumOfCharges = try decimal(totals, "ChargeTotalAmount", "BT-108")
        inv.totals.paidAmount = try decimal(totals, "PrepaidAmount", "BT-113")
        inv.totals.roundingAmount = try decimal(totals, "PayableRoundingAmount", "BT-114")
        inv.totals.amountDueForPayment = try decimal(totals, "PayableAmount", "BT-115") ?? 0

        for e in cacs(root, isCreditNote ? "CreditNoteLine" : "InvoiceLine") { inv.lines.append(try line(e)) }
        return inv
    }

    /// BT-21 travels in the text as `#CODE#text`, the convention of PEPPOL BIS and XRechnung.
    static func note(_ raw: String) -> Note {
        let scalars = Array(raw.unicodeScalars)
        if scalars.count >= 5, scalars[0] == "#", scalars[4] == "#",
           scalars[1...3].allSatisfy({ ("A"..."Z").contains($0) }) {
            let code = String(String.UnicodeScalarView(scalars[1...3]))
            return Note(String(String.UnicodeScalarView(scalars[5...])), subjectCode: code)
        }
        return Note(raw)
    }

    private func period(_ e: E) throws(UBLReadError) -> Period? {
        let start = try date(e, "StartDate", "BT-73")
        let end = try date(e, "EndDate", "BT-74")
        return start == nil && end == nil ? nil : Period(startDate: start, endDate: end)
    }

    private func supportingDocument(_ ref: E) throws(UBLReadError) -> SupportingDocument {
        var doc = SupportingDocument(reference: text(ref, "ID") ?? "", description: text(ref, "DocumentDescription"))
        let attachment = cac(ref, "Attachment")
        doc.externalLocation = text(cac(attachment, "ExternalReference"), "URI")
        if let object = cbc(attachment, "EmbeddedDocumentBinaryObject") {
            let compact = object.text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }
            guard let data = Data(base64Encoded: String(String.UnicodeScalarView(compact))) else {
                throw .invalidBinary(term: "BT-125", path: object.path, line: object.line)
            }
            doc.attachment = BinaryObject(data: data, mimeCode: object.attribute("mimeCode") ?? "",
                                          filename: object.attribute("filename") ?? "")
        }
        return doc
    }

    // MARK: Parties

    private func address(_ e: E?) -> PostalAddress? {
        guard let e else { return nil }
        return PostalAddress(line1: text(e, "StreetName"), line2: text(e, "AdditionalStreetName"),
                             line3: text(cac(e, "AddressLine"), "Line"), city: text(e, "CityName"),
                             postCode: text(e, "PostalZone"), countrySubdivision: text(e, "CountrySubentity"),
                             countryCode: text(cac(e, "Country"), "IdentificationCode") ?? "")
    }

    private func contact(_ party: E?) -> Contact? {
        guard let c = cac(party, "Contact") else { return nil }
        return Contact(name: text(c, "Name"), telephone: text(c, "Telephone"), email: text(c, "ElectronicMail"))
    }

    private func isSEPA(_ id: E) -> Bool { id.attribute("schemeID")?.uppercased() == "SEPA" }

    private func vatIdentifier(_ party: E?) -> String? {
        cacs(party, "PartyTaxScheme").first(where: isVAT).flatMap { text($0, "CompanyID") }
    }

    private func seller(_ party: E?, sepaGoesToPayment: Bool, creditor: inout String?) throws(UBLReadError) -> Seller {
        var s = Seller()
        let legal = cac(party, "PartyLegalEntity")
        s.name = text(legal, "RegistrationName") ?? ""
        s.tradingName = text(cac(party, "PartyName"), "Name")
        for pid in cacs(party, "PartyIdentification") {
            guard let id = cbc(pid, "ID") else { continue }
            if sepaGoesToPayment, isSEPA(id) {
                if creditor == nil { creditor = id.trimmedText }
            } else {
                s.identifiers.append(Identifier(id.trimmedText, scheme: id.attribute("schemeID")))
            }
        }
        s.legalRegistrationIdentifier = identifier(cbc(legal, "CompanyID"))
        s.additionalLegalInformation = text(legal, "CompanyLegalForm")
        s.vatIdentifier = vatIdentifier(party)
        s.taxRegistrationIdentifier = cacs(party, "PartyTaxScheme").first(where: { !isVAT($0) }).flatMap { text($0, "CompanyID") }
        s.electronicAddress = identifier(cbc(party, "EndpointID"))
        s.postalAddress = address(cac(party, "PostalAddress")) ?? PostalAddress()
        s.contact = contact(party)
        return s
    }

    private func buyer(_ party: E?) throws(UBLReadError) -> Buyer {
        var b = Buyer()
        let legal = cac(party, "PartyLegalEntity")
        b.name = text(legal, "RegistrationName") ?? ""
        b.tradingName = text(cac(party, "PartyName"), "Name")
        b.identifier = identifier(cbc(cac(party, "PartyIdentification"), "ID"))
        b.legalRegistrationIdentifier = identifier(cbc(legal, "CompanyID"))
        b.vatIdentifier = vatIdentifier(party)
        b.electronicAddress = identifier(cbc(party, "EndpointID"))
        b.postalAddress = address(cac(party, "PostalAddress")) ?? PostalAddress()
        b.contact = contact(party)
        return b
    }

    private func payee(_ party: E, sepaGoesToPayment: Bool, creditor: inout String?) -> Payee {
        var p = Payee(name: text(cac(party, "PartyName"), "Name") ?? "")
        for pid in cacs(party, "PartyIdentification") {
            guard let id = cbc(pid, "ID") else { continue }
            if sepaGoesToPayment, isSEPA(id) {
                if creditor == nil { creditor = id.trimmedText }
            } else if p.identifier == nil {
                p.identifier = identifier(id)
            }
        }
        p.legalRegistrationIdentifier = identifier(cbc(cac(party, "PartyLegalEntity"), "CompanyID"))
        return p
    }

    // MARK: Payment

    /// Several `PaymentMeans` are one BG-16 in EN 16931: the code and text of the first, every account
    /// (BG-17), the first card (BG-18) and mandate (BG-19).
    private func paymentInstructions(_ means: [E], creditorIdentifier: String?) -> PaymentInstructions {
        var p = PaymentInstructions(meansTypeCode: text(means[0], "PaymentMeansCode") ?? "")
        p.meansText = means.lazy.compactMap { self.cbc($0, "PaymentMeansCode")?.attribute("name") }.first
        p.remittanceInformation = means.lazy.compactMap { self.text($0, "PaymentID") }.first
        for m in means {
            for account in cacs(m, "PayeeFinancialAccount") {
                p.creditTransfers.append(CreditTransfer(
                    accountIdentifier: text(account, "ID") ?? "", accountName: text(account, "Name"),
                    serviceProviderIdentifier: text(cac(account, "FinancialInstitutionBranch"), "ID")))
            }
            if p.paymentCard == nil, let card = cac(m, "CardAccount") {
                p.paymentCard = PaymentCard(primaryAccountNumber: text(card, "PrimaryAccountNumberID") ?? "",
                                            holderName: text(card, "HolderName"))
            }
        }
        let mandate = means.lazy.compactMap { self.cac($0, "PaymentMandate") }.first
        if mandate != nil || creditorIdentifier != nil {
            p.directDebit = DirectDebit(mandateReference: text(mandate, "ID"), creditorIdentifier: creditorIdentifier,
                                        debitedAccountIdentifier: text(cac(mandate, "PayerFinancialAccount"), "ID"))
        }
        return p
    }

    // MARK: Allowances, charges, VAT

    private func allowanceCharge(_ e: E, documentLevel: Bool) throws(UBLReadError) -> AllowanceCharge {
        var ac = AllowanceCharge()
        if let indicator = cbc(e, "ChargeIndicator") {
            switch indicator.trimmedText {
            case "true", "1": ac.isCharge = true
            case "false", "0": ac.isCharge = false
            default: throw .invalidIndicator(value: indicator.trimmedText, path: indicator.path, line: indicator.line)
            }
        }
        let terms = documentLevel
            ? (ac.isCharge ? ["BT-99", "BT-100", "BT-101", "BT-103"] : ["BT-92", "BT-93", "BT-94", "BT-96"])
            : (ac.isCharge ? ["BT-141", "BT-142", "BT-143", ""] : ["BT-136", "BT-137", "BT-138", ""])
        ac.amount = try decimal(e, "Amount", terms[0])
        ac.baseAmount = try decimal(e, "BaseAmount", terms[1])
        ac.percentage = try decimal(e, "MultiplierFactorNumeric", terms[2])
        ac.reason = text(e, "AllowanceChargeReason")
        ac.reasonCode = text(e, "AllowanceChargeReasonCode")
        if documentLevel, let category = cac(e, "TaxCategory") {
            ac.vatCategoryCode = text(category, "ID")
            ac.vatRate = try decimal(category, "Percent", terms[3])
        }
        return ac
    }

    /// One TaxTotal in the invoice currency carries BT-110 and the breakdown; a second one, in the VAT
    /// accounting currency and without subtotals, carries BT-111.
    private func readTaxTotals(_ inv: inout Invoice) throws(UBLReadError) {
        let totals = cacs(root, "TaxTotal")
        guard !totals.isEmpty else { return }
        let currencyOf = { (t: E) in self.cbc(t, "TaxAmount")?.attribute("currencyID") }
        let main = totals.first(where: { !cacs($0, "TaxSubtotal").isEmpty })
            ?? totals.first(where: { currencyOf($0) != inv.vatAccountingCurrencyCode || inv.vatAccountingCurrencyCode == nil })
            ?? totals[0]
        inv.totals.totalVAT = try decimal(main, "TaxAmount", "BT-110")
        if let other = totals.first(where: { $0.index != main.index }) {
            inv.totals.totalVATInAccountingCurrency = try decimal(other, "TaxAmount", "BT-111")
        }
        for sub in cacs(main, "TaxSubtotal") {
            let category = cac(sub, "TaxCategory")
            inv.vatBreakdown.append(VATBreakdown(
                taxableAmount: try decimal(sub, "TaxableAmount", "BT-116") ?? 0,
                taxAmount: try decimal(sub, "TaxAmount", "BT-117") ?? 0,
                categoryCode: text(category, "ID") ?? "",
                rate: try decimal(category, "Percent", "BT-119"),
                exemptionReason: text(category, "TaxExemptionReason"),
                exemptionReasonCode: text(category, "TaxExemptionReasonCode")))
        }
    }

    // MARK: Lines

    private func line(_ e: E) throws(UBLReadError) -> InvoiceLine {
        var l = InvoiceLine()
        l.identifier = text(e, "ID") ?? ""
        l.note = text(e, "Note")
        if let q = cbc(e, isCreditNote ? "CreditedQuantity" : "InvoicedQuantity") {
            l.quantity = try decimal(q, "BT-129") ?? 0
            l.unitCode = q.attribute("unitCode") ?? ""
        } else {
            l.unitCode = ""
        }
        l.netAmount = try decimal(e, "LineExtensionAmount", "BT-131") ?? 0
        l.buyerAccountingReference = text(e, "AccountingCost")
        if let p = cac(e, "InvoicePeriod") {
            l.period = Period(startDate: try date(p, "StartDate", "BT-134"), endDate: try date(p, "EndDate", "BT-135"))
        }
        l.orderLineReference = text(cac(e, "OrderLineReference"), "LineID")
        // The binding asks for DocumentTypeCode 130; a reference without any type code can only be BT-128 too.
        let references = cacs(e, "DocumentReference")
        if let ref = references.first(where: { text($0, "DocumentTypeCode") == "130" })
            ?? references.first(where: { cbc($0, "DocumentTypeCode") == nil }) {
            l.objectIdentifier = identifier(cbc(ref, "ID"))
        }
        for a in cacs(e, "AllowanceCharge") { l.allowanceCharges.append(try allowanceCharge(a, documentLevel: false)) }

        let price = cac(e, "Price")
        l.price.netPrice = try decimal(price, "PriceAmount", "BT-146") ?? 0
        if let base = cbc(price, "BaseQuantity") {
            l.price.baseQuantity = try decimal(base, "BT-149")
            l.price.baseQuantityUnitCode = base.attribute("unitCode")
        }
        if let discount = cacs(price, "AllowanceCharge").first {
            l.price.discount = try decimal(discount, "Amount", "BT-147")
            l.price.grossPrice = try decimal(discount, "BaseAmount", "BT-148")
        }

        let item = cac(e, "Item")
        l.item.name = text(item, "Name") ?? ""
        l.item.description = text(item, "Description")
        l.item.buyerIdentifier = text(cac(item, "BuyersItemIdentification"), "ID")
        l.item.sellerIdentifier = text(cac(item, "SellersItemIdentification"), "ID")
        l.item.standardIdentifier = identifier(cbc(cac(item, "StandardItemIdentification"), "ID"))
        l.item.countryOfOrigin = text(cac(item, "OriginCountry"), "IdentificationCode")
        l.item.classificationIdentifiers = cacs(item, "CommodityClassification").compactMap { c in
            guard let code = cbc(c, "ItemClassificationCode") else { return nil }
            return ClassificationIdentifier(code.trimmedText, scheme: code.attribute("listID"),
                                            schemeVersion: code.attribute("listVersionID"))
        }
        let vat = cac(item, "ClassifiedTaxCategory")
        l.vat = LineVATInformation(categoryCode: text(vat, "ID") ?? "", rate: try decimal(vat, "Percent", "BT-152"))
        l.item.attributes = cacs(item, "AdditionalItemProperty").map {
            ItemAttribute(name: text($0, "Name") ?? "", value: text($0, "Value") ?? "")
        }
        return l
    }
}
