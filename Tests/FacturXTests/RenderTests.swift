import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation
import PDF
import Testing
@testable import FacturX

/// Factur-X rendering judged by tools that share no code with it: the reference checker
/// (`check_pdf.py`: PDF/A-3 markers, Factur-X container, EN 16931 rules on the embedded XML), qpdf,
/// poppler's pdftotext / pdfinfo / pdfimages, and the Python factur-x package for extraction.
@Suite(.serialized) struct RenderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oracle = root.deletingLastPathComponent().appendingPathComponent("shared/oracle")
    static let fixed = Date(timeIntervalSince1970: 1_795_000_000)

    struct Run { var status: Int32; var out: String; var err: String }

    static func run(_ tool: String, _ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fxr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = dir.appendingPathComponent("o"), e = dir.appendingPathComponent("e")
        FileManager.default.createFile(atPath: o.path, contents: nil)
        FileManager.default.createFile(atPath: e.path, contents: nil)
        let oh = try FileHandle(forWritingTo: o), eh = try FileHandle(forWritingTo: e)
        p.standardOutput = oh
        p.standardError = eh
        try p.run()
        p.waitUntilExit()
        try oh.close(); try eh.close()
        return Run(status: p.terminationStatus, out: String(decoding: try Data(contentsOf: o), as: UTF8.self),
                   err: String(decoding: try Data(contentsOf: e), as: UTF8.self))
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fxr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// pdftotext in reading order, whitespace (including no-break spaces) collapsed to single spaces.
    static func text(_ pdf: URL) throws -> String {
        let r = try run("pdftotext", [pdf.path, "-"])
        return r.out.split(whereSeparator: { $0.isWhitespace || $0 == "\u{00A0}" }).joined(separator: " ")
    }

    /// French amount written by hand from the XML's lexical value: `6453.67` → `6 453,67`.
    static func frenchAmount(_ plain: String) -> String {
        var s = plain
        let negative = s.hasPrefix("-")
        if negative { s.removeFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        var intPart = String(parts[0]), frac = parts.count > 1 ? String(parts[1]) : ""
        while frac.count < 2 { frac += "0" }
        if frac.count > 2 { frac = String(frac.prefix(2)) }
        var grouped = ""
        while intPart.count > 3 { grouped = " " + intPart.suffix(3) + grouped; intPart = String(intPart.dropLast(3)) }
        return (negative ? "-" : "") + intPart + grouped + "," + frac
    }

    /// The text of the first element named `local` (any namespace) in an XML document, by a plain scan.
    static func element(_ local: String, in xml: String) -> String? {
        guard let r = xml.range(of: ":" + local + ">") ?? xml.range(of: "<" + local + ">") else { return nil }
        let rest = xml[r.upperBound...]
        guard let end = rest.firstIndex(of: "<") else { return nil }
        return String(rest[..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func extractWithFacturX(_ pdf: URL) throws -> Data {
        let out = pdf.deletingPathExtension().appendingPathExtension("extracted.xml")
        let script = "import sys\nfrom facturx import get_xml_from_pdf\nname, xml = get_xml_from_pdf(open(sys.argv[1], 'rb').read(), check_xsd=False)\nopen(sys.argv[2], 'wb').write(xml)\nprint(name)"
        let r = try run("python3", ["-c", script, pdf.path, out.path])
        #expect(r.status == 0, "factur-x extraction: \(r.err)")
        #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines) == "factur-x.xml")
        return (try? Data(contentsOf: out)) ?? Data()
    }

    // MARK: official examples

    struct Rendered { var name: String; var pdf: URL; var xml: Data; var invoice: Invoice }

    /// Renders the files `facteur render` would render: those whose CII is valid with the Factur-X
    /// profile rules too (what check_pdf.py applies to a PDF's XML). The others are returned as refused.
    static func renderAll(_ files: [URL], dir: URL, refused: inout [(name: String, xml: Data)]) throws -> [Rendered] {
        let validator = try Validator()
        var out: [Rendered] = []
        for f in files {
            let data = try Data(contentsOf: f)
            let (invoice, syntax) = try InvoiceDocument.read(data)
            var xml = data
            let declared = FacturXProfile(specificationIdentifier: invoice.processControl.specificationIdentifier)
            let profile = declared ?? .en16931
            // As `facteur render` does: UBL, or a BT-24 that names no Factur-X profile (ZUGFeRD 1 « comfort »),
            // is written anew as the CII of the profile.
            if syntax != .cii || declared == nil {
                xml = CII.write(invoice, profile: .en16931)
            }
            guard validator.validate(xml, file: f.lastPathComponent, options: ValidationOptions(profileRulesAlways: true)).valid else {
                refused.append((f.lastPathComponent, xml))
                continue
            }
            let pdf = try FacturX.render(invoice, xml: xml, profile: profile,
                                         options: RenderOptions(date: fixed))
            let url = dir.appendingPathComponent(f.deletingPathExtension().lastPathComponent.replacingOccurrences(of: " ", with: "_") + ".pdf")
            try pdf.write(to: url)
            out.append(Rendered(name: f.lastPathComponent, pdf: url, xml: xml, invoice: invoice))
        }
        return out
    }

    /// What Facteur refuses to render, the reference rejects too (its XML with the Factur-X profile rules).
    static func confirmRefusals(_ refused: [(name: String, xml: Data)], dir: URL) throws {
        guard !refused.isEmpty else { return }
        var paths: [String] = []
        for (i, r) in refused.enumerated() {
            let u = dir.appendingPathComponent("refused-\(i).xml")
            try r.xml.write(to: u)
            paths.append(u.path)
        }
        let alone = try run("python3", [oracle.appendingPathComponent("validate_cii.py").path, "--profile-rules", "always"] + paths)
        #expect(alone.out.contains("0 passed, \(refused.count) failed"), "refused by Facteur but not by the reference: \(refused.map(\.name))\n\(alone.out)")
    }

    static func checkRendered(_ rendered: [Rendered]) throws {
        let checker = oracle.appendingPathComponent("check_pdf.py").path
        // The container (PDF/A-3 markers, Factur-X XMP, attachment) must pass for every file.
        let container = try run("python3", [checker, "--no-xml-rules"] + rendered.map(\.pdf.path))
        #expect(container.status == 0, "check_pdf.py --no-xml-rules:\n\(container.out)\n\(container.err)")
        #expect(container.out.contains("\(rendered.count) passed, 0 failed"), "\(container.out)")
        // With the rules on the embedded XML too: every rendered PDF passes the whole reference check.
        let full = try run("python3", [checker] + rendered.map(\.pdf.path))
        #expect(full.status == 0 && full.out.contains("\(rendered.count) passed, 0 failed"), "\(full.out)")
        for x in rendered {
            let q = try run("qpdf", ["--check", x.pdf.path])
            #expect(q.status == 0 && q.out.contains("No syntax or stream encoding errors"), "\(x.name): \(q.out) \(q.err)")
            let text = try text(x.pdf)
            let xmlText = String(decoding: x.xml, as: UTF8.self)
            #expect(text.contains(x.invoice.invoiceNumber), "\(x.name): invoice number missing")
            let seller = x.invoice.seller.name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(text.contains(seller), "\(x.name): seller name missing")
            let due = element("DuePayableAmount", in: xmlText) ?? element("PayableAmount", in: xmlText) ?? "?"
            #expect(text.contains(frenchAmount(due)), "\(x.name): amount due \(due) not shown as \(frenchAmount(due))")
            #expect(try extractWithFacturX(x.pdf) == x.xml, "\(x.name): extracted XML differs from the embedded bytes")
        }
    }

    @Test func officialCIIExamplesPassTheReferenceChecks() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = Self.oracle.appendingPathComponent("en16931/cii/examples")
        let files = try FileManager.default.contentsOfDirectory(at: src, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension.lowercased() == "xml" }.sorted { $0.path < $1.path }
        #expect(files.count >= 10)
        var refused: [(name: String, xml: Data)] = []
        let rendered = try Self.renderAll(files, dir: dir, refused: &refused)
        #expect(rendered.count + refused.count == files.count)
        #expect(rendered.count >= files.count - 3, "refused: \(refused.map(\.name))")
        try Self.checkRendered(rendered)
        try Self.confirmRefusals(refused, dir: dir)
    }

    @Test func officialUBLExamplesConvertedToCIIPassTheReferenceChecks() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = Self.oracle.appendingPathComponent("en16931/ubl/examples")
        let files = try FileManager.default.contentsOfDirectory(at: src, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension.lowercased() == "xml" }.sorted { $0.path < $1.path }
        var refused: [(name: String, xml: Data)] = []
        let rendered = try Self.renderAll(files, dir: dir, refused: &refused)
        // Most UBL examples convert to a valid CII; the test is meaningless if none did.
        #expect(rendered.count >= files.count / 2, "only \(rendered.count) of \(files.count) UBL examples rendered")
        try Self.checkRendered(rendered)
        try Self.confirmRefusals(refused, dir: dir)
    }

    // MARK: layout

    @Test func twoHundredLinesPaginateWithHeadersPageNumbersAndTotalsLast() throws {
        let invoice = RenderSamples.invoice(lines: 200)
        let xml = CII.write(invoice, profile: .en16931)
        let pdf = try FacturX.render(invoice, xml: xml, profile: .en16931, options: RenderOptions(date: Self.fixed))
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("long.pdf")
        try pdf.write(to: url)
        let info = try Self.run("pdfinfo", [url.path]).out
        let pages = Int(info.split(separator: "\n").first { $0.hasPrefix("Pages:") }?.split(separator: " ").last ?? "0") ?? 0
        #expect(pages >= 5, "200 lines on \(pages) pages")
        let check = try Self.run("python3", [Self.oracle.appendingPathComponent("check_pdf.py").path, url.path])
        #expect(check.status == 0, "\(check.out)")
        var seen = Set<Int>()
        for p in 1...pages {
            let r = try Self.run("pdftotext", ["-f", "\(p)", "-l", "\(p)", url.path, "-"])
            let t = r.out.split(whereSeparator: { $0.isWhitespace || $0 == "\u{00A0}" }).joined(separator: " ")
            #expect(t.contains("Page \(p) / \(pages)"), "page \(p) has no page number")
            if p < pages || t.contains("(200)") { #expect(t.contains("Désignation") && t.contains("Total HT"), "page \(p) lacks the table header") }
            #expect(t.contains("Net à payer") == (p == pages), "totals must be on the last page only (page \(p))")
            for i in 1...200 where t.contains("(\(i))") { seen.insert(i) }
        }
        #expect(seen.count == 200, "lines missing from the pages: \(Set(1...200).subtracting(seen).sorted().prefix(10))")
    }

    @Test func tenLineInvoiceFitsOnePageWithTheFrenchMentions() throws {
        let invoice = RenderSamples.invoice(lines: 10)
        let pdf = try FacturX.render(invoice, xml: CII.write(invoice, profile: .en16931), profile: .en16931,
                                     options: RenderOptions(date: Self.fixed))
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ten.pdf")
        try pdf.write(to: url)
        #expect(try Self.run("pdfinfo", [url.path]).out.contains("Pages:           1"))
        let t = try Self.text(url)
        for expected in ["FACTURE", "SIREN : 732829320", "N° TVA : FR44732829320", "SAS au capital de 50 000 €",
                         "Code service", "SERVICE-COMPTA", "Engagement", "EJ-2026-000731", "Contrat", "CTR-2025-17",
                         "Catégorie d'opération : Mixte (biens et services)",
                         "Option pour le paiement de la taxe d'après les débits",
                         "ADRESSE DE LIVRAISON", "Entrepôt de Doué", "SIREN : 356000000",
                         "IBAN : FR76 3000 6000 0112 3456 7890 189", "BIC : AGRIFRPPXXX",
                         "Indemnité forfaitaire", "40 €", "Escompte", "Déjà payé"] {
            #expect(t.contains(expected), "missing « \(expected) »")
        }
        let due = Self.frenchAmount(invoice.totals.amountDueForPayment.plainString)
        #expect(t.contains("Net à payer \(due) €"), "amount due \(due) €")
        #expect(pdf.count < 40 * 1024, "a one-page invoice of \(pdf.count / 1024) KiB")
    }

    @Test func englishLabelsAndCreditNoteTitle() throws {
        var invoice = RenderSamples.invoice(lines: 2)
        invoice.typeCode = "381"
        invoice.precedingInvoices = [PrecedingInvoiceReference(reference: "FA-2026-00041", issueDate: LocalDate(year: 2026, month: 11, day: 2))]
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let xml = CII.write(invoice, profile: .en16931)
        let fr = dir.appendingPathComponent("fr.pdf"), en = dir.appendingPathComponent("en.pdf")
        try FacturX.render(invoice, xml: xml, profile: .en16931, options: RenderOptions(date: Self.fixed)).write(to: fr)
        try FacturX.render(invoice, xml: xml, profile: .en16931, options: RenderOptions(language: .en, date: Self.fixed)).write(to: en)
        let tf = try Self.text(fr), te = try Self.text(en)
        #expect(tf.contains("AVOIR") && tf.contains("Facture d'origine") && tf.contains("FA-2026-00041 du 02/11/2026"))
        #expect(te.contains("CREDIT NOTE") && te.contains("Preceding invoice") && te.contains("Amount to refund"))
        #expect(te.contains("Issue date:") && te.contains("2026-11-25") && !te.contains("25/11/2026"))
        #expect(!te.contains("Net à payer"))
    }

    @Test func emptyAndOddInvoicesStillGiveReadablePDFs() throws {
        // A draft with nothing filled in, and a line whose « word » is far wider than its column, with
        // characters DejaVu Sans lacks (shown as « ? » rather than as invisible .notdef glyphs).
        var odd = RenderSamples.invoice(lines: 1)
        odd.lines[0].item.name = String(repeating: "Ä", count: 300) + " 𝄞漢字 fin"
        odd.notes.append(Note(String(repeating: "x", count: 2000)))
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, inv) in [Invoice(), odd].enumerated() {
            let url = dir.appendingPathComponent("odd\(i).pdf")
            try FacturX.render(inv, xml: Data("<x/>".utf8), profile: .minimum, options: RenderOptions(date: Self.fixed)).write(to: url)
            let q = try Self.run("qpdf", ["--check", url.path])
            #expect(q.status == 0, "\(q.out) \(q.err)")
        }
        let t = try Self.text(dir.appendingPathComponent("odd1.pdf"))
        #expect(t.contains("fin"))
        #expect(t.contains("??"))
        #expect(t.filter { $0 == "Ä" }.count == 300)
    }

    @Test func frenchNumberFormattingAgreesWithTheModelsPlainNotation() {
        let f = RenderFormatter(language: .fr), e = RenderFormatter(language: .en)
        for s in ["0", "1234.56", "-1234.5", "1000000", "0.05", "12.3456", "999.999", "-0.001"] {
            let d = Decimal(plain: s)!
            #expect(RenderFormatter.plain(d) == d.plainString, "\(s)")
        }
        #expect(f.amount(Decimal(plain: "1234.5")!) == "1\u{00A0}234,50")
        #expect(f.money(Decimal(plain: "1234567.891")!, "EUR") == "1\u{00A0}234\u{00A0}567,89\u{00A0}€")
        #expect(f.money(Decimal(plain: "-0.004")!, "EUR") == "0,00\u{00A0}€")
        #expect(e.money(Decimal(plain: "-1234.5")!, "EUR") == "-€1,234.50")
        #expect(f.number(Decimal(plain: "5.1234")!, minFraction: 2) == "5,1234")
        #expect(f.percent(Decimal(plain: "5.5")!) == "5,5\u{00A0}%")
        #expect(f.date(LocalDate(year: 2026, month: 3, day: 7)!) == "07/03/2026")
    }

    @Test func logoIsEmbeddedAsAnImage() throws {
        // A 2×2 opaque PNG written by hand (CRCs are not needed by the writer; pdfimages reads the PDF, not the PNG).
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let n = body.count
            return [UInt8(n >> 24), UInt8((n >> 16) & 255), UInt8((n >> 8) & 255), UInt8(n & 255)] + Array(type.utf8) + body + [0, 0, 0, 0]
        }
        let raw = Data([0, 200, 30, 30, 30, 30, 200, 0, 30, 200, 30, 200, 200, 200])
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        png += chunk("IDAT", [UInt8](Zlib.compress(raw))) + chunk("IEND", [])
        let invoice = RenderSamples.invoice(lines: 1)
        let pdf = try FacturX.render(invoice, xml: CII.write(invoice, profile: .en16931), profile: .en16931,
                                     options: RenderOptions(logo: Data(png), date: Self.fixed))
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("logo.pdf")
        try pdf.write(to: url)
        let list = try Self.run("pdfimages", ["-list", url.path]).out
        #expect(list.split(separator: "\n").count == 3, "\(list)")
        #expect(list.contains("rgb"))
        #expect(throws: FacturXRenderError.self) {
            try FacturX.render(invoice, xml: Data(), profile: .en16931, options: RenderOptions(logo: Data("not an image".utf8)))
        }
    }
}

