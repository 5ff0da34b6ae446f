import Foundation
import Hummingbird
import Logging

/// Loads the session (and the signed-in person and their companies), the language and the submitted
/// form; refuses any state-changing request whose CSRF token is not the session's; turns the page
/// errors (`WebRedirect`, `WebForbidden`, not found) into pages. Every web route goes through it.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let web: Web

    static let maxFormSize = 1 << 20

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        context.lang = Lang.of(request)
        context.secure = web.configuration.secureCookies || request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
        var newCookie: Cookie?
        if let token = request.cookies[Sessions.cookieName]?.value, let session = try await Sessions.find(web.database, token: token) {
            context.session = session
            if let userID = session.userID, let user = try await Accounts.activeUser(web.database, id: userID) {
                context.user = SignedInUser(id: user.id, email: user.email, fullName: user.fullName)
                context.memberships = try await Accounts.memberships(web.database, userID: userID)
                context.membership = context.memberships.first { $0.companyID == session.companyID } ?? context.memberships.first
            }
        }
        let isSafe = request.method == .get || request.method == .head
        if isSafe {
            if context.session == nil {
                // A visitor gets a session at their first page: it carries the CSRF token of the forms.
                let (token, record) = try await Sessions.create(web.database, userID: nil, companyID: nil, ip: context.remoteAddress,
                                                                userAgent: request.headers[.userAgent])
                context.session = record
                newCookie = sessionCookie(token, secure: context.secure)
            } else if let session = context.session, session.flash != nil {
                context.flash = try await Sessions.takeFlash(web.database, session: session)
            }
        } else {
            if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
                let body = try await request.collectBody(upTo: Self.maxFormSize)
                context.form = FormDecoding.parse(String(buffer: body))
            }
            let sent = context.form["_csrf"] ?? request.headers[.init("X-CSRF-Token")!] ?? request.uri.queryParameters["_csrf"].map(String.init) ?? ""
            guard let session = context.session, !sent.isEmpty, Tokens.constantTimeEqual(sent, session.csrfToken) else {
                context.logger.notice("CSRF token missing or wrong", metadata: ["path": "\(request.uri.path)"])
                return web.errorPage(status: .forbidden, title: context.t("error_csrf_title"), message: context.t("error_csrf"), context: context)
            }
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let redirect as WebRedirect {
            var target = redirect.to
            if context.user == nil && target == WebRoute.login.path && isSafe && request.uri.path != WebRoute.login.path {
                target = WebRoute.login.path(query: [("next", request.uri.path)])
            }
            response = Web.seeOther(target)
        } catch let forbidden as WebForbidden {
            response = web.errorPage(status: .forbidden, title: context.t("error_forbidden_title"),
                                     message: context.pick(fr: forbidden.fr, en: forbidden.en), context: context)
        } catch let error as PlatformError {
            if case .notFound = error {
                response = web.errorPage(status: .notFound, title: context.t("error_not_found_title"), message: context.t("error_not_found"), context: context)
            } else {
                throw error
            }
        } catch let error as HTTPError where error.status == .notFound {
            response = web.errorPage(status: .notFound, title: context.t("error_not_found_title"), message: context.t("error_not_found"), context: context)
        } catch let error as HTTPError {
            throw error
        } catch {
            context.logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = web.errorPage(status: .internalServerError, title: context.t("error_server_title"), message: context.t("error_server"), context: context)
        }
        if let newCookie, response.headers[values: .setCookie].allSatisfy({ !$0.hasPrefix(Sessions.cookieName + "=") }) {
            response.setCookie(newCookie)
        }
        if let q = request.uri.queryParameters["lang"].flatMap({ Lang(rawValue: String($0)) }) {
            response.setCookie(Cookie(name: "facteur_lang", value: q.rawValue, maxAge: 365 * 24 * 3600, path: "/", secure: context.secure,
                                      httpOnly: true, sameSite: .lax))
        }
        // Pages carry personal data: never cached, never framed.
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        return response
    }

    func sessionCookie(_ token: String, secure: Bool) -> Cookie {
        Web.sessionCookie(token, secure: secure)
    }
}
