import Foundation

/// An allowance or a charge, at document level (BG-20 / BG-21) or on a line (BG-27 / BG-28).
///
/// One type with an `isCharge` flag, kept in one array in document order, because both syntaxes encode
/// allowances and charges as the same element with a charge indicator and a round trip should not reorder
/// them. `Invoice.allowances` / `Invoice.charges` give the EN 16931 split.
public struct AllowanceCharge: Sendable, Hashable, Codable {
    /// false: allowance (BG-20 / BG-27); true: charge (BG-21 / BG-28).
    public var isCharge: Bool
    /// BT-92 / BT-99 / BT-136 / BT-141 amount, without VAT.
    /// Mandatory in a finished invoice; nil while only base and percentage are known, in which case
    /// `InvoiceCalculator` derives it.
    public var amount: Decimal?
    /// BT-93 / BT-100 / BT-137 / BT-142 base amount.
    public var baseAmount: Decimal?
    /// BT-94 / BT-101 / BT-138 / BT-143 percentage (`10` means 10 %).
    public var percentage: Decimal?
    /// BT-95 / BT-102 VAT category code. Document level only; nil on lines, whose allowances and charges
    /// take the line's VAT category.
    public var vatCategoryCode: String?
    /// BT-96 / BT-103 VAT rate, in percent. Document level only.
    public var vatRate: Decimal?
    /// BT-97 / BT-104 / BT-139 / BT-144 reason.
    public var reason: String?
    /// BT-98 / BT-105 / BT-140 / BT-145 reason code (UNTDID 5189 for allowances, 7161 for charges).
    public var reasonCode: String?

    public init(isCharge: Bool = false, amount: Decimal? = nil, baseAmount: Decimal? = nil,
                percentage: Decimal? = nil, vatCategoryCode: String? = nil, vatRate: Decimal? = nil,
                reason: String? = nil, reasonCode: String? = nil) {
        self.isCharge = isCharge
        self.amount = amount
        self.baseAmount = baseAmount
        self.percentage = percentage
        self.vatCategoryCode = vatCategoryCode
        self.vatRate = vatRate
        self.reason = reason
        self.reasonCode = reasonCode
    }

    /// A document or line allowance.
    public static func allowance(amount: Decimal? = nil, baseAmount: Decimal? = nil, percentage: Decimal? = nil,
                                 vatCategoryCode: String? = nil, vatRate: Decimal? = nil,
                                 reason: String? = nil, reasonCode: String? = nil) -> AllowanceCharge {
        AllowanceCharge(isCharge: false, amount: amount, baseAmount: baseAmount, percentage: percentage,
                        vatCategoryCode: vatCategoryCode, vatRate: vatRate, reason: reason, reasonCode: reasonCode)
    }

    /// A document or line charge.
    public static func charge(amount: Decimal? = nil, baseAmount: Decimal? = nil, percentage: Decimal? = nil,
                              vatCategoryCode: String? = nil, vatRate: Decimal? = nil,
                              reason: String? = nil, reasonCode: String? = nil) -> AllowanceCharge {
        AllowanceCharge(isCharge: true, amount: amount, baseAmount: baseAmount, percentage: percentage,
                        vatCategoryCode: vatCategoryCode, vatRate: vatRate, reason: reason, reasonCode: reasonCode)
    }

    public var vatCategory: VATCategory? { vatCategoryCode.flatMap(VATCategory.init(rawValue:)) }
}
