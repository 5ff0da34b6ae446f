import FacteurXML
import Foundation
import InvoiceFormats
import Testing
@testable import InvoiceValidation

/// Facteur's verdicts must equal those of the reference checkers in ../shared/oracle:
/// the oracle's answers are committed under Tests/Fixtures/oracle (CI regenerates them with
/// the oracle itself and fails if they drift), and the official rule unit tests carry theirs.
@Suite struct OfficialAgreementTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let oracle = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/oracle")
    static let validator = try! Validator()

    struct Expectation {
        var path: String
        var errors: Set<String>
        var warnings: Set<String>
    }

    static func expectations(_ name: String) throws -> [Expectation] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/oracle/\(name)"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func ids(_ s: String) -> Set<String> { s == "valid" || s == "-" ? [] : Set(s.split(separator: ",").map(String.init)) }
            return Expectation(path: c[0], errors: ids(c[1]), warnings: c.count > 2 ? ids(c[2]) : [])
        }
    }

    func requireOracle() throws {
        try #require(FileManager.default.fileExists(atPath: Self.oracle.path),
                     "../shared/oracle is missing: the shared folder must sit beside the repository")
    }

    func compare(_ file: String, options: ValidationOptions) throws -> (Int, [String]) {
        try requireOracle()
        var disagreements: [String] = []
        let cases = try Self.expectations(file)
        for e in cases {
            let base = e.path.hasPrefix("Tests/") ? Self.packageRoot : Self.oracle
            let report = Self.validator.validate(fileAt: base.appendingPathComponent(e.path), options: options)
            // Facteur's own checks (FR-SIREN-KEY…, PROFILE-UNKNOWN) are warnings the oracle does not have.
            let errors = Set(report.errors.map(\.rule)), warnings = Set(report.warnings.map(\.rule).filter { !$0.hasPrefix("FR-") && $0 != "PROFILE-UNKNOWN" })
            if errors != e.errors {
                disagreements.append("\(e.path): errors missing \(e.errors.subtracting(errors).sorted()), extra \(errors.subtracting(e.errors).sorted())")
            }
            if warnings != e.warnings {
                disagreements.append("\(e.path): warnings missing \(e.warnings.subtracting(warnings).sorted()), extra \(warnings.subtracting(e.warnings).sorted())")
            }
        }
        print("agreement with the oracle on \(file): \(cases.count - Set(disagreements.map { $0.components(separatedBy: ":").first! }).count)/\(cases.count) files")
        return (cases.count, disagreements)
    }

    @Test func officialExamplesAgreeWithTheOracle() throws {
        let (count, diffs) = try compare("en16931.tsv", options: ValidationOptions())
        #expect(count >= 40)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))")
    }

    @Test func brokenInvoicesAgreeWithTheOracle() throws {
        let (count, diffs) = try compare("mutants.tsv", options: ValidationOptions())
        #expect(count >= 100)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))")
    }

    @Test func factureXProfileSamplesAgreeWithTheOracle() throws {
        let (count, diffs) = try compare("facturx-xml.tsv", options: ValidationOptions())
        #expect(count >= 6)
        #expect(diffs.isEmpty, "\(diffs.joined(separator: "\n"))")
    }

    @Test func frenchRulesAgreeWithTheOracle() throws {
        let (count, diffs) = try compare("french.tsv", options: ValidationOptions(french: true))
        let (count2, diffs2) = try compare("french-en16931.tsv", options: ValidationOptions(french: true))
        #expect(count + count2 >= 46)
        #expect((diffs + diffs2).isEmpty, "\((diffs + diffs2).joined(separator: "\n"))")
    }

    @Test func ruleUnitTestsAgreeWithTheOfficialExpectations() throws {
        try requireOracle()
        let vefa = "http://difi.no/xsd/vefa/validator/1.0"
        let dir = Self.oracle.appendingPathComponent("en16931/unit-tests")
        let files = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "xml" }.sorted { $0.path < $1.path }
        #expect(files.count > 200)
        var total = 0, failures: [String] = []
        for url in files {
            let tree = try XMLParser.parse(try Data(contentsOf: url))
            let root = tree.root
            let syntax: InvoiceSyntax = root.attribute("configuration") == "tc434-cii" ? .cii : .ublInvoice
            let scope = Set((root.child(vefa, "assert")?.children(vefa, "scope") ?? []).map(\.trimmedText))
            for (i, test) in root.children(vefa, "test").enumerated() {
                guard let doc = test.children.first(where: { $0.namespace != vefa }) else { continue }
                total += 1
                let fragment = tree.subtree(doc.index)
                let findings: [Finding]
                do { findings = try Self.validator.ruleFindings(tree: fragment, syntax: InvoiceSyntax(root: fragment.root.name) ?? syntax) } catch {
                    failures.append("\(url.lastPathComponent) #\(i + 1): evaluation error \(error)")
                    continue
                }
                var errors: [String: Int] = [:], warnings: [String: Int] = [:]
                for f in findings {
                    if f.severity == .fatal { errors[f.rule, default: 0] += 1 } else { warnings[f.rule, default: 0] += 1 }
                }
                var problems: [String] = []
                var expectedToFire = Set<String>(), expectedSilent = Set<String>()
                for e in test.child(vefa, "assert")?.children ?? [] {
                    let rule = e.trimmedText
                    switch e.localName {
                    case "success":
                        expectedSilent.insert(rule)
                        if errors[rule, default: 0] + warnings[rule, default: 0] > 0 { problems.append("\(rule) fired, expected silent") }
                    case "error":
                        expectedToFire.insert(rule)
                        if let n = e.attribute("number").flatMap(Int.init) {
                            if errors[rule, default: 0] != n { problems.append("\(rule) fired \(errors[rule, default: 0])×, expected \(n)×") }
                        } else if errors[rule, default: 0] == 0 { problems.append("\(rule) did not fire as an error") }
                    case "warning":
                        expectedToFire.insert(rule)
                        if warnings[rule, default: 0] == 0 { problems.append("\(rule) did not fire as a warning") }
                    default: break
                    }
                }
                for rule in scope.subtracting(expectedToFire).subtracting(expectedSilent)
                where errors[rule, default: 0] + warnings[rule, default: 0] > 0 {
                    problems.append("in-scope \(rule) fired unexpectedly")
                }
                if !problems.isEmpty { failures.append("\(url.deletingLastPathComponent().lastPathComponent)/\(url.lastPathComponent) #\(i + 1): \(problems.joined(separator: "; "))") }
            }
        }
        print("official rule unit tests: \(total - failures.count)/\(total) cases agree")
        #expect(total > 1000)
        #expect(failures.isEmpty, "\(failures.count) disagreements:\n\(failures.joined(separator: "\n"))")
    }
}
