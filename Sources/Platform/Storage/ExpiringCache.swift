import Synchronization

/// A small in-memory map whose entries live `ttl` at most. `invalidateAll()` also refuses every `put` of a
/// value read before it: a reader that fetched a row just before a change cannot store the old row after it.
final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let expires: ContinuousClock.Instant
    }
    private struct State {
        var entries: [Key: Entry] = [:]
        var generation = 0
    }
    private let state = Mutex(State())
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration, capacity: Int) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func value(for key: Key) -> Value? {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard let entry = s.entries[key] else { return nil }
            if entry.expires <= now {
                s.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// The generation to hand back to `put`, taken before reading the value from the source.
    var generation: Int { state.withLock { $0.generation } }

    /// Stores `value` unless the cache was invalidated since `generation` was read.
    func put(_ value: Value, for key: Key, readAt generation: Int) {
        let expires = ContinuousClock.now.advanced(by: ttl)
        state.withLock { s in
            guard s.generation == generation else { return }
            // Bounded memory: when full, start again (entries are cheap to read back).
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[key] = Entry(value: value, expires: expires)
        }
    }

    func invalidateAll() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll()
        }
    }
}
