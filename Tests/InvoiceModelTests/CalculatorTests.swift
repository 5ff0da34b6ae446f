import Foundation
import Testing
@testable import InvoiceModel

@Suite("InvoiceCalculator")
struct CalculatorTests {
    let calculator = InvoiceCalculator()

    /// A French B2B invoice: services at 20 % with a 10 % line discount, books and coffee at 5.5 %, an exempt
    /// training line, a 5 % document discount on the 5.5 % goods, shipping charged at 20 % and a 200 €
    /// deposit already paid.
    func frenchInvoice() -> Invoice {
        Invoice(
            invoiceNumber: "FA-2024-0042", issueDate: date("2024-03-15"),
            allowanceCharges: [
                .allowance(baseAmount: dec("134.20"), percentage: 5, vatCategoryCode: "S", vatRate: dec("5.5"),
                           reason: "Remise fidélité", reasonCode: "95"),
                .charge(amount: 15, vatCategoryCode: "S", vatRate: 20, reason: "Frais de port", reasonCode: "FC"),
            ],
            totals: DocumentTotals(paidAmount: 200),
            vatBreakdown: [VATBreakdown(categoryCode: "E", rate: 0,
                                        exemptionReason: "Exonération de TVA, article 261-4-4° du CGI",
                                        exemptionReasonCode: "VATEX-EU-132")],
            lines: [
                line("1", "Conseil", quantity: "3", price: "150.00", unit: "HUR",
                     allowanceCharges: [.allowance(baseAmount: 450, percentage: 10, reason: "Remise")]),
                line("2", "Livres", quantity: "12", price: "7.35", rate: "5.5"),
                line("3", "Formation", quantity: "1", price: "500", category: .exempt, rate: "0"),
                line("4", "Café en grains", quantity: "2.5", price: "18.40", unit: "KGM", rate: "5.5"),
            ])
    }

    @Test func frenchInvoiceWithTwoRatesDiscountsChargeDepositAndExemption() throws {
        let result = calculator.calculate(frenchInvoice())

        #expect(result.lines.map(\.netAmount) == [dec("405.00"), dec("88.20"), 500, 46])
        #expect(result.lines[0].allowanceCharges[0].amount == 45)
        #expect(result.allowanceCharges[0].amount == dec("6.71"))
        #expect(result.allowanceCharges[1].amount == 15)

        #expect(result.vatBreakdown.count == 3)
        let standard = try #require(result.vatBreakdown.first { $0.categoryCode == "S" && $0.rate == 20 })
        #expect(standard.taxableAmount == 420)            // 405 + 15 shipping
        #expect(standard.taxAmount == 84)
        let reduced = try #require(result.vatBreakdown.first { $0.rate == dec("5.5") })
        #expect(reduced.taxableAmount == dec("127.49"))   // 88.20 + 46 − 6.71
        #expect(reduced.taxAmount == dec("7.01"))         // 7.01195
        let exempt = try #require(result.vatBreakdown.first { $0.category == .exempt })
        #expect(exempt.taxableAmount == 500)
        #expect(exempt.taxAmount == 0)
        #expect(exempt.exemptionReason == "Exonération de TVA, article 261-4-4° du CGI")
        #expect(exempt.exemptionReasonCode == "VATEX-EU-132")
        #expect(standard.exemptionReason == nil)

        let totals = result.totals
        #expect(totals.sumOfLineNetAmounts == dec("1039.20"))
        #expect(totals.sumOfAllowances == dec("6.71"))
        #expect(totals.sumOfCharges == 15)
        #expect(totals.totalWithoutVAT == dec("1047.49"))
        #expect(totals.totalVAT == dec("91.01"))
        #expect(totals.totalWithVAT == dec("1138.50"))
        #expect(totals.paidAmount == 200)
        #expect(totals.amountDueForPayment == dec("938.50"))
        #expect(totals.totalWithVAT.formatted(minFractionDigits: 2) == "1138.50")

        #expect(calculator.inconsistencies(in: result).isEmpty)
    }

    @Test func breakdownFollowsFirstAppearanceOrder() {
        let result = calculator.calculate(frenchInvoice())
        #expect(result.vatBreakdown.map(\.categoryCode) == ["S", "S", "E"])
        #expect(result.vatBreakdown.map(\.rate) == [20, dec("5.5"), 0])
    }

    @Test func ratesWithDifferentScalesFormOneGroup() {
        let invoice = Invoice(lines: [
            line("1", "A", quantity: "1", price: "10", rate: "20"),
            line("2", "B", quantity: "1", price: "10", rate: "20.00"),
        ])
        let result = calculator.calculate(invoice)
        #expect(result.vatBreakdown.count == 1)
        #expect(result.vatBreakdown.first?.taxableAmount == 20)
        #expect(result.vatBreakdown.first?.taxAmount == 4)
    }

