/// The rows seen last, by id and digest, to tell a republished row from a new one: a ring of
/// fixed size with an open-addressing index, so a row costs a probe or two and no allocation.
struct RecentRows<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var token: Int64
        var digest: UInt64
        var value: Value
    }

    let capacity: Int
    private var entries: [Entry] = []
    /// The ring's slot the next row takes once it is full.
    private var next = 0
    /// Ring slot + 1 per bucket; 0 is an empty bucket. Twice the ring's size at least, so
    /// probes stay short.
    private var buckets: [Int32]
    private let mask: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        var size = 2
        while size < self.capacity * 2 { size <<= 1 }
        buckets = Array(repeating: 0, count: size)
        mask = size - 1
        entries.reserveCapacity(min(self.capacity, 1 << 16))
    }

    private func home(_ token: Int64, _ digest: UInt64) -> Int {
        Int(truncatingIfNeeded: ((digest ^ UInt64(bitPattern: token)) &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
    }

    /// The ring slot of a row seen, if it is still held.
    func slot(token: Int64, digest: UInt64) -> Int? {
        var bucket = home(token, digest)
        while buckets[bucket] != 0 {
            let slot = Int(buckets[bucket]) - 1
            if entries[slot].token == token && entries[slot].digest == digest { return slot }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    subscript(slot: Int) -> Value {
        get { entries[slot].value }
        set { entries[slot].value = newValue }
    }

    /// Keeps a row not held yet, letting the oldest go when the ring is full.
    mutating func insert(token: Int64, digest: UInt64, _ value: Value) {
        let slot: Int
        if entries.count < capacity {
            slot = entries.count
            entries.append(Entry(token: token, digest: digest, value: value))
        } else {
            slot = next
            removeBucket(of: slot)
            entries[slot] = Entry(token: token, digest: digest, value: value)
            next = (next + 1) % capacity
        }
        var bucket = home(token, digest)
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(slot + 1)
    }

    /// Empties the bucket of a ring slot, moving later ones of the same probe run back so
    /// every lookup still finds them.
    private mutating func removeBucket(of slot: Int) {
        var bucket = home(entries[slot].token, entries[slot].digest)
        while buckets[bucket] != Int32(slot + 1) {
            guard buckets[bucket] != 0 else { return }
            bucket = (bucket + 1) & mask
        }
        buckets[bucket] = 0
        var hole = bucket
        var probe = bucket
        while true {
            probe = (probe + 1) & mask
            guard buckets[probe] != 0 else { return }
            let moved = Int(buckets[probe]) - 1
            let wanted = home(entries[moved].token, entries[moved].digest)
            // It may fill the hole when its home is not within (hole, probe], cyclically.
            let stays = hole <= probe ? (wanted > hole && wanted <= probe) : (wanted > hole || wanted <= probe)
            if !stays {
                buckets[hole] = buckets[probe]
                buckets[probe] = 0
                hole = probe
            }
        }
    }
}
