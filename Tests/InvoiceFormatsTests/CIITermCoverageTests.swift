import FacteurXML
import Foundation
import InvoiceFormats
import InvoiceModel
import Testing

/// read → write → read equality cannot see a term the reader never reads (it is absent on both sides).
/// Here the XML itself is compared: for each element of the EN 16931 CII binding, the values in the
/// source and in the written document must be the same, in the same order.
@Suite struct CIITermCoverageTests {
    typealias Corpus = CIIRoundTripTests

    static let H = "rsm:SupplyChainTradeTransaction"
    static let A = "\(H)/ram:ApplicableHeaderTradeAgreement"
    static let D = "\(H)/ram:ApplicableHeaderTradeDelivery"
    static let S = "\(H)/ram:ApplicableHeaderTradeSettlement"
    static let L = "\(H)/ram:IncludedSupplyChainTradeLineItem"

    static func partyPaths(_ p: String) -> [String] {
        ["ram:ID", "ram:GlobalID", "ram:GlobalID/@schemeID", "ram:Name", "ram:Description",
         "ram:SpecifiedLegalOrganization/ram:ID", "ram:SpecifiedLegalOrganization/ram:ID/@schemeID",
         "ram:SpecifiedLegalOrganization/ram:TradingBusinessName",
         "ram:DefinedTradeContact/ram:PersonName|ram:DepartmentName",
         "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber",
         "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID",
         "ram:PostalTradeAddress/ram:PostcodeCode", "ram:PostalTradeAddress/ram:LineOne", "ram:PostalTradeAddress/ram:LineTwo",
         "ram:PostalTradeAddress/ram:LineThree", "ram:PostalTradeAddress/ram:CityName", "ram:PostalTradeAddress/ram:CountryID",
         "ram:PostalTradeAddress/ram:CountrySubDivisionName",
         "ram:URIUniversalCommunication/ram:URIID", "ram:URIUniversalCommunication/ram:URIID/@schemeID",
         "ram:SpecifiedTaxRegistration/ram:ID", "ram:SpecifiedTaxRegistration/ram:ID/@schemeID"].map { "\(p)/\($0)" }
    }

    static func allowanceChargePaths(_ p: String) -> [String] {
        ["ram:ChargeIndicator/udt:Indicator", "#ram:CalculationPercent", "#ram:BasisAmount", "#ram:ActualAmount",
         "ram:ReasonCode", "ram:Reason", "ram:CategoryTradeTax/ram:CategoryCode",
         "#ram:CategoryTradeTax/ram:RateApplicablePercent"].map { $0.hasPrefix("#") ? "#\(p)/\($0.dropFirst())" : "\(p)/\($0)" }
    }

