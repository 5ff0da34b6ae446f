import Foundation

/// A growing byte buffer with the few PDF token writers the writer needs.
///
/// Everything the writer emits goes through here as raw bytes: going through `String` for each
/// number or operator would cost more than the rest of the rendering.
public struct PDFBytes: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }
    public var data: Data { Data(bytes) }

    public mutating func append(_ byte: UInt8) { bytes.append(byte) }
    /// Appends what `body` writes through a pointer to room for `maxCount` bytes; it returns how many it wrote.
    /// For hot loops: one capacity and uniqueness check for the whole run instead of one per byte.
    public mutating func append(maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: maxCount))
        let written = bytes.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
        precondition(written >= 0 && written <= maxCount, "PDFBytes.append(maxCount:) overran its room")
        bytes.removeLast(maxCount - written)
    }

    /// Empties the buffer, keeping its storage for reuse.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
    public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    public mutating func append(string s: String) { bytes.append(contentsOf: s.utf8) }
    public mutating func append(_ d: Data) { bytes.append(contentsOf: d) }
    public mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    public mutating func append(int value: Int) {
        // Digits written right to left into a stack buffer, then appended at once (one capacity check).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var v = value.magnitude
            var i = 20
            repeat { i -= 1; buf[i] = UInt8(truncatingIfNeeded: 0x30 &+ v % 10); v /= 10 } while v > 0
            if value < 0 { i -= 1; buf[i] = 0x2D }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<20]))
        }
    }

    /// A real with at most three decimals and no exponent (PDF has none), trailing zeros dropped.
    public mutating func append(real value: Double) {
        guard value.isFinite else { bytes.append(0x30); return }
        let scaled = Int((value * 1000).rounded())
        if scaled % 1000 == 0 { append(int: scaled / 1000); return }
        var frac = abs(scaled) % 1000
        var width = 3
        while frac % 10 == 0 { frac /= 10; width -= 1 }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            var i = 24
            for _ in 0..<width { i -= 1; buf[i] = UInt8(0x30 + frac % 10); frac /= 10 }
            i -= 1; buf[i] = 0x2E
            var v = abs(scaled) / 1000
            repeat { i -= 1; buf[i] = UInt8(0x30 + v % 10); v /= 10 } while v > 0
            if scaled < 0 { i -= 1; buf[i] = 0x2D }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<24]))
        }
    }

    /// Zero-padded decimal, as the cross-reference table wants.
    public mutating func append(padded value: Int, width: Int) {
        var digits = [UInt8](repeating: 0x30, count: width)
        var v = value
        var i = width - 1
        while v > 0 && i >= 0 { digits[i] = UInt8(0x30 + v % 10); v /= 10; i -= 1 }
        bytes.append(contentsOf: digits)
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    public mutating func append(hex b: UInt8) {
        bytes.append(Self.hexDigits[Int(b >> 4)])
        bytes.append(Self.hexDigits[Int(b & 0xF)])
    }

    public mutating func append(hex16 v: UInt16) {
        append(hex: UInt8(v >> 8))
        append(hex: UInt8(v & 0xFF))
    }
}
