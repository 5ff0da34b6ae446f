import Foundation

/// An invoice or credit note in the EN 16931-1 semantic model, independent of its syntax (CII or UBL).
///
/// Every property names the business term it carries (`/// BT-n`). Codes are kept as strings so that any
/// document can be represented, including invalid ones that validation must report; typed views such as
/// `VATCategory` and `InvoiceTypeCode` sit on top. Amounts are `Decimal` in the invoice currency (BT-5)
/// except `DocumentTotals.totalVATInAccountingCurrency` (BT-6).
///
/// The Factur-X profile is not stored here: it follows from `processControl.specificationIdentifier`
/// (BT-24) and is interpreted by the formats layer.
public struct Invoice: Sendable, Hashable, Codable {
    /// BT-1 Invoice number.
    public var invoiceNumber: String
    /// BT-2 Invoice issue date. Mandatory in EN 16931; optional here so that a draft or a defective
    /// document can be represented.
    public var issueDate: LocalDate?
    /// BT-3 Invoice type code (UNTDID 1001; see `InvoiceTypeCode`).
    public var typeCode: String
    /// BT-5 Invoice currency code (ISO 4217).
    public var currencyCode: String
    /// BT-6 VAT accounting currency code, when VAT is accounted in another currency than BT-5.
    public var vatAccountingCurrencyCode: String?
    /// BT-7 Value added tax point date.
    public var vatPointDate: LocalDate?
    /// BT-8 Value added tax point date code (UNTDID 2005 in UBL: `3`, `35`, `432`; UNTDID 2475 in CII:
    /// `5`, `29`, `72`). Stored as the source document wrote it; converters translate.
    public var vatPointDateCode: String?
    /// BT-9 Payment due date.
    public var paymentDueDate: LocalDate?
    /// BT-10 Buyer reference (in France: the service code / code service for public buyers).
    public var buyerReference: String?
    /// BT-11 Project reference.
    public var projectReference: String?
    /// BT-12 Contract reference.
    public var contractReference: String?
    /// BT-13 Purchase order reference (in France: the engagement number for public buyers).
    public var purchaseOrderReference: String?
    /// BT-14 Sales order reference.
    public var salesOrderReference: String?
    /// BT-15 Receiving advice reference.
    public var receivingAdviceReference: String?
    /// BT-16 Despatch advice reference.
    public var despatchAdviceReference: String?
    /// BT-17 Tender or lot reference.
    public var tenderOrLotReference: String?
    /// BT-18 Invoiced object identifier, with BT-18-1 scheme identifier.
    public var invoicedObjectIdentifier: Identifier?
    /// BT-19 Buyer accounting reference.
    public var buyerAccountingReference: String?
    /// BT-20 Payment terms (in France also the late-payment penalties and the 40 € indemnity).
    public var paymentTerms: String?
    /// BG-1 INVOICE NOTE.
    public var notes: [Note]
    /// BG-2 PROCESS CONTROL.
    public var processControl: ProcessControl
    /// BG-3 PRECEDING INVOICE REFERENCE.
    public var precedingInvoices: [PrecedingInvoiceReference]
    /// BG-4 SELLER.
    public var seller: Seller
    /// BG-7 BUYER.
    public var buyer: Buyer
    /// BG-10 PAYEE.
    public var payee: Payee?
    /// BG-11 SELLER TAX REPRESENTATIVE PARTY.
    public var sellerTaxRepresentative: SellerTaxRepresentative?
    /// BG-13 DELIVERY INFORMATION.
    public var delivery: DeliveryInformation?
    /// BG-14 INVOICING PERIOD (nested in BG-13 by EN 16931; see `DeliveryInformation`).
    public var invoicingPeriod: Period?
    /// BG-16 PAYMENT INSTRUCTIONS.
    public var paymentInstructions: PaymentInstructions?
    /// BG-20 DOCUMENT LEVEL ALLOWANCES and BG-21 DOCUMENT LEVEL CHARGES, in document order.
    public var allowanceCharges: [AllowanceCharge]
    /// BG-22 DOCUMENT TOTALS.
    public var totals: DocumentTotals
    /// BG-23 VAT BREAKDOWN.
    public var vatBreakdown: [VATBreakdown]
    /// BG-24 ADDITIONAL SUPPORTING DOCUMENTS.
    public var supportingDocuments: [SupportingDocument]
    /// BG-25 INVOICE LINE.
    public var lines: [InvoiceLine]

