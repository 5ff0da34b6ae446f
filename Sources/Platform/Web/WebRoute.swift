import Foundation
import Hummingbird

/// Every web page's address, typed: the same value registers the route (`pattern`) and builds links
/// (`path`), so a link cannot point to a page that does not exist. French paths, since the product is French.
public enum WebRoute: Sendable, Hashable {
    // Public pages (account flows).
    case home
    case login
    case logout
    case signup
    case signupSent
    case activate(token: String)
    case passwordForgot
    case passwordReset(token: String)
    case language
    // Signed-in pages: the navigation.
    case dashboard
    case invoices
    case clients
    case company
    case users
    case switchCompany
    // Demonstration: the local mailbox.
    case devMail
    /// A page added by a module without a case here (see Web/README.md): its path, with `:name`
    /// parameters, as given.
    case custom(String)

    /// The router pattern (`:token` parameters).
    public var pattern: String {
        switch self {
        case .activate: return "/inscription/activation/:token"
        case .passwordReset: return "/mot-de-passe/nouveau/:token"
        default: return path
        }
    }

    /// The link to the page.
    public var path: String {
        switch self {
        case .home: return "/"
        case .login: return "/connexion"
        case .logout: return "/deconnexion"
        case .signup: return "/inscription"
        case .signupSent: return "/inscription/envoyee"
        case .activate(let token): return "/inscription/activation/\(Self.escape(token))"
        case .passwordForgot: return "/mot-de-passe/oublie"
        case .passwordReset(let token): return "/mot-de-passe/nouveau/\(Self.escape(token))"
        case .language: return "/langue"
        case .dashboard: return "/tableau-de-bord"
        case .invoices: return "/factures"
        case .clients: return "/clients"
        case .company: return "/societe"
        case .users: return "/utilisateurs"
        case .switchCompany: return "/societe/choisir"
        case .devMail: return "/dev/mail"
        case .custom(let path): return path
        }
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_."))) ?? segment
    }

    /// The path with a query string (`?lang=en`, `?next=/clients`…).
    public func path(query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-_.~/"))
        return path + "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}

/// Who may open a page.
public enum PageAccess: Sendable, Equatable {
    /// Anybody (login, sign-up, password reset).
    case visitor
    /// A signed-in person acting for one of their companies.
    case member
    /// A signed-in manager (gestionnaire) of the current company.
    case manager
}
