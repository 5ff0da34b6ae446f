import Foundation
import InvoiceModel

/// A decimal that JSON may give as a number or as a string ("12.50", "12,50"): billing software
/// and the entry screen both send amounts, and a string never goes through binary floating point.
public struct DecimalValue: Codable, Sendable, Hashable {
    public var value: Decimal
    public init(_ value: Decimal) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            let normalized = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
                .replacingOccurrences(of: "\u{202F}", with: "").replacingOccurrences(of: ",", with: ".")
            guard let d = DecimalValue.parse(normalized) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a decimal number: \(s)")
            }
            value = d
        } else {
            value = try c.decode(Decimal.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(DecimalValue.plain(value))
    }

    /// Strict: digits with an optional sign and one decimal point, nothing else (no exponent, no "nan").
    static func parse(_ s: String) -> Decimal? {
        var body = Substring(s)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty)), s.count <= 40 else { return nil }
        return Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Plain notation, no exponent: what XML, CSV and people expect.
    public static func plain(_ d: Decimal) -> String {
        var v = d
        var r = Decimal()
        NSDecimalRound(&r, &v, 10, .plain)
        return NSDecimalNumber(decimal: r).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }
}

/// An invoice as the entry screen or billing software types it (« saisie »): a client of the
/// directory, lines, and the few choices the law leaves to the issuer. The seller's side comes from
/// « Ma société », the buyer's from the client record, the totals from `InvoiceCalculator`.
public struct InvoiceEntry: Codable, Sendable, Hashable {
    public struct Line: Codable, Sendable, Hashable {
        public var description: String
        public var note: String?
        public var quantity: DecimalValue
        /// UN/ECE Rec 20 (C62 unit, HUR hour, DAY, KGM…); C62 when absent.
        public var unit: String?
        public var unitPrice: DecimalValue
        /// A discount on this line, as a percentage of quantity × unit price.
        public var discountPercent: DecimalValue?
        public var vatCategory: String?
        public var vatRate: DecimalValue?
        public var exemptionReason: String?
        public var exemptionReasonCode: String?
        public init(description: String, quantity: Decimal, unit: String? = nil, unitPrice: Decimal,
                    discountPercent: Decimal? = nil, vatCategory: String? = "S", vatRate: Decimal? = 20) {
            self.description = description
            self.quantity = DecimalValue(quantity)
            self.unit = unit
            self.unitPrice = DecimalValue(unitPrice)
            self.discountPercent = discountPercent.map(DecimalValue.init)
            self.vatCategory = vatCategory
            self.vatRate = vatRate.map(DecimalValue.init)
        }
    }

    /// A document-level allowance (remise) or charge (frais).
    public struct AllowanceCharge: Codable, Sendable, Hashable {
        public var isCharge: Bool
        public var amount: DecimalValue
        public var reason: String
        public var vatCategory: String?
        public var vatRate: DecimalValue?
    }

    public enum OperationCategory: String, Codable, Sendable, CaseIterable {
        case goods, services, mixed
        /// BT-23 as the French reform codes it (B1 goods, S1 services, M1 both).
        var businessProcess: String { self == .goods ? "B1" : self == .services ? "S1" : "M1" }
    }

    public var clientId: String
    /// BT-3: 380 invoice (default), 381 credit note, 386 prepayment invoice (facture d'acompte).
    public var typeCode: String?
    public var issueDate: String?
    public var dueDate: String?
    public var currency: String?
    public var operationCategory: OperationCategory?
    /// « Option pour le paiement de la taxe d'après les débits ».
    public var vatOnDebits: Bool?
    /// BT-10: the public buyer's service code (code service).
    public var buyerReference: String?
    /// BT-13: the engagement number / purchase order.
    public var purchaseOrderReference: String?
    public var contractReference: String?
    public var projectReference: String?
    public var paymentTerms: String?
    public var notes: [String]?
    /// BT-25/BT-26: the invoice a credit note corrects.
    public var precedingInvoiceNumber: String?
    public var precedingInvoiceDate: String?
    public var lines: [Line]
    public var allowancesCharges: [AllowanceCharge]?

    public init(clientId: String, lines: [Line]) {
        self.clientId = clientId
        self.lines = lines
    }
}

/// What the seller's side of an invoice is made of: « Ma société ».
public struct SellerProfile: Sendable, Equatable {
    public var company: CompanyRecord
    public var address: PostalAddress
    public var email: String?
    public var iban: String?
    public var bic: String?
    public var latePaymentText: String
    public var recoveryIndemnityText: String
    public var earlyPaymentText: String
    public var defaultPaymentTerms: String?
    public var paymentDays: Int

