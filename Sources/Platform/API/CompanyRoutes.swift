import Foundation
import Hummingbird
import NIOFoundationCompat

/// The company as the API shows it: identity (fixed at sign-up) and settings.
struct CompanyJSON: ResponseEncodable {
    var id: String
    var siren: String
    var siret: String
    var vatNumber: String?
    var name: String
    var legalForm: String?
    var shareCapital: String?
    var rcs: String?
    var addressLine1: String?
    var addressLine2: String?
    var postCode: String?
    var city: String?
    var countryCode: String
    var invoicePrefix: String
    var nextInvoiceNumberExample: String
    var paymentTermsDays: Int
    var latePenaltyRate: String?
    var recoveryIndemnityText: String
    var earlyPaymentDiscount: String
    var legalMentions: String?
    var timeZone: String
    var hasLogo: Bool

    init(_ p: CompanyProfile) {
        let s = p.settings
        id = p.id
        siren = p.siren
        siret = p.siret
        vatNumber = p.vatNumber
        name = s.name
        legalForm = s.legalForm
        shareCapital = s.shareCapital
        rcs = s.rcs
        addressLine1 = s.addressLine1
        addressLine2 = s.addressLine2
        postCode = s.postCode
        city = s.city
        countryCode = s.countryCode
        invoicePrefix = s.invoicePrefix
        nextInvoiceNumberExample = s.sampleInvoiceNumber(year: Calendar(identifier: .gregorian).component(.year, from: Date()))
        paymentTermsDays = s.paymentTermsDays
        latePenaltyRate = s.latePenaltyRate
        recoveryIndemnityText = s.recoveryIndemnityText
        earlyPaymentDiscount = s.earlyPaymentDiscount
        legalMentions = s.legalMentions
        timeZone = s.timeZone
        hasLogo = p.hasLogo
    }
}

/// What a caller sends to replace the settings. Omitted optional fields are cleared; omitted
/// fields with a default take it. Decimal values are strings, so that no amount passes through
/// binary floating point.
struct CompanySettingsInput: Decodable {
    var name: String
    var legalForm: String?
    var shareCapital: String?
    var rcs: String?
    var addressLine1: String?
    var addressLine2: String?
    var postCode: String?
    var city: String?
    var countryCode: String?
    var invoicePrefix: String?
    var paymentTermsDays: Int?
    var latePenaltyRate: String?
    var recoveryIndemnityText: String?
    var earlyPaymentDiscount: String?
    var legalMentions: String?
    var timeZone: String?

    var settings: CompanySettings {
        CompanySettings(name: name, legalForm: legalForm, shareCapital: shareCapital, rcs: rcs, addressLine1: addressLine1, addressLine2: addressLine2,
                        postCode: postCode, city: city, countryCode: countryCode ?? "FR", invoicePrefix: invoicePrefix ?? "F",
                        paymentTermsDays: paymentTermsDays ?? 30, latePenaltyRate: latePenaltyRate,
                        recoveryIndemnityText: recoveryIndemnityText ?? CompanySettings.defaultRecoveryIndemnity,
                        earlyPaymentDiscount: earlyPaymentDiscount ?? CompanySettings.defaultEarlyPaymentDiscount,
                        legalMentions: legalMentions, timeZone: timeZone ?? "Europe/Paris")
    }
}

struct BankAccountJSON: ResponseEncodable {
    var id: String
    var label: String
    var holder: String?
    var iban: String
    var bic: String?
    var isDefault: Bool
    init(_ a: BankAccount) {
        id = a.id
        label = a.label
        holder = a.holder
        iban = a.iban
        bic = a.bic
        isDefault = a.isDefault
    }
}

struct BankAccountList: ResponseEncodable {
    var items: [BankAccountJSON]
}

struct BankAccountInput: Decodable {
    var label: String
    var holder: String?
    var iban: String
    var bic: String?
    var isDefault: Bool?
    var account: BankAccount { BankAccount(label: label, holder: holder, iban: iban, bic: bic, isDefault: isDefault ?? false) }
}

struct CompanyRoutes {
    let database: Database

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("company") { _, context -> CompanyJSON in
            CompanyJSON(try await CompanyProfiles.get(database, companyID: try context.requireCompany()))
        }
        api.put("company") { request, context -> CompanyJSON in
            let input = try await decodeJSON(CompanySettingsInput.self, request)
            let p = try await CompanyProfiles.update(database, companyID: try context.requireCompany(), role: try context.requireRole(),
                                                     input.settings, actor: context.actor, ip: context.remoteAddress)
            return CompanyJSON(p)
        }
        api.get("company/logo") { _, context -> Response in
            guard let logo = try await CompanyProfiles.logo(database, companyID: try context.requireCompany()) else {
                throw PlatformError.notFound(what: "logo")
            }
            return Response(status: .ok, headers: [.contentType: logo.contentType, .cacheControl: "private, no-cache"],
                            body: .init(byteBuffer: ByteBuffer(data: logo.data)))
        }
        api.put("company/logo") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: CompanyProfiles.maxLogoBytes + 1)
            try await CompanyProfiles.setLogo(database, companyID: try context.requireCompany(), role: try context.requireRole(),
                                              data: Data(buffer: body), actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
        api.delete("company/logo") { _, context -> HTTPResponse.Status in
            try await CompanyProfiles.deleteLogo(database, companyID: try context.requireCompany(), role: try context.requireRole(),
                                                 actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
        api.get("company/bank-accounts") { _, context -> BankAccountList in
            BankAccountList(items: try await CompanyProfiles.bankAccounts(database, companyID: try context.requireCompany()).map(BankAccountJSON.init))
        }
        api.post("company/bank-accounts") { request, context -> EditedResponse<BankAccountJSON> in
            let input = try await decodeJSON(BankAccountInput.self, request)
            let a = try await CompanyProfiles.addBankAccount(database, companyID: try context.requireCompany(), role: try context.requireRole(),
                                                             input.account, actor: context.actor, ip: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/company/bank-accounts/\(a.id)"], response: BankAccountJSON(a))
        }
        api.get("company/bank-accounts/:id") { _, context -> BankAccountJSON in
            BankAccountJSON(try await CompanyProfiles.bankAccount(database, companyID: try context.requireCompany(), id: try context.parameters.require("id")))
        }
        api.put("company/bank-accounts/:id") { request, context -> BankAccountJSON in
            let input = try await decodeJSON(BankAccountInput.self, request)
            return BankAccountJSON(try await CompanyProfiles.updateBankAccount(
                database, companyID: try context.requireCompany(), role: try context.requireRole(), id: try context.parameters.require("id"),
                input.account, actor: context.actor, ip: context.remoteAddress))
        }
        api.delete("company/bank-accounts/:id") { _, context -> HTTPResponse.Status in
            try await CompanyProfiles.deleteBankAccount(database, companyID: try context.requireCompany(), role: try context.requireRole(),
                                                        id: try context.parameters.require("id"), actor: context.actor, ip: context.remoteAddress)
            return .noContent
        }
    }
}

/// A body that is not the expected JSON is a 422 naming what is wrong, not a bare 400.
func decodeJSON<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
    let body = try await request.body.collect(upTo: 1 << 20)
    do {
        return try JSONDecoder().decode(T.self, from: Data(buffer: body))
    } catch let error as DecodingError {
        throw PlatformError.validation([ClientRoutes.fieldError(error)])
    }
}

extension AppRequestContext {
    func requireRole() throws -> Role {
        guard companyID != nil, let role else { throw PlatformError.unauthorized }
        return role
    }
}
