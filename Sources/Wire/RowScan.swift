/// The fast way through a row's JSON: it checks the row where its bytes lie, builds no string
/// and no JSON tree, and notes where each top-level field is. It accepts only the plain shapes
/// Synapse publishes (ASCII strings without escapes, integers), and says nothing about any
/// other input, which then goes the full way (`JSONReader`, `RowDecoder`), so the two ways never
/// disagree about a row they both take.
enum RowScan {
    enum Kind: UInt8 {
        case null, yes, no, integer, string, array, object
    }

    /// One top-level field: its kind, and its bytes (a string's without the quotes).
    struct Field {
        var kind: Kind
        var start: Int
        var end: Int
    }

    static let maximumDepth = 32

    /// The fields of the top-level list in `bytes[start..<end]`, into `fields`; false when the
    /// row is not a plain list this scan takes.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                       into fields: inout [Field]) -> Bool {
        fields.removeAll(keepingCapacity: true)
        var index = start
        guard index < end, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        skipSpace(bytes, &index, end)
        if index < end && bytes[index] == UInt8(ascii: "]") {
            index += 1
            skipSpace(bytes, &index, end)
            return index == end
        }
        while true {
            skipSpace(bytes, &index, end)
            let first = index
            guard let kind = value(bytes, &index, end, depth: 1) else { return false }
            fields.append(kind == .string ? Field(kind: kind, start: first + 1, end: index - 1)
                                          : Field(kind: kind, start: first, end: index))
            guard let closed = afterItem(bytes, &index, end, closing: UInt8(ascii: "]")) else { return false }
            if closed {
                skipSpace(bytes, &index, end)
                return index == end
            }
        }
    }

    /// Whether any byte of `word` is a quote, a backslash, a control character, DEL or not
    /// ASCII; it may say so of a word that has none (after a borrow), never the other way.
    @inline(__always)
    static func mayStopString(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        return word & highs != 0 || (word &- 0x2020_2020_2020_2020) & ~word & highs != 0
            || hasZero(word ^ 0x2222_2222_2222_2222) || hasZero(word ^ 0x5C5C_5C5C_5C5C_5C5C)
            || hasZero(word ^ 0x7F7F_7F7F_7F7F_7F7F)
    }

    static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int) {
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// Checks one value and moves past it.
    static func value(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int, depth: Int) -> Kind? {
        guard index < end, depth <= maximumDepth else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            index += 1
            // Eight bytes a step while none of them can end the string or send it the full way;
            // the byte loop below decides at the first that might.
            if let base = bytes.baseAddress {
                while index + 8 <= end,
                      !RowScan.mayStopString(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                }
            }
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return .string
                }
                // Escapes, control characters and anything not ASCII go the full way.
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < end, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            let count = index - digits
            // Integers an Int64 holds, without a leading zero; fractions and exponents go the full way.
            guard count > 0, count <= 18, !(count > 1 && bytes[digits] == UInt8(ascii: "0")) else { return nil }
            if index < end, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return nil }
            return .integer
        case UInt8(ascii: "t"): return literal(bytes, &index, end, "true") ? .yes : nil
        case UInt8(ascii: "f"): return literal(bytes, &index, end, "false") ? .no : nil
        case UInt8(ascii: "n"): return literal(bytes, &index, end, "null") ? .null : nil
        case UInt8(ascii: "["):
            index += 1
            skipSpace(bytes, &index, end)
            if index < end && bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array
            }
            while true {
                skipSpace(bytes, &index, end)
                guard value(bytes, &index, end, depth: depth + 1) != nil,
                      let closed = afterItem(bytes, &index, end, closing: UInt8(ascii: "]")) else { return nil }
                if closed { return .array }
            }
        case UInt8(ascii: "{"):
            index += 1
            skipSpace(bytes, &index, end)
            if index < end && bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object
            }
            while true {
                skipSpace(bytes, &index, end)
                guard index < end, bytes[index] == UInt8(ascii: "\""),
                      value(bytes, &index, end, depth: depth + 1) == .string else { return nil }
                skipSpace(bytes, &index, end)
                guard index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                skipSpace(bytes, &index, end)
                guard value(bytes, &index, end, depth: depth + 1) != nil,
                      let closed = afterItem(bytes, &index, end, closing: UInt8(ascii: "}")) else { return nil }
                if closed { return .object }
            }
        default:
            return nil
        }
    }

    /// After an item of a list or an object: a comma (false, more follow), the closing
    /// bracket (true), or neither (nil: not a value this scan takes).
    static func afterItem(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int, closing: UInt8) -> Bool? {
        skipSpace(bytes, &index, end)
        guard index < end else { return nil }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return false
        }
        guard bytes[index] == closing else { return nil }
        index += 1
        return true
    }

    static func literal(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int,
                        _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - index >= count else { return false }
        let letters = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != letters[offset] { return false }
        index += count
        return true
    }
}

