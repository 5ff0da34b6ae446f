import Foundation
import InvoiceFormats
import PDF

/// One problem with a Factur-X container. Rule ids are those of the reference checker
/// (`check_pdf.py`): `FX-ATTACHMENT`, `FX-AFRELATIONSHIP`, `PDFA-PART`...
public struct ContainerFinding: Sendable, Equatable {
    public var rule: String
    public var french: String
    public var english: String
    public init(_ rule: String, fr: String, en: String) {
        self.rule = rule
        self.french = fr
        self.english = en
    }
}

/// What the container check found: findings, and the embedded XML for the invoice rules.
public struct ContainerReport: Sendable {
    public var findings: [ContainerFinding] = []
    public var xml: Data?
    public var attachmentName: String?
    public var attachments: [String] = []
    public var relationship: String?
    public var mimeType: String?
    public var xmpLevel: String?
    public var xmpNamespace: String?
    public var pdfaPart: String?
    /// True when the PDF could not be opened at all (PDF-OPEN, PDF-ENCRYPTED).
    public var unreadable = false

    mutating func fail(_ rule: String, fr: String, en: String) {
        findings.append(ContainerFinding(rule, fr: fr, en: en))
    }
}

extension FacturX {
    public static let xmpLevels = ["MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED", "XRECHNUNG"]

    /// Checks the Factur-X container of a PDF: PDF/A-3 markers (XMP part, output intent, embedded fonts,
    /// trailer /ID), the attachment, its file specification (`/AFRelationship`, catalog `/AF`, MIME type)
    /// and the Factur-X XMP properties. Not a PDF/A validator, and signatures are not verified.
    public static func checkContainer(pdf data: Data) -> ContainerReport {
        var report = ContainerReport()
        let doc: PDFDocument
        do {
            doc = try PDFDocument(data: data)
        } catch PDFReadError.encrypted {
            report.unreadable = true
            report.fail("PDF-ENCRYPTED", fr: PDFReadError.encrypted.frenchDescription, en: PDFReadError.encrypted.description)
            return report
        } catch {
            let e = error as? PDFReadError ?? .syntax(offset: 0, what: "\(error)")
            report.unreadable = true
            report.fail("PDF-OPEN", fr: "PDF illisible : " + e.frenchDescription, en: "unreadable PDF: " + e.description)
            return report
        }
        do {
            try check(doc, into: &report)
        } catch {
            let e = error as? PDFReadError ?? .syntax(offset: 0, what: "\(error)")
            report.fail("PDF-OPEN", fr: "PDF illisible : " + e.frenchDescription, en: "unreadable PDF: " + e.description)
        }
        return report
    }

