#if canImport(Glibc)
import Glibc
#endif
import NaturalOrder

/// A stream's name as it appears on the wire (`device_lists`), which is not always its name in
/// `stream_positions` (`device_lists_stream`).
public struct StreamName: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    public let rawValue: String
    /// The name's hash, made once: names are kept from line to line (`FastWriter`), and a
    /// writer's key is hashed wherever a line is not found by its ids (`KeyedTable`).
    private let hash: Int
    public init(rawValue: String) {
        self.rawValue = rawValue
        hash = rawValue.hashValue
    }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    public static func == (a: StreamName, b: StreamName) -> Bool { a.hash == b.hash && a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    public static func < (a: StreamName, b: StreamName) -> Bool { NaturalOrder.less(a.rawValue, b.rawValue) }
}

/// A Synapse process's instance name: `master` for main, `worker_name` for a worker.
public struct InstanceName: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    public let rawValue: String
    /// Made once, as `StreamName`'s.
    private let hash: Int
    public init(rawValue: String) {
        self.rawValue = rawValue
        hash = rawValue.hashValue
    }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
    public static func == (a: InstanceName, b: InstanceName) -> Bool { a.hash == b.hash && a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    /// Natural order: `client_reader2` before `client_reader10`.
    public static func < (a: InstanceName, b: InstanceName) -> Bool { NaturalOrder.less(a.rawValue, b.rawValue) }
}

/// The token of an RDATA line: a stream id, or `batch` for a row that shares the id of the
/// numbered row that follows it.
public enum RowToken: Hashable, Sendable {
    case batch
    case id(Int64)
}

/// Values by the bytes that name them, in an open-addressing table whose probe compares a
/// digest, then the bytes where they lie in one arena (no array per key, no string hashed).
/// Bounded in keys and in a key's length; the caller makes the digest (`digest`) and decides
/// what a key past a bound becomes.
struct BytesTable<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var digest: UInt64
        /// Where the key's bytes lie in `arena`.
        var start: Int
        var count: Int
    }

    let capacity: Int
    /// Longer keys are not kept.
    let longest: Int
    private var entries: [Entry] = []
    private(set) var values: [Value] = []
    private var arena: [UInt8] = []
    /// Entry + 1 per bucket, 0 for none; twice the capacity at least, so probes stay short.
    private var buckets: [Int32]

    init(capacity: Int, longest: Int) {
        self.capacity = capacity
        self.longest = longest
        var size = 2
        while size < 2 * capacity { size <<= 1 }
        buckets = Array(repeating: 0, count: size)
    }

    /// A digest of a key, eight bytes a step, the last word overlapping the one before.
    @inline(__always)
    static func digest(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var digest = UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15
        guard let base = key.baseAddress else { return digest }
        var index = 0
        while index + 8 < key.count {
            digest = (digest ^ UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            digest ^= digest >> 32
            index += 8
        }
        var last: UInt64 = 0
        if key.count >= 8 {
            last = UnsafeRawPointer(base + key.count - 8).loadUnaligned(as: UInt64.self)
        } else {
            for offset in 0..<key.count { last |= UInt64(key[offset]) << (8 * offset) }
        }
        digest = (digest ^ last) &* 0xC4CE_B9FE_1A85_EC53
        return digest ^ (digest >> 29)
    }

    /// The entry holding `key`, or nil and the bucket a new key goes in.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, digest: UInt64) -> (entry: Int?, bucket: Int) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: digest) & mask
        while case let held = buckets[bucket], held != 0 {
            let entry = entries[Int(held) - 1]
            if entry.digest == digest, entry.count == key.count,
               arena.withUnsafeBytes({ BytesTable.same($0.baseAddress! + entry.start, key.baseAddress!, key.count) }) {
                return (Int(held) - 1, bucket)
            }
            bucket = (bucket + 1) & mask
        }
        return (nil, bucket)
    }

    /// Keeps a key `find` did not, at the bucket it gave; its entry, nil past a bound.
    mutating func add(_ key: UnsafeBufferPointer<UInt8>, digest: UInt64, bucket: Int, _ value: Value) -> Int? {
        guard entries.count < capacity, key.count <= longest else { return nil }
        entries.append(Entry(digest: digest, start: arena.count, count: key.count))
        arena.append(contentsOf: key)
        values.append(value)
        buckets[bucket] = Int32(entries.count)
        return entries.count - 1
    }

    /// Whether `count` bytes are the same at `a` and `b`: a word at a time, the last word
    /// overlapping the one before (keys are a few words, shorter than memcmp's call).
    @inline(__always)
    private static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        guard count >= 8 else { return memcmp(a, b, count) == 0 }
        var offset = 0
        while offset + 8 < count {
            guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
}

/// Names read from the wire, kept once: a line that names a known writer (or cache function)
/// gets the string kept from before instead of a new one, found by its bytes (`BytesTable`).
/// Bounded; past the bound, and for names longer than any Synapse process's, a name is made
/// afresh each time.
struct NameTable: Sendable {
    static let capacity = 4096
    static let longest = 256

    private struct Name: Sendable {
        var name: String
        /// The name as a writer's, its hash made once.
        var instance: InstanceName
    }
    private var table = BytesTable<Name>(capacity: NameTable.capacity, longest: NameTable.longest)

