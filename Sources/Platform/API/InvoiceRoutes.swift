import Foundation
import Hummingbird
import InvoiceModel
import NIOFoundationCompat

extension InvoiceView: ResponseEncodable {}

struct InvoicePage: ResponseEncodable {
    var items: [InvoiceView]
    var total: Int
    var page: Int
    var perPage: Int
}

struct InvoiceEvents: ResponseEncodable {
    var items: [InvoiceEvent]
}

struct StatusInput: Decodable {
    var code: Int
    var reason: String?
}

struct PaymentInput: Decodable {
    var amount: DecimalValue
}

struct SentInput: Decodable {
    var means: String
    var date: String?
}

struct CreditNoteInput: Decodable {
    struct Line: Decodable { var line: Int; var quantity: DecimalValue? }
    /// Absent or empty: the whole invoice is credited.
    var lines: [Line]?
}

/// `/api/v1/invoices`: the contract billing software relies on — create (JSON entry, or a CII/UBL/PDF
/// file as the raw body), issue, read, download, list, change status, record payments.
struct InvoiceRoutes {
    let database: Database
    let producer: any InvoiceDocumentProducer
    static let maxUpload = 20 << 20

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("invoices") { request, context -> EditedResponse<InvoiceView> in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let company = try context.requireCompany()
            let type = request.headers[.contentType]?.lowercased() ?? "application/json"
            let body = try await request.body.collect(upTo: Self.maxUpload)
            let data = Data(buffer: body)
            let created: InvoiceView
            if type.hasPrefix("application/json") {
                let entry = try Self.decode(InvoiceEntry.self, data)
                created = try await Invoices.createDraft(database, companyID: company, entry, actor: context.actor, ip: context.remoteAddress)
            } else if type.hasPrefix("application/xml") || type.hasPrefix("text/xml") || type.hasPrefix("application/pdf") {
                let filename = request.headers[.contentDisposition].flatMap(Self.filename)
                created = try await Invoices.deposit(database, companyID: company, data: data, mediaType: type, filename: filename,
                                                     extract: embeddedInvoiceXML, actor: context.actor, ip: context.remoteAddress)
            } else {
                throw PlatformError.validation([FieldError("Content-Type", "unsupported",
                    fr: "Type de contenu non pris en charge : \(type). Envoyez application/json (saisie), application/xml (CII ou UBL) ou application/pdf (Factur-X ou PDF).",
                    en: "Unsupported content type: \(type). Send application/json (entry), application/xml (CII or UBL) or application/pdf (Factur-X or PDF).")])
            }
            return EditedResponse(status: .created, headers: [.location: "/api/v1/invoices/\(created.id)"], response: created)
        }
        api.get("invoices") { request, context -> InvoicePage in
            let company = try context.requireCompany()
            let q = request.uri.queryParameters
            var query = Invoices.Query()
            if let d = q.get("direction") {
                guard let side = InvoiceSide(rawValue: d) else {
                    throw PlatformError.validation([FieldError("direction", "invalid", fr: "direction = sent ou received.", en: "direction = sent or received.")])
                }
                query.direction = side
            }
            if let s = q.get("state") { query.state = InvoiceState(rawValue: s) }
            if let s = q.get("status") {
                query.statusCodes = try s.split(separator: ",").map { text in
                    guard let code = Int(text), LifecycleStatus(rawValue: code) != nil else {
                        throw PlatformError.validation([FieldError("status", "invalid", fr: "Statut inconnu : \(text).", en: "Unknown status: \(text).")])
                    }
                    return code
                }
            }
            query.text = q.get("q")
            query.from = q.get("from")
            query.to = q.get("to")
            query.minAmount = q.get("minAmount").flatMap { DecimalValue.parse($0) }
            query.maxAmount = q.get("maxAmount").flatMap { DecimalValue.parse($0) }
            query.channel = q.get("channel")
            query.sort = q.get("sort") ?? "-date"
            query.page = q.get("page", as: Int.self) ?? 1
            query.perPage = q.get("perPage", as: Int.self) ?? 50
            let page = try await Invoices.list(database, companyID: company, query)
            return InvoicePage(items: page.items, total: page.total, page: page.page, perPage: page.perPage)
        }
        api.get("invoices/:id") { _, context -> InvoiceView in
            try await Invoices.view(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"), full: true)
        }
        api.put("invoices/:id") { request, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let body = try await request.body.collect(upTo: 1 << 20)
            let entry = try Self.decode(InvoiceEntry.self, Data(buffer: body))
            return try await Invoices.updateDraft(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                  entry, actor: context.actor, ip: context.remoteAddress)
        }
        api.delete("invoices/:id") { _, context -> HTTPResponse.Status in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            try await Invoices.deleteDraft(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                           actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
        api.post("invoices/:id/duplicate") { _, context -> EditedResponse<InvoiceView> in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let copy = try await Invoices.duplicate(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                    actor: context.actor, ip: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/invoices/\(copy.id)"], response: copy)
        }
        api.post("invoices/:id/issue") { _, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            return try await Invoices.issue(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                     producer: producer, actor: context.actor, ip: context.remoteAddress)
        }
        api.post("invoices/:id/status") { request, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer, .approver], Self.deciding)
            let body = try await request.body.collect(upTo: 64 << 10)
            let input = try Self.decode(StatusInput.self, Data(buffer: body))
            return try await Invoices.changeStatus(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                   code: input.code, reason: input.reason, actor: context.actor, ip: context.remoteAddress)
        }
        api.post("invoices/:id/payments") { request, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let body = try await request.body.collect(upTo: 64 << 10)
            let input = try Self.decode(PaymentInput.self, Data(buffer: body))
            return try await Invoices.recordPayment(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                    amount: input.amount.value, actor: context.actor, ip: context.remoteAddress)
        }
        api.post("invoices/:id/sent") { request, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let body = try await request.body.collect(upTo: 64 << 10)
            let input = try Self.decode(SentInput.self, Data(buffer: body))
            return try await Invoices.markSent(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                               date: input.date, means: input.means, actor: context.actor, ip: context.remoteAddress)
        }
        api.post("invoices/:id/credit-note") { request, context -> EditedResponse<InvoiceView> in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let body = try await request.body.collect(upTo: 64 << 10)
            let input = body.readableBytes == 0 ? CreditNoteInput(lines: nil) : try Self.decode(CreditNoteInput.self, Data(buffer: body))
            var selection: [Int: Decimal?]?
            if let lines = input.lines, !lines.isEmpty {
                selection = Dictionary(lines.map { ($0.line, $0.quantity?.value) }, uniquingKeysWith: { a, _ in a })
            }
            let credit = try await Invoices.creditNote(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                       lines: selection, actor: context.actor, ip: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/invoices/\(credit.id)"], response: credit)
        }
        api.get("invoices/:id/history") { _, context -> InvoiceEvents in
            InvoiceEvents(items: try await Invoices.events(database, companyID: try context.requireCompany(), id: try context.parameters.require("id")))
        }
        for (path, kind) in [("pdf", Invoices.DocumentKind.pdf), ("xml", .xml), ("original", .original)] {
            api.get("invoices/:id/\(path)") { _, context -> Response in
                let id = try context.parameters.require("id")
                let doc = try await Invoices.document(database, companyID: try context.requireCompany(), id: id, kind: kind)
                var headers = HTTPFields()
                headers[.contentType] = doc.mediaType
                let ext = doc.mediaType.hasSuffix("pdf") ? "pdf" : "xml"
                headers[.contentDisposition] = "attachment; filename=\"facture-\(id).\(ext)\""
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: doc.data)))
            }
        }
    }

    static let issuing = AccessDenied(fr: "Votre rôle ne permet pas de saisir ou d'émettre des factures (gestionnaire ou émetteur requis).",
                                      en: "Your role does not allow typing or issuing invoices (manager or issuer required).")
    static let deciding = AccessDenied(fr: "Votre rôle est en lecture seule : il ne permet pas de changer le statut d'une facture.",
                                       en: "Your role is read-only: it cannot change an invoice's status.")

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw PlatformError.validation([ClientRoutes.fieldError(error)])
        }
    }

    static func filename(_ disposition: String) -> String? {
        guard let range = disposition.range(of: "filename=") else { return nil }
        return String(disposition[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "\"; "))
    }
}

extension AppRequestContext {
    /// Tokens carry a role; a token without one (older tokens) acts as a manager, as before roles existed.
    func requireInvoiceRole(_ allowed: Set<Role>, _ denial: AccessDenied) throws {
        if let role, !allowed.contains(role) { throw denial }
    }
}