/// What the wire state needs to know of a row beyond its bytes; the rest is decoded when the
/// row is shown.
public enum RowFacts: Equatable, Sendable {
    case deviceList(userID: String, isSignature: Bool, hostsCalculated: Bool)
    case cacheInvalidation(function: String, wholeCache: Bool)
    case other

    public init(_ row: StreamRow) {
        switch row {
        case .deviceList(let userID, let isSignature, let hostsCalculated):
            self = .deviceList(userID: userID, isSignature: isSignature, hostsCalculated: hostsCalculated)
        case .cacheInvalidation(let function, let keys, _):
            self = .cacheInvalidation(function: function, wholeCache: keys.isNull)
        default:
            self = .other
        }
    }
}

/// The shape each stream's rows must have, as `RowDecoder` decodes them, checked on the fields
/// `RowScan` found: the facts of a row that has it, nil for any other (the full way decides).
enum RowShape {
    typealias Field = RowScan.Field

    /// How a stream's rows are checked.
    enum Rule {
        /// A fixed list of fields.
        case fields([Expect])
        case events, typing, caches, deviceLists
    }

    /// The rule of each stream syntop knows.
    static let rules: [StreamName: Rule] = [
        "events": .events,
        "backfill": .fields([.string, .string, .string, .optionalString, .optionalString, .optionalString]),
        "sticky_events": .fields([.string, .string]),
        "presence_federation": .fields([.string, .string]),
        // Affected fields as a list go the full way, which checks each.
        "profile_updates": .fields([.string, .string, .null]),
        "presence": .fields([.string, .string, .integer, .any, .any, .any, .bool]),
        "typing": .typing,
        "receipts": .fields([.string, .string, .string, .string, .optionalString, .any]),
        "push_rules": .fields([.string]),
        "to_device": .fields([.string]),
        "un_partial_stated_room": .fields([.string]),
        // A pusher's row carries its pushkey (a push token): the full way, which drops it.
        "caches": .caches,
        "device_lists": .deviceLists,
        "account_data": .fields([.string, .optionalString, .string]),
        "thread_subscriptions": .fields([.string, .string, .string]),
        "un_partial_stated_event": .fields([.string, .bool]),
        "quarantined_media": .fields([.optionalString, .string, .bool]),
        "federation": .fields([.string, .any]),
    ]

    static let eventFields: [Expect] = [.string, .string, .string, .optionalString, .optionalString,
                                        .optionalString, .optionalString, .bool, .bool]
    static let stateFields: [Expect] = [.string, .string, .string, .optionalString]

    static func admits(_ fields: [Field], _ expected: [Expect], count: ClosedRange<Int>? = nil) -> Bool {
        guard (count ?? expected.count...expected.count).contains(fields.count) else { return false }
        for index in fields.indices where !expected[index].admits(fields[index].kind) { return false }
        return true
    }

    /// `inner`: scratch space for a list inside the row, reused from row to row.
    /// `text` makes a field's string; `function` a cache function's name and whether its keys
    /// are access tokens.
    static func facts(_ rule: Rule, _ bytes: UnsafeBufferPointer<UInt8>, _ fields: [Field], inner: inout [Field],
                      text: (Field) -> String, function: (Field) -> (name: String, tokenCache: Bool)) -> RowFacts? {
        switch rule {
        case .fields(let expected):
            return admits(fields, expected) ? .other : nil
        case .events:
            guard fields.count == 2, fields[0].kind == .string, fields[1].kind == .array,
                  RowScan.fields(bytes, fields[1].start, fields[1].end, into: &inner) else { return nil }
            let kind = bytes[fields[0].start..<fields[0].end]
            if kind.elementsEqual("ev".utf8) { return admits(inner, eventFields, count: 5...9) ? .other : nil }
            if kind.elementsEqual("state".utf8) { return admits(inner, stateFields) ? .other : nil }
            if kind.elementsEqual("state-all".utf8) { return inner.count == 1 && inner[0].kind == .string ? .other : nil }
            return nil
        case .typing:
            guard fields.count == 2, fields[0].kind == .string, fields[1].kind == .array,
                  RowScan.fields(bytes, fields[1].start, fields[1].end, into: &inner) else { return nil }
            return inner.allSatisfy { $0.kind == .string } ? .other : nil
        case .caches:
            guard fields.count == 2 || fields.count == 3, fields[0].kind == .string,
                  fields[1].kind == .null || fields[1].kind == .array,
                  fields.count == 2 || fields[2].kind == .null || fields[2].kind == .integer else { return nil }
            let cache = function(fields[0])
            // A token-keyed cache's keys must be dropped before anything keeps the row: the full way.
            guard !cache.tokenCache else { return nil }
            return .cacheInvalidation(function: cache.name, wholeCache: fields[1].kind == .null)
        case .deviceLists:
            guard fields.count == 3, fields[0].kind == .string, Expect.bool.admits(fields[1].kind),
                  Expect.bool.admits(fields[2].kind) else { return nil }
            return .deviceList(userID: text(fields[0]), isSignature: fields[1].kind == .yes,
                               hostsCalculated: fields[2].kind == .yes)
        }
    }

