import FacteurXML
import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation
import Testing

/// Writing a richer invoice for a smaller Factur-X profile must give a document that profile's rules
/// accept, the few exceptions named with their reason.
@Suite struct CIIProfileTests {
    typealias Corpus = CIIRoundTripTests

    /// Findings that remain when a corpus file is written for a smaller profile, and why they are right:
    /// the data itself cannot meet that profile, the writer must not invent or alter terms to hide it.
    struct Expected {
        var rules: Set<String>
        var why: String
        /// Checks on the source invoice that make `why` true, so the exception cannot outlive its reason.
        var holds: @Sendable (Invoice) -> Bool
    }

    static let expected: [String: [FacturXProfile: Expected]] = [
        "CII_example7.xml": [
            .minimum: Expected(
                rules: ["BR-CO-26"],
                why: "the seller is identified only by BT-29 (ram:ID); MINIMUM carries BT-30 and BT-31 but not BT-29",
                holds: { inv in
                    !inv.seller.identifiers.isEmpty && inv.seller.legalRegistrationIdentifier == nil
                        && inv.seller.vatIdentifier == nil
                }),
        ],
        "XRechnung-O.xml": [
            .basicWL: Expected(
                rules: ["FX-SCH-A-000181"],
                why: "BT-121 is «vatex-eu-132-1a» in lower case: the Factur-X code list only has VATEX-EU-132-1A, "
                    + "the CEN rules (EN 16931 profile) do not check it and the writer keeps codes as they are",
                holds: { inv in inv.vatBreakdown.contains { $0.exemptionReasonCode == "vatex-eu-132-1a" } }),
            .basic: Expected(
                rules: ["FX-SCH-A-000181"],
                why: "the same lower-case VATEX code as in BASIC WL",
                holds: { inv in inv.vatBreakdown.contains { $0.exemptionReasonCode == "vatex-eu-132-1a" } }),
        ],
    ]

    static func rank(_ p: FacturXProfile) -> Int { FacturXProfile.allCases.firstIndex(of: p)! }

    /// Every (file, smaller profile) pair: MINIMUM and BASIC WL for all files richer than them, BASIC too.
    static func cases() throws -> [(URL, FacturXProfile)] {
        try Corpus.corpus().flatMap { url -> [(URL, FacturXProfile)] in
            let invoice = try CII.read(Data(contentsOf: url))
            // The CEN examples that name no Factur-X profile are EN 16931 invoices.
            let source = FacturXProfile(specificationIdentifier: invoice.processControl.specificationIdentifier) ?? .en16931
            return [FacturXProfile.minimum, .basicWL, .basic].filter { rank($0) < rank(source) }.map { (url, $0) }
        }
    }

    @Test func everySmallerProfileIsTried() throws {
        let all = try Self.cases()
        // 10 CEN examples × 3, EN 16931 and EXTENDED samples × 3, BASIC × 2, BASIC WL × 1.
        #expect(all.count == 30 + 6 + 2 + 1)
    }

