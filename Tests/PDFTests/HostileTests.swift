import Foundation
import Testing
@testable import PDF

/// Hostile and damaged PDFs, generated here: each must end in a clear `PDFReadError` (or a correct
/// reading), quickly and within bounded memory — never a crash or a hang.
@Suite struct HostileTests {
    /// Opens, lists attachments, reads them and the page text; returns the first error.
    @discardableResult
    func exercise(_ data: Data, within seconds: Double = 10) -> PDFReadError? {
        let start = Date()
        defer { #expect(Date().timeIntervalSince(start) < seconds, "took \(Date().timeIntervalSince(start)) s") }
        do {
            let doc = try PDFDocument(data: data)
            for a in try doc.attachments() { _ = try doc.data(of: a) }
            _ = try doc.metadata()
            _ = try PDFTextExtractor.text(of: doc)
            return nil
        } catch let e as PDFReadError {
            #expect(!e.description.isEmpty && !e.frenchDescription.isEmpty)
            return e
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)")
            return nil
        }
    }

    static let xml = "<Invoice>" + String(repeating: "x", count: 2000) + "</Invoice>"

    @Test func truncatedFiles() {
        let whole = TestPDF.simple(attachment: ("factur-x.xml", Self.xml)).classic()
        var failures = 0
        for cut in stride(from: 0, to: whole.count, by: max(1, whole.count / 60)) {
            if exercise(whole.prefix(cut)) != nil { failures += 1 }
        }
        #expect(failures > 0)
        #expect(exercise(Data()) == .notPDF)
        #expect(exercise(Data("%PDF-1.7\n".utf8)) == .noCatalog)
        // Cut inside the embedded file's stream: the object is gone, the error names it.
        let attachmentStart = [UInt8](whole).firstRange(of: Array("7 0 obj".utf8), from: 0)!
        let e = exercise(whole.prefix(attachmentStart + 60))
        #expect(e != nil)
    }