    /// Every element and attribute that carries a business term. `#` marks numbers (compared as
    /// decimals), `=` terms CII repeats where the model has one value (compared as sets), `a|b` an
    /// alternative at the last step (BT-41 is a person or a department).
    static let termPaths: [String] = {
        var p = [
            "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            "rsm:ExchangedDocument/ram:ID", "rsm:ExchangedDocument/ram:TypeCode",
            "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
            "rsm:ExchangedDocument/ram:IncludedNote/ram:Content", "rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode",
            "\(A)/ram:BuyerReference", "\(A)/ram:SpecifiedProcuringProject/ram:ID",
            "\(A)/ram:ContractReferencedDocument/ram:IssuerAssignedID",
            "\(A)/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
            "\(A)/ram:SellerOrderReferencedDocument/ram:IssuerAssignedID",
            "\(D)/ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID",
            "\(D)/ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID",
            "\(D)/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString",
            "\(S)/ram:CreditorReferenceID", "\(S)/ram:PaymentReference", "\(S)/ram:TaxCurrencyCode", "\(S)/ram:InvoiceCurrencyCode",
            "=\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode",
            "=\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:Information",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:ApplicableTradeSettlementFinancialCard/ram:ID",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:ApplicableTradeSettlementFinancialCard/ram:CardholderName",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:AccountName",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID",
            "\(S)/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
            "#\(S)/ram:ApplicableTradeTax/ram:CalculatedAmount", "#\(S)/ram:ApplicableTradeTax/ram:BasisAmount",
            "\(S)/ram:ApplicableTradeTax/ram:TypeCode", "\(S)/ram:ApplicableTradeTax/ram:CategoryCode",
            "#\(S)/ram:ApplicableTradeTax/ram:RateApplicablePercent", "\(S)/ram:ApplicableTradeTax/ram:ExemptionReason",
            "\(S)/ram:ApplicableTradeTax/ram:ExemptionReasonCode",
            "=\(S)/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString", "=\(S)/ram:ApplicableTradeTax/ram:DueDateTypeCode",
            "\(S)/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString",
            "\(S)/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString",
            "\(S)/ram:SpecifiedTradePaymentTerms/ram:Description",
            "\(S)/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
            "\(S)/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID",
            "\(S)/ram:InvoiceReferencedDocument/ram:IssuerAssignedID", "\(S)/ram:InvoiceReferencedDocument/ram:TypeCode",
            "\(S)/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString",
            "\(S)/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID",
            "\(L)/ram:AssociatedDocumentLineDocument/ram:LineID",
            "\(L)/ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content",
            "\(L)/ram:SpecifiedTradeProduct/ram:GlobalID", "\(L)/ram:SpecifiedTradeProduct/ram:GlobalID/@schemeID",
            "\(L)/ram:SpecifiedTradeProduct/ram:SellerAssignedID", "\(L)/ram:SpecifiedTradeProduct/ram:BuyerAssignedID",
            "\(L)/ram:SpecifiedTradeProduct/ram:Name", "\(L)/ram:SpecifiedTradeProduct/ram:Description",
            "\(L)/ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic/ram:Description",
            "\(L)/ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic/ram:Value",
            "\(L)/ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode",
            "\(L)/ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode/@listID",
            "\(L)/ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode/@listVersionID",
            "\(L)/ram:SpecifiedTradeProduct/ram:OriginTradeCountry/ram:ID",
            "\(L)/ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID",
            "#\(L)/ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount",
            "#\(L)/ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount",
            "#\(L)/ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
            "#\(L)/ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity",
            "\(L)/ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity/@unitCode",
            "#\(L)/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
            "\(L)/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode",
            "#\(L)/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString",
            "#\(L)/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument/ram:IssuerAssignedID",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument/ram:ReferenceTypeCode",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID",
        ]
        for m in ["LineTotalAmount", "ChargeTotalAmount", "AllowanceTotalAmount", "TaxBasisTotalAmount", "TaxTotalAmount",
                  "RoundingAmount", "GrandTotalAmount", "TotalPrepaidAmount", "DuePayableAmount"] {
            p.append("#\(S)/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:\(m)")
        }
        p.append("\(S)/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount/@currencyID")
        for party in ["\(A)/ram:SellerTradeParty", "\(A)/ram:BuyerTradeParty", "\(A)/ram:SellerTaxRepresentativeTradeParty",
                      "\(S)/ram:PayeeTradeParty", "\(D)/ram:ShipToTradeParty"] {
            p += partyPaths(party)
        }
        p += allowanceChargePaths("\(S)/ram:SpecifiedTradeAllowanceCharge")
        p += allowanceChargePaths("\(L)/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge")
            .filter { !$0.contains("CategoryTradeTax") }
        // BG-24, BT-17 and BT-18 share one element, told apart by TypeCode; compare each kind on its own.
        for code in ["916", "50", "130"] {
            for child in ["ram:IssuerAssignedID", "ram:URIID", "ram:Name", "ram:ReferenceTypeCode", "ram:AttachmentBinaryObject",
                          "ram:AttachmentBinaryObject/@mimeCode", "ram:AttachmentBinaryObject/@filename"] {
                p.append("\(A)/ram:AdditionalReferencedDocument[\(code)]/\(child)")
            }
        }
        return p
    }()

