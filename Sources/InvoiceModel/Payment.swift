import Foundation

/// BG-16 PAYMENT INSTRUCTIONS.
public struct PaymentInstructions: Sendable, Hashable, Codable {
    /// BT-81 Payment means type code (UNTDID 4461: `30` credit transfer, `58` SEPA credit transfer,
    /// `59` SEPA direct debit, `48` bank card, `10` cash…).
    public var meansTypeCode: String
    /// BT-82 Payment means text.
    public var meansText: String?
    /// BT-83 Remittance information (the reference the buyer must quote when paying).
    public var remittanceInformation: String?
    /// BG-17 CREDIT TRANSFER (repeatable: the seller may offer several accounts).
    public var creditTransfers: [CreditTransfer]
    /// BG-18 PAYMENT CARD INFORMATION.
    public var paymentCard: PaymentCard?
    /// BG-19 DIRECT DEBIT.
    public var directDebit: DirectDebit?

    public init(meansTypeCode: String = "", meansText: String? = nil, remittanceInformation: String? = nil,
                creditTransfers: [CreditTransfer] = [], paymentCard: PaymentCard? = nil,
                directDebit: DirectDebit? = nil) {
        self.meansTypeCode = meansTypeCode
        self.meansText = meansText
        self.remittanceInformation = remittanceInformation
        self.creditTransfers = creditTransfers
        self.paymentCard = paymentCard
        self.directDebit = directDebit
    }
}

/// BG-17 CREDIT TRANSFER.
public struct CreditTransfer: Sendable, Hashable, Codable {
    /// BT-84 Payment account identifier (an IBAN for SEPA transfers).
    public var accountIdentifier: String
    /// BT-85 Payment account name.
    public var accountName: String?
    /// BT-86 Payment service provider identifier (BIC).
    public var serviceProviderIdentifier: String?
    /// CII distinguishes `IBANID` from `ProprietaryID` for BT-84; remembering which one the source used lets
    /// a CII round trip reproduce it (UBL has a single element and ignores this flag).
    public var isProprietaryAccountIdentifier: Bool

    public init(accountIdentifier: String = "", accountName: String? = nil,
                serviceProviderIdentifier: String? = nil, isProprietaryAccountIdentifier: Bool = false) {
        self.accountIdentifier = accountIdentifier
        self.accountName = accountName
        self.serviceProviderIdentifier = serviceProviderIdentifier
        self.isProprietaryAccountIdentifier = isProprietaryAccountIdentifier
    }
}

/// BG-18 PAYMENT CARD INFORMATION.
public struct PaymentCard: Sendable, Hashable, Codable {
    /// BT-87 Payment card primary account number (only the last digits, per PCI DSS).
    public var primaryAccountNumber: String
    /// BT-88 Payment card holder name.
    public var holderName: String?

    public init(primaryAccountNumber: String = "", holderName: String? = nil) {
        self.primaryAccountNumber = primaryAccountNumber
        self.holderName = holderName
    }
}

/// BG-19 DIRECT DEBIT.
public struct DirectDebit: Sendable, Hashable, Codable {
    /// BT-89 Mandate reference identifier.
    public var mandateReference: String?
    /// BT-90 Bank assigned creditor identifier (SEPA creditor identifier, ICS).
    public var creditorIdentifier: String?
    /// BT-91 Debited account identifier (the buyer's IBAN).
    public var debitedAccountIdentifier: String?

    public init(mandateReference: String? = nil, creditorIdentifier: String? = nil,
                debitedAccountIdentifier: String? = nil) {
        self.mandateReference = mandateReference
        self.creditorIdentifier = creditorIdentifier
        self.debitedAccountIdentifier = debitedAccountIdentifier
    }
}