    public init(invoiceNumber: String = "", issueDate: LocalDate? = nil, typeCode: String = "380",
                currencyCode: String = "EUR", vatAccountingCurrencyCode: String? = nil,
                vatPointDate: LocalDate? = nil, vatPointDateCode: String? = nil, paymentDueDate: LocalDate? = nil,
                buyerReference: String? = nil, projectReference: String? = nil, contractReference: String? = nil,
                purchaseOrderReference: String? = nil, salesOrderReference: String? = nil,
                receivingAdviceReference: String? = nil, despatchAdviceReference: String? = nil,
                tenderOrLotReference: String? = nil, invoicedObjectIdentifier: Identifier? = nil,
                buyerAccountingReference: String? = nil, paymentTerms: String? = nil, notes: [Note] = [],
                processControl: ProcessControl = ProcessControl(),
                precedingInvoices: [PrecedingInvoiceReference] = [], seller: Seller = Seller(),
                buyer: Buyer = Buyer(), payee: Payee? = nil, sellerTaxRepresentative: SellerTaxRepresentative? = nil,
                delivery: DeliveryInformation? = nil, invoicingPeriod: Period? = nil,
                paymentInstructions: PaymentInstructions? = nil, allowanceCharges: [AllowanceCharge] = [],
                totals: DocumentTotals = DocumentTotals(), vatBreakdown: [VATBreakdown] = [],
                supportingDocuments: [SupportingDocument] = [], lines: [InvoiceLine] = []) {
        self.invoiceNumber = invoiceNumber
        self.issueDate = issueDate
        self.typeCode = typeCode
        self.currencyCode = currencyCode
        self.vatAccountingCurrencyCode = vatAccountingCurrencyCode
        self.vatPointDate = vatPointDate
        self.vatPointDateCode = vatPointDateCode
        self.paymentDueDate = paymentDueDate
        self.buyerReference = buyerReference
        self.projectReference = projectReference
        self.contractReference = contractReference
        self.purchaseOrderReference = purchaseOrderReference
        self.salesOrderReference = salesOrderReference
        self.receivingAdviceReference = receivingAdviceReference
        self.despatchAdviceReference = despatchAdviceReference
        self.tenderOrLotReference = tenderOrLotReference
        self.invoicedObjectIdentifier = invoicedObjectIdentifier
        self.buyerAccountingReference = buyerAccountingReference
        self.paymentTerms = paymentTerms
        self.notes = notes
        self.processControl = processControl
        self.precedingInvoices = precedingInvoices
        self.seller = seller
        self.buyer = buyer
        self.payee = payee
        self.sellerTaxRepresentative = sellerTaxRepresentative
        self.delivery = delivery
        self.invoicingPeriod = invoicingPeriod
        self.paymentInstructions = paymentInstructions
        self.allowanceCharges = allowanceCharges
        self.totals = totals
        self.vatBreakdown = vatBreakdown
        self.supportingDocuments = supportingDocuments
        self.lines = lines
    }

    /// BG-20 DOCUMENT LEVEL ALLOWANCES.
    public var allowances: [AllowanceCharge] { allowanceCharges.filter { !$0.isCharge } }
    /// BG-21 DOCUMENT LEVEL CHARGES.
    public var charges: [AllowanceCharge] { allowanceCharges.filter { $0.isCharge } }

    /// The typed BT-3, nil for codes outside `InvoiceTypeCode`.
    public var knownTypeCode: InvoiceTypeCode? { InvoiceTypeCode(rawValue: typeCode) }

    /// Whether BT-3 is a credit note code, i.e. a UBL document would be a `CreditNote`.
    public var isCreditNote: Bool { InvoiceTypeCode.creditNoteCodes.contains(typeCode) }
}

/// BT-3 codes used in EN 16931 and the French reform (UNTDID 1001 subset).
public enum InvoiceTypeCode: String, Sendable, Codable, CaseIterable {
    case commercialInvoice = "380"
    case creditNote = "381"
    case correctedInvoice = "384"
    case prepaymentInvoice = "386"
    case selfBilledInvoice = "389"
    case factoredInvoice = "393"
    case factoredCreditNote = "396"
    case selfBilledCreditNote = "261"
    case consolidatedCreditNote = "262"
    case creditNoteGoodsServices = "81"
    case creditNoteFinancialAdjustment = "83"
    case debitNote = "383"
    case invoiceInformationForAccounting = "751"
    // French reform (EXTENDED-CTC-FR) codes.
    case selfBilledCorrectedInvoice = "471"
    case factoredCorrectedInvoice = "472"
    case selfBilledFactoredCorrectedInvoice = "473"
    case selfBilledPrepaymentInvoice = "500"
    case selfBilledFactoredInvoice = "501"
    case selfBilledFactoredCreditNote = "502"
    case prepaymentCreditNote = "503"

    /// Codes of UNTDID 1001 that denote credit notes, including those without a case above, so that
    /// `Invoice.isCreditNote` also answers for codes the enum does not name.
    public static let creditNoteCodes: Set<String> = [
        "81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "502", "503", "532",
    ]

    public var isCreditNote: Bool { Self.creditNoteCodes.contains(rawValue) }

    /// Issued by the buyer on behalf of the seller (autofacturation).
    public var isSelfBilled: Bool {
        switch self {
        case .selfBilledInvoice, .selfBilledCreditNote, .selfBilledCorrectedInvoice,
             .selfBilledFactoredCorrectedInvoice, .selfBilledPrepaymentInvoice, .selfBilledFactoredInvoice,
             .selfBilledFactoredCreditNote:
            return true
        default:
            return false
        }
    }
}