/// The fast number formatting (digits read from the decimal's mantissa) against the general one (through
/// `Decimal.description`), on values of every shape the model produces: parsed, computed, negative, tiny, huge.
@Suite struct NumberFormattingFastPathTests {
    @Test func fastPathIsActiveOnThisFoundation() {
        #expect(RenderFormatter.layoutVerified)
        #expect(RenderFormatter.parts(Decimal(string: "-1234.5")!)! == (true, 12345, -1))
    }

    @Test func fastAndGeneralFormattingAgree() {
        var values: [Decimal] = []
        var seed: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 11 }
        for s in ["0", "0.00", "-0", "1", "-1", "10", "1000", "999.995", "0.001", "-0.004", "0.5", "123456789.123456",
                  "18446744073709551615", "18446744073709551616", "-99999999999999999999.99", "1e5", "2.50", "100.000"] {
            values.append(Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))!)
        }
        for _ in 0..<3000 {
            let mantissa = Decimal(next() % (next() % 3 == 0 ? 1_000_000_000_000 : 100_000))
            let exponent = Int(next() % 12) - 8
            let d = Decimal(sign: next() % 4 == 0 ? .minus : .plus, exponent: exponent, significand: mantissa)
            values.append(d)
            // Computed values are not always compact (trailing zeros in the mantissa).
            values.append(d * Decimal(string: "1.20")! + Decimal(string: "0.10")!)
            values.append(d / Decimal(3))
        }
        for d in values {
            for lang in RenderOptions.Language.allCases {
                let f = RenderFormatter(language: lang)
                for (minF, maxF) in [(0, nil), (2, nil), (2, 2), (0, 4)] as [(Int, Int?)] {
                    #expect(f.number(d, minFraction: minF, maxFraction: maxF) == f.generalNumber(d, minFraction: minF, maxFraction: maxF),
                            "\(d) \(lang) \(minF) \(String(describing: maxF))")
                }
            }
        }
    }
}

