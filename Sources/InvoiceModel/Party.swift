import Foundation

// Mandatory text terms are non-optional `String`s: an empty string stands for a term missing from a
// non-conformant source document, so that such documents still load and validation can name what is missing.

/// A postal address: BG-5 (seller), BG-8 (buyer), BG-12 (tax representative), BG-15 (deliver to).
public struct PostalAddress: Sendable, Hashable, Codable {
    /// BT-35 / BT-50 / BT-64 / BT-75 Address line 1.
    public var line1: String?
    /// BT-36 / BT-51 / BT-65 / BT-76 Address line 2.
    public var line2: String?
    /// BT-162 / BT-163 / BT-164 / BT-165 Address line 3.
    public var line3: String?
    /// BT-37 / BT-52 / BT-66 / BT-77 City.
    public var city: String?
    /// BT-38 / BT-53 / BT-67 / BT-78 Post code.
    public var postCode: String?
    /// BT-39 / BT-54 / BT-68 / BT-79 Country subdivision.
    public var countrySubdivision: String?
    /// BT-40 / BT-55 / BT-69 / BT-80 Country code (ISO 3166-1 alpha-2).
    public var countryCode: String

    public init(line1: String? = nil, line2: String? = nil, line3: String? = nil, city: String? = nil,
                postCode: String? = nil, countrySubdivision: String? = nil, countryCode: String = "") {
        self.line1 = line1
        self.line2 = line2
        self.line3 = line3
        self.city = city
        self.postCode = postCode
        self.countrySubdivision = countrySubdivision
        self.countryCode = countryCode
    }
}

/// A contact: BG-6 (seller) or BG-9 (buyer).
public struct Contact: Sendable, Hashable, Codable {
    /// BT-41 / BT-56 Contact point (a person or a department).
    public var name: String?
    /// BT-42 / BT-57 Contact telephone number.
    public var telephone: String?
    /// BT-43 / BT-58 Contact email address.
    public var email: String?

    public init(name: String? = nil, telephone: String? = nil, email: String? = nil) {
        self.name = name
        self.telephone = telephone
        self.email = email
    }
}

/// BG-4 SELLER.
public struct Seller: Sendable, Hashable, Codable {
    /// BT-27 Seller name.
    public var name: String
    /// BT-28 Seller trading name.
    public var tradingName: String?
    /// BT-29 Seller identifier, with BT-29-1 scheme identifier (repeatable).
    public var identifiers: [Identifier]
    /// BT-30 Seller legal registration identifier (SIREN in France), with BT-30-1 scheme identifier.
    public var legalRegistrationIdentifier: Identifier?
    /// BT-31 Seller VAT identifier (e.g. `FR32123456789`).
    public var vatIdentifier: String?
    /// BT-32 Seller tax registration identifier (local tax id, CII scheme `FC`).
    public var taxRegistrationIdentifier: String?
    /// BT-33 Seller additional legal information (legal form, share capital, RCS…).
    public var additionalLegalInformation: String?
    /// BT-34 Seller electronic address, with BT-34-1 scheme identifier (EAS code).
    public var electronicAddress: Identifier?
    /// BG-5 SELLER POSTAL ADDRESS.
    public var postalAddress: PostalAddress
    /// BG-6 SELLER CONTACT.
    public var contact: Contact?

    public init(name: String = "", tradingName: String? = nil, identifiers: [Identifier] = [],
                legalRegistrationIdentifier: Identifier? = nil, vatIdentifier: String? = nil,
                taxRegistrationIdentifier: String? = nil, additionalLegalInformation: String? = nil,
                electronicAddress: Identifier? = nil, postalAddress: PostalAddress = PostalAddress(),
                contact: Contact? = nil) {
        self.name = name
        self.tradingName = tradingName
        self.identifiers = identifiers
        self.legalRegistrationIdentifier = legalRegistrationIdentifier
        self.vatIdentifier = vatIdentifier
        self.taxRegistrationIdentifier = taxRegistrationIdentifier
        self.additionalLegalInformation = additionalLegalInformation
        self.electronicAddress = electronicAddress
        self.postalAddress = postalAddress
        self.contact = contact
    }
}

