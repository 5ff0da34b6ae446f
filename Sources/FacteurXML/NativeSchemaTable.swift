/// The automata's transitions, (state, element name) → transition, in one open-addressing table
/// with a multiplicative hash: the standard Dictionary hashes an Int64 key with SipHash, which cost
/// half of a document's check.
struct NativeTransitionTable: Sendable {
    private var keys: [UInt64]
    private var values: [NativeSchema.Transition]
    private var shift: UInt64
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [NativeSchema.Transition](repeating: .init(target: -1, decl: -1), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    static func key(_ state: Int32, _ name: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: state)) << 32 | UInt64(UInt32(bitPattern: name))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    subscript(state: Int32, name: Int32) -> NativeSchema.Transition? {
        let key = Self.key(state, name)
        let mask = keys.count - 1
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    mutating func insert(state: Int32, name: Int32, _ value: NativeSchema.Transition) {
        if (count + 1) * 2 > keys.count { grow() }
        let key = Self.key(state, name)
        let mask = keys.count - 1
        var i = slot(key)
        while keys[i] != Self.empty && keys[i] != key { i = (i + 1) & mask }
        if keys[i] == Self.empty { count += 1 }
        keys[i] = key
        values[i] = value
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        var bigger = NativeTransitionTable(capacity: keys.count)
        for i in oldKeys.indices where oldKeys[i] != Self.empty {
            bigger.insert(state: Int32(bitPattern: UInt32(truncatingIfNeeded: oldKeys[i] >> 32)),
                          name: Int32(bitPattern: UInt32(truncatingIfNeeded: oldKeys[i])), oldValues[i])
        }
        self = bigger
    }
}
