/// Values by key, kept in the order they were added, each at a slot that never moves: read like
/// a dictionary, written by slot. The wire state finds the slot of a writer or a process from
/// ids its line reader gives (`FastWriter`), so the line after line of a busy stream hashes no key.
/// Nothing is ever removed.
public struct KeyedTable<Key: Hashable & Sendable, Value: Sendable>: RandomAccessCollection, Sendable {
    public private(set) var keys: [Key] = []
    public internal(set) var values: [Value] = []
    private var slots: [Key: Int] = [:]

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }

    public subscript(position: Int) -> (key: Key, value: Value) {
        (keys[position], values[position])
    }

    public subscript(key: Key) -> Value? {
        slots[key].map { values[$0] }
    }

    func slot(of key: Key) -> Int? {
        slots[key]
    }

    /// Adds a key not held yet; its slot.
    mutating func add(_ key: Key, _ value: Value) -> Int {
        let slot = keys.count
        keys.append(key)
        values.append(value)
        slots[key] = slot
        return slot
    }
}

extension KeyedTable: Equatable where Value: Equatable {
    /// As dictionaries compare: the same keys with the same values, in any order.
    public static func == (a: KeyedTable, b: KeyedTable) -> Bool {
        a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
    }
}

/// Slots of a `KeyedTable` by small integer ids, grown as ids come; 0 is no slot.
struct SlotIndex: Sendable {
    private var slots: [Int32] = []

    subscript(id: Int) -> Int? {
        get { id < slots.count && slots[id] > 0 ? Int(slots[id]) - 1 : nil }
        set {
            if id >= slots.count { slots += repeatElement(0, count: max(id + 1 - slots.count, slots.count)) }
            slots[id] = newValue.map { Int32($0 + 1) } ?? 0
        }
    }
}
