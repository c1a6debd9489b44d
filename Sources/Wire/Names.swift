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

/// Names read from the wire, kept once: a line that names a known writer (or cache function)
/// gets the string kept from before instead of a new one, found by its bytes in an
/// open-addressing table, with no hashing of strings. Bounded; past the bound a name is made
/// afresh each time.
struct NameTable: Sendable {
    static let capacity = 4096
    /// Longer names are made afresh each time, not kept.
    static let longest = 256
    private struct Entry: Sendable {
        var digest: UInt64
        var bytes: [UInt8]
        var name: String
        /// The name as a writer's, its hash made once.
        var instance: InstanceName
    }
    private var entries: [Entry] = []
    /// Entry + 1 per bucket, 0 for none; twice the capacity, so probes stay short.
    private var buckets = [Int32](repeating: 0, count: 2 * NameTable.capacity)

    /// A writer's name, kept with its hash; nil for bytes that are not a plain printable ASCII
    /// name (the full way decides about those).
    mutating func instance(_ bytes: UnsafeBufferPointer<UInt8>) -> InstanceName? {
        instanceWithID(bytes)?.name
    }

    /// As `instance`, with the name's entry in the table (nil past the bound): an id the wire
    /// state finds the writer's slots by.
    mutating func instanceWithID(_ bytes: UnsafeBufferPointer<UInt8>) -> (name: InstanceName, id: Int?)? {
        entry(bytes).map {
            entries.indices.contains($0) ? (entries[$0].instance, $0)
                : (InstanceName(rawValue: String(decoding: bytes, as: UTF8.self)), nil)
        }
    }

    /// A name that is no writer's: a cache function's.
    mutating func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        entry(bytes).map {
            entries.indices.contains($0) ? entries[$0].name : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Whether `bytes` are a name the table would keep: one or more printable ASCII bytes.
    static func isPrintable(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Whether every byte of `word` is printable ASCII (0x21 to 0x7E): none below 0x21, none
    /// with the high bit, none that is DEL. Each test is exact for the word as a whole.
    @inline(__always)
    private static func printable(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- 0x2121_2121_2121_2121) & ~word & highs
        let del = word ^ 0x7F7F_7F7F_7F7F_7F7F
        return word & highs == 0 && below == 0 && (del &- ones) & ~del & highs == 0
    }

    private static func same(_ kept: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        kept.count == bytes.count && kept.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }

    /// The entry of these bytes, added when new; `entries.count` when the table is full.
    private mutating func entry(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, let base = bytes.baseAddress else { return nil }
        // Eight bytes a step: each word checked for printable ASCII and mixed into the digest.
        var digest = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            guard NameTable.printable(word) else { return nil }
            digest = (digest ^ word) &* 0xFF51_AFD7_ED55_8CCD
            digest ^= digest >> 32
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F else { return nil }
            tail |= UInt64(byte) << shift
            shift += 8
            index += 1
        }
        digest = (digest ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        digest ^= digest >> 29
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: digest ^ (digest >> 29)) & mask
        while case let held = buckets[bucket], held != 0 {
            let index = Int(held) - 1
            if entries[index].digest == digest && NameTable.same(entries[index].bytes, bytes) { return index }
            bucket = (bucket + 1) & mask
        }
        guard entries.count < NameTable.capacity, bytes.count <= NameTable.longest else { return entries.count }
        let name = String(decoding: bytes, as: UTF8.self)
        entries.append(Entry(digest: digest, bytes: Array(bytes), name: name, instance: InstanceName(rawValue: name)))
        buckets[bucket] = Int32(entries.count)
        return entries.count - 1
    }
}

/// A writer as the fast way keeps it, made when its line is first seen: one reference a line
/// hands on, where a stream's and a process's names would each be copied and freed.
final class FastWriter: Sendable {
    let stream: StreamName
    let instance: InstanceName
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
        self.stream = stream
        self.instance = instance
        self.rule = rule
        self.streamDigest = streamDigest
        self.writerID = writerID
        self.instanceID = instanceID
    }
}

