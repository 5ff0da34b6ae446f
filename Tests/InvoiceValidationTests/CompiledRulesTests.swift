import FacteurXML
import Foundation
import InvoiceFormats
import Testing
@testable import InvoiceValidation

/// The compiled assertion tests (`XPathCompiledTest`) must answer exactly as the interpreter they
/// replace: same boolean, or the same dynamic error, for every check of the CII and UBL rule sets on
/// every node each rule fires on, over the official examples, the broken mutants and the French
/// samples. Each side has its own evaluator, so neither reads values the other kept per document.
@Suite struct CompiledRulesTests {
    static let oracle = OfficialAgreementTests.oracle

    /// Official examples and test files, the mutants, and each official rule unit test's fragment.
    static func trees() throws -> [(String, XMLTree)] {
        let fm = FileManager.default
        var urls: [URL] = []
        for folder in ["en16931/cii/examples", "en16931/ubl/examples", "en16931/ubl/testfiles"] {
            guard let e = fm.enumerator(at: oracle.appendingPathComponent(folder), includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in e where url.pathExtension.lowercased() == "xml" { urls.append(url) }
        }
        for e in try OfficialAgreementTests.expectations("mutants.tsv") {
            urls.append(OfficialAgreementTests.packageRoot.appendingPathComponent(e.path))
        }
        var out: [(String, XMLTree)] = []
        for url in urls.sorted(by: { $0.path < $1.path }) {
            if let data = try? Data(contentsOf: url), let tree = try? XMLParser.parse(data) { out.append((url.lastPathComponent, tree)) }
        }
        let vefa = "http://difi.no/xsd/vefa/validator/1.0"
        let unit = oracle.appendingPathComponent("en16931/unit-tests")
        let files = (fm.enumerator(at: unit, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "xml" }.sorted { $0.path < $1.path }
        for url in files {
            let tree = try XMLParser.parse(try Data(contentsOf: url))
            for (i, test) in tree.root.children(vefa, "test").enumerated() {
                guard let doc = test.children.first(where: { $0.namespace != vefa }) else { continue }
                out.append(("\(url.lastPathComponent) #\(i + 1)", tree.subtree(doc.index)))
            }
        }
        return out
    }

    enum Outcome: Equatable {
        case value(Bool)
        case error(String)
    }

    static func outcome(_ body: () throws(XPathError) -> Bool) -> Outcome {
        do { return .value(try body()) } catch { return .error(error.code) }
    }

    @Test func compiledChecksAnswerAsTheInterpreter() throws {
        try #require(FileManager.default.fileExists(atPath: Self.oracle.path), "../shared/oracle is missing")
        let validator = OfficialAgreementTests.validator
        var compared = 0, compiledTops = 0, documents = 0
        var disagreements: [String] = []
        for (file, tree) in try Self.trees() {
            guard let syntax = InvoiceSyntax(root: tree.root.name) else { continue }
            documents += 1
            let rules = syntax == .cii ? validator.artefacts.ciiRules : validator.artefacts.ublRules
            let interpreted = XPathEvaluator(tree: tree, functions: rules.functions)
            let compiled = XPathEvaluator(tree: tree, functions: rules.functions)
            for (name, e) in rules.globals {
                if let v = try? interpreted.evaluate(e, contextNode: 0) { interpreted.bind(name, v); compiled.bind(name, v) }
            }
            for pattern in rules.patterns {
                for n in 1..<Int32(tree.nodeCount) where tree.kind(n) == .element || tree.kind(n) == .attribute {
                    for rule in pattern.rules {
                        let byInterpreter = Self.outcome { () throws(XPathError) -> Bool in try interpreted.matches(pattern: rule.pattern, node: n) }
                        if let fast = rule.compiledPattern {
                            let byCompiled = Self.outcome { () throws(XPathError) -> Bool in try fast.matches(n, in: compiled) }
                            if byCompiled != byInterpreter {
                                disagreements.append("\(file) node \(n): context of \(rule.checks.first?.id ?? "?"): \(byCompiled) vs \(byInterpreter)")
                            }
                        }
                        guard byInterpreter == .value(true) else { continue }
                        interpreted.currentNode = n
                        compiled.currentNode = n
                        let mark = interpreted.scopeMark
                        var letsFailed = false
                        for (name, e) in rule.lets {
                            guard let v = try? interpreted.evaluate(e, contextNode: n) else { letsFailed = true; break }
                            interpreted.bind(name, v)
                            compiled.bind(name, v)
                        }
                        if !letsFailed {
                            for check in rule.checks {
                                let a = Self.outcome { () throws(XPathError) -> Bool in try interpreted.effectiveBoolean(check.test, contextNode: n) }
                                let b = Self.outcome { () throws(XPathError) -> Bool in try compiled.effectiveBoolean(check.compiled, contextNode: n) }
                                compared += 1
                                if check.compiled.isCompiled { compiledTops += 1 }
                                if a != b {
                                    disagreements.append("\(file) node \(n): \(check.id): compiled \(b), interpreter \(a)")
                                }
                            }
                        }
                        interpreted.unbind(to: mark)
                        compiled.unbind(to: mark)
                        break
                    }
                }
            }
        }
        print("compiled checks: \(compared) evaluations on \(documents) documents, \(compiledTops) compiled at the top, \(disagreements.count) disagreements")
        #expect(documents >= 100)
        #expect(compared > 10_000)
        #expect(compiledTops * 10 > compared * 9, "fewer than 90 % of the evaluations ran compiled code")
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
