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
    /// Per bucket, the row's hash above the low 20 bits and its ring slot + 1 in them; 0 is
    /// an empty bucket. A probe compares the hash there and touches the ring only on a match,
    /// and a bucket moved back on removal finds its home from its own bits. Twice the ring's
    /// size at least, so probes stay short.
    private var buckets: [UInt64]
    private let mask: Int
    private static var slotBits: UInt64 { 20 }
    private static var slotMask: UInt64 { (1 << slotBits) - 1 }

    init(capacity: Int) {
        self.capacity = min(max(1, capacity), Int(RecentRows.slotMask) - 1)
        var size = 2
        while size < self.capacity * 2 { size <<= 1 }
        buckets = Array(repeating: 0, count: size)
        mask = size - 1
        entries.reserveCapacity(min(self.capacity, 1 << 16))
    }

    private static func hash(_ token: Int64, _ digest: UInt64) -> UInt64 {
        // Never within the slot bits only, so a used bucket is never 0.
        ((digest ^ UInt64(bitPattern: token)) &* 0x9E37_79B9_7F4A_7C15) | (1 << 63)
    }

    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 24) & mask }

    /// The ring slot of a row seen, if it is still held.
    func slot(token: Int64, digest: UInt64) -> Int? {
        let hash = RecentRows.hash(token, digest)
        let tag = hash & ~RecentRows.slotMask
        var bucket = home(hash)
        while case let held = buckets[bucket], held != 0 {
            if held & ~RecentRows.slotMask == tag {
                let slot = Int(held & RecentRows.slotMask) - 1
                if entries[slot].token == token && entries[slot].digest == digest { return slot }
            }
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
            next = next + 1 == capacity ? 0 : next + 1
        }
        let hash = RecentRows.hash(token, digest)
        var bucket = home(hash)
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = hash & ~RecentRows.slotMask | UInt64(slot + 1)
    }

    /// Empties the bucket of a ring slot, moving later ones of the same probe run back so
    /// every lookup still finds them.
    private mutating func removeBucket(of slot: Int) {
        let hash = RecentRows.hash(entries[slot].token, entries[slot].digest)
        let held = hash & ~RecentRows.slotMask | UInt64(slot + 1)
        var bucket = home(hash)
        while buckets[bucket] != held {
            guard buckets[bucket] != 0 else { return }
            bucket = (bucket + 1) & mask
        }
        buckets[bucket] = 0
        var hole = bucket
        var probe = bucket
        while true {
            probe = (probe + 1) & mask
            let moved = buckets[probe]
            guard moved != 0 else { return }
            let wanted = home(moved)
            // It may fill the hole when its home is not within (hole, probe], cyclically.
            let stays = hole <= probe ? (wanted > hole && wanted <= probe) : (wanted > hole || wanted <= probe)
            if !stays {
                buckets[hole] = moved
                buckets[probe] = 0
                hole = probe
            }
        }
    }
}
