import Foundation
import Logging
import SQLKit
import Testing
@testable import Platform

@Suite(.serialized) struct CompanySettingsTests {
    // Published example IBANs (bank documentation and the ISO 13616 register), independent of our code.
    static let validIBANs = ["FR76 3000 6000 0112 3456 7890 189", "DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "BE71 0961 2345 6769"]

    @Test func ibanChecks() {
        for iban in Self.validIBANs { #expect(BankDetails.checkIBAN(iban).isEmpty, "\(iban)") }
        // One digit changed: mod 97 catches every single-digit error.
        #expect(BankDetails.checkIBAN("FR76 3000 6000 0112 3456 7890 188").map(\.code) == ["checksum"])
        #expect(BankDetails.checkIBAN("FR76 3000 6000 0112 3456 7890 18").map(\.code) == ["length"])
        #expect(BankDetails.checkIBAN("FR76 3000 6000 0112 3456 7890 18").first?.fr.contains("27") == true, "says the expected length")
        #expect(BankDetails.checkIBAN("ZZ76 3000 6000 0112 3456 7890 189").map(\.code) == ["country"])
        #expect(BankDetails.checkIBAN("FR76 3000 6000 0112 3456 7890 18*").map(\.code) == ["format"])
        #expect(BankDetails.checkIBAN("").map(\.code) == ["required"])
        #expect(BankDetails.grouped("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189")
    }

    @Test func bicChecks() {
        for bic in ["BNPAFRPP", "BNPAFRPPXXX", "DEUTDEFF500", "agrifrpp882"] { #expect(BankDetails.checkBIC(bic).isEmpty, "\(bic)") }
        #expect(BankDetails.checkBIC("BNPAFRP").map(\.code) == ["length"])
        #expect(BankDetails.checkBIC("BNP1FRPPXXX").map(\.code) == ["format"])
        #expect(BankDetails.checkBIC("BNPAF1PP").map(\.code) == ["format"])
    }

    @Test func settingsAreCheckedFieldByField() {
        var s = CompanySettings(name: " ", shareCapital: "dix mille", rcs: "RCS Lyon 111 111 111", postCode: "6900", countryCode: "FR",
                                invoicePrefix: "FACT 2026", paymentTermsDays: 90, latePenaltyRate: "-1", recoveryIndemnityText: " ",
                                earlyPaymentDiscount: "", timeZone: "Mars/Olympus")
        let errors = s.normalizeAndCheck(siren: "123456782")
        #expect(Set(errors.map(\.field)) == ["name", "shareCapital", "rcs", "postCode", "invoicePrefix", "paymentTermsDays", "latePenaltyRate",
                                            "recoveryIndemnityText", "earlyPaymentDiscount", "timeZone"])
        #expect(errors.allSatisfy { !$0.fr.isEmpty && !$0.en.isEmpty && $0.fr != $0.en })

        var ok = CompanySettings(name: "Dupont & Fils", legalForm: "SARL", shareCapital: "10 000,50", rcs: "RCS Lyon 123 456 782",
                                 addressLine1: "1 rue de la Paix", postCode: "69001", city: "Lyon", invoicePrefix: "DF-",
                                 paymentTermsDays: 45, latePenaltyRate: "12,15", timeZone: "America/Cayenne")
        #expect(ok.normalizeAndCheck(siren: "123456782").isEmpty)
        #expect(ok.shareCapital == "10000.5", "French input stored as exact decimal text")
        #expect(ok.latePenaltyRate == "12.15")
        #expect(ok.sampleInvoiceNumber(year: 2026) == "DF-2026-000001")
        #expect(CompanySettings.parseDecimal("0,1") == Decimal(string: "0.1"), "no binary floating point on the way")
    }

    @Test(arguments: Engines.all)
    func settingsBankAccountsAndLogoAreStoredScopedAndAudited(engine: String) async throws {
        let (db, cleanup) = try await Engines.open(engine)
        do {
            try await Migrations.apply(to: db, logger: Logger(label: "test"))
            let (a, _) = try await Companies.create(db, CompanyAndAPITests.alice, actor: "test", ip: nil)
            let (b, _) = try await Companies.create(db, CompanyTestData.bob, actor: "test", ip: nil)
            let fresh = try await CompanyProfiles.get(db, companyID: a.id)
            #expect(fresh.settings.invoicePrefix == "F" && fresh.settings.paymentTermsDays == 30 && fresh.settings.timeZone == "Europe/Paris")
            #expect(fresh.settings.recoveryIndemnityText.contains("40 €"))
            #expect(fresh.vatNumber == "FR11123456782")

            var s = fresh.settings
            s.legalForm = "SARL"
            s.shareCapital = "7 500"
            s.invoicePrefix = "DF"
            s.latePenaltyRate = "10,5"
            await #expect(throws: AccessDenied.managersOnly) {
                try await CompanyProfiles.update(db, companyID: a.id, role: .viewer, s, actor: "test", ip: nil)
            }
            try await CompanyProfiles.update(db, companyID: a.id, role: .manager, s, actor: "user:alice", ip: "192.0.2.1")
            let after = try await CompanyProfiles.get(db, companyID: a.id)
            #expect(after.settings.shareCapital == "7500" && after.settings.latePenaltyRate == "10.5" && after.settings.invoicePrefix == "DF")
            #expect(try await CompanyProfiles.get(db, companyID: b.id).settings.legalForm == nil, "B untouched")
            var cleared = after.settings
            cleared.legalForm = "  "
            cleared.latePenaltyRate = nil
            try await CompanyProfiles.update(db, companyID: a.id, role: .manager, cleared, actor: "user:alice", ip: nil)
            let afterClear = try await CompanyProfiles.get(db, companyID: a.id).settings
            #expect(afterClear.legalForm == nil && afterClear.latePenaltyRate == nil && afterClear.shareCapital == "7500", "emptied fields are cleared, others kept")
            let audit = try await db.sql.select().column("*").from("audit_log").where("company_id", .equal, a.id)
                .where("action", .equal, "company.update").orderBy("seq").all(decoding: AuditEntry.self)
            #expect(audit.count == 2, "one entry per change")
            #expect(audit.first?.details.contains("\"shareCapital\":\"7500\"") == true && audit.first?.details.contains("\"name\"") == false,
                    "only the changed fields are recorded: \(audit.first?.details ?? "")")

            // Bank accounts: the first is the default; choosing another moves the default; deleting it promotes the oldest.
            let first = try await CompanyProfiles.addBankAccount(db, companyID: a.id, role: .manager,
                                                                 BankAccount(label: "Courant", iban: Self.validIBANs[0], bic: "BNPAFRPP"), actor: "t", ip: nil)
            #expect(first.isDefault && first.iban == "FR7630006000011234567890189")
            let second = try await CompanyProfiles.addBankAccount(db, companyID: a.id, role: .manager,
                                                                  BankAccount(label: "Épargne", iban: Self.validIBANs[1], isDefault: true), actor: "t", ip: nil)
            var accounts = try await CompanyProfiles.bankAccounts(db, companyID: a.id)
            #expect(accounts.filter(\.isDefault).map(\.id) == [second.id])
            do {
                _ = try await CompanyProfiles.addBankAccount(db, companyID: a.id, role: .manager,
                                                             BankAccount(label: "", iban: "FR76 3000 6000 0112 3456 7890 188", bic: "XX"), actor: "t", ip: nil)
                Issue.record("an invalid account was accepted")
            } catch PlatformError.validation(let errors) {
                #expect(Set(errors.map(\.field)) == ["label", "iban", "bic"])
            }
            await #expect(throws: PlatformError.notFound(what: "bank_account")) {
                try await CompanyProfiles.deleteBankAccount(db, companyID: b.id, role: .manager, id: first.id, actor: "t", ip: nil)
            }
            try await CompanyProfiles.deleteBankAccount(db, companyID: a.id, role: .manager, id: second.id, actor: "t", ip: nil)
            accounts = try await CompanyProfiles.bankAccounts(db, companyID: a.id)
            #expect(accounts.map(\.id) == [first.id] && accounts[0].isDefault)

