import Foundation
import PDF

/// The invoice found in a Factur-X / ZUGFeRD PDF: the embedded XML and the facts around it.
public struct ExtractedInvoice: Sendable {
    /// The attachment's name (`factur-x.xml`, `xrechnung.xml`, `zugferd-invoice.xml`, `ZUGFeRD-invoice.xml`).
    public var attachmentName: String
    public var xml: Data
    /// `/AFRelationship` of the file specification (`Data`, `Source`, `Alternative`), nil when absent.
    public var relationship: String?
    /// The embedded file's `/Subtype` (`text/xml`).
    public var mimeType: String?
    /// Whether the catalog `/AF` array references the file specification.
    public var inCatalogAF: Bool
    /// `fx:ConformanceLevel` of the XMP (`EN 16931`, `BASIC WL`...), nil when absent.
    public var xmpLevel: String?
    /// The XMP namespace carrying the Factur-X properties (Factur-X 1.0, ZUGFeRD 2.0 or 1.0).
    public var xmpNamespace: String?
}

/// Why no invoice could be extracted.
public enum FacturXExtractError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(PDFReadError)
    /// The PDF carries no invoice XML under a known name (the attachments found are listed).
    case noInvoice(attachments: [String])

    public var description: String {
        switch self {
        case .unreadable(let e): return "unreadable PDF: \(e.description)"
        case .noInvoice(let a):
            return "no Factur-X/ZUGFeRD invoice attached (expected factur-x.xml, xrechnung.xml, zugferd-invoice.xml or ZUGFeRD-invoice.xml; found: "
                + (a.isEmpty ? "no attachment" : a.joined(separator: ", ")) + ")"
        }
    }

    public var frenchDescription: String {
        switch self {
        case .unreadable(let e): return "PDF illisible : \(e.frenchDescription)"
        case .noInvoice(let a):
            return "aucune facture Factur-X/ZUGFeRD jointe (attendu : factur-x.xml, xrechnung.xml, zugferd-invoice.xml ou ZUGFeRD-invoice.xml ; trouvé : "
                + (a.isEmpty ? "aucune pièce jointe" : a.joined(separator: ", ")) + ")"
        }
    }
}

extension FacturX {
    /// Attachment names of the invoice XML, by preference.
    public static let invoiceNames = ["factur-x.xml", "xrechnung.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml"]

    public static let xmpNamespaceFacturX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
    public static let xmpNamespaceZUGFeRD2 = "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#"
    public static let xmpNamespaceZUGFeRD1 = "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#"

    /// The invoice attachment among `attachments`: the known names by preference, case-insensitively.
    public static func invoiceAttachment(_ attachments: [PDFAttachment]) -> PDFAttachment? {
        for name in invoiceNames {
            if let a = attachments.first(where: { $0.name == name || $0.fileName == name }) { return a }
        }
        let lower = Set(invoiceNames.map { $0.lowercased() })
        return attachments.first { lower.contains($0.name.lowercased()) || lower.contains(($0.fileName ?? "").lowercased()) }
    }

    /// Reads the embedded invoice XML of a Factur-X (or ZUGFeRD) PDF, with its XMP level and AFRelationship.
    public static func extract(pdf data: Data) throws(FacturXExtractError) -> ExtractedInvoice {
        do {
            let doc = try PDFDocument(data: data)
            return try extract(document: doc)
        } catch let e as FacturXExtractError {
            throw e
        } catch let e as PDFReadError {
            throw .unreadable(e)
        } catch {
            throw .unreadable(.syntax(offset: 0, what: "\(error)"))
        }
    }

    public static func extract(document doc: PDFDocument) throws -> ExtractedInvoice {
        let attachments = try doc.attachments()
        guard let a = invoiceAttachment(attachments) else {
            throw FacturXExtractError.noInvoice(attachments: attachments.map(\.name))
        }
        let xml = try doc.data(of: a)
        var level: String? = nil
        var namespace: String? = nil
        if let xmpData = try? doc.metadata(), let xmp = try? XMPPacket(xmpData) {
            for ns in [xmpNamespaceFacturX, xmpNamespaceZUGFeRD2, xmpNamespaceZUGFeRD1] where xmp.uses(ns) {
                namespace = ns
                level = xmp.first(ns, "ConformanceLevel")
                break
            }
        }
        return ExtractedInvoice(attachmentName: a.name, xml: xml, relationship: a.relationship, mimeType: a.mimeType,
                                inCatalogAF: a.inCatalogAF, xmpLevel: level, xmpNamespace: namespace)
    }

    /// The page text of a PDF, lines in reading order, pages separated by form feeds.
    public static func text(pdf data: Data) throws(FacturXExtractError) -> String {
        do {
            return try PDFTextExtractor.text(of: PDFDocument(data: data))
        } catch let e as PDFReadError {
            throw .unreadable(e)
        } catch {
            throw .unreadable(.syntax(offset: 0, what: "\(error)"))
        }
    }
}
