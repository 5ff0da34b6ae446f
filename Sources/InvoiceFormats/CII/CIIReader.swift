import FacteurXML
import Foundation
import InvoiceModel

/// UN/CEFACT Cross Industry Invoice D16B (EN 16931 binding, Factur-X profiles MINIMUM to EXTENDED).
public enum CII {
    /// Reads a CII document into the semantic model. See `CIIReadError` for what stops reading.
    public static func read(_ data: Data) throws(CIIReadError) -> Invoice {
        let tree: XMLTree
        do { tree = try XMLParser.parse(data) } catch { throw .notXML(error) }
        return try read(tree)
    }

    /// Reads an already parsed document (the validator and the PDF reader parse once and share the tree).
    public static func read(_ tree: XMLTree) throws(CIIReadError) -> Invoice {
        try CIIReader(root: tree.root).invoice()
    }
}

/// Walks the CII tree along the EN 16931 CII binding (the XPaths named by the CEN schematron).
struct CIIReader {
    let root: XMLElement

    private static let ram = Namespace.ram
    private static let rsm = Namespace.rsm

    func invoice() throws(CIIReadError) -> Invoice {
        guard root.namespace == Namespace.rsm, root.localName == "CrossIndustryInvoice" else {
            throw .notCII(root: root.localName, namespace: root.namespace, line: root.line)
        }
        let document = try required(root, Self.rsm, "ExchangedDocument")
        let transaction = try required(root, Self.rsm, "SupplyChainTradeTransaction")
        let agreement = try required(transaction, Self.ram, "ApplicableHeaderTradeAgreement")
        let settlement = try required(transaction, Self.ram, "ApplicableHeaderTradeSettlement")
        let summation = try required(settlement, Self.ram, "SpecifiedTradeSettlementHeaderMonetarySummation")
        let delivery = transaction.ram("ApplicableHeaderTradeDelivery")

        var inv = Invoice()
        // BG-2
        let context = root.child(Self.rsm, "ExchangedDocumentContext")
        inv.processControl = ProcessControl(
            businessProcessType: context.flatMap { text($0, "BusinessProcessSpecifiedDocumentContextParameter", "ID") },
            specificationIdentifier: context.flatMap { text($0, "GuidelineSpecifiedDocumentContextParameter", "ID") } ?? "")

        inv.invoiceNumber = text(document, "ID") ?? ""
        inv.typeCode = text(document, "TypeCode") ?? ""
        inv.issueDate = try dateTime(document.ram("IssueDateTime"), "BT-2")
        inv.notes = document.rams("IncludedNote").map { note in
            Note(text(note, "Content") ?? "", subjectCode: text(note, "SubjectCode"))
        }

        try readAgreement(agreement, into: &inv)
        if let delivery { try readDelivery(delivery, into: &inv) }
        try readSettlement(settlement, summation: summation, into: &inv)

        for line in transaction.rams("IncludedSupplyChainTradeLineItem") {
            inv.lines.append(try invoiceLine(line))
        }
        return inv
    }

    // MARK: Header trade agreement