@Suite struct LayoutTextHelpersTests {
    @Test func byteLowercasingMatchesStringLowercased() {
        for s in ["PÉNALITÉS DE RETARD", "Indemnité forfaitaire de 40 €", "ESCOMPTE", "Early Payment", "", "İstanbul ΣΟΦΙΑΣ",
                  "Straße ÆØÅ ÇÀ", "mixed 123 ÀÉÎÕÜ Ÿ 𝐀", "DÉBITS"] {
            #expect(InvoiceLayout.lowercasedUTF8(s) == Array(s.lowercased().utf8), "\(s)")
        }
    }

    @Test func anchoredTextIsPlacedWhereTextWidthSaysAndEncodedTheSame() throws {
        let font = try #require(try? RenderResources.shared.get().regular)
        let a = PDFDocumentBuilder(), b = PDFDocumentBuilder()
        let fa = a.addFont(font), fb = b.addFont(font)
        a.newPage(); b.newPage()
        for (i, s) in ["Total TTC", "1 234,56 €", "Ça coûte ǅ 𝐀"].enumerated() {
            let w = b.textWidth(s, font: fb, size: 8.5)
            a.text(s, x: 500, y: 100 + Double(i) * 10, font: fa, size: 8.5, anchor: 1)
            b.text(s, x: 500 - w, y: 100 + Double(i) * 10, font: fb, size: 8.5)
            a.text(s, x: 300, y: 50, font: fa, size: 8.5, anchor: 0.5)
            b.text(s, x: 300 - w / 2, y: 50, font: fb, size: 8.5)
        }
        let icc = ICCProfile(data: Data(count: 128))
        let opts = PDFAOptions(title: "t", date: PDFDate(year: 2026, month: 1, day: 1), outputIntent: icc)
        #expect(try a.finish(opts) == b.finish(opts))
    }
}

