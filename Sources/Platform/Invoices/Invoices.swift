import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation
import SQLKit

/// An invoice as stored: the EN 16931 model (`body`, JSON) and the columns lists and searches need.
/// One row serves both parties: the seller's company owns it; once issued to a company on the
/// network, that company sees it too (`buyer_company_id`), the same row, PDF, XML and history.
struct InvoiceRow: Codable, Sendable {
    var id: String
    var seller_company_id: String
    var buyer_company_id: String?
    var client_id: String?
    var state: String
    var status_code: Int?
    var number: String?
    var year: Int?
    var type_code: String
    var issue_date: String?
    var due_date: String?
    var currency: String
    var seller_name: String
    var seller_siren: String?
    var buyer_name: String
    var buyer_siren: String?
    var total_without_vat: String
    var total_vat: String
    var total_with_vat: String
    var amount_due: String
    var amount_due_cents: Int
    var paid: String
    var source: String
    var entry: String?
    var body: String
    var source_sha256: String?
    var xml_sha256: String?
    var pdf_sha256: String?
    var channel: String?
    var sent_at: String?
    var sent_means: String?
    var credited_invoice_id: String?
    var created_at: String
    var updated_at: String
    var issued_at: String?
}

/// Which side of an invoice the current company is on.
public enum InvoiceSide: String, Sendable, Codable {
    case sent, received
    var actor: LifecycleActor { self == .sent ? .issuer : .recipient }
}

public enum InvoiceState: String, Sendable, Codable {
    case draft, issued
}

/// How an invoice came in: typed (« saisie »), deposited as CII, UBL or Factur-X, or a plain PDF
/// completed by hand, or a credit note made from an issued invoice.
public enum InvoiceSource: String, Sendable, Codable {
    case entry, cii, ubl, facturx, pdf, creditNote = "credit_note"
}

/// An invoice as the API and the pages show it to one of its two parties.
public struct InvoiceView: Sendable, Codable {
    public struct Party: Sendable, Codable { public var name: String; public var siren: String? }
    public struct Totals: Sendable, Codable {
        public var withoutVAT: String
        public var vat: String
        public var withVAT: String
        public var amountDue: String
        public var paid: String
        public var outstanding: String
    }
    public struct Status: Sendable, Codable { public var code: Int; public var label: String }

    public var id: String
    public var direction: InvoiceSide
    public var state: InvoiceState
    public var status: Status?
    public var number: String?
    public var typeCode: String
    public var issueDate: String?
    public var dueDate: String?
    public var currency: String
    public var seller: Party
    public var buyer: Party
    public var clientId: String?
    public var onNetwork: Bool
    public var totals: Totals
    public var source: InvoiceSource
    public var channel: String?
    public var sentAt: String?
    public var sentMeans: String?
    public var creditedInvoiceId: String?
    public var hasPDF: Bool
    public var hasXML: Bool
    public var createdAt: String
    public var issuedAt: String?
    /// The actions the current company may take now (lifecycle codes), for the UI and API clients.
    public var allowedStatusCodes: [Int]
    public var entry: InvoiceEntry?
    public var invoice: Invoice?
}

/// One step of an invoice's history.
public struct InvoiceEvent: Sendable, Codable, Equatable {
    public var seq: Int
    public var at: String
    public var statusCode: Int
    public var label: String
    public var side: String
    public var actor: String
    public var reason: String?
    public var amount: String?
}

/// Produces the documents of an issued invoice: the CII XML and its Factur-X PDF.
public protocol InvoiceDocumentProducer: Sendable {
    func documents(for invoice: Invoice, logo: Data?) throws -> (xml: Data, pdf: Data)
    /// The same, given the CII XML already written for this invoice (EN 16931 profile).
    func documents(for invoice: Invoice, writtenXML: Data, logo: Data?) throws -> (xml: Data, pdf: Data)
}

extension InvoiceDocumentProducer {
    public func documents(for invoice: Invoice, writtenXML: Data, logo: Data?) throws -> (xml: Data, pdf: Data) {
        try documents(for: invoice, logo: logo)
    }
}

