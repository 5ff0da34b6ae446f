import Foundation
import Testing
@testable import PDF

@Suite struct ZlibTests {
    @Test func roundTrip() throws {
        let text = Data(String(repeating: "Facture n° 2026-001 — 1 234,56 €\n", count: 200).utf8)
        let packed = Zlib.compress(text)
        #expect(packed.count < text.count / 10)
        #expect(try Zlib.decompress(packed, limit: 1 << 20) == text)
    }

    @Test func bombIsStoppedAtTheLimit() {
        let bomb = Zlib.compress(Data(count: 50 * 1024 * 1024))
        #expect(bomb.count < 100 * 1024)
        #expect(throws: ZlibError.tooLarge(limit: 1 << 20)) { try Zlib.decompress(bomb, limit: 1 << 20) }
    }

    @Test func corruptData() {
        #expect(throws: ZlibError.self) { try Zlib.decompress(Data("not zlib at all".utf8), limit: 1 << 20) }
        let packed = Zlib.compress(Data(repeating: 65, count: 10_000))
        let truncated = packed.prefix(packed.count / 2)
        #expect(throws: ZlibError.self) { try Zlib.decompress(truncated, limit: 1 << 20, strict: true) }
        // Lenient mode keeps what could be decoded, as PDF readers must for damaged files.
        #expect(((try? Zlib.decompress(truncated, limit: 1 << 20)) ?? Data()).allSatisfy { $0 == 65 })
    }
}
