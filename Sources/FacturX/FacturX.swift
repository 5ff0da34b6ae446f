import Foundation
import InvoiceFormats
import InvoiceModel
import PDF

/// Factur-X: an invoice as a PDF/A-3 whose pages show it and which carries its CII XML.
/// This module lays the invoice out on pages (built on `PDF`'s writer), wraps it in the
/// Factur-X container (XMP, `/AF`, `factur-x.xml`), and reads such files back.
public enum FacturX {}

/// How an invoice is rendered.
public struct RenderOptions: Sendable {
    public enum Language: String, Sendable, CaseIterable { case fr, en }

    /// Language of the printed labels (French by default).
    public var language: Language
    /// The seller's logo, PNG or JPEG.
    public var logo: Data?
    /// When the PDF is made (XMP and document dates); now by default. Fixed in tests for repeatable files.
    public var date: Date?
    /// Print the legal defaults of French B2B invoices (late-payment penalties at the ECB rate + 10 points,
    /// the 40 € recovery indemnity, no early-payment discount) when the invoice's notes do not state them.
    public var legalDefaults: Bool
    /// `/AFRelationship` of the XML: `Data` (the French usual choice), `Source` or `Alternative`.
    public var relationship: String
    /// zlib level for content and the XML: 2 by default — on a one-page invoice as fast as level 1 and 1.3 %
    /// smaller, 0.8 % larger than level 3 for a tenth less time; level 6 saves about 4 % more for twice the
    /// compression time (font subsets, cached, are always compressed at 9).
    public var compressionLevel: Int32

    public init(language: Language = .fr, logo: Data? = nil, date: Date? = nil, legalDefaults: Bool = true,
                relationship: String = "Data", compressionLevel: Int32 = 2) {
        self.language = language
        self.logo = logo
        self.date = date
        self.legalDefaults = legalDefaults
        self.relationship = relationship
        self.compressionLevel = compressionLevel
    }
}

public enum FacturXRenderError: Error, Sendable, CustomStringConvertible {
    /// The fonts or the ICC profile shipped with Facteur could not be loaded.
    case resources(String)
    case logo(String)
    case relationship(String)
    case pdf(String)

    public var description: String { message(english: false) }

    public func message(english: Bool) -> String {
        switch self {
        case .resources(let m):
            return english ? "Facteur's rendering resources cannot be loaded: \(m)" : "ressources de rendu de Facteur illisibles : \(m)"
        case .logo(let m): return english ? "logo: \(m)" : "logo : \(m)"
        case .relationship(let r):
            return english ? "AFRelationship must be Data, Source or Alternative, not \(r)"
                : "AFRelationship doit valoir Data, Source ou Alternative, pas \(r)"
        case .pdf(let m): return english ? "PDF: \(m)" : "PDF : \(m)"
        }
    }
}

/// Fonts and the ICC profile, loaded once per process.
struct RenderResources: Sendable {
    let regular: TrueTypeFont
    let bold: TrueTypeFont
    let icc: ICCProfile
    let fontCache = FontProgramCache(capacity: 32)

    static let shared: Result<RenderResources, FacturXRenderError> = {
        do {
            // The copied folder sits at the bundle's root on Linux and under Contents/Resources on macOS.
            func url(_ name: String) throws -> URL {
                let parts = name.split(separator: ".")
                for sub in ["Resources", nil] as [String?] {
                    if let u = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: sub) {
                        return u
                    }
                }
                throw FacturXRenderError.resources("\(name) is missing from the FacturX resource bundle")
            }
            let r = try TrueTypeFont(data: Data(contentsOf: url("DejaVuSans.ttf")))
            let b = try TrueTypeFont(data: Data(contentsOf: url("DejaVuSans-Bold.ttf")))
            let icc = ICCProfile(data: try Data(contentsOf: url("sRGB.icc")))
            return .success(RenderResources(regular: r, bold: b, icc: icc))
        } catch let e as FacturXRenderError {
            return .failure(e)
        } catch {
            return .failure(.resources("\(error)"))
        }
    }()
}

extension FacturX {
    public static let xmlFileName = "factur-x.xml"
    static let namespace = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"

