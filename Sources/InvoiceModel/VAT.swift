import Foundation

/// VAT category codes of EN 16931 (UNTDID 5305 subset).
///
/// The model stores category codes as `String` so that a document with an unknown or misspelt code can be
/// read, shown and reported by validation rather than rejected while parsing; this enum is the typed view.
public enum VATCategory: String, Sendable, Codable, CaseIterable {
    /// Standard rate.
    case standard = "S"
    /// Zero rated goods.
    case zeroRated = "Z"
    /// Exempt from VAT.
    case exempt = "E"
    /// VAT reverse charge (autoliquidation).
    case reverseCharge = "AE"
    /// VAT exempt for EEA intra-community supply of goods and services.
    case intraCommunity = "K"
    /// Free export item, VAT not charged.
    case export = "G"
    /// Services outside scope of tax.
    case outsideScope = "O"
    /// Canary Islands general indirect tax (IGIC).
    case canaryIslands = "L"
    /// Tax for production, services and importation in Ceuta and Melilla (IPSI).
    case ceutaMelilla = "M"

    /// Categories where EN 16931 fixes the VAT amount to zero whatever the rate (BR-E-09, BR-AE-09, BR-IC-09,
    /// BR-G-09, BR-O-09); the tax is due elsewhere or not at all, so the seller must not charge it.
    public var chargesNoVAT: Bool {
        switch self {
        case .exempt, .reverseCharge, .intraCommunity, .export, .outsideScope: return true
        case .standard, .zeroRated, .canaryIslands, .ceutaMelilla: return false
        }
    }

    /// Categories for which the VAT breakdown must give an exemption reason text or code
    /// (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10).
    public var requiresExemptionReason: Bool { chargesNoVAT }
}

/// BG-23 VAT BREAKDOWN: one entry per VAT category code and rate.
public struct VATBreakdown: Sendable, Hashable, Codable {
    /// BT-116 VAT category taxable amount.
    public var taxableAmount: Decimal
    /// BT-117 VAT category tax amount.
    public var taxAmount: Decimal
    /// BT-118 VAT category code (see `VATCategory`).
    public var categoryCode: String
    /// BT-119 VAT category rate, in percent (`20`, `5.5`). Absent for category O (BR-O-05).
    public var rate: Decimal?
    /// BT-120 VAT exemption reason text (e.g. « TVA non applicable, art. 293 B du CGI »).
    public var exemptionReason: String?
    /// BT-121 VAT exemption reason code (VATEX code list, e.g. `VATEX-EU-AE`, `VATEX-FR-FRANCHISE`).
    public var exemptionReasonCode: String?

    public init(taxableAmount: Decimal = 0, taxAmount: Decimal = 0, categoryCode: String,
                rate: Decimal? = nil, exemptionReason: String? = nil, exemptionReasonCode: String? = nil) {
        self.taxableAmount = taxableAmount
        self.taxAmount = taxAmount
        self.categoryCode = categoryCode
        self.rate = rate
        self.exemptionReason = exemptionReason
        self.exemptionReasonCode = exemptionReasonCode
    }

    /// The typed category, nil when the code is not one of EN 16931's.
    public var category: VATCategory? { VATCategory(rawValue: categoryCode) }
}

/// BG-30 LINE VAT INFORMATION.
public struct LineVATInformation: Sendable, Hashable, Codable {
    /// BT-151 Invoiced item VAT category code.
    public var categoryCode: String
    /// BT-152 Invoiced item VAT rate, in percent. Absent for category O.
    public var rate: Decimal?

    public init(categoryCode: String = VATCategory.standard.rawValue, rate: Decimal? = nil) {
        self.categoryCode = categoryCode
        self.rate = rate
    }

    public init(_ category: VATCategory, rate: Decimal? = nil) {
        self.init(categoryCode: category.rawValue, rate: rate)
    }

    public var category: VATCategory? { VATCategory(rawValue: categoryCode) }
}
