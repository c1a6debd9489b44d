/// The rows seen last, by id and digest, to tell a republished row from a new one. Two tables of
/// `capacity` rows each, open-addressed: rows go into the newer one, and when it is full the
/// older one is emptied at once and takes its place, so no row is ever removed one by one. A
/// row is found for at least `capacity` rows after it, and forgotten after `2 * capacity` at
/// most; a row costs a probe or two in each table and no allocation.
struct RecentRows<Value: Sendable>: Sendable {
    struct Entry: Sendable {
        var token: Int64
        var digest: UInt64
        var value: Value
    }

    /// One generation: the rows in the order they came, and per bucket 16 bits of the row's
    /// hash above its place + 1 in the low 16 (0: an empty bucket). A probe compares the hash
    /// there and reads the row only on a match: a row not held, nearly every one, is looked for
    /// in the buckets alone, small enough to stay in the processor's nearest cache.
    private struct Table: Sendable {
        var entries: [Entry] = []
        var buckets: [UInt32]

        init(size: Int) { buckets = Array(repeating: 0, count: size) }

        mutating func empty() {
            entries.removeAll(keepingCapacity: true)
            buckets.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    let capacity: Int
    private var newer: Table
    private var older: Table
    private let mask: Int
    private static var slotBits: UInt32 { 16 }
    private static var slotMask: UInt32 { (1 << slotBits) - 1 }

    init(capacity: Int) {
        self.capacity = min(max(1, capacity), Int(RecentRows.slotMask) - 1)
        var size = 2
        // Twice the rows a table holds at least, so probes stay short.
        while size < self.capacity * 2 { size <<= 1 }
        newer = Table(size: size)
        older = Table(size: size)
        newer.entries.reserveCapacity(min(self.capacity, 1 << 16))
        mask = size - 1
    }

    private static func hash(_ token: Int64, _ digest: UInt64) -> UInt64 {
        (digest ^ UInt64(bitPattern: token)) &* 0x9E37_79B9_7F4A_7C15
    }

    /// The home bucket from the hash's low bits, the tag from its high ones.
    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 16) & mask }

    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 48) << slotBits }

    private func find(_ table: Table, _ token: Int64, _ digest: UInt64, _ hash: UInt64) -> Int? {
        let tag = RecentRows.tag(hash)
        var bucket = home(hash)
        while case let held = table.buckets[bucket], held != 0 {
            if held & ~RecentRows.slotMask == tag {
                let slot = Int(held & RecentRows.slotMask) - 1
                if table.entries[slot].token == token && table.entries[slot].digest == digest { return slot }
            }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    /// Where a row seen is held, if it still is: valid until the next `insert`.
    func slot(token: Int64, digest: UInt64) -> Int? {
        let hash = RecentRows.hash(token, digest)
        if let slot = find(newer, token, digest, hash) { return slot }
        return find(older, token, digest, hash).map { capacity + $0 }
    }

    subscript(slot: Int) -> Value {
        slot < capacity ? newer.entries[slot].value : older.entries[slot - capacity].value
    }

    /// Keeps a row not held yet; when the newer table is full, the older one's rows go.
    mutating func insert(token: Int64, digest: UInt64, _ value: Value) {
        if newer.entries.count == capacity {
            swap(&newer, &older)
            newer.empty()
        }
        let hash = RecentRows.hash(token, digest)
        var bucket = home(hash)
        while newer.buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        newer.entries.append(Entry(token: token, digest: digest, value: value))
        newer.buckets[bucket] = RecentRows.tag(hash) | UInt32(newer.entries.count)
    }
}
