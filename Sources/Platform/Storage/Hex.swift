/// Lowercase hexadecimal text of bytes (SHA-256 digests of documents and audit entries): the same text
/// as `String(format: "%02x")` per byte, which formatted through Foundation one byte at a time and took
/// about 5 % of a write transaction's time while issuing.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func lowercase<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
