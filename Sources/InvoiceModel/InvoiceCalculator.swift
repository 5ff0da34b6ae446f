import Foundation

/// Derives the computed terms of an invoice (line net amounts, allowance/charge amounts, VAT breakdown,
/// document totals) following the EN 16931 calculation rules, and reports where given values disagree.
///
/// Rounding policy, and why:
/// * Every amount is rounded to 2 decimals because EN 16931 allows at most two on amounts (BR-DEC-*),
///   whatever the currency's minor unit.
/// * The mode is half away from zero (`NSDecimalRound` `.plain`): that is the commercial rounding French
///   accounting expects, and it is symmetric, so a credit note (negative or not) rounds to the mirror of the
///   invoice it cancels. Banker's rounding would turn 0.105 into 0.10 where every reader expects 0.11.
/// * Rounding happens where EN 16931 puts a rounded term, and nowhere else: each line net amount (BT-131)
///   and each allowance/charge amount derived from a percentage is rounded once; VAT is computed once per
///   VAT breakdown group from its rounded taxable amount (BR-CO-17), never line by line, so the sum of
///   per-line VAT may legitimately differ by a few cents from BT-117.
/// * Unit prices and quantities are never rounded: they may have more decimals than amounts, and rounding
///   them before multiplying would change the line amount.
public struct InvoiceCalculator: Sendable {
    /// Decimals of every amount, fixed by EN 16931.
    public static let amountScale = 2

    public init() {}

    // MARK: Derivation

    /// Returns `invoice` with derived terms filled: BT-131 and missing line allowance/charge amounts, missing
    /// document allowance/charge amounts, BG-23 and BG-22. Inputs (quantities, prices, rates, BT-113
    /// paid amount, BT-114 rounding amount, BT-111) are left as given; exemption reasons (BT-120/121) are
    /// carried over from the given VAT breakdown entry of the same category (and rate).
    public func calculate(_ invoice: Invoice) -> Invoice {
        var result = invoice
        result.lines = invoice.lines.map(completedLine)
        result.allowanceCharges = invoice.allowanceCharges.map(completedAllowanceCharge)
        result.vatBreakdown = vatBreakdown(lines: result.lines, allowanceCharges: result.allowanceCharges,
                                           previous: invoice.vatBreakdown)
        result.totals = totals(lines: result.lines, allowanceCharges: result.allowanceCharges,
                               vatBreakdown: result.vatBreakdown, given: invoice.totals)
        return result
    }

    /// BT-131 for one line: quantity × (net price ÷ base quantity) + line charges − line allowances.
    ///
    /// The product is taken before dividing by the base quantity so that, e.g., 3 × (10 ÷ 3) stays exactly 10
    /// instead of accumulating a repeating decimal. Line allowances and charges without an amount and
    /// without base + percentage count as zero (`inconsistencies(in:)` reports them).
    public func lineNetAmount(_ line: InvoiceLine) -> Decimal {
        let line = completedLine(line)
        return line.netAmount
    }

    /// The gross line amount before line allowances and charges, unrounded: quantity × net price ÷ base
    /// quantity. A zero base quantity is meaningless and treated as absent (1) rather than dividing by zero.
    public func lineItemAmount(_ line: InvoiceLine) -> Decimal {
        let base = line.price.baseQuantity.flatMap { $0 == 0 ? nil : $0 } ?? 1
        return line.quantity * line.price.netPrice / base
    }

    /// `amount`, or base × percentage ÷ 100 rounded to 2 decimals when only those are given.
    public func allowanceChargeAmount(_ item: AllowanceCharge) -> Decimal? {
        if let amount = item.amount { return amount }
        guard let base = item.baseAmount, let percentage = item.percentage else { return nil }
        return Self.roundAmount(base * percentage / 100)
    }

    /// VAT of one breakdown group: zero for the categories that charge no VAT, otherwise BR-CO-17's
    /// taxable × rate ÷ 100 rounded to 2 decimals. An unknown category code is treated like a taxed one, so
    /// that whatever rate the document states is honoured rather than silently zeroed.
    public func taxAmount(taxableAmount: Decimal, categoryCode: String, rate: Decimal?) -> Decimal {
        if VATCategory(rawValue: categoryCode)?.chargesNoVAT == true { return 0 }
        guard let rate else { return 0 }
        return Self.roundAmount(taxableAmount * rate / 100)
    }

    /// Half away from zero, 2 decimals (see the type's documentation for why).
    public static func roundAmount(_ value: Decimal) -> Decimal {
        value.rounded(scale: amountScale, .plain)
    }

    // MARK: Consistency report

