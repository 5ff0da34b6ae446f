import Foundation
import InvoiceModel
import PDF

/// Lays an invoice out on A4 pages the way a careful accountant prints one: who bills whom, the document's
/// references, the lines, VAT per rate, totals, how to pay and the legal mentions. Everything shown comes
/// from the model (which came from the embedded XML), so the picture and the data cannot disagree.
///
/// Positions are measured from the top of the page (`y` grows downwards) and converted when drawing.
struct InvoiceLayout {
    let doc: PDFDocumentBuilder
    let inv: Invoice
    let regular: PDFDocumentBuilder.FontID
    let bold: PDFDocumentBuilder.FontID
    let logo: PDFDocumentBuilder.ImageID?
    let logoSize: (Int, Int)?
    let options: RenderOptions
    let fmt: RenderFormatter
    let fr: Bool

    let pageH: Double
    let left = 40.0
    let right: Double
    let bottom: Double
    var y = 40.0
    /// Baseline of the first reform mention, beside which the currency note goes.
    var mentionsBaseline: Double?

    static let gray = PDFColor(gray: 0.4)
    static let light = PDFColor(gray: 0.92)
    static let rule = PDFColor(gray: 0.75)
    static let accent = PDFColor(0.12, 0.25, 0.45)

    init(doc: PDFDocumentBuilder, invoice: Invoice, regular: PDFDocumentBuilder.FontID, bold: PDFDocumentBuilder.FontID,
         logo: PDFDocumentBuilder.ImageID?, logoSize: (Int, Int)?, options: RenderOptions) {
        self.doc = doc
        self.inv = invoice
        self.regular = regular
        self.bold = bold
        self.logo = logo
        self.logoSize = logoSize
        self.options = options
        self.fmt = RenderFormatter(language: options.language)
        self.fr = options.language == .fr
        self.pageH = doc.pageHeight
        self.right = doc.pageWidth - 40
        self.bottom = doc.pageHeight - 58
    }

    func tr(_ french: String, _ english: String) -> String { fr ? french : english }

    /// Substring test on UTF-8 bytes: Foundation's `contains` goes through NSString and locale machinery.
    func has(_ hay: String, _ needle: String) -> Bool { has(Array(hay.utf8), needle) }

    func has(_ h: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty, h.count >= n.count else { return n.isEmpty }
        for i in 0...(h.count - n.count) where h[i] == n[0] {
            var k = 1
            while k < n.count && h[i + k] == n[k] { k += 1 }
            if k == n.count { return true }
        }
        return false
    }

