import Foundation
import Hummingbird
import Logging

/// A group of pages (account, dashboard, company…): its texts and its routes.
public protocol WebModule: Sendable {
    /// The module's texts, merged into `I18n` at start.
    static var texts: [String: L10n] { get }
    static func register(on web: Web)
}

/// A declared page route, kept for the access test that walks them all.
public struct DeclaredRoute: Sendable, Equatable {
    public var route: WebRoute
    public var method: HTTPRequest.Method
    public var access: PageAccess
}

/// The web pages' toolbox, handed to every module: registers typed routes with their access rule,
/// renders a page inside the layout, redirects with a message.
public struct Web: Sendable {
    public let database: Database
    public let configuration: Configuration
    public let renderer: PageRenderer
    public let outbox: Outbox
    let registrar: Registrar
    let declared: DeclaredRoutes

    /// The router group the pages are added to. Only used while the application is assembled,
    /// before serving, hence the unchecked sendability.
    final class Registrar: @unchecked Sendable {
        let group: RouterGroup<WebContext>
        init(_ group: RouterGroup<WebContext>) { self.group = group }
    }

    final class DeclaredRoutes: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [DeclaredRoute] = []
        func add(_ r: DeclaredRoute) {
            lock.lock()
            items.append(r)
            lock.unlock()
        }
        var all: [DeclaredRoute] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
    }

    /// Every page route registered so far.
    public var routes: [DeclaredRoute] { declared.all }

    public typealias Handler = @Sendable (Request, WebContext) async throws -> Response

    public func get(_ route: WebRoute, access: PageAccess = .member, _ handler: @escaping Handler) {
        on(route, method: .get, access: access, handler)
    }

    public func post(_ route: WebRoute, access: PageAccess = .member, _ handler: @escaping Handler) {
        on(route, method: .post, access: access, handler)
    }

    public func on(_ route: WebRoute, method: HTTPRequest.Method, access: PageAccess, _ handler: @escaping Handler) {
        declared.add(DeclaredRoute(route: route, method: method, access: access))
        registrar.group.on(RouterPath(route.pattern), method: method) { request, context -> Response in
            switch access {
            case .visitor: break
            case .member:
                _ = try context.requireMembership()
            case .manager:
                _ = try context.requireMembership()
                guard context.isManager else {
                    throw WebForbidden(fr: "Cette page est réservée aux gestionnaires de la société.",
                                       en: "This page is for the company's managers only.")
                }
            }
            return try await handler(request, context)
        }
    }

    // MARK: Responses

    /// A page: `template` rendered with `model` (read as `{{page.…}}`), inside the layout.
    public func page(_ template: String, title: String, model: Any = [String: Any](), context: WebContext,
                     status: HTTPResponse.Status = .ok, current: WebRoute? = nil) -> Response {
        let t = I18n.dictionary(context.lang)
        let inner: [String: Any] = ["page": model, "t": t, "csrf": context.csrfToken, "csrfField": csrfField(context), "lang": context.lang.rawValue]
        let content = renderer.render(template, inner)
        return html(layout(title: title, content: content, context: context, current: current), status: status)
    }

    /// The hidden field every form carries: `{{{csrfField}}}` in a template.
    public func csrfField(_ context: WebContext) -> String {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(context.csrfToken)\">"
    }

    func layout(title: String, content: String, context: WebContext, current: WebRoute?) -> String {
        var nav: [[String: Any]] = []
        var companies: [[String: Any]] = []
        if context.user != nil {
            var items: [(WebRoute, String)] = [(.dashboard, "nav_dashboard"), (.invoices, "nav_invoices"), (.clients, "nav_clients"), (.company, "nav_company")]
            if context.isManager { items.append((.users, "nav_users")) }
            nav = items.map { ["href": $0.0.path, "label": context.t($0.1), "current": $0.0 == current] }
            companies = context.memberships.map {
                ["id": $0.companyID, "name": $0.companyName, "siret": $0.siret, "selected": $0.companyID == context.membership?.companyID]
            }
        }
        let other: Lang = context.lang == .fr ? .en : .fr
        let model: [String: Any] = [
            "lang": context.lang.rawValue,
            "title": title,
            "t": I18n.dictionary(context.lang),
            "content": content,
            "signedIn": context.user != nil,
            "user": context.user.map { ["fullName": $0.fullName, "email": $0.email] } ?? [:],
            "company": context.membership.map { ["name": $0.companyName, "siret": $0.siret] } ?? [:],
            "nav": nav,
            "companies": companies,
            "showSwitcher": companies.count > 1,
            "switchAction": WebRoute.switchCompany.path,
            "logoutAction": WebRoute.logout.path,
            "loginHref": WebRoute.login.path,
            "signupHref": WebRoute.signup.path,
            "homeHref": context.user == nil ? WebRoute.login.path : WebRoute.dashboard.path,
            "csrfField": csrfField(context),
            "hasFlash": !context.flash.isEmpty,
            "flash": context.flash.map { ["kind": $0.kind.rawValue, "text": $0.text, "isError": $0.kind == .error] },
            "langSwitchHref": "?lang=\(other.rawValue)",
            "otherLang": other.rawValue,
            "devMailHref": configuration.showsLocalMailbox ? WebRoute.devMail.path : "",
        ]
        return renderer.render("layout", model)
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func errorPage(status: HTTPResponse.Status, title: String, message: String, context: WebContext) -> Response {
        page("error", title: title, model: ["title": title, "message": message,
                                            "homeHref": context.user == nil ? WebRoute.login.path : WebRoute.dashboard.path],
             context: context, status: status)
    }

    static func seeOther(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// Sends the browser to a page (303), with a message shown there once.
    public func redirect(_ route: WebRoute, flash: FlashMessage? = nil, context: WebContext) async throws -> Response {
        try await redirect(to: route.path, flash: flash, context: context)
    }

    public func redirect(to location: String, flash: FlashMessage? = nil, context: WebContext) async throws -> Response {
        if let flash, let session = context.session { try await Sessions.addFlash(database, id: session.id, flash) }
        return Self.seeOther(location)
    }

    static func sessionCookie(_ token: String, secure: Bool) -> Cookie {
        // No Max-Age: the server decides when a session ends; the cookie goes when the browser closes.
        Cookie(name: Sessions.cookieName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// Starts a signed-in session in place of the visitor's (a new token, so a session fixed before
    /// login is worthless), and returns the cookie to set.
    public func signIn(userID: String, companyID: String?, request: Request, context: WebContext,
                       flash: FlashMessage? = nil) async throws -> Cookie {
        if let old = context.session { try await Sessions.delete(database, id: old.id) }
        let (token, record) = try await Sessions.create(database, userID: userID, companyID: companyID, ip: context.remoteAddress,
                                                        userAgent: request.headers[.userAgent])
        if let flash { try await Sessions.addFlash(database, id: record.id, flash) }
        return Self.sessionCookie(token, secure: context.secure)
    }
}

/// The modules that make the web UI. A new group of pages adds itself here.
enum WebModules {
    static let all: [any WebModule.Type] = [
        AccountPages.self,
        DashboardPages.self,
        DevMailPages.self,
        CompanyPages.self, UsersPages.self, ClientsPages.self,
        InvoicePages.self,
        IntegrationPages.self,
    ]

    /// Registers the pages and the static files on the router.
    static func register(on router: Router<AppRequestContext>, database: Database, configuration: Configuration,
                         renderer: PageRenderer, outbox: Outbox) -> Web {
        renderer.registerStatic(on: router)
        let group = router.group(context: WebContext.self)
        let web = Web(database: database, configuration: configuration, renderer: renderer, outbox: outbox, registrar: Web.Registrar(group),
                      declared: Web.DeclaredRoutes())
        group.add(middleware: WebSessionMiddleware(web: web))
        for module in all {
            I18n.register(module.texts)
            module.register(on: web)
        }
        return web
    }
}