    /// What the model cannot hold: Factur-X EXTENDED repeats terms EN 16931 has once.
    static let modelLimits: [String: [String: String]] = [
        "factur-x-extended.xml": [
            "\(A)/ram:BuyerTradeParty/ram:GlobalID": "EXTENDED allows several BT-46; the model has one",
            "\(A)/ram:BuyerTradeParty/ram:GlobalID/@schemeID": "the schemes of those BT-46",
            "\(L)/ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content": "EXTENDED allows several line notes; BT-127 is one text (joined)",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument/ram:IssuerAssignedID": "EXTENDED allows several line documents; BT-128 is one",
            "\(L)/ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument/ram:ReferenceTypeCode": "the schemes of those BT-128",
        ],
    ]

    /// Values at `path`, in document order.
    static func values(_ root: XMLElement, _ rawPath: String) -> [String] {
        var path = rawPath
        let numeric = path.hasPrefix("#"), unordered = path.hasPrefix("=")
        if numeric || unordered { path.removeFirst() }
        let ns = ["rsm": Namespace.rsm, "ram": Namespace.ram, "udt": Namespace.udt, "qdt": Namespace.qdt]
        var current = [root]
        var out: [String] = []
        let steps = path.split(separator: "/").map(String.init)
        for (i, step) in steps.enumerated() {
            if step.hasPrefix("@") {
                out = current.compactMap { $0.attribute(String(step.dropFirst())) }
                break
            }
            var name = step
            var typeCode: String?
            if let open = step.firstIndex(of: "[") {
                typeCode = String(step[step.index(after: open)..<step.index(before: step.endIndex)])
                name = String(step[..<open])
            }
            let alternatives = name.split(separator: "|").map { $0.split(separator: ":").map(String.init) }
            current = current.flatMap { e -> [XMLElement] in
                for alt in alternatives {
                    let found = e.children(ns[alt[0]]!, alt[1])
                    if !found.isEmpty { return found }
                }
                return []
            }
            if let typeCode {
                current = current.filter { e in
                    let code = e.child(Namespace.ram, "TypeCode")?.trimmedText
                    return typeCode == "916" ? (code != "50" && code != "130") : code == typeCode
                }
            }
            if i == steps.count - 1 { out = current.map(\.trimmedText) }
        }
        // Zero keeps its scale in `plainString` ("0.00"); compare numbers by value.
        if numeric { out = out.map { text in Decimal(plain: text).map { $0 == 0 ? "0" : $0.plainString } ?? text } }
        if path.hasSuffix("AttachmentBinaryObject") { out = out.map { $0.filter { !$0.isWhitespace } } }
        if unordered { out = Array(Set(out)).sorted() }
        return out
    }

    @Test(arguments: try! Corpus.corpus())
    func everyBindingElementKeepsItsValues(url: URL) throws {
        let data = try Data(contentsOf: url)
        let source = try XMLParser.parse(data).root
        let written = try XMLParser.parse(CII.write(CII.read(data))).root
        let limits = Self.modelLimits[url.lastPathComponent] ?? [:]
        var compared = 0
        for path in Self.termPaths {
            let before = Self.values(source, path), after = Self.values(written, path)
            if !before.isEmpty { compared += 1 }
            let key = path.trimmingCharacters(in: CharacterSet(charactersIn: "#="))
            if let reason = limits[key] {
                #expect(before != after, "\(url.lastPathComponent): \(key) is listed as lost (\(reason)) but survives")
                #expect(Set(after).isSubset(of: Set(before)) || key.hasSuffix("IncludedNote/ram:Content"))
                continue
            }
            #expect(before == after, "\(url.lastPathComponent) \(key): \(before) → \(after)")
        }
        // The paths do find the terms: every file has at least its number, date, parties and totals.
        #expect(compared >= 12, "\(url.lastPathComponent): only \(compared) terms present")
    }

    @Test func pathsCoverTheBinding() {
        // 5 parties × 22, 2 × allowance/charge, 3 kinds of referenced document × 7, and the rest.
        #expect(Self.termPaths.count > 190)
        #expect(Set(Self.termPaths).count == Self.termPaths.count)
    }
}