    private func readAgreement(_ a: XMLElement, into inv: inout Invoice) throws(CIIReadError) {
        inv.buyerReference = text(a, "BuyerReference")
        if let s = a.ram("SellerTradeParty") {
            let p = party(s)
            inv.seller = Seller(name: p.name ?? "", tradingName: p.tradingName, identifiers: p.identifiers,
                                legalRegistrationIdentifier: p.legal, vatIdentifier: p.vat,
                                taxRegistrationIdentifier: p.taxRegistration, additionalLegalInformation: p.description,
                                electronicAddress: p.electronicAddress, postalAddress: p.address ?? PostalAddress(),
                                contact: p.contact)
        }
        if let b = a.ram("BuyerTradeParty") {
            let p = party(b)
            inv.buyer = Buyer(name: p.name ?? "", tradingName: p.tradingName, identifier: p.identifiers.first,
                              legalRegistrationIdentifier: p.legal, vatIdentifier: p.vat,
                              electronicAddress: p.electronicAddress, postalAddress: p.address ?? PostalAddress(),
                              contact: p.contact)
        }
        if let t = a.ram("SellerTaxRepresentativeTradeParty") {
            let p = party(t)
            inv.sellerTaxRepresentative = SellerTaxRepresentative(name: p.name ?? "", vatIdentifier: p.vat ?? "",
                                                                  postalAddress: p.address ?? PostalAddress())
        }
        inv.salesOrderReference = text(a, "SellerOrderReferencedDocument", "IssuerAssignedID")
        inv.purchaseOrderReference = text(a, "BuyerOrderReferencedDocument", "IssuerAssignedID")
        inv.contractReference = text(a, "ContractReferencedDocument", "IssuerAssignedID")
        for doc in a.rams("AdditionalReferencedDocument") {
            let id = text(doc, "IssuerAssignedID") ?? ""
            // The type code tells the three EN 16931 terms sharing this element apart (CII binding):
            // 50 = BT-17 tender or lot, 130 = BT-18 invoiced object, 916 (or anything else) = BG-24.
            switch text(doc, "TypeCode") {
            case "50" where inv.tenderOrLotReference == nil:
                inv.tenderOrLotReference = id
            case "130" where inv.invoicedObjectIdentifier == nil:
                inv.invoicedObjectIdentifier = Identifier(id, scheme: text(doc, "ReferenceTypeCode"))
            default:
                var supporting = SupportingDocument(reference: id, description: text(doc, "Name"),
                                                    externalLocation: text(doc, "URIID"))
                if let bin = doc.ram("AttachmentBinaryObject") {
                    let cleaned = bin.text.filter { !$0.isWhitespace }
                    guard let data = Data(base64Encoded: cleaned) else {
                        throw .invalidBinary(term: "BT-125", path: bin.path, line: bin.line)
                    }
                    supporting.attachment = BinaryObject(data: data, mimeCode: bin.attribute("mimeCode") ?? "",
                                                         filename: bin.attribute("filename") ?? "")
                }
                inv.supportingDocuments.append(supporting)
            }
        }
        inv.projectReference = text(a, "SpecifiedProcuringProject", "ID")
    }

    // MARK: Header trade delivery

    private func readDelivery(_ d: XMLElement, into inv: inout Invoice) throws(CIIReadError) {
        var info = DeliveryInformation()
        var any = false
        if let shipTo = d.ram("ShipToTradeParty") {
            let p = party(shipTo)
            info.partyName = p.name
            info.locationIdentifier = p.identifiers.first
            info.address = p.address
            any = true
        }
        if let event = d.ram("ActualDeliverySupplyChainEvent") {
            info.actualDeliveryDate = try dateTime(event.ram("OccurrenceDateTime"), "BT-72")
            any = true
        }
        if any { inv.delivery = info }
        inv.despatchAdviceReference = text(d, "DespatchAdviceReferencedDocument", "IssuerAssignedID")
        inv.receivingAdviceReference = text(d, "ReceivingAdviceReferencedDocument", "IssuerAssignedID")
    }

    // MARK: Header trade settlement

