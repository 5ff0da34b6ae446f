import Foundation

/// The invitation email, written to the mail outbox in the page's (or French) language.
enum InvitationMail {
    /// The base of absolute links, set at start from the configuration by the web pages (the API
    /// routes are built without the configuration).
    nonisolated(unsafe) private static var base = "http://localhost:8080"
    private static let lock = NSLock()

    static func configure(baseURL: String) {
        lock.lock()
        base = baseURL
        lock.unlock()
    }

    static var baseURL: String {
        lock.lock()
        defer { lock.unlock() }
        return base
    }

    static func message(_ invited: Users.Invited, companyName: String, inviter: String, baseURL: String, lang: Lang) -> MailMessage {
        let link = baseURL + invited.acceptPath
        let role = lang.pick(fr: invited.invitation.role.frenchName.lowercased(), en: invited.invitation.role.englishName.lowercased())
        let subject = lang.pick(fr: "Invitation à rejoindre \(companyName) sur Facteur", en: "Invitation to join \(companyName) on Facteur")
        let intro = lang.pick(fr: "Bonjour,", en: "Hello,")
        let body = lang.pick(fr: "\(inviter) vous invite à rejoindre la société \(companyName) sur Facteur, avec le rôle « \(role) ». Pour accepter, ouvrez ce lien :",
                             en: "\(inviter) invites you to join \(companyName) on Facteur as “\(role)”. To accept, open this link:")
        let validity = lang.pick(fr: "Ce lien est valable 7 jours et ne sert qu'une fois.", en: "This link is valid for 7 days and works once.")
        let ignore = lang.pick(fr: "Si vous ne connaissez pas cette société, ignorez ce message.", en: "If you do not know this company, ignore this message.")
        let text = "\(intro)\n\n\(body)\n\n\(link)\n\n\(validity)\n\(ignore)\n\n— Facteur\n"
        return MailMessage(to: invited.invitation.email, subject: subject, text: text,
                           html: MailTemplates.html(lang: lang, paragraphs: [intro, body], link: link,
                                                    linkLabel: lang.pick(fr: "Rejoindre \(companyName)", en: "Join \(companyName)"), after: [validity, ignore]))
    }

    static func send(_ db: Database, _ invited: Users.Invited, companyID: String, inviter: String? = nil, baseURL: String? = nil,
                     lang: Lang = .fr) async throws {
        let company = try await CompanyProfiles.get(db, companyID: companyID)
        try await Outbox(database: db).enqueue(message(invited, companyName: company.settings.name, inviter: inviter ?? company.settings.name,
                                                       baseURL: baseURL ?? Self.baseURL, lang: lang))
    }
}
