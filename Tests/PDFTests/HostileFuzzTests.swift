import Foundation
import Testing
@testable import PDF

/// A short mutation-fuzzing run on every `swift test` (bit flips, truncations, splices, inserted
/// keywords over the shared samples and scripts/fuzz/seeds); `FACTEUR_FUZZ_SECONDS=600 swift test
/// --filter HostileFuzzTests` runs it long. The long-running harness with crash capture is
/// scripts/fuzz/run.sh (facteur-bench-pdf extract --fuzz).
@Suite struct HostileFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func corpus() -> [[UInt8]] {
        var out: [[UInt8]] = []
        for dir in [root.appendingPathComponent("scripts/fuzz/seeds"), root.deletingLastPathComponent().appendingPathComponent("shared/oracle/facturx-samples/corpus")] {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] where f.hasSuffix(".pdf") {
                if let d = FileManager.default.contents(atPath: dir.appendingPathComponent(f).path) { out.append([UInt8](d)) }
            }
        }
        return out
    }

    @Test func mutatedPDFsNeverCrashOrHang() {
        let seeds = Self.corpus()
        #expect(seeds.count >= 8)
        guard !seeds.isEmpty else { return }
        let env = ProcessInfo.processInfo.environment
        let seconds = Double(env["FACTEUR_FUZZ_SECONDS"] ?? "") ?? 0
        let iterations = seconds > 0 ? Int.max : 150
        var state: UInt64 = UInt64(env["FACTEUR_FUZZ_SEED"] ?? "") ?? 20261125
        func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        let words = ["obj", "endobj", "stream", "endstream", "R", "<<", ">>", "[", "/Length 99999999", "/Prev 0", "/Type /ObjStm", "-1"].map { Array($0.utf8) }
        let start = Date()
        var runs = 0, opened = 0
        while runs < iterations && (seconds == 0 || Date().timeIntervalSince(start) < seconds) {
            var input = seeds[Int(next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(next() % 3)) where !input.isEmpty {
                let p = Int(next() % UInt64(input.count))
                switch next() % 5 {
                case 0: input[p] ^= UInt8(1 << (next() % 8))
                case 1: input.removeSubrange(p...)
                case 2:
                    let other = seeds[Int(next() % UInt64(seeds.count))]
                    input = Array(input[..<p]) + Array(other[Int(next() % UInt64(other.count))...])
                case 3: input.insert(contentsOf: words[Int(next() % UInt64(words.count))], at: p)
                default: input.removeSubrange(p..<min(input.count, p + Int(next() % 256)))
                }
            }
            let t = Date()
            do {
                let doc = try PDFDocument(bytes: input)
                opened += 1
                for a in try doc.attachments() { _ = try? doc.data(of: a) }
                _ = try? doc.metadata()
                _ = try? PDFTextExtractor.text(of: doc)
            } catch {
                #expect(error is PDFReadError)
            }
            #expect(Date().timeIntervalSince(t) < 10, "an input took \(Date().timeIntervalSince(t)) s")
            runs += 1
        }
        #expect(opened > 0)
    }
}
