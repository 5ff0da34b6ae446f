import FacteurXML
import Foundation
import InvoiceModel
import InvoiceValidation
import Testing
@testable import InvoiceFormats

/// CII → model → UBL → model → CII over every official CII example: every business term survives, apart
/// from the documented differences between the syntaxes, and the UBL written from a valid CII is valid.
@Suite struct ConversionTests {
    static let oracle = UBLRoundTripTests.oracle
    static let validator = try! Validator()

    static var ciiFiles: [URL] {
        let dir = oracle.appendingPathComponent("en16931/cii/examples")
        return ((try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension.lowercased() == "xml" }.sorted { $0.path < $1.path }
    }

    /// The model as UBL can carry it. Each step is a difference between the syntaxes (see `UBL.bindingNotes`);
    /// nothing else may differ.
    static func asUBLCarriesIt(_ source: Invoice) -> Invoice {
        // BT-110 (mandatory with a breakdown: the sum of BT-117), BT-147 (mandatory once BT-148 is given:
        // gross minus net), allowance amounts (base × percentage).
        var inv = UBLMissingElementTests.asUBLWritesIt(source)
        // BT-8: UBL codes are UNTDID 2005; CII's 2475 codes are translated.
        inv.vatPointDateCode = inv.vatPointDateCode.map { VATPointDateCode.ciiToUBL[$0] ?? $0 }
        if var payment = inv.paymentInstructions {
            // BT-84: UBL has one account element, without CII's IBAN / proprietary distinction.
            for j in payment.creditTransfers.indices { payment.creditTransfers[j].isProprietaryAccountIdentifier = false }
            inv.paymentInstructions = payment
        }
        // BT-9 of a credit note lives in PaymentMeans: without BG-16 it has nowhere to go.
        if inv.isCreditNote, inv.paymentInstructions == nil { inv.paymentDueDate = nil }
        return inv
    }

    @Test func theOfficialCIIExamplesAreThere() {
        #expect(Self.ciiFiles.count >= 10, "../shared/oracle/en16931/cii/examples is missing or incomplete")
    }

    @Test(arguments: ciiFiles)
    func ciiToUBLToCIIKeepsEveryTerm(file: URL) throws {
        let fromCII = try CII.read(try Data(contentsOf: file))
        let ubl = UBL.write(fromCII)
        let fromUBL = try UBL.read(ubl)
        let expected = Self.asUBLCarriesIt(fromCII)
        if expected != fromUBL {
            Issue.record("\(file.lastPathComponent): CII → UBL changed\n\(ModelDiff.describe(expected, fromUBL))")
        }
        let backToCII = try CII.read(CII.write(fromUBL))
        let final = Self.asUBLCarriesIt(backToCII)
        if expected != final {
            Issue.record("\(file.lastPathComponent): CII → UBL → CII changed\n\(ModelDiff.describe(expected, final))")
        }
    }

    @Test(arguments: ciiFiles)
    func ublWrittenFromAValidCIIIsValid(file: URL) throws {
        let data = try Data(contentsOf: file)
        guard Self.validator.validate(data, file: file.lastPathComponent).valid else { return }
        let ubl = UBL.write(try CII.read(data))
        let report = Self.validator.validate(ubl, file: file.lastPathComponent)
        #expect(report.valid, "\(file.lastPathComponent): \(report.errors.map { "\($0.rule) \($0.path ?? "")" })")
        #expect(report.warnings.isEmpty, "\(file.lastPathComponent): \(report.warnings.map { "\($0.rule) \($0.path ?? "")" })")
    }

    /// The normalisation above must not hide real differences: it only touches the terms it names.
    @Test func theDocumentedDifferencesAreTheOnlyOnes() throws {
        var inv = UBLMappingTests.sample()
        inv.vatPointDateCode = "29"
        inv.lines[0].price.grossPrice = 110
        inv.totals.totalVAT = nil
        let normalised = Self.asUBLCarriesIt(inv)
        #expect(normalised.vatPointDateCode == "35")
        #expect(normalised.lines[0].price.discount == 10)
        #expect(normalised.totals.totalVAT == Decimal(plain: "54.20"))
        var rest = normalised
        rest.vatPointDateCode = "29"; rest.lines[0].price.discount = nil; rest.totals.totalVAT = nil
        #expect(rest == inv)
        // And what UBL does carry comes back exactly, differences applied.
        #expect(try UBL.read(UBL.write(inv)) == normalised)
    }

    /// The other direction, for `facteur convert --to cii`: UBL → model → CII → model. CII cannot carry a
    /// price discount (BT-147) without a gross price (BT-148), writes seller identifiers without scheme
    /// before those with one, and uses UNTDID 2475 for BT-8.
    static func asCIICarriesIt(_ source: Invoice) -> Invoice {
        var inv = source
        inv.vatPointDateCode = inv.vatPointDateCode.map { VATPointDateCode.ublToCII[$0] ?? $0 }
        for i in inv.lines.indices where inv.lines[i].price.grossPrice == nil {
            inv.lines[i].price.discount = nil
        }
        inv.seller.identifiers.sort { ($0.scheme ?? "", $0.value) < ($1.scheme ?? "", $1.value) }
        return inv
    }

    @Test(arguments: UBLRoundTripTests.ublFiles)
    func ublToCIIKeepsEveryTermCIICanCarry(file: URL) throws {
        let fromUBL = try UBL.read(try Data(contentsOf: file))
        let fromCII = try CII.read(CII.write(fromUBL))
        let expected = Self.asCIICarriesIt(fromUBL), got = Self.asCIICarriesIt(fromCII)
        if expected != got {
            Issue.record("\(file.lastPathComponent): UBL → CII changed\n\(ModelDiff.describe(expected, got))")
        }
    }

    // MARK: InvoiceDocument

    @Test func readTellsTheSyntax() throws {
        let ubl = Self.oracle.appendingPathComponent("en16931/ubl/testfiles/Invoice-Max_content.xml")
        let creditNote = Self.oracle.appendingPathComponent("en16931/ubl/testfiles/CreditNote-Max_content.xml")
        let cii = Self.oracle.appendingPathComponent("en16931/cii/examples/CII_example1.xml")
        let (i1, s1) = try InvoiceDocument.read(Data(contentsOf: ubl))
        #expect(s1 == .ublInvoice)
        #expect(i1 == (try UBL.read(Data(contentsOf: ubl))))
        let (i2, s2) = try InvoiceDocument.read(Data(contentsOf: creditNote))
        #expect(s2 == .ublCreditNote)
        #expect(i2.isCreditNote)
        let (i3, s3) = try InvoiceDocument.read(Data(contentsOf: cii))
        #expect(s3 == .cii)
        #expect(i3 == (try CII.read(Data(contentsOf: cii))))
    }

    @Test func readRefusesWhatIsNotAnInvoice() {
        #expect {
            try InvoiceDocument.read(Data("<Order xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Order-2\"/>".utf8))
        } throws: { error in
            guard case let .unsupportedDocument(root, namespace, _) = error as? InvoiceDocumentError else { return false }
            return root == "Order" && namespace.hasSuffix("Order-2")
        }
        #expect {
            try InvoiceDocument.read(Data("not xml at all".utf8))
        } throws: { error in
            guard case .notXML = error as? InvoiceDocumentError else { return false }
            return true
        }
        let message = InvoiceDocumentError.unsupportedDocument(root: "Order", namespace: "urn:x", line: 1)
        #expect(message.description.contains("n'est ni une facture CII"))
        #expect(message.englishDescription.contains("is neither a CII invoice"))
    }

    @Test func writeDispatchesOnTheTarget() throws {
        let inv = UBLMappingTests.sample()
        #expect(InvoiceDocument.write(inv, as: .ubl, profile: nil) == UBL.write(inv))
        let cii = InvoiceDocument.write(inv, as: .cii, profile: .en16931)
        #expect(try XMLParser.parse(cii).root.name == QName(Namespace.rsm, "CrossIndustryInvoice"))
        #expect(try CII.read(cii).invoiceNumber == inv.invoiceNumber)
    }
}
