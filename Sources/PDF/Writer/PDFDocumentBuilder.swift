import Foundation

/// An RGB colour, components 0…1 (device RGB, interpreted through the document's sRGB output intent).
public struct PDFColor: Sendable, Equatable {
    public var r: Double, g: Double, b: Double
    public init(_ r: Double, _ g: Double, _ b: Double) { self.r = r; self.g = g; self.b = b }
    public init(gray: Double) { self.init(gray, gray, gray) }
    public static let black = PDFColor(gray: 0)
    public static let white = PDFColor(gray: 1)
}

/// Builds the pages of a document: text in embedded TrueType fonts, lines, rectangles, images. Coordinates
/// are PDF points from the bottom-left corner. `finish` writes a PDF/A-3b file.
public final class PDFDocumentBuilder {
    public struct FontID: Hashable, Sendable { let index: Int }
    public struct ImageID: Hashable, Sendable { let index: Int }

    public let pageWidth: Double
    public let pageHeight: Double
    private var fonts: [EmbeddedFont] = []
    private var images: [PDFImage] = []
    /// Every page's content; the current one lives in `page` (its slot here is empty meanwhile), so that drawing
    /// appends to a plain stored property instead of going through the array on every operator.
    private var pages: [PDFBytes] = []
    private var page = PDFBytes()
    /// Fonts used on each page, as bits (a Set would hash on every text drawn).
    private var pageFonts: [UInt64] = []
    private var pageImages: [Set<Int>] = []
    /// What each page's graphics state already holds, so that unchanged colours, fonts and line widths are
    /// not repeated (they persist across text objects): a third of the content stream otherwise.
    private struct State { var fill: PDFColor?; var stroke: PDFColor?; var font: Int = -1; var size = 0.0; var lineWidth = -1.0 }
    private var states: [State] = []
    /// The current page's state (its slot in `states` is stale meanwhile), for the same reason as `page`.
    private var state = State()
    private var current = -1

    /// A4 portrait by default.
    public init(pageWidth: Double = 595.28, pageHeight: Double = 841.89) {
        self.pageWidth = pageWidth
        self.pageHeight = pageHeight
    }

    public func addFont(_ font: TrueTypeFont) -> FontID {
        fonts.append(EmbeddedFont(font: font, resourceName: "F\(fonts.count + 1)"))
        return FontID(index: fonts.count - 1)
    }

    public func addImage(_ image: PDFImage) -> ImageID {
        images.append(image)
        return ImageID(index: images.count - 1)
    }

    public func font(_ id: FontID) -> TrueTypeFont { fonts[id.index].font }

    /// See `EmbeddedFont.reserve`.
    public func reserve(_ s: String, font: FontID) { fonts[font.index].reserve(s) }

    @discardableResult
    public func newPage() -> Int {
        parkPage()
        pages.append(PDFBytes())
        page = PDFBytes(capacity: 16384)
        pageFonts.append(0)
        pageImages.append([])
        states.append(State())
        state = State()
        current = pages.count - 1
        return current
    }

    public var pageCount: Int { pages.count }

    /// Makes an earlier page current again, e.g. to write « page n / N » once N is known.
    public func selectPage(_ index: Int) {
        guard index != current else { return }
        parkPage()
        current = index
        swap(&page, &pages[current])
        state = states[current]
    }

    /// Puts the current page's content back in its slot.
    private func parkPage() {
        if current >= 0 {
            swap(&page, &pages[current])
            states[current] = state
        }
    }

    /// Every page's content, the current one included.
    private func allPages() -> [PDFBytes] {
        var all = pages
        if current >= 0 { all[current] = page }
        return all
    }

    public func textWidth(_ s: String, font: FontID, size: Double) -> Double {
        fonts[font.index].font.width(of: s, size: size)
    }

    public func text(_ s: String, x: Double, y: Double, font: FontID, size: Double, color: PDFColor = .black) {
        text(s, x: x, y: y, font: font, size: size, color: color, anchor: 0)
    }

    /// Text placed by a point of its own width: `anchor` 0 puts its start at `x`, 1 its end (right-aligned), 0.5
    /// its middle. Measured as `textWidth` measures, while it is encoded (one pass over the characters).
    public func text(_ s: String, x: Double, y: Double, font: FontID, size: Double, color: PDFColor = .black, anchor: Double) {
        guard !s.isEmpty else { return }
        setFill(color)
        let changeFont = state.font != font.index || state.size != size
        state.font = font.index
        state.size = size
        var px = x
        if anchor != 0 {
            // The string's bytes come after its position in the stream: encode it aside first.
            scratch.removeAll()
            let units = fonts[font.index].encode(s, into: &scratch, measuring: true)
            let width = Double(units) * size / Double(fonts[font.index].font.unitsPerEm)
            // × 1 and × 0.5 are exact: the same positions as `x - textWidth` and `x - textWidth / 2`.
            px = x - width * anchor
        }
        // The page's buffer is taken out for the whole text: each access to a class property is checked.
        var out = PDFBytes()
        swap(&out, &page)
        defer { swap(&out, &page) }
        out.append("BT ")
        if changeFont {
            out.append(0x2F); out.append(string: fonts[font.index].resourceName); out.append(0x20)
            out.append(real: size); out.append(" Tf ")
        }
        out.append(real: px); out.append(0x20); out.append(real: y); out.append(" Td (")
        if anchor != 0 {
            out.append(scratch.bytes)
        } else {
            fonts[font.index].encode(s, into: &out, measuring: false)
        }
        out.append(") Tj ET\n")
        if font.index < 64 { pageFonts[current] |= 1 << UInt64(font.index) }
    }

    private var scratch = PDFBytes(capacity: 256)