    /// `s.lowercased()` as UTF-8 bytes, the same scalar by scalar mapping, without building a String one
    /// scalar at a time (which made lowercasing the notes a noticeable share of a page).
    static func lowercasedUTF8(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            if u.value < 0x80 {
                let b = UInt8(u.value)
                out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
            } else {
                out.append(contentsOf: u.properties.lowercaseMapping.utf8)
            }
        }
        return out
    }

    // MARK: drawing primitives

    enum Align { case left, right, center }

    /// Draws one line of text whose baseline is `baseline` points below the top of the page.
    func text(_ s: String, _ x: Double, _ baseline: Double, size: Double = 8.5, bold isBold: Bool = false,
              color: PDFColor = .black, align: Align = .left) {
        let anchor: Double
        switch align {
        case .left: anchor = 0
        case .right: anchor = 1
        case .center: anchor = 0.5
        }
        doc.text(s, x: x, y: pageH - baseline, font: isBold ? bold : regular, size: size, color: color, anchor: anchor)
    }

    func width(_ s: String, size: Double, bold isBold: Bool = false) -> Double {
        doc.textWidth(s, font: isBold ? bold : regular, size: size)
    }

    /// `width` of a slice, without making a String of it: the same sum of advances, hence the same value.
    func width(_ s: Substring, size: Double, bold isBold: Bool = false) -> Double {
        doc.font(isBold ? bold : regular).width(of: s, size: size)
    }

    func hline(_ x1: Double, _ x2: Double, _ yy: Double, color: PDFColor = rule, width: Double = 0.5) {
        doc.line(x1: x1, y1: pageH - yy, x2: x2, y2: pageH - yy, color: color, width: width)
    }

    func box(_ x: Double, _ top: Double, _ w: Double, _ h: Double, fill: PDFColor? = nil, stroke: PDFColor? = nil) {
        doc.rect(x: x, y: pageH - top - h, width: w, height: h, fill: fill, stroke: stroke, lineWidth: 0.5)
    }

    /// Whether `s` holds a line feed, searched in its contiguous UTF-8 (the generic `contains` on `utf8`
    /// costs about as much as measuring the text).
    static func hasNewline(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { $0.contains(10) }
    }

    /// Greedy word wrap; words longer than the width are cut. Each word is measured once.
    ///
    /// Paragraphs and words are found on the UTF-8 bytes when that splits exactly where `split` on Characters
    /// would (no CR, and ASCII on both sides of every space); otherwise `wrapCharacters` does it. Same lines,
    /// same widths (the same additions in the same order), without an array of substrings per paragraph.
    func wrap(_ s: String, width maxW: Double, size: Double, bold isBold: Bool = false) -> [String] {
        if !Self.hasNewline(s) && width(s, size: size, bold: isBold) <= maxW { return [s] }
        guard Self.spacesAreCharacters(s) else { return wrapCharacters(s, width: maxW, size: size, bold: isBold) }
        var lines = LineFiller(width: maxW, space: width(" ", size: size, bold: isBold))
        var wordStart: String.Index?
        var i = s.utf8.startIndex
        while i < s.utf8.endIndex {
            let b = s.utf8[i]
            if b == 0x20 || b == 0x0A {
                if let w = wordStart { lines.add(s[w..<i], self, size: size, bold: isBold); wordStart = nil }
                if b == 0x0A { lines.endParagraph() }
            } else if wordStart == nil {
                wordStart = i
            }
            i = s.utf8.index(after: i)
        }
        if let w = wordStart { lines.add(s[w..<s.endIndex], self, size: size, bold: isBold) }
        return lines.finish()
    }

    /// Whether every space and line feed of `s` is a Character of its own, so that splitting its bytes gives
    /// what `split(separator:)` gives: no CR (CR LF is one Character), and no space that joins the scalar before
    /// or after it into one Character (a combining mark after it, a prepended mark before it). Whether two
    /// scalars join depends on them alone for a space (the other grapheme rules need emoji or flags on both sides).
    static func spacesAreCharacters(_ s: String) -> Bool {
        func join(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
            var t = ""
            t.unicodeScalars.append(a)
            t.unicodeScalars.append(b)
            return t.count != 2
        }
        var prev: Unicode.Scalar?
        for u in s.unicodeScalars {
            if u.value == 0x0D { return false }
            if let p = prev {
                if u.value == 0x20 && p.value >= 0x80 && join(p, u) { return false }
                if p.value == 0x20 && u.value >= 0x80 && join(p, u) { return false }
            }
            prev = u
        }
        return true
    }

    /// `wrap` on Characters: paragraphs split at "\n" and words at " " as `split` sees them (a space that a
    /// combining mark follows is part of a letter, "\r\n" is one Character); the reference for `wrap`.
    func wrapCharacters(_ s: String, width maxW: Double, size: Double, bold isBold: Bool = false) -> [String] {
        if !Self.hasNewline(s) && width(s, size: size, bold: isBold) <= maxW { return [s] }
        var lines = LineFiller(width: maxW, space: width(" ", size: size, bold: isBold))
        for (k, para) in s.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if k > 0 { lines.endParagraph() }
            for word in para.split(separator: " ", omittingEmptySubsequences: true) {
                lines.add(word, self, size: size, bold: isBold)
            }
        }
        return lines.finish()
    }

    /// Greedy line filling, whichever way the words were found: a word joins the current line if it fits,
    /// else starts the next one, and a word wider than the line on its own is cut. Each word is measured once.
    struct LineFiller {
        let width: Double
        let space: Double
        private var out: [String] = []
        private var line = ""
        private var lineW = 0.0

        init(width: Double, space: Double) {
            self.width = width
            self.space = space
        }

        mutating func add(_ word: Substring, _ layout: InvoiceLayout, size: Double, bold: Bool) {
            let ww = layout.width(word, size: size, bold: bold)
            if line.isEmpty && ww <= width { line = String(word); lineW = ww; return }
            if !line.isEmpty && lineW + space + ww <= width { line += " "; line += word; lineW += space + ww; return }
            if !line.isEmpty { out.append(line); line = ""; lineW = 0 }
            var w = String(word)
            while layout.width(w, size: size, bold: bold) > width && w.count > 1 {
                var cut = w.count - 1
                while cut > 1 && layout.width(String(w.prefix(cut)), size: size, bold: bold) > width { cut -= 1 }
                out.append(String(w.prefix(cut)))
                w = String(w.dropFirst(cut))
            }
            line = w
            lineW = layout.width(w, size: size, bold: bold)
        }

        /// A line feed: the current line ends, even empty (an empty paragraph is an empty line).
        mutating func endParagraph() {
            out.append(line)
            line = ""
            lineW = 0
        }

        /// The lines (the last one ended), without the empty ones a text ends with.
        mutating func finish() -> [String] {
            endParagraph()
            while out.count > 1 && out.last == "" { out.removeLast() }
            return out
        }
    }

    // MARK: pages

    mutating func run() {
        doc.reserve("0123456789 ,.-€%/:", font: regular)
        doc.reserve("0123456789 ,.-€%", font: bold)
        doc.newPage()
        y = 40
        header()
        parties()
        mentions()
        lineTable()
        documentAllowanceCharges()
        summary()
        closing()
        footers()
    }

    /// Starts a new page; `tableHeader` repeats the column titles when the lines continue there.
    mutating func newPage(tableHeader: Bool = false) {
        doc.newPage()
        y = 40
        text("\(RenderLabels.documentTitle(inv.typeCode, fr)) \(inv.invoiceNumber) — \(tr("suite", "continued"))",
             left, y + 9, size: 9, bold: true, color: Self.accent)
        y += 22
        if tableHeader { columnHeader() }
    }

    mutating func ensure(_ h: Double, tableHeader: Bool = false) {
        if y + h > bottom { newPage(tableHeader: tableHeader) }
    }

    mutating func footers() {
        let n = doc.pageCount
        var legal: [String] = [inv.seller.name]
        if let info = inv.seller.additionalLegalInformation, !info.isEmpty { legal.append(info) }
        if let siren = sellerSIREN() { legal.append("SIREN \(siren)") }
        if let vat = inv.seller.vatIdentifier { legal.append(tr("TVA ", "VAT ") + vat) }
        let line = wrap(legal.joined(separator: " · "), width: right - left - 70, size: 6.5)
        for p in 0..<n {
            doc.selectPage(p)
            hline(left, right, pageH - 46)
            for (i, l) in line.prefix(2).enumerated() { text(l, left, pageH - 36 + Double(i) * 8, size: 6.5, color: Self.gray) }
            text("\(tr("Page", "Page")) \(p + 1) / \(n)", right, pageH - 36, size: 7.5, align: .right)
        }
    }

    // MARK: header

    func sellerSIREN() -> String? {
        if let l = inv.seller.legalRegistrationIdentifier, l.scheme == "0002" || l.value.count == 9 { return l.value }
        return nil
    }

    func identifierLines(legal: Identifier?, others: [Identifier], vat: String?) -> [String] {
        var out: [String] = []
        if let l = legal {
            let digits = l.value.filter(\.isNumber)
            if l.scheme == "0002" || (digits.count == 9 && l.value.count == 9) { out.append("SIREN : \(l.value)") }
            else if l.scheme == "0009" || (digits.count == 14 && l.value.count == 14) { out.append("SIRET : \(l.value)") }
            else { out.append(tr("Immatriculation : ", "Registration: ") + l.value) }
        }
        for i in others where i.scheme == "0009" {
            // SIREN and SIRET share a line: the header's height decides whether a short invoice fits one page.
            if let last = out.last, last.hasPrefix("SIREN") { out[out.count - 1] = last + " · SIRET : \(i.value)" }
            else { out.append("SIRET : \(i.value)") }
        }
        if let v = vat { out.append(tr("N° TVA : ", "VAT no.: ") + v) }
        if !fr { out = out.map { $0.replacingOccurrences(of: " : ", with: ": ") } }
        return out
    }

    func addressLines(_ a: PostalAddress) -> [String] {
        var out: [String] = []
        for l in [a.line1, a.line2, a.line3] { if let l, !l.isEmpty { out.append(l) } }
        let city = [a.postCode, a.city].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        if !city.isEmpty { out.append(city) }
        if let s = a.countrySubdivision, !s.isEmpty { out.append(s) }
        if !a.countryCode.isEmpty && a.countryCode != "FR" { out.append(a.countryCode) }
        return out
    }

    mutating func header() {
        let top = y
        var ly = top
        let s = inv.seller
        let colW = 270.0
        for l in wrap(s.name, width: colW, size: 12, bold: true) { text(l, left, ly + 11, size: 12, bold: true); ly += 14 }
        if let t = s.tradingName, !t.isEmpty, t != s.name { text(t, left, ly + 8, size: 8.5, color: Self.gray); ly += 11 }
        var lines = addressLines(s.postalAddress)
        if let info = s.additionalLegalInformation, !info.isEmpty { lines += wrap(info, width: colW, size: 8) }
        lines += identifierLines(legal: s.legalRegistrationIdentifier, others: s.identifiers, vat: s.vatIdentifier)
        if let t = s.taxRegistrationIdentifier { lines.append(tr("N° fiscal : ", "Tax no.: ") + t) }
        if let c = s.contact {
            let parts = [c.name, c.telephone, c.email].compactMap { $0 }.filter { !$0.isEmpty }
            if !parts.isEmpty { lines += wrap(parts.joined(separator: " · "), width: colW, size: 8) }
        }
        if let rep = inv.sellerTaxRepresentative {
            lines += wrap(tr("Représentant fiscal : ", "Tax representative: ") + rep.name + " (" + rep.vatIdentifier + ")",
                          width: colW, size: 8)
        }
        for l in lines { text(l, left, ly + 8, size: 8); ly += 10 }

        // Right column: what the document is.
        var ry = top
        let rx = right
        // The logo heads the right-hand column, whose references are usually shorter than the seller's
        // identity on the left: the page keeps its height for the lines.
        if let logo, let (w, h) = logoSize {
            let scale = min(160 / Double(w), 40 / Double(h))
            let lw = Double(w) * scale, lh = Double(h) * scale
            doc.image(logo, x: rx - lw, y: pageH - ry - lh, width: lw, height: lh)
            ry += lh + 6
        }
        text(RenderLabels.documentTitle(inv.typeCode, fr).uppercased(), rx, ry + 17, size: 17, bold: true, color: Self.accent, align: .right)
        ry += 24
        text(tr("N° ", "No. ") + inv.invoiceNumber, rx, ry + 10, size: 10.5, bold: true, align: .right)
        ry += 15
        var refs: [(String, String)] = []
        if let d = inv.issueDate { refs.append((tr("Date d'émission", "Issue date"), fmt.date(d))) }
        if let d = inv.paymentDueDate { refs.append((tr("Échéance", "Due date"), fmt.date(d))) }
        if let d = inv.vatPointDate { refs.append((tr("Date d'exigibilité de la TVA", "VAT point date"), fmt.date(d))) }
        if let p = inv.invoicingPeriod, p.startDate != nil || p.endDate != nil {
            refs.append((tr("Période", "Period"), period(p)))
        }
        if let d = inv.delivery?.actualDeliveryDate { refs.append((tr("Date de livraison", "Delivery date"), fmt.date(d))) }
        if let r = inv.buyerReference { refs.append((tr("Code service", "Buyer reference"), r)) }
        if let r = inv.purchaseOrderReference { refs.append((tr("Engagement / bon de commande", "Purchase order"), r)) }
        if let r = inv.contractReference { refs.append((tr("Contrat", "Contract"), r)) }
        if let r = inv.projectReference { refs.append((tr("Projet", "Project"), r)) }
        if let r = inv.salesOrderReference { refs.append((tr("Commande fournisseur", "Sales order"), r)) }
        if let r = inv.tenderOrLotReference { refs.append((tr("Marché / lot", "Tender or lot"), r)) }
        if let r = inv.despatchAdviceReference { refs.append((tr("Bon de livraison", "Despatch advice"), r)) }
        if let r = inv.receivingAdviceReference { refs.append((tr("Bon de réception", "Receiving advice"), r)) }
        if let r = inv.buyerAccountingReference { refs.append((tr("Référence comptable", "Accounting reference"), r)) }
        for p in inv.precedingInvoices {
            refs.append((tr("Facture d'origine", "Preceding invoice"),
                         p.reference + (p.issueDate.map { tr(" du ", " of ") + fmt.date($0) } ?? "")))
        }
        if inv.currencyCode != "EUR" { refs.append((tr("Devise", "Currency"), inv.currencyCode)) }
        for (label, value) in refs {
            let lw = width(label + " :", size: 8, bold: false)
            let vlines = wrap(value, width: max(80, 235 - lw), size: 8, bold: true)
            text(label + (fr ? " :" : ":"), rx - 240, ry + 8, size: 8, color: Self.gray)
            for v in vlines { text(v, rx, ry + 8, size: 8, bold: true, align: .right); ry += 10 }
        }
        y = max(ly, ry) + 10
    }

    func period(_ p: Period) -> String {
        switch (p.startDate, p.endDate) {
        case (let a?, let b?): return tr("du ", "") + fmt.date(a) + tr(" au ", " – ") + fmt.date(b)
        case (let a?, nil): return tr("à partir du ", "from ") + fmt.date(a)
        case (nil, let b?): return tr("jusqu'au ", "until ") + fmt.date(b)
        default: return ""
        }
    }

    mutating func parties() {
        let b = inv.buyer
        let bx = 300.0, bw = right - 300
        var lines: [(String, Bool)] = []
        for l in wrap(b.name, width: bw - 16, size: 10, bold: true) { lines.append((l, true)) }
        if let t = b.tradingName, !t.isEmpty, t != b.name { lines.append((t, false)) }
        for l in addressLines(b.postalAddress) { lines.append((l, false)) }
        for l in identifierLines(legal: b.legalRegistrationIdentifier, others: b.identifier.map { [$0] } ?? [], vat: b.vatIdentifier) {
            lines.append((l, false))
        }
        if let c = b.contact {
            let parts = [c.name, c.telephone, c.email].compactMap { $0 }.filter { !$0.isEmpty }
            for l in wrap(parts.joined(separator: " · "), width: bw - 16, size: 8) where !parts.isEmpty { lines.append((l, false)) }
        }
        let bh = 22 + Double(lines.count) * 11
        box(bx, y, bw, bh, stroke: Self.rule)
        text(tr("CLIENT", "BILL TO"), bx + 8, y + 12, size: 7, bold: true, color: Self.gray)
        var by = y + 16
        for (l, isBold) in lines {
            text(l, bx + 8, by + 9, size: isBold ? 10 : 8.5, bold: isBold)
            by += 11
        }

        // Delivery address, only when there is one to say (décret 2022-1299: when it differs).
        var dh = 0.0
        if let d = inv.delivery, d.address != nil || d.partyName != nil,
           d.address.map({ $0 != b.postalAddress }) ?? true {
            var dl: [String] = []
            if let n = d.partyName { dl += wrap(n, width: 240, size: 8.5, bold: true) }
            if let a = d.address { dl += addressLines(a) }
            if let l = d.locationIdentifier { dl.append(tr("Lieu : ", "Location: ") + l.value) }
            dh = 22 + Double(dl.count) * 11
            box(left, y, 250, dh, stroke: Self.rule)
            text(tr("ADRESSE DE LIVRAISON", "DELIVER TO"), left + 8, y + 12, size: 7, bold: true, color: Self.gray)
            var dy = y + 16
            for (i, l) in dl.enumerated() { text(l, left + 8, dy + 9, size: 8.5, bold: i == 0 && d.partyName != nil); dy += 11 }
        }
        y += max(bh, dh) + 8
    }

    /// The reform's mentions: category of operation and the option for VAT on debits.
    mutating func mentions() {
        var lines: [String] = []
        if let c = RenderLabels.operationCategory(inv.processControl.businessProcessType, fr) {
            lines.append(tr("Catégorie d'opération : ", "Category of operation: ") + c)
        }
        let debit = inv.vatPointDateCode == "5" || inv.vatPointDateCode == "3"
        let noted = inv.notes.contains { has(Self.lowercasedUTF8($0.text), "débits") }
        if debit && !noted {
            lines.append(tr("Option pour le paiement de la taxe d'après les débits", "VAT on debits (option for payment of VAT on invoicing)"))
        }
        mentionsBaseline = lines.isEmpty ? nil : y + 8
        for l in lines { text(l, left, y + 8, size: 8, bold: true); y += 11 }
        if !lines.isEmpty { y += 2 }
    }

    // MARK: lines

    struct Column { let title: String; let width: Double; let align: Align }

    var columns: [Column] {
        [Column(title: tr("Désignation", "Description"), width: 203, align: .left),
         Column(title: tr("Qté", "Qty"), width: 48, align: .right),
         Column(title: tr("Unité", "Unit"), width: 36, align: .left),
         Column(title: tr("PU HT", "Unit price"), width: 62, align: .right),
         Column(title: tr("Remise", "Discount"), width: 50, align: .right),
         Column(title: tr("TVA", "VAT"), width: 38, align: .right),
         Column(title: tr("Total HT", "Net amount"), width: right - left - 437, align: .right)]
    }

    mutating func columnHeader() {
        box(left, y, right - left, 16, fill: Self.light)
        var x = left
        for c in columns {
            switch c.align {
            case .left: text(c.title, x + 4, y + 11, size: 7.5, bold: true)
            case .right: text(c.title, x + c.width - 4, y + 11, size: 7.5, bold: true, align: .right)
            case .center: text(c.title, x + c.width / 2, y + 11, size: 7.5, bold: true, align: .center)
            }
            x += c.width
        }
        y += 20
    }

    func rate(_ category: String, _ r: Decimal?) -> String {
        if let r, category != "O" { return fmt.percent(r) }
        return category
    }

    mutating func lineTable() {
        let currency = inv.currencyCode == "EUR" ? tr("euros (EUR)", "euros (EUR)") : inv.currencyCode
        ensure(60)
        if let m = mentionsBaseline, doc.pageCount == 1 {
            text(tr("Montants en ", "Amounts in ") + currency, right, m, size: 7, color: Self.gray, align: .right)
        } else {
            text(tr("Montants en ", "Amounts in ") + currency, right, y + 7, size: 7, color: Self.gray, align: .right)
            y += 10
        }
        columnHeader()
        let cols = columns
        let descW = cols[0].width - 8
        for line in inv.lines {
            var desc: [(String, Bool, Double)] = []
            for l in wrap(line.item.name, width: descW, size: 8.5) { desc.append((l, false, 8.5)) }
            var extra: [String] = []
            if let d = line.item.description, !d.isEmpty, d != line.item.name { extra.append(d) }
            if let n = line.note, !n.isEmpty { extra.append(n) }
            if let id = line.item.sellerIdentifier { extra.append(tr("Réf. ", "Ref. ") + id) }
            if let p = line.period, p.startDate != nil || p.endDate != nil { extra.append(tr("Période ", "Period ") + period(p)) }
            if let g = line.price.grossPrice, let disc = line.price.discount, disc != 0 {
                extra.append(tr("Prix brut ", "Gross price ") + fmt.number(g, minFraction: 2) + tr(", remise ", ", discount ")
                             + fmt.number(disc, minFraction: 2))
            }
            for c in line.charges {
                extra.append(tr("Frais ", "Charge ") + (c.reason ?? "") + " +" + fmt.amount(c.amount ?? 0))
            }
            for a in line.allowances where a.reason != nil {
                extra.append(tr("Remise : ", "Allowance: ") + (a.reason ?? "") + (a.percentage.map { " (" + fmt.percent($0) + ")" } ?? ""))
            }
            for e in extra { for l in wrap(e, width: descW, size: 7) { desc.append((l, true, 7)) } }
            let h = desc.reduce(0.0) { $0 + ($1.2 > 8 ? 10.5 : 9) } + 4
            ensure(h, tableHeader: true)
            var x = left
            var values: [String] = []
            values.append(fmt.number(line.quantity))
            values.append(RenderLabels.unit(line.unitCode, fr))
            var price = fmt.number(line.price.netPrice, minFraction: 2)
            if let base = line.price.baseQuantity, base != 1 { price += " / " + fmt.number(base) }
            values.append(price)
            let allowances = line.allowances.reduce(Decimal(0)) { $0 + ($1.amount ?? 0) }
            values.append(allowances == 0 ? "" : "-" + fmt.amount(allowances))
            values.append(rate(line.vat.categoryCode, line.vat.rate))
            values.append(fmt.amount(line.netAmount))
            var dy = y
            for (l, small, size) in desc {
                text(l, x + 4, dy + (small ? 7 : 8.5), size: size, color: small ? Self.gray : .black)
                dy += small ? 9 : 10.5
            }
            x += cols[0].width
            for (i, v) in values.enumerated() {
                let c = cols[i + 1]
                if c.align == .right { text(v, x + c.width - 4, y + 8.5, size: 8.5, align: .right) }
                else { text(v, x + 4, y + 8.5, size: 8.5) }
                x += c.width
            }
            y += h
            hline(left, right, y - 2.5, color: PDFColor(gray: 0.88))
        }
        y += 6
    }

    mutating func documentAllowanceCharges() {
        guard !inv.allowanceCharges.isEmpty else { return }
        ensure(30 + 11 * Double(inv.allowanceCharges.count))
        text(tr("Remises et frais sur le document", "Document allowances and charges"), left, y + 9, size: 9, bold: true)
        y += 14
        for ac in inv.allowanceCharges {
            ensure(11)
            var label = ac.isCharge ? tr("Frais", "Charge") : tr("Remise", "Allowance")
            if let r = ac.reason, !r.isEmpty { label += tr(" : ", ": ") + r } else if let c = ac.reasonCode { label += " (" + c + ")" }
            if let p = ac.percentage, let b = ac.baseAmount {
                label += " — " + fmt.percent(p) + tr(" de ", " of ") + fmt.amount(b)
            }
            label += " — " + tr("TVA ", "VAT ") + rate(ac.vatCategoryCode ?? "", ac.vatRate)
            for (i, l) in wrap(label, width: 400, size: 8).enumerated() {
                text(l, left, y + 8, size: 8)
                if i == 0 {
                    text((ac.isCharge ? "" : "-") + fmt.money(ac.amount ?? 0, inv.currencyCode), right - 4, y + 8, size: 8, align: .right)
                }
                y += 11
            }
        }
        y += 6
    }

    // MARK: VAT and totals

    mutating func summary() {
        let t = inv.totals
        let cur = inv.currencyCode
        var rows: [(String, String, Bool)] = []
        rows.append((tr("Total HT des lignes", "Sum of line net amounts"), fmt.money(t.sumOfLineNetAmounts, cur), false))
        if let a = t.sumOfAllowances, a != 0 { rows.append((tr("Remises", "Allowances"), "-" + fmt.money(a, cur), false)) }
        if let c = t.sumOfCharges, c != 0 { rows.append((tr("Frais", "Charges"), fmt.money(c, cur), false)) }
        rows.append((tr("Total HT", "Total excl. VAT"), fmt.money(t.totalWithoutVAT, cur), true))
        rows.append((tr("Total TVA", "Total VAT"), fmt.money(t.totalVAT ?? 0, cur), false))
        if let v = t.totalVATInAccountingCurrency, let c = inv.vatAccountingCurrencyCode {
            rows.append((tr("TVA en ", "VAT in ") + c, fmt.money(v, c), false))
        }
        rows.append((tr("Total TTC", "Total incl. VAT"), fmt.money(t.totalWithVAT, cur), true))
        if let p = t.paidAmount, p != 0 { rows.append((tr("Déjà payé", "Paid amount"), "-" + fmt.money(p, cur), false)) }
        if let r = t.roundingAmount, r != 0 { rows.append((tr("Arrondi", "Rounding"), fmt.money(r, cur), false)) }
        let totalsH = Double(rows.count) * 13 + 26

        // VAT breakdown rows, each with its exemption reason underneath.
        let vx = left, vw = 285.0
        var vatRows: [(String, String, String, [String])] = []
        for v in inv.vatBreakdown {
            var label = RenderLabels.vatCategory(v.categoryCode, fr)
            if let r = v.rate, v.categoryCode != "O" { label += " " + fmt.percent(r) }
            var reason: [String] = []
            let why = [v.exemptionReason, v.exemptionReasonCode].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ")
            if !why.isEmpty { reason = wrap(why, width: vw - 8, size: 7) }
            vatRows.append((label, fmt.amount(v.taxableAmount), fmt.amount(v.taxAmount), reason))
        }
        let vatH = 20 + vatRows.reduce(0.0) { $0 + 12 + Double($1.3.count) * 9 }
        ensure(max(totalsH, vatH) + 10)
        let top = y

        box(vx, y, vw, 16, fill: Self.light)
        text(tr("TVA", "VAT"), vx + 4, y + 11, size: 7.5, bold: true)
        text(tr("Base HT", "Taxable"), vx + 200, y + 11, size: 7.5, bold: true, align: .right)
        text(tr("Montant TVA", "VAT amount"), vx + vw - 4, y + 11, size: 7.5, bold: true, align: .right)
        var vy = y + 20
        for (label, base, amount, reason) in vatRows {
            text(label, vx + 4, vy + 8, size: 8)
            text(base, vx + 200, vy + 8, size: 8, align: .right)
            text(amount, vx + vw - 4, vy + 8, size: 8, align: .right)
            vy += 12
            for r in reason { text(r, vx + 4, vy + 6, size: 7, color: Self.gray); vy += 9 }
        }

        let tx = right - 215, tw = 215.0
        var ty = top
        for (label, value, isBold) in rows {
            text(label, tx + 4, ty + 9, size: 8.5, bold: isBold)
            text(value, tx + tw - 4, ty + 9, size: 8.5, bold: isBold, align: .right)
            ty += 13
        }
        ty += 3
        box(tx, ty, tw, 20, fill: Self.accent)
        text(inv.isCreditNote ? tr("Montant à rembourser", "Amount to refund") : tr("Net à payer", "Amount due"),
             tx + 6, ty + 13.5, size: 10, bold: true, color: .white)
        text(fmt.money(t.amountDueForPayment, cur), tx + tw - 6, ty + 13.5, size: 10, bold: true, color: .white, align: .right)
        y = max(vy, ty + 20) + 16
    }

    // MARK: payment, legal mentions, notes

    mutating func paragraph(_ title: String?, _ lines: [String], size: Double = 8) {
        guard !lines.isEmpty else { return }
        let wrapped = lines.flatMap { wrap($0, width: right - left, size: size) }
        ensure(min(Double(wrapped.count), 4) * (size + 3) + (title == nil ? 0 : 14))
        if let title {
            text(title, left, y + 9, size: 9, bold: true, color: Self.accent)
            y += 13
        }
        for l in wrapped {
            ensure(size + 3)
            text(l, left, y + size, size: size)
            y += size + 3
        }
        y += 6
    }

    func formatIBAN(_ s: String) -> String {
        let compact = s.filter { !$0.isWhitespace }
        guard compact.count > 8, compact.prefix(2).allSatisfy(\.isLetter) else { return s }
        var out = ""
        for (i, c) in compact.enumerated() { if i > 0 && i % 4 == 0 { out += " " }; out.append(c) }
        return out
    }

    func paymentLines() -> [String] {
        var lines: [String] = []
        if let d = inv.paymentDueDate { lines.append(tr("Date d'échéance : ", "Due date: ") + fmt.date(d)) }
        if let terms = inv.paymentTerms, !terms.isEmpty { lines.append(tr("Conditions : ", "Terms: ") + terms) }
        if let p = inv.paymentInstructions {
            var means = RenderLabels.paymentMeans(p.meansTypeCode, fr) ?? ""
            if let t = p.meansText, !t.isEmpty { means = means.isEmpty ? t : means + " (" + t + ")" }
            if !means.isEmpty { lines.append(tr("Moyen de paiement : ", "Payment means: ") + means) }
            for ct in p.creditTransfers {
                var l = (ct.isProprietaryAccountIdentifier ? tr("Compte : ", "Account: ") : "IBAN : ") + formatIBAN(ct.accountIdentifier)
                if let bic = ct.serviceProviderIdentifier { l += "   BIC : " + bic }
                if let n = ct.accountName { l += tr("   Titulaire : ", "   Holder: ") + n }
                lines.append(fr ? l : l.replacingOccurrences(of: " : ", with: ": "))
            }
            if let r = p.remittanceInformation { lines.append(tr("Référence à rappeler : ", "Payment reference: ") + r) }
            if let dd = p.directDebit {
                var parts: [String] = []
                if let m = dd.mandateReference { parts.append(tr("mandat ", "mandate ") + m) }
                if let c = dd.creditorIdentifier { parts.append(tr("ICS ", "creditor id ") + c) }
                if let a = dd.debitedAccountIdentifier { parts.append(tr("compte débité ", "debited account ") + formatIBAN(a)) }
                if !parts.isEmpty { lines.append(tr("Prélèvement : ", "Direct debit: ") + parts.joined(separator: ", ")) }
            }
            if let card = p.paymentCard {
                lines.append(tr("Carte : ", "Card: ") + card.primaryAccountNumber + (card.holderName.map { " (" + $0 + ")" } ?? ""))
            }
        }
        if let payee = inv.payee { lines.append(tr("Bénéficiaire du paiement : ", "Payee: ") + payee.name) }
        return lines
    }

    func legalAndNoteLines() -> (legal: [String], notes: [String]) {
        let legalCodes: Set<String> = ["PMD", "PMT", "AAB"]
        var legal = inv.notes.filter { legalCodes.contains($0.subjectCode ?? "") }.map(\.text)
        let others = inv.notes.filter { !legalCodes.contains($0.subjectCode ?? "") }.map(\.text)
        if options.legalDefaults && (inv.seller.postalAddress.countryCode == "FR" || inv.seller.postalAddress.countryCode.isEmpty) {
            let all = inv.notes.map { Self.lowercasedUTF8($0.text) } + [Self.lowercasedUTF8(inv.paymentTerms ?? "")]
            let codes = Set(inv.notes.compactMap(\.subjectCode))
            if !codes.contains("PMD") && !all.contains(where: { has($0, "pénalit") || has($0, "penalt") }) {
                legal.append(tr("Pénalités de retard : taux d'intérêt appliqué par la BCE à son opération de refinancement la plus récente, majoré de 10 points (art. L441-10 du Code de commerce).",
                                "Late payment penalties: the ECB's most recent refinancing rate plus 10 points (French Commercial Code, art. L441-10)."))
            }
            if !all.contains(where: { has($0, "40") && (has($0, "indemnit") || has($0, "recouvrement") || has($0, "recovery")) }) {
                legal.append(tr("Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. D441-5 du Code de commerce).",
                                "Fixed compensation for recovery costs in case of late payment: €40 (French Commercial Code, art. D441-5)."))
            }
            if !codes.contains("AAB") && !all.contains(where: { has($0, "escompte") || has($0, "early payment") }) {
                legal.append(tr("Escompte pour paiement anticipé : néant.", "No discount for early payment."))
            }
        }
        return (legal, others)
    }

    /// Payment on the left, legal mentions and notes on the right, side by side when they fit on the
    /// page (a one-page invoice stays one page), else one after the other across the full width.
    mutating func closing() {
        let pay = paymentLines()
        let (legal, notes) = legalAndNoteLines()
        let colW = (right - left - 20) / 2
        let lw = pay.flatMap { wrap($0, width: colW, size: 7.5) }
        let rl = legal.flatMap { wrap($0, width: colW, size: 7.5) }
        let rn = notes.flatMap { wrap($0, width: colW, size: 7.5) }
        let leftH = lw.isEmpty ? 0 : 13 + Double(lw.count) * 10
        let rightH = (rl.isEmpty ? 0 : 19 + Double(rl.count) * 10) + (rn.isEmpty ? 0 : 19 + Double(rn.count) * 10)
        let h = max(leftH, rightH)
        if h == 0 { return }
        if y + h > bottom && h <= bottom - 62 { newPage() }
        guard y + h <= bottom else {
            paragraph(tr("Paiement", "Payment"), pay, size: 7.5)
            paragraph(tr("Mentions légales", "Legal notices"), legal, size: 7.5)
            paragraph(tr("Notes", "Notes"), notes, size: 7.5)
            return
        }
        let top = y
        func column(_ x: Double, _ start: Double, _ title: String, _ lines: [String]) -> Double {
            guard !lines.isEmpty else { return start }
            var yy = start
            text(title, x, yy + 9, size: 9, bold: true, color: Self.accent)
            yy += 13
            for l in lines { text(l, x, yy + 7.5, size: 7.5); yy += 10 }
            return yy + 6
        }
        _ = column(left, top, tr("Paiement", "Payment"), lw)
        let after = column(left + colW + 20, top, tr("Mentions légales", "Legal notices"), rl)
        _ = column(left + colW + 20, after, tr("Notes", "Notes"), rn)
        y = top + h
    }
}
