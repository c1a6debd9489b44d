/// A fixed-capacity buffer that keeps the newest elements; each gets a sequence number so an
/// entry can be found again while it is still held.
public struct Ring<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    private var start = 0
    /// Sequence number of the next element appended; never resets.
    public private(set) var appended = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(min(self.capacity, 1024))
    }

    public var count: Int { storage.count }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[start] = element
            start = (start + 1) % capacity
        }
        appended += 1
    }

    /// The oldest element held.
    public var oldest: Element? {
        storage.isEmpty ? nil : storage[storage.count < capacity ? 0 : start]
    }

    /// Oldest first.
    public var elements: [Element] {
        Array(storage[start...] + storage[..<start])
    }

    /// The element with this sequence number, if it is still held.
    public subscript(sequence sequence: Int) -> Element? {
        get {
            guard let index = index(of: sequence) else { return nil }
            return storage[index]
        }
        set {
            guard let index = index(of: sequence), let newValue else { return }
            storage[index] = newValue
        }
    }

    private func index(of sequence: Int) -> Int? {
        let oldest = appended - storage.count
        guard sequence >= oldest, sequence < appended else { return nil }
        return (start + (sequence - oldest)) % storage.count
    }
}

/// Rows per second over the last minute, one bucket a second.
public struct RateHistory: Equatable, Sendable {
    public static let seconds = 60
    private var buckets = Array(repeating: 0, count: RateHistory.seconds)
    private var newestSecond: Int64?

    public init() {}

    public mutating func add(at time: Double, count: Int = 1) {
        guard let second = RateHistory.second(time) else { return }
        if let newest = newestSecond, second <= newest {
            // Nearly every row: the second of the row before, or a late one still in the window.
            guard second > newest - Int64(RateHistory.seconds) else { return }
        } else {
            advance(to: second)
        }
        buckets[RateHistory.bucket(second)] += count
    }

    private mutating func advance(to second: Int64) {
        guard let newest = newestSecond else {
            newestSecond = second
            return
        }
        guard second > newest else { return }
        let steps = min(second - newest, Int64(RateHistory.seconds))
        for step in 1...steps {
            buckets[RateHistory.bucket(newest + step)] = 0
        }
        newestSecond = second
    }

    /// Where a second's count is kept.
    private static func bucket(_ second: Int64) -> Int {
        Int(((second % Int64(RateHistory.seconds)) + Int64(RateHistory.seconds)) % Int64(RateHistory.seconds))
    }

    /// The whole second of a time, if it is one Int64 can hold: the time truncated, one less
    /// below zero (as floor, without its call on every row).
    static func second(_ time: Double) -> Int64? {
        guard time.isFinite, abs(time) < 9e15 else { return nil }
        let whole = Int64(time)
        return Double(whole) > time ? whole - 1 : whole
    }

    /// Counts per second, oldest first, ending at `time`.
    public func values(until time: Double) -> [Int] {
        guard let newest = newestSecond, let end = RateHistory.second(time) else {
            return Array(repeating: 0, count: RateHistory.seconds)
        }
        return (0..<RateHistory.seconds).map { offset in
            let second = end - Int64(RateHistory.seconds - 1 - offset)
            guard second <= newest, second > newest - Int64(RateHistory.seconds) else { return 0 }
            return buckets[RateHistory.bucket(second)]
        }
    }
}