    @Test(arguments: try! cases())
    func smallerProfileIsAccepted(url: URL, profile: FacturXProfile) throws {
        let name = url.lastPathComponent
        let source = try CII.read(Data(contentsOf: url))
        let data = CII.write(source, profile: profile)
        try data.write(to: Corpus.outputFolder.appendingPathComponent("\(profile.rawValue)-\(name)"))

        let report = Corpus.validator.validate(data, file: name)
        // The validator recognised the profile, so its Factur-X rules did run.
        #expect(report.profile.flatMap(FacturXProfile.init(specificationIdentifier:)) == profile)
        let found = Set(report.errors.map(\.rule))
        let exception = Self.expected[name]?[profile]
        #expect(found == (exception?.rules ?? []),
                "\(name) as \(profile): \(report.errors.map { "\($0.rule) \($0.path ?? $0.location)" })")
        if let exception { #expect(exception.holds(source), "\(name): no longer true: \(exception.why)") }

        // What the profile carries survives; what it does not is gone.
        let back = try CII.read(data)
        #expect(back.processControl.specificationIdentifier == profile.specificationIdentifier)
        #expect(back.invoiceNumber == source.invoiceNumber && back.issueDate == source.issueDate)
        #expect(back.typeCode == source.typeCode && back.currencyCode == source.currencyCode)
        #expect(back.seller.name == source.seller.name && back.buyer.name == source.buyer.name)
        #expect(back.totals.totalWithoutVAT == source.totals.totalWithoutVAT)
        #expect(back.totals.totalVAT == source.totals.totalVAT)
        #expect(back.totals.totalWithVAT == source.totals.totalWithVAT)
        #expect(back.totals.amountDueForPayment == source.totals.amountDueForPayment)
        #expect(back.purchaseOrderReference == source.purchaseOrderReference)
        switch profile {
        case .minimum:
            #expect(back.lines.isEmpty && back.notes.isEmpty && back.vatBreakdown.isEmpty && back.paymentInstructions == nil)
        case .basicWL:
            #expect(back.lines.isEmpty)
            #expect(back.vatBreakdown == source.vatBreakdown)
            #expect(back.allowanceCharges == source.allowanceCharges)
            #expect(back.notes == source.notes)
            #expect(back.totals == source.totals.with { $0.roundingAmount = nil })
        case .basic:
            #expect(back.lines.count == source.lines.count)
            #expect(back.lines.map(\.netAmount) == source.lines.map(\.netAmount))
            #expect(back.lines.map(\.quantity) == source.lines.map(\.quantity))
            #expect(back.lines.map(\.price.netPrice) == source.lines.map(\.price.netPrice))
            #expect(back.lines.map(\.item.name) == source.lines.map(\.item.name))
        default:
            break
        }
    }

    /// Without a profile, everything the model holds is written and BT-24 is kept, whatever profile it names.
    @Test func withoutProfileEverythingIsWritten() throws {
        var invoice = try CII.read(Data(contentsOf: Corpus.oracle.appendingPathComponent("en16931/cii/examples/CII_example1.xml")))
        invoice.processControl.specificationIdentifier = FacturXProfile.minimum.specificationIdentifier
        #expect(!invoice.lines.isEmpty)
        #expect(try CII.read(CII.write(invoice)) == invoice)
        // The same invoice written for MINIMUM loses its lines.
        #expect(try CII.read(CII.write(invoice, profile: .minimum)).lines.isEmpty)
    }

    /// BT-106 of a MINIMUM invoice is absent, not zero: it is not written back.
    @Test func minimumKeepsNoLineTotal() throws {
        let url = Corpus.oracle.appendingPathComponent("facturx-samples/akretion/xml/factur-x-minimum.xml")
        let invoice = try CII.read(Data(contentsOf: url))
        #expect(invoice.lines.isEmpty && invoice.totals.sumOfLineNetAmounts == 0)
        let tree = try XMLParser.parse(CII.write(invoice))
        let summation = tree.root.child(Namespace.rsm, "SupplyChainTradeTransaction")?
            .child(Namespace.ram, "ApplicableHeaderTradeSettlement")?
            .child(Namespace.ram, "SpecifiedTradeSettlementHeaderMonetarySummation")
        #expect(summation?.child(Namespace.ram, "LineTotalAmount") == nil)
        #expect(summation?.child(Namespace.ram, "GrandTotalAmount") != nil)
        // Declared EN 16931, the same zero is a real BT-106 and is written.
        var en = invoice
        en.processControl.specificationIdentifier = ProcessControl.en16931
        let written = try XMLParser.parse(CII.write(en)).root.child(Namespace.rsm, "SupplyChainTradeTransaction")?
            .child(Namespace.ram, "ApplicableHeaderTradeSettlement")?
            .child(Namespace.ram, "SpecifiedTradeSettlementHeaderMonetarySummation")?.child(Namespace.ram, "LineTotalAmount")
        #expect(written?.trimmedText == "0.00")
    }
}

extension DocumentTotals {
    func with(_ change: (inout DocumentTotals) -> Void) -> DocumentTotals {
        var copy = self
        change(&copy)
        return copy
    }
}
