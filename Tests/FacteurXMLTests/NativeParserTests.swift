import Foundation
import Testing
@testable import FacteurXML

/// The native reader must build exactly libxml2's tree (`XMLParser.parse(_:inspect:)`, today's path)
/// whenever it accepts a document, and accept nothing libxml2 refuses: anything it declines goes to
/// libxml2, which alone reports errors.
@Suite struct NativeParserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oracle = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracle")

    /// libxml2's tree, or the error it reports.
    static func libxml2(_ data: Data) -> Result<XMLTree, XMLInputError> {
        do { return .success(try XMLParser.parse(data, inspect: { _, _ in () }).0) } catch { return .failure(error) }
    }

    /// The native tree, or nil when the native reader declines (after the checks both paths share).
    static func native(_ data: Data) -> XMLTree? {
        guard (try? XMLParser.checkBeforeParsing(data, limits: .init())) != nil else { return nil }
        return XMLParser.nativeTree(data)
    }

    /// The first difference between two trees, node by node, or nil.
    static func difference(_ a: XMLTree, _ b: XMLTree) -> String? {
        if a.nodeCount != b.nodeCount { return "node count \(a.nodeCount) vs \(b.nodeCount)" }
        for i in 0..<a.nodeCount {
            let x = a.nodes[i], y = b.nodes[i]
            func text(_ t: XMLTree, _ n: XMLTree.Node) -> String? { n.value >= 0 ? t.values[Int(n.value)] : nil }
            var what: [String] = []
            if x.kind != y.kind { what.append("kind \(x.kind) vs \(y.kind)") }
            if x.name != y.name {
                let nx = x.name >= 0 ? "\(NameTable.shared.name(x.name))" : "-", ny = y.name >= 0 ? "\(NameTable.shared.name(y.name))" : "-"
                what.append("name \(nx) vs \(ny)")
            }
            if x.parent != y.parent { what.append("parent \(x.parent) vs \(y.parent)") }
            if x.firstChild != y.firstChild { what.append("first child \(x.firstChild) vs \(y.firstChild)") }
            if x.nextSibling != y.nextSibling { what.append("next sibling \(x.nextSibling) vs \(y.nextSibling)") }
            if x.firstAttribute != y.firstAttribute { what.append("first attribute \(x.firstAttribute) vs \(y.firstAttribute)") }
            if x.line != y.line { what.append("line \(x.line) vs \(y.line)") }
            if text(a, x) != text(b, y) { what.append("text \(String(reflecting: text(a, x))) vs \(String(reflecting: text(b, y)))") }
            if a.subtreeEnd(Int32(i)) != b.subtreeEnd(Int32(i)) { what.append("subtree end \(a.subtreeEnd(Int32(i))) vs \(b.subtreeEnd(Int32(i)))") }
            if !what.isEmpty { return "node \(i) (\(a.shortPath(Int32(i)))): " + what.joined(separator: ", ") }
        }
        if a.namespaceDeclarations != b.namespaceDeclarations {
            return "namespace declarations \(a.namespaceDeclarations) vs \(b.namespaceDeclarations)"
        }
        return nil
    }

    enum Outcome { case same, declined, declinedValid, mismatch(String) }

    /// Compares both readers on one document.
    static func compare(_ data: Data) -> Outcome {
        let reference = libxml2(data)
        guard let tree = native(data) else {
            if case .success = reference { return .declinedValid }
            return .declined
        }
        switch reference {
        case .failure(let error): return .mismatch("native accepted what libxml2 refuses: \(error)")
        case .success(let expected): return difference(tree, expected).map { .mismatch($0) } ?? .same
        }
    }

    static func xmlFiles(under dir: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        let kinds: Set<String> = ["xml", "xsd", "xsl", "xslt", "sch"]
        return e.compactMap { $0 as? URL }.filter { kinds.contains($0.pathExtension.lowercased()) }.sorted { $0.path < $1.path }
    }

    // MARK: Corpus

    @Test func everyCorpusDocumentGivesLibxml2sTree() throws {
        try #require(FileManager.default.fileExists(atPath: Self.oracle.path))
        // Invoices, official rule unit tests, Factur-X samples, mutants, and the schemas and schematron
        // artefacts Facteur reads with the same parser.
        let files = Self.xmlFiles(under: Self.oracle) + Self.xmlFiles(under: Self.packageRoot.appendingPathComponent("Tests/Fixtures"))
            + Self.xmlFiles(under: Self.packageRoot.appendingPathComponent("Sources"))
        #expect(files.count > 550)
        var same = 0, declinedValid: [String] = [], refused = 0
        for url in files {
            let data = try Data(contentsOf: url)
            switch Self.compare(data) {
            case .same: same += 1
            case .declined: refused += 1
            case .declinedValid: declinedValid.append(url.lastPathComponent)
            case .mismatch(let why): Issue.record("\(url.path): \(why)")
            }
        }
        print("native parser, corpus: \(files.count) files, \(same) identical trees, \(declinedValid.count) left to libxml2 (\(declinedValid.prefix(10))), \(refused) refused by both")
        // The same documents written with CR LF line ends (libxml2 hands such text over in pieces, which
        // moves the lines it gives text nodes) and with a byte order mark.
        var variants = 0
        for url in files where url.pathExtension.lowercased() == "xml" {
            let data = try Data(contentsOf: url)
            var crlf: [UInt8] = [0xEF, 0xBB, 0xBF]
            crlf.reserveCapacity(data.count * 11 / 10)
            for b in data { if b == 0x0A { crlf.append(0x0D) }; crlf.append(b) }
            if data.starts(with: [0xEF, 0xBB, 0xBF]) { crlf.removeFirst(3) }
            switch Self.compare(Data(crlf)) {
            case .same: variants += 1
            case .declined: break
            case .declinedValid: Issue.record("\(url.path) with CR LF: left to libxml2")
            case .mismatch(let why): Issue.record("\(url.path) with CR LF: \(why)")
            }
        }
        print("native parser, corpus with CR LF and a BOM: \(variants) identical trees")
        #expect(variants > 450)
        // Every official example, unit test and mutant is plain UTF-8 XML: none should need libxml2.
        #expect(declinedValid.isEmpty)
        #expect(same > 550)
    }

    // MARK: Hand-written cases

    @Test(arguments: [
        "<r/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns=\"urn:x\">\n  <a k=\"v\">one</a>\n</r>\n",
        "\u{FEFF}<?xml version='1.0' encoding='utf-8' standalone='yes' ?><r/>",
        "<r>a<![CDATA[]]></r>", "<r><![CDATA[]]></r>", "<r><![CDATA[]]>y</r>", "<r>x<!--c-->y<?p q?>z</r>",
        "<r>\r\n<!--c-->\r\nz\r\né\r\nw</r>", "<r>\r</r>", "<r>a\rb\r\r\nc</r>", "<r>&amp;\nq&#10;&#13;&#x20AC;&lt;&gt;&apos;&quot;</r>",
        "<r a=\"\r\n\t&#9;&#13;x\" b='&lt;&amp;\"' c=\"é\"/>", "<r xml:lang=\"fr\"/>",
        "<r xmlns=\"urn:a\"><b xmlns=\"\"><c/></b></r>", "<p:r xmlns:p=\"urn:p\" xmlns:q=\"urn:p\" p:a=\"1\" b=\"2\"><q:c/></p:r>",
        "<r xmlns:p=\"urn:p\"><p:c xmlns:p=\"urn:other\" p:x=\"1\"/><p:c/></r>",
        "<a\n/>", "<a\n  b=\"1\"\n  >x\n</a\n>", "<!-- before --><?pi before?>\n<r/>\n<!-- after -->\n<?pi after?>\n",
        "<r>é" + String(repeating: "ab\n", count: 200) + "</r>",
        "<r>\r\né" + String(repeating: "ab\n", count: 200) + "</r>",
        "<r>" + String(repeating: "x", count: 10) + "é" + String(repeating: "\r\nab", count: 200) + "</r>",
        "<r>]x]]y] ]</r>", "<r>\t\u{7F}\u{85}\u{2028}\u{10FFFF}</r>",
    ])
    func handWrittenCases(_ doc: String) {
        switch Self.compare(Data(doc.utf8)) {
        case .same: break
        case .mismatch(let why): Issue.record("\(String(reflecting: doc)): \(why)")
        case .declined, .declinedValid: Issue.record("\(String(reflecting: doc)): left to libxml2")
        }
    }

    /// Documents the native reader must leave to libxml2 (refused, or unusual): the error is libxml2's.
    @Test(arguments: [
        "<r>", "<r></s>", "<r/><s/>", "<r a=\"1\" a=\"2\"/>", "<r xmlns:p=\"urn:p\" xmlns:q=\"urn:p\" p:a=\"1\" q:a=\"2\"/>",
        "<p:r/>", "<r p:a=\"1\"/>", "<r>&foo;</r>", "<r>&#0;</r>", "<r>&#xD800;</r>", "<r a=\"<\"/>", "<r>]]></r>",
        "<r>\u{1}</r>", "<r><!-- a -- b --></r>", "<?xml version=\"1.1\"?><r/>", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>",
        " <?xml version=\"1.0\"?><r/>", "<r xmlns:p=\"\"/>", "<r xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>", "text<r/>",
        "<r/>text", "<r><?xml version=\"1.0\"?></r>", "<é/>",
    ])
    func declinedCases(_ doc: String) {
        #expect(Self.native(Data(doc.utf8)) == nil, "\(String(reflecting: doc))")
    }

    @Test func invalidUTF8AndDepthAreLeftToLibxml2() throws {
        for bytes: [UInt8] in [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBE], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xFF], [0x80]] {
            let data = Data(Array("<r>a".utf8) + bytes + Array("</r>".utf8))
            #expect(Self.native(data) == nil, "\(bytes)")
            #expect(throws: XMLInputError.self) { try XMLParser.parse(data) }
        }
        for depth in [200, 250, 256, 257, 300, 10_000] {
            let doc = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
            switch Self.compare(Data(doc.utf8)) {
            case .mismatch(let why): Issue.record("depth \(depth): \(why)")
            default: break
            }
        }
        let deep = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        #expect(throws: XMLInputError.self) { try XMLParser.parseNatively(Data(deep.utf8)) }
    }

    /// Shapes only hostile input has (thousands of attributes or namespace declarations) are left to
    /// libxml2, whose behaviour on them is unchanged, rather than checked at quadratic cost.
    @Test func unusualShapesAreLeftToLibxml2() {
        let attributes = "<r " + (0..<5000).map { "a\($0)=\"\($0)\"" }.joined(separator: " ") + "/>"
        let declarations = "<r>" + (0..<200).map { "<e xmlns:p\($0)=\"urn:\($0)\" xmlns:q\($0)=\"urn:q\">" }.joined()
            + String(repeating: "</e>", count: 200) + "</r>"
        for doc in [attributes, declarations] {
            let data = Data(doc.utf8)
            #expect(Self.native(data) == nil)
            #expect((try? XMLParser.parse(data)) != nil)
        }
        let few = "<r " + (0..<60).map { "a\($0)=\"\($0)\"" }.joined(separator: " ") + "/>"
        if case .same = Self.compare(Data(few.utf8)) {} else { Issue.record("60 attributes: not the same tree") }
    }

    // MARK: Generated variants

    /// Random documents from the constructs that decide text nodes and their lines: text with CR,
    /// CR LF, non-ASCII characters around libxml2's 300-byte chunks, references, CDATA, comments,
    /// processing instructions and child elements.
    @Test func generatedDocumentsGiveLibxml2sTree() {
        var rng = SplitMix(seed: 20261125)
        let pieces = ["a", "bcd ", "é", "€", "𝄞", "\n", "\r\n", "\r", " ", "\t", "&amp;", "&#10;", "&#13;", "&#x1F600;",
                      "<![CDATA[q\r\nz]]>", "<![CDATA[]]>", "<!--c-->", "<?p x?>", "<b/>", "<b k=\"v\r\n\tw\"/>", "]", "\n    ",
                      String(repeating: "z", count: 40), String(repeating: "é", count: 30)]
        var same = 0, declined = 0
        for _ in 0..<1500 {
            var doc = "<r xmlns=\"urn:r\" xmlns:p=\"urn:p\">"
            let count = Int(rng.next() % 160)
            var open: [String] = []
            for _ in 0..<count {
                let roll = rng.next() % 20
                if roll == 0 { doc += "<c p:a=\"1\">"; open.append("c") } else if roll == 1, let last = open.popLast() { doc += "</\(last)>" } else {
                    doc += pieces[Int(rng.next() % UInt64(pieces.count))]
                }
            }
            for last in open.reversed() { doc += "</\(last)>" }
            doc += "</r>"
            switch Self.compare(Data(doc.utf8)) {
            case .same: same += 1
            case .declined, .declinedValid: declined += 1
            case .mismatch(let why): Issue.record("\(String(reflecting: doc)): \(why)")
            }
        }
        print("native parser, generated documents: \(same) identical, \(declined) left to libxml2")
        #expect(declined == 0)
    }

    /// Random damage to corpus documents and small documents: byte edits, truncations, deletions,
    /// insertions of `&`, `<`, `]]>`, bad UTF-8, duplicate attributes, prefixes, deep nesting. The
    /// native reader may decline a valid document, never accept an invalid one or build another tree.
    @Test func damagedDocumentsAreJudgedAsLibxml2Does() throws {
        var seeds: [[UInt8]] = [
            Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns=\"urn:x\" xmlns:p=\"urn:p\">\n  <a k=\"v\" p:z=\"1\">one &amp; two</a>\r\n  <b><![CDATA[x]]>y<!--c--></b>\n  <p:c>é</p:c>\n</r>\n".utf8),
            Array("<r><a b=\"1\" c='2'/><d>text</d></r>".utf8),
        ]
        let examples = Self.oracle.appendingPathComponent("en16931")
        let small = Self.xmlFiles(under: examples).filter { ((try? $0.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) ?? 0 < 12_000 }
        for url in small.prefix(12) { seeds.append(Array(try Data(contentsOf: url))) }
        let snippets: [[UInt8]] = ["&", "<", ">", "]]>", "&amp;", "&#10;", "&#xD;", "&#0;", "&#x110000;", "&foo;", "&#X41;", "<![CDATA[x]]>",
                                   "<!-- c -->", "<!--", "-->", "<?pi x?>", "<?xml?>", "\r\n", "\r", "é", "\"", "'", "=", "/", ":", " ", "\t",
                                   " a=\"1\"", " a='2'", " p:x=\"1\"", " q:x=\"1\"", " xmlns:p=\"urn:p\"", " xmlns:q=\"urn:p\"", " xmlns=\"\"",
                                   " xmlns:p=\"\"", "<p:q/>", "<q:q/>", "</x>", "<x>", "<x/>", " xml:lang=\"fr\"", "<!DOCTYPE r>"].map { Array($0.utf8) }
            + [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBE], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x00], [0x01], [0xEF, 0xBB, 0xBF]]
        var rng = SplitMix(seed: 2)
        var same = 0, declinedValid = 0, refused = 0
        for round in 0..<4000 {
            var doc = seeds[round % seeds.count]
            for _ in 0..<(rng.next() % 3 == 0 ? 2 : 1) {
                let pos = Int(rng.next() % UInt64(doc.count + 1))
                switch rng.next() % 8 {
                case 0: if pos < doc.count { doc[pos] = [0x3C, 0x3E, 0x26, 0x5D, 0x22, 0x27, 0x3D, 0x2F, 0x3A, 0x0D, 0x0A, 0x00, 0x80, 0xC3, 0xFF, 0x61, 0x20, 0x3B, 0x23][Int(rng.next() % 19)] }
                case 1: doc.removeSubrange(pos..<min(doc.count, pos + 1 + Int(rng.next() % 10)))
                case 2: doc = Array(doc[..<pos])
                case 3:
                    // Duplicate an attribute: from the space before a `="` to the closing quote.
                    var k = pos
                    while k + 1 < doc.count && !(doc[k] == 0x3D && doc[k + 1] == 0x22) { k += 1 }
                    guard k + 1 < doc.count else { break }
                    var s = k
                    while s > 0 && doc[s] != 0x20 { s -= 1 }
                    var e = k + 2
                    while e < doc.count && doc[e] != 0x22 { e += 1 }
                    guard e < doc.count, s > 0 else { break }
                    doc.insert(contentsOf: doc[s...e], at: e + 1)
                case 4:
                    let depth = [100, 249, 250, 255, 256, 257, 300][Int(rng.next() % 7)]
                    doc.insert(contentsOf: Array((String(repeating: "<d>", count: depth) + String(repeating: "</d>", count: depth)).utf8), at: pos)
                default: doc.insert(contentsOf: snippets[Int(rng.next() % UInt64(snippets.count))], at: pos)
                }
            }
            switch Self.compare(Data(doc)) {
            case .same: same += 1
            case .declinedValid: declinedValid += 1
            case .declined: refused += 1
            case .mismatch(let why): Issue.record("variant \(round) \(String(reflecting: String(decoding: doc.prefix(300), as: UTF8.self))): \(why)")
            }
        }
        print("native parser, damaged documents: \(same) identical trees, \(declinedValid) valid ones left to libxml2, \(refused) refused by both")
        #expect(same > 400)
        #expect(refused > 1000)
    }

    // MARK: The public entry points

    /// The schema-checking parse: the native tree when no schema or every schema is proven natively,
    /// otherwise libxml2's tree and violations exactly as before.
    @Test func schemaCheckingParseKeepsLibxml2sVerdicts() throws {
        let xsd = FileManager.default.temporaryDirectory.appendingPathComponent("native-parser-\(UUID().uuidString).xsd")
        try """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
          <xs:element name="r"><xs:complexType><xs:sequence><xs:element name="a" type="xs:decimal" maxOccurs="3"/></xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """.write(to: xsd, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: xsd) }
        let schema = try XMLSchema(path: xsd.path)
        for doc in ["<r xmlns=\"urn:t\"><a>1.5</a></r>", "<r xmlns=\"urn:t\"><a>x</a></r>", "<r xmlns=\"urn:t\"><b/></r>",
                    "<r xmlns=\"urn:t\">\n<a>1</a>\n<a>2</a>\n<a>3</a>\n<a>4</a>\n</r>"] {
            let data = Data(doc.utf8)
            let (expectedTree, expected) = try XMLParser.parse(data, inspect: { d, _ in schema.validate(d) })
            let got = try XMLParser.parse(data, schemasFor: { _ in [("k", schema)] })
            #expect(got.violations.count == 1)
            #expect(got.violations.first?.1 == expected, "\(doc)")
            #expect(Self.difference(got.tree, expectedTree) == nil)
            let none = try XMLParser.parse(data, schemasFor: { _ -> [(String, XMLSchema)] in [] })
            #expect(none.violations.isEmpty)
            #expect(Self.difference(none.tree, expectedTree) == nil)
        }
    }

    @Test func parseUsesTheNativeTreeAndKeepsLibxml2sErrors() throws {
        let doc = Data("<r xmlns=\"urn:x\"><a>1</a></r>".utf8)
        let tree = try XMLParser.parse(doc)
        let expected = try XMLParser.parse(doc, inspect: { _, _ in () }).0
        #expect(Self.difference(tree, expected) == nil)
        for bad in ["<r>", "<r></s>", "<p:r/>", "<r>&foo;</r>", "hello"] {
            let data = Data(bad.utf8)
            var libxml2Error: XMLInputError?
            do { _ = try XMLParser.parse(data, inspect: { _, _ in () }) } catch { libxml2Error = error }
            var nativeError: XMLInputError?
            do { _ = try XMLParser.parse(data) } catch { nativeError = error }
            #expect(nativeError == libxml2Error, "\(bad)")
        }
    }
}
