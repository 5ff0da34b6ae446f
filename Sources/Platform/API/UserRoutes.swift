import Foundation
import Hummingbird

struct MemberJSON: ResponseEncodable {
    var id: String
    var email: String
    var fullName: String
    var role: Role
    var isPrincipal: Bool
    var since: String
    init(_ m: Member) {
        id = m.userID
        email = m.email
        fullName = m.fullName
        role = m.role
        isPrincipal = m.isPrincipal
        since = m.since
    }
}

struct MemberList: ResponseEncodable {
    var items: [MemberJSON]
}

struct InvitationJSON: ResponseEncodable {
    var id: String
    var email: String
    var role: Role
    var createdAt: String
    var expiresAt: String
    var status: Invitation.Status
    /// Only in the answer to the invitation's creation: the token is not stored in clear.
    var acceptPath: String?
    init(_ i: Invitation, acceptPath: String? = nil) {
        id = i.id
        email = i.email
        role = i.role
        createdAt = i.createdAt
        expiresAt = i.expiresAt
        status = i.status
        self.acceptPath = acceptPath
    }
}

struct InvitationList: ResponseEncodable {
    var items: [InvitationJSON]
}

struct InvitationInput: Decodable {
    var email: String
    var role: String
}

struct RoleInput: Decodable {
    var role: String
}

/// Mes utilisateurs through the API: list, invite, change a role, remove access.
struct UserRoutes {
    let database: Database

    static func parseRole(_ s: String) throws -> Role {
        guard let r = Role(rawValue: s) else {
            throw PlatformError.validation([FieldError("role", "invalid", fr: "Rôle inconnu « \(s) » : manager, issuer, approver ou viewer.",
                                                       en: "Unknown role “\(s)”: manager, issuer, approver or viewer.")])
        }
        return r
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("users") { _, context -> MemberList in
            MemberList(items: try await Users.members(database, companyID: try context.requireCompany()).map(MemberJSON.init))
        }
        api.get("users/:id") { _, context -> MemberJSON in
            MemberJSON(try await Users.member(database, companyID: try context.requireCompany(), userID: try context.parameters.require("id")))
        }
        api.put("users/:id") { request, context -> MemberJSON in
            let input = try await decodeJSON(RoleInput.self, request)
            let role = try Self.parseRole(input.role)
            return MemberJSON(try await Users.changeRole(database, companyID: try context.requireCompany(), actorRole: try context.requireRole(),
                                                         userID: try context.parameters.require("id"), to: role,
                                                         actor: context.actor, ip: context.remoteAddress))
        }
        api.delete("users/:id") { _, context -> HTTPResponse.Status in
            try await Users.remove(database, companyID: try context.requireCompany(), actorRole: try context.requireRole(),
                                   userID: try context.parameters.require("id"), actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
        api.get("invitations") { _, context -> InvitationList in
            InvitationList(items: try await Users.invitations(database, companyID: try context.requireCompany()).map { InvitationJSON($0) })
        }
        api.post("invitations") { request, context -> EditedResponse<InvitationJSON> in
            let input = try await decodeJSON(InvitationInput.self, request)
            let invited = try await Users.invite(database, companyID: try context.requireCompany(), actorRole: try context.requireRole(),
                                                 email: input.email, role: Role(rawValue: input.role), actor: context.actor, ip: context.remoteAddress)
            try await InvitationMail.send(database, invited, companyID: try context.requireCompany())
            return EditedResponse(status: .created, headers: [.location: "/api/v1/invitations/\(invited.invitation.id)"],
                                  response: InvitationJSON(invited.invitation, acceptPath: invited.acceptPath))
        }
        api.delete("invitations/:id") { _, context -> HTTPResponse.Status in
            try await Users.revokeInvitation(database, companyID: try context.requireCompany(), actorRole: try context.requireRole(),
                                             id: try context.parameters.require("id"), actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
    }
}