    @Test func referenceCycles() throws {
        var p = TestPDF()
        p.add(1, "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> /Metadata 7 0 R >>")
        p.add(2, "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>")
        p.add(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>")
        p.add(4, "<< /Length 4 0 R >>\nstream\nBT ET\nendstream")
        p.add(5, "<< /Kids [6 0 R] >>")
        p.add(6, "<< /Kids [5 0 R] >>")
        p.add(7, "8 0 R")
        p.add(8, "7 0 R")
        let doc = try PDFDocument(data: p.classic())
        #expect(throws: PDFReadError.referenceCycle(PDFReference(2))) { try doc.pages() }
        #expect(throws: PDFReadError.referenceCycle(PDFReference(5))) { try doc.attachments() }
        #expect(throws: PDFReadError.self) { try doc.metadata() }
        // A stream whose /Length is itself: the data is found by its endstream.
        #expect(try doc.streamData(.reference(PDFReference(4))) == Data("BT ET".utf8))
    }

    @Test func absurdLengthsAndCounts() throws {
        var p = TestPDF.simple(attachment: ("factur-x.xml", Self.xml))
        p.objects[p.objects.count - 1] = (7, Array("<< /Type /EmbeddedFile /Length 99999999999999 >>\nstream\n\(Self.xml)\nendstream".utf8))
        let doc = try PDFDocument(data: p.classic())
        #expect(try String(decoding: doc.data(of: doc.attachments()[0]), as: UTF8.self) == Self.xml)
        p.objects[p.objects.count - 1] = (7, Array("<< /Type /EmbeddedFile /Length -40 >>\nstream\n\(Self.xml)\nendstream".utf8))
        #expect(exercise(p.classic()) == nil)
        // A cross-reference subsection claiming 10^15 entries, and an integer too large for 64 bits.
        let fake = Data("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 99999999999999999999999 >> endobj\nxref\n0 1000000000000000\ntrailer << /Root 1 0 R >>\nstartxref\n105\n%%EOF".utf8)
        let d = try PDFDocument(data: fake)
        #expect(d.recovered)
        #expect(try d.pages().isEmpty)
    }

    @Test func decompressionBombIsCapped() throws {
        // 100 MiB of zeros compress to about 100 KiB; the budget is 64 MiB per document.
        let bomb = [UInt8](Zlib.compress(Data(count: 100 << 20), level: 9))
        var p = TestPDF.simple(attachment: ("factur-x.xml", ""))
        p.objects[p.objects.count - 1] = (7, TestPDF.stream("/Type /EmbeddedFile /Filter /FlateDecode", bomb))
        let doc = try PDFDocument(data: p.classic())
        let a = try doc.attachments()[0]
        #expect(throws: PDFReadError.tooLarge(limit: 64 << 20)) { try doc.data(of: a) }
        // The budget is per document: two 40 MiB streams do not both get through.
        let forty = [UInt8](Zlib.compress(Data(count: 40 << 20), level: 9))
        p.objects[p.objects.count - 1] = (7, TestPDF.stream("/Type /EmbeddedFile /Filter /FlateDecode", forty))
        p.add(8, TestPDF.stream("/Filter /FlateDecode", forty))
        let doc2 = try PDFDocument(data: p.classic())
        #expect(try doc2.data(of: doc2.attachments()[0]).count == 40 << 20)
        #expect(throws: PDFReadError.tooLarge(limit: 64 << 20)) { try doc2.streamData(.reference(PDFReference(8))) }
        // The same through LZW and a chain of filters.
        let hexBomb = Array(String(repeating: "00", count: 1 << 16).utf8)
        #expect(throws: PDFReadError.tooLarge(limit: 1000)) { try PDFFilters.decode(hexBomb, filter: "ASCIIHexDecode", parms: nil, limit: 1000) }
        let rl: [UInt8] = (0..<20_000).map { $0 % 2 == 0 ? 129 : 0 }
        #expect(throws: PDFReadError.tooLarge(limit: 100_000)) { try PDFFilters.decode(rl, filter: "RunLengthDecode", parms: nil, limit: 100_000) }
    }

    @Test func deepNesting() throws {
        for (open, close) in [("[", "]"), ("<< /A ", " >>")] {
            var p = TestPDF.simple()
            p.add(9, String(repeating: open, count: 10_000) + "1" + String(repeating: close, count: 10_000))
            let doc = try PDFDocument(data: p.classic(trailer: "/Root 1 0 R /Info 9 0 R"))
            let e = #expect(throws: PDFReadError.self) { _ = try doc.object(PDFReference(9)) }
            if case .tooDeep(_, let limit)? = e { #expect(limit == 256) } else { Issue.record("expected tooDeep, got \(String(describing: e))") }
            // The same as the catalog itself: a clear error, not a stack overflow.
            var q = TestPDF()
            q.add(1, String(repeating: open, count: 10_000))
            #expect(exercise(q.classic()) != nil)
        }
    }

    @Test func hugeObjectNumbers() throws {
        var p = TestPDF.simple()
        p.add(3, "<< /Type /Page /Parent 2 0 R /Contents 99999999999 0 R /Resources 9223372036854775807 0 R >>")
        let doc = try PDFDocument(data: p.classic())
        #expect(try doc.resolve(.reference(PDFReference(99_999_999_999))) == .null)
        #expect(try PDFTextExtractor.text(of: doc).isEmpty)
        let xrefStream = Data("%PDF-1.5\n1 0 obj << /Type /XRef /W [1 8 8] /Index [9223372036854775800 100] /Size 5 /Length 17 >>\nstream\n\u{01}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{09}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\nendstream endobj\nstartxref\n9\n%%EOF".utf8)
        #expect(exercise(xrefStream) != nil)
        let badW = Data("%PDF-1.5\n1 0 obj << /Type /XRef /W [100 -1 9999999999] /Size 5 /Length 1 >>\nstream\nx\nendstream endobj\nstartxref\n9\n%%EOF".utf8)
        #expect(exercise(badW) != nil)
    }

    @Test func manyStreamsWithoutEnd() {
        // 50,000 streams that never end: each would be searched to the end of the file without the memo.
        var text = "%PDF-1.7\n"
        for n in 1...50_000 { text += "\(n) 0 obj << /Length 999999999 >> stream\nxx\n" }
        #expect(exercise(Data(text.utf8), within: 20) != nil)
        // One huge text-showing string: the glyphs kept are bounded.
        var p = TestPDF.simple()
        p.add(4, TestPDF.stream("", Array(("BT /F1 1 Tf (" + String(repeating: "a", count: 2_000_000) + ") Tj ET").utf8)))
        #expect(exercise(p.classic(), within: 30) == nil)
    }

    @Test func absurdNumbersInFontsAndMatrices() throws {
        var p = TestPDF.simple()
        p.add(4, TestPDF.stream("", Array("1e308 0 0 1e308 0 0 cm BT /F1 99999999999999999999 Tf 9223372036854775807 -9223372036854775807 Td (a) Tj ET BT /F1 12 Tf 10 10 Td (b) Tj ET".utf8)))
        p.add(5, "<< /Type /Font /Subtype /Type1 /BaseFont /H /FirstChar 9223372036854775807 /Widths [1 2 3] /Encoding << /Differences [9223372036854775807 /a /b] >> >>")
        #expect(exercise(p.classic()) == nil)
        var q = TestPDF.simple()
        q.add(5, "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [<< /W [9223372036854775807 [1 2 3] 0 9223372036854775807 5] >>] >>")
        #expect(exercise(q.classic()) == nil)
    }

    @Test func garbage() {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        #expect(exercise(Data(bytes)) != nil)
        #expect(exercise(Data(String(repeating: "1 0 obj ", count: 100_000).utf8)) != nil)
        #expect(exercise(Data(("%PDF-1.7\n" + String(repeating: "(((((", count: 50_000)).utf8)) != nil)
        #expect(exercise(Data(("%PDF-1.7\ntrailer << /Root 1 0 R >>" + String(repeating: "<<", count: 50_000)).utf8)) != nil)
    }

    @Test func encryptedFilesAreReportedNotDecrypted() {
        let p = TestPDF.simple(attachment: ("factur-x.xml", Self.xml))
        let data = p.classic(trailer: "/Root 1 0 R /Encrypt << /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>")
        #expect(exercise(data) == .encrypted)
        #expect(PDFReadError.encrypted.frenchDescription.contains("chiffré"))
    }

    @Test func contentStreamBombs() throws {
        // Form XObjects drawing each other, and an operator flood: bounded.
        var p = TestPDF.simple()
        p.add(3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /XObject << /X 8 0 R >> /Font << /F1 5 0 R >> >> >>")
        p.add(4, TestPDF.stream("", Array("/X Do BT /F1 12 Tf (ok) Tj ET".utf8)))
        p.add(8, TestPDF.stream("/Type /XObject /Subtype /Form /Resources << /XObject << /X 8 0 R /Y 9 0 R >> >>", Array("/X Do /Y Do /Y Do".utf8)))
        p.add(9, TestPDF.stream("/Type /XObject /Subtype /Form /Resources << /XObject << /X 8 0 R >> >>", Array("/X Do /X Do".utf8)))
        let doc = try PDFDocument(data: p.classic())
        let start = Date()
        #expect(try PDFTextExtractor.text(of: doc) == "ok\n")
        #expect(Date().timeIntervalSince(start) < 5)
        var q = TestPDF.simple()
        q.add(4, TestPDF.stream("", Array(String(repeating: "q Q ", count: 600_000).utf8)))
        let limited = try PDFDocument(data: q.classic(), limits: PDFReadLimits(maxOperatorsPerPage: 100_000))
        #expect(throws: PDFReadError.limitExceeded("more than 100000 content operators on a page")) { try PDFTextExtractor.text(of: limited) }
    }

    /// Inputs the fuzzer (scripts/fuzz/run.sh) found crashing or hanging, kept after the fix.
    @Test func fuzzRegressions() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/fuzz/crashes")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".pdf") }.sorted()
        #expect(!files.isEmpty)
        for f in files {
            exercise(try Data(contentsOf: dir.appendingPathComponent(f)))
        }
    }
}