    private func readSettlement(_ s: XMLElement, summation m: XMLElement, into inv: inout Invoice) throws(CIIReadError) {
        let creditorID = text(s, "CreditorReferenceID")
        let paymentReference = text(s, "PaymentReference")
        inv.vatAccountingCurrencyCode = text(s, "TaxCurrencyCode")
        inv.currencyCode = text(s, "InvoiceCurrencyCode") ?? ""
        if let payee = s.ram("PayeeTradeParty") {
            let p = party(payee)
            inv.payee = Payee(name: p.name ?? "", identifier: p.identifiers.first, legalRegistrationIdentifier: p.legal)
        }

        // BG-16: CII repeats SpecifiedTradeSettlementPaymentMeans for each account offered (BG-17 is
        // repeatable) while the model has one BG-16; the first occurrence gives BT-81/BT-82.
        let means = s.rams("SpecifiedTradeSettlementPaymentMeans")
        let terms = s.rams("SpecifiedTradePaymentTerms")
        let mandate = terms.lazy.compactMap { text($0, "DirectDebitMandateID") }.first
        if !means.isEmpty || creditorID != nil || paymentReference != nil || mandate != nil {
            var pi = PaymentInstructions(meansTypeCode: means.first.flatMap { text($0, "TypeCode") } ?? "",
                                         meansText: means.first.flatMap { text($0, "Information") },
                                         remittanceInformation: paymentReference)
            var debited: String?
            for m in means {
                if let card = m.ram("ApplicableTradeSettlementFinancialCard"), pi.paymentCard == nil {
                    pi.paymentCard = PaymentCard(primaryAccountNumber: text(card, "ID") ?? "",
                                                 holderName: text(card, "CardholderName"))
                }
                if debited == nil { debited = text(m, "PayerPartyDebtorFinancialAccount", "IBANID") }
                if let account = m.ram("PayeePartyCreditorFinancialAccount") {
                    let iban = text(account, "IBANID")
                    let proprietary = text(account, "ProprietaryID")
                    pi.creditTransfers.append(CreditTransfer(
                        accountIdentifier: iban ?? proprietary ?? "", accountName: text(account, "AccountName"),
                        serviceProviderIdentifier: text(m, "PayeeSpecifiedCreditorFinancialInstitution", "BICID"),
                        isProprietaryAccountIdentifier: iban == nil && proprietary != nil))
                }
            }
            if mandate != nil || creditorID != nil || debited != nil {
                pi.directDebit = DirectDebit(mandateReference: mandate, creditorIdentifier: creditorID,
                                             debitedAccountIdentifier: debited)
            }
            inv.paymentInstructions = pi
        }

        for tax in s.rams("ApplicableTradeTax") {
            inv.vatBreakdown.append(VATBreakdown(
                taxableAmount: try number(tax, "BasisAmount", "BT-116") ?? 0,
                taxAmount: try number(tax, "CalculatedAmount", "BT-117") ?? 0,
                categoryCode: text(tax, "CategoryCode") ?? "",
                rate: try number(tax, "RateApplicablePercent", "BT-119"),
                exemptionReason: text(tax, "ExemptionReason"),
                exemptionReasonCode: text(tax, "ExemptionReasonCode")))
            // BT-7 and BT-8 are document-level terms that CII places in each VAT breakdown.
            if inv.vatPointDate == nil, let d = tax.ram("TaxPointDate") {
                inv.vatPointDate = try date(d.child(Namespace.udt, "DateString"), "BT-7")
            }
            if inv.vatPointDateCode == nil { inv.vatPointDateCode = text(tax, "DueDateTypeCode") }
        }
        if let period = s.ram("BillingSpecifiedPeriod") {
            inv.invoicingPeriod = try self.period(period, start: "BT-73", end: "BT-74")
        }
        for ac in s.rams("SpecifiedTradeAllowanceCharge") {
            inv.allowanceCharges.append(try allowanceCharge(ac, documentLevel: true))
        }
        // EXTENDED allows several payment terms; the model keeps one BT-20 and one BT-9.
        let descriptions = terms.compactMap { text($0, "Description") }
        inv.paymentTerms = descriptions.isEmpty ? nil : descriptions.joined(separator: "\n")
        for t in terms where inv.paymentDueDate == nil {
            inv.paymentDueDate = try dateTime(t.ram("DueDateDateTime"), "BT-9")
        }

        var totals = DocumentTotals()
        totals.sumOfLineNetAmounts = try number(m, "LineTotalAmount", "BT-106") ?? 0
        totals.sumOfCharges = try number(m, "ChargeTotalAmount", "BT-108")
        totals.sumOfAllowances = try number(m, "AllowanceTotalAmount", "BT-107")
        totals.totalWithoutVAT = try number(m, "TaxBasisTotalAmount", "BT-109") ?? 0
        for t in m.rams("TaxTotalAmount") {
            let currency = t.attribute("currencyID")
            // BT-111 is the TaxTotalAmount in the accounting currency; without currencyID (or when both
            // currencies are the same) it is BT-110.
            if let accounting = inv.vatAccountingCurrencyCode, currency == accounting, accounting != inv.currencyCode,
               totals.totalVATInAccountingCurrency == nil {
                totals.totalVATInAccountingCurrency = try decimal(t, "BT-111")
            } else if totals.totalVAT == nil {
                totals.totalVAT = try decimal(t, "BT-110")
            } else {
                totals.totalVATInAccountingCurrency = try decimal(t, "BT-111")
            }
        }
        totals.roundingAmount = try number(m, "RoundingAmount", "BT-114")
        totals.totalWithVAT = try number(m, "GrandTotalAmount", "BT-112") ?? 0
        totals.paidAmount = try number(m, "TotalPrepaidAmount", "BT-113")
        totals.amountDueForPayment = try number(m, "DuePayableAmount", "BT-115") ?? 0
        inv.totals = totals

        for ref in s.rams("InvoiceReferencedDocument") {
            inv.precedingInvoices.append(PrecedingInvoiceReference(
                reference: text(ref, "IssuerAssignedID") ?? "",
                issueDate: try formattedDate(ref.ram("FormattedIssueDateTime"), "BT-26"),
                typeCode: text(ref, "TypeCode")))
        }
        inv.buyerAccountingReference = text(s, "ReceivableSpecifiedTradeAccountingAccount", "ID")
    }

