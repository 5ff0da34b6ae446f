import Foundation

// Benchmarks of the PDF work, each in its own file: `render` (Factur-X rendering) and `extract`
// (reading the embedded XML back). Usage: facteur-bench-pdf render|extract [options]
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "render": renderBenchmark(Array(arguments.dropFirst()))
case "extract": extractBenchmark(Array(arguments.dropFirst()))
default:
    FileHandle.standardError.write(Data("usage: facteur-bench-pdf render|extract [options]\n".utf8))
    exit(2)
}
