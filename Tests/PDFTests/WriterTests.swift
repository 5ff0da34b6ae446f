import Foundation
import Testing
@testable import PDF

/// The PDF writer checked by independent tools: qpdf for structure, poppler for text extraction and
/// fonts, zlib round trips for streams.
@Suite struct WriterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let resources = root.appendingPathComponent("Sources/FacturX/Resources")

    static func font(_ name: String) throws -> TrueTypeFont {
        try TrueTypeFont(data: Data(contentsOf: resources.appendingPathComponent(name)))
    }

    static func options(attachments: [AssociatedFile] = []) throws -> PDFAOptions {
        let icc = ICCProfile(data: try Data(contentsOf: resources.appendingPathComponent("sRGB.icc")))
        return PDFAOptions(title: "Essai é €", date: PDFDate(year: 2026, month: 11, day: 25, hour: 9), language: "fr-FR",
                           outputIntent: icc, attachments: attachments)
    }

    struct Run { var status: Int32; var out: String; var err: String }

    static func run(_ tool: String, _ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pdfw-\(UUID().uuidString)")
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

    static func temp(_ data: Data, _ ext: String = "pdf") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pdfw-\(UUID().uuidString).\(ext)")
        try data.write(to: url)
        return url.path
    }

    @Test func numbersAreWrittenWithoutExponentsOrTrailingZeros() {
        var b = PDFBytes()
        for v in [0.0, 1.5, -2.25, 595.28, 0.0001, 1e9, -0.5, 12.0] { b.append(real: v); b.append(0x20) }
        #expect(String(decoding: b.bytes, as: UTF8.self) == "0 1.5 -2.25 595.28 0 1000000000 -0.5 12 ")
        var i = PDFBytes()
        i.append(int: -1234567); i.append(0x20); i.append(int: 0); i.append(0x20); i.append(padded: 42, width: 10)
        #expect(String(decoding: i.bytes, as: UTF8.self) == "-1234567 0 0000000042")
    }

    @Test func datesAgreeWithTheGregorianCalendar() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        for t in [0.0, 951_782_400, 1_795_000_000, 4_107_542_399, -86_401, 1_709_164_800] {
            let date = Date(timeIntervalSince1970: t)
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let p = PDFDate(date)
            #expect([p.year, p.month, p.day, p.hour, p.minute, p.second] == [c.year, c.month, c.day, c.hour, c.minute, c.second], "\(t)")
        }
        #expect(PDFDate(year: 2026, month: 2, day: 3, hour: 4, minute: 5, second: 6).pdfString == "D:20260203040506+00'00'")
        #expect(PDFDate(year: 2026, month: 2, day: 3, hour: 4, minute: 5, second: 6).xmpString == "2026-02-03T04:05:06+00:00")
    }

    @Test func namesAndStringsAreEscaped() {
        var b = PDFBytes()
        PDFSerializer.write(.array([.name("text/xml"), .string(Data("a(b)\\c".utf8)), .string(Data([0, 0xFF]))]), to: &b)
        #expect(String(decoding: b.bytes, as: UTF8.self) == "[/text#2Fxml (a\\(b\\)\\\\c) <00FF>]")
    }

    @Test func fontParsesAndMapsFrenchCharacters() throws {
        let f = try Self.font("DejaVuSans.ttf")
        #expect(f.unitsPerEm == 2048)
        for c in "éèêëàâçôûùïœ€«»’ÉÀÇ" {
            #expect(f.glyph(for: c.unicodeScalars.first!) != 0, "no glyph for \(c)")
        }
        // Proportional font: « W » is wider than « i ».
        #expect(f.width(of: "W", size: 10) > f.width(of: "i", size: 10))
    }

    @Test func documentPassesQpdfAndTextExtracts() throws {
        let regular = try Self.font("DejaVuSans.ttf"), bold = try Self.font("DejaVuSans-Bold.ttf")
        let doc = PDFDocumentBuilder()
        let r = doc.addFont(regular), b = doc.addFont(bold)
        let sentence = "Facture n° 2026-001 : 1 234,56 € — Éléonore à Noël, œuvre « déjà » payée"
        doc.newPage()
        doc.text(sentence, x: 50, y: 780, font: r, size: 10)
        doc.text("Total TTC", x: 50, y: 760, font: b, size: 12, color: PDFColor(0.1, 0.2, 0.5))
        doc.rect(x: 45, y: 740, width: 300, height: 60, stroke: .black)
        doc.line(x1: 45, y1: 735, x2: 345, y2: 735)
        doc.newPage()
        doc.text("Deuxième page", x: 50, y: 780, font: r, size: 10)
        let xml = Data("<?xml version=\"1.0\"?><a>é</a>".utf8)
        let pdf = try doc.finish(Self.options(attachments: [AssociatedFile(name: "factur-x.xml", data: xml, mimeType: "text/xml")]))
        let path = try Self.temp(pdf)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let check = try Self.run("qpdf", ["--check", path])
        #expect(check.status == 0, "qpdf: \(check.out) \(check.err)")
        #expect(check.out.contains("No syntax or stream encoding errors"))

        let text = try Self.run("pdftotext", ["-layout", path, "-"])
        #expect(text.out.contains(sentence))
        #expect(text.out.contains("Deuxième page"))

        let fonts = try Self.run("pdffonts", [path])
        let fontLines = fonts.out.split(separator: "\n").dropFirst(2)
        #expect(fontLines.count == 2)
        for l in fontLines {
            #expect(l.contains("CID TrueType"))
            #expect(l.contains("Identity-H"))
            // emb, sub and uni columns all « yes ».
            #expect(l.split(separator: " ").filter { $0 == "yes" }.count == 3, "\(l)")
        }
        let att = try Self.run("pdfdetach", ["-list", path])
        #expect(att.out.contains("factur-x.xml"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pdfw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("x.xml").path
        _ = try Self.run("pdfdetach", ["-save", "1", "-o", saved, path])
        #expect(try Data(contentsOf: URL(fileURLWithPath: saved)) == xml)
    }

    @Test func subsetIsAValidFontThatKeepsTheGlyphs() throws {
        let regular = try Self.font("DejaVuSans.ttf")
        let gids = [UInt16(0)] + "Aé€ǅ".unicodeScalars.map { regular.glyph(for: $0) }
        let sub = try TrueTypeFont(data: regular.subset(glyphs: gids))
        // Renumbered in the given order; widths carried over. (A CID font program needs no cmap.)
        #expect(sub.numGlyphs >= gids.count)
        for (i, g) in gids.enumerated() { #expect(sub.advances[i] == regular.advances[Int(g)]) }
        #expect(regular.subset(glyphs: gids).count < 20_000)
    }

    @Test func pngAndJpegImages() throws {
        // A 2×1 RGBA PNG built by hand: one opaque red pixel, one half-transparent blue one.
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            var c: [UInt8] = []
            let n = body.count
            c += [UInt8(n >> 24), UInt8((n >> 16) & 255), UInt8((n >> 8) & 255), UInt8(n & 255)]
            c += Array(type.utf8) + body + [0, 0, 0, 0] // CRCs are not checked by the writer
            return c
        }
        let ihdr: [UInt8] = [0, 0, 0, 2, 0, 0, 0, 1, 8, 6, 0, 0, 0]
        let raw = Data([0, 255, 0, 0, 255, 0, 0, 255, 128])
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", ihdr) + chunk("IDAT", [UInt8](Zlib.compress(raw))) + chunk("IEND", [])
        let image = try PDFImage(data: Data(png))
        #expect(image.width == 2 && image.height == 1)
        #expect(image.mask != nil)
        let decoded = try Zlib.decompress(image.data, limit: 100)
        #expect([UInt8](decoded) == [255, 0, 0, 0, 0, 255])
        #expect([UInt8](try Zlib.decompress(image.mask!.1, limit: 100)) == [255, 128])

        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 7, 0, 9, 3, 1, 0x11, 0, 0xFF, 0xD9]
        let j = try PDFImage(data: Data(jpeg))
        #expect(j.width == 9 && j.height == 7)
        #expect(j.dictionary["ColorSpace"] == .name("DeviceRGB"))
        #expect(throws: PDFWriteError.self) { try PDFImage(data: Data("GIF89a".utf8)) }
    }
}

/// The XMP packet written as bytes is the packet the String version writes, for every field and odd values.
@Suite struct XMPBytesTests {
    @Test func bytePacketEqualsStringPacket() {
        let icc = ICCProfile(data: Data(count: 128))
        let dates = [PDFDate(year: 2026, month: 11, day: 25, hour: 9, minute: 5, second: 7), PDFDate(year: 12026, month: 1, day: 1),
                     PDFDate(year: 7, month: 12, day: 31, hour: 23, minute: 59, second: 59)]
        let texts = ["Facture FA-2026-0001", "A & B <SARL> \"quoted\"", "tab\there\nline\r\u{01}\u{1F}ctrl", "Électricité — 40 € 𝐀", ""]
        for (i, date) in dates.enumerated() {
            for t in texts {
                let a = PDFAOptions(title: t, author: i == 1 ? nil : t, subject: i == 2 ? nil : "Sujet " + t, creator: t, producer: "P " + t,
                                    date: date, outputIntent: icc, extraXMP: "<rdf:Description rdf:about=\"\" xmlns:fx=\"x\"/>\n")
                #expect(PDFA.xmpBytes(a) == Array(PDFA.xmp(a).utf8), "\(t.debugDescription) \(date)")
            }
        }
    }
}
