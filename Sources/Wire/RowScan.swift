/// The fast way through a row's JSON: it checks the row where its bytes lie, builds no string
/// and no JSON tree, and notes where each top-level field is. It accepts only the plain shapes
/// Synapse publishes (ASCII strings, with JSON's short escapes where no text is made of them;
/// integers), and says nothing about any other input, which then goes the full way
/// (`JSONReader`, `RowDecoder`), so the two ways never disagree about a row they both take.
enum RowScan {
    enum Kind: UInt8, CaseIterable {
        case null, yes, no, integer, string
        /// A string with one of JSON's short escapes (`\"`, `\n`, ...), whose text only the
        /// full way makes (a cache's keys, written as JSON into a string).
        case escapedString
        case array, object
    }

    /// One top-level field: its kind, and its bytes (a string's without the quotes).
    struct Field {
        var kind: Kind
        var start: Int
        var end: Int
    }

    static var maximumDepth: Int { 32 }

    /// The fields of a list, in space the caller holds for the line (`Fields.with`): no
    /// allocation and no reference counted per row. A row with more fields than any Synapse
    /// publishes goes the full way; an inner list with more items (a cache's many keys) is
    /// checked to its end, its first items kept and `overflowed` set.
    struct Fields: RandomAccessCollection {
        static var capacity: Int { 16 }
        private let space: UnsafeMutablePointer<Field>
        private(set) var endIndex = 0
        private(set) var overflowed = false
        var startIndex: Int { 0 }

        private init(_ space: UnsafeMutablePointer<Field>) { self.space = space }

        /// Space for a row's fields and its inner list's, on the stack, for the time of `body`.
        static func with<Result>(_ body: (inout Fields, inout Fields) -> Result) -> Result {
            withUnsafeTemporaryAllocation(of: Field.self, capacity: 2 * capacity) { space in
                var fields = Fields(space.baseAddress!)
                var inner = Fields(space.baseAddress! + capacity)
                return body(&fields, &inner)
            }
        }

        subscript(index: Int) -> Field {
            assert(index < endIndex, "a field past the end")
            return space[index]
        }

        mutating func append(_ field: Field) {
            guard endIndex < Fields.capacity else {
                overflowed = true
                return
            }
            (space + endIndex).initialize(to: field)
            endIndex += 1
        }
    }