    @Test func creditNote() {
        let note = Invoice(
            invoiceNumber: "AV-2024-0003", issueDate: date("2024-04-02"), typeCode: "381",
            precedingInvoices: [PrecedingInvoiceReference(reference: "FA-2024-0042", issueDate: date("2024-03-15"))],
            lines: [
                line("1", "Conseil (annulation partielle)", quantity: "2", price: "150", unit: "HUR"),
                line("2", "Livres retournés", quantity: "3", price: "7.35", rate: "5.5"),
            ])
        let result = calculator.calculate(note)
        #expect(result.isCreditNote)
        #expect(result.totals.sumOfLineNetAmounts == dec("322.05"))
        #expect(result.vatBreakdown.map(\.taxAmount) == [60, dec("1.21")])   // 22.05 × 5.5 % = 1.21275
        #expect(result.totals.totalVAT == dec("61.21"))
        #expect(result.totals.totalWithVAT == dec("383.26"))
        #expect(result.totals.amountDueForPayment == dec("383.26"))
        #expect(result.totals.sumOfAllowances == nil)
        #expect(result.totals.sumOfCharges == nil)
    }

    @Test func negativeCorrectiveLinesRoundSymmetrically() {
        let invoice = Invoice(typeCode: "384", lines: [
            line("1", "Retour", quantity: "-1", price: "1.05", rate: "10"),
        ])
        let result = calculator.calculate(invoice)
        #expect(result.lines[0].netAmount == dec("-1.05"))
        #expect(result.vatBreakdown[0].taxAmount == dec("-0.11"))   // −0.105 away from zero
        #expect(result.totals.totalWithVAT == dec("-1.16"))
    }

    @Test func prepaymentAndRoundingAmount() {
        var invoice = Invoice(lines: [line("1", "Acompte", quantity: "1", price: "99.99")])
        invoice.totals = DocumentTotals(paidAmount: dec("50"), roundingAmount: dec("0.01"))
        let result = calculator.calculate(invoice)
        #expect(result.totals.totalWithVAT == dec("119.99"))   // 99.99 + 20.00 (19.998)
        #expect(result.totals.amountDueForPayment == dec("70.00"))
    }

    @Test func baseQuantityDividesThePrice() {
        // 250 sheets at 12.00 per 100 sheets; the product is taken before the division.
        let invoice = Invoice(lines: [
            line("1", "Papier", quantity: "250", price: "12.00", baseQuantity: "100"),
            line("2", "Vis", quantity: "3", price: "10", baseQuantity: "3"),
            line("3", "Base zéro", quantity: "2", price: "5", baseQuantity: "0"),
        ])
        let result = calculator.calculate(invoice)
        #expect(result.lines.map(\.netAmount) == [30, 10, 10])
    }

    @Test func outsideScopeAndReverseChargeCarryNoVAT() {
        let invoice = Invoice(
            vatBreakdown: [VATBreakdown(categoryCode: "AE", rate: 0, exemptionReason: "Autoliquidation",
                                        exemptionReasonCode: "VATEX-EU-AE")],
            lines: [
                line("1", "Débours", quantity: "1", price: "80", category: .outsideScope, rate: nil),
                // A wrongly given rate must not produce VAT for a reverse-charge supply (BR-AE-09).
                line("2", "Travaux", quantity: "1", price: "1000", category: .reverseCharge, rate: "20"),
                line("3", "Export", quantity: "1", price: "10", category: .export, rate: "0"),
                line("4", "Livraison UE", quantity: "1", price: "10", category: .intraCommunity, rate: "0"),
                line("5", "Canaries", quantity: "1", price: "100", category: .canaryIslands, rate: "7"),
                line("6", "Ceuta", quantity: "1", price: "100", category: .ceutaMelilla, rate: "4"),
                line("7", "Lait", quantity: "1", price: "10", category: .zeroRated, rate: "0"),
            ])
        let result = calculator.calculate(invoice)
        let byCode = Dictionary(uniqueKeysWithValues: result.vatBreakdown.map { ($0.categoryCode, $0) })
        #expect(byCode["O"]?.rate == nil)
        #expect(byCode["O"]?.taxAmount == 0)
        #expect(byCode["AE"]?.taxAmount == 0)
        #expect(byCode["AE"]?.exemptionReason == "Autoliquidation")
        #expect(byCode["G"]?.taxAmount == 0)
        #expect(byCode["K"]?.taxAmount == 0)
        #expect(byCode["Z"]?.taxAmount == 0)
        #expect(byCode["L"]?.taxAmount == 7)
        #expect(byCode["M"]?.taxAmount == 4)
        #expect(result.totals.totalVAT == 11)
    }

