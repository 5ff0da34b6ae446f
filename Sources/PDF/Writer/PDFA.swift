import Foundation

/// A moment, written the PDF way (`D:20261125093000Z`) and the XMP way (`2026-11-25T09:30:00Z`), in UTC.
public struct PDFDate: Sendable, Equatable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    public init(_ date: Date) {
        // Civil date from days since 1970 (H. Hinnant's algorithm): no Calendar, which costs more than a page.
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        var days = t / 86400, secs = t % 86400
        if secs < 0 { secs += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d, hour: secs / 3600, minute: secs % 3600 / 60,
                  second: secs % 60)
    }

    private static func p(_ v: Int, _ w: Int) -> String {
        let s = String(v)
        return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
    }

    public var pdfString: String {
        "D:\(Self.p(year, 4))\(Self.p(month, 2))\(Self.p(day, 2))\(Self.p(hour, 2))\(Self.p(minute, 2))\(Self.p(second, 2))+00'00'"
    }

    /// `xmpString`'s bytes, without building strings.
    func appendXMP(to o: inout PDFBytes) {
        // As `p`: zero-padded to the width, never cut (a year past 9999 keeps its digits).
        func put(_ v: Int, _ w: Int) {
            var limit = 1
            for _ in 0..<w { limit *= 10 }
            if v >= 0 && v < limit { o.append(padded: v, width: w) } else { o.append(string: Self.p(v, w)) }
        }
        put(year, 4); o.append(0x2D); put(month, 2); o.append(0x2D); put(day, 2); o.append(0x54)
        put(hour, 2); o.append(0x3A); put(minute, 2); o.append(0x3A); put(second, 2); o.append("+00:00")
    }

    public var xmpString: String {
        "\(Self.p(year, 4))-\(Self.p(month, 2))-\(Self.p(day, 2))T\(Self.p(hour, 2)):\(Self.p(minute, 2)):\(Self.p(second, 2))+00:00"
    }
}

/// A file carried inside the PDF and associated with the document (PDF/A-3 §6.8, ISO 32000-2 §14.13).
public struct AssociatedFile: Sendable {
    public var name: String
    public var data: Data
    public var mimeType: String
    /// `Data`, `Source`, `Alternative`, `Supplement` or `Unspecified`.
    public var relationship: String
    public var description: String?

    public init(name: String, data: Data, mimeType: String, relationship: String = "Data", description: String? = nil) {
        self.name = name
        self.data = data
        self.mimeType = mimeType
        self.relationship = relationship
        self.description = description
    }
}

/// An ICC profile for the document's output intent, compressed once and reused by every document.
public struct ICCProfile: Sendable {
    public let components: Int
    public let identifier: String
    let compressed: Data
    public let size: Int

    public init(data: Data, components: Int = 3, identifier: String = "sRGB IEC61966-2.1") {
        self.components = components
        self.identifier = identifier
        self.compressed = Zlib.compress(data, level: 9)
        self.size = data.count
    }
}

/// What a PDF/A-3b file says about itself: document information, XMP, output intent, associated files.
public struct PDFAOptions: Sendable {
    public var title: String
    public var author: String?
    public var subject: String?
    public var creator: String
    public var producer: String
    public var date: PDFDate
    /// The document's natural language (BCP 47), e.g. `fr-FR`.
    public var language: String?
    public var outputIntent: ICCProfile
    public var attachments: [AssociatedFile]
    /// Extra `rdf:Description` elements for the XMP packet (e.g. Factur-X properties and their
    /// PDF/A extension schema); written as given, so they must be well-formed XML.
    public var extraXMP: String
    /// zlib level for content streams, fonts and attachments (1 fastest … 9 smallest).
    public var compressionLevel: Int32
    public var fontCache: FontProgramCache?
    /// Packs the dictionaries into a compressed object stream with a cross-reference stream (smaller).
    public var objectStreams: Bool