public enum Invoices {
    static func now() -> String { ISOTime.string(Date()) }
    static func today() -> LocalDate {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Europe/Paris")!, from: Date())
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func cents(_ d: Decimal) -> Int {
        var v = d * 100
        var r = Decimal()
        NSDecimalRound(&r, &v, 0, .plain)
        return NSDecimalNumber(decimal: r).intValue
    }

    static func plain(_ d: Decimal?) -> String { DecimalValue.plain(d ?? 0) }

    /// The validator is heavy to load (all official artefacts): one per process.
    static let validator: Validator? = try? Validator()

    // MARK: Seller profile

    /// « Ma société » as the seller block of an invoice.
    static func sellerProfile(_ sql: any SQLDatabase, companyID: String) async throws -> (SellerProfile, prefix: String) {
        let s = try await seller(sql, companyID: companyID, withLogo: false)
        return (s.profile, s.prefix)
    }

    /// The seller block, the numbering prefix and (when asked) the logo, in one read: settings and
    /// identity are columns of the company's row, the logo and the bank account shown on invoices (the
    /// default one, else the oldest) are joined to it.
    static func seller(_ sql: any SQLDatabase, companyID: String, withLogo: Bool) async throws -> (profile: SellerProfile, prefix: String, logo: Data?) {
        let s = try await sellerAndClient(sql, companyID: companyID, clientID: nil, withLogo: withLogo)
        return (s.profile, s.prefix, s.logo)
    }

    /// The same read, with one of the company's clients (404 when it has no such client) joined to it:
    /// a draft needs both.
    static func sellerAndClient(_ sql: any SQLDatabase, companyID: String, clientID: String?, withLogo: Bool) async throws
        -> (profile: SellerProfile, prefix: String, logo: Data?, client: Client?) {
        // The company's columns carry a prefix, as the client's row has columns of the same names.
        let companyColumns = Set(CompanyProfiles.columns + ["created_at"]).sorted().map { "c.\($0) AS seller_\($0)" }.joined(separator: ", ")
        var query = SQLQueryString("SELECT \(unsafeRaw: companyColumns), ")
        query.appendLiteral(withLogo ? "l.data" : "NULL")
        query.appendLiteral(" AS logo_data, b.iban AS account_iban, b.bic AS account_bic")
        query.appendLiteral(clientID == nil ? " FROM companies c" : ", cl.* FROM clients cl JOIN companies c ON c.id = cl.company_id")
        if withLogo { query.appendLiteral(" LEFT JOIN company_logos l ON l.company_id = c.id") }
        query.appendLiteral("""
             LEFT JOIN bank_accounts b ON b.id = (SELECT b2.id FROM bank_accounts b2 WHERE b2.company_id = c.id \
            ORDER BY b2.is_default DESC, b2.created_at, b2.id LIMIT 1) WHERE c.id = 
            """)
        query.appendInterpolation(bind: companyID)
        if let clientID {
            query.appendLiteral(" AND cl.id = ")
            query.appendInterpolation(bind: clientID)
        }
        guard let found = try await sql.raw(query).first() else { throw PlatformError.notFound(what: clientID == nil ? "company" : "client") }
        let company = try found.decode(model: CompanyRecord.self, prefix: "seller_")
        let s = try found.decode(model: CompanyProfiles.Row.self, prefix: "seller_").settings
        let client = clientID == nil ? nil : try found.decode(model: Clients.Row.self).client
        struct Extra: Decodable { let logo_data: String?; let account_iban: String?; let account_bic: String? }
        let extra = try found.decode(model: Extra.self)
        let logo = extra.logo_data.flatMap { Data(base64Encoded: $0) }
        let account = extra.account_iban.map { BankAccountRow(iban: $0, bic: extra.account_bic, is_default: true) }
        var late = "En cas de retard de paiement, une pénalité égale à trois fois le taux d'intérêt légal est exigible à compter du jour suivant la date d'échéance."
        if let rate = s.latePenaltyRate { late = "En cas de retard de paiement, pénalités au taux annuel de \(rate) % exigibles à compter du jour suivant la date d'échéance." }
        var seller = SellerProfile(company: company,
                                   address: PostalAddress(line1: s.addressLine1, line2: s.addressLine2, city: s.city, postCode: s.postCode, countryCode: s.countryCode),
                                   iban: account?.iban, bic: account?.bic, paymentDays: s.paymentTermsDays,
                                   latePaymentText: late, recoveryIndemnityText: s.recoveryIndemnityText, earlyPaymentText: s.earlyPaymentDiscount)
        seller.company.name = s.name
        seller.company.legalForm = s.legalForm
        seller.company.shareCapital = s.shareCapital
        seller.company.rcs = s.rcs
        return (seller, s.invoicePrefix, logo, client)
    }

    struct BankAccountRow: Decodable { let iban: String; let bic: String?; let is_default: Bool }

    // MARK: Drafts

    static func row(from invoice: Invoice, id: String, sellerCompanyID: String, clientID: String?, source: InvoiceSource,
                    entry: InvoiceEntry?, createdAt: String) throws -> InvoiceRow {
        let body = String(decoding: try encoder.encode(invoice), as: UTF8.self)
        let entryText = try entry.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let buyerSIREN = invoice.buyer.legalRegistrationIdentifier?.value
        return InvoiceRow(id: id, seller_company_id: sellerCompanyID, buyer_company_id: nil, client_id: clientID, state: InvoiceState.draft.rawValue,
                          status_code: nil, number: invoice.invoiceNumber.isEmpty ? nil : invoice.invoiceNumber,
                          year: invoice.issueDate?.year, type_code: invoice.typeCode, issue_date: invoice.issueDate?.isoString,
                          due_date: invoice.paymentDueDate?.isoString, currency: invoice.currencyCode,
                          seller_name: listed(invoice.seller.name), seller_siren: sellerSIREN(invoice),
                          buyer_name: listed(invoice.buyer.name), buyer_siren: buyerSIREN.map(listed),
                          total_without_vat: plain(invoice.totals.totalWithoutVAT), total_vat: plain(invoice.totals.totalVAT),
                          total_with_vat: plain(invoice.totals.totalWithVAT), amount_due: plain(invoice.totals.amountDueForPayment),
                          amount_due_cents: cents(invoice.totals.amountDueForPayment), paid: "0", source: source.rawValue,
                          entry: entryText, body: body, source_sha256: nil, xml_sha256: nil, pdf_sha256: nil, channel: nil,
                          sent_at: nil, sent_means: nil, credited_invoice_id: nil, created_at: createdAt, updated_at: createdAt, issued_at: nil)
    }

    /// The row's copy of a name, for lists and search: the list indexes hold it, and PostgreSQL refuses an
    /// index entry over about 2.7 kB, so an absurdly long name in a deposited invoice is cut here — the
    /// invoice itself (`body`, the stored documents) keeps it whole.
    static func listed(_ text: String) -> String {
        text.count <= 300 ? text : String(text.prefix(300))
    }

    /// The seller's SIREN as the invoice states it: BT-30, else the SIRET (BT-29 scheme 0009), else the French VAT number.
    static func sellerSIREN(_ invoice: Invoice) -> String? {
        if let v = invoice.seller.legalRegistrationIdentifier?.value, v.count == 9, v.allSatisfy(\.isNumber) { return v }
        if let siret = invoice.seller.identifiers.first(where: { $0.value.count == 14 && $0.value.allSatisfy(\.isNumber) }) {
            return String(siret.value.prefix(9))
        }
        if let vat = invoice.seller.vatIdentifier?.replacingOccurrences(of: " ", with: ""), vat.hasPrefix("FR"), vat.count == 13 {
            return String(vat.suffix(9))
        }
        return nil
    }

    /// A typed invoice saved as a draft (« en cours de rédaction »).
    public static func createDraft(_ db: Database, companyID: String, _ entry: InvoiceEntry, actor: String, ip: String?) async throws -> InvoiceView {
        let read = try await sellerAndClient(db.sql, companyID: companyID, clientID: entry.clientId, withLogo: false)
        guard let client = read.client else { throw PlatformError.notFound(what: "client") }
        let invoice = try InvoiceBuilder.build(entry, seller: read.profile, client: client, today: today())
        let id = UUID().uuidString.lowercased()
        let row = try row(from: invoice, id: id, sellerCompanyID: companyID, clientID: client.id, source: .entry, entry: entry, createdAt: now())
        try await db.sql.transaction { tx in
            try await tx.insert(into: "invoices").model(row).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.draft.create", subject: "invoice:\(id)",
                                      details: ["client": client.id, "total": row.total_with_vat])
        }
        // The row just inserted is the draft: no need to read it back.
        return try view(row, companyID: companyID, entry: entry, invoice: invoice)
    }