    @Test func reasonIsCarriedOverByCategoryWhenTheRateChanged() {
        let invoice = Invoice(
            vatBreakdown: [VATBreakdown(categoryCode: "E", rate: nil, exemptionReason: "Franchise en base")],
            lines: [line("1", "Cours", quantity: "1", price: "40", category: .exempt, rate: "0")])
        #expect(calculator.calculate(invoice).vatBreakdown.first?.exemptionReason == "Franchise en base")
    }

    @Test func givenAllowanceAmountWinsOverPercentage() {
        let invoice = Invoice(lines: [
            line("1", "X", quantity: "1", price: "100",
                 allowanceCharges: [.allowance(amount: 7, baseAmount: 100, percentage: 10),
                                    .charge(baseAmount: 100, percentage: dec("2.5"))]),
        ])
        let result = calculator.calculate(invoice)
        #expect(result.lines[0].netAmount == dec("95.50"))   // 100 − 7 + 2.50
        #expect(result.lines[0].allowanceCharges.map(\.amount) == [7, dec("2.5")])
        // The given 7 contradicts 10 % of 100; it is kept but reported.
        let found = calculator.inconsistencies(in: result)
        #expect(found.map(\.term) == ["BT-136"])
        #expect(found.first?.expected == 10)
    }
}

@Suite("InvoiceCalculator rounding")
struct RoundingTests {
    let calculator = InvoiceCalculator()

    @Test(arguments: [
        ("1", "0.125", "0.13"),
        ("-1", "0.125", "-0.13"),
        ("1", "0.115", "0.12"),
        ("3", "0.335", "1.01"),      // 1.005: in Double 3 × 0.335 is 1.00499999…, which would round down
        ("7", "1.4285", "10.00"),    // 9.9995
        ("1", "0.0049", "0.00"),
        ("0.5", "0.01", "0.01"),     // 0.005
        ("-0.5", "0.01", "-0.01"),
    ])
    func lineNetAmountHalfAwayFromZero(_ quantity: String, _ price: String, _ expected: String) {
        let amount = calculator.lineNetAmount(line("1", "X", quantity: quantity, price: price))
        #expect(amount == dec(expected))
    }

    @Test(arguments: [
        ("1.05", "10", "0.11"),
        ("-1.05", "10", "-0.11"),
        ("0.25", "2", "0.01"),     // 0.005
        ("0.45", "5.5", "0.02"),   // 0.02475
        ("12.50", "5.5", "0.69"),  // 0.6875
        ("0.10", "5.5", "0.01"),   // 0.0055
    ])
    func vatAmountHalfAwayFromZero(_ taxable: String, _ rate: String, _ expected: String) {
        #expect(calculator.taxAmount(taxableAmount: dec(taxable), categoryCode: "S", rate: dec(rate)) == dec(expected))
    }

    @Test func vatIsRoundedPerGroupNotPerLine() {
        // Ten lines of 0.10 at 5.5 %: each line's VAT would round to 0.01 (0.10 in all), but BR-CO-17
        // computes VAT once on the group's 1.00 → 0.055 → 0.06.
        let lines = (1...10).map { line(String($0), "Bonbon", quantity: "1", price: "0.10", rate: "5.5") }
        let result = calculator.calculate(Invoice(lines: lines))
        let perLine = result.lines.reduce(Decimal(0)) {
            $0 + calculator.taxAmount(taxableAmount: $1.netAmount, categoryCode: "S", rate: dec("5.5"))
        }
        #expect(perLine == dec("0.10"))
        #expect(result.vatBreakdown.count == 1)
        #expect(result.vatBreakdown[0].taxAmount == dec("0.06"))
        #expect(result.totals.totalVAT == dec("0.06"))
        #expect(result.totals.totalWithVAT == dec("1.06"))
    }

    @Test func lineAmountsAreRoundedBeforeSumming() {
        // Three lines of 33.333: BT-131 is rounded per line (33.33), so BT-106 is 99.99, not round(99.999) = 100.
        let lines = (1...3).map { line(String($0), "Tiers", quantity: "1", price: "33.333") }
        let result = calculator.calculate(Invoice(lines: lines))
        #expect(result.totals.sumOfLineNetAmounts == dec("99.99"))
        #expect(result.vatBreakdown[0].taxAmount == dec("20.00"))   // 19.998
        #expect(result.totals.totalWithVAT == dec("119.99"))
    }