    // MARK: Lines

    private func invoiceLine(_ e: XMLElement) throws(CIIReadError) -> InvoiceLine {
        var line = InvoiceLine()
        if let doc = e.ram("AssociatedDocumentLineDocument") {
            line.identifier = text(doc, "LineID") ?? ""
            let notes = doc.rams("IncludedNote").compactMap { text($0, "Content") }
            line.note = notes.isEmpty ? nil : notes.joined(separator: "\n")
        }
        if let p = e.ram("SpecifiedTradeProduct") {
            var item = Item(name: text(p, "Name") ?? "")
            item.standardIdentifier = identifier(p.ram("GlobalID"))
            item.sellerIdentifier = text(p, "SellerAssignedID")
            item.buyerIdentifier = text(p, "BuyerAssignedID")
            item.description = text(p, "Description")
            item.attributes = p.rams("ApplicableProductCharacteristic").map {
                ItemAttribute(name: text($0, "Description") ?? "", value: text($0, "Value") ?? "")
            }
            item.classificationIdentifiers = p.rams("DesignatedProductClassification").compactMap { c in
                guard let code = c.ram("ClassCode") else { return nil }
                return ClassificationIdentifier(code.trimmed, scheme: code.attribute("listID"),
                                                schemeVersion: code.attribute("listVersionID"))
            }
            item.countryOfOrigin = text(p, "OriginTradeCountry", "ID")
            line.item = item
        }
        if let a = e.ram("SpecifiedLineTradeAgreement") {
            line.orderLineReference = text(a, "BuyerOrderReferencedDocument", "LineID")
            var price = PriceDetails()
            if let net = a.ram("NetPriceProductTradePrice") {
                price.netPrice = try number(net, "ChargeAmount", "BT-146") ?? 0
                if let q = net.ram("BasisQuantity") {
                    price.baseQuantity = try decimal(q, "BT-149")
                    price.baseQuantityUnitCode = q.attribute("unitCode")
                }
            }
            if let gross = a.ram("GrossPriceProductTradePrice") {
                price.grossPrice = try number(gross, "ChargeAmount", "BT-148")
                if price.baseQuantity == nil, let q = gross.ram("BasisQuantity") {
                    price.baseQuantity = try decimal(q, "BT-149")
                    price.baseQuantityUnitCode = q.attribute("unitCode")
                }
                for ac in gross.rams("AppliedTradeAllowanceCharge")
                where text(ac, "ChargeIndicator", "Indicator", ns: Namespace.udt) != "true" {
                    price.discount = try number(ac, "ActualAmount", "BT-147")
                    break
                }
            }
            line.price = price
        }
        if let d = e.ram("SpecifiedLineTradeDelivery"), let q = d.ram("BilledQuantity") {
            line.quantity = try decimal(q, "BT-129")
            line.unitCode = q.attribute("unitCode") ?? ""
        } else {
            line.unitCode = ""
        }
        if let s = e.ram("SpecifiedLineTradeSettlement") {
            if let tax = s.ram("ApplicableTradeTax") {
                line.vat = LineVATInformation(categoryCode: text(tax, "CategoryCode") ?? "",
                                              rate: try number(tax, "RateApplicablePercent", "BT-152"))
            } else {
                line.vat = LineVATInformation(categoryCode: "")
            }
            if let p = s.ram("BillingSpecifiedPeriod") {
                line.period = try period(p, start: "BT-134", end: "BT-135")
            }
            for ac in s.rams("SpecifiedTradeAllowanceCharge") {
                line.allowanceCharges.append(try allowanceCharge(ac, documentLevel: false))
            }
            if let m = s.ram("SpecifiedTradeSettlementLineMonetarySummation") {
                line.netAmount = try number(m, "LineTotalAmount", "BT-131") ?? 0
            }
            for doc in s.rams("AdditionalReferencedDocument") where line.objectIdentifier == nil {
                // BT-128 is the line's AdditionalReferencedDocument with type code 130.
                if text(doc, "TypeCode") == "130" || text(doc, "TypeCode") == nil {
                    line.objectIdentifier = Identifier(text(doc, "IssuerAssignedID") ?? "",
                                                       scheme: text(doc, "ReferenceTypeCode"))
                }
            }
            line.buyerAccountingReference = text(s, "ReceivableSpecifiedTradeAccountingAccount", "ID")
        }
        return line
    }

