import Foundation

/// A text in French and English.
public struct L10n: Sendable {
    public var fr: String
    public var en: String
    public init(_ fr: String, _ en: String) {
        self.fr = fr
        self.en = en
    }
}

/// The texts of the web pages. Each module brings its own (`WebModule.texts`); templates read them
/// as `{{t.key}}` (keys use `_`, since `.` means nesting in Mustache), Swift code as `context.t("key")`.
public enum I18n {
    /// The layout's texts (navigation, header, footer, errors).
    static let core: [String: L10n] = [
        "app_name": L10n("Facteur", "Facteur"),
        "skip_to_content": L10n("Aller au contenu", "Skip to content"),
        "nav_label": L10n("Navigation principale", "Main navigation"),
        "nav_dashboard": L10n("Mon tableau de bord", "My dashboard"),
        "nav_invoices": L10n("Mes factures", "My invoices"),
        "nav_clients": L10n("Mes clients", "My clients"),
        "nav_company": L10n("Ma société", "My company"),
        "nav_users": L10n("Mes utilisateurs", "My users"),
        "nav_menu": L10n("Menu", "Menu"),
        "logout": L10n("Se déconnecter", "Sign out"),
        "login": L10n("Se connecter", "Sign in"),
        "signup": L10n("Créer un compte", "Create an account"),
        "switch_company": L10n("Société", "Company"),
        "switch_company_button": L10n("Changer", "Switch"),
        "language_switch": L10n("English", "Français"),
        "language_switch_label": L10n("Read this page in English", "Lire cette page en français"),
        "footer": L10n("Facteur — plateforme libre de facturation électronique", "Facteur — free e-invoicing platform"),
        "dev_mail": L10n("Boîte aux lettres locale", "Local mailbox"),
        "error_summary_title": L10n("Le formulaire contient des erreurs :", "There is a problem with the form:"),
        "required": L10n("obligatoire", "required"),
        "error_forbidden_title": L10n("Accès refusé", "Access denied"),
        "error_not_found_title": L10n("Page introuvable", "Page not found"),
        "error_not_found": L10n("Cette page n'existe pas ou plus.", "This page does not exist."),
        "error_csrf_title": L10n("Formulaire expiré", "Form expired"),
        "error_csrf": L10n("Ce formulaire a expiré ou ne vient pas de Facteur. Rechargez la page et recommencez.",
                           "This form has expired or did not come from Facteur. Reload the page and try again."),
        "error_server_title": L10n("Erreur", "Error"),
        "error_server": L10n("Une erreur est survenue. Réessayez dans un instant.", "Something went wrong. Try again in a moment."),
        "back_home": L10n("Retour à l'accueil", "Back to the home page"),
        "close": L10n("Fermer", "Close"),
    ]

    nonisolated(unsafe) private static var registered: [String: L10n] = core
    private static let lock = NSLock()

    /// Adds a module's texts (at start, before serving).
    static func register(_ texts: [String: L10n]) {
        lock.lock()
        defer { lock.unlock() }
        registered.merge(texts) { _, new in new }
    }

    static var all: [String: L10n] {
        lock.lock()
        defer { lock.unlock() }
        return registered
    }

    public static func text(_ key: String, _ lang: Lang) -> String {
        guard let t = all[key] else { return key }
        return lang == .fr ? t.fr : t.en
    }

    /// Every text in one language, for templates.
    static func dictionary(_ lang: Lang) -> [String: String] {
        all.mapValues { lang == .fr ? $0.fr : $0.en }
    }
}
