import NaturalOrder

/// A stream's name as it appears on the wire (`device_lists`), which is not always its name in
/// `stream_positions` (`device_lists_stream`).
public struct StreamName: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: StreamName, b: StreamName) -> Bool { NaturalOrder.less(a.rawValue, b.rawValue) }
}

/// A Synapse process's instance name: `master` for main, `worker_name` for a worker.
public struct InstanceName: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    /// Natural order: `client_reader2` before `client_reader10`.
    public static func < (a: InstanceName, b: InstanceName) -> Bool { NaturalOrder.less(a.rawValue, b.rawValue) }
}

/// The token of an RDATA line: a stream id, or `batch` for a row that shares the id of the
/// numbered row that follows it.
public enum RowToken: Hashable, Sendable {
    case batch
    case id(Int64)
}

/// Names read from the wire, kept once: a line that names a known writer gets the string kept
/// from before instead of a new one. Bounded; past the bound a name is made afresh each time.
struct NameTable: Sendable {
    static let capacity = 4096
    private var names: [UInt64: [String]] = [:]
    private var count = 0

    /// The name these bytes spell; nil for bytes that are not a plain printable ASCII name
    /// (the full way decides about those).
    mutating func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard !bytes.isEmpty else { return nil }
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            guard byte > 0x20, byte < 0x7F else { return nil }
            digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        if let kept = names[digest] {
            for name in kept where name.utf8.elementsEqual(bytes) { return name }
        }
        let name = String(decoding: bytes, as: UTF8.self)
        if count < NameTable.capacity {
            names[digest, default: []].append(name)
            count += 1
        }
        return name
    }
}