    // MARK: Shared structures

    private func allowanceCharge(_ e: XMLElement, documentLevel: Bool) throws(CIIReadError) -> AllowanceCharge {
        let isCharge = text(e, "ChargeIndicator", "Indicator", ns: Namespace.udt) == "true"
        let t = documentLevel
            ? (isCharge ? ["BT-99", "BT-100", "BT-101", "BT-103"] : ["BT-92", "BT-93", "BT-94", "BT-96"])
            : (isCharge ? ["BT-141", "BT-142", "BT-143", ""] : ["BT-136", "BT-137", "BT-138", ""])
        var ac = AllowanceCharge(isCharge: isCharge)
        ac.percentage = try number(e, "CalculationPercent", t[2])
        ac.baseAmount = try number(e, "BasisAmount", t[1])
        ac.amount = try number(e, "ActualAmount", t[0])
        ac.reasonCode = text(e, "ReasonCode")
        ac.reason = text(e, "Reason")
        if documentLevel, let tax = e.ram("CategoryTradeTax") {
            ac.vatCategoryCode = text(tax, "CategoryCode")
            ac.vatRate = try number(tax, "RateApplicablePercent", t[3])
        }
        return ac
    }

    private struct PartyData {
        var name: String?
        var identifiers: [Identifier] = []
        var description: String?
        var legal: Identifier?
        var tradingName: String?
        var contact: Contact?
        var address: PostalAddress?
        var electronicAddress: Identifier?
        var vat: String?
        var taxRegistration: String?
    }

    /// A `ram:TradePartyType`: every party of the binding has the same shape, each EN 16931 party using
    /// a subset of it.
    private func party(_ e: XMLElement) -> PartyData {
        var p = PartyData()
        p.identifiers = e.rams("ID").map { Identifier($0.trimmed, scheme: $0.attribute("schemeID")) }
            + e.rams("GlobalID").map { Identifier($0.trimmed, scheme: $0.attribute("schemeID")) }
        p.name = text(e, "Name")
        p.description = text(e, "Description")
        if let legal = e.ram("SpecifiedLegalOrganization") {
            p.legal = identifier(legal.ram("ID"))
            p.tradingName = text(legal, "TradingBusinessName")
        }
        if let c = e.ram("DefinedTradeContact") {
            p.contact = Contact(name: text(c, "PersonName") ?? text(c, "DepartmentName"),
                                telephone: text(c, "TelephoneUniversalCommunication", "CompleteNumber"),
                                email: text(c, "EmailURIUniversalCommunication", "URIID"))
        }
        if let a = e.ram("PostalTradeAddress") {
            p.address = PostalAddress(line1: text(a, "LineOne"), line2: text(a, "LineTwo"), line3: text(a, "LineThree"),
                                      city: text(a, "CityName"), postCode: text(a, "PostcodeCode"),
                                      countrySubdivision: text(a, "CountrySubDivisionName"),
                                      countryCode: text(a, "CountryID") ?? "")
        }
        p.electronicAddress = identifier(e.ram("URIUniversalCommunication")?.ram("URIID"))
        for reg in e.rams("SpecifiedTaxRegistration") {
            guard let id = reg.ram("ID") else { continue }
            switch id.attribute("schemeID") {
            case "VA": if p.vat == nil { p.vat = id.trimmed }
            case "FC": if p.taxRegistration == nil { p.taxRegistration = id.trimmed }
            default: continue
            }
        }
        return p
    }

