import Foundation

/// What a member of a company may do. The principal manager (gestionnaire principal) is a manager
/// who cannot be removed nor demoted.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything, including company settings and users.
    case manager
    /// Creates and sends invoices, manages clients.
    case issuer
    /// Approves received invoices.
    case approver
    /// Reads only.
    case viewer

    public var canManageCompany: Bool { self == .manager }
    public var canEditClients: Bool { self == .manager || self == .issuer }

    public var frenchName: String {
        switch self {
        case .manager: return "Gestionnaire"
        case .issuer: return "Émetteur"
        case .approver: return "Valideur"
        case .viewer: return "Lecteur"
        }
    }

    public var englishName: String {
        switch self {
        case .manager: return "Manager"
        case .issuer: return "Issuer"
        case .approver: return "Approver"
        case .viewer: return "Viewer"
        }
    }
}

/// The caller is known but their role does not allow the action: 403 in the API, a message on a page.
public struct AccessDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var fr: String
    public var en: String
    public init(fr: String, en: String) {
        self.fr = fr
        self.en = en
    }

    public static let managersOnly = AccessDenied(fr: "Seuls les gestionnaires de la société peuvent faire cette modification.",
                                                  en: "Only the company's managers can make this change.")
    public static let issuersOnly = AccessDenied(fr: "Votre rôle ne permet pas de modifier les clients (gestionnaire ou émetteur requis).",
                                                 en: "Your role does not allow editing clients (manager or issuer required).")
    public var description: String { en }
}

extension Role {
    func require(_ allowed: Bool, _ denial: AccessDenied) throws {
        if !allowed { throw denial }
    }
}
