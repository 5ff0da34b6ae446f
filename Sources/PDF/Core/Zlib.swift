import CZlib
import Foundation

public enum ZlibError: Error, Equatable, Sendable, CustomStringConvertible {
    case corrupt(String)
    /// The data would expand beyond the limit: a decompression bomb, or simply too big.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .corrupt(let m): return "compressed data is corrupt (\(m))"
        case .tooLarge(let limit): return "compressed data expands beyond \(limit) bytes"
        }
    }
}

/// zlib (RFC 1950) compression for PDF's FlateDecode.
public enum Zlib {
    public static func compress(_ data: Data, level: Int32 = 6) -> Data {
        var stream = z_stream()
        deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(data.count)))
        var out = Data(count: bound)
        let written: Int = data.withUnsafeBytes { (src: UnsafeRawBufferPointer) -> Int in
            out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(dst.count)
                deflate(&stream, Z_FINISH)
                return dst.count - Int(stream.avail_out)
            }
        }
        out.count = written
        return out
    }

    /// Inflates at most `limit` bytes. Truncated streams (common in real PDFs) yield what was
    /// decoded; `strict` makes that an error.
    public static func decompress(_ data: Data, limit: Int, strict: Bool = false) throws(ZlibError) -> Data {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw .corrupt("init") }
        defer { inflateEnd(&stream) }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        let result: ZlibError? = data.withUnsafeBytes { (src: UnsafeRawBufferPointer) -> ZlibError? in
            stream.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(src.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBytes { buf in
                    stream.next_out = buf.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(buf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return buf.count - Int(stream.avail_out)
                }
                if out.count + produced > limit { return .tooLarge(limit: limit) }
                out.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END { return nil }
                if status != Z_OK {
                    if status == Z_BUF_ERROR && stream.avail_in == 0 { return strict ? .corrupt("truncated") : nil }
                    return .corrupt(stream.msg.map { String(cString: $0) } ?? "status \(status)")
                }
            } while true
        }
        if let result {
            if case .corrupt = result, !strict, !out.isEmpty { return out }
            throw result
        }
        return out
    }
}