    /// Where a given value differs from what the calculator derives, or a value needed for the derivation
    /// is missing. Comparisons are exact (after derivation rounding) because the entry screen wants to show
    /// every cent of difference; the EN 16931 schematron is more tolerant on BT-117 (±1 unit, BR-S-09).
    public func inconsistencies(in invoice: Invoice) -> [CalculationInconsistency] {
        var found: [CalculationInconsistency] = []
        let derived = calculate(invoice)

        for (index, line) in invoice.lines.enumerated() {
            let context = "line \(line.identifier.isEmpty ? String(index + 1) : line.identifier)"
            for item in line.allowanceCharges where allowanceChargeAmount(item) == nil {
                found.append(.init(term: item.isCharge ? "BT-141" : "BT-136", context: context, given: nil,
                                   expected: nil, kind: .missing))
            }
            for item in line.allowanceCharges { checkPercentage(item, line: true, context: context, into: &found) }
            let expected = derived.lines[index].netAmount
            if line.netAmount != expected {
                found.append(.init(term: "BT-131", context: context, given: line.netAmount, expected: expected,
                                   kind: .mismatch))
            }
        }

        for (index, item) in invoice.allowanceCharges.enumerated() {
            let context = "document \(item.isCharge ? "charge" : "allowance") \(index + 1)"
            if allowanceChargeAmount(item) == nil {
                found.append(.init(term: item.isCharge ? "BT-99" : "BT-92", context: context, given: nil,
                                   expected: nil, kind: .missing))
            }
            checkPercentage(item, line: false, context: context, into: &found)
        }

        found += vatBreakdownInconsistencies(given: invoice.vatBreakdown, derived: derived.vatBreakdown)

        let given = invoice.totals
        let expected = derived.totals
        func compare(_ term: String, _ given: Decimal?, _ expected: Decimal?) {
            // An absent optional total and a zero one mean the same amount; only a real difference counts.
            guard (given ?? 0) != (expected ?? 0) else { return }
            found.append(.init(term: term, context: nil, given: given, expected: expected, kind: .mismatch))
        }
        compare("BT-106", given.sumOfLineNetAmounts, expected.sumOfLineNetAmounts)
        compare("BT-107", given.sumOfAllowances, expected.sumOfAllowances)
        compare("BT-108", given.sumOfCharges, expected.sumOfCharges)
        compare("BT-109", given.totalWithoutVAT, expected.totalWithoutVAT)
        compare("BT-110", given.totalVAT, expected.totalVAT)
        compare("BT-112", given.totalWithVAT, expected.totalWithVAT)
        compare("BT-115", given.amountDueForPayment, expected.amountDueForPayment)
        return found
    }

    // MARK: Internals

    private func completedLine(_ line: InvoiceLine) -> InvoiceLine {
        var line = line
        line.allowanceCharges = line.allowanceCharges.map(completedAllowanceCharge)
        var net = lineItemAmount(line)
        for item in line.allowanceCharges {
            let amount = item.amount ?? 0
            net += item.isCharge ? amount : -amount
        }
        line.netAmount = Self.roundAmount(net)
        return line
    }

    private func completedAllowanceCharge(_ item: AllowanceCharge) -> AllowanceCharge {
        var item = item
        item.amount = allowanceChargeAmount(item)
        return item
    }

    /// Rates are compared numerically: `20`, `20.0` and `20.00` are the same group, as in the schematron's
    /// `xs:decimal` comparisons.
    private struct GroupKey: Hashable {
        let categoryCode: String
        let rate: String?

        init(_ categoryCode: String, _ rate: Decimal?) {
            self.categoryCode = categoryCode
            self.rate = rate?.plainString
        }
    }

    private func vatBreakdown(lines: [InvoiceLine], allowanceCharges: [AllowanceCharge],
                              previous: [VATBreakdown]) -> [VATBreakdown] {
        // Groups keep the order in which their category first appears, so recalculating a read document
        // does not reorder its breakdown.
        var order: [GroupKey] = []
        var rates: [GroupKey: Decimal?] = [:]
        var taxable: [GroupKey: Decimal] = [:]
        func add(_ code: String, _ rate: Decimal?, _ amount: Decimal) {
            let key = GroupKey(code, rate)
            if taxable[key] == nil {
                order.append(key)
                rates[key] = rate
            }
            taxable[key, default: 0] += amount
        }
        for line in lines { add(line.vat.categoryCode, line.vat.rate, line.netAmount) }
        for item in allowanceCharges {
            // Without a category the document allowance/charge cannot be assigned to a group; EN 16931
            // requires BT-95/BT-102 (BR-32, BR-37), so validation reports it.
            guard let code = item.vatCategoryCode else { continue }
            let amount = item.amount ?? 0
            add(code, item.vatRate, item.isCharge ? amount : -amount)
        }
        return order.map { key in
            let rate = rates[key] ?? nil
            let base = Self.roundAmount(taxable[key] ?? 0)
            let reasonSource = previous.first { GroupKey($0.categoryCode, $0.rate) == key }
                ?? previous.first { $0.categoryCode == key.categoryCode }
            return VATBreakdown(taxableAmount: base,
                                taxAmount: taxAmount(taxableAmount: base, categoryCode: key.categoryCode, rate: rate),
                                categoryCode: key.categoryCode, rate: rate,
                                exemptionReason: reasonSource?.exemptionReason,
                                exemptionReasonCode: reasonSource?.exemptionReasonCode)
        }
    }

