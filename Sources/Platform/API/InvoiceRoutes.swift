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

extension Webhooks.Endpoint: ResponseEncodable {}

struct WebhookList: ResponseEncodable { var items: [Webhooks.Endpoint] }
struct DeliveryList: ResponseEncodable { var items: [Webhooks.Delivery] }
struct WebhookInput: Decodable { var url: String }
struct TemplateInput: Decodable { var subject: String; var body: String }
struct TemplateJSON: ResponseEncodable {
    var kind: String
    var subject: String
    var body: String
    var custom: Bool
    var variables: [String: String]
}
struct PreviewJSON: ResponseEncodable { var subject: String; var body: String; var error: String? }
struct ModeInput: Decodable { var mode: Notifications.Mode }
struct ModeJSON: ResponseEncodable { var userId: String; var mode: Notifications.Mode }

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
    var baseURL: String = "http://localhost:8080"
    static let maxUpload = 20 << 20

    func register(on api: RouterGroup<AppRequestContext>) {
        registerNotifications(on: api)
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
                                     producer: producer, actor: context.actor, ip: context.remoteAddress, baseURL: baseURL)
        }
        api.post("invoices/:id/status") { request, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer, .approver], Self.deciding)
            let body = try await request.body.collect(upTo: 64 << 10)
            let input = try Self.decode(StatusInput.self, Data(buffer: body))
            return try await Invoices.changeStatus(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                   code: input.code, reason: input.reason, actor: context.actor, ip: context.remoteAddress, baseURL: baseURL)
        }
        api.post("invoices/:id/payments") { request, context -> InvoiceView in
            try context.requireInvoiceRole([.manager, .issuer], Self.issuing)
            let body = try await request.body.collect(upTo: 64 << 10)
            let input = try Self.decode(PaymentInput.self, Data(buffer: body))
            return try await Invoices.recordPayment(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                                    amount: input.amount.value, actor: context.actor, ip: context.remoteAddress, baseURL: baseURL)
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

    /// Webhooks, notification wording and preferences: the company's managers.
    func registerNotifications(on api: RouterGroup<AppRequestContext>) {
        api.get("webhooks") { _, context -> WebhookList in
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            return WebhookList(items: try await Webhooks.list(database, companyID: try context.requireCompany()))
        }
        api.post("webhooks") { request, context -> EditedResponse<Webhooks.Endpoint> in
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            let input = try Self.decode(WebhookInput.self, Data(buffer: try await request.body.collect(upTo: 64 << 10)))
            let hook = try await Webhooks.create(database, companyID: try context.requireCompany(), url: input.url, actor: context.actor, ip: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/webhooks/\(hook.id)"], response: hook)
        }
        api.delete("webhooks/:id") { _, context -> HTTPResponse.Status in
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            try await Webhooks.delete(database, companyID: try context.requireCompany(), id: try context.parameters.require("id"),
                                      actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
        api.get("webhooks/:id/deliveries") { _, context -> DeliveryList in
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            return DeliveryList(items: try await Webhooks.deliveries(database, companyID: try context.requireCompany(), webhookID: try context.parameters.require("id")))
        }
        @Sendable func kind(_ context: AppRequestContext) throws -> Notifications.Kind {
            let text = try context.parameters.require("kind")
            guard let kind = Notifications.Kind(rawValue: text) else { throw PlatformError.notFound(what: "notification template") }
            return kind
        }
        api.get("notification-templates/:kind") { _, context -> TemplateJSON in
            let k = try kind(context)
            let (t, custom) = try await Notifications.customTemplate(database, companyID: try context.requireCompany(), kind: k)
            return TemplateJSON(kind: k.rawValue, subject: t.subject, body: t.body, custom: custom, variables: Notifications.variables)
        }
        api.put("notification-templates/:kind") { request, context -> TemplateJSON in
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            let k = try kind(context)
            let input = try Self.decode(TemplateInput.self, Data(buffer: try await request.body.collect(upTo: 64 << 10)))
            try await Notifications.setTemplate(database, companyID: try context.requireCompany(), kind: k,
                                                .init(subject: input.subject, body: input.body), actor: context.actor, ip: context.remoteAddress)
            return TemplateJSON(kind: k.rawValue, subject: input.subject, body: input.body, custom: true, variables: Notifications.variables)
        }
        api.delete("notification-templates/:kind") { _, context -> HTTPResponse.Status in
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            try await Notifications.setTemplate(database, companyID: try context.requireCompany(), kind: try kind(context), nil,
                                                actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
        api.post("notification-templates/:kind/preview") { request, context -> PreviewJSON in
            _ = try kind(context)
            let input = try Self.decode(TemplateInput.self, Data(buffer: try await request.body.collect(upTo: 64 << 10)))
            let p = Notifications.preview(.init(subject: input.subject, body: input.body))
            return PreviewJSON(subject: p.subject, body: p.body, error: p.error)
        }
        api.put("users/:id/notifications") { request, context -> ModeJSON in
            let company = try context.requireCompany()
            let userID = try context.parameters.require("id")
            try context.requireInvoiceRole([.manager], AccessDenied.managersOnly)
            let input = try Self.decode(ModeInput.self, Data(buffer: try await request.body.collect(upTo: 64 << 10)))
            struct M: Decodable { let user_id: String }
            guard try await database.sql.select().column("user_id").from("memberships").where("company_id", .equal, company)
                .where("user_id", .equal, userID).first(decoding: M.self) != nil else { throw PlatformError.notFound(what: "user") }
            try await Notifications.setMode(database, companyID: company, userID: userID, input.mode)
            return ModeJSON(userId: userID, mode: input.mode)
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
