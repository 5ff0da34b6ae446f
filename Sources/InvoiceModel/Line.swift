import Foundation

/// BG-25 INVOICE LINE.
public struct InvoiceLine: Sendable, Hashable, Codable {
    /// BT-126 Invoice line identifier.
    public var identifier: String
    /// BT-127 Invoice line note.
    public var note: String?
    /// BT-128 Invoice line object identifier, with BT-128-1 scheme identifier.
    public var objectIdentifier: Identifier?
    /// BT-129 Invoiced quantity (negative on a corrective line).
    public var quantity: Decimal
    /// BT-130 Invoiced quantity unit of measure code (UN/ECE Rec 20/21: `C62` one, `HUR` hour, `KGM`…).
    public var unitCode: String
    /// BT-131 Invoice line net amount, without VAT, after line allowances and charges.
    public var netAmount: Decimal
    /// BT-132 Referenced purchase order line reference.
    public var orderLineReference: String?
    /// BT-133 Invoice line Buyer accounting reference.
    public var buyerAccountingReference: String?
    /// BG-26 INVOICE LINE PERIOD.
    public var period: Period?
    /// BG-27 INVOICE LINE ALLOWANCES and BG-28 INVOICE LINE CHARGES, in document order.
    public var allowanceCharges: [AllowanceCharge]
    /// BG-29 PRICE DETAILS.
    public var price: PriceDetails
    /// BG-30 LINE VAT INFORMATION.
    public var vat: LineVATInformation
    /// BG-31 ITEM INFORMATION.
    public var item: Item

    public init(identifier: String = "", note: String? = nil, objectIdentifier: Identifier? = nil,
                quantity: Decimal = 0, unitCode: String = "C62", netAmount: Decimal = 0,
                orderLineReference: String? = nil, buyerAccountingReference: String? = nil, period: Period? = nil,
                allowanceCharges: [AllowanceCharge] = [], price: PriceDetails = PriceDetails(),
                vat: LineVATInformation = LineVATInformation(), item: Item = Item()) {
        self.identifier = identifier
        self.note = note
        self.objectIdentifier = objectIdentifier
        self.quantity = quantity
        self.unitCode = unitCode
        self.netAmount = netAmount
        self.orderLineReference = orderLineReference
        self.buyerAccountingReference = buyerAccountingReference
        self.period = period
        self.allowanceCharges = allowanceCharges
        self.price = price
        self.vat = vat
        self.item = item
    }

    /// BG-27 INVOICE LINE ALLOWANCES.
    public var allowances: [AllowanceCharge] { allowanceCharges.filter { !$0.isCharge } }
    /// BG-28 INVOICE LINE CHARGES.
    public var charges: [AllowanceCharge] { allowanceCharges.filter { $0.isCharge } }
}

/// BG-29 PRICE DETAILS.
public struct PriceDetails: Sendable, Hashable, Codable {
    /// BT-146 Item net price, without VAT, after the price discount. Kept at the scale the document gave
    /// (unit prices often have 3 or 4 decimals); it is never rounded by the model.
    public var netPrice: Decimal
    /// BT-147 Item price discount (gross price − net price).
    public var discount: Decimal?
    /// BT-148 Item gross price.
    public var grossPrice: Decimal?
    /// BT-149 Item price base quantity: the price is for this many units (defaults to 1 when absent).
    public var baseQuantity: Decimal?
    /// BT-150 Item price base quantity unit of measure code.
    public var baseQuantityUnitCode: String?

    public init(netPrice: Decimal = 0, discount: Decimal? = nil, grossPrice: Decimal? = nil,
                baseQuantity: Decimal? = nil, baseQuantityUnitCode: String? = nil) {
        self.netPrice = netPrice
        self.discount = discount
        self.grossPrice = grossPrice
        self.baseQuantity = baseQuantity
        self.baseQuantityUnitCode = baseQuantityUnitCode
    }
}

/// BG-31 ITEM INFORMATION.
public struct Item: Sendable, Hashable, Codable {
    /// BT-153 Item name.
    public var name: String
    /// BT-154 Item description.
    public var description: String?
    /// BT-155 Item Seller's identifier.
    public var sellerIdentifier: String?
    /// BT-156 Item Buyer's identifier.
    public var buyerIdentifier: String?
    /// BT-157 Item standard identifier (e.g. a GTIN), with BT-157-1 scheme identifier (ISO 6523 ICD, `0160`).
    public var standardIdentifier: Identifier?
    /// BT-158 Item classification identifiers, with BT-158-1 scheme and BT-158-2 scheme version.
    public var classificationIdentifiers: [ClassificationIdentifier]
    /// BT-159 Item country of origin.
    public var countryOfOrigin: String?
    /// BG-32 ITEM ATTRIBUTES.
    public var attributes: [ItemAttribute]

    public init(name: String = "", description: String? = nil, sellerIdentifier: String? = nil,
                buyerIdentifier: String? = nil, standardIdentifier: Identifier? = nil,
                classificationIdentifiers: [ClassificationIdentifier] = [], countryOfOrigin: String? = nil,
                attributes: [ItemAttribute] = []) {
        self.name = name
        self.description = description
        self.sellerIdentifier = sellerIdentifier
        self.buyerIdentifier = buyerIdentifier
        self.standardIdentifier = standardIdentifier
        self.classificationIdentifiers = classificationIdentifiers
        self.countryOfOrigin = countryOfOrigin
        self.attributes = attributes
    }
}

/// BG-32 ITEM ATTRIBUTES.
public struct ItemAttribute: Sendable, Hashable, Codable {
    /// BT-160 Item attribute name.
    public var name: String
    /// BT-161 Item attribute value.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
