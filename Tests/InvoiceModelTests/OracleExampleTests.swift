import Foundation
import Testing
@testable import InvoiceModel

/// Cross-check against the official CEN example /work/shared/oracle/en16931/cii/examples/CII_example1.xml
/// (also in Tests/Fixtures/oracle). This target has no XML parser, so the inputs were read from the file by
/// hand: per line BilledQuantity, NetPriceProductTradePrice/ChargeAmount, CategoryCode and
/// RateApplicablePercent; the expectations are its LineTotalAmount values, header ApplicableTradeTax and
/// SpecifiedTradeSettlementHeaderMonetarySummation.
@Suite("CEN example CII_example1.xml")
struct OracleExampleTests {
    let calculator = InvoiceCalculator()

    /// (LineID, BilledQuantity, net price, rate, LineTotalAmount)
    static let lines: [(String, String, String, String, String)] = [
        ("1", "2", "9.95", "6", "19.9"),
        ("2", "1", "9.85", "6", "9.85"),
        ("3", "1", "8.29", "6", "8.29"),
        ("4", "2", "7.23", "6", "14.46"),
        ("5", "1", "35", "6", "35"),
        ("6", "1", "35", "6", "35"),
        ("7", "1", "10.65", "6", "10.65"),
        ("8", "1", "1.55", "6", "1.55"),
        ("9", "3", "4.79", "6", "14.37"),
        ("10", "1", "8.29", "6", "8.29"),
        ("11", "2", "8.29", "6", "16.58"),
        ("12", "1", "9.95", "6", "9.95"),
        ("13", "2", "1.65", "6", "3.3"),
        ("14", "1", "10.8", "21", "10.8"),
        ("15", "1", "3.9", "6", "3.9"),
        ("16", "2", "3.8", "21", "7.6"),
        ("17", "2", "4.67", "21", "9.34"),
        ("18", "1", "18.63", "21", "18.63"),
        ("19", "6", "17.02", "6", "102.12"),
        // "FRITUUR VET 10 KG RETOUR": the file bills quantity 6 but states LineTotalAmount -109.98. A return
        // is a negative quantity in EN 16931, so the calculation input is -6; see the test below for the
        // literal quantity.
        ("20", "-6", "18.33", "6", "-109.98"),
    ]

    func invoice() -> Invoice {
        Invoice(
            invoiceNumber: "12115118", issueDate: LocalDate(cii102: "20150109"), typeCode: "380",
            currencyCode: "EUR",
            totals: DocumentTotals(sumOfLineNetAmounts: dec("229.6"), totalWithoutVAT: dec("229.6"),
                                   totalVAT: dec("20.73"), totalWithVAT: dec("250.33"),
                                   amountDueForPayment: dec("250.33")),
            vatBreakdown: [
                VATBreakdown(taxableAmount: dec("183.23"), taxAmount: dec("10.99"), categoryCode: "S", rate: 6),
                VATBreakdown(taxableAmount: dec("46.37"), taxAmount: dec("9.74"), categoryCode: "S", rate: 21),
            ],
            lines: Self.lines.map { id, quantity, price, rate, total in
                var result = line(id, "item \(id)", quantity: quantity, price: price, unit: "H87", rate: rate)
                result.netAmount = dec(total)
                return result
            })
    }

    @Test func reproducesLineAmountsTotalsAndVATBreakdown() throws {
        let given = invoice()
        let result = calculator.calculate(given)

        #expect(result.lines.map(\.netAmount) == Self.lines.map { dec($0.4) })

        #expect(result.vatBreakdown.count == 2)
        let six = try #require(result.vatBreakdown.first)
        #expect(six.categoryCode == "S" && six.rate == 6)
        #expect(six.taxableAmount == dec("183.23"))
        #expect(six.taxAmount == dec("10.99"))
        let twentyOne = try #require(result.vatBreakdown.last)
        #expect(twentyOne.rate == 21)
        #expect(twentyOne.taxableAmount == dec("46.37"))
        #expect(twentyOne.taxAmount == dec("9.74"))

        // BT-106 … BT-115 as in SpecifiedTradeSettlementHeaderMonetarySummation.
        #expect(result.totals.sumOfLineNetAmounts == dec("229.6"))
        #expect(result.totals.sumOfAllowances == nil)
        #expect(result.totals.sumOfCharges == nil)
        #expect(result.totals.totalWithoutVAT == dec("229.6"))
        #expect(result.totals.totalVAT == dec("20.73"))
        #expect(result.totals.totalWithVAT == dec("250.33"))
        #expect(result.totals.paidAmount == nil)
        #expect(result.totals.roundingAmount == nil)
        #expect(result.totals.amountDueForPayment == dec("250.33"))

        #expect(result == given)
        #expect(calculator.inconsistencies(in: given).isEmpty)
    }

    @Test func literalQuantityOfTheReturnLineIsReported() throws {
        var given = invoice()
        given.lines[19].quantity = 6   // as written in the file
        let found = calculator.inconsistencies(in: given)
        let issue = try #require(found.first { $0.term == "BT-131" })
        #expect(issue.context == "line 20")
        #expect(issue.given == dec("-109.98"))
        #expect(issue.expected == dec("109.98"))
        // With +109.98 the totals no longer match either: the 6 % group grows by 219.96.
        #expect(found.contains { $0.term == "BT-116" && $0.expected == dec("403.19") })
        #expect(found.contains { $0.term == "BT-106" && $0.expected == dec("449.56") })
    }
}
