import Foundation

/// Assembles indirect objects into a PDF file: header, body, cross-reference, trailer.
///
/// Objects are serialised as soon as they are set, so the final file is one concatenation. Two layouts:
/// a classic cross-reference table with every object at top level, or (`objectStreams`, PDF 1.5, allowed
/// by PDF/A-2 and -3) the dictionaries packed into one compressed object stream with a cross-reference
/// stream — a quarter of a small invoice's size is dictionaries and table.
public struct PDFFileWriter: Sendable {
    private var bodies: [[UInt8]?] = []
    private var isStream: [Bool] = []
    public let version: String

    public init(version: String = "1.7") { self.version = version }

    /// Reserves an object number, for objects that must be referenced before they are written.
    public mutating func allocate() -> PDFReference {
        bodies.append(nil)
        isStream.append(false)
        return PDFReference(bodies.count)
    }

    public mutating func set(_ ref: PDFReference, _ object: PDFObject) {
        var out = PDFBytes(capacity: 64)
        PDFSerializer.write(object, to: &out)
        bodies[ref.number - 1] = out.bytes
        if case .stream = object { isStream[ref.number - 1] = true } else { isStream[ref.number - 1] = false }
    }

    /// An object already written in PDF syntax (a dictionary or array; not a stream), for writers that build
    /// large or repetitive objects straight as bytes rather than as `PDFObject` trees.
    public mutating func setSerialized(_ ref: PDFReference, _ bytes: [UInt8]) {
        bodies[ref.number - 1] = bytes
        isStream[ref.number - 1] = false
    }

    @discardableResult
    public mutating func addSerialized(_ bytes: [UInt8]) -> PDFReference {
        let r = allocate()
        setSerialized(r, bytes)
        return r
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
    public func finish(root: PDFReference, info: PDFReference?, id: [UInt8], objectStreams: Bool = false,
                       level: Int32 = 6) throws -> Data {
        if let i = bodies.firstIndex(where: { $0 == nil }) { throw PDFWriteError.unsetObject(i + 1) }
        var out = PDFBytes(capacity: bodies.reduce(0) { $0 + ($1?.count ?? 0) + 24 } + 64 + 20 * (bodies.count + 1))
        out.append(string: "%PDF-\(version)\n")
        // A comment of high bytes marks the file as binary (ISO 32000-1 §7.5.2; required by PDF/A).
        out.append([0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A])
        var trailer = PDFDictionary()
        trailer["Root"] = .reference(root)
        if let info { trailer["Info"] = .reference(info) }
        trailer["ID"] = .array([.string(Data(id)), .string(Data(id))])
        func object(_ number: Int, _ body: [UInt8]) {
            out.append(int: number)
            out.append(" 0 obj\n")
            out.append(body)
            out.append("\nendobj\n")
        }
        guard objectStreams else {
            var offsets: [Int] = []
            offsets.reserveCapacity(bodies.count)
            for (i, body) in bodies.enumerated() {
                offsets.append(out.count)
                object(i + 1, body!)
            }
            let xref = out.count
            out.append("xref\n0 ")
            out.append(int: bodies.count + 1)
            out.append("\n0000000000 65535 f\r\n")
            for o in offsets {
                out.append(padded: o, width: 10)
                out.append(" 00000 n\r\n")
            }
            trailer["Size"] = .int(bodies.count + 1)
            out.append("trailer\n")
            PDFSerializer.writeDictionary(trailer, to: &out)
            out.append("\nstartxref\n")
            out.append(int: xref)
            out.append("\n%%EOF\n")
            return out.data
        }
        // Streams stay at top level (a stream cannot live in an object stream); everything else is packed.
        let objStm = bodies.count + 1, xrefNumber = bodies.count + 2
        var entries = [(type: UInt8, field2: Int, field3: Int)](repeating: (0, 0, 0), count: xrefNumber + 1)
        entries[0] = (0, 0, 65535)
        var header = PDFBytes(), packed = PDFBytes()
        var index = 0
        for (i, body) in bodies.enumerated() {
            if isStream[i] {
                entries[i + 1] = (1, out.count, 0)
                object(i + 1, body!)
            } else {
                header.append(int: i + 1); header.append(0x20); header.append(int: packed.count); header.append(0x20)
                packed.append(body!)
                packed.append(0x0A)
                entries[i + 1] = (2, objStm, index)
                index += 1
            }
        }
        var streamData = header.bytes
        streamData.append(0x0A)
        let first = streamData.count
        streamData.append(contentsOf: packed.bytes)
        entries[objStm] = (1, out.count, 0)
        var objStmOut = PDFBytes()
        PDFSerializer.write(.stream(PDFDictionary([("Type", .name("ObjStm")), ("N", .int(index)), ("First", .int(first)),
                                                   ("Filter", .name("FlateDecode"))]),
                                    Zlib.compress(Data(streamData), level: level)), to: &objStmOut)
        object(objStm, objStmOut.bytes)
        let xrefOffset = out.count
        entries[xrefNumber] = (1, xrefOffset, 0)
        var table: [UInt8] = []
        table.reserveCapacity(7 * entries.count)
        for e in entries {
            table.append(e.type)
            for shift in stride(from: 24, through: 0, by: -8) { table.append(UInt8((e.field2 >> shift) & 0xFF)) }
            table.append(UInt8((e.field3 >> 8) & 0xFF)); table.append(UInt8(e.field3 & 0xFF))
        }
        trailer["Type"] = .name("XRef")
        trailer["Size"] = .int(xrefNumber + 1)
        trailer["W"] = .array([.int(1), .int(4), .int(2)])
        trailer["Filter"] = .name("FlateDecode")
        var xrefOut = PDFBytes()
        PDFSerializer.write(.stream(trailer, Zlib.compress(Data(table), level: level)), to: &xrefOut)
        object(xrefNumber, xrefOut.bytes)
        out.append("startxref\n")
        out.append(int: xrefOffset)
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
    for part in parts {
        // The lanes live in locals of the closure: captured by a nested function, they were read and written
        // through memory at every word, which made hashing the XML cost more than drawing a line of the page.
        (h1, h2) = part.withUnsafeBytes { (buf: UnsafeRawBufferPointer) -> (UInt64, UInt64) in
            var a = h1, b = h2
            var i = 0
            while i + 8 <= buf.count {
                let w = buf.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                a = (a ^ w) &* 0x9e3779b97f4a7c15
                a ^= a >> 29
                b = (b &+ w) &* 0xbf58476d1ce4e5b9
                b ^= b >> 31
                i += 8
            }
            var tail: UInt64 = 0
            while i < buf.count { tail = tail << 8 | UInt64(buf[i]); i += 1 }
            let w = tail ^ (UInt64(buf.count) << 56)
            a = (a ^ w) &* 0x9e3779b97f4a7c15
            a ^= a >> 29
            b = (b &+ w) &* 0xbf58476d1ce4e5b9
            b ^= b >> 31
            return (a, b)
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(16)
    for h in [h1, h2] { for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8((h >> UInt64(s)) & 0xFF)) } }
    return out
}
