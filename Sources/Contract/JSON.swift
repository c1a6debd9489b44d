import Foundation

/// How every JSON document syntop prints is written: keys in snake case and sorted, indented,
/// slashes as they are, and a newline after it.
public enum JSONDocument {
    public static func encode<Document: Encodable>(_ document: Document) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document) + Data("\n".utf8)
    }

    /// The same document on one line, for JSON Lines (a document an input line).
    public static func line<Document: Encodable>(_ document: Document) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document) + Data("\n".utf8)
    }
}

/// A wire report with the database's side beside it under `database`, as one JSON object.
public struct MergedOutput<WireSide: Encodable, DatabaseSide: Encodable>: Encodable {
    public var wire: WireSide?
    public var database: DatabaseSide?

    enum Keys: String, CodingKey { case database }

    public init(wire: WireSide?, database: DatabaseSide?) {
        self.wire = wire
        self.database = database
    }

    public func encode(to encoder: Encoder) throws {
        try wire?.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(database, forKey: .database)
    }
}

/// A value that is printed as null when absent, where the key itself says something.
public struct Nullable<Value: Encodable>: Encodable {
    public var value: Value?

    public init(_ value: Value?) {
        self.value = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
