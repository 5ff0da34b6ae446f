import Foundation
import HummingbirdBcrypt
import Logging
import SQLKit
import Testing
@testable import Platform

@Suite(.serialized) struct UsersTests {
    @Test(arguments: Engines.all)
    func inviteAcceptChangeRoleRemove(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, alice) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, bob) = try await Companies.create(db, CompanyTestData.bob, actor: "test", ip: nil)

            // Only managers invite; the address and role are checked together.
            await #expect(throws: AccessDenied.managersOnly) {
                _ = try await Users.invite(db, companyID: a.id, actorRole: .issuer, email: "carol@example.fr", role: .viewer, actor: "t", ip: nil)
            }
            do {
                _ = try await Users.invite(db, companyID: a.id, actorRole: .manager, email: "carol@", role: nil, actor: "t", ip: nil)
                Issue.record("accepted a bad invitation")
            } catch PlatformError.validation(let errors) {
                #expect(Set(errors.map(\.field)) == ["email", "role"])
            }
            await #expect(throws: PlatformError.self) {
                _ = try await Users.invite(db, companyID: a.id, actorRole: .manager, email: "ALICE@example.fr", role: .viewer, actor: "t", ip: nil)
            }

            // A new person: the link creates the account and the membership, once.
            let first = try await Users.invite(db, companyID: a.id, actorRole: .manager, email: "Carol@Example.fr", role: .viewer, actor: "t", ip: nil)
            let second = try await Users.invite(db, companyID: a.id, actorRole: .manager, email: "carol@example.fr", role: .issuer, actor: "t", ip: nil)
            #expect(try await Users.invitations(db, companyID: a.id).map(\.id) == [second.invitation.id], "the newer invitation replaces the pending one")
            await #expect(throws: InvitationProblem.revoked) { _ = try await Users.preview(db, token: first.token) }
            let preview = try await Users.preview(db, token: second.token)
            #expect(preview.companyName == a.name && !preview.userExists && preview.invitation.role == .issuer)
            do {
                _ = try await Users.accept(db, token: second.token, actingUserID: nil, newAccount: .init(fullName: "", password: "short"), ip: nil)
                Issue.record("created an account without name and password")
            } catch PlatformError.validation(let errors) {
                #expect(Set(errors.map(\.field)) == ["fullName", "password"])
            }
            let (carolID, joined) = try await Users.accept(db, token: second.token, actingUserID: nil,
                                                           newAccount: .init(fullName: "Carol Petit", password: "a long enough password"), ip: nil)
            #expect(joined == a.id)
            #expect(try await Users.role(db, userID: carolID, companyID: a.id) == .issuer)
            await #expect(throws: InvitationProblem.used) {
                _ = try await Users.accept(db, token: second.token, actingUserID: nil, newAccount: .init(fullName: "X", password: "a long enough password"), ip: nil)
            }
            struct Hash: Decodable { let password_hash: String? }
            let stored = try await db.sql.select().column("password_hash").from("users").where("id", .equal, carolID).first(decoding: Hash.self)
            #expect(stored?.password_hash.map { Bcrypt.verify("a long enough password", hash: $0) } == true)

            // An existing person (Alice, manager of A) invited to B: must be logged in as herself; then she has two companies.
            let toAlice = try await Users.invite(db, companyID: b.id, actorRole: .manager, email: "alice@example.fr", role: .approver, actor: "t", ip: nil)
            #expect(try await Users.preview(db, token: toAlice.token).userExists)
            await #expect(throws: InvitationProblem.loginRequired(email: "alice@example.fr")) {
                _ = try await Users.accept(db, token: toAlice.token, actingUserID: nil, newAccount: .init(fullName: "Mallory", password: "a long enough password"), ip: nil)
            }
            await #expect(throws: InvitationProblem.wrongAccount(email: "alice@example.fr")) {
                _ = try await Users.accept(db, token: toAlice.token, actingUserID: carolID, newAccount: nil, ip: nil)
            }
            _ = try await Users.accept(db, token: toAlice.token, actingUserID: alice.id, newAccount: nil, ip: nil)
            let companies = try await Users.memberships(db, userID: alice.id)
            #expect(Set(companies.map(\.companyID)) == [a.id, b.id])
            #expect(companies.first { $0.companyID == b.id }?.role == .approver)
            #expect(companies.first { $0.companyID == a.id }?.isPrincipal == true)

            // Expired links say so.
            let late = try await Users.invite(db, companyID: a.id, actorRole: .manager, email: "dan@example.fr", role: .viewer, actor: "t", ip: nil,
                                              now: Date().addingTimeInterval(-8 * 24 * 3600))
            await #expect(throws: InvitationProblem.expired) { _ = try await Users.preview(db, token: late.token) }
            await #expect(throws: InvitationProblem.unknown) { _ = try await Users.preview(db, token: "inv_nothing") }

            // Roles: the principal stays a manager and cannot be removed; others can, in one action.
            do {
                _ = try await Users.changeRole(db, companyID: a.id, actorRole: .manager, userID: alice.id, to: .viewer, actor: "t", ip: nil)
                Issue.record("demoted the principal manager")
            } catch PlatformError.validation(let errors) {
                #expect(errors.map(\.code) == ["principal"])
            }
            await #expect(throws: PlatformError.self) {
                try await Users.remove(db, companyID: a.id, actorRole: .manager, userID: alice.id, actor: "t", ip: nil)
            }
            await #expect(throws: AccessDenied.managersOnly) {
                _ = try await Users.changeRole(db, companyID: a.id, actorRole: .viewer, userID: carolID, to: .manager, actor: "t", ip: nil)
            }
            #expect(try await Users.changeRole(db, companyID: a.id, actorRole: .manager, userID: carolID, to: .approver, actor: "t", ip: nil).role == .approver)
            // Company B's manager cannot reach A's members: they do not exist for B.
            await #expect(throws: PlatformError.notFound(what: "user")) {
                try await Users.remove(db, companyID: b.id, actorRole: .manager, userID: carolID, actor: "t", ip: nil)
            }
            try await Users.remove(db, companyID: a.id, actorRole: .manager, userID: carolID, actor: "t", ip: nil)
            #expect(try await Users.role(db, userID: carolID, companyID: a.id) == nil)
            #expect(try await Users.members(db, companyID: a.id).map(\.email) == ["alice@example.fr"])
            #expect(try await Users.members(db, companyID: b.id).map(\.userID) == [bob.id, alice.id], "principal first")

            let actions = try await db.sql.select().column("*").from("audit_log").where("company_id", .equal, a.id).orderBy("seq")
                .all(decoding: AuditEntry.self).map(\.action)
            #expect(actions.filter { $0 == "user.invite" }.count == 3)
            #expect(actions.contains("user.join") && actions.contains("user.role") && actions.contains("user.remove"))
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}