    public init(title: String, author: String? = nil, subject: String? = nil, creator: String = "Facteur",
                producer: String = "Facteur PDF writer", date: PDFDate, language: String? = nil,
                outputIntent: ICCProfile, attachments: [AssociatedFile] = [], extraXMP: String = "",
                compressionLevel: Int32 = 6, fontCache: FontProgramCache? = nil, objectStreams: Bool = true) {
        self.title = title
        self.author = author
        self.subject = subject
        self.creator = creator
        self.producer = producer
        self.date = date
        self.language = language
        self.outputIntent = outputIntent
        self.attachments = attachments
        self.extraXMP = extraXMP
        self.compressionLevel = compressionLevel
        self.fontCache = fontCache
        self.objectStreams = objectStreams
    }
}

enum PDFA {
    static func writeCatalogParts(_ w: inout PDFFileWriter, catalog: PDFReference, pages: PDFReference, options a: PDFAOptions) throws {
        // PDF/A forbids filtering the metadata stream so that any tool can find it (ISO 19005-3 §6.6.2.1).
        let metadata = w.add(.stream(PDFDictionary([("Type", .name("Metadata")), ("Subtype", .name("XML"))]),
                                     Data(xmpBytes(a))))
        let icc = w.add(.stream(PDFDictionary([("N", .int(a.outputIntent.components)), ("Filter", .name("FlateDecode"))]),
                                a.outputIntent.compressed))
        let intent = w.add(.dictionary(PDFDictionary([
            ("Type", .name("OutputIntent")), ("S", .name("GTS_PDFA1")),
            ("OutputConditionIdentifier", PDFText.text(a.outputIntent.identifier)),
            ("Info", PDFText.text(a.outputIntent.identifier)),
            ("DestOutputProfile", .reference(icc)),
        ])))
        var specs: [PDFReference] = []
        var names: [PDFObject] = []
        for f in a.attachments.sorted(by: { $0.name < $1.name }) {
            var d = PDFDictionary([("Type", .name("EmbeddedFile")), ("Subtype", .name(f.mimeType))])
            d["Params"] = .dictionary(PDFDictionary([
                ("Size", .int(f.data.count)),
                ("CreationDate", PDFText.ascii(a.date.pdfString)),
                ("ModDate", PDFText.ascii(a.date.pdfString)),
            ]))
            let file = w.addStream(d, data: f.data, level: a.compressionLevel)
            var spec = PDFDictionary([
                ("Type", .name("Filespec")), ("F", PDFText.text(f.name)), ("UF", PDFText.text(f.name)),
                ("EF", .dictionary(PDFDictionary([("F", .reference(file)), ("UF", .reference(file))]))),
                ("AFRelationship", .name(f.relationship)),
            ])
            if let desc = f.description { spec["Desc"] = PDFText.text(desc) }
            let s = w.add(.dictionary(spec))
            specs.append(s)
            names.append(PDFText.text(f.name))
            names.append(.reference(s))
        }
        var cat = PDFDictionary([("Type", .name("Catalog")), ("Pages", .reference(pages)),
                                 ("Metadata", .reference(metadata)), ("OutputIntents", .array([.reference(intent)]))])
        if !specs.isEmpty {
            cat["Names"] = .dictionary(PDFDictionary([("EmbeddedFiles", .dictionary(PDFDictionary([("Names", .array(names))])))]))
            cat["AF"] = .array(specs.map { .reference($0) })
        }
        if let lang = a.language { cat["Lang"] = PDFText.text(lang) }
        cat["ViewerPreferences"] = .dictionary(PDFDictionary([("DisplayDocTitle", .bool(true))]))
        w.set(catalog, .dictionary(cat))
    }

    /// The document information dictionary; PDF/A wants each entry equal to its XMP counterpart.
    static func infoDictionary(_ a: PDFAOptions) -> PDFDictionary {
        var d = PDFDictionary([("Title", PDFText.text(a.title))])
        if let au = a.author { d["Author"] = PDFText.text(au) }
        if let s = a.subject { d["Subject"] = PDFText.text(s) }
        d["Creator"] = PDFText.text(a.creator)
        d["Producer"] = PDFText.text(a.producer)
        d["CreationDate"] = PDFText.ascii(a.date.pdfString)
        d["ModDate"] = PDFText.ascii(a.date.pdfString)
        return d
    }

