import FacturX
import Foundation
import InvoiceFormats
import InvoiceModel

/// The live producer: the EN 16931 CII XML, and the Factur-X PDF that shows it and carries it.
public struct FacturXProducer: InvoiceDocumentProducer {
    public init() {}

    public func documents(for invoice: Invoice, logo: Data?) throws -> (xml: Data, pdf: Data) {
        let xml = CII.write(invoice, profile: .en16931)
        let pdf = try FacturX.render(invoice, xml: xml, profile: .en16931, options: RenderOptions(logo: logo))
        return (xml, pdf)
    }

    public func documents(for invoice: Invoice, writtenXML: Data, logo: Data?) throws -> (xml: Data, pdf: Data) {
        let pdf = try FacturX.render(invoice, xml: writtenXML, profile: .en16931, options: RenderOptions(logo: logo))
        return (writtenXML, pdf)
    }
}

/// The embedded invoice XML of a Factur-X (or ZUGFeRD) PDF, nil for a plain PDF.
func embeddedInvoiceXML(_ pdf: Data) -> Data? {
    try? FacturX.extract(pdf: pdf).xml
}
