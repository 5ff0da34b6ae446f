import Foundation

/// Assembles indirect objects into a PDF file: header, body, classic cross-reference table, trailer.
///
/// Objects are serialised as soon as they are set, so the final file is one concatenation; the
/// cross-reference table is classic (not a stream) because PDF/A-3 readers and validators all accept it
/// and it keeps every object directly visible.
public struct PDFFileWriter: Sendable {
    private var bodies: [[UInt8]?] = []
    public let version: String

    public init(version: String = "1.7") { self.version = version }

    /// Reserves an object number, for objects that must be referenced before they are written.
    public mutating func allocate() -> PDFReference {
        bodies.append(nil)
        return PDFReference(bodies.count)
    }

    public mutating func set(_ ref: PDFReference, _ object: PDFObject) {
        var out = PDFBytes(capacity: 64)
        PDFSerializer.write(object, to: &out)
        bodies[ref.number - 1] = out.bytes
    }

    /// A stream whose data is already encoded (`filter` names the encoding, if any).
    public mutating func setStream(_ ref: PDFReference, _ dict: PDFDictionary, data: Data) {
        set(ref, .stream(dict, data))
    }

    @discardableResult
    public mutating func add(_ object: PDFObject) -> PDFReference {
        let r = allocate()
        set(r, object)
        return r
    }

    /// Flate-compresses `data` unless that does not make it smaller.
    public mutating func addStream(_ dict: PDFDictionary, data: Data, compress: Bool = true, level: Int32 = 6) -> PDFReference {
        var d = dict
        var payload = data
        if compress && data.count > 64 {
            let z = Zlib.compress(data, level: level)
            if z.count < data.count {
                d["Filter"] = .name("FlateDecode")
                payload = z
            }
        }
        return add(.stream(d, payload))
    }

    /// The whole file. `id` is the trailer's /ID (both halves the same for a new file).
    public func finish(root: PDFReference, info: PDFReference?, id: [UInt8]) throws -> Data {
        var out = PDFBytes(capacity: bodies.reduce(0) { $0 + ($1?.count ?? 0) + 24 } + 64 + 20 * (bodies.count + 1))
        out.append(string: "%PDF-\(version)\n")
        // A comment of high bytes marks the file as binary (ISO 32000-1 §7.5.2; required by PDF/A).
        out.append([0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A])
        var offsets: [Int] = []
        offsets.reserveCapacity(bodies.count)
        for (i, body) in bodies.enumerated() {
            guard let body else { throw PDFWriteError.unsetObject(i + 1) }
            offsets.append(out.count)
            out.append(int: i + 1)
            out.append(" 0 obj\n")
            out.append(body)
            out.append("\nendobj\n")
        }
        let xref = out.count
        out.append("xref\n0 ")
        out.append(int: bodies.count + 1)
        out.append("\n0000000000 65535 f\r\n")
        for o in offsets {
            out.append(padded: o, width: 10)
            out.append(" 00000 n\r\n")
        }
        var trailer = PDFDictionary([("Size", .int(bodies.count + 1)), ("Root", .reference(root))])
        if let info { trailer["Info"] = .reference(info) }
        trailer["ID"] = .array([.string(Data(id)), .string(Data(id))])
        out.append("trailer\n")
        PDFSerializer.writeDictionary(trailer, to: &out)
        out.append("\nstartxref\n")
        out.append(int: xref)
        out.append("\n%%EOF\n")
        return out.data
    }
}

public enum PDFWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsetObject(Int)
    case font(String)
    case image(String)

    public var description: String {
        switch self {
        case .unsetObject(let n): return "PDF object \(n) was reserved but never written"
        case .font(let m): return "font: \(m)"
        case .image(let m): return "image: \(m)"
        }
    }
}

/// A 128-bit non-cryptographic digest (two multiply-xorshift lanes over 8-byte words): enough to make
/// trailer /IDs unique per content without a crypto dependency, and fast on a 20 KiB invoice XML.
public func pdfDocumentID(_ parts: [Data]) -> [UInt8] {
    var h1: UInt64 = 0xcbf29ce484222325
    var h2: UInt64 = 0x84222325cbf29ce4
    @inline(__always) func mix(_ w: UInt64) {
        h1 = (h1 ^ w) &* 0x9e3779b97f4a7c15
        h1 ^= h1 >> 29
        h2 = (h2 &+ w) &* 0xbf58476d1ce4e5b9
        h2 ^= h2 >> 31
    }
    for part in parts {
        part.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            var i = 0
            while i + 8 <= buf.count {
                mix(buf.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = 0
            while i < buf.count { tail = tail << 8 | UInt64(buf[i]); i += 1 }
            mix(tail ^ (UInt64(buf.count) << 56))
        }
    }
    var out: [UInt8] = []
    for h in [h1, h2] { for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8((h >> UInt64(s)) & 0xFF)) } }
    return out
}