/// BG-7 BUYER.
public struct Buyer: Sendable, Hashable, Codable {
    /// BT-44 Buyer name.
    public var name: String
    /// BT-45 Buyer trading name.
    public var tradingName: String?
    /// BT-46 Buyer identifier, with BT-46-1 scheme identifier.
    public var identifier: Identifier?
    /// BT-47 Buyer legal registration identifier (SIREN), with BT-47-1 scheme identifier.
    public var legalRegistrationIdentifier: Identifier?
    /// BT-48 Buyer VAT identifier.
    public var vatIdentifier: String?
    /// BT-49 Buyer electronic address, with BT-49-1 scheme identifier.
    public var electronicAddress: Identifier?
    /// BG-8 BUYER POSTAL ADDRESS.
    public var postalAddress: PostalAddress
    /// BG-9 BUYER CONTACT.
    public var contact: Contact?

    public init(name: String = "", tradingName: String? = nil, identifier: Identifier? = nil,
                legalRegistrationIdentifier: Identifier? = nil, vatIdentifier: String? = nil,
                electronicAddress: Identifier? = nil, postalAddress: PostalAddress = PostalAddress(),
                contact: Contact? = nil) {
        self.name = name
        self.tradingName = tradingName
        self.identifier = identifier
        self.legalRegistrationIdentifier = legalRegistrationIdentifier
        self.vatIdentifier = vatIdentifier
        self.electronicAddress = electronicAddress
        self.postalAddress = postalAddress
        self.contact = contact
    }
}

/// BG-10 PAYEE, when different from the seller (e.g. a factoring company).
public struct Payee: Sendable, Hashable, Codable {
    /// BT-59 Payee name.
    public var name: String
    /// BT-60 Payee identifier, with BT-60-1 scheme identifier.
    public var identifier: Identifier?
    /// BT-61 Payee legal registration identifier, with BT-61-1 scheme identifier.
    public var legalRegistrationIdentifier: Identifier?

    public init(name: String = "", identifier: Identifier? = nil, legalRegistrationIdentifier: Identifier? = nil) {
        self.name = name
        self.identifier = identifier
        self.legalRegistrationIdentifier = legalRegistrationIdentifier
    }
}

/// BG-11 SELLER TAX REPRESENTATIVE PARTY.
public struct SellerTaxRepresentative: Sendable, Hashable, Codable {
    /// BT-62 Seller tax representative name.
    public var name: String
    /// BT-63 Seller tax representative VAT identifier.
    public var vatIdentifier: String
    /// BG-12 SELLER TAX REPRESENTATIVE POSTAL ADDRESS.
    public var postalAddress: PostalAddress

    public init(name: String = "", vatIdentifier: String = "", postalAddress: PostalAddress = PostalAddress()) {
        self.name = name
        self.vatIdentifier = vatIdentifier
        self.postalAddress = postalAddress
    }
}

/// BG-13 DELIVERY INFORMATION.
///
/// EN 16931 nests BG-14 INVOICING PERIOD here, but both syntaxes put it at document level and it is about
/// the invoice rather than the delivery, so the model keeps it on `Invoice.invoicingPeriod`.
public struct DeliveryInformation: Sendable, Hashable, Codable {
    /// BT-70 Deliver to party name.
    public var partyName: String?
    /// BT-71 Deliver to location identifier, with BT-71-1 scheme identifier.
    public var locationIdentifier: Identifier?
    /// BT-72 Actual delivery date.
    public var actualDeliveryDate: LocalDate?
    /// BG-15 DELIVER TO ADDRESS.
    public var address: PostalAddress?

    public init(partyName: String? = nil, locationIdentifier: Identifier? = nil,
                actualDeliveryDate: LocalDate? = nil, address: PostalAddress? = nil) {
        self.partyName = partyName
        self.locationIdentifier = locationIdentifier
        self.actualDeliveryDate = actualDeliveryDate
        self.address = address
    }
}

/// BG-14 INVOICING PERIOD and BG-26 INVOICE LINE PERIOD.
public struct Period: Sendable, Hashable, Codable {
    /// BT-73 Invoicing period start date / BT-134 Invoice line period start date.
    public var startDate: LocalDate?
    /// BT-74 Invoicing period end date / BT-135 Invoice line period end date.
    public var endDate: LocalDate?

    public init(startDate: LocalDate? = nil, endDate: LocalDate? = nil) {
        self.startDate = startDate
        self.endDate = endDate
    }
}