/// BG-1 INVOICE NOTE.
public struct Note: Sendable, Hashable, Codable {
    /// BT-21 Invoice note subject code (UNTDID 4451: `AAI` general, `PMT` payment, `PMD` penalties,
    /// `AAB` early payment discount, `REG` regulatory…).
    public var subjectCode: String?
    /// BT-22 Invoice note.
    public var text: String

    public init(_ text: String, subjectCode: String? = nil) {
        self.text = text
        self.subjectCode = subjectCode
    }
}

/// BG-2 PROCESS CONTROL.
public struct ProcessControl: Sendable, Hashable, Codable {
    /// The plain EN 16931 specification identifier, also the Factur-X EN 16931 profile's BT-24.
    public static let en16931 = "urn:cen.eu:en16931:2017"

    /// BT-23 Business process type (in France: the operation category B1/S1/M1…).
    public var businessProcessType: String?
    /// BT-24 Specification identifier (CIUS or Factur-X profile guideline).
    public var specificationIdentifier: String

    public init(businessProcessType: String? = nil, specificationIdentifier: String = ProcessControl.en16931) {
        self.businessProcessType = businessProcessType
        self.specificationIdentifier = specificationIdentifier
    }
}

/// BG-3 PRECEDING INVOICE REFERENCE.
public struct PrecedingInvoiceReference: Sendable, Hashable, Codable {
    /// BT-25 Preceding Invoice reference.
    public var reference: String
    /// BT-26 Preceding Invoice issue date.
    public var issueDate: LocalDate?
    /// Type code of the preceding invoice. Not an EN 16931 term: CII (`InvoiceReferencedDocument/TypeCode`,
    /// Factur-X EXTENDED and the French CTC profile) carries it, and keeping it makes round trips lossless.
    public var typeCode: String?

    public init(reference: String, issueDate: LocalDate? = nil, typeCode: String? = nil) {
        self.reference = reference
        self.issueDate = issueDate
        self.typeCode = typeCode
    }
}

/// BG-24 ADDITIONAL SUPPORTING DOCUMENTS.
public struct SupportingDocument: Sendable, Hashable, Codable {
    /// BT-122 Supporting document reference.
    public var reference: String
    /// BT-123 Supporting document description.
    public var description: String?
    /// BT-124 External document location (a URL).
    public var externalLocation: String?
    /// BT-125 Attached document, with BT-125-1 mime code and BT-125-2 filename.
    public var attachment: BinaryObject?

    public init(reference: String, description: String? = nil, externalLocation: String? = nil,
                attachment: BinaryObject? = nil) {
        self.reference = reference
        self.description = description
        self.externalLocation = externalLocation
        self.attachment = attachment
    }
}

/// BG-22 DOCUMENT TOTALS. All amounts in the invoice currency except BT-111.
public struct DocumentTotals: Sendable, Hashable, Codable {
    /// BT-106 Sum of Invoice line net amount.
    public var sumOfLineNetAmounts: Decimal
    /// BT-107 Sum of allowances on document level.
    public var sumOfAllowances: Decimal?
    /// BT-108 Sum of charges on document level.
    public var sumOfCharges: Decimal?
    /// BT-109 Invoice total amount without VAT.
    public var totalWithoutVAT: Decimal
    /// BT-110 Invoice total VAT amount (in BT-5). Absent when no VAT is charged at all (e.g. only category O).
    public var totalVAT: Decimal?
    /// BT-111 Invoice total VAT amount in accounting currency (in BT-6).
    public var totalVATInAccountingCurrency: Decimal?
    /// BT-112 Invoice total amount with VAT.
    public var totalWithVAT: Decimal
    /// BT-113 Paid amount (prepayments already received).
    public var paidAmount: Decimal?
    /// BT-114 Rounding amount.
    public var roundingAmount: Decimal?
    /// BT-115 Amount due for payment.
    public var amountDueForPayment: Decimal

    public init(sumOfLineNetAmounts: Decimal = 0, sumOfAllowances: Decimal? = nil, sumOfCharges: Decimal? = nil,
                totalWithoutVAT: Decimal = 0, totalVAT: Decimal? = nil, totalVATInAccountingCurrency: Decimal? = nil,
                totalWithVAT: Decimal = 0, paidAmount: Decimal? = nil, roundingAmount: Decimal? = nil,
                amountDueForPayment: Decimal = 0) {
        self.sumOfLineNetAmounts = sumOfLineNetAmounts
        self.sumOfAllowances = sumOfAllowances
        self.sumOfCharges = sumOfCharges
        self.totalWithoutVAT = totalWithoutVAT
        self.totalVAT = totalVAT
        self.totalVATInAccountingCurrency = totalVATInAccountingCurrency
        self.totalWithVAT = totalWithVAT
        self.paidAmount = paidAmount
        self.roundingAmount = roundingAmount
        self.amountDueForPayment = amountDueForPayment
    }
}
