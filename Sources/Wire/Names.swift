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