    /// Replaces a draft's content. Issued invoices are frozen: corrections go through a credit note.
    public static func updateDraft(_ db: Database, companyID: String, id: String, _ entry: InvoiceEntry, actor: String, ip: String?) async throws -> InvoiceView {
        let existing = try await ownDraft(db.sql, companyID: companyID, id: id)
        let client = try await Clients.get(db, companyID: companyID, id: entry.clientId)
        let (seller, _) = try await sellerProfile(db.sql, companyID: companyID)
        var invoice = try InvoiceBuilder.build(entry, seller: seller, client: client, today: today())
        if existing.source != InvoiceSource.entry.rawValue, let number = existing.number { invoice.invoiceNumber = number }
        var row = try row(from: invoice, id: id, sellerCompanyID: companyID, clientID: client.id,
                          source: InvoiceSource(rawValue: existing.source) ?? .entry, entry: entry, createdAt: existing.created_at)
        row.source_sha256 = existing.source_sha256
        row.updated_at = now()
        let updated = row
        try await db.sql.transaction { tx in
            try await tx.update("invoices").set(model: updated).where("id", .equal, id).where("seller_company_id", .equal, companyID)
                .where("state", .equal, InvoiceState.draft.rawValue).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.draft.update", subject: "invoice:\(id)",
                                      details: ["total": updated.total_with_vat])
        }
        return try await view(db, companyID: companyID, id: id, full: true)
    }

    public static func deleteDraft(_ db: Database, companyID: String, id: String, actor: String, ip: String?) async throws {
        _ = try await ownDraft(db.sql, companyID: companyID, id: id)
        try await db.sql.transaction { tx in
            try await tx.delete(from: "invoices").where("id", .equal, id).where("seller_company_id", .equal, companyID)
                .where("state", .equal, InvoiceState.draft.rawValue).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.draft.delete", subject: "invoice:\(id)")
        }
    }

    /// A new draft with the same content (typed invoices), dated today.
    public static func duplicate(_ db: Database, companyID: String, id: String, actor: String, ip: String?) async throws -> InvoiceView {
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        guard row.seller_company_id == companyID, let text = row.entry,
              var entry = try? JSONDecoder().decode(InvoiceEntry.self, from: Data(text.utf8)) else {
            throw PlatformError.conflict(field: "id", fr: "Seules vos factures saisies peuvent être dupliquées.",
                                         en: "Only invoices you typed can be duplicated.")
        }
        entry.issueDate = nil
        entry.dueDate = nil
        return try await createDraft(db, companyID: companyID, entry, actor: actor, ip: ip)
    }

    static func ownDraft(_ sql: any SQLDatabase, companyID: String, id: String) async throws -> InvoiceRow {
        guard let row = try await sql.select().column("*").from("invoices").where("id", .equal, id)
            .where("seller_company_id", .equal, companyID).first(decoding: InvoiceRow.self) else {
            throw PlatformError.notFound(what: "invoice")
        }
        guard row.state == InvoiceState.draft.rawValue else {
            throw PlatformError.conflict(field: "state", fr: "Cette facture est émise : elle ne peut plus être modifiée. Créez un avoir pour la corriger.",
                                         en: "This invoice is issued: it can no longer change. Create a credit note to correct it.")
        }
        return row
    }

    // MARK: Deposit

    /// « Déposer une facture »: a CII or UBL file, a Factur-X PDF, or a plain PDF. Structured files are
    /// read and kept as drafts for confirmation; a plain PDF is kept and waits for its data.
    public static func deposit(_ db: Database, companyID: String, data: Data, mediaType: String, filename: String?,
                               extract: @Sendable (Data) -> Data?, actor: String, ip: String?) async throws -> InvoiceView {
        guard let company = try await Companies.find(db, id: companyID) else { throw PlatformError.notFound(what: "company") }
        let isPDF = data.starts(with: Array("%PDF".utf8))
        var source: InvoiceSource
        var xml: Data?
        if isPDF {
            xml = extract(data)
            source = xml == nil ? .pdf : .facturx
        } else {
            xml = data
            source = .cii
        }
        var invoice: Invoice
        if let xml {
            do {
                let (read, syntax) = try InvoiceDocument.read(xml)
                invoice = read
                if source == .cii, syntax != .cii { source = .ubl }
            } catch {
                throw PlatformError.validation([FieldError("file", "unreadable", fr: "Fichier illisible comme facture : \(error.description)",
                                                           en: "The file cannot be read as an invoice: \(error.englishDescription)")])
            }
            guard let siren = sellerSIREN(invoice) else {
                throw PlatformError.validation([FieldError("seller", "siren", fr: "La facture n'indique pas le SIREN du vendeur (BT-30) : impossible de vérifier qu'elle est la vôtre.",
                                                           en: "The invoice gives no seller SIREN (BT-30): it cannot be checked to be yours.")])
            }
            guard siren == company.siren else {
                throw PlatformError.validation([FieldError("seller", "not-yours", fr: "Le vendeur de cette facture (SIREN \(siren)) n'est pas votre société (SIREN \(company.siren)) : vous ne pouvez déposer que vos propres factures.",
                                                           en: "The seller of this invoice (SIREN \(siren)) is not your company (SIREN \(company.siren)): you can only deposit your own invoices.")])
            }
            if invoice.invoiceNumber.isEmpty {
                throw PlatformError.validation([FieldError("number", "required", fr: "La facture n'a pas de numéro (BT-1).", en: "The invoice has no number (BT-1).")])
            }
            // The reform caps BT-1 at 35 characters (BR-FR-01); a longer "number" is not a French invoice
            // number, and would not fit the list indexes on PostgreSQL either.
            if invoice.invoiceNumber.count > 35 {
                throw PlatformError.validation([FieldError("number", "too-long",
                    fr: "Le numéro de facture (BT-1) compte \(invoice.invoiceNumber.count) caractères : 35 au plus (règle BR-FR-01).",
                    en: "The invoice number (BT-1) has \(invoice.invoiceNumber.count) characters: 35 at most (rule BR-FR-01).")])
            }
            struct Dup: Decodable { let id: String }
            if let year = invoice.issueDate?.year,
               let dup = try await db.sql.select().column("id").from("invoices").where("seller_company_id", .equal, companyID)
                .where("number", .equal, invoice.invoiceNumber).where("year", .equal, year).first(decoding: Dup.self) {
                throw PlatformError.conflict(field: "number", fr: "La facture \(invoice.invoiceNumber) de \(year) existe déjà (\(dup.id)) : doublon refusé.",
                                             en: "Invoice \(invoice.invoiceNumber) of \(year) already exists (\(dup.id)): duplicate refused.")
            }
        } else {
            invoice = Invoice()
            invoice.seller.name = company.name
        }
        let id = UUID().uuidString.lowercased()
        var clientID: String?
        if let siren = invoice.buyer.legalRegistrationIdentifier?.value {
            struct C: Decodable { let id: String }
            clientID = try await db.sql.select().column("id").from("clients").where("company_id", .equal, companyID)
                .where("siren", .equal, siren).first(decoding: C.self)?.id
        }
        let base = try row(from: invoice, id: id, sellerCompanyID: companyID, clientID: clientID, source: source, entry: nil, createdAt: now())
        let original = data
        let kind = isPDF ? "application/pdf" : "application/xml"
        let finalSource = source
        let number = invoice.invoiceNumber
        try await db.sql.transaction { tx in
            var row = base
            row.source_sha256 = try await Documents.put(tx, original, mediaType: kind)
            try await tx.insert(into: "invoices").model(row).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.deposit", subject: "invoice:\(id)",
                                      details: ["source": finalSource.rawValue, "sha256": row.source_sha256 ?? "", "number": number,
                                                "file": filename ?? ""])
        }
        return try await view(db, companyID: companyID, id: id, full: true)
    }

    // MARK: Issue

    /// Problems that stop an invoice from being issued, each tied to a field of the entry when it can be.
    static func problems(_ report: ValidationReport) -> [FieldError] {
        report.errors.map { f in
            FieldError(field(for: f.term), f.rule, fr: "\(f.rule) : \(f.message.fr)", en: "\(f.rule): \(f.message.en)")
        }
    }

    /// The entry field a business term is typed in, so that the UI can put the message next to it.
    static func field(for term: String?) -> String {
        guard let term, term.hasPrefix("BT-"), let n = Int(term.dropFirst(3).prefix(while: \.isNumber)) else { return term ?? "invoice" }
        switch n {
        case 1: return "number"
        case 2: return "issueDate"
        case 3: return "typeCode"
        case 5: return "currency"
        case 9: return "dueDate"
        case 10: return "buyerReference"
        case 12: return "contractReference"
        case 13: return "purchaseOrderReference"
        case 20: return "paymentTerms"
        case 22: return "notes"
        case 23: return "operationCategory"
        case 25, 26: return "precedingInvoiceNumber"
        case 27...43: return "company"
        case 44...58: return "client"
        case 81...91: return "company.bankAccount"
        case 92...105: return "allowancesCharges"
        case 118...121: return "lines.vatCategory"
        case 126...161: return "lines"
        default: return "invoice"
        }
    }

    /// Issues a draft: validation (EN 16931 + French rules), then — in one transaction — the next number
    /// of the company's sequence, the frozen XML and Factur-X PDF (content-addressed), the lifecycle's
    /// first status, and delivery to the buyer's inbox when the buyer is on the network.
    ///
    /// Everything that does not need the number is read and checked before the transaction, which
    /// holds the sequence (the only writer on SQLite, the sequence's row lock on PostgreSQL) for as few
    /// round trips as possible: number, documents, row, events, both audit entries, webhooks and emails.
    public static func issue(_ db: Database, companyID: String, id: String, producer: any InvoiceDocumentProducer,
                             actor: String, ip: String?, baseURL: String = "http://localhost:8080") async throws -> InvoiceView {
        let draft = try await ownDraft(db.sql, companyID: companyID, id: id)
        let source = InvoiceSource(rawValue: draft.source) ?? .entry
        let (seller, prefix, logo) = try await seller(db.sql, companyID: companyID, withLogo: true)
        var invoice: Invoice
        let entry = source == .entry ? draft.entry.flatMap { try? JSONDecoder().decode(InvoiceEntry.self, from: Data($0.utf8)) } : nil
        // The company on Facteur the client is, read with the client: (SIREN, company id or nil).
        var clientOnNetwork: (siren: String, company: String?)?
        if let entry {
            // Typed invoices take the company's and the client's data as they are at issue time.
            let (client, network) = try await clientAndNetworkCompany(db.sql, companyID: companyID, clientID: entry.clientId)
            invoice = try InvoiceBuilder.build(entry, seller: seller, client: client, today: today())
            clientOnNetwork = network
        } else {
            invoice = try JSONDecoder().decode(Invoice.self, from: Data(draft.body.utf8))
        }
        if source == .pdf && invoice.lines.isEmpty {
            throw PlatformError.validation([FieldError("lines", "required", fr: "Complétez les données de cette facture PDF avant de l'émettre.",
                                                       en: "Complete this PDF invoice's data before issuing it.")])
        }
        let keepsNumber = source != .entry && source != .creditNote
        let year = invoice.issueDate?.year ?? today().year
        // Validate with a stand-in number first: the real one is taken only if the invoice is valid.
        if !keepsNumber { invoice.invoiceNumber = InvoiceNumbering.format(prefix: prefix, year: year, value: 0) }
        guard let validator else { throw PlatformError.conflict(field: "validator", fr: "Validateur indisponible.", en: "Validator unavailable.") }
        // A deposited file is read once: its XML is what is validated and frozen, its PDF (Factur-X or
        // plain) is kept byte for byte.
        let original: Data?
        if let sha = draft.source_sha256 { original = try await Documents.get(db.sql, sha256: sha).data } else { original = nil }
        let candidateXML: Data
        if keepsNumber, source != .pdf, source != .facturx, let original {
            candidateXML = original
        } else {
            candidateXML = CII.write(invoice, profile: .en16931)
        }
        // Typed invoices and credit notes are written by Facteur's CII writer, which writes only what the
        // EN 16931 profile allows; a deposited file brings its own XML, checked with the Factur-X profile
        // rules too (as check_pdf.py checks a PDF). The French rules apply to what Facteur composes.
        let typed = source == .entry || source == .creditNote
        let report = validator.validate(candidateXML, file: "invoice", options: ValidationOptions(french: typed, profileRulesAlways: !typed))
        if !report.valid { throw PlatformError.validation(problems(report)) }

        let buyerSIREN = invoice.buyer.legalRegistrationIdentifier?.value
        let buyerCompany = if let clientOnNetwork, clientOnNetwork.siren == buyerSIREN {
            buyerSIREN?.count == 9 ? clientOnNetwork.company : nil
        } else {
            try await networkCompany(db.sql, siren: buyerSIREN, excluding: companyID)
        }
        let issuedAt = now()
        let prepared = invoice
        // The row's JSON body and the CII XML are written here, outside the writers' lock, with a slot for
        // the number the transaction takes (`NumberSlot`); the transaction only fills the slot in.
        let slot = keepsNumber ? nil : NumberSlot(standIn: invoice.invoiceNumber)
        var slotted = prepared
        if let slot { slotted.invoiceNumber = slot.placeholder }
        let template = try row(from: slotted, id: id, sellerCompanyID: companyID, clientID: draft.client_id, source: source, entry: nil, createdAt: draft.created_at)
        let writtenXML = typed ? candidateXML : nil
        let (issuedRow, issuedInvoice) = try await db.sql.transaction { tx -> (InvoiceRow, Invoice) in
            try await AuditLog.lock(tx, companyIDs: [companyID] + (buyerCompany.map { [$0] } ?? []))
            var invoice = prepared
            if !keepsNumber {
                let value = try await InvoiceNumbering.next(tx, companyID: companyID, year: year)
                invoice.invoiceNumber = InvoiceNumbering.format(prefix: prefix, year: year, value: value)
            }
            let xml: Data
            let pdf: Data
            if source == .facturx, let original {
                // A deposited Factur-X is kept byte for byte: it is the document the seller issued.
                pdf = original
                xml = CII.write(invoice, profile: nil)
            } else if keepsNumber, source != .pdf, let original {
                xml = original
                pdf = try producer.documents(for: invoice, logo: logo).pdf
            } else if source == .pdf, let original {
                pdf = original
                xml = CII.write(invoice, profile: .en16931)
            } else if let slot, let writtenXML, let filled = slot.xml(writtenXML, number: invoice.invoiceNumber) {
                (xml, pdf) = try producer.documents(for: invoice, writtenXML: filled, logo: logo)
            } else {
                (xml, pdf) = try producer.documents(for: invoice, logo: logo)
            }
            var issued = template
            if let slot {
                issued.number = invoice.invoiceNumber
                if let body = try slot.json(template.body, number: invoice.invoiceNumber) {
                    issued.body = body
                } else {
                    issued = try row(from: invoice, id: id, sellerCompanyID: companyID, clientID: draft.client_id, source: source, entry: nil, createdAt: draft.created_at)
                }
            }
            issued.entry = draft.entry
            issued.source_sha256 = draft.source_sha256
            issued.credited_invoice_id = draft.credited_invoice_id
            issued.state = InvoiceState.issued.rawValue
            let hashes = try await Documents.putAll(tx, [(xml, "application/xml"), (pdf, "application/pdf")])
            issued.xml_sha256 = hashes[0]
            issued.pdf_sha256 = hashes[1]
            issued.issued_at = issuedAt
            issued.updated_at = issuedAt
            var steps: [LifecycleStatus] = [.deposited]
            if let buyerCompany {
                issued.buyer_company_id = buyerCompany
                issued.channel = "network"
                issued.sent_at = issuedAt
                issued.sent_means = "network"
                steps = Lifecycle.networkDelivery
            }
            issued.status_code = steps.last!.code
            // The draft was read before the lock: if another request issued or deleted it since (a double
            // click), nothing matches, and this one stops here — its number goes back with its savepoint.
            let updated = try await tx.update("invoices").set(model: issued).where("id", .equal, id).where("seller_company_id", .equal, companyID)
                .where("state", .equal, InvoiceState.draft.rawValue).returning("id").all()
            guard !updated.isEmpty else {
                throw PlatformError.conflict(field: "state", fr: "Ce brouillon vient d'être émis ou supprimé par une autre demande : rechargez la facture.",
                                             en: "This draft has just been issued or deleted by another request: reload the invoice.")
            }
            // A draft has no history yet: its first events are numbered from 1, in one statement.
            var events = tx.insert(into: "invoice_events")
                .columns("invoice_id", "seq", "at", "status_code", "side", "actor", "company_id", "reason", "amount")
            for (n, step) in steps.enumerated() {
                events = events.values(SQLBind(id), SQLBind(n + 1), SQLBind(issuedAt), SQLBind(step.code), SQLBind(step == .deposited ? "issuer" : "platform"),
                                       SQLBind(step == .deposited ? actor : "facteur"), SQLBind(companyID), SQLBind(String?.none), SQLBind(String?.none))
            }
            try await events.run()
            var audit = [AuditLog.Pending(companyID: companyID, actor: actor, ip: ip, action: "invoice.issue", subject: "invoice:\(id)",
                                          details: ["number": invoice.invoiceNumber, "xml": issued.xml_sha256 ?? "", "pdf": issued.pdf_sha256 ?? "",
                                                    "total": issued.total_with_vat, "status": String(issued.status_code ?? 0)])]
            if let buyerCompany {
                audit.append(AuditLog.Pending(companyID: buyerCompany, actor: "facteur", ip: nil, action: "invoice.receive", subject: "invoice:\(id)",
                                              details: ["number": invoice.invoiceNumber, "seller": companyID, "pdf": issued.pdf_sha256 ?? ""]))
            }
            try await AuditLog.appendAll(tx, audit, locked: true)
            let status = LifecycleStatus(rawValue: issued.status_code!)!
            var hooks: [(companyID: String, event: String, payload: [String: Any])] = [
                (companyID, "invoice.issued", eventPayload(issued, side: .sent, status: status, reason: nil)),
            ]
            if let buyerCompany {
                hooks.append((buyerCompany, "invoice.received", eventPayload(issued, side: .received, status: status, reason: nil)))
            }
            try await Webhooks.enqueueAll(tx, hooks)
            if let buyerCompany {
                try await Notifications.notify(tx, companyID: buyerCompany, kind: .received, invoice: issued, status: status, reason: nil,
                                               actorSide: "émetteur", baseURL: baseURL)
            }
            return (issued, invoice)
        }
        // The row as just written is the invoice as it now is: issued invoices are frozen.
        let issuedEntry = entry ?? draft.entry.flatMap { try? JSONDecoder().decode(InvoiceEntry.self, from: Data($0.utf8)) }
        return try view(issuedRow, companyID: companyID, entry: issuedEntry, invoice: issuedInvoice)
    }

    /// Where an issued invoice's number goes in the texts written before it is taken. The number is
    /// taken inside the transaction (no gaps), but the JSON body of the row and the CII XML do not need
    /// to be written there: written before, around a slot, they are filled in with the number — the
    /// same bytes as writing them again with it (tested), in microseconds instead of a JSON encoding and
    /// an XML writing while every other writer waits. When the slot cannot be found exactly once, the
    /// caller writes the text again with the number.
    struct NumberSlot {
        /// In the JSON body: a value no invoice contains (random), in place of the number.
        let placeholder = "facteur-number-" + UUID().uuidString.lowercased()
        /// In the XML: the stand-in number the invoice was validated with (`InvoiceNumbering.format`
        /// with 0), the same length and characters as the real number.
        let standIn: String

        /// The JSON body with the number in the placeholder's place; nil unless the placeholder is there once.
        func json(_ body: String, number: String) throws -> String? {
            let parts = body.components(separatedBy: "\"" + placeholder + "\"")
            guard parts.count == 2 else { return nil }
            return parts[0] + String(decoding: try Invoices.encoder.encode(number), as: UTF8.self) + parts[1]
        }

        /// The XML with the number in the stand-in's place (`<ram:ID>` of the document). Only when both are
        /// made of characters XML writes as they are (a prefix is letters, digits, - _ /) and the stand-in
        /// is written exactly once — then that one is the invoice number, which is always written.
        func xml(_ xml: Data, number: String) -> Data? {
            func plain(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "&") } }
            guard plain(standIn), plain(number) else { return nil }
            let needle = Array((">" + standIn + "<").utf8)
            let bytes = [UInt8](xml)
            var found: Int?
            var i = 0
            let last = bytes.count - needle.count
            while i <= last {
                if bytes[i] == needle[0] && bytes[i + 1] == needle[1] && bytes[i..<(i + needle.count)].elementsEqual(needle) {
                    if found != nil { return nil }
                    found = i
                    i += needle.count
                } else {
                    i += 1
                }
            }
            guard let at = found else { return nil }
            var out = Data(capacity: bytes.count + number.utf8.count)
            out.append(contentsOf: bytes[..<(at + 1)])
            out.append(contentsOf: Array(number.utf8))
            out.append(contentsOf: bytes[(at + needle.count - 1)...])
            return out
        }
    }

    /// What a webhook receiver is told of an invoice event, from the receiving company's side.
    static func eventPayload(_ row: InvoiceRow, side: InvoiceSide, status: LifecycleStatus, reason: String?) -> [String: Any] {
        var p: [String: Any] = [
            "invoice": ["id": row.id, "number": row.number ?? "", "direction": side.rawValue, "seller": row.seller_name, "buyer": row.buyer_name,
                        "totalWithVAT": row.total_with_vat, "currency": row.currency],
            "status": ["code": status.code, "label": status.label()],
        ]
        if let reason { p["reason"] = reason }
        return p
    }

    /// A client of the company (404 otherwise) and, in the same read, the company on Facteur with the
    /// SIREN an invoice to it names (its SIREN, else its SIRET's first nine digits), as `networkCompany`
    /// finds it.
    static func clientAndNetworkCompany(_ sql: any SQLDatabase, companyID: String, clientID: String) async throws
        -> (Client, network: (siren: String, company: String?)?) {
        guard let found = try await sql.raw("""
            SELECT cl.*, COALESCE(cl.siren, substr(cl.siret, 1, 9)) AS network_siren,
                   (SELECT co.id FROM companies co WHERE co.siren = COALESCE(cl.siren, substr(cl.siret, 1, 9)) AND co.id <> \(bind: companyID)
                    ORDER BY co.created_at LIMIT 1) AS network_company_id
            FROM clients cl WHERE cl.company_id = \(bind: companyID) AND cl.id = \(bind: clientID)
            """).first() else {
            throw PlatformError.notFound(what: "client")
        }
        let client = try found.decode(model: Clients.Row.self).client
        struct Network: Decodable { let network_siren: String?; let network_company_id: String? }
        let network = try found.decode(model: Network.self)
        return (client, network.network_siren.map { ($0, network.network_company_id) })
    }

    /// The company on Facteur whose SIREN is the buyer's, if any (never the seller itself).
    static func networkCompany(_ sql: any SQLDatabase, siren: String?, excluding: String) async throws -> String? {
        guard let siren, siren.count == 9 else { return nil }
        struct C: Decodable { let id: String }
        return try await sql.select().column("id").from("companies").where("siren", .equal, siren)
            .where("id", .notEqual, excluding).orderBy("created_at").first(decoding: C.self)?.id
    }

    static func appendEvent(_ sql: any SQLDatabase, invoiceID: String, status: LifecycleStatus, side: String, actor: String,
                            companyID: String, reason: String?, amount: String?, at: String) async throws {
        struct Last: Decodable { let seq: Int }
        let seq = (try await sql.select().column("seq").from("invoice_events").where("invoice_id", .equal, invoiceID)
            .orderBy("seq", .descending).limit(1).first(decoding: Last.self)?.seq ?? 0) + 1
        try await sql.insert(into: "invoice_events")
            .columns("invoice_id", "seq", "at", "status_code", "side", "actor", "company_id", "reason", "amount")
            .values(SQLBind(invoiceID), SQLBind(seq), SQLBind(at), SQLBind(status.code), SQLBind(side), SQLBind(actor),
                    SQLBind(companyID), SQLBind(reason), SQLBind(amount))
            .run()
    }

    // MARK: Lifecycle

    /// A status change asked by one of the two parties; the state machine says whether it is legal.
    public static func changeStatus(_ db: Database, companyID: String, id: String, code: Int, reason: String?,
                                    actor: String, ip: String?, baseURL: String = "http://localhost:8080") async throws -> InvoiceView {
        guard let target = LifecycleStatus(rawValue: code) else {
            throw PlatformError.validation([FieldError("code", "unknown", fr: "Statut inconnu : \(code).", en: "Unknown status: \(code).")])
        }
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        let side = row.seller_company_id == companyID ? InvoiceSide.sent : .received
        if target == .collected && side == .sent {
            // Encaissée means fully paid: record the outstanding amount as the final payment.
            let outstanding = (Decimal(string: row.amount_due) ?? 0) - (Decimal(string: row.paid) ?? 0)
            return try await recordPayment(db, companyID: companyID, id: id, amount: max(outstanding, 0), actor: actor, ip: ip, allowZero: true, baseURL: baseURL)
        }
        try await transition(db, row: row, companyID: companyID, side: side, to: target, reason: reason, amount: nil, paid: nil, actor: actor, ip: ip, baseURL: baseURL)
        return try await view(db, companyID: companyID, id: id, full: true)
    }

    static func transition(_ db: Database, row: InvoiceRow, companyID: String, side: InvoiceSide, to target: LifecycleStatus,
                           reason: String?, amount: String?, paid: String?, actor: String, ip: String?, baseURL: String) async throws {
        guard row.state == InvoiceState.issued.rawValue, let code = row.status_code, let current = LifecycleStatus(rawValue: code) else {
            throw PlatformError.conflict(field: "state", fr: "Émettez d'abord la facture.", en: "Issue the invoice first.")
        }
        do {
            try Lifecycle.check(from: current, to: target, by: side.actor, reason: reason)
        } catch {
            throw PlatformError.conflict(field: "code", fr: error.message(.fr), en: error.message(.en))
        }
        let at = now()
        let cleanReason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        try await db.sql.transaction { tx in
            try await AuditLog.lock(tx, companyIDs: [row.seller_company_id] + (row.buyer_company_id.map { [$0] } ?? []))
            // The expected current status in the WHERE makes two simultaneous changes unable to both apply.
            var update = tx.update("invoices").set("status_code", to: target.code).set("updated_at", to: at)
            if let paid { update = update.set("paid", to: paid) }
            try await update.where("id", .equal, row.id).where("status_code", .equal, current.code).run()
            struct S: Decodable { let status_code: Int? }
            guard try await tx.select().column("status_code").from("invoices").where("id", .equal, row.id)
                .first(decoding: S.self)?.status_code == target.code else {
                throw PlatformError.conflict(field: "code", fr: "Le statut a changé entre-temps : rechargez la facture.",
                                             en: "The status changed meanwhile: reload the invoice.")
            }
            try await appendEvent(tx, invoiceID: row.id, status: target, side: side.actor.rawValue, actor: actor, companyID: companyID,
                                  reason: cleanReason, amount: amount, at: at)
            var details = ["from": String(current.code), "to": String(target.code), "number": row.number ?? ""]
            if let cleanReason { details["reason"] = cleanReason }
            if let amount { details["amount"] = amount }
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.status", subject: "invoice:\(row.id)", details: details)
            let other = side == .sent ? row.buyer_company_id : row.seller_company_id
            try await Webhooks.enqueue(tx, companyID: companyID, event: "invoice.status", payload: eventPayload(row, side: side, status: target, reason: cleanReason))
            if let other {
                try await AuditLog.append(tx, companyID: other, actor: "facteur", ip: nil, action: "invoice.status.notified",
                                          subject: "invoice:\(row.id)", details: details)
                try await Webhooks.enqueue(tx, companyID: other, event: "invoice.status",
                                           payload: eventPayload(row, side: side == .sent ? .received : .sent, status: target, reason: cleanReason))
                try await Notifications.notify(tx, companyID: other, kind: .status, invoice: row, status: target, reason: cleanReason,
                                               actorSide: side == .sent ? "émetteur" : "destinataire", baseURL: baseURL)
            }
        }
    }

    /// A payment received by the issuer; the invoice becomes Encaissée (212) when paid in full.
    public static func recordPayment(_ db: Database, companyID: String, id: String, amount: Decimal, actor: String, ip: String?,
                                     allowZero: Bool = false, baseURL: String = "http://localhost:8080") async throws -> InvoiceView {
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        guard row.seller_company_id == companyID else {
            throw PlatformError.conflict(field: "amount", fr: "Seul l'émetteur enregistre les encaissements.", en: "Only the issuer records payments received.")
        }
        guard row.state == InvoiceState.issued.rawValue, let code = row.status_code, let current = LifecycleStatus(rawValue: code) else {
            throw PlatformError.conflict(field: "state", fr: "Émettez d'abord la facture.", en: "Issue the invoice first.")
        }
        var ledger = PaymentLedger(amountDue: Decimal(string: row.amount_due) ?? 0, payments: [Decimal(string: row.paid) ?? 0].filter { $0 > 0 })
        if !(allowZero && amount == 0) {
            do { try ledger.record(amount) } catch {
                throw PlatformError.validation([FieldError("amount", "payment", fr: error.message(.fr), en: error.message(.en))])
            }
        }
        let paid = DecimalValue.plain(ledger.paid)
        if ledger.isSettled {
            try await transition(db, row: row, companyID: companyID, side: .sent, to: .collected, reason: nil, amount: DecimalValue.plain(amount),
                                 paid: paid, actor: actor, ip: ip, baseURL: baseURL)
        } else {
            if current.isFinal { throw PlatformError.conflict(field: "amount", fr: LifecycleError.finalStatus(current).message(.fr), en: LifecycleError.finalStatus(current).message(.en)) }
            let at = now()
            try await db.sql.transaction { tx in
                try await tx.update("invoices").set("paid", to: paid).set("updated_at", to: at).where("id", .equal, id).run()
                try await appendEvent(tx, invoiceID: id, status: current, side: "issuer", actor: actor, companyID: companyID,
                                      reason: "payment", amount: DecimalValue.plain(amount), at: at)
                try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.payment", subject: "invoice:\(id)",
                                          details: ["amount": DecimalValue.plain(amount), "paid": paid])
            }
        }
        return try await view(db, companyID: companyID, id: id, full: true)
    }

    /// For a client outside the network: the user sent it (downloaded, emailed, posted) and says so.
    public static func markSent(_ db: Database, companyID: String, id: String, date: String?, means: String,
                                actor: String, ip: String?) async throws -> InvoiceView {
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        guard row.seller_company_id == companyID, row.state == InvoiceState.issued.rawValue else { throw PlatformError.notFound(what: "invoice") }
        guard row.buyer_company_id == nil else {
            throw PlatformError.conflict(field: "means", fr: "Cette facture a déjà été remise sur le réseau Facteur.", en: "This invoice was already delivered on the Facteur network.")
        }
        let allowed = ["email", "paper", "chorus_pro", "other"]
        guard allowed.contains(means) else {
            throw PlatformError.validation([FieldError("means", "code", fr: "Moyen d'envoi inconnu : \(means) (email, paper, chorus_pro, other).",
                                                       en: "Unknown means: \(means) (email, paper, chorus_pro, other).")])
        }
        let sentDate = date.flatMap(LocalDate.init(parsing:))?.isoString ?? today().isoString
        if let date, LocalDate(parsing: date) == nil {
            throw PlatformError.validation([FieldError("date", "format", fr: "Date invalide (AAAA-MM-JJ).", en: "Invalid date (YYYY-MM-DD).")])
        }
        let at = now()
        try await db.sql.transaction { tx in
            try await tx.update("invoices").set("sent_at", to: sentDate).set("sent_means", to: means).set("channel", to: means)
                .set("updated_at", to: at).where("id", .equal, id).run()
            if row.status_code == LifecycleStatus.deposited.code {
                try await tx.update("invoices").set("status_code", to: LifecycleStatus.issued.code).where("id", .equal, id).run()
                try await appendEvent(tx, invoiceID: id, status: .issued, side: "issuer", actor: actor, companyID: companyID,
                                      reason: "\(means) \(sentDate)", amount: nil, at: at)
            }
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.sent", subject: "invoice:\(id)",
                                      details: ["means": means, "date": sentDate])
        }
        return try await view(db, companyID: companyID, id: id, full: true)
    }

    /// A credit note (avoir) for all of an issued invoice, or for some of its lines (1-based line
    /// numbers, optionally with the quantity credited), as a draft that references it.
    public static func creditNote(_ db: Database, companyID: String, id: String, lines selection: [Int: Decimal?]?,
                                  actor: String, ip: String?) async throws -> InvoiceView {
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        guard row.seller_company_id == companyID, row.state == InvoiceState.issued.rawValue, let number = row.number else {
            throw PlatformError.notFound(what: "invoice")
        }
        let original = try JSONDecoder().decode(Invoice.self, from: Data(row.body.utf8))
        var credit = original
        credit.invoiceNumber = ""
        credit.typeCode = "381"
        credit.issueDate = today()
        credit.paymentDueDate = today()
        credit.precedingInvoices = [PrecedingInvoiceReference(reference: number, issueDate: original.issueDate)]
        credit.totals.paidAmount = nil
        if let selection, !selection.isEmpty {
            var lines: [InvoiceLine] = []
            for (index, quantity) in selection.sorted(by: { $0.key < $1.key }) {
                guard index >= 1, index <= original.lines.count else {
                    throw PlatformError.validation([FieldError("lines", "range", fr: "La facture n'a pas de ligne \(index).", en: "The invoice has no line \(index).")])
                }
                var line = original.lines[index - 1]
                if let q = quantity {
                    guard q > 0, q <= line.quantity else {
                        throw PlatformError.validation([FieldError("lines[\(index)]", "quantity", fr: "Quantité à créditer entre 0 et \(line.quantity).", en: "Quantity to credit between 0 and \(line.quantity).")])
                    }
                    line.quantity = q
                    line.allowanceCharges = line.allowanceCharges.map { var a = $0; if a.percentage != nil { a.amount = nil; a.baseAmount = InvoiceCalculator.roundAmount(q * line.price.netPrice) }; return a }
                }
                line.identifier = String(lines.count + 1)
                lines.append(line)
            }
            credit.lines = lines
            credit.allowanceCharges = []
        }
        credit.totals = DocumentTotals(sumOfLineNetAmounts: 0, totalWithoutVAT: 0, totalWithVAT: 0, amountDueForPayment: 0)
        credit.vatBreakdown = credit.vatBreakdown.map { VATBreakdown(categoryCode: $0.categoryCode, rate: $0.rate, exemptionReason: $0.exemptionReason, exemptionReasonCode: $0.exemptionReasonCode) }
        credit = InvoiceCalculator().calculate(credit)
        credit.vatBreakdown = credit.vatBreakdown.filter { b in credit.lines.contains { $0.vat.categoryCode == b.categoryCode && $0.vat.rate == b.rate } || credit.allowanceCharges.contains { $0.vatCategoryCode == b.categoryCode } }
        let newID = UUID().uuidString.lowercased()
        var newRow = try self.row(from: credit, id: newID, sellerCompanyID: companyID, clientID: row.client_id, source: .creditNote, entry: nil, createdAt: now())
        newRow.credited_invoice_id = id
        let inserted = newRow
        try await db.sql.transaction { tx in
            try await tx.insert(into: "invoices").model(inserted).run()
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "invoice.credit-note.create", subject: "invoice:\(newID)",
                                      details: ["credits": id, "number": number, "total": inserted.total_with_vat])
        }
        return try await view(db, companyID: companyID, id: newID, full: true)
    }

    // MARK: Reading

    /// The row if the company is its seller, or its buyer once issued; 404 otherwise (whether it exists or not).
    static func visibleRow(_ sql: any SQLDatabase, companyID: String, id: String) async throws -> InvoiceRow {
        guard let row = try await sql.select().column("*").from("invoices").where("id", .equal, id)
            .where(group: { g in
                g.where("seller_company_id", .equal, companyID)
                    .orWhere(group: { $0.where("buyer_company_id", .equal, companyID).where("state", .equal, InvoiceState.issued.rawValue) })
            })
            .first(decoding: InvoiceRow.self) else {
            throw PlatformError.notFound(what: "invoice")
        }
        return row
    }

    public static func view(_ db: Database, companyID: String, id: String, full: Bool) async throws -> InvoiceView {
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        return try view(row, companyID: companyID, full: full)
    }

    static func view(_ row: InvoiceRow, companyID: String, full: Bool) throws -> InvoiceView {
        let side: InvoiceSide = row.seller_company_id == companyID ? .sent : .received
        let status = row.status_code.flatMap(LifecycleStatus.init(rawValue:))
        var allowed: [Int] = []
        if let status {
            allowed = Lifecycle.allowed(from: status, by: side.actor).map(\.code).sorted()
        }
        let due = Decimal(string: row.amount_due) ?? 0
        let paid = Decimal(string: row.paid) ?? 0
        return InvoiceView(
            id: row.id, direction: side, state: InvoiceState(rawValue: row.state) ?? .draft,
            status: status.map { InvoiceView.Status(code: $0.code, label: $0.label()) },
            number: row.number, typeCode: row.type_code, issueDate: row.issue_date, dueDate: row.due_date, currency: row.currency,
            seller: .init(name: row.seller_name, siren: row.seller_siren), buyer: .init(name: row.buyer_name, siren: row.buyer_siren),
            clientId: side == .sent ? row.client_id : nil, onNetwork: row.buyer_company_id != nil,
            totals: .init(withoutVAT: row.total_without_vat, vat: row.total_vat, withVAT: row.total_with_vat, amountDue: row.amount_due,
                          paid: row.paid, outstanding: DecimalValue.plain(max(0, due - paid))),
            source: InvoiceSource(rawValue: row.source) ?? .entry, channel: row.channel, sentAt: row.sent_at, sentMeans: row.sent_means,
            creditedInvoiceId: row.credited_invoice_id, hasPDF: row.pdf_sha256 != nil || row.source == InvoiceSource.pdf.rawValue,
            hasXML: row.xml_sha256 != nil, createdAt: row.created_at, issuedAt: row.issued_at, allowedStatusCodes: allowed,
            entry: full && side == .sent ? row.entry.flatMap { try? JSONDecoder().decode(InvoiceEntry.self, from: Data($0.utf8)) } : nil,
            invoice: full ? try JSONDecoder().decode(Invoice.self, from: Data(row.body.utf8)) : nil)
    }

    /// The full view of a row this request has just written, from the entry and invoice it wrote
    /// (what decoding the row's JSON gives back), without decoding them again.
    static func view(_ row: InvoiceRow, companyID: String, entry: InvoiceEntry?, invoice: Invoice) throws -> InvoiceView {
        var v = try view(row, companyID: companyID, full: false)
        v.entry = v.direction == .sent && row.entry != nil ? entry : nil
        v.invoice = invoice
        return v
    }

    public static func events(_ db: Database, companyID: String, id: String) async throws -> [InvoiceEvent] {
        _ = try await visibleRow(db.sql, companyID: companyID, id: id)
        struct Row: Decodable { let seq: Int; let at: String; let status_code: Int; let side: String; let actor: String; let reason: String?; let amount: String? }
        return try await db.sql.select().columns("seq", "at", "status_code", "side", "actor", "reason", "amount").from("invoice_events")
            .where("invoice_id", .equal, id).orderBy("seq").all(decoding: Row.self)
            .map { InvoiceEvent(seq: $0.seq, at: $0.at, statusCode: $0.status_code, label: LifecycleStatus(rawValue: $0.status_code)?.label() ?? "?",
                                side: $0.side, actor: $0.actor, reason: $0.reason, amount: $0.amount) }
    }

    public enum DocumentKind: String, Sendable { case pdf, xml, original }

    public static func document(_ db: Database, companyID: String, id: String, kind: DocumentKind) async throws -> Documents.Stored {
        let row = try await visibleRow(db.sql, companyID: companyID, id: id)
        let sha: String?
        switch kind {
        case .pdf: sha = row.pdf_sha256 ?? (row.source == InvoiceSource.pdf.rawValue ? row.source_sha256 : nil)
        case .xml: sha = row.xml_sha256
        case .original: sha = row.source_sha256
        }
        guard let sha else { throw PlatformError.notFound(what: "document") }
        return try await Documents.get(db.sql, sha256: sha)
    }

    public struct Query: Sendable {
        public var direction: InvoiceSide = .sent
        public var state: InvoiceState?
        public var statusCodes: [Int] = []
        public var text: String?
        public var from: String?
        public var to: String?
        public var minAmount: Decimal?
        public var maxAmount: Decimal?
        public var channel: String?
        public var sort: String = "-date"
        public var page = 1
        public var perPage = 50
        public init() {}
    }

    public struct Page: Sendable {
        public var items: [InvoiceView]
        public var total: Int
        public var page: Int
        public var perPage: Int
    }

    /// What a list shows: every column but the invoice body and the draft's entry, which only the
    /// invoice's own page reads (kilobytes of JSON each, that sorting thousands of rows would drag along).
    static let listColumns: [any SQLExpression] = [
        "id", "seller_company_id", "buyer_company_id", "client_id", "state", "status_code", "number", "year", "type_code",
        "issue_date", "due_date", "currency", "seller_name", "seller_siren", "buyer_name", "buyer_siren", "total_without_vat",
        "total_vat", "total_with_vat", "amount_due", "amount_due_cents", "paid", "source", "source_sha256", "xml_sha256",
        "pdf_sha256", "channel", "sent_at", "sent_means", "credited_invoice_id", "created_at", "updated_at", "issued_at",
    ].map { SQLIdentifier($0) } + [SQLAlias(SQLLiteral.string(""), as: SQLIdentifier("body"))]

    /// The filters and the order of a list: shared by its pages and by the CSV export, so that both
    /// always show the same invoices in the same order.
    struct ListSelection {
        let companyID: String
        let q: Query
        let pattern: String?
        let foldsCase: Bool

        init(_ db: Database, companyID: String, _ q: Query) {
            self.companyID = companyID
            self.q = q
            let text = q.text?.trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "")
            pattern = text.flatMap { $0.isEmpty ? nil : "%" + $0 + "%" }
            // SQLite's LIKE already ignores ASCII case and its lower() folds nothing more, so lower() would
            // only cost time there; PostgreSQL folds with lower() (its ILIKE is slower on UTF-8 text).
            foldsCase = db.sql.dialect.name == "sqlite"
        }

        private func matches(_ column: String) -> any SQLExpression {
            SQLBinaryExpression(foldsCase ? SQLIdentifier(column) : SQLFunction("lower", args: SQLIdentifier(column)), .like, SQLBind(pattern ?? ""))
        }

        func filtered(_ s: SQLSelectBuilder) -> SQLSelectBuilder {
            var s = s
            if q.direction == .sent {
                s = s.where("seller_company_id", .equal, companyID)
            } else {
                s = s.where("buyer_company_id", .equal, companyID).where("state", .equal, InvoiceState.issued.rawValue)
            }
            if let state = q.state { s = s.where("state", .equal, state.rawValue) }
            if !q.statusCodes.isEmpty { s = s.where("status_code", .in, q.statusCodes) }
            if pattern != nil {
                s = s.where { g in
                    g.where(matches("number")).orWhere(matches("buyer_name")).orWhere(matches("seller_name"))
                        .orWhere(SQLBinaryExpression(SQLIdentifier("buyer_siren"), .like, SQLBind(pattern ?? "")))
                }
            }
            if let from = q.from { s = s.where("issue_date", .greaterThanOrEqual, from) }
            if let to = q.to { s = s.where("issue_date", .lessThanOrEqual, to) }
            if let min = q.minAmount { s = s.where("amount_due_cents", .greaterThanOrEqual, cents(min)) }
            if let max = q.maxAmount { s = s.where("amount_due_cents", .lessThanOrEqual, cents(max)) }
            if let channel = q.channel { s = s.where("channel", .equal, channel) }
            return s
        }

        /// The ids in list order, read from the side's list index alone (`invoices_seller_list`,
        /// `invoices_buyer_list`: every column filtered, sorted or searched on).
        func orderedIDs(_ db: Database) -> SQLSelectBuilder {
            let descending = q.sort.hasPrefix("-")
            let key = q.sort.trimmingCharacters(in: CharacterSet(charactersIn: "-+"))
            let column = ["date": "issue_date", "number": "number", "amount": "amount_due_cents", "client": "buyer_name", "status": "status_code", "created": "created_at"][key] ?? "issue_date"
            return filtered(db.sql.select().column("id").from("invoices"))
                .orderBy(column, descending ? .descending : .ascending).orderBy("created_at", .descending).orderBy("id")
        }
    }

    public static func list(_ db: Database, companyID: String, _ q: Query) async throws -> Page {
        let perPage = min(max(q.perPage, 1), 200)
        let page = max(q.page, 1)
        let selection = ListSelection(db, companyID: companyID, q)
        struct Count: Decodable { let n: Int }
        func count() async throws -> Int {
            try await selection.filtered(db.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("invoices"))
                .first(decoding: Count.self)?.n ?? 0
        }
        // The page's ids first, from the index alone, then only those rows.
        var ids = selection.orderedIDs(db).limit(perPage).offset((page - 1) * perPage)
        let total: Int
        let pageIDs: [String]
        if selection.pattern != nil {
            // A text search reads every entry of the company: one pass both counts and pages, where a
            // separate COUNT would make a second one.
            ids = ids.column(SQLAlias(SQLRaw("COUNT(*) OVER ()"), as: SQLIdentifier("total_count")))
            let found = try await ids.all()
            pageIDs = try found.map { try $0.decode(column: "id", as: String.self) }
            if let first = found.first {
                total = try first.decode(column: "total_count", as: Int.self)
            } else {
                total = page == 1 ? 0 : try await count()
            }
        } else {
            total = try await count()
            struct ID: Decodable { let id: String }
            pageIDs = try await ids.all(decoding: ID.self).map(\.id)
        }
        let items = try await views(db, companyID: companyID, ids: pageIDs[...])
        return Page(items: items, total: total, page: page, perPage: perPage)
    }

    /// Every id a list selects, in its order, with no page: what the CSV export walks. Ids only
    /// (≈ 40 bytes each), read in one statement, so the export is one consistent set of invoices
    /// however many pages it would fill and whatever is written while it streams.
    public static func allIDs(_ db: Database, companyID: String, _ q: Query) async throws -> [String] {
        struct ID: Decodable { let id: String }
        return try await ListSelection(db, companyID: companyID, q).orderedIDs(db).all(decoding: ID.self).map(\.id)
    }

    /// The list views of these invoices (no body), in the order given. Ids that are not this
    /// company's (as seller, or as buyer of an issued invoice), or a draft deleted since the ids
    /// were read, are simply left out.
    public static func views(_ db: Database, companyID: String, ids: ArraySlice<String>) async throws -> [InvoiceView] {
        guard !ids.isEmpty else { return [] }
        // Read by primary key alone and checked here: a company condition in the SQL let SQLite's planner
        // walk the company's whole index instead (60 ms instead of 8 over 100,000 invoices).
        let found = try await db.sql.select().columns(listColumns).from("invoices").where("id", .in, Array(ids))
            .all(decoding: InvoiceRow.self)
            .filter { $0.seller_company_id == companyID || ($0.buyer_company_id == companyID && $0.state == InvoiceState.issued.rawValue) }
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return try ids.compactMap { byID[$0] }.map { try view($0, companyID: companyID, full: false) }
    }
}
