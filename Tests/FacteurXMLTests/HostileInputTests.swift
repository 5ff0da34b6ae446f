import Foundation
import Testing
@testable import FacteurXML

/// Hostile and broken documents must fail fast with a clear reason, never crash, hang or reach
/// the network or the file system.
@Suite struct HostileInputTests {
    func parse(_ s: String, limits: XMLParseLimits = .init()) throws(XMLInputError) -> XMLTree {
        try XMLParser.parse(Data(s.utf8), limits: limits)
    }

    @Test func notXML() {
        #expect(throws: XMLInputError.self) { try parse("%PDF-1.7 this is not xml") }
        do { _ = try parse("hello") } catch {
            guard case .malformed(let line, let message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(line == 1)
            #expect(!message.isEmpty)
        }
    }

    @Test func empty() {
        #expect(throws: XMLInputError.empty) { try parse("") }
        #expect(throws: XMLInputError.empty) { try parse("  \n ") }
    }

    @Test func truncated() {
        do {
            _ = try parse("<?xml version=\"1.0\"?>\n<a>\n<b>text</b>\n<c>")
            Issue.record("a truncated document was accepted")
        } catch {
            guard case .malformed(let line, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(line >= 4)
        }
    }

    @Test func externalEntityIsRefusedWithoutReadingTheFile() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-xxe-\(UUID().uuidString).txt")
        try "SECRET-CONTENT".write(to: marker, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: marker) }
        let doc = """
        <?xml version="1.0"?>
        <!DOCTYPE r [ <!ENTITY xxe SYSTEM "file://\(marker.path)"> ]>
        <r>&xxe;</r>
        """
        #expect(throws: XMLInputError.doctypeForbidden) { try parse(doc) }
        let net = """
        <!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>
        """
        #expect(throws: XMLInputError.doctypeForbidden) { try parse(net) }
    }

    @Test func entityBombIsRefusedQuickly() {
        var doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        for i in 1...9 {
            let prev = i == 1 ? "lol" : "lol\(i - 1)"
            doc += "<!ENTITY lol\(i) \"" + String(repeating: "&\(prev);", count: 10) + "\">\n"
        }
        doc += "]>\n<lolz>&lol9;</lolz>"
        let start = Date()
        #expect(throws: XMLInputError.doctypeForbidden) { try parse(doc) }
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test func doctypeAfterCommentStillFound() {
        #expect(throws: XMLInputError.doctypeForbidden) { try parse("<?xml version=\"1.0\"?><!-- hi --><!doctype r><r/>") }
    }

    @Test func hugeDocumentIsRefusedBeforeParsing() {
        let big = Data(count: 50 * 1024 * 1024)
        do {
            _ = try XMLParser.parse(big)
            Issue.record("a 50 MB document was accepted")
        } catch {
            #expect(error == .tooLarge(bytes: 50 * 1024 * 1024, limit: XMLParseLimits().maxBytes))
        }
    }

    @Test func deepNestingIsRefused() {
        let depth = 10_000
        let doc = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        do {
            _ = try parse(doc)
            Issue.record("10,000-deep nesting was accepted")
        } catch {
            guard case .malformed(_, let message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(message.lowercased().contains("depth"))
        }
    }

    @Test func invalidUTF8() {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>caf".utf8)
        bytes += [0xC3, 0x28] // an invalid two-byte sequence
        bytes += Array("</r>".utf8)
        do {
            _ = try XMLParser.parse(Data(bytes))
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            guard case .malformed(let line, let message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(line == 1)
            #expect(message.contains("UTF-8"))
        }
    }

    @Test func wellFormedDocumentKeepsLinesTextAndAttributes() throws {
        let tree = try parse("<?xml version=\"1.0\"?>\n<r xmlns=\"urn:x\">\n  <a k=\"v\">one</a>\n  <a>two &amp; <![CDATA[three]]></a>\n</r>")
        let root = tree.root
        #expect(root.name == QName("urn:x", "r"))
        let a = root.children("urn:x", "a")
        #expect(a.count == 2)
        #expect(a[0].attribute("k") == "v")
        #expect(a[0].line == 3)
        #expect(a[1].text == "two & three")
        #expect(tree.shortPath(a[1].index) == "/r/a[2]")
    }
}