    private func totals(lines: [InvoiceLine], allowanceCharges: [AllowanceCharge], vatBreakdown: [VATBreakdown],
                        given: DocumentTotals) -> DocumentTotals {
        var totals = given
        let lineSum = Self.roundAmount(lines.reduce(0) { $0 + $1.netAmount })
        let allowances = allowanceCharges.filter { !$0.isCharge }
        let charges = allowanceCharges.filter { $0.isCharge }
        let allowanceSum = Self.roundAmount(allowances.reduce(0) { $0 + ($1.amount ?? 0) })
        let chargeSum = Self.roundAmount(charges.reduce(0) { $0 + ($1.amount ?? 0) })
        totals.sumOfLineNetAmounts = lineSum
        // BT-107/BT-108 are optional and only required when there are allowances/charges (BR-CO-11/12);
        // a zero the source document stated explicitly is kept so that a round trip does not drop it.
        totals.sumOfAllowances = allowances.isEmpty && given.sumOfAllowances == nil ? nil : allowanceSum
        totals.sumOfCharges = charges.isEmpty && given.sumOfCharges == nil ? nil : chargeSum
        totals.totalWithoutVAT = lineSum - allowanceSum + chargeSum
        let vat = vatBreakdown.reduce(Decimal(0)) { $0 + $1.taxAmount }
        totals.totalVAT = vat
        totals.totalWithVAT = totals.totalWithoutVAT + vat
        totals.amountDueForPayment = totals.totalWithVAT - (given.paidAmount ?? 0) + (given.roundingAmount ?? 0)
        return totals
    }

    private func vatBreakdownInconsistencies(given: [VATBreakdown], derived: [VATBreakdown])
        -> [CalculationInconsistency] {
        var found: [CalculationInconsistency] = []
        var unmatched = given
        for expected in derived {
            let key = GroupKey(expected.categoryCode, expected.rate)
            let context = Self.describe(key)
            guard let index = unmatched.firstIndex(where: { GroupKey($0.categoryCode, $0.rate) == key }) else {
                found.append(.init(term: "BG-23", context: context, given: nil, expected: expected.taxableAmount,
                                   kind: .missing))
                continue
            }
            let entry = unmatched.remove(at: index)
            if entry.taxableAmount != expected.taxableAmount {
                found.append(.init(term: "BT-116", context: context, given: entry.taxableAmount,
                                   expected: expected.taxableAmount, kind: .mismatch))
            }
            if entry.taxAmount != expected.taxAmount {
                found.append(.init(term: "BT-117", context: context, given: entry.taxAmount,
                                   expected: expected.taxAmount, kind: .mismatch))
            }
        }
        for entry in unmatched {
            found.append(.init(term: "BG-23", context: Self.describe(GroupKey(entry.categoryCode, entry.rate)),
                               given: entry.taxableAmount, expected: nil, kind: .unexpected))
        }
        return found
    }

    private func checkPercentage(_ item: AllowanceCharge, line: Bool, context: String,
                                 into found: inout [CalculationInconsistency]) {
        guard let amount = item.amount, let base = item.baseAmount, let percentage = item.percentage else { return }
        let expected = Self.roundAmount(base * percentage / 100)
        guard amount != expected else { return }
        let term: String
        switch (line, item.isCharge) {
        case (false, false): term = "BT-92"
        case (false, true): term = "BT-99"
        case (true, false): term = "BT-136"
        case (true, true): term = "BT-141"
        }
        found.append(.init(term: term, context: context, given: amount, expected: expected, kind: .mismatch))
    }

    private static func describe(_ key: GroupKey) -> String {
        "VAT \(key.categoryCode)" + (key.rate.map { " \($0) %" } ?? "")
    }
}

/// One difference between a given invoice and its recalculation.
public struct CalculationInconsistency: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The given value differs from the derived one.
        case mismatch
        /// A value the calculation needs (or derives) is absent from the invoice.
        case missing
        /// The invoice has a VAT breakdown group that no line or allowance/charge produces.
        case unexpected
    }

    /// The business term or group concerned (`BT-131`, `BT-117`, `BG-23`…).
    public var term: String
    /// Which line, allowance/charge or VAT group, for terms that repeat (`line 3`, `VAT S 20 %`).
    public var context: String?
    public var given: Decimal?
    public var expected: Decimal?
    public var kind: Kind

    public init(term: String, context: String?, given: Decimal?, expected: Decimal?, kind: Kind) {
        self.term = term
        self.context = context
        self.given = given
        self.expected = expected
        self.kind = kind
    }

    public var description: String {
        let place = context.map { " (\($0))" } ?? ""
        let givenText = given?.plainString ?? "absent"
        let expectedText = expected?.plainString ?? "absent"
        switch kind {
        case .mismatch: return "\(term)\(place): \(givenText), expected \(expectedText)"
        case .missing: return "\(term)\(place): missing" + (expected.map { ", expected \($0.plainString)" } ?? "")
        case .unexpected: return "\(term)\(place): not produced by any line or allowance/charge"
        }
    }
}