    static func check(_ doc: PDFDocument, into report: inout ContainerReport) throws {
        let catalog = try doc.catalog
        if doc.trailer["ID"] == nil {
            report.fail("PDF-TRAILER-ID", fr: "le trailer n'a pas d'/ID (exigé par PDF/A)", en: "the trailer has no /ID (required by PDF/A)")
        }
        // XMP
        var xmp: XMPPacket? = nil
        if catalog["Metadata"] == nil {
            report.fail("PDFA-XMP", fr: "le catalogue n'a pas de flux de métadonnées XMP (/Metadata)", en: "the catalog has no /Metadata XMP stream")
        } else {
            do {
                if let m = try doc.metadata() { xmp = try XMPPacket(m) } else { throw PDFReadError.syntax(offset: 0, what: "/Metadata is not a stream") }
            } catch {
                report.fail("PDFA-XMP", fr: "métadonnées XMP illisibles : \(error)", en: "XMP metadata not readable: \(error)")
            }
        }
        let part = xmp?.first(XMPPacket.pdfaid, "part")
        report.pdfaPart = part
        if part != "3" {
            report.fail("PDFA-PART", fr: "pdfaid:part vaut « \(part ?? "absent") », 3 attendu (PDF/A-3)",
                        en: "pdfaid:part is “\(part ?? "missing")”, 3 expected (PDF/A-3)")
        }
        // Output intent
        var intent = false
        for oi in try doc.resolve(catalog["OutputIntents"]).array ?? [] {
            if let d = try? doc.resolve(oi).dictionary, d["S"]?.name == "GTS_PDFA1", d["DestOutputProfile"] != nil { intent = true }
        }
        if !intent {
            report.fail("PDFA-OUTPUTINTENT", fr: "aucun /OutputIntents /GTS_PDFA1 avec un profil ICC",
                        en: "no /GTS_PDFA1 output intent with an ICC profile")
        }
        // Fonts
        let missing = nonEmbeddedFonts(doc)
        if !missing.isEmpty {
            let list = missing.prefix(10).joined(separator: ", ")
            report.fail("PDFA-FONTS", fr: "polices non embarquées : \(list)", en: "fonts not embedded: \(list)")
        }
        // Factur-X XMP properties
        var ns: String? = nil
        if let xmp {
            for candidate in [xmpNamespaceFacturX, xmpNamespaceZUGFeRD2, xmpNamespaceZUGFeRD1] where xmp.uses(candidate) {
                ns = candidate
                break
            }
        }
        report.xmpNamespace = ns
        let docType = ns.flatMap { xmp?.first($0, "DocumentType") }
        let docFile = ns.flatMap { xmp?.first($0, "DocumentFileName") }
        let version = ns.flatMap { xmp?.first($0, "Version") }
        let level = ns.flatMap { xmp?.first($0, "ConformanceLevel") }
        report.xmpLevel = level
        if ns != xmpNamespaceFacturX {
            let found = ns ?? (xmp == nil ? "pas de XMP" : "aucun espace de noms Factur-X/ZUGFeRD")
            let foundEn = ns ?? (xmp == nil ? "no XMP" : "no Factur-X/ZUGFeRD namespace")
            report.fail("FX-XMP-NAMESPACE", fr: "propriétés XMP Factur-X attendues dans \(xmpNamespaceFacturX) (trouvé : \(found))",
                        en: "Factur-X XMP properties expected in \(xmpNamespaceFacturX) (found: \(foundEn))")
        }
        if let ns, let xmp {
            if docType != "INVOICE" {
                report.fail("FX-XMP-DOCTYPE", fr: "fx:DocumentType vaut « \(docType ?? "absent") », INVOICE attendu",
                            en: "fx:DocumentType is “\(docType ?? "missing")”, INVOICE expected")
            }
            if version == nil {
                report.fail("FX-XMP-VERSION", fr: "fx:Version absent", en: "fx:Version missing")
            }
            if !xmpLevels.contains((level ?? "").uppercased()) {
                report.fail("FX-XMP-LEVEL", fr: "fx:ConformanceLevel vaut « \(level ?? "absent") », attendu l'un de \(xmpLevels.joined(separator: ", "))",
                            en: "fx:ConformanceLevel is “\(level ?? "missing")”, expected one of \(xmpLevels.joined(separator: ", "))")
            }
            if !xmp.extensionNamespaces.contains(ns) {
                report.fail("FX-XMP-EXTENSION", fr: "aucun schéma d'extension PDF/A ne déclare l'espace de noms \(ns)",
                            en: "no PDF/A extension schema declares the namespace \(ns)")
            }
        }
        // The attachment
        let files = try doc.attachments().filter(\.inNameTree)
        report.attachments = files.map(\.name)
        var allowed = ["factur-x.xml"]
        if (level ?? "").uppercased() == "XRECHNUNG" { allowed.append("xrechnung.xml") }
        var attachment = files.first { allowed.contains($0.name) }
        if attachment == nil {
            let known = Set(invoiceNames.map { $0.lowercased() })
            let candidate = files.first { known.contains($0.name.lowercased()) }
            let list = files.isEmpty ? "aucune" : files.map(\.name).joined(separator: ", ")
            let listEn = files.isEmpty ? "none" : files.map(\.name).joined(separator: ", ")
            report.fail("FX-ATTACHMENT",
                        fr: "aucune pièce jointe factur-x.xml (pièces jointes : \(list))" + (candidate != nil ? " ; nom ancien (ZUGFeRD) ou inattendu" : ""),
                        en: "no factur-x.xml attachment (attachments: \(listEn))" + (candidate != nil ? "; legacy (ZUGFeRD) or unexpected name" : ""))
            attachment = candidate
        }
        guard let a = attachment else { return }
        report.attachmentName = a.name
        if let docFile, docFile != a.name {
            report.fail("FX-XMP-FILENAME", fr: "le XMP nomme « \(docFile) », la pièce jointe s'appelle « \(a.name) »",
                        en: "XMP says “\(docFile)”, the attachment is “\(a.name)”")
        }
        report.relationship = a.relationship
        if !["Data", "Source", "Alternative"].contains(a.relationship ?? "") {
            report.fail("FX-AFRELATIONSHIP",
                        fr: "la spécification de fichier de \(a.name) n'a pas d'/AFRelationship Data, Source ou Alternative (\(a.relationship.map { "/" + $0 } ?? "absent"))",
                        en: "the file specification of \(a.name) has no /AFRelationship Data, Source or Alternative (\(a.relationship.map { "/" + $0 } ?? "missing"))")
        }
        if a.specReference == nil || !a.inCatalogAF {
            report.fail("FX-AF-ARRAY", fr: "le tableau /AF du catalogue ne référence pas la spécification de fichier de \(a.name)",
                        en: "the catalog /AF array does not reference the file specification of \(a.name)")
        }
        report.mimeType = a.mimeType
        do {
            if a.stream == nil { throw PDFReadError.syntax(offset: 0, what: "no /EF stream") }
            if (a.mimeType ?? "").lowercased() != "text/xml" {
                report.fail("FX-MIME", fr: "le type MIME (/Subtype) de \(a.name) est « \(a.mimeType ?? "absent") », text/xml attendu",
                            en: "the MIME type (/Subtype) of \(a.name) is “\(a.mimeType ?? "missing")”, text/xml expected")
            }
            report.xml = try doc.data(of: a)
        } catch {
            let e = error as? PDFReadError ?? .syntax(offset: 0, what: "\(error)")
            report.fail("FX-ATTACHMENT", fr: "lecture impossible de \(a.name) : \(e.frenchDescription)", en: "cannot read \(a.name): \(e.description)")
        }
    }

