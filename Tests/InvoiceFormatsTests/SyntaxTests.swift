import FacteurXML
import Testing
@testable import InvoiceFormats

@Suite struct SyntaxTests {
    @Test func rootElementsTellTheSyntax() {
        #expect(InvoiceSyntax(root: QName(Namespace.rsm, "CrossIndustryInvoice")) == .cii)
        #expect(InvoiceSyntax(root: QName(Namespace.ublInvoice, "Invoice")) == .ublInvoice)
        #expect(InvoiceSyntax(root: QName(Namespace.ublCreditNote, "CreditNote")) == .ublCreditNote)
        #expect(InvoiceSyntax(root: QName(Namespace.ublInvoice, "CreditNote")) == nil)
        #expect(InvoiceSyntax(root: QName(Namespace.zugferd1, "CrossIndustryDocument")) == nil)
        #expect(InvoiceSyntax.ublCreditNote.family == "ubl")
    }

    /// BT-24 values are read the way the reference factur-x tools read them.
    @Test(arguments: [
        ("urn:factur-x.eu:1p0:minimum", FacturXProfile.minimum),
        ("urn:factur-x.eu:1p0:basicwl", .basicWL),
        ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", .basic),
        ("urn:cen.eu:en16931:2017", .en16931),
        ("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", .extended),
        ("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", .en16931),
        ("urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic", .basic),
    ])
    func profileFromSpecificationIdentifier(id: String, expected: FacturXProfile) {
        #expect(FacturXProfile(specificationIdentifier: id) == expected)
        #expect(FacturXProfile(specificationIdentifier: expected.specificationIdentifier) == expected)
    }

    @Test func unknownProfiles() {
        #expect(FacturXProfile(specificationIdentifier: "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort") == nil)
        #expect(FacturXProfile(specificationIdentifier: "urn:example:whatever") == nil)
        #expect(FacturXProfile(specificationIdentifier: "") == nil)
        #expect(FacturXProfile(name: "BASIC WL") == .basicWL)
        #expect(FacturXProfile(name: "basic-wl") == .basicWL)
        #expect(FacturXProfile(name: "en16931") == .en16931)
        #expect(FacturXProfile(name: "gold") == nil)
    }

    @Test func writerEscapesAndNests() {
        var w = XMLWriter(namespaces: [("a", "urn:a")])
        w.element("a:root") { w in
            w.leaf("a:name", "Dupont & Fils <SARL>", [("k", "\"q\"")])
            w.leaf("a:skipped", nil)
            w.element("a:empty") { _ in }
        }
        let text = w.text
        #expect(text.contains("<a:root xmlns:a=\"urn:a\">"))
        #expect(text.contains("<a:name k=\"&quot;q&quot;\">Dupont &amp; Fils &lt;SARL&gt;</a:name>"))
        #expect(!text.contains("skipped"))
        #expect(text.contains("<a:empty></a:empty>"))
        // What the writer produces parses back.
        #expect((try? XMLParser.parse(w.data))?.root.children.count == 2)
    }
}
