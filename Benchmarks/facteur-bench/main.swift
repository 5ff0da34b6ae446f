import Foundation
@_spi(Profiling) import InvoiceValidation
import FacteurXML

// Prints how long validation takes per invoice (XSD + all EN 16931 rules, after warm-up),
// one line per syntax, in a form scripts/bench-validate.sh puts next to the reference.
// Usage: facteur-bench validate [--repeat N] FILE...

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

var args = Array(CommandLine.arguments.dropFirst())
guard args.first == "validate" else {
    FileHandle.standardError.write(Data("usage: facteur-bench validate [--repeat N] FILE...\n".utf8))
    exit(2)
}
args.removeFirst()
var repeatCount = 200
if let i = args.firstIndex(of: "--repeat"), i + 1 < args.count, let n = Int(args[i + 1]) {
    repeatCount = n
    args.removeSubrange(i...(i + 1))
}

let t0 = now()
let validator = try Validator()
let loadMs = Double(now() - t0) / 1e6
print(String(format: "load artefacts (XSDs + 2 schematrons): %.1f ms", loadMs))

// ONLY=N facteur-bench validate FILE...: validate each file N times and nothing else — a fixed
// workload for instruction counts (valgrind --tool=callgrind), which a busy machine does not blur.
if let only = ProcessInfo.processInfo.environment["ONLY"].flatMap(Int.init) {
    let datas = try args.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    for _ in 0..<only { for (path, d) in zip(args, datas) { _ = validator.validate(d, file: path) } }
    exit(0)
}

var bySyntax: [String: [(String, Data)]] = [:]
for path in args {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let syntax = validator.validate(data, file: path).syntax ?? "?"
    bySyntax[syntax, default: []].append((path, data))
}

for syntax in bySyntax.keys.sorted() {
    let files = bySyntax[syntax]!
    for (path, data) in files { _ = validator.validate(data, file: path) } // warm-up
    var best = Double.infinity
    var total = 0.0
    let rounds = 5
    for _ in 0..<rounds {
        let start = now()
        for _ in 0..<max(1, repeatCount / rounds) {
            for (path, data) in files { _ = validator.validate(data, file: path) }
        }
        let per = Double(now() - start) / 1e3 / Double(max(1, repeatCount / rounds) * files.count)
        best = min(best, per)
        total += per
    }
    print(String(format: "%@: %d files, %.1f µs per invoice (best of %d rounds; mean %.1f µs)", syntax, files.count, best, rounds, total / Double(rounds)))
    // Where the time goes: parsing alone, parsing + XML Schema, everything.
    func measure(_ options: ValidationOptions) -> Double {
        let start = now()
        let n = max(1, repeatCount / 5)
        for _ in 0..<n { for (path, data) in files { _ = validator.validate(data, file: path, options: options) } }
        return Double(now() - start) / 1e3 / Double(n * files.count)
    }
    let parseOnly = measure(ValidationOptions(schema: false, rules: false))
    let withSchema = measure(ValidationOptions(schema: true, rules: false))
    print(String(format: "    of which parsing %.1f µs, XML Schema %.1f µs, rules %.1f µs", parseOnly, withSchema - parseOnly, best - withSchema))
}

// EXPR='xpath' [CTX='xpath'] facteur-bench validate FILE: time one expression (for profiling rules).
if let expr = ProcessInfo.processInfo.environment["EXPR"] {
    let data = try Data(contentsOf: URL(fileURLWithPath: args[0]))
    let tree = try XMLParser.parse(data)
    let ns = ["rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100", "xs": "http://www.w3.org/2001/XMLSchema"]
    let ctxExpr = try XPathParser.parse(ProcessInfo.processInfo.environment["CTX"] ?? "/", namespaces: ns)
    let ev = XPathEvaluator(tree: tree)
    guard case .node(let ctx)? = try ev.evaluate(ctxExpr, contextNode: 0).first else { fatalError("no context") }
    let e = try XPathParser.parse(expr, namespaces: ns)
    let start = now()
    var r: XPathSequence = []
    for _ in 0..<10000 { r = try ev.evaluate(e, contextNode: ctx) }
    print(String(format: "%.2f µs per evaluation", Double(now() - start) / 1e3 / 10000), r.map { ev.stringValue($0) }.prefix(3))
}

// PARSE=1 facteur-bench validate FILE...: libxml2's parse alone next to XMLParser.parse (tree copy included).
if ProcessInfo.processInfo.environment["PARSE"] != nil {
    let datas = try args.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    let n = 200
    var start = now()
    for _ in 0..<n { for d in datas { _ = try XMLParser.parse(d) } }
    let ours = Double(now() - start) / 1e3 / Double(n * datas.count)
    start = now()
    for _ in 0..<n { for d in datas { XMLParser.libxml2Only(d) } }
    let raw = Double(now() - start) / 1e3 / Double(n * datas.count)
    print(String(format: "parse: XMLParser.parse %.1f µs, libxml2 alone %.1f µs", ours, raw))
}

// PROFILE=N facteur-bench validate FILE...: the rules' time per rule context, variable set and check
// (N runs of each file, parse excluded), the costliest first: where to look before optimising.
if let rounds = ProcessInfo.processInfo.environment["PROFILE"].flatMap(Int.init) {
    let trees = try args.map { try XMLParser.parse(Data(contentsOf: URL(fileURLWithPath: $0))) }
    let profile = Schematron.Profile()
    for _ in 0..<rounds {
        for tree in trees {
            guard let rules = validator.rules(for: tree) else { continue }
            _ = try rules.run(on: tree, profile: profile)
        }
    }
    let total = profile.nanoseconds.values.reduce(0) { $0 + $1.ns }
    print(String(format: "profiled: %.1f µs per document", Double(total) / 1e3 / Double(rounds * trees.count)))
    for (key, v) in profile.nanoseconds.sorted(by: { $0.value.ns > $1.value.ns }).prefix(Int(ProcessInfo.processInfo.environment["TOP"] ?? "60") ?? 60) {
        print(String(format: "%6.2f µs/doc %5.1f%% %6d calls  %@", Double(v.ns) / 1e3 / Double(rounds * trees.count), 100 * Double(v.ns) / Double(total), v.calls / rounds, key))
    }
}
