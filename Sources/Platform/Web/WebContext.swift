import Foundation
import Hummingbird

/// The language of a page: French by default, English on request.
public enum Lang: String, Sendable, CaseIterable {
    case fr, en

    /// `?lang=` first, then the `facteur_lang` cookie, then `Accept-Language` (the first of fr/en by
    /// preference), then French.
    static func of(_ request: Request) -> Lang {
        if let q = request.uri.queryParameters["lang"].flatMap({ Lang(rawValue: String($0)) }) { return q }
        if let c = request.cookies["facteur_lang"].flatMap({ Lang(rawValue: $0.value) }) { return c }
        if let header = request.headers[.acceptLanguage] { return fromAcceptLanguage(header) }
        return .fr
    }

    static func fromAcceptLanguage(_ header: String) -> Lang {
        var best: (lang: Lang, q: Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased() else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let lang = Lang(rawValue: primary) else { continue }
            var q = 1.0
            for p in parts.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            if best == nil || q > best!.q { best = (lang, q) }
        }
        return best?.lang ?? .fr
    }

    /// Picks the text in this language.
    public func pick(fr: String, en: String) -> String { self == .fr ? fr : en }
}

/// A company the signed-in person belongs to, with their role there.
public struct MembershipSummary: Sendable, Equatable, Codable {
    public var companyID: String
    public var companyName: String
    public var siret: String
    /// `manager`, `issuer`, `approver`, `viewer` (see `Role`).
    public var role: String
    public var isPrincipal: Bool
}

/// The signed-in person.
public struct SignedInUser: Sendable, Equatable {
    public var id: String
    public var email: String
    public var fullName: String
}

/// The request context of web pages: the session, the person and the company they act for, the
/// language, and the submitted form. Filled by `WebSessionMiddleware`.
public struct WebContext: ChildRequestContext {
    public typealias ParentContext = AppRequestContext
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: String?
    public var lang: Lang = .fr
    public var session: SessionRecord?
    public var user: SignedInUser?
    /// Every company of the person (the company switcher shows them when there are several).
    public var memberships: [MembershipSummary] = []
    /// The company the person acts for now (the session's, or their first).
    public var membership: MembershipSummary?
    /// The fields of a submitted `application/x-www-form-urlencoded` form.
    public var form: [String: String] = [:]
    /// Whether the request came over TLS (directly or through a proxy).
    public var secure: Bool = false
    /// Messages left for this page by the previous request.
    public var flash: [FlashMessage] = []

    public init(context: AppRequestContext) throws {
        self.coreContext = context.coreContext
        self.remoteAddress = context.remoteAddress
    }

    public var csrfToken: String { session?.csrfToken ?? "" }
    public var companyID: String? { membership?.companyID }
    public var isManager: Bool { membership?.role == "manager" }

    /// The signed-in person, or a redirect to the login page (thrown, turned into a response by the
    /// middleware).
    public func requireUser() throws -> SignedInUser {
        guard let user else { throw WebRedirect(to: WebRoute.login.path) }
        return user
    }

    /// The current company of a signed-in member.
    public func requireMembership() throws -> MembershipSummary {
        _ = try requireUser()
        guard let membership else { throw WebRedirect(to: WebRoute.login.path) }
        return membership
    }

    /// Text in the page's language.
    public func t(_ key: String) -> String { I18n.text(key, lang) }
    public func pick(fr: String, en: String) -> String { lang.pick(fr: fr, en: en) }
}

/// Thrown by a handler to send the browser elsewhere (303 See Other).
public struct WebRedirect: Error, Sendable {
    public var to: String
    public init(to: String) { self.to = to }
}

/// Thrown when the person is signed in but their role does not open the page.
public struct WebForbidden: Error, Sendable {
    public var fr: String
    public var en: String
    public init(fr: String, en: String) {
        self.fr = fr
        self.en = en
    }
}