    private func period(_ e: XMLElement, start: String, end: String) throws(CIIReadError) -> Period {
        Period(startDate: try dateTime(e.ram("StartDateTime"), start),
               endDate: try dateTime(e.ram("EndDateTime"), end))
    }

    // MARK: Values

    private func required(_ parent: XMLElement, _ ns: String, _ local: String) throws(CIIReadError) -> XMLElement {
        guard let e = parent.child(ns, local) else {
            throw .missingStructure(element: (ns == Namespace.rsm ? "rsm:" : "ram:") + local, parent: parent.path,
                                    line: parent.line)
        }
        return e
    }

    /// Trimmed text of the `ram:` path below `e`; nil when an element is absent. An element that is present
    /// but empty gives "" so that validation still sees it.
    private func text(_ e: XMLElement, _ path: String...) -> String? {
        var cur = e
        for step in path {
            guard let next = cur.ram(step) else { return nil }
            cur = next
        }
        return cur.trimmed
    }

    /// Same, with the last step in another namespace (`udt:Indicator`).
    private func text(_ e: XMLElement, _ step: String, _ last: String, ns: String) -> String? {
        e.ram(step)?.child(ns, last)?.trimmed
    }

    private func identifier(_ e: XMLElement?) -> Identifier? {
        e.map { Identifier($0.trimmed, scheme: $0.attribute("schemeID")) }
    }

    private func number(_ e: XMLElement, _ local: String, _ term: String) throws(CIIReadError) -> Decimal? {
        guard let c = e.ram(local) else { return nil }
        return try decimal(c, term)
    }

    private func decimal(_ e: XMLElement, _ term: String) throws(CIIReadError) -> Decimal {
        let raw = e.trimmed
        guard let value = Decimal(plain: raw) else {
            throw .invalidNumber(term: term, value: raw, path: e.path, line: e.line)
        }
        return value
    }

    /// `ram:*DateTime/udt:DateTimeString[@format='102']`.
    private func dateTime(_ e: XMLElement?, _ term: String) throws(CIIReadError) -> LocalDate? {
        guard let e else { return nil }
        return try date(e.child(Namespace.udt, "DateTimeString"), term)
    }

    /// `ram:FormattedIssueDateTime/qdt:DateTimeString[@format='102']`.
    private func formattedDate(_ e: XMLElement?, _ term: String) throws(CIIReadError) -> LocalDate? {
        guard let e else { return nil }
        return try date(e.child(Namespace.qdt, "DateTimeString"), term)
    }

    private func date(_ e: XMLElement?, _ term: String) throws(CIIReadError) -> LocalDate? {
        guard let e else { return nil }
        let raw = e.trimmed
        let format = e.attribute("format")
        guard format == nil || format == "102", let d = LocalDate(cii102: raw) else {
            throw .invalidDate(term: term, value: raw, format: format, path: e.path, line: e.line)
        }
        return d
    }
}