    public func rect(x: Double, y: Double, width: Double, height: Double, fill fillColor: PDFColor? = nil,
                     stroke: PDFColor? = nil, lineWidth: Double = 0.5) {
        if let fillColor { setFill(fillColor) }
        if let stroke { setStroke(stroke, lineWidth) }
        emit { c in
            c.append(real: x); c.append(0x20); c.append(real: y); c.append(0x20)
            c.append(real: width); c.append(0x20); c.append(real: height); c.append(" re ")
            switch (fillColor != nil, stroke != nil) {
            case (true, true): c.append("B\n")
            case (true, false): c.append("f\n")
            case (false, true): c.append("S\n")
            case (false, false): c.append("n\n")
            }
        }
    }

    public func line(x1: Double, y1: Double, x2: Double, y2: Double, color: PDFColor = .black, width: Double = 0.5) {
        setStroke(color, width)
        emit { c in
            c.append(real: x1); c.append(0x20); c.append(real: y1); c.append(" m ")
            c.append(real: x2); c.append(0x20); c.append(real: y2); c.append(" l S\n")
        }
    }

    public func image(_ id: ImageID, x: Double, y: Double, width: Double, height: Double) {
        emit { c in
            c.append("q "); c.append(real: width); c.append(" 0 0 "); c.append(real: height); c.append(0x20)
            c.append(real: x); c.append(0x20); c.append(real: y); c.append(" cm /Im"); c.append(int: id.index + 1)
            c.append(" Do Q\n")
        }
        pageImages[current].insert(id.index)
    }

    /// Edits the current page's content in place (a copy would make each call cost the whole page).
    private func emit(_ body: (inout PDFBytes) -> Void) { body(&page) }

    private func setFill(_ k: PDFColor) {
        guard state.fill != k else { return }
        state.fill = k
        emit { c in
            if k.r == k.g && k.g == k.b {
                c.append(real: k.r); c.append(" g ")
            } else {
                c.append(real: k.r); c.append(0x20); c.append(real: k.g); c.append(0x20); c.append(real: k.b); c.append(" rg ")
            }
        }
    }

    private func setStroke(_ k: PDFColor, _ width: Double) {
        if state.stroke != k {
            state.stroke = k
            emit { c in
                if k.r == k.g && k.g == k.b {
                    c.append(real: k.r); c.append(" G ")
                } else {
                    c.append(real: k.r); c.append(0x20); c.append(real: k.g); c.append(0x20); c.append(real: k.b); c.append(" RG ")
                }
            }
        }
        if state.lineWidth != width {
            state.lineWidth = width
            emit { c in c.append(real: width); c.append(" w ") }
        }
    }

    /// Writes the document as PDF/A-3b.
    public func finish(_ a: PDFAOptions) throws -> Data {
        var w = PDFFileWriter(version: "1.7")
        let catalog = w.allocate()
        let pagesRef = w.allocate()
        let fontRefs = fonts.map { _ in w.allocate() }
        let imageRefs = images.map { $0.write(to: &w) }
        var kids: [PDFObject] = []
        let pages = allPages()
        for (i, content) in pages.enumerated() {
            let contentRef = w.addStream(PDFDictionary(), data: content.data, level: a.compressionLevel)
            var fontDict = PDFDictionary()
            for f in fonts.indices where f >= 64 || pageFonts[i] & (1 << UInt64(f)) != 0 {
                fontDict[fonts[f].resourceName] = .reference(fontRefs[f])
            }
            var resources = PDFDictionary([("Font", .dictionary(fontDict))])
            if !pageImages[i].isEmpty {
                var x = PDFDictionary()
                for im in pageImages[i].sorted() { x["Im\(im + 1)"] = .reference(imageRefs[im]) }
                resources["XObject"] = .dictionary(x)
            }
            let page = w.add(.dictionary(PDFDictionary([
                ("Type", .name("Page")), ("Parent", .reference(pagesRef)),
                ("MediaBox", .array([.int(0), .int(0), .real(pageWidth), .real(pageHeight)])),
                ("Resources", .dictionary(resources)), ("Contents", .reference(contentRef)),
            ])))
            kids.append(.reference(page))
        }
        w.set(pagesRef, .dictionary(PDFDictionary([("Type", .name("Pages")), ("Kids", .array(kids)), ("Count", .int(kids.count))])))
        for (i, f) in fonts.enumerated() {
            f.write(to: &w, reference: fontRefs[i], tag: Self.subsetTag(i, f), compressionLevel: a.compressionLevel,
                    programCache: a.fontCache)
        }
        // The attachments and title carry what makes a document unique (for an invoice, its XML); hashing
        // the pages too would only repeat what they are drawn from.
        let id = pdfDocumentID([Data(a.title.utf8), Data(a.date.pdfString.utf8)] + (a.attachments.isEmpty ? pages.map(\.data) : a.attachments.map(\.data)))
        try PDFA.writeCatalogParts(&w, catalog: catalog, pages: pagesRef, options: a)
        let info = w.add(.dictionary(PDFA.infoDictionary(a)))
        return try w.finish(root: catalog, info: info, id: id, objectStreams: a.objectStreams, level: a.compressionLevel)
    }

    /// Six capital letters, different per font and per glyph set, as §9.6.4 asks of subset names.
    static func subsetTag(_ index: Int, _ f: EmbeddedFont) -> String {
        var h: UInt64 = 1469598103934665603 &+ UInt64(index)
        for g in f.glyphs { h = (h ^ UInt64(g)) &* 1099511628211 }
        var s = ""
        for _ in 0..<6 { s.append(Character(Unicode.Scalar(UInt8(65 + h % 26)))); h /= 26 }
        return s
    }
}
