import Foundation
import Testing
@testable import InvoiceValidation

@Suite struct FrenchIdentifiersTests {
    @Test func sirenKey() {
        #expect(FrenchIdentifiers.isValidSIREN("123456782"))
        #expect(FrenchIdentifiers.isValidSIREN("123 456 782"))
        #expect(!FrenchIdentifiers.isValidSIREN("123456789"))
        #expect(!FrenchIdentifiers.isValidSIREN("12345678"))
        #expect(!FrenchIdentifiers.isValidSIREN("12345678A"))
    }

    @Test func siretKeyAndLaPosteException() {
        #expect(FrenchIdentifiers.isValidSIRET("12345678200077"))
        #expect(!FrenchIdentifiers.isValidSIRET("12345678200078"))
        // La Poste: SIREN 356000000, digit sum a multiple of 5 even when the Luhn key fails.
        let laPoste = "35600000000150"
        #expect(!FrenchIdentifiers.luhn(laPoste.map { Int(String($0))! }))
        #expect(FrenchIdentifiers.isValidSIRET(laPoste))
        #expect(!FrenchIdentifiers.isValidSIRET("35600000000151"))
        // The exception is La Poste's only: the same digit sum elsewhere is still invalid.
        #expect(!FrenchIdentifiers.isValidSIRET("12345678200106"))
    }

    @Test func vatKeyFromSIREN() {
        // FR11123456782 is the seller's VAT number in the akretion Factur-X samples.
        #expect(FrenchIdentifiers.vatKey(siren: "123456782") == 11)
        #expect(FrenchIdentifiers.vatNumber(siren: "123456782") == "FR11123456782")
        #expect(FrenchIdentifiers.checkVATNumber("FR 11 123 456 782") == .valid)
        #expect(FrenchIdentifiers.checkVATNumber("FR12123456782") == .wrongKey(expected: 11))
        #expect(FrenchIdentifiers.checkVATNumber("FRAB123456782") == .uncheckableKey)
        #expect(FrenchIdentifiers.checkVATNumber("DE123456789") == .malformed)
        #expect(FrenchIdentifiers.checkVATNumber("FR1112345678") == .malformed)
    }

    @Test func warningsInADocument() throws {
        let oracle = OfficialAgreementTests.oracle
        let report = OfficialAgreementTests.validator.validate(
            fileAt: oracle.appendingPathComponent("facturx-samples/akretion/xml/ubl-21-en16931.xml"), options: ValidationOptions(french: true))
        #expect(report.valid)
        let vat = report.warnings.filter { $0.rule == "FR-VAT-KEY" }
        #expect(vat.count == 1)
        #expect(vat.first?.message.fr.contains("32") == true)
        #expect(vat.first?.line ?? 0 > 0)
        // Without --fr, none of Facteur's French checks run.
        let plain = OfficialAgreementTests.validator.validate(
            fileAt: oracle.appendingPathComponent("facturx-samples/akretion/xml/ubl-21-en16931.xml"))
        #expect(!plain.warnings.contains { $0.rule.hasPrefix("FR-") })
    }
}