// Reading speed: `XMLElement.child` resolves the name in the process-wide table under a lock for every
// call, and `trimmedText` goes through Foundation's character sets; together they were about a third of
// the reading time. The ram: names the reader asks for are resolved once, and text is trimmed only when
// it has surrounding whitespace (rarely).
private enum RAMNames {
    static let ids: [String: Int32] = Dictionary(uniqueKeysWithValues: names.map {
        ($0, NameTable.shared.id(QName(Namespace.ram, $0)))
    })
    static let names = [
        "AccountName", "ActualAmount", "ActualDeliverySupplyChainEvent", "AdditionalReferencedDocument",
        "AllowanceTotalAmount", "ApplicableHeaderTradeAgreement", "ApplicableHeaderTradeDelivery",
        "ApplicableHeaderTradeSettlement", "ApplicableProductCharacteristic",
        "ApplicableTradeSettlementFinancialCard", "ApplicableTradeTax", "AppliedTradeAllowanceCharge",
        "AssociatedDocumentLineDocument", "AttachmentBinaryObject", "BICID", "BasisAmount", "BasisQuantity",
        "BilledQuantity", "BillingSpecifiedPeriod", "BusinessProcessSpecifiedDocumentContextParameter",
        "BuyerAssignedID", "BuyerOrderReferencedDocument", "BuyerReference", "BuyerTradeParty", "CalculatedAmount",
        "CalculationPercent", "CardholderName", "CategoryCode", "CategoryTradeTax", "ChargeAmount",
        "ChargeIndicator", "ChargeTotalAmount", "CityName", "ClassCode", "CompleteNumber", "Content",
        "ContractReferencedDocument", "CountryID", "CountrySubDivisionName", "CreditorReferenceID",
        "DefinedTradeContact", "DepartmentName", "Description", "DesignatedProductClassification",
        "DespatchAdviceReferencedDocument", "DirectDebitMandateID", "DueDateDateTime", "DueDateTypeCode",
        "DuePayableAmount", "EmailURIUniversalCommunication", "EndDateTime", "ExemptionReason",
        "ExemptionReasonCode", "FormattedIssueDateTime", "GlobalID", "GrandTotalAmount",
        "GrossPriceProductTradePrice", "GuidelineSpecifiedDocumentContextParameter", "IBANID", "ID", "IncludedNote",
        "IncludedSupplyChainTradeLineItem", "Information", "InvoiceCurrencyCode", "InvoiceReferencedDocument",
        "IssueDateTime", "IssuerAssignedID", "LineID", "LineOne", "LineThree", "LineTotalAmount", "LineTwo", "Name",
        "NetPriceProductTradePrice", "OccurrenceDateTime", "OriginTradeCountry",
        "PayeePartyCreditorFinancialAccount", "PayeeSpecifiedCreditorFinancialInstitution", "PayeeTradeParty",
        "PayerPartyDebtorFinancialAccount", "PaymentReference", "PersonName", "PostalTradeAddress", "PostcodeCode",
        "ProprietaryID", "RateApplicablePercent", "Reason", "ReasonCode",
        "ReceivableSpecifiedTradeAccountingAccount", "ReceivingAdviceReferencedDocument", "ReferenceTypeCode",
        "RoundingAmount", "SellerAssignedID", "SellerOrderReferencedDocument", "SellerTaxRepresentativeTradeParty",
        "SellerTradeParty", "ShipToTradeParty", "SpecifiedLegalOrganization", "SpecifiedLineTradeAgreement",
        "SpecifiedLineTradeDelivery", "SpecifiedLineTradeSettlement", "SpecifiedProcuringProject",
        "SpecifiedTaxRegistration", "SpecifiedTradeAllowanceCharge", "SpecifiedTradePaymentTerms",
        "SpecifiedTradeProduct", "SpecifiedTradeSettlementHeaderMonetarySummation",
        "SpecifiedTradeSettlementLineMonetarySummation", "SpecifiedTradeSettlementPaymentMeans", "StartDateTime",
        "SubjectCode", "TaxBasisTotalAmount", "TaxCurrencyCode", "TaxPointDate", "TaxTotalAmount",
        "TelephoneUniversalCommunication", "TotalPrepaidAmount", "TradingBusinessName", "TypeCode", "URIID",
        "URIUniversalCommunication", "Value",
    ]
}

extension XMLElement {
    /// The first `ram:` child named `local`.
    fileprivate func ram(_ local: String) -> XMLElement? {
        guard let id = RAMNames.ids[local] else { return child(Namespace.ram, local) }
        var c = tree.firstChild(index)
        while c >= 0 {
            if tree.kind(c) == .element && tree.nameID(c) == id { return XMLElement(tree: tree, index: c) }
            c = tree.nextSibling(c)
        }
        return nil
    }

    /// Every `ram:` child named `local`, in document order.
    fileprivate func rams(_ local: String) -> [XMLElement] {
        guard let id = RAMNames.ids[local] else { return children(Namespace.ram, local) }
        var out: [XMLElement] = []
        var c = tree.firstChild(index)
        while c >= 0 {
            if tree.kind(c) == .element && tree.nameID(c) == id { out.append(XMLElement(tree: tree, index: c)) }
            c = tree.nextSibling(c)
        }
        return out
    }

    /// `trimmedText`, without Foundation when there is nothing to trim.
    fileprivate var trimmed: String {
        let t = text
        guard let first = t.unicodeScalars.first, let last = t.unicodeScalars.last else { return t }
        if first.properties.isWhitespace || last.properties.isWhitespace { return trimmedText }
        return t
    }
}