    public init(company: CompanyRecord, address: PostalAddress = PostalAddress(countryCode: "FR"), email: String? = nil,
                iban: String? = nil, bic: String? = nil, defaultPaymentTerms: String? = nil, paymentDays: Int = 30,
                latePaymentText: String = "En cas de retard de paiement, une pénalité égale à trois fois le taux d'intérêt légal est exigible à compter du jour suivant la date d'échéance.",
                recoveryIndemnityText: String = "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €.",
                earlyPaymentText: String = "Pas d'escompte pour paiement anticipé.") {
        self.company = company
        self.address = address
        self.email = email
        self.iban = iban
        self.bic = bic
        self.defaultPaymentTerms = defaultPaymentTerms
        self.paymentDays = paymentDays
        self.latePaymentText = latePaymentText
        self.recoveryIndemnityText = recoveryIndemnityText
        self.earlyPaymentText = earlyPaymentText
    }
}

public enum InvoiceBuilder {
    static let typeCodes: Set<String> = ["380", "381", "384", "386", "389", "261", "262", "396", "502", "503"]

    /// Builds the EN 16931 invoice from an entry, or lists every problem with its field
    /// (`lines[2].vatRate`), in French and English. `number` is left empty for a draft.
    public static func build(_ entry: InvoiceEntry, seller: SellerProfile, client: Client, today: LocalDate) throws(PlatformError) -> Invoice {
        var errors: [FieldError] = []
        func err(_ field: String, _ code: String, _ fr: String, _ en: String) { errors.append(FieldError(field, code, fr: fr, en: en)) }
        func date(_ field: String, _ text: String?) -> LocalDate? {
            guard let text, !text.isEmpty else { return nil }
            guard let d = LocalDate(parsing: text) else {
                err(field, "format", "Date invalide : « \(text) » (attendu AAAA-MM-JJ).", "Invalid date: “\(text)” (expected YYYY-MM-DD).")
                return nil
            }
            return d
        }
        func clean(_ s: String?) -> String? {
            let t = s?.trimmingCharacters(in: .whitespacesAndNewlines)
            return (t?.isEmpty ?? true) ? nil : t
        }

        let typeCode = clean(entry.typeCode) ?? "380"
        if !typeCodes.contains(typeCode) {
            err("typeCode", "code", "Type de document inconnu : \(typeCode) (380 facture, 381 avoir, 386 acompte).",
                "Unknown document type: \(typeCode) (380 invoice, 381 credit note, 386 prepayment).")
        }
        let issueDate = date("issueDate", entry.issueDate) ?? today
        let dueDate = date("dueDate", entry.dueDate)
        if let dueDate, dueDate < issueDate {
            err("dueDate", "order", "L'échéance précède la date de facture.", "The due date is before the issue date.")
        }
        let currency = (clean(entry.currency) ?? "EUR").uppercased()
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isLetter }) {
            err("currency", "code", "Devise invalide : \(currency) (code ISO 4217, ex. EUR).", "Invalid currency: \(currency) (ISO 4217 code, e.g. EUR).")
        }
        if client.archived {
            err("clientId", "archived", "Ce client est archivé : réactivez-le avant de lui facturer.", "This client is archived: restore it before invoicing it.")
        }
        if client.kind == .publicBody {
            if client.serviceCodeRequired && clean(entry.buyerReference) == nil && clean(client.serviceCode) == nil {
                err("buyerReference", "required", "Cette entité publique exige un code service (Chorus Pro).",
                    "This public body requires a service code (Chorus Pro).")
            }
            if client.engagementRequired && clean(entry.purchaseOrderReference) == nil {
                err("purchaseOrderReference", "required", "Cette entité publique exige un numéro d'engagement (Chorus Pro).",
                    "This public body requires an engagement number (Chorus Pro).")
            }
        }
        if InvoiceTypeCode.creditNoteCodes.contains(typeCode) && clean(entry.precedingInvoiceNumber) == nil {
            err("precedingInvoiceNumber", "required", "Un avoir doit citer la facture qu'il corrige.", "A credit note must name the invoice it corrects.")
        }
        if entry.lines.isEmpty {
            err("lines", "required", "Ajoutez au moins une ligne.", "Add at least one line.")
        }

        var lines: [InvoiceLine] = []
        for (i, l) in entry.lines.enumerated() {
            let f = "lines[\(i)]"
            if clean(l.description) == nil { err("\(f).description", "required", "Désignation obligatoire.", "Description required.") }
            if l.quantity.value == 0 { err("\(f).quantity", "zero", "La quantité ne peut pas être nulle.", "Quantity cannot be zero.") }
            if l.unitPrice.value < 0 { err("\(f).unitPrice", "negative", "Le prix unitaire ne peut pas être négatif (utilisez une quantité négative ou un avoir).", "The unit price cannot be negative (use a negative quantity or a credit note).") }
            let (category, rate) = vat("\(f)", l.vatCategory, l.vatRate?.value, &errors)
            var line = InvoiceLine(identifier: String(i + 1), note: clean(l.note), quantity: l.quantity.value,
                                   unitCode: clean(l.unit) ?? "C62", price: PriceDetails(netPrice: l.unitPrice.value),
                                   vat: LineVATInformation(categoryCode: category, rate: rate),
                                   item: Item(name: clean(l.description) ?? ""))
            if let p = l.discountPercent?.value, p != 0 {
                if p < 0 || p > 100 {
                    err("\(f).discountPercent", "range", "La remise doit être entre 0 et 100 %.", "The discount must be between 0 and 100 %.")
                } else {
                    let base = InvoiceCalculator.roundAmount(l.quantity.value * l.unitPrice.value)
                    line.allowanceCharges = [InvoiceModel.AllowanceCharge(isCharge: false, amount: nil, baseAmount: base, percentage: p,
                                                                          reason: "Remise", reasonCode: "95")]
                }
            }
            lines.append(line)
        }

        var documentLevel: [InvoiceModel.AllowanceCharge] = []
        for (i, a) in (entry.allowancesCharges ?? []).enumerated() {
            let f = "allowancesCharges[\(i)]"
            if a.amount.value <= 0 { err("\(f).amount", "positive", "Le montant doit être positif.", "The amount must be positive.") }
            if clean(a.reason) == nil { err("\(f).reason", "required", "Indiquez le motif.", "Give the reason.") }
            let (category, rate) = vat(f, a.vatCategory, a.vatRate?.value, &errors)
            documentLevel.append(InvoiceModel.AllowanceCharge(isCharge: a.isCharge, amount: a.amount.value, vatCategoryCode: category, vatRate: rate,
                                                              reason: clean(a.reason), reasonCode: a.isCharge ? nil : "95"))
        }
        if !errors.isEmpty { throw .validation(errors) }

        let company = seller.company
        var notes: [Note] = []
        for n in entry.notes ?? [] where clean(n) != nil { notes.append(Note(clean(n)!, subjectCode: "AAI")) }
        if let legal = [company.legalForm.map { "\(company.name) \($0)" }, company.shareCapital.map { "au capital de \($0)" }]
            .compactMap({ $0 }).joined(separator: " ").nilIfEmpty {
            notes.append(Note(legal + (company.rcs.map { ", RCS \($0)" } ?? ""), subjectCode: "REG"))
        }
        notes.append(Note(seller.latePaymentText, subjectCode: "PMD"))
        notes.append(Note(seller.recoveryIndemnityText, subjectCode: "PMT"))
        notes.append(Note(seller.earlyPaymentText, subjectCode: "AAB"))
        if entry.vatOnDebits == true { notes.append(Note("Option pour le paiement de la taxe d'après les débits", subjectCode: "TXD")) }

        var invoice = Invoice(issueDate: issueDate, typeCode: typeCode, currencyCode: currency)
        invoice.paymentDueDate = dueDate ?? issueDate.adding(days: seller.paymentDays)
        invoice.buyerReference = clean(entry.buyerReference) ?? (client.kind == .publicBody ? clean(client.serviceCode) : nil)
        invoice.purchaseOrderReference = clean(entry.purchaseOrderReference)
        invoice.contractReference = clean(entry.contractReference)
        invoice.projectReference = clean(entry.projectReference)
        invoice.paymentTerms = clean(entry.paymentTerms) ?? seller.defaultPaymentTerms
        invoice.notes = notes
        invoice.processControl = ProcessControl(businessProcessType: (entry.operationCategory ?? .services).businessProcess)
        if let number = clean(entry.precedingInvoiceNumber) {
            invoice.precedingInvoices = [PrecedingInvoiceReference(reference: number, issueDate: entry.precedingInvoiceDate.flatMap(LocalDate.init(parsing:)))]
        }
        invoice.seller = Seller(name: company.name, identifiers: [Identifier(company.siret, scheme: "0009")],
                                legalRegistrationIdentifier: Identifier(company.siren, scheme: "0002"),
                                vatIdentifier: company.vatNumber,
                                additionalLegalInformation: [company.legalForm, company.shareCapital.map { "capital \($0)" }, company.rcs.map { "RCS \($0)" }]
                                    .compactMap { $0 }.joined(separator: ", ").nilIfEmpty,
                                electronicAddress: Identifier(company.siren, scheme: "0225"),
                                postalAddress: seller.address,
                                contact: seller.email.map { Contact(email: $0) })
        var buyer = Buyer(name: client.name, vatIdentifier: client.vatNumber,
                          postalAddress: PostalAddress(line1: client.addressLine1, line2: client.addressLine2, city: client.city,
                                                       postCode: client.postCode, countryCode: client.countryCode))
        if let siren = client.siren ?? client.siret.map({ String($0.prefix(9)) }) {
            buyer.legalRegistrationIdentifier = Identifier(siren, scheme: "0002")
            buyer.electronicAddress = Identifier(siren, scheme: "0225")
        } else if let email = client.emails.first {
            buyer.electronicAddress = Identifier(email, scheme: "EM")
        }
        if let siret = client.siret { buyer.identifier = Identifier(siret, scheme: "0009") }
        if let email = client.emails.first { buyer.contact = Contact(email: email) }
        invoice.buyer = buyer
        if let iban = seller.iban {
            invoice.paymentInstructions = PaymentInstructions(meansTypeCode: "58", creditTransfers: [CreditTransfer(accountIdentifier: iban, serviceProviderIdentifier: seller.bic)])
        } else {
            // Without a bank account there is nothing to say about how to pay: a credit transfer
            // without its IBAN would break CII-SR-470, so BG-16 is left out.
            invoice.paymentInstructions = nil
        }
        invoice.lines = lines
        invoice.allowanceCharges = documentLevel
        // Exemption reasons are carried from lines to the breakdown groups of their category.
        var reasons: [String: (String?, String?)] = [:]
        for l in entry.lines where l.exemptionReason != nil || l.exemptionReasonCode != nil {
            reasons[(l.vatCategory ?? "S").uppercased()] = (clean(l.exemptionReason), clean(l.exemptionReasonCode))
        }
        invoice.vatBreakdown = reasons.map { VATBreakdown(categoryCode: $0.key, exemptionReason: $0.value.0, exemptionReasonCode: $0.value.1) }
        return InvoiceCalculator().calculate(invoice)
    }

    /// A VAT category and its rate, checked together: S needs a positive rate, Z/E/AE/K/G a zero
    /// rate, O none; E, AE, K, G and O need an exemption reason (checked by EN 16931 at issue).
    static func vat(_ field: String, _ categoryText: String?, _ rate: Decimal?, _ errors: inout [FieldError]) -> (String, Decimal?) {
        let code = (categoryText ?? "S").trimmingCharacters(in: .whitespaces).uppercased()
        guard let category = VATCategory(rawValue: code) else {
            errors.append(FieldError("\(field).vatCategory", "code", fr: "Catégorie de TVA inconnue : \(code) (S, Z, E, AE, K, G, O, L, M).",
                                     en: "Unknown VAT category: \(code) (S, Z, E, AE, K, G, O, L, M)."))
            return (code, rate)
        }
        switch category {
        case .standard:
            guard let rate, rate > 0 else {
                errors.append(FieldError("\(field).vatRate", "required", fr: "Taux de TVA requis pour la catégorie S (ex. 20, 10, 5.5, 2.1).",
                                         en: "A VAT rate is required for category S (e.g. 20, 10, 5.5, 2.1)."))
                return (code, rate)
            }
            return (code, rate)
        case .outsideScope:
            return (code, nil)
        default:
            if category.chargesNoVAT { return (code, 0) }
            return (code, rate)
        }
    }
}

extension LocalDate {
    func adding(days: Int) -> LocalDate {
        var c = DateComponents()
        c.year = year; c.month = month; c.day = day
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let d = cal.date(byAdding: .day, value: days, to: cal.date(from: c)!)!
        let p = cal.dateComponents([.year, .month, .day], from: d)
        return LocalDate(year: p.year!, month: p.month!, day: p.day!)!
    }
}
