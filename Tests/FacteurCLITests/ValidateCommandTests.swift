import Foundation
import Testing

/// The `facteur validate` contract that other tools rely on: OK/KO lines, exit codes 0/1/2,
/// the JSON shape — and hostile files handled with a clear error, never a crash or a hang.
@Suite struct ValidateCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `facteur` binary built next to the test bundle.
    static var binary: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("facteur")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return root.appendingPathComponent(".build/debug/facteur")
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func facteur(_ args: [String], timeout: TimeInterval = 60) throws -> Run {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        p.currentDirectoryURL = Self.root
        // Output goes to files: a large output can never block the child on a full pipe.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning { p.terminate(); Issue.record("facteur \(args) did not finish within \(timeout) s") }
        p.waitUntilExit()
        try out.close()
        try err.close()
        let o = try Data(contentsOf: outURL), e = try Data(contentsOf: errURL)
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func temp(_ name: String, _ data: Data) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facteur-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    @Test func validInvoiceExitsZero() throws {
        let r = try facteur(["validate", "examples/facture-en16931.xml"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("OK examples/facture-en16931.xml\n"))
    }

    @Test func invalidInvoiceExitsOneWithTheRules() throws {
        let r = try facteur(["validate", "examples/facture-en16931.xml", "examples/facture-montant-tva-faux.xml"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("OK examples/facture-en16931.xml\n"))
        #expect(r.stdout.contains("KO examples/facture-montant-tva-faux.xml\n"))
        #expect(r.stdout.contains("BR-CO-14 [fatal] BT-110"))
        #expect(r.stdout.contains("BR-S-09"))
    }

    @Test func missingFileOrNoArgumentExitsTwo() throws {
        let r = try facteur(["validate", "examples/facture-en16931.xml", "no/such/file.xml"])
        #expect(r.status == 2)
        #expect(r.stdout.contains("KO no/such/file.xml"))
        #expect(r.stdout.contains("IO-ERROR"))
        let usage = try facteur(["validate"])
        #expect(usage.status == 2)
        #expect(!usage.stderr.isEmpty)
        let unknownOption = try facteur(["validate", "--format", "yaml", "examples/facture-en16931.xml"])
        #expect(unknownOption.status == 2)
    }

    @Test func directoriesAreWalked() throws {
        let r = try facteur(["validate", "examples"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("OK examples/facture-en16931.xml"))
        #expect(r.stdout.contains("OK examples/facture-ubl.xml"))
        #expect(r.stdout.contains("KO examples/facture-montant-tva-faux.xml"))
    }

    @Test func jsonContract() throws {
        let r = try facteur(["validate", "--format", "json", "--lang", "en", "examples/facture-en16931.xml", "examples/facture-montant-tva-faux.xml"])
        #expect(r.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(json.count == 2)
        #expect(json[0]["file"] as? String == "examples/facture-en16931.xml")
        #expect(json[0]["valid"] as? Bool == true)
        #expect(json[0]["syntax"] as? String == "cii")
        #expect(json[0]["profile"] as? String == "urn:cen.eu:en16931:2017")
        #expect((json[0]["errors"] as? [Any])?.isEmpty == true)
        #expect(json[0]["warnings"] is [Any])
        #expect(json[1]["valid"] as? Bool == false)
        let errors = try #require(json[1]["errors"] as? [[String: Any]])
        let co14 = try #require(errors.first { $0["rule"] as? String == "BR-CO-14" })
        #expect(co14["severity"] as? String == "fatal")
        #expect(co14["term"] as? String == "BT-110")
        #expect((co14["location"] as? String)?.contains("SpecifiedTradeSettlementHeaderMonetarySummation") == true)
        #expect((co14["message"] as? String)?.contains("Invoice total VAT amount") == true)
        #expect((co14["line"] as? Int ?? 0) > 0)
    }

    @Test func frenchRulesOnlyWithTheFlag() throws {
        let plain = try facteur(["validate", "--format", "json", "../shared/oracle/en16931/cii/examples/CII_example1.xml"])
        #expect(plain.status == 0)
        let fr = try facteur(["validate", "--fr", "--format", "json", "../shared/oracle/en16931/cii/examples/CII_example1.xml"])
        #expect(fr.status == 1)
        #expect(fr.stdout.contains("BR-FR-10_BT-30"))
    }

    // MARK: hostile and broken input, through the command a user runs

    func expectRefused(_ data: Data, name: String = "x.xml", rule: String, mentions: String, timeout: TimeInterval = 20) throws {
        let path = try temp(name, data)
        let start = Date()
        let r = try facteur(["validate", "--lang", "en", path], timeout: timeout)
        #expect(r.status == 1, "exit status \(r.status) for \(name)")
        #expect(r.stdout.hasPrefix("KO "), "\(r.stdout)")
        #expect(r.stdout.contains(rule), "\(r.stdout)")
        #expect(r.stdout.lowercased().contains(mentions.lowercased()), "\(r.stdout)")
        #expect(Date().timeIntervalSince(start) < timeout)
    }

    @Test func notXML() throws {
        try expectRefused(Data("%PDF-1.7\nthis is not an invoice".utf8), rule: "XML-PARSE", mentions: "line 1")
    }

    @Test func truncatedXML() throws {
        let full = try Data(contentsOf: Self.root.appendingPathComponent("examples/facture-en16931.xml"))
        try expectRefused(full.prefix(full.count / 2), rule: "XML-PARSE", mentions: "Malformed XML")
    }

    @Test func wrongRootElement() throws {
        try expectRefused(Data("<?xml version=\"1.0\"?><Order xmlns=\"urn:example\"/>".utf8), rule: "UNSUPPORTED-SYNTAX", mentions: "neither")
    }

    @Test func externalEntityNeverRead() throws {
        let secret = try temp("secret.txt", Data("TOP-SECRET-VALUE".utf8))
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file://\(secret)\">]>\n<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\">&x;</rsm:CrossIndustryInvoice>"
        try expectRefused(Data(doc.utf8), rule: "XML-PARSE", mentions: "DOCTYPE")
        let r = try facteur(["validate", "--format", "json", try temp("xxe.xml", Data(doc.utf8))])
        #expect(!r.stdout.contains("TOP-SECRET-VALUE"))
    }

    @Test func entityExpansionBomb() throws {
        var doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        for i in 1...9 { doc += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">" }
        doc += "]><lolz>&lol9;</lolz>"
        try expectRefused(Data(doc.utf8), rule: "XML-PARSE", mentions: "DOCTYPE", timeout: 10)
    }

    @Test func fiftyMegabytes() throws {
        var big = Data("<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\"><!--".utf8)
        big.append(Data(repeating: UInt8(ascii: "a"), count: 50 * 1024 * 1024))
        big.append(Data("--></rsm:CrossIndustryInvoice>".utf8))
        try expectRefused(big, rule: "XML-PARSE", mentions: "limit", timeout: 20)
    }

    @Test func tenThousandDeep() throws {
        let doc = String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        try expectRefused(Data(doc.utf8), rule: "XML-PARSE", mentions: "depth")
    }

    @Test func invalidUTF8() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>caf".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("</r>".utf8)
        try expectRefused(Data(bytes), rule: "XML-PARSE", mentions: "UTF-8")
    }

    @Test func unknownProfileIsReported() throws {
        var text = try String(contentsOf: Self.root.appendingPathComponent("examples/facture-en16931.xml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", with: "<ram:ID>urn:example:no-such-profile</ram:ID>")
        let path = try temp("unknown-profile.xml", Data(text.utf8))
        let r = try facteur(["validate", "--lang", "en", path])
        #expect(r.stdout.contains("PROFILE-UNKNOWN [warning] BT-24"), "\(r.stdout)")
        #expect(r.stdout.contains("urn:example:no-such-profile"))
    }
}