    /// FX-XMP-LEVEL-MISMATCH: the XMP level against the profile named by BT-24 (XRechnung files declare XRECHNUNG).
    public static func levelMismatch(xmpLevel: String?, specificationIdentifier bt24: String?) -> ContainerFinding? {
        guard let xmpLevel, let bt24, let profile = FacturXProfile(specificationIdentifier: bt24) else { return nil }
        let expected = profile.xmpLevel
        guard xmpLevel.uppercased() != expected else { return nil }
        if xmpLevel.uppercased() == "XRECHNUNG" && bt24.lowercased().contains("xrechnung") { return nil }
        return ContainerFinding("FX-XMP-LEVEL-MISMATCH",
                                fr: "le XMP déclare le profil « \(xmpLevel) » mais BT-24 (\(bt24)) désigne « \(expected) »",
                                en: "the XMP declares the profile “\(xmpLevel)” but BT-24 (\(bt24)) names “\(expected)”")
    }

    /// Fonts whose program is not embedded (Type 3 fonts are; Type 0 through their descendant).
    static func nonEmbeddedFonts(_ doc: PDFDocument) -> [String] {
        var missing: Set<String> = []
        func embedded(_ font: PDFDictionary, depth: Int) -> Bool {
            let sub = font["Subtype"]?.name
            if sub == "Type3" { return true }
            if sub == "Type0" {
                guard depth < 4, let d = try? doc.resolve(doc.resolve(font["DescendantFonts"]).array?.first).dictionary else { return false }
                return embedded(d, depth: depth + 1)
            }
            guard let fd = try? doc.resolve(font["FontDescriptor"]).dictionary else { return false }
            return fd["FontFile"] != nil || fd["FontFile2"] != nil || fd["FontFile3"] != nil
        }
        for n in doc.objectNumbers.prefix(200_000) {
            guard let obj = try? doc.object(PDFReference(n)), let d = obj.dictionary, d["Type"]?.name == "Font" else { continue }
            let sub = d["Subtype"]?.name
            if sub == "CIDFontType0" || sub == "CIDFontType2" { continue }
            if !embedded(d, depth: 0) { missing.insert(d["BaseFont"]?.name ?? "?") }
        }
        return missing.sorted()
    }
}
