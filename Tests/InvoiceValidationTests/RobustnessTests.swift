import Foundation
import Testing
@testable import InvoiceValidation

/// Invoices with hostile values in every field must produce a report — never a crash, a trap on
/// an overflow, or a hang. Deterministic mutations of the official examples.
@Suite struct RobustnessTests {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let hostileValues = [
        "", " ", "1e308", "-1e308", "1E400", "-0", "NaN", "INF", "-INF", "0x1F", "+5", "1.", ".5", "1,5",
        "99999999999999999999999999999999999999999999", "-9223372036854775808", "9223372036854775807",
        "0.000000000000000000000000000000000000001", "2023-02-30", "20230230", "abc", "S", "AE", "VAT",
        String(repeating: "9", count: 5000), "é€«»\u{202E}\u{FEFF}", "&lt;&amp;", "  12.50  ",
    ]

    @Test func mutatedExamplesAlwaysGiveAReport() throws {
        let oracle = OfficialAgreementTests.oracle
        var files: [URL] = []
        for dir in ["en16931/cii/examples", "en16931/ubl/examples"] {
            let url = oracle.appendingPathComponent(dir)
            files += try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension.lowercased() == "xml" && (try? $0.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) ?? 0 < 200_000 }
        }
        files.sort { $0.path < $1.path }
        #expect(files.count >= 15)
        var rng = SplitMix64(state: 20261124)
        var reports = 0, invalid = 0
        let start = Date()
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            // Text content ranges: between '>' and the next '<'.
            var ranges: [Range<String.Index>] = []
            var i = text.startIndex
            while let gt = text[i...].firstIndex(of: ">") {
                let after = text.index(after: gt)
                guard let lt = text[after...].firstIndex(of: "<") else { break }
                if text[after..<lt].contains(where: { !$0.isWhitespace }) { ranges.append(after..<lt) }
                i = lt
            }
            for _ in 0..<25 {
                // Two fields changed at once: ranges are applied from the end so indices stay valid.
                let picked = (0..<2).compactMap { _ in ranges.randomElement(using: &rng) }.sorted { $0.lowerBound > $1.lowerBound }
                var mutated = text
                var previous: String.Index?
                for r in picked where previous.map({ r.upperBound <= $0 }) ?? true {
                    mutated.replaceSubrange(r, with: Self.hostileValues.randomElement(using: &rng)!)
                    previous = r.lowerBound
                }
                let report = OfficialAgreementTests.validator.validate(Data(mutated.utf8), file: file.lastPathComponent)
                reports += 1
                if !report.valid { invalid += 1 }
                #expect(report.syntax != nil || report.errors.contains { $0.rule == "XML-PARSE" })
            }
        }
        print("robustness: \(reports) mutated invoices validated, \(invalid) invalid, in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        #expect(reports == files.count * 25)
        #expect(invalid > reports / 2)
    }
}