    enum Expect {
        case string, optionalString, integer, bool, null, any

        func admits(_ kind: RowScan.Kind) -> Bool {
            switch self {
            case .string: kind == .string
            case .optionalString: kind == .string || kind == .null
            case .integer: kind == .integer
            case .bool: kind == .yes || kind == .no
            case .null: kind == .null
            case .any: true
            }
        }
    }
}

/// An RDATA or POSITION line of a known stream in the plain shape Synapse publishes, read where
/// its bytes lie: no command is built, and only the facts the wire state keeps are decoded.
/// Any other line is nil, for `ReplicationLine.parse` to read (and, if need be, explain).
public enum FastLine: Equatable {
    case position(stream: StreamName, instance: InstanceName, previous: Int64, new: Int64)
    /// `row`: where the row's JSON lies in the line; `digest`: the row's, as the wire state
    /// tells republished rows by (`ReplicationLine.digest`).
    case rdata(stream: StreamName, instance: InstanceName, token: RowToken, facts: RowFacts, row: Range<Int>,
               digest: UInt64)

    fileprivate static func read(_ line: UnsafeBufferPointer<UInt8>, names: inout NameTable,
                                 fields: inout [RowScan.Field], inner: inout [RowScan.Field]) -> FastLine? {
        guard line.count <= ReplicationLine.maximumLength, let parts = ReplicationLine.fastParts(line),
              let instance = names.instance(UnsafeBufferPointer(rebasing: line[parts.instance])) else { return nil }
        if parts.isPosition {
            guard let previous = ReplicationLine.plainInteger(line, parts.token),
                  let new = ReplicationLine.plainInteger(line, parts.row) else { return nil }
            return .position(stream: parts.stream, instance: instance, previous: previous, new: new)
        }
        let token: RowToken
        if line[parts.token].elementsEqual("batch".utf8) {
            token = .batch
        } else if let id = ReplicationLine.plainInteger(line, parts.token) {
            token = .id(id)
        } else {
            return nil
        }
        guard RowScan.fields(line, parts.row.lowerBound, parts.row.upperBound, into: &fields),
              let facts = RowShape.facts(parts.rule, line, fields, inner: &inner, text: { field in
                  String(decoding: UnsafeBufferPointer(rebasing: line[field.start..<field.end]), as: UTF8.self)
              }, function: { field in
                  let bytes = UnsafeBufferPointer(rebasing: line[field.start..<field.end])
                  if let known = names.function(bytes) { return known }
                  let name = String(decoding: bytes, as: UTF8.self)
                  return (name, Secrets.isTokenCache(name))
              }) else { return nil }
        return .rdata(stream: parts.stream, instance: instance, token: token, facts: facts, row: parts.row,
                      digest: ReplicationLine.digest(stream: UnsafeBufferPointer(rebasing: line[parts.streamBytes]),
                                                     row: UnsafeBufferPointer(rebasing: line[parts.row])))
    }

    /// One line on its own (the fuzzer's and the tests' way in).
    public static func read(_ line: [UInt8]) -> FastLine? {
        var reader = FastLineReader()
        return line.withUnsafeBufferPointer { reader.read($0) }
    }

    /// Whether `ReplicationLine.parse` reads the line as this does: what the fast way takes
    /// the full way takes too, with the same stream, writer, tokens and facts.
    public func agrees(with command: Result<ReplicationCommand, MalformedLine>) -> Bool {
        guard case .success(let command) = command else { return false }
        switch (self, command) {
        case (.position(let stream, let instance, let previous, let new), .position(let s, let i, let p, let n)):
            return stream == s && instance == i && previous == p && new == n
        case (.rdata(let stream, let instance, let token, let facts, _, _), .rdata(let s, let i, let t, let row)):
            return stream == s && instance == i && token == t && facts == RowFacts(row)
        default:
            return false
        }
    }
}

/// Reads line after line the fast way, keeping the writers' names and its scratch space
/// from one line to the next.
public struct FastLineReader: Sendable {
    private var names = NameTable()
    private var fields: [RowScan.Field] = []
    private var inner: [RowScan.Field] = []

    public init() {}

    public mutating func read(_ line: UnsafeBufferPointer<UInt8>) -> FastLine? {
        FastLine.read(line, names: &names, fields: &fields, inner: &inner)
    }
}