    /// A writer's name, kept with its hash; nil for bytes that are not a plain printable ASCII
    /// name (the full way decides about those).
    mutating func instance(_ bytes: UnsafeBufferPointer<UInt8>) -> InstanceName? {
        instanceWithID(bytes)?.name
    }

    /// As `instance`, with the name's entry in the table (nil past the bound): an id the wire
    /// state finds the writer's slots by.
    mutating func instanceWithID(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: InstanceName, id: Int?)? {
        guard let (name, id) = kept(bytes) else { return nil }
        return (name?.instance ?? InstanceName(rawValue: String(decoding: bytes, as: UTF8.self)), id)
    }

    /// A name that is no writer's: a cache function's.
    mutating func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let (name, _) = kept(bytes) else { return nil }
        return name?.name ?? String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `bytes` are a name the table would keep: one or more printable ASCII bytes
    /// (0x21 to 0x7E), eight a step.
    static func isPrintable(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        var index = 0
        while index + 8 <= bytes.count {
            guard printable(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) else { return false }
            index += 8
        }
        return bytes[index...].allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Whether every byte of `word` is printable ASCII: none below 0x21, none with the high
    /// bit, none that is DEL. Each test is exact for the word as a whole.
    @inline(__always)
    private static func printable(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- 0x2121_2121_2121_2121) & ~word & highs
        let del = word ^ 0x7F7F_7F7F_7F7F_7F7F
        return word & highs == 0 && below == 0 && (del &- ones) & ~del & highs == 0
    }

    /// The name kept for these bytes (added when new) and its entry; a nil name past the
    /// bounds; nil for bytes that are no name.
    private mutating func kept(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: Name?, id: Int?)? {
        let digest = BytesTable<Name>.digest(bytes)
        let (found, bucket) = table.find(bytes, digest: digest)
        if let found { return (table.values[found], found) }
        // Checked once, when first seen: a name held was printable when it was kept.
        guard NameTable.isPrintable(bytes) else { return nil }
        let name = String(decoding: bytes, as: UTF8.self)
        let kept = Name(name: name, instance: InstanceName(rawValue: name))
        guard let id = table.add(bytes, digest: digest, bucket: bucket, kept) else { return (nil, nil) }
        return (kept, id)
    }
}

/// A writer as the fast way keeps it, made when its line is first seen: one reference a line
/// hands on, where a stream's and a process's names would each be copied and freed.
final class FastWriter: LineWriter, Sendable {
    /// Kept whole, so a line's writer is handed on as it is, no name copied.
    let key: WriterKey
    /// The key's answers (`LineWriter`), made once instead of comparing names on every line.
    let isBackfill: Bool
    let isCaches: Bool
    let rule: RowShape.Rule
    /// The stream's name mixed into a digest, where each row's digest starts
    /// (`ReplicationLine.digest(named:row:)`).
    let streamDigest: UInt64
    /// Small integers the wire state finds the writer's and its process's slots by, without
    /// hashing: the writer's entry in `WriterTable`, its name's in `NameTable`; nil past a
    /// table's bound.
    let writerID: Int?
    let instanceID: Int?

    init(stream: StreamName, instance: InstanceName, rule: RowShape.Rule, streamDigest: UInt64, writerID: Int?,
         instanceID: Int?) {
        key = WriterKey(stream, instance)
        isBackfill = key.isBackfill
        isCaches = key.isCaches
        self.rule = rule
        self.streamDigest = streamDigest
        self.writerID = writerID
        self.instanceID = instanceID
    }
}

/// A line's stream and writer, found together by the bytes `<stream> <instance>` of the line
/// (`BytesTable`). A pair is checked once, when first kept (a known stream, a name `NameTable`
/// keeps). Bounded in pairs and in a pair's length: any other pair (and one refused, as an
/// unknown stream's) is looked up part by part on each line, its writer made afresh without
/// an id.
struct WriterTable: Sendable {
    static let capacity = 4096
    private var table = BytesTable<FastWriter>(capacity: WriterTable.capacity, longest: NameTable.longest)

    /// `bytes`: a line's `<stream> <instance>`, the space at `space`. Nil when the stream is
    /// not one the fast way knows or the name is not one `NameTable` keeps.
    mutating func writer(_ bytes: UnsafeBufferPointer<UInt8>, space: Int, names: inout NameTable) -> FastWriter? {
        let digest = BytesTable<FastWriter>.digest(bytes)
        let (found, bucket) = table.find(bytes, digest: digest)
        if let found { return table.values[found] }
        guard let (stream, rule) = ReplicationLine.knownStream(bytes[..<space]),
              let (instance, instanceID) = names.instanceWithID(UnsafeBufferPointer(rebasing: bytes[(space + 1)...]))
        else { return nil }
        let streamDigest = ReplicationLine.streamDigest(UnsafeBufferPointer(rebasing: bytes[..<space]))
        func made(_ id: Int?) -> FastWriter {
            FastWriter(stream: stream, instance: instance, rule: rule, streamDigest: streamDigest, writerID: id,
                       instanceID: instanceID)
        }
        // The entry the writer will have, when it is kept.
        let writer = made(table.values.count)
        return table.add(bytes, digest: digest, bucket: bucket, writer) != nil ? writer : made(nil)
    }
}
