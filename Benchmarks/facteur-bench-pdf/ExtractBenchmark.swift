import FacturX
import Foundation
import PDF

/// Extracts the embedded XML from many Factur-X PDFs and prints PDFs per second.
///
///     facteur-bench-pdf extract [--seconds S] [--list] FILE_OR_DIR...
///
/// The files are read into memory first: the figure is the reader's (parse the cross-reference,
/// walk the name tree, inflate the XML, parse the XMP), not the disk's. `--list` prints what was
/// extracted from each file instead.
func extractBenchmark(_ arguments: [String]) {
    var seconds = 3.0
    var list = false
    var text = false
    var fuzzSeconds: Double? = nil
    var fuzzSeed: UInt64 = 1
    var paths: [String] = []
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--seconds":
            i += 1
            seconds = i < arguments.count ? Double(arguments[i]) ?? 3 : 3
        case "--list": list = true
        case "--fuzz":
            i += 1
            fuzzSeconds = i < arguments.count ? Double(arguments[i]) ?? 60 : 60
        case "--seed":
            i += 1
            fuzzSeed = i < arguments.count ? UInt64(arguments[i]) ?? 1 : 1
        case "--text": text = true
        default: paths.append(arguments[i])
        }
        i += 1
    }
    var files: [(String, Data)] = []
    for p in paths {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
            let walker = FileManager.default.enumerator(atPath: p)
            for case let f as String in walker ?? FileManager.default.enumerator(atPath: "/dev/null")! where f.lowercased().hasSuffix(".pdf") {
                let full = (p as NSString).appendingPathComponent(f)
                if let d = FileManager.default.contents(atPath: full) { files.append((full, d)) }
            }
        } else if let d = FileManager.default.contents(atPath: p) {
            files.append((p, d))
        }
    }
    files.sort { $0.0 < $1.0 }
    guard !files.isEmpty else {
        FileHandle.standardError.write(Data("usage: facteur-bench-pdf extract [--seconds S] [--list] [--text] FILE_OR_DIR...\n".utf8))
        exit(2)
    }
    if let fuzzSeconds {
        fuzz(files.map(\.1), seconds: fuzzSeconds, seed: fuzzSeed)
        return
    }
    if list || text {
        for (name, data) in files {
            if text {
                print("== \(name)")
                do { print(try FacturX.text(pdf: data)) } catch { print("ERROR \(error.description)") }
                continue
            }
            do {
                let x = try FacturX.extract(pdf: data)
                print("\(name)\t\(x.attachmentName)\t\(x.xmpLevel ?? "-")\t\(x.relationship ?? "-")\t\(x.xml.count) bytes")
            } catch {
                print("\(name)\tERROR \(error.description)")
            }
        }
        return
    }
    // Warm-up, and only files that extract are timed (the broken samples are not the point here).
    let good = files.filter { (try? FacturX.extract(pdf: $0.1)) != nil }
    let totalBytes = good.reduce(0) { $0 + $1.1.count }
    var count = 0
    var xmlBytes = 0
    let start = Date()
    var elapsed = 0.0
    repeat {
        for (_, data) in good {
            if let x = try? FacturX.extract(pdf: data) { xmlBytes &+= x.xml.count }
            count += 1
        }
        elapsed = Date().timeIntervalSince(start)
    } while elapsed < seconds
    let rate = Double(count) / elapsed
    print(String(format: "facteur extract: %d PDFs (%d files, %.1f MiB) in %.2f s: %.0f PDFs/s, %.1f µs/PDF",
                 count, good.count, Double(totalBytes) / 1_048_576, elapsed, rate, 1e6 / rate))
    _ = xmlBytes
}

