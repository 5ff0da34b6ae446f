import Foundation

/// Extracts the embedded XML from many Factur-X PDFs and prints PDFs per second.
func extractBenchmark(_ arguments: [String]) {
    FileHandle.standardError.write(Data("extract benchmark: not written yet\n".utf8))
    exit(2)
}