/// A line's stream and writer, found together by the bytes `<stream> <instance>` of the line in
/// an open-addressing table, with no string made or hashed. A pair is checked once, when first
/// kept (a known stream, a name `NameTable` keeps). Bounded in pairs and in a pair's length:
/// any other pair (and one refused, as an unknown stream's) is looked up part by part on each
/// line, its writer made afresh without an id.
struct WriterTable: Sendable {
    static let capacity = 4096
    /// Longer pairs are not kept: names of that length are no Synapse process's.
    static let longest = 256

    private struct Entry: Sendable {
        var digest: UInt64
        /// Where the pair's bytes lie in `bytes`.
        var start: Int
        var count: Int
    }

    private var entries: [Entry] = []
    private var writers: [FastWriter] = []
    /// Every pair's bytes, one after another: compared where they lie, no array per pair.
    private var bytes: [UInt8] = []
    /// Entry + 1 per bucket, 0 for none; twice the capacity, so probes stay short.
    private var buckets = [Int32](repeating: 0, count: 2 * WriterTable.capacity)

    /// `bytes`: a line's `<stream> <instance>`, the space at `space`. Nil when the stream is
    /// not one the fast way knows or the name is not one `NameTable` keeps.
    mutating func writer(_ bytes: UnsafeBufferPointer<UInt8>, space: Int, names: inout NameTable) -> FastWriter? {
        guard let base = bytes.baseAddress, bytes.count >= 8, bytes.count <= WriterTable.longest else {
            return lookUp(bytes, space: space, id: nil, names: &names)
        }
        // Eight bytes a step, the last word overlapping the one before: no byte loop.
        var digest = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var index = 0
        while index + 8 < bytes.count {
            digest = (digest ^ UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            digest ^= digest >> 32
            index += 8
        }
        digest = (digest ^ UnsafeRawPointer(base + bytes.count - 8).loadUnaligned(as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
        digest ^= digest >> 29
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: digest) & mask
        while case let held = buckets[bucket], held != 0 {
            let entry = entries[Int(held) - 1]
            if entry.digest == digest, entry.count == bytes.count,
               self.bytes.withUnsafeBytes({ WriterTable.same($0.baseAddress! + entry.start, base, bytes.count) }) {
                return writers[Int(held) - 1]
            }
            bucket = (bucket + 1) & mask
        }
        guard entries.count < WriterTable.capacity else { return lookUp(bytes, space: space, id: nil, names: &names) }
        guard let writer = lookUp(bytes, space: space, id: entries.count, names: &names) else { return nil }
        entries.append(Entry(digest: digest, start: self.bytes.count, count: bytes.count))
        self.bytes.append(contentsOf: bytes)
        writers.append(writer)
        buckets[bucket] = Int32(entries.count)
        return writer
    }

    /// Whether `count` bytes (eight or more) are the same at `a` and `b`, a word at a time, the
    /// last word overlapping the one before: a pair is a few words, shorter than memcmp's call.
    @inline(__always)
    private static func same(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset + 8 < count {
            guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// A pair not in the table, part by part.
    private func lookUp(_ bytes: UnsafeBufferPointer<UInt8>, space: Int, id: Int?, names: inout NameTable) -> FastWriter? {
        guard let (stream, rule) = ReplicationLine.knownStream(bytes[..<space]),
              let (instance, instanceID) = names.instanceWithID(UnsafeBufferPointer(rebasing: bytes[(space + 1)...]))
        else { return nil }
        return FastWriter(stream: stream, instance: instance, rule: rule,
                          streamDigest: ReplicationLine.streamDigest(UnsafeBufferPointer(rebasing: bytes[..<space])),
                          writerID: id, instanceID: instanceID)
    }
}