/// A mutation fuzzer for the reader: bit flips, byte runs, truncations, splices of two samples,
/// duplicated or deleted slices, and number tweaks, each fed to extraction, container checks and
/// text extraction. The input under test is written to `$FACTEUR_FUZZ_CURRENT` first, so that a
/// crash leaves it behind (scripts/fuzz/run.sh keeps it); a watchdog aborts on an input that takes
/// more than 20 s.
func fuzz(_ corpus: [Data], seconds: Double, seed: UInt64) {
    var rng = SplitMix(state: seed)
    let currentPath = ProcessInfo.processInfo.environment["FACTEUR_FUZZ_CURRENT"] ?? "/tmp/facteur-fuzz-current.pdf"
    let seeds = corpus.map { [UInt8]($0) }
    let started = Date()
    let progress = FuzzProgress()
    let watchdog = Thread {
        while true {
            Thread.sleep(forTimeInterval: 1)
            if let t = progress.inputStarted, Date().timeIntervalSince(t) > 20 {
                FileHandle.standardError.write(Data("fuzz: HANG on the input in \(currentPath)\n".utf8))
                exit(3)
            }
        }
    }
    watchdog.start()
    var runs = 0, opened = 0, extracted = 0
    var errors: [String: Int] = [:]
    let tokens: [[UInt8]] = ["obj", "endobj", "stream", "endstream", "xref", "trailer", "startxref", "R", "<<", ">>", "[", "]",
                             "/Length 999999999", "/Filter /FlateDecode", "/Prev 0", "/W [1 2 1]", "/Type /ObjStm", "-1",
                             "99999999999999999999", "/DecodeParms << /Predictor 12 /Columns 4 >>", "(", ")", "<", ">"].map { Array($0.utf8) }
    while Date().timeIntervalSince(started) < seconds {
        var input = seeds[Int(rng.next() % UInt64(seeds.count))]
        let mutations = 1 + Int(rng.next() % 4)
        for _ in 0..<mutations {
            guard !input.isEmpty else { break }
            let p = Int(rng.next() % UInt64(input.count))
            switch rng.next() % 9 {
            case 0: input[p] ^= UInt8(1 << (rng.next() % 8))
            case 1: input[p] = UInt8(truncatingIfNeeded: rng.next())
            case 2: input = Array(input[0..<p])
            case 3:
                let other = seeds[Int(rng.next() % UInt64(seeds.count))]
                let q = Int(rng.next() % UInt64(max(1, other.count)))
                input = Array(input[0..<p]) + Array(other[q...])
            case 4:
                let n = min(Int(rng.next() % 512), input.count - p)
                input.removeSubrange(p..<(p + n))
            case 5:
                let n = min(Int(rng.next() % 512), input.count - p)
                input.insert(contentsOf: Array(input[p..<(p + n)]), at: p)
            case 6:
                input.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: p)
            case 7:
                // Tweak a number: find a digit nearby and change it.
                var q = p
                while q < input.count, !(48...57).contains(input[q]) { q += 1 }
                if q < input.count { input[q] = UInt8(48 + rng.next() % 10) }
            default:
                for k in 0..<min(16, input.count - p) { input[p + k] = UInt8(truncatingIfNeeded: rng.next()) }
            }
        }
        let data = Data(input)
        try? data.write(to: URL(fileURLWithPath: currentPath))
        progress.inputStarted = Date()
        do {
            let doc = try PDFDocument(data: data)
            opened += 1
            if (try? FacturX.extract(document: doc)) != nil { extracted += 1 }
            _ = FacturX.checkContainer(pdf: data)
            _ = try? PDFTextExtractor.text(of: doc)
        } catch {
            let key = String(describing: error).prefix(40)
            errors[String(key), default: 0] += 1
        }
        progress.inputStarted = nil
        runs += 1
    }
    print("fuzz: \(runs) inputs in \(Int(seconds)) s, \(opened) opened, \(extracted) still gave their XML, no crash, no hang")
    for (k, v) in errors.sorted(by: { $0.value > $1.value }).prefix(12) { print("  \(v)\t\(k)") }
}

final class FuzzProgress: @unchecked Sendable {
    // Read by the watchdog without a lock: a stale value only delays the hang report by a second.
    var inputStarted: Date?
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
