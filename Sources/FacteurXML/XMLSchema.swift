import CLibXML2
import Foundation
import Synchronization

/// One XML Schema violation, with the line libxml2 reports.
public struct SchemaViolation: Sendable, Equatable {
    public var line: Int
    public var message: String
}

public enum XMLSchemaError: Error, CustomStringConvertible {
    case cannotLoad(path: String, message: String)
    public var description: String {
        switch self {
        case let .cannotLoad(path, message): return "cannot load XML Schema \(path): \(message)"
        }
    }
}

/// A compiled XML Schema (libxml2). Compiling is done once; libxml2 documents that a compiled
/// schema may be shared between threads as long as each validation uses its own context.
public final class XMLSchema: @unchecked Sendable {
    private let schema: xmlSchemaPtr
    private let path: String
    /// The native checker, compiled on the first `conforms` call (nil inside: the XSD could not be
    /// compiled natively, so nothing is ever proven).
    private let native = Mutex<NativeSchema??>(nil)

    public init(path: String) throws {
        self.path = path
        xmlInitParser()
        guard let pctxt = xmlSchemaNewParserCtxt(path) else {
            throw XMLSchemaError.cannotLoad(path: path, message: "cannot open")
        }
        defer { xmlSchemaFreeParserCtxt(pctxt) }
        let collector = Collector()
        xmlSchemaSetParserStructuredErrors(pctxt, collectError, Unmanaged.passUnretained(collector).toOpaque())
        guard let s = xmlSchemaParse(pctxt) else {
            throw XMLSchemaError.cannotLoad(path: path, message: collector.items.first?.message ?? "invalid schema")
        }
        schema = s
    }

    deinit { xmlSchemaFree(schema) }

    /// True only when libxml2's check of this tree's document would report no violation, decided
    /// natively on `XMLTree` so that a conforming document need not be parsed by libxml2 at all.
    /// False means "not proven": the caller then runs libxml2 (`validate(_:)`) for the verdict and
    /// its messages. The check is compiled from the same XSD files (`NativeSchema`) once per schema,
    /// on first use, and refuses to prove anything it does not fully implement.
    public func conforms(_ tree: XMLTree) -> Bool {
        guard let checker = nativeSchema else { return false }
        return checker.conforms(tree)
    }

    /// Why `conforms` is false for this tree (nil when it is true): for tests and diagnostics.
    func unproven(_ tree: XMLTree) -> String? {
        guard let checker = nativeSchema else { return "the schema could not be compiled natively" }
        return checker.unproven(tree)?.description
    }

    var nativeSchema: NativeSchema? {
        native.withLock { slot in
            if let compiled = slot { return compiled }
            let compiled = NativeSchemaCompiler.compile(path: path)
            slot = .some(compiled)
            return compiled
        }
    }

    /// Validates a libxml2 document (see `XMLParser.parse(_:inspect:)`), returning at most `limit` violations.
    public func validate(_ doc: xmlDocPtr, limit: Int = 20) -> [SchemaViolation] {
        guard let vctxt = xmlSchemaNewValidCtxt(schema) else {
            return [SchemaViolation(line: 0, message: "out of memory")]
        }
        defer { xmlSchemaFreeValidCtxt(vctxt) }
        let collector = Collector(limit: limit)
        xmlSchemaSetValidStructuredErrors(vctxt, collectError, Unmanaged.passUnretained(collector).toOpaque())
        let rc = xmlSchemaValidateDoc(vctxt, doc)
        if rc != 0 && collector.items.isEmpty {
            return [SchemaViolation(line: 0, message: "the document does not conform to the schema")]
        }
        return collector.items
    }
}

private final class Collector {
    var items: [SchemaViolation] = []
    let limit: Int
    init(limit: Int = 20) { self.limit = limit }
}

private func collectError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let userData, let error else { return }
    let c = Unmanaged<Collector>.fromOpaque(userData).takeUnretainedValue()
    guard c.items.count < c.limit else { return }
    let msg = error.pointee.message.map { String(cString: $0) } ?? "schema violation"
    c.items.append(SchemaViolation(line: Int(error.pointee.line), message: msg.trimmingCharacters(in: .whitespacesAndNewlines)))
}
