import FacturX
import Foundation
import InvoiceFormats
import InvoiceModel

/// Renders many one-page Factur-X invoices and prints ms and KiB per invoice.
///
/// Usage: facteur-bench-pdf render [--count N] [--lines L] [--level Z] [--out DIR]
/// Each invoice gets its own number and quantities, and its own CII XML (written before the clock
/// starts: this measures rendering, not the XML writer). `--out DIR` also saves the first PDF and its XML there.
func renderBenchmark(_ arguments: [String]) {
    var count = 1000, lines = 10, level = RenderOptions().compressionLevel
    var out: String?
    var i = 0
    while i < arguments.count {
        let a = arguments[i], v = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch a {
        case "--count": count = Int(v) ?? count; i += 1
        case "--lines": lines = Int(v) ?? lines; i += 1
        case "--level": level = Int32(v) ?? level; i += 1
        case "--out": out = v; i += 1
        default:
            FileHandle.standardError.write(Data("render: unknown option \(a)\n".utf8))
            exit(2)
        }
        i += 1
    }
    var inputs: [(Invoice, Data)] = []
    for n in 0..<count {
        var inv = RenderSamples.invoice(lines: lines, number: "FA-2026-\(String(100000 + n))")
        inv.lines[0].quantity = Decimal(1 + n % 17)
        inv = InvoiceCalculator().calculate(inv)
        inputs.append((inv, CII.write(inv, profile: .en16931)))
    }
    let options = RenderOptions(date: Date(timeIntervalSince1970: 1_795_000_000), compressionLevel: level)
    do {
        // Warm-up: loads the fonts and the ICC profile once, as a server would at its first invoice.
        let first = try FacturX.render(inputs[0].0, xml: inputs[0].1, profile: .en16931, options: options)
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try first.write(to: URL(fileURLWithPath: out).appendingPathComponent("bench-first.pdf"))
            try inputs[0].1.write(to: URL(fileURLWithPath: out).appendingPathComponent("bench-first.xml"))
        }
        var bytes = 0
        // CPU time next to wall time: on a shared machine the wall clock also counts other processes' turns.
        func cpu() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let cpu0 = cpu()
        for (inv, xml) in inputs {
            bytes += try FacturX.render(inv, xml: xml, profile: .en16931, options: options).count
        }
        let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
        let cpuMs = (cpu() - cpu0) / 1e6 / Double(count)
        let ms = ns / 1e6 / Double(count)
        let kib = Double(bytes) / 1024 / Double(count)
        print(String(format: "facteur  render: %d invoices of %d lines, %.3f ms per invoice (%.3f ms CPU), %.1f KiB per invoice (zlib level %d)",
                     count, lines, ms, cpuMs, kib, level))
    } catch {
        FileHandle.standardError.write(Data("render: \(error)\n".utf8))
        exit(1)
    }
}
