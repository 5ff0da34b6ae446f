import Foundation

/// Renders many one-page Factur-X invoices and prints ms and KiB per invoice.
func renderBenchmark(_ arguments: [String]) {
    FileHandle.standardError.write(Data("render benchmark: not written yet\n".utf8))
    exit(2)
}
