import Foundation
import InvoiceModel
import Mustache
import Logging
import ServiceLifecycle
import SQLKit
import Synchronization

/// Emails about invoices to the people of the *other* party: a new invoice in their inbox, or a status
/// the counterpart set. Each person chooses immediate emails, a daily digest, or nothing; each company
/// may reword every email (Mustache), and a template that fails falls back to the default text.
public enum Notifications {
    public enum Mode: String, Sendable, Codable, CaseIterable { case immediate, digest, none }

    /// The emails a company can reword.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// An invoice arrived in the company's inbox.
        case received
        /// The counterpart changed the status of an invoice (approval, dispute, payment…).
        case status
    }

    public struct Template: Sendable, Codable, Equatable {
        public var subject: String
        public var body: String
        public init(subject: String, body: String) { self.subject = subject; self.body = body }
    }

    /// The variables a template can use, documented for the companies that reword their emails.
    public static let variables: [String: String] = [
        "company.name": "la société destinataire de l'email",
        "invoice.number": "numéro de la facture", "invoice.amount": "montant TTC, format français (1 234,56 €)",
        "invoice.dueDate": "échéance (JJ/MM/AAAA)", "invoice.link": "lien vers la facture dans Facteur",
        "seller.name": "émetteur", "buyer.name": "destinataire",
        "status.code": "code du statut (205…)", "status.label": "libellé du statut (Approuvée…)",
        "reason": "motif donné (litige, refus, suspension), vide sinon", "actor.side": "« émetteur » ou « destinataire »",
    ]

    public static func defaultTemplate(_ kind: Kind) -> Template {
        switch kind {
        case .received:
            return Template(subject: "Nouvelle facture {{invoice.number}} de {{seller.name}}",
                            body: """
                            Bonjour,

                            {{seller.name}} vous a adressé la facture {{invoice.number}} d'un montant de {{invoice.amount}}, à échéance du {{invoice.dueDate}}.

                            Consultez-la, approuvez-la ou signalez un problème : {{invoice.link}}

                            — Facteur, pour {{company.name}}
                            """)
        case .status:
            return Template(subject: "Facture {{invoice.number}} : {{status.label}}",
                            body: """
                            Bonjour,

                            La facture {{invoice.number}} ({{seller.name}} → {{buyer.name}}, {{invoice.amount}}) est désormais « {{status.label}} » ({{status.code}}), à l'initiative du {{actor.side}}.
                            {{#reason}}
                            Motif : {{reason}}
                            {{/reason}}

                            Détail et historique : {{invoice.link}}

                            — Facteur, pour {{company.name}}
                            """)
        }
    }

    /// Renders a template; a template that does not parse throws, with the reason.
    public static func render(_ template: Template, _ values: [String: Any]) throws -> (subject: String, body: String) {
        let subject = try parsed(template.subject).render(values)
        let body = try parsed(template.body).render(values)
        // A subject is one line: a newline in it would break the email's headers.
        return (subject.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " "), body)
    }

    /// Parsed templates by their text: parsing costs more than rendering, and every issue to a company
    /// on the network renders the same few texts. Keyed by the text itself, so an edited wording is a
    /// new key (never a stale entry); bounded, as companies may write any number of wordings.
    private static let parsedTemplates = Mutex<[String: MustacheTemplate]>([:])

    static func parsed(_ source: String) throws -> MustacheTemplate {
        if let hit = parsedTemplates.withLock({ $0[source] }) { return hit }
        // Plain-text emails: no HTML escaping of « & » or quotes.
        let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + source)
        parsedTemplates.withLock { cache in
            if cache.count >= 256 { cache.removeAll(keepingCapacity: true) }
            cache[source] = template
        }
        return template
    }

    /// The company's template, or the default when it has none or when its own does not render.
    static func template(_ sql: any SQLDatabase, companyID: String, kind: Kind) async throws -> Template {
        struct Row: Decodable { let subject: String; let body: String }
        if let row = try await sql.select().columns("subject", "body").from("notification_templates")
            .where("company_id", .equal, companyID).where("kind", .equal, kind.rawValue).first(decoding: Row.self) {
            return Template(subject: row.subject, body: row.body)
        }
        return defaultTemplate(kind)
    }

    public static func customTemplate(_ db: Database, companyID: String, kind: Kind) async throws -> (Template, custom: Bool) {
        let t = try await template(db.sql, companyID: companyID, kind: kind)
        return (t, t != defaultTemplate(kind))
    }

    /// Stores a company's wording after checking that it renders; `nil` restores the default.
    public static func setTemplate(_ db: Database, companyID: String, kind: Kind, _ template: Template?, actor: String, ip: String?) async throws {
        if let template {
            do { _ = try render(template, sample()) } catch {
                throw PlatformError.validation([FieldError("body", "template", fr: "Modèle invalide : \(error)", en: "Invalid template: \(error)")])
            }
            if template.subject.trimmingCharacters(in: .whitespaces).isEmpty {
                throw PlatformError.validation([FieldError("subject", "required", fr: "L'objet est obligatoire.", en: "The subject is required.")])
            }
        }
        try await db.sql.transaction { tx in
            try await tx.delete(from: "notification_templates").where("company_id", .equal, companyID).where("kind", .equal, kind.rawValue).run()
            if let template {
                try await tx.insert(into: "notification_templates").columns("company_id", "kind", "subject", "body", "updated_at")
                    .values(SQLBind(companyID), SQLBind(kind.rawValue), SQLBind(template.subject), SQLBind(template.body), SQLBind(Invoices.now())).run()
            }
            try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: template == nil ? "notification.template.reset" : "notification.template.update",
                                      subject: "notification:\(kind.rawValue)")
        }
    }

    /// Example values, for the preview and to check a template before saving it.
    public static func sample() -> [String: Any] {
        values(companyName: "Client SA", number: "F2026-000042", amount: Decimal(string: "1234.56")!, currency: "EUR", dueDate: "2026-12-31",
               seller: "Dupont & Fils", buyer: "Client SA", status: .approved, reason: nil, actorSide: "destinataire", link: "https://facteur.example/factures/…")
    }

    /// A preview of a wording with the sample values, or the error that would make it fall back.
    public static func preview(_ template: Template) -> (subject: String, body: String, error: String?) {
        do {
            let r = try render(template, sample())
            return (r.subject, r.body, nil)
        } catch {
            return ("", "", "\(error)")
        }
    }

    static func values(companyName: String, number: String, amount: Decimal, currency: String, dueDate: String?, seller: String, buyer: String,
                       status: LifecycleStatus, reason: String?, actorSide: String, link: String) -> [String: Any] {
        var due = ""
        if let d = dueDate.flatMap(LocalDate.init(parsing:)) { due = String(format: "%02d/%02d/%04d", d.day, d.month, d.year) }
        var v: [String: Any] = [
            "company": ["name": companyName],
            "invoice": ["number": number, "amount": frenchAmount(amount, currency: currency), "dueDate": due, "link": link],
            "seller": ["name": seller], "buyer": ["name": buyer],
            "status": ["code": String(status.code), "label": status.label()],
            "actor": ["side": actorSide],
        ]
        if let reason, !reason.isEmpty { v["reason"] = reason }
        return v
    }

    /// 1 234,56 € (narrow no-break space for thousands, as French typography wants).
    static func frenchAmount(_ amount: Decimal, currency: String) -> String {
        let plain = DecimalValue.plain(InvoiceCalculator.roundAmount(amount))
        let negative = plain.hasPrefix("-")
        let parts = plain.trimmingCharacters(in: CharacterSet(charactersIn: "-")).split(separator: ".", omittingEmptySubsequences: false)
        var integer = String(parts[0])
        var grouped = ""
        while integer.count > 3 {
            grouped = "\u{202F}" + integer.suffix(3) + grouped
            integer = String(integer.dropLast(3))
        }
        grouped = integer + grouped
        var cents = parts.count > 1 ? String(parts[1]) : "00"
        while cents.count < 2 { cents += "0" }
        return (negative ? "-" : "") + grouped + "," + cents + (currency == "EUR" ? "\u{00A0}€" : "\u{00A0}" + currency)
    }

    // MARK: Dispatch (inside the transaction of the change)

    struct Recipient: Decodable { let user_id: String; let email: String; let mode: String? }

    /// The active members of a company and their choice (immediate when they never chose).
    static func recipients(_ sql: any SQLDatabase, companyID: String) async throws -> [Recipient] {
        try await sql.raw("""
            SELECT u.id AS user_id, u.email AS email, p.mode AS mode
            FROM memberships m JOIN users u ON u.id = m.user_id
            LEFT JOIN notification_preferences p ON p.company_id = m.company_id AND p.user_id = m.user_id
            WHERE m.company_id = \(bind: companyID) AND u.active = \(bind: true)
            ORDER BY u.email
            """).all(decoding: Recipient.self)
    }

    /// Queues the emails of one event for the people of `companyID`: immediate ones in the mail outbox,
    /// digest ones as lines of tomorrow's digest. Runs in the caller's transaction.
    static func notify(_ sql: any SQLDatabase, companyID: String, kind: Kind, invoice row: InvoiceRow, status: LifecycleStatus,
                       reason: String?, actorSide: String, baseURL: String, at: Date = Date()) async throws {
        // One read for the people, their choices, the company's name and its wording of this email:
        // this runs inside the transaction of the change, where each round trip holds the writers' lock.
        struct Person: Decodable {
            let user_id: String; let email: String; let mode: String?
            let company_name: String; let template_subject: String?; let template_body: String?
        }
        let people = try await sql.raw("""
            SELECT u.id AS user_id, u.email AS email, p.mode AS mode, c.name AS company_name,
                   t.subject AS template_subject, t.body AS template_body
            FROM memberships m JOIN users u ON u.id = m.user_id JOIN companies c ON c.id = m.company_id
            LEFT JOIN notification_preferences p ON p.company_id = m.company_id AND p.user_id = m.user_id
            LEFT JOIN notification_templates t ON t.company_id = m.company_id AND t.kind = \(bind: kind.rawValue)
            WHERE m.company_id = \(bind: companyID) AND u.active = \(bind: true)
            ORDER BY u.email
            """).all(decoding: Person.self)
        guard let first = people.first(where: { ($0.mode ?? Mode.immediate.rawValue) != Mode.none.rawValue }) else { return }
        let v = values(companyName: first.company_name, number: row.number ?? "", amount: Decimal(string: row.total_with_vat) ?? 0, currency: row.currency,
                       dueDate: row.due_date, seller: row.seller_name, buyer: row.buyer_name, status: status, reason: reason,
                       actorSide: actorSide, link: "\(baseURL)/factures/\(row.id)")
        var custom = defaultTemplate(kind)
        if let subject = first.template_subject, let body = first.template_body { custom = Template(subject: subject, body: body) }
        let rendered: (subject: String, body: String)
        do {
            rendered = try render(custom, v)
        } catch {
            // The company's wording is broken: the default text still informs people.
            rendered = try render(defaultTemplate(kind), v)
        }
        let stamp = timestamp(at)
        var mails: [OutboxRecord] = []
        var digest = sql.insert(into: "notification_digest").columns("id", "company_id", "user_id", "line", "created_at", "sent_at")
        var digestLines = 0
        for person in people {
            switch Mode(rawValue: person.mode ?? "") ?? .immediate {
            case .none: continue
            case .immediate:
                mails.append(OutboxRecord(id: UUID().uuidString.lowercased(), toAddress: person.email, subject: rendered.subject, textBody: rendered.body,
                                          htmlBody: nil, status: .pending, attempts: 0, nextAttemptAt: stamp, lastError: nil,
                                          createdAt: stamp, sentAt: nil))
            case .digest:
                digest = digest.values(SQLBind(UUID().uuidString.lowercased()), SQLBind(companyID), SQLBind(person.user_id),
                                       SQLBind("• \(rendered.subject) — \(baseURL)/factures/\(row.id)"), SQLBind(stamp), SQLBind(String?.none))
                digestLines += 1
            }
        }
        if !mails.isEmpty { try await sql.insert(into: "mail_outbox").models(mails, nilEncodingStrategy: .asNil).run() }
        if digestLines > 0 { try await digest.run() }
    }

    struct NameRow: Decodable { let name: String }

    /// How emails and webhook deliveries written while issuing are stamped: `Timestamp.string`'s text,
    /// which `ISOTime` writes without building a Foundation date formatter.
    static func timestamp(_ date: Date) -> String {
        ISOTime.string(date)
    }

    // MARK: Preferences and digests

    public static func setMode(_ db: Database, companyID: String, userID: String, _ mode: Mode) async throws {
        try await db.sql.transaction { tx in
            try await tx.delete(from: "notification_preferences").where("company_id", .equal, companyID).where("user_id", .equal, userID).run()
            try await tx.insert(into: "notification_preferences").columns("company_id", "user_id", "mode")
                .values(SQLBind(companyID), SQLBind(userID), SQLBind(mode.rawValue)).run()
        }
    }

    public static func mode(_ db: Database, companyID: String, userID: String) async throws -> Mode {
        struct Row: Decodable { let mode: String }
        let row = try await db.sql.select().column("mode").from("notification_preferences").where("company_id", .equal, companyID)
            .where("user_id", .equal, userID).first(decoding: Row.self)
        return row.flatMap { Mode(rawValue: $0.mode) } ?? .immediate
    }

    /// Sends one email per person and company gathering the pending digest lines. Returns how many
    /// digests were queued. Called once a day by the notification service.
    @discardableResult
    public static func sendDigests(_ db: Database, now: Date = Date()) async throws -> Int {
        struct Line: Decodable { let id: String; let company_id: String; let user_id: String; let line: String }
        let lines = try await db.sql.select().columns("id", "company_id", "user_id", "line").from("notification_digest")
            .where("sent_at", .is, SQLLiteral.null).orderBy("created_at").all(decoding: Line.self)
        let groups = Dictionary(grouping: lines) { "\($0.company_id)|\($0.user_id)" }
        var sent = 0
        for (_, group) in groups.sorted(by: { $0.key < $1.key }) {
            guard let first = group.first else { continue }
            try await db.sql.transaction { tx in
                struct Who: Decodable { let email: String }
                guard let who = try await tx.select().column("email").from("users").where("id", .equal, first.user_id).first(decoding: Who.self) else { return }
                let companyName = try await tx.select().column("name").from("companies").where("id", .equal, first.company_id)
                    .first(decoding: NameRow.self)?.name ?? ""
                let text = "Bonjour,\n\nVoici l'activité du jour sur les factures de \(companyName) :\n\n" + group.map(\.line).joined(separator: "\n")
                    + "\n\n— Facteur\n"
                let record = OutboxRecord(id: UUID().uuidString.lowercased(), toAddress: who.email,
                                          subject: "Facteur — résumé du jour pour \(companyName) (\(group.count) évènement\(group.count > 1 ? "s" : ""))",
                                          textBody: text, htmlBody: nil, status: .pending, attempts: 0, nextAttemptAt: Timestamp.string(now),
                                          lastError: nil, createdAt: Timestamp.string(now), sentAt: nil)
                try await tx.insert(into: "mail_outbox").model(record).run()
                try await tx.update("notification_digest").set("sent_at", to: Timestamp.string(now))
                    .where("id", .in, group.map(\.id)).run()
            }
            sent += 1
        }
        return sent
    }
}

/// Sends the daily digests once a day, at 18:00 Paris time (or at the first pass after it).
public struct DigestService: Service {
    public let database: Database
    public let logger: Logger
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastDay: String?
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/Paris")!
            while !Task.isCancelled {
                let now = Date()
                let c = calendar.dateComponents([.year, .month, .day, .hour], from: now)
                let day = "\(c.year!)-\(c.month!)-\(c.day!)"
                if c.hour! >= 18, lastDay != day {
                    do {
                        let n = try await Notifications.sendDigests(self.database, now: now)
                        if n > 0 { self.logger.info("daily digests queued", metadata: ["count": "\(n)"]) }
                        lastDay = day
                    } catch {
                        self.logger.error("daily digests failed", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: .seconds(300))
            }
        }
    }
}
