/// Where reads of what changed start. Every membership event takes the next position of the
/// events stream, and room_memberships and local_current_membership are indexed by it, so what
/// changed since a position is a short range of an index, however many memberships a user or
/// a room has. Event persisters commit out of order, so a read starts at a position read a
/// while before: each read marks the stream's newest position, and marks are kept until one is
/// old enough to start from.
public struct ChangeCursor: Equatable, Sendable {
    public struct Mark: Equatable, Sendable {
        public var at: Double
        public var newest: Int64
    }

    /// Seconds an event (or a poke) may commit after a newer one did: longer than a transaction
    /// of Synapse's stays open.
    public static let settleSeconds = 30.0
    /// Until a mark is that old, a read starts this many stream orderings below the first.
    public static let settleOrderings: Int64 = 10_000

    public private(set) var marks: [Mark] = []
    /// When the answer was last read whole; nil from a whole read until it is marked (and then
    /// no read of changes can start).
    public private(set) var wholeAt: Double?
    /// The events stream's newest position the read found (nil: it could not), marked when
    /// the read is done.
    public var newest: Int64?
    /// The read found what reads of changes cannot follow (a purge, a failed statement): the
    /// next read is whole.
    public var readWholeNext = false

    public init() {}

    /// The cursor of a whole read of the same answer: its marks, which are the stream's and
    /// not the answer's, stay.
    public func readingWhole(newest: Int64?) -> ChangeCursor {
        var cursor = self
        cursor.wholeAt = nil
        cursor.readWholeNext = false
        cursor.newest = newest
        return cursor
    }

    /// Where the next read of changes starts; nil when the answer must be read whole. What
    /// committed after the last read may stand below its mark, but not below a mark made a
    /// settle time before it: the newest such mark, however long ago that read was.
    public var start: Int64? {
        guard !readWholeNext, wholeAt != nil, let first = marks.first, let last = marks.last else { return nil }
        if let settled = marks.last(where: { last.at - $0.at >= ChangeCursor.settleSeconds }) { return settled.newest }
        return first.newest - ChangeCursor.settleOrderings
    }

    /// The read at `at` done: its mark kept, with the newest one a settle time older (where the
    /// next read starts) and none older.
    public mutating func mark(at: Double) {
        if wholeAt == nil { wholeAt = at }
        guard let newest else {
            readWholeNext = true
            return
        }
        marks.append(Mark(at: at, newest: newest))
        if let settled = marks.lastIndex(where: { at - $0.at >= ChangeCursor.settleSeconds }) {
            marks.removeFirst(settled)
        }
    }
}
