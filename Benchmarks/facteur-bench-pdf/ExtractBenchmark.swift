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
    var paths: [String] = []
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--seconds":
            i += 1
            seconds = i < arguments.count ? Double(arguments[i]) ?? 3 : 3
        case "--list": list = true
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