    @Test func manySmallLinesStayExact() {
        // 1 000 lines of 0.01: any binary floating point accumulation would drift.
        let lines = (1...1000).map { line(String($0), "Pièce", quantity: "1", price: "0.01") }
        let result = calculator.calculate(Invoice(lines: lines))
        #expect(result.totals.sumOfLineNetAmounts == 10)
        #expect(result.totals.totalVAT == 2)
        #expect(result.totals.sumOfLineNetAmounts.plainString == "10")
    }

    @Test func documentAllowanceFromPercentageIsRounded() {
        let invoice = Invoice(
            allowanceCharges: [.allowance(baseAmount: dec("33.33"), percentage: 15, vatCategoryCode: "S", vatRate: 20)],
            lines: [line("1", "X", quantity: "1", price: "33.33")])
        let result = calculator.calculate(invoice)
        #expect(result.allowanceCharges[0].amount == dec("5.00"))      // 4.9995
        #expect(result.vatBreakdown[0].taxableAmount == dec("28.33"))
        #expect(result.vatBreakdown[0].taxAmount == dec("5.67"))       // 5.666
        #expect(result.totals.totalWithoutVAT == dec("28.33"))
    }
}

@Suite("InvoiceCalculator consistency report")
struct InconsistencyTests {
    let calculator = InvoiceCalculator()

    @Test func reportsEachWrongGivenValue() throws {
        var invoice = calculator.calculate(Invoice(lines: [
            line("A", "X", quantity: "2", price: "10"),
            line("B", "Y", quantity: "1", price: "5", rate: "5.5"),
        ]))
        #expect(calculator.inconsistencies(in: invoice).isEmpty)

        invoice.lines[1].netAmount = 6
        invoice.vatBreakdown[0].taxAmount = dec("4.01")
        invoice.totals.totalWithoutVAT = 26
        invoice.totals.totalVAT = nil
        let found = calculator.inconsistencies(in: invoice)
        #expect(found.map(\.term).sorted() == ["BT-109", "BT-110", "BT-117", "BT-131"])

        let lineIssue = try #require(found.first { $0.term == "BT-131" })
        #expect(lineIssue.context == "line B")
        #expect(lineIssue.given == 6 && lineIssue.expected == 5)
        #expect(lineIssue.kind == .mismatch)
        #expect(lineIssue.description == "BT-131 (line B): 6, expected 5")

        let vatIssue = try #require(found.first { $0.term == "BT-117" })
        #expect(vatIssue.context == "VAT S 20 %")
        #expect(vatIssue.expected == 4)
    }

    @Test func reportsMissingAndUnexpectedBreakdownGroups() {
        let invoice = Invoice(
            totals: DocumentTotals(sumOfLineNetAmounts: 10, totalWithoutVAT: 10, totalVAT: 2, totalWithVAT: 12,
                                   amountDueForPayment: 12),
            vatBreakdown: [VATBreakdown(taxableAmount: 10, taxAmount: 1, categoryCode: "S", rate: 10)],
            lines: [line("1", "X", quantity: "1", price: "10")])
        let found = calculator.inconsistencies(in: invoice)
        #expect(found.contains { $0.term == "BG-23" && $0.kind == .missing && $0.context == "VAT S 20 %" })
        #expect(found.contains { $0.term == "BG-23" && $0.kind == .unexpected && $0.context == "VAT S 10 %" })
        #expect(!found.contains { $0.term == "BT-110" })
    }

    @Test func reportsAllowanceWithoutAmount() {
        let invoice = Invoice(
            allowanceCharges: [.allowance(percentage: 5, vatCategoryCode: "S", vatRate: 20)],
            lines: [line("1", "X", quantity: "1", price: "10",
                         allowanceCharges: [.charge(reason: "Frais sans montant")])])
        let found = calculator.inconsistencies(in: calculator.calculate(invoice))
        #expect(Set(found.map(\.term)) == ["BT-92", "BT-141"])
        #expect(found.allSatisfy { $0.kind == .missing })
    }

    @Test func explicitZeroTotalsAreKeptAndNotReported() {
        let invoice = Invoice(totals: DocumentTotals(sumOfAllowances: 0, sumOfCharges: 0),
                              lines: [line("1", "X", quantity: "1", price: "10")])
        let result = calculator.calculate(invoice)
        #expect(result.totals.sumOfAllowances == 0)
        #expect(result.totals.sumOfCharges == 0)
        #expect(calculator.inconsistencies(in: result).isEmpty)
    }
}