    /// The fields of the top-level list in `bytes[start..<end]`, into `fields`; false when the
    /// row is not a plain list this scan takes. The items of a list in the second field go
    /// into `inner` as they are checked (an event's or a typing row's), so no second pass
    /// reads them; `inner` is empty when the second field is no list. Both start empty.
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                       into fields: inout Fields, inner: inout Fields) -> Bool {
        var index = start
        guard withUnsafeMutablePointer(to: &inner, { list(bytes, &index, end, depth: 0, into: &fields, inner: $0) })
        else { return false }
        skipSpace(bytes, &index, end)
        return index == end
    }

    /// The list at `index`, checked and moved past, its items into `items`, and the items of
    /// its second item into `inner` (when given) when that is a list.
    private static func list(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int, depth: Int,
                             into items: inout Fields, inner: UnsafeMutablePointer<Fields>?) -> Bool {
        guard index < end, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        skipSpace(bytes, &index, end)
        if index < end && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            skipSpace(bytes, &index, end)
            let first = index
            let kind: Kind
            if let inner, items.count == 1, index < end, bytes[index] == UInt8(ascii: "[") {
                guard list(bytes, &index, end, depth: depth + 1, into: &inner.pointee, inner: nil) else { return false }
                kind = .array
            } else {
                guard let scanned = value(bytes, &index, end, depth: depth + 1) else { return false }
                kind = scanned
            }
            items.append(kind == .string || kind == .escapedString ? Field(kind: kind, start: first + 1, end: index - 1)
                                                                   : Field(kind: kind, start: first, end: index))
            // The top-level list (the one given `inner`) holds every field or goes the full way.
            if items.overflowed && inner != nil { return false }
            guard let closed = afterItem(bytes, &index, end, closing: UInt8(ascii: "]")) else { return false }
            if closed { return true }
        }
    }

    /// Where a string's bytes stop the fast scan, one bit per byte (its high bit): a quote in
    /// `quotes`; a backslash, a control character, DEL or a byte that is not ASCII in `others`.
    /// Bits may be set above the first stopping byte (after a borrow), never below it, so the
    /// lowest bit of either is exact. `word` holds the string's first byte lowest.
    @inline(__always)
    static func stops(_ word: UInt64) -> (quotes: UInt64, others: UInt64) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func zeros(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let quote = word ^ 0x2222_2222_2222_2222
        let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let delete = word ^ 0x7F7F_7F7F_7F7F_7F7F
        return (zeros(quote),
                (word & highs) | ((word &- 0x2020_2020_2020_2020) & ~word & highs) | zeros(backslash) | zeros(delete))
    }

    @inline(__always)
    static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int) {
        // Synapse writes compact JSON: nearly always, the first byte is no space.
        while index < end, bytes[index] <= 0x20, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// Checks one value and moves past it.
    static func value(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int, depth: Int) -> Kind? {
        guard index < end, depth <= maximumDepth else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            index += 1
            var escaped = false
            // Sixteen bytes a step where the processor has it, then eight, to the first quote,
            // backslash or byte the full way takes (a short escape is stepped over); the byte
            // loop takes the last few bytes of the row.
            if let base = bytes.baseAddress {
                #if arch(x86_64)
                while index + 16 <= end {
                    let stop = ByteScan.stringStops(base + index)
                    guard stop != 0 else {
                        index += 16
                        continue
                    }
                    index += stop.trailingZeroBitCount
                    if bytes[index] == UInt8(ascii: "\"") {
                        index += 1
                        return escaped ? .escapedString : .string
                    }
                    guard shortEscape(bytes, &index, end) else { return nil }
                    escaped = true
                }
                #endif
                while index + 8 <= end {
                    let (quotes, others) = stops(UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)))
                    let stop = quotes | others
                    if stop == 0 {
                        index += 8
                        continue
                    }
                    let lowest = stop & (0 &- stop)
                    index += lowest.trailingZeroBitCount >> 3
                    if quotes & lowest != 0 {
                        index += 1
                        return escaped ? .escapedString : .string
                    }
                    guard shortEscape(bytes, &index, end) else { return nil }
                    escaped = true
                }
            }
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return escaped ? .escapedString : .string
                }
                if byte == UInt8(ascii: "\\") {
                    guard shortEscape(bytes, &index, end) else { return nil }
                    escaped = true
                    continue
                }
                // Control characters and anything not ASCII go the full way.
                guard byte >= 0x20, byte < 0x7F else { return nil }
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
                      let key = value(bytes, &index, end, depth: depth + 1),
                      key == .string || key == .escapedString else { return nil }
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

    /// A backslash at `index` and one of JSON's short escapes after it, moved past; false for
    /// anything else (a `\u` escape goes the full way, which decides about surrogates).
    @inline(__always)
    static func shortEscape(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ end: Int) -> Bool {
        guard bytes[index] == UInt8(ascii: "\\"), index + 1 < end else { return false }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
            return true
        default:
            return false
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
    enum Rule: Sendable {
        /// A fixed list of fields.
        case fields(FieldKinds)
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

    static let eventFields: FieldKinds = [.string, .string, .string, .optionalString, .optionalString,
                                        .optionalString, .optionalString, .bool, .bool]
    static let stateFields: FieldKinds = [.string, .string, .string, .optionalString]

    /// `fewest`: how many fields a row may have at least, when fewer than all.
    static func admits(_ fields: RowScan.Fields, _ expected: FieldKinds, fewest: Int? = nil) -> Bool {
        guard fields.count >= (fewest ?? expected.count), fields.count <= expected.count else { return false }
        for index in fields.indices where !expected.admits(fields[index].kind, at: index) { return false }
        return true
    }

    /// `inner`: the items of the list in the row's second field (`RowScan.fields`).
    /// `text` makes a field's string; `function` a cache function's name.
    /// With `decode` false, a row of the right shape is `.other` whatever it says: no name is
    /// made (for a wire state that keeps no feed).
    static func facts(_ rule: Rule, _ bytes: UnsafeBufferPointer<UInt8>, _ fields: RowScan.Fields, inner: RowScan.Fields,
                      decode: Bool = true, text: (Field) -> String, function: (Field) -> String) -> RowFacts? {
        switch rule {
        case .fields(let expected):
            return admits(fields, expected) ? .other : nil
        case .events:
            guard fields.count == 2, fields[0].kind == .string, fields[1].kind == .array, !inner.overflowed
            else { return nil }
            let kind = fields[0].start..<fields[0].end
            if ReplicationLine.equals(bytes, kind, "ev") { return admits(inner, eventFields, fewest: 5) ? .other : nil }
            if ReplicationLine.equals(bytes, kind, "state") { return admits(inner, stateFields) ? .other : nil }
            if ReplicationLine.equals(bytes, kind, "state-all") {
                return inner.count == 1 && inner[0].kind == .string ? .other : nil
            }
            return nil
        case .typing:
            guard fields.count == 2, fields[0].kind == .string, fields[1].kind == .array, !inner.overflowed
            else { return nil }
            return inner.allSatisfy { $0.kind == .string } ? .other : nil
        case .caches:
            guard fields.count == 2 || fields.count == 3, fields[0].kind == .string,
                  fields[1].kind == .null || fields[1].kind == .array,
                  fields.count == 2 || fields[2].kind == .null || fields[2].kind == .integer else { return nil }
            // A token-keyed cache's keys are never kept either way: an invalidation is
            // counted, its bytes dropped.
            guard decode else { return .other }
            return .cacheInvalidation(function: function(fields[0]), wholeCache: fields[1].kind == .null)
        case .deviceLists:
            guard fields.count == 3, fields[0].kind == .string, Expect.bool.admits(fields[1].kind),
                  Expect.bool.admits(fields[2].kind) else { return nil }
            guard decode else { return .other }
            return .deviceList(userID: text(fields[0]), isSignature: fields[1].kind == .yes,
                               hostsCalculated: fields[2].kind == .yes)
        }
    }

    /// The fields a row must have, each as the kinds it admits, one bit a kind: a plain value,
    /// which a line's rule is copied with and no reference counted.
    struct FieldKinds: ExpressibleByArrayLiteral, Sendable {
        private var kinds = SIMD16<UInt8>()
        let count: Int

        init(arrayLiteral expected: Expect...) {
            precondition(expected.count <= kinds.scalarCount, "a rule of more fields than FieldKinds holds")
            count = expected.count
            for (index, expect) in expected.enumerated() {
                kinds[index] = RowScan.Kind.allCases.filter(expect.admits).reduce(0) { $0 | 1 << $1.rawValue }
            }
        }

        func admits(_ kind: RowScan.Kind, at index: Int) -> Bool {
            kinds[index] & (1 << kind.rawValue) != 0
        }
    }

    enum Expect: Sendable {
        case string, optionalString, integer, bool, null, any

        func admits(_ kind: RowScan.Kind) -> Bool {
            switch self {
            // A field whose text is made (a user's id, a cache function) is tested for
            // `.string` itself, not through these.
            case .string: kind == .string || kind == .escapedString
            case .optionalString: kind == .string || kind == .escapedString || kind == .null
            case .integer: kind == .integer
            case .bool: kind == .yes || kind == .no
            case .null: kind == .null
            case .any: true
            }
        }
    }
}

/// An RDATA or POSITION line of a known stream, a FEDERATION_ACK or a USER_SYNC, in the plain
/// shape Synapse publishes, read where its bytes lie: no command is built, and only the facts
/// the wire state keeps are decoded.
/// Any other line is nil, for `ReplicationLine.parse` to read (and, if need be, explain).
public enum FastLine: Equatable {
    case position(stream: StreamName, instance: InstanceName, previous: Int64, new: Int64)
    /// `row`: where the row's JSON lies in the line; `digest`: the row's, as the wire state
    /// tells republished rows by (`ReplicationLine.digest`).
    case rdata(stream: StreamName, instance: InstanceName, token: RowToken, facts: RowFacts, row: Range<Int>,
               digest: UInt64)
    case federationAck(instance: InstanceName, token: Int64)
    /// Of a USER_SYNC line the wire state keeps only which process sent it.
    case userSync(processID: String)

    init(_ read: FastCommand) {
        switch read {
        case .position(let writer, let previous, let new):
            self = .position(stream: writer.key.stream, instance: writer.key.instance, previous: previous, new: new)
        case .rdata(let writer, let token, let facts, let row, let digest):
            self = .rdata(stream: writer.key.stream, instance: writer.key.instance, token: token, facts: facts, row: row,
                          digest: digest)
        case .federationAck(let instance, let token):
            self = .federationAck(instance: instance, token: token)
        case .userSync(let processID):
            self = .userSync(processID: processID)
        }
    }

    /// One line on its own (the fuzzer's and the tests' way in).
    public static func read(_ line: [UInt8]) -> FastLine? {
        var reader = FastLineReader()
        return line.withUnsafeBufferPointer { reader.read($0) }
    }

    /// Whether `ReplicationLine.parse` reads `line`, the one this was read from, as this does:
    /// what the fast way takes the full way takes too, with the same stream, writer, tokens,
    /// facts and row digest (which tells a republished row whichever way it came).
    public func agrees(with line: [UInt8]) -> Bool {
        guard case .success(let command) = ReplicationLine.parse(line) else { return false }
        switch (self, command) {
        case (.position(let stream, let instance, let previous, let new), .position(let s, let i, let p, let n)):
            return stream == s && instance == i && previous == p && new == n
        case (.rdata(let stream, let instance, let token, let facts, _, let digest), .rdata(let s, let i, let t, let row)):
            return stream == s && instance == i && token == t && facts == RowFacts(row)
                && digest == line.withUnsafeBufferPointer { ReplicationLine.digest(stream: s, row: ReplicationLine.rowBytes($0)) }
        case (.federationAck(let instance, let token), .federationAck(let i, let t)):
            return instance == i && token == t
        case (.userSync(let process), .userSync(let p, _, _, _, _, _)):
            return process == p
        default:
            return false
        }
    }
}

/// A line as the fast way reads it for the wire state: `FastLine` with its writer as the one
/// reference made when the writer was first seen (`FastWriter`), so that taking a line copies
/// and frees no name.
enum FastCommand {
    case position(FastWriter, previous: Int64, new: Int64)
    case rdata(FastWriter, token: RowToken, facts: RowFacts, row: Range<Int>, digest: UInt64)
    case federationAck(instance: InstanceName, token: Int64)
    case userSync(processID: String)

    fileprivate static func read(_ line: UnsafeBufferPointer<UInt8>, names: inout NameTable,
                                 writers: inout WriterTable, decode: Bool) -> FastCommand? {
        guard line.count <= ReplicationLine.maximumLength else { return nil }
        switch line.first {
        case UInt8(ascii: "R"), UInt8(ascii: "P"): break
        case UInt8(ascii: "U"): return ReplicationLine.starts(line, with: "USER_SYNC ") ? userSync(line) : nil
        case UInt8(ascii: "F"):
            return ReplicationLine.starts(line, with: "FEDERATION_ACK ") ? federationAck(line, names: &names) : nil
        default: return nil
        }
        guard let parts = ReplicationLine.fastParts(line),
              let writer = writers.writer(
                  UnsafeBufferPointer(rebasing: line[parts.stream.lowerBound..<parts.instance.upperBound]),
                  space: parts.stream.count, names: &names)
        else { return nil }
        if parts.isPosition {
            guard let previous = ReplicationLine.plainInteger(line, parts.token),
                  let new = ReplicationLine.plainInteger(line, parts.row) else { return nil }
            return .position(writer, previous: previous, new: new)
        }
        let token: RowToken
        if ReplicationLine.equals(line, parts.token, "batch") {
            token = .batch
        } else if let id = ReplicationLine.plainInteger(line, parts.token) {
            token = .id(id)
        } else {
            return nil
        }
        let facts = RowScan.Fields.with { fields, inner -> RowFacts? in
            guard RowScan.fields(line, parts.row.lowerBound, parts.row.upperBound, into: &fields, inner: &inner)
            else { return nil }
            return RowShape.facts(writer.rule, line, fields, inner: inner, decode: decode, text: { field in
                String(decoding: UnsafeBufferPointer(rebasing: line[field.start..<field.end]), as: UTF8.self)
            }, function: { field in
                let bytes = UnsafeBufferPointer(rebasing: line[field.start..<field.end])
                return names.name(bytes) ?? String(decoding: bytes, as: UTF8.self)
            })
        }
        guard let facts else { return nil }
        return .rdata(writer, token: token, facts: facts, row: parts.row,
                      digest: ReplicationLine.digest(named: writer.streamDigest,
                                                     row: UnsafeBufferPointer(rebasing: line[parts.row])))
    }

    /// `FEDERATION_ACK <instance> <token>`.
    private static func federationAck(_ line: UnsafeBufferPointer<UInt8>, names: inout NameTable) -> FastCommand? {
        let start = 15  // after `FEDERATION_ACK `
        guard let space = ReplicationLine.first(0x20, in: line, from: start), space > start,
              let instance = names.instance(UnsafeBufferPointer(rebasing: line[start..<space])),
              let token = ReplicationLine.plainInteger(line, (space + 1)..<line.count) else { return nil }
        return .federationAck(instance: instance, token: token)
    }

    /// `USER_SYNC <process> <user> <device> start|end [<presence>] <last_sync_ms>`, all ASCII,
    /// no part empty; any other form goes the full way.
    private static func userSync(_ line: UnsafeBufferPointer<UInt8>) -> FastCommand? {
        let start = 10  // after `USER_SYNC `
        // Where the process's id ends and the state (`start` or `end`) lies.
        var processEnd = 0
        var state = 0..<0
        var spaces = 0
        var partStart = start
        for index in start..<line.count {
            let byte = line[index]
            guard byte < 0x80 else { return nil }
            guard byte == 0x20 else { continue }
            guard index > partStart, spaces < 5 else { return nil }
            switch spaces {
            case 0: processEnd = index
            case 3: state = partStart..<index
            default: break
            }
            spaces += 1
            partStart = index + 1
        }
        guard spaces == 4 || spaces == 5, partStart < line.count,
              ReplicationLine.equals(line, state, "start") || ReplicationLine.equals(line, state, "end"),
              ReplicationLine.plainInteger(line, partStart..<line.count) != nil,
              NameTable.isPrintable(UnsafeBufferPointer(rebasing: line[start..<processEnd])) else { return nil }
        // A process's id changes at each start: made afresh, it stays out of the name table.
        return .userSync(processID: String(decoding: UnsafeBufferPointer(rebasing: line[start..<processEnd]), as: UTF8.self))
    }
}

/// Reads line after line the fast way, keeping the names of writers and cache functions
/// from one line to the next.
public struct FastLineReader: Sendable {
    private var names = NameTable()
    private var writers = WriterTable()
    /// Whether a row's facts are decoded, or only its shape checked (`RowShape.facts`).
    private let decodesFacts: Bool

    public init(decodesFacts: Bool = true) {
        self.decodesFacts = decodesFacts
    }

    public mutating func read(_ line: UnsafeBufferPointer<UInt8>) -> FastLine? {
        command(line).map(FastLine.init)
    }

    /// The wire state's way: as `read`, with the writer as it is kept.
    mutating func command(_ line: UnsafeBufferPointer<UInt8>) -> FastCommand? {
        FastCommand.read(line, names: &names, writers: &writers, decode: decodesFacts)
    }
}