@Suite struct WrapTests {
    /// The byte-level word wrap gives the lines the Character-level one gives, on texts of every kind: several
    /// spaces, line feeds, accents, long words, and the cases that must go the Character way (CR LF, a
    /// combining mark after a space).
    @Test func byteWrapMatchesCharacterWrap() throws {
        let res = try RenderResources.shared.get()
        let doc = PDFDocumentBuilder()
        let layout = InvoiceLayout(doc: doc, invoice: RenderSamples.invoice(lines: 1), regular: doc.addFont(res.regular),
                                   bold: doc.addFont(res.bold), logo: nil, logoSize: nil, options: RenderOptions())
        let pieces = ["Pénalités", "de", "retard", " ", "  ", "\n", "\n\n", "40 €", "Anticonstitutionnellementissimement",
                      "é", "ΣΟΦΙΑ", "·", "x", "123,45", "e\u{301}", " \u{301}x", "a\r\nb", "\u{0600} z"]
        var seed: UInt64 = 7
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) }
        var texts = ["", " ", "\n", "a b", "  lead and trail  ", "para\n\nnext\n"]
        // The last four pieces send a text the Character way; half the texts leave them out.
        for k in 0..<400 {
            let usable = k % 2 == 0 ? pieces.count - 4 : pieces.count
            var t = ""
            for _ in 0..<(1 + next() % 40) { t += pieces[next() % usable] + (next() % 3 == 0 ? "" : " ") }
            texts.append(t)
        }
        var byteWay = 0
        for t in texts {
            for (width, size, bold) in [(60.0, 8.0, false), (200.0, 7.5, true), (25.0, 9.0, false)] {
                #expect(layout.wrap(t, width: width, size: size, bold: bold) == layout.wrapCharacters(t, width: width, size: size, bold: bold),
                        "\(t.debugDescription) \(width)")
            }
            if InvoiceLayout.spacesAreCharacters(t) { byteWay += 1 }
        }
        // Both ways were exercised.
        #expect(byteWay > 50 && byteWay < texts.count)
    }
}