    static func xmp(_ a: PDFAOptions) -> String {
        var s = "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        s += "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        s += "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
        s += "<pdfaid:part>3</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n</rdf:Description>\n"
        s += "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
        s += "<dc:format>application/pdf</dc:format>\n"
        s += "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(a.title))</rdf:li></rdf:Alt></dc:title>\n"
        if let au = a.author { s += "<dc:creator><rdf:Seq><rdf:li>\(escape(au))</rdf:li></rdf:Seq></dc:creator>\n" }
        if let su = a.subject {
            s += "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">\(escape(su))</rdf:li></rdf:Alt></dc:description>\n"
        }
        s += "</rdf:Description>\n"
        s += "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
        s += "<pdf:Producer>\(escape(a.producer))</pdf:Producer>\n</rdf:Description>\n"
        s += "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n"
        s += "<xmp:CreatorTool>\(escape(a.creator))</xmp:CreatorTool>\n"
        s += "<xmp:CreateDate>\(a.date.xmpString)</xmp:CreateDate>\n<xmp:ModifyDate>\(a.date.xmpString)</xmp:ModifyDate>\n"
        s += "<xmp:MetadataDate>\(a.date.xmpString)</xmp:MetadataDate>\n</rdf:Description>\n"
        s += a.extraXMP
        s += "</rdf:RDF>\n</x:xmpmeta>\n"
        // Room for in-place metadata edits, as the XMP specification recommends for writable packets.
        s += String(repeating: " ", count: 99) + "\n"
        s += "<?xpacket end=\"w\"?>"
        return s
    }

    static func escape(_ s: String) -> String { PDFText.xmlEscape(s) }

    /// `xmp(a)` as UTF-8, written straight as bytes (the same text: a test compares them); building the packet by
    /// String concatenation and escaping scalar by scalar cost as much as laying out a block of the page.
    static func xmpBytes(_ a: PDFAOptions) -> [UInt8] {
        var o = PDFBytes(capacity: 1200 + a.extraXMP.utf8.count)
        func esc(_ s: String) {
            for b in s.utf8 {
                switch b {
                case 0x26: o.append("&amp;")
                case 0x3C: o.append("&lt;")
                case 0x3E: o.append("&gt;")
                case 0x22: o.append("&quot;")
                // Control characters are not allowed in XML 1.0 (except tab and line breaks).
                case 0x09, 0x0A, 0x0D: o.append(b)
                case 0..<0x20: break
                default: o.append(b)
                }
            }
        }
        var date = PDFBytes(capacity: 25)
        a.date.appendXMP(to: &date)
        o.append("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
        o.append("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
        o.append("<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n")
        o.append("<pdfaid:part>3</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n</rdf:Description>\n")
        o.append("<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n")
        o.append("<dc:format>application/pdf</dc:format>\n")
        o.append("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">"); esc(a.title); o.append("</rdf:li></rdf:Alt></dc:title>\n")
        if let au = a.author { o.append("<dc:creator><rdf:Seq><rdf:li>"); esc(au); o.append("</rdf:li></rdf:Seq></dc:creator>\n") }
        if let su = a.subject {
            o.append("<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">"); esc(su); o.append("</rdf:li></rdf:Alt></dc:description>\n")
        }
        o.append("</rdf:Description>\n")
        o.append("<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n")
        o.append("<pdf:Producer>"); esc(a.producer); o.append("</pdf:Producer>\n</rdf:Description>\n")
        o.append("<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n")
        o.append("<xmp:CreatorTool>"); esc(a.creator); o.append("</xmp:CreatorTool>\n")
        o.append("<xmp:CreateDate>"); o.append(date.bytes); o.append("</xmp:CreateDate>\n<xmp:ModifyDate>")
        o.append(date.bytes); o.append("</xmp:ModifyDate>\n")
        o.append("<xmp:MetadataDate>"); o.append(date.bytes); o.append("</xmp:MetadataDate>\n</rdf:Description>\n")
        o.append(string: a.extraXMP)
        o.append("</rdf:RDF>\n</x:xmpmeta>\n")
        // Room for in-place metadata edits, as the XMP specification recommends for writable packets.
        o.append(Array(repeating: 0x20, count: 99))
        o.append("\n<?xpacket end=\"w\"?>")
        return o.bytes
    }
}

extension PDFText {
/// Escapes text for XML content and attribute values.
public static func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default:
            // Control characters are not allowed in XML 1.0 (except tab and line breaks).
            if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" { continue }
            out.unicodeScalars.append(c)
        }
    }
    return out
}
}