    /// The Factur-X PDF of `invoice`: its pages laid out from the model, and `xml` embedded byte for byte
    /// as `factur-x.xml` (pass the exact, validated CII bytes). `profile` sets the XMP conformance level
    /// and must be the one the XML's BT-24 names.
    public static func render(_ invoice: Invoice, xml: Data, profile: FacturXProfile,
                              options: RenderOptions = RenderOptions()) throws(FacturXRenderError) -> Data {
        let res: RenderResources
        switch RenderResources.shared {
        case .success(let r): res = r
        case .failure(let e): throw e
        }
        guard ["Data", "Source", "Alternative"].contains(options.relationship) else {
            throw .relationship(options.relationship)
        }
        var logo: PDFImage?
        if let l = options.logo {
            do { logo = try PDFImage(data: l) } catch { throw .logo("\(error)") }
        }
        let doc = PDFDocumentBuilder()
        var layout = InvoiceLayout(doc: doc, invoice: invoice, regular: doc.addFont(res.regular),
                                   bold: doc.addFont(res.bold), logo: logo.map { doc.addImage($0) },
                                   logoSize: logo.map { ($0.width, $0.height) }, options: options)
        layout.run()
        let fr = options.language == .fr
        let title = "\(RenderLabels.documentTitle(invoice.typeCode, fr)) \(invoice.invoiceNumber)"
        let pdfa = PDFAOptions(
            title: title, author: invoice.seller.name.isEmpty ? nil : invoice.seller.name,
            subject: fr ? "Facture électronique Factur-X \(profile.xmpLevel)" : "Factur-X \(profile.xmpLevel) e-invoice",
            creator: "Facteur", producer: "Facteur PDF writer",
            date: PDFDate(options.date ?? Date()), language: fr ? "fr-FR" : "en",
            outputIntent: res.icc,
            attachments: [AssociatedFile(name: xmlFileName, data: xml, mimeType: "text/xml", relationship: options.relationship,
                                         description: "Factur-X invoice")],
            extraXMP: cachedXMP(profile: profile), compressionLevel: options.compressionLevel, fontCache: res.fontCache)
        do { return try doc.finish(pdfa) } catch { throw .pdf("\(error)") }
    }

    /// `xmp(profile:)`, built once per profile: the same few hundred bytes for every invoice.
    static func cachedXMP(profile: FacturXProfile) -> String {
        xmpCache.withLock { cache in
            if let hit = cache[profile.xmpLevel] { return hit }
            let x = xmp(profile: profile)
            cache[profile.xmpLevel] = x
            return x
        }
    }

    private static let xmpCache = LockedCache()

    final class LockedCache: @unchecked Sendable {
        private var values: [String: String] = [:]
        private let lock = NSLock()
        func withLock<T>(_ body: (inout [String: String]) -> T) -> T {
            lock.lock(); defer { lock.unlock() }
            return body(&values)
        }
    }

    /// The Factur-X properties and the PDF/A extension schema that declares them (Factur-X 1.0 §6.2.2).
    static func xmp(profile: FacturXProfile) -> String {
        func prop(_ name: String, _ desc: String) -> String {
            "<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>\(name)</pdfaProperty:name>"
                + "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>"
                + "<pdfaProperty:description>\(desc)</pdfaProperty:description></rdf:li>\n"
        }
        return """
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
        xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
        <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
        <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
        <pdfaSchema:namespaceURI>\(namespace)</pdfaSchema:namespaceURI>
        <pdfaSchema:prefix>fx</pdfaSchema:prefix>
        <pdfaSchema:property><rdf:Seq>

        """
            + prop("DocumentFileName", "The name of the embedded XML document")
            + prop("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER")
            + prop("Version", "The actual version of the standard applying to the embedded XML document")
            + prop("ConformanceLevel", "The conformance level of the embedded XML document")
            + """
            </rdf:Seq></pdfaSchema:property>
            </rdf:li></rdf:Bag></pdfaExtension:schemas>
            </rdf:Description>
            <rdf:Description rdf:about="" xmlns:fx="\(namespace)">
            <fx:DocumentType>INVOICE</fx:DocumentType>
            <fx:DocumentFileName>\(xmlFileName)</fx:DocumentFileName>
            <fx:Version>1.0</fx:Version>
            <fx:ConformanceLevel>\(profile.xmpLevel)</fx:ConformanceLevel>
            </rdf:Description>

            """
    }
}
