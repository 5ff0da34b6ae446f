import Foundation
@testable import InvoiceModel

/// Decimal from text. Tests never use float literals for money: `let x: Decimal = 0.1` goes through Double.
func dec(_ text: String) -> Decimal {
    guard let value = Decimal(plain: text) else { fatalError("bad decimal literal in test: \(text)") }
    return value
}

func date(_ iso: String) -> LocalDate {
    guard let value = LocalDate(iso: iso) else { fatalError("bad date literal in test: \(iso)") }
    return value
}

/// A line with quantity × unit price, the shape of most invoice lines.
func line(_ id: String, _ name: String, quantity: String, price: String, unit: String = "C62",
          category: VATCategory = .standard, rate: String? = "20", baseQuantity: String? = nil,
          allowanceCharges: [AllowanceCharge] = []) -> InvoiceLine {
    InvoiceLine(identifier: id, quantity: dec(quantity), unitCode: unit, allowanceCharges: allowanceCharges,
                price: PriceDetails(netPrice: dec(price), baseQuantity: baseQuantity.map(dec)),
                vat: LineVATInformation(category, rate: rate.map(dec)), item: Item(name: name))
}
