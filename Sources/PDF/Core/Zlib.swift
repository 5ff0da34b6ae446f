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
        Data(data.withUnsafeBytes { compress($0, level: level) })
    }

    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        bytes.withUnsafeBytes { compress($0, level: level) }
    }

    /// The zlib stream of `src`. The deflate state comes from `DeflatePool`: a fresh `deflateInit` allocates
    /// about 256 KiB that the allocator hands back to the system at the next free and faults in again, which
    /// cost more than compressing a small invoice's streams. The window and hash table are sized to the input
    /// (a window at least as large as the input finds every match a 32 KiB one would), and `deflateReset` is
    /// documented as equivalent to `deflateEnd` + `deflateInit`: the bytes depend only on the input and level.
    public static func compress(_ src: UnsafeRawBufferPointer, level: Int32 = 6) -> [UInt8] {
        // An out-of-range level would make deflateInit fail and the stream come out empty.
        let level = level == Z_DEFAULT_COMPRESSION ? level : min(9, max(0, level))
        var windowBits: Int32 = 9
        while windowBits < 15 && (1 << windowBits) < src.count { windowBits += 1 }
        let memLevel = min(8, max(1, windowBits - 7))
        let stream = DeflatePool.shared.take(level: level, windowBits: windowBits, memLevel: memLevel)
        defer { DeflatePool.shared.give(stream, level: level, windowBits: windowBits, memLevel: memLevel) }
        let bound = Int(deflateBound(stream, uLong(src.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { dst, written in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: src.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(src.count)
            stream.pointee.next_out = dst.baseAddress
            stream.pointee.avail_out = uInt(dst.count)
            // deflateBound guarantees one call with Z_FINISH completes.
            deflate(stream, Z_FINISH)
            written = dst.count - Int(stream.pointee.avail_out)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
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

/// Idle deflate states by parameters, reused across documents and threads. At most a few per parameter set
/// are kept (as many as compress at once, bounded): the rest are ended, so memory stays small.
final class DeflatePool: @unchecked Sendable {
    static let shared = DeflatePool()
    private struct Key: Hashable { let level: Int32, windowBits: Int32, memLevel: Int32 }
    private var idle: [Key: [UnsafeMutablePointer<z_stream>]] = [:]
    private let lock = NSLock()
    private let keep = 8

    func take(level: Int32, windowBits: Int32, memLevel: Int32) -> UnsafeMutablePointer<z_stream> {
        let key = Key(level: level, windowBits: windowBits, memLevel: memLevel)
        lock.lock()
        let reused = idle[key]?.popLast()
        lock.unlock()
        if let reused {
            deflateReset(reused)
            return reused
        }
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        let status = deflateInit2_(s, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                   Int32(MemoryLayout<z_stream>.size))
        // Only memory exhaustion gets here (the parameters are valid): nothing sensible can follow.
        precondition(status == Z_OK, "zlib deflateInit2 failed with status \(status)")
        return s
    }

    func give(_ s: UnsafeMutablePointer<z_stream>, level: Int32, windowBits: Int32, memLevel: Int32) {
        let key = Key(level: level, windowBits: windowBits, memLevel: memLevel)
        lock.lock()
        if idle[key, default: []].count < keep {
            idle[key, default: []].append(s)
            lock.unlock()
            return
        }
        lock.unlock()
        deflateEnd(s)
        s.deinitialize(count: 1)
        s.deallocate()
    }
}
