import Foundation
import Testing
@testable import PDF

/// Builds small PDFs byte by byte, with correct (or deliberately wrong) offsets.
struct TestPDF {
    var objects: [(Int, [UInt8])] = []
    var header = "%PDF-1.7\n%\u{E2}\u{E3}\n"

    mutating func add(_ number: Int, _ body: String) { objects.append((number, Array(body.utf8))) }
    mutating func add(_ number: Int, _ body: [UInt8]) { objects.append((number, body)) }

    /// A stream object with the right /Length.
    static func stream(_ dict: String, _ data: [UInt8]) -> [UInt8] {
        Array("<< \(dict) /Length \(data.count) >>\nstream\n".utf8) + data + Array("\nendstream".utf8)
    }

    /// The file with a classic cross-reference table.
    func classic(trailer: String = "/Root 1 0 R", offsetShift: Int = 0) -> Data {
        var out = Array(header.utf8)
        var offsets: [Int: Int] = [:]
        for (n, body) in objects {
            offsets[n] = out.count
            out += Array("\(n) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        let size = (objects.map(\.0).max() ?? 0) + 1
        out += Array("xref\n0 \(size)\n0000000000 65535 f \n".utf8)
        for n in 1..<max(size, 1) {
            if let o = offsets[n] { out += Array(String(format: "%010d 00000 n \n", o + offsetShift).utf8) } else { out += Array("0000000000 65535 f \n".utf8) }
        }
        out += Array("trailer\n<< /Size \(size) \(trailer) >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return Data(out)
    }

    /// The file with a cross-reference stream (/W [1 4 2], PNG Up predictor), objects listed in
    /// `compressed` going into one object stream.
    func xrefStream(compressed: Set<Int> = [], trailer: String = "/Root 1 0 R") -> Data {
        var out = Array(header.utf8)
        var entries: [Int: (Int, Int, Int)] = [:]
        for (n, body) in objects where !compressed.contains(n) {
            entries[n] = (1, out.count, 0)
            out += Array("\(n) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let maxN = (objects.map(\.0).max() ?? 0)
        var next = maxN + 1
        if !compressed.isEmpty {
            let inStream = objects.filter { compressed.contains($0.0) }
            var headerPart = ""
            var bodyPart: [UInt8] = []
            for (i, (n, body)) in inStream.enumerated() {
                headerPart += "\(n) \(bodyPart.count) "
                bodyPart += body + [10]
                entries[n] = (2, next, i)
            }
            let content = Array(headerPart.utf8) + bodyPart
            let packed = [UInt8](Zlib.compress(Data(content)))
            entries[next] = (1, out.count, 0)
            out += Array("\(next) 0 obj\n".utf8)
                + TestPDF.stream("/Type /ObjStm /N \(inStream.count) /First \(headerPart.utf8.count) /Filter /FlateDecode", packed)
                + Array("\nendobj\n".utf8)
            next += 1
        }
        let xrefNumber = next
        entries[xrefNumber] = (1, out.count, 0)
        let size = xrefNumber + 1
        var rows: [[UInt8]] = []
        for n in 0..<size {
            let (t, f2, f3) = entries[n] ?? (0, 0, n == 0 ? 65535 : 0)
            rows.append([UInt8(t), UInt8(f2 >> 24 & 0xFF), UInt8(f2 >> 16 & 0xFF), UInt8(f2 >> 8 & 0xFF), UInt8(f2 & 0xFF),
                         UInt8(f3 >> 8 & 0xFF), UInt8(f3 & 0xFF)])
        }
        // PNG "Up" predictor: each row stores its difference from the previous one.
        var predicted: [UInt8] = []
        var prior = [UInt8](repeating: 0, count: 7)
        for r in rows {
            predicted.append(2)
            for k in 0..<7 { predicted.append(r[k] &- prior[k]) }
            prior = r
        }
        let packed = [UInt8](Zlib.compress(Data(predicted)))
        let xrefOffset = out.count
        out += Array("\(xrefNumber) 0 obj\n".utf8)
            + TestPDF.stream("/Type /XRef /Size \(size) /W [1 4 2] \(trailer) /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >>", packed)
            + Array("\nendobj\nstartxref\n\(xrefOffset)\n%%EOF\n".utf8)
        return Data(out)
    }

    /// A minimal document: catalog, pages, one page showing `text` in Helvetica, and optionally an attachment.
    static func simple(text: String = "Facture 2026-001", attachment: (String, String)? = nil) -> TestPDF {
        var p = TestPDF()
        let names = attachment == nil ? "" : "/Names << /EmbeddedFiles << /Names [(\(attachment!.0)) 6 0 R] >> >> /AF [6 0 R]"
        p.add(1, "<< /Type /Catalog /Pages 2 0 R \(names) >>")
        p.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        p.add(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
        p.add(4, stream("", Array("BT /F1 12 Tf 72 770 Td (\(text)) Tj ET".utf8)))
        p.add(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        if let (name, content) = attachment {
            p.add(6, "<< /Type /Filespec /F (\(name)) /UF (\(name)) /AFRelationship /Data /EF << /F 7 0 R /UF 7 0 R >> >>")
            p.add(7, stream("/Type /EmbeddedFile /Subtype /text#2Fxml", Array(content.utf8)))
        }
        return p
    }
}

@Suite struct ReaderTests {
    static let xml = "<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice xmlns:rsm=\"urn:x\">42</rsm:CrossIndustryInvoice>"

    @Test func classicCrossReference() throws {
        let doc = try PDFDocument(data: TestPDF.simple(attachment: ("factur-x.xml", Self.xml)).classic(trailer: "/Root 1 0 R /ID [<01> <02>]"))
        #expect(doc.recovered == false)
        #expect(doc.version == "1.7")
        let a = try doc.attachments()
        #expect(a.map(\.name) == ["factur-x.xml"])
        #expect(a.first?.relationship == "Data")
        #expect(a.first?.mimeType == "text/xml")
        #expect(a.first?.inCatalogAF == true)
        #expect(try String(decoding: doc.data(of: a[0]), as: UTF8.self) == Self.xml)
        #expect(try PDFTextExtractor.text(of: doc) == "Facture 2026-001\n")
    }

    @Test func crossReferenceStreamWithObjectStream() throws {
        let p = TestPDF.simple(attachment: ("factur-x.xml", Self.xml))
        let doc = try PDFDocument(data: p.xrefStream(compressed: [1, 2, 3, 5, 6]))
        #expect(doc.recovered == false)
        if case .compressed? = doc.xref[6] {} else { Issue.record("object 6 should come from the object stream") }
        let a = try doc.attachments()
        #expect(a.map(\.name) == ["factur-x.xml"])
        #expect(try String(decoding: doc.data(of: a[0]), as: UTF8.self) == Self.xml)
        #expect(try PDFTextExtractor.text(of: doc).contains("Facture 2026-001"))
    }

    @Test func incrementalUpdateNewestWins() throws {
        let p = TestPDF.simple(text: "Version 1")
        let first = p.classic()
        // Append an update that replaces the content stream (object 4), with /Prev to the first table.
        let firstXref = Int(String(decoding: first.suffix(30), as: UTF8.self).split(separator: "\n").dropLast().last!)!
        var out = [UInt8](first)
        let o4 = out.count
        out += Array("4 0 obj\n".utf8) + TestPDF.stream("", Array("BT /F1 12 Tf 72 770 Td (Version 2) Tj ET".utf8)) + Array("\nendobj\n".utf8)
        let x = out.count
        out += Array("xref\n4 1\n\(String(format: "%010d", o4)) 00000 n \ntrailer\n<< /Size 6 /Root 1 0 R /Prev \(firstXref) >>\nstartxref\n\(x)\n%%EOF\n".utf8)
        let doc = try PDFDocument(bytes: out)
        #expect(doc.recovered == false)
        #expect(try PDFTextExtractor.text(of: doc) == "Version 2\n")
    }

    @Test func brokenCrossReferenceIsRecoveredByScanning() throws {
        // Every offset wrong by 7 bytes, and then no cross-reference at all.
        let p = TestPDF.simple(attachment: ("factur-x.xml", Self.xml))
        let shifted = try PDFDocument(data: p.classic(offsetShift: 7))
        let a = try shifted.attachments()
        #expect(try String(decoding: shifted.data(of: a[0]), as: UTF8.self) == Self.xml)
        var noXref = [UInt8](p.classic())
        let cut = noXref.lastRange(of: Array("xref".utf8), before: noXref.count - 20)!
        noXref.removeSubrange(cut...)
        noXref += Array("trailer << /Root 1 0 R >>\n%%EOF".utf8)
        let doc = try PDFDocument(bytes: noXref)
        #expect(doc.recovered)
        #expect(try doc.attachments().count == 1)
    }

    @Test func filters() throws {
        // ISO 32000-1 §7.4.4.2's LZW example.
        let lzw: [UInt8] = [0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01]
        #expect(try PDFFilters.decode(lzw, filter: "LZWDecode", parms: nil, limit: 1000) == [0x2D, 0x2D, 0x2D, 0x2D, 0x2D, 0x41, 0x2D, 0x2D, 0x2D, 0x42])
        #expect(try PDFFilters.decode(Array("9jqo^~>".utf8), filter: "ASCII85Decode", parms: nil, limit: 100) == Array("Man ".utf8))
        #expect(try PDFFilters.decode(Array("<~z~>".utf8), filter: "ASCII85Decode", parms: nil, limit: 100) == [0, 0, 0, 0])
        #expect(try PDFFilters.decode(Array("46 61 63 7>".utf8), filter: "ASCIIHexDecode", parms: nil, limit: 100) == [0x46, 0x61, 0x63, 0x70])
        #expect(try PDFFilters.decode([2, 65, 66, 67, 253, 68, 128], filter: "RunLengthDecode", parms: nil, limit: 100) == Array("ABCDDDD".utf8))
        #expect(throws: PDFReadError.self) { try PDFFilters.decode([1], filter: "DCTDecode", parms: nil, limit: 100) }
        // TIFF predictor 2: each byte adds the one to its left (per row).
        let tiff = PDFDictionary([("Predictor", .int(2)), ("Columns", .int(3))])
        #expect(try PDFFilters.predict([1, 1, 1, 5, 1, 1], parms: tiff, limit: 100) == [1, 2, 3, 5, 6, 7])
        // PNG Sub, Up, Average, Paeth rows decode to the same known row.
        let png = PDFDictionary([("Predictor", .int(15)), ("Columns", .int(3))])
        #expect(try PDFFilters.predict([1, 10, 1, 1, 2, 0, 0, 0, 3, 5, 1, 1, 4, 0, 0, 0], parms: png, limit: 100)
                == [10, 11, 12, 10, 11, 12, 10, 11, 12, 10, 11, 12])
    }

    @Test func lexerEdgeCases() throws {
        var parser = PDFParser(PDFLexer(Array("<< /A (a\\(b\\)\\101\\\nc) /B#20C <4 1 6> /D [1 -2.5 .5 3 0 R] /E true /F null >>".utf8)), maxDepth: 10)
        let d = try #require(try parser.parseObject().dictionary)
        #expect(d["A"]?.stringBytes == Data("a(b)Ac".utf8))
        #expect(d["B C"]?.stringBytes == Data([0x41, 0x60]))
        #expect(d["D"] == .array([.int(1), .real(-2.5), .real(0.5), .reference(PDFReference(3, 0))]))
        #expect(d["E"] == .bool(true))
        #expect(d["F"] == .null)
    }

    @Test func textWithToUnicodeAndDifferences() throws {
        var p = TestPDF()
        p.add(1, "<< /Type /Catalog /Pages 2 0 R >>")
        p.add(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        p.add(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>")
        // Two lines: the lower one drawn first, words split by a TJ gap; then a Type 0 font with ToUnicode.
        p.add(4, TestPDF.stream("", Array("BT /F1 10 Tf 72 700 Td [(Total) -600 (TTC)] TJ ET BT /F2 10 Tf 72 750 Td <00010002> Tj ET BT /F1 10 Tf 200 700 Td (\\2001) Tj ET".utf8)))
        p.add(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [49 /eacute] >> >>")
        p.add(6, "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>")
        p.add(7, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /DW 600 >>")
        p.add(8, TestPDF.stream("", Array("/CIDInit /ProcSet findresource begin 12 dict begin begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfchar <0001> <0046> endbfchar 1 beginbfrange <0002> <0002> <00E9> endbfrange endcmap".utf8)))
        let doc = try PDFDocument(data: p.classic())
        #expect(try PDFTextExtractor.text(of: doc) == "Fé\nTotal TTC €é\n")
    }

    /// The fuzz seeds (scripts/fuzz/make-seeds.py: LZW, ASCII85, ASCIIHex, RunLength, cross-reference
    /// stream with /Index and a predictor, object streams, an incremental update): read without
    /// recovery, and the attachment is byte for byte what qpdf extracts, when qpdf is installed.
    @Test func fuzzSeedsAgreeWithQpdf() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/fuzz/seeds")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".pdf") }.sorted()
        #expect(files.count >= 8)
        let qpdf = ["/usr/bin/qpdf", "/usr/local/bin/qpdf"].first { FileManager.default.isExecutableFile(atPath: $0) }
        for f in files {
            let url = dir.appendingPathComponent(f)
            let doc = try PDFDocument(data: try Data(contentsOf: url))
            #expect(doc.recovered == false, "\(f)")
            let attachment = try #require(try doc.attachments().first { $0.name.hasSuffix(".xml") })
            let ours = try doc.data(of: attachment)
            #expect(String(decoding: ours, as: UTF8.self).contains("CrossIndustryInvoice"))
            guard let qpdf else { continue }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: qpdf)
            p.arguments = ["--show-attachment=\(attachment.name)", url.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let theirs = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(ours == theirs, "\(f)")
        }
    }
}