            // Logo: PNG or JPEG by content, size-limited.
            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
            try await CompanyProfiles.setLogo(db, companyID: a.id, role: .manager, data: png, actor: "t", ip: nil)
            #expect(try await CompanyProfiles.logo(db, companyID: a.id) == CompanyLogo(contentType: "image/png", data: png))
            #expect(try await CompanyProfiles.logo(db, companyID: b.id) == nil)
            for (bad, code) in [(Data("GIF89a".utf8), "type"), (Data([0xFF, 0xD8, 0xFF]) + Data(count: CompanyProfiles.maxLogoBytes), "size")] {
                do {
                    try await CompanyProfiles.setLogo(db, companyID: a.id, role: .manager, data: bad, actor: "t", ip: nil)
                    Issue.record("accepted a bad logo")
                } catch PlatformError.validation(let errors) {
                    #expect(errors.map(\.code) == [code])
                }
            }
            #expect(try await AuditLog.verify(db.sql).breaks.isEmpty)
        } catch {
            try await cleanup()
            throw error
        }
        try await cleanup()
    }
}

enum CompanyTestData {
    static let bob = Companies.NewCompany(siret: "73282932000074", name: "Client SA", adminEmail: "bob@example.fr", adminName: "Bob",
                                          password: "another long password")
}
