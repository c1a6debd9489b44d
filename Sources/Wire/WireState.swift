/// A stream and one of its writers.
public struct WriterKey: Hashable, Comparable, Sendable {
    public var stream: StreamName
    public var instance: InstanceName

    public init(_ stream: StreamName, _ instance: InstanceName) {
        self.stream = stream
        self.instance = instance
    }

    public static func < (a: WriterKey, b: WriterKey) -> Bool {
        (a.stream, a.instance) < (b.stream, b.instance)
    }
}

/// A line's writer as the wire state takes it: the fast way's `FastWriter`, handed on as the
/// reference it is, or the full way's key. Generic, so the fast way's names are read (and
/// copied) only where they are kept or shown: a new writer, an event, a feed's entry.
protocol LineWriter {
    var key: WriterKey { get }
    /// The fast reader's id of the writer (`writerSlot`); nil for the full way.
    var writerID: Int? { get }
    /// Whether the stream is backfill, whose ids count down within one update.
    var isBackfill: Bool { get }
    /// Whether the stream is caches, whose rows are counted, never kept (`Feeds.keepsRows`).
    var isCaches: Bool { get }
}

extension WriterKey: LineWriter {
    var key: WriterKey { self }
    var writerID: Int? { nil }
    var isBackfill: Bool { stream == WireState.backfill }
    var isCaches: Bool { stream == WireState.caches }
}

/// What the wire says about one writer of one stream.
public struct WriterPosition: Equatable, Sendable {
    /// The last RDATA id or POSITION new token.
    public var token: Int64
    public var lastSeen: Double
    public var lastRowAt: Double?
    public var rows = 0
    public var positionLines = 0
    /// POSITION lines that moved the token on without rows (idle advances).
    public var advancesWithoutRows = 0
    /// POSITION lines whose promise starts beyond the last token seen: rows in between never
    /// reached this subscriber.
    public var gaps = 0
    /// The token went backwards: the writer restarted (in-memory streams restart at 0).
    public var restarts = 0
    public var rate = RateHistory()
}

/// A process seen on the wire under its instance name.
public struct ObservedInstance: Equatable, Sendable {
    public var firstSeen: Double
    public var lastSeen: Double
    /// Streams it wrote rows for or announced positions of.
    public var streams: Set<StreamName> = []
    /// Commands it was named in (RDATA, POSITION, FEDERATION_ACK, LOCK_RELEASED).
    public var seenIn: Set<String> {
        Set(ObservedInstance.commands.enumerated().filter { commandMask & (1 << $0.offset) != 0 }.map(\.element))
    }

    /// The commands of `seenIn`, one bit each: an instance is named on nearly every line.
    static let commands = ["RDATA", "POSITION", "FEDERATION_ACK", "LOCK_RELEASED"]
    var commandMask: UInt8 = 0

    init(firstSeen: Double, lastSeen: Double) {
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// A process that serves /sync, known only by the random id USER_SYNC carries.
public struct SyncProcess: Equatable, Sendable {
    public var firstSeen: Double
    public var lastSeen: Double
    public var syncs = 0
    public var cleared = false
}

public struct DeviceListChange: Equatable, Sendable {
    public var time: Double
    public var instance: InstanceName
    public var token: Int64
    public var userID: String
    public var isSignature: Bool
    public var hostsCalculated: Bool
    /// Other writers that published the same row again.
    public var republishedBy: [InstanceName] = []
}

public struct StreamRowEntry: Equatable, Sendable {
    public var time: Double
    public var stream: StreamName
    public var instance: InstanceName
    public var token: Int64
    /// The row's JSON as published (a pusher's push key dropped, `Secrets.keptRow`): kept as
    /// bytes, and decoded only when it is shown.
    public var rowJSON: [UInt8]

    public init(time: Double, stream: StreamName, instance: InstanceName, token: Int64, rowJSON: [UInt8]) {
        self.time = time
        self.stream = stream
        self.instance = instance
        self.token = token
        self.rowJSON = rowJSON
    }

    /// The row, decoded now; nil never happens for a row the wire state took.
    public var row: StreamRow? {
        guard let json = try? JSONReader.parse(rowJSON) else { return nil }
        return try? RowDecoder.decode(stream: stream, json: json)
    }
}

/// A row on its way into the wire state: its bytes, what the state needs of it, and its digest.
struct RecordedRow: Sendable {
    var bytes: [UInt8]
    var facts: RowFacts
    var digest: UInt64
}

/// A feed entry: a row, or a mark where the connection was lost, so silence is never
/// mistaken for calm.
public enum FeedEntry<Row: Equatable & Sendable>: Equatable, Sendable {
    case row(Row)
    case gap(since: Double, reason: String)
}

public struct CacheFunctionStats: Equatable, Sendable {
    public var invalidations = 0
    public var wholeCache = 0
    public var byInstance: [InstanceName: Int] = [:]
    public var lastSeen: Double = 0
}

/// Something on the wire an operator should know about.
public struct WireEvent: Equatable, Sendable {
    public enum Kind: String, Sendable, Codable {
        case restart
        case gap
        case duplicate
        case disconnected
        case reconnected
    }

    public var time: Double
    public var kind: Kind
    public var stream: StreamName?
    public var instance: InstanceName?
    public var detail: String
}

public struct MalformedSample: Equatable, Sendable {
    public var time: Double
    public var channel: String
    public var reason: MalformedReason
    public var detail: String
    /// The start of the line, with control characters shown as `?`.
    public var excerpt: String
}

/// Everything syntop knows from the replication channels: a plain value that changes only
/// through `ingest`. Every collection is bounded, so memory stays flat however long it runs.
public struct WireState: Sendable {
    public struct Limits: Sendable {
        public var feed = 2000
        public var events = 500
        public var samples = 50
        public var writers = 1000
        public var names = 1000
        /// A row is told from a republished one for at least this many rows after it, and at
        /// most twice as many (`RecentRows`: two tables of this many, emptied in turn, small
        /// enough to stay in the processor's cache).
        public var duplicateWindow = 4096
        public init() {}
    }

    /// What is kept of the rows beyond the positions and the processes: a command that shows
    /// none of it pays for none of it.
    public struct Feeds: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Device-list changes, for Pokes.
        public static let deviceLists = Feeds(rawValue: 1)
        /// The newest rows of every stream but caches, as published.
        public static let streamRows = Feeds(rawValue: 2)
        /// Cache invalidations, counted per cache function.
        public static let caches = Feeds(rawValue: 4)
        public static let all: Feeds = [.deviceLists, .streamRows, .caches]

        /// Whether a writer's rows are kept as published, in the feed of stream rows. Cache
        /// invalidations are counted per cache function, never listed one by one: a third of
        /// the traffic, they would push every other stream's rows out of the feed, and their
        /// bytes (a token-keyed cache's keys among them) are dropped, whichever way the row
        /// came. (On the feeds, not the state: a method of the state copies it whole.)
        func keepsRows<Writer: LineWriter>(of writer: Writer) -> Bool {
            contains(.streamRows) && !writer.isCaches
        }
    }

    public let limits: Limits
    public let feeds: Feeds
    public private(set) var positions = KeyedTable<WriterKey, WriterPosition>()
    public private(set) var instances = KeyedTable<InstanceName, ObservedInstance>()
    /// Slots in `instances` by the fast reader's id of the name, and in `positions` by its id
    /// of the writer (`FastWriter`, `writerSlot`).
    private var instanceSlots = SlotIndex()
    private var writerSlots = SlotIndex()
    public private(set) var syncProcesses: [String: SyncProcess] = [:]
    public private(set) var deviceLists: Ring<FeedEntry<DeviceListChange>>
    public private(set) var streamRows: Ring<FeedEntry<StreamRowEntry>>
    public private(set) var caches: [String: CacheFunctionStats] = [:]
    public private(set) var events: Ring<WireEvent>
    public private(set) var malformedSamples: Ring<MalformedSample>

    public private(set) var lines = 0
    /// Lines per command name.
    public var commands: [String: Int] {
        var all = otherCommands
        if rdataLines > 0 { all["RDATA"] = rdataLines }
        if positionLines > 0 { all["POSITION"] = positionLines }
        return all
    }
    private var otherCommands: [String: Int] = [:]
    /// The two commands of nearly every line, counted apart from the rest.
    private var rdataLines = 0
    private var positionLines = 0
    public private(set) var malformed: [MalformedReason: Int] = [:]
    public private(set) var duplicates = 0
    /// Duplicates published under another writer's name than the first copy.
    public private(set) var duplicatesAcrossWriters = 0
    public private(set) var unknownStreams: [StreamName: Int] = [:]
    /// Names dropped because a limit was reached (a hostile or broken publisher).
    public private(set) var overflow = 0
    public private(set) var firstLineAt: Double?
    public private(set) var lastLineAt: Double?
    public private(set) var disconnectedSince: Double?
    /// Connections lost since the start, each counted once.
    public private(set) var disconnects = 0
    /// When the connection was last lost, and whether why is known beyond the socket's word.
    public private(set) var lastDisconnect: (at: Double, explained: Bool)?
    /// The gap marks of the last loss, by their sequence in each feed, to say more once known.
    private var lastGaps: (deviceLists: Int, streamRows: Int, event: Int)?

    private var pendingBatches: [WriterKey: [RecordedRow]] = [:]
    /// The fast way through the commonest lines, with the writers' names kept from line to line.
    private var fastReader: FastLineReader
    /// The channel a recording's lines name, kept from line to line.
    private var recordingChannel: Recording.ChannelName?
    /// Rows seen last, by id and a digest of their stream and bytes (Synapse serialises one
    /// row the same way every time it publishes it).
    private var recentRows: RecentRows<RecentRow>

    /// Plain values, so the window holds no reference and a row costs no retain.
    private struct RecentRow: Sendable {
        /// The first copy's writer, by its slot in `positions` (a row's digest names its stream).
        var writer: Int32
        var deviceListSequence: Int?
    }

    static let backfill: StreamName = "backfill"
    static let caches: StreamName = "caches"

    public init(limits: Limits = Limits(), feeds: Feeds = .all) {
        self.limits = limits
        self.feeds = feeds
        // A row's facts (a device list's user, a cache's function) are kept only in the feeds.
        fastReader = FastLineReader(decodesFacts: !feeds.isEmpty)
        deviceLists = Ring(capacity: limits.feed)
        streamRows = Ring(capacity: limits.feed)
        events = Ring(capacity: limits.events)
        malformedSamples = Ring(capacity: limits.samples)
        recentRows = RecentRows(capacity: limits.duplicateWindow)
    }

    // MARK: ingest

    /// Takes one message from a channel at `time` (unix seconds).
    public mutating func ingest<Bytes: Collection>(_ message: Bytes, channel: String, at time: Double)
    where Bytes.Element == UInt8 {
        counted(at: time)
        // RDATA, POSITION, FEDERATION_ACK and USER_SYNC, nearly every line, are read where they
        // lie; anything the fast way does not take goes the full way, which also explains what
        // is wrong.
        if message.withContiguousStorageIfAvailable({ fast($0, at: time) }) == true { return }
        full(message, channel: channel, at: time)
    }

    /// A message of a recording where its bytes lie (`RecordingReader.readAll`): the channel's
    /// name is made only for a message the fast way does not take.
    public mutating func ingest(recorded message: UnsafeBufferPointer<UInt8>, channel: UnsafeBufferPointer<UInt8>,
                                at time: Double) {
        counted(at: time)
        if fast(message, at: time) { return }
        full(message, channel: Recording.ChannelName.name(channel, kept: &recordingChannel), at: time)
    }

    private mutating func counted(at time: Double) {
        lines += 1
        if firstLineAt == nil { firstLineAt = time }
        lastLineAt = time
    }

    /// The full way: the command parsed and applied, or the line counted as malformed, with why.
    private mutating func full<Bytes: Collection>(_ message: Bytes, channel: String, at time: Double)
    where Bytes.Element == UInt8 {
        let parsed = message.withContiguousStorageIfAvailable { buffer in
            (ReplicationLine.parse(buffer), ReplicationLine.rowBytes(buffer))
        } ?? Array(message).withUnsafeBufferPointer { buffer in
            (ReplicationLine.parse(buffer), ReplicationLine.rowBytes(buffer))
        }
        switch parsed.0 {
        case .success(let command):
            count(command: command.name)
            apply(command, rowBytes: parsed.1, at: time)
        case .failure(let failure):
            malformed[failure.reason, default: 0] += 1
            malformedSamples.append(MalformedSample(
                time: time, channel: channel, reason: failure.reason,
                detail: Secrets.redactTokenShapes(failure.detail),
                excerpt: WireState.excerpt(message)))
        }
    }

    /// A line of a recording that is not a message at all.
    public mutating func ingestBadRecordingLine<Bytes: Collection>(_ line: Bytes, detail: String)
    where Bytes.Element == UInt8 {
        lines += 1
        malformed[.badRecording, default: 0] += 1
        // A message may stand after any tab of a line that does not parse: each part is scrubbed.
        let parts = Array(line).split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        let scrubbed = Array(parts.map { Secrets.scrub(Array($0)) }.joined(separator: [UInt8(ascii: "\t")]))
        malformedSamples.append(MalformedSample(time: lastLineAt ?? 0, channel: "", reason: .badRecording,
                                                detail: detail, excerpt: WireState.excerpt(scrubbed)))
    }

    /// Feeds a whole recording held in memory.
    public mutating func ingest(recording data: [UInt8]) {
        var reader = RecordingReader(RecordingBytes(data))
        // Bytes in memory cannot fail to read.
        try? ingest(all: &reader)
    }

    /// Feeds every line a reader has left.
    public mutating func ingest<Source: RecordingSource>(all reader: inout RecordingReader<Source>) throws {
        try reader.readAll(message: { time, channel, payload in ingest(recorded: payload, channel: channel, at: time) },
                           other: { line in ingest(recordingLine: line.bytes, fields: line.fields) })
    }

    /// Feeds one line of a recording: a message, or a line that is not one.
    public mutating func ingest(recordingLine line: ArraySlice<UInt8>) {
        ingest(recordingLine: line, fields: Recording.fields(line, channels: &recordingChannel))
    }

    /// Feeds one line of a recording as a reader read it (`RecordingReader.Line`).
    public mutating func ingest(recordingLine line: ArraySlice<UInt8>, fields: Recording.Fields) {
        switch fields {
        case .comment: break
        case .malformed(let detail): ingestBadRecordingLine(line, detail: detail)
        case .message(let time, let channel, let payload): ingest(payload, channel: channel, at: time)
        }
    }

    /// The start of a bad line, without any token it may carry.
    static func excerpt<Bytes: Collection>(_ message: Bytes) -> String where Bytes.Element == UInt8 {
        let text = String(decoding: Secrets.scrub(Array(message.prefix(4096))).prefix(120), as: UTF8.self)
        return Secrets.redactTokenShapes(
            String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }))
    }

    private mutating func count(command name: String) {
        if name == "RDATA" {
            rdataLines += 1
        } else if name == "POSITION" {
            positionLines += 1
        } else if otherCommands[name] != nil || otherCommands.count + 2 < limits.names {
            otherCommands[name, default: 0] += 1
        } else {
            overflow += 1
        }
    }

    /// The connection to Redis was lost: a gap mark goes into every feed.
    public mutating func markDisconnected(at time: Double, reason: String) {
        guard disconnectedSince == nil else { return }
        disconnectedSince = time
        disconnects += 1
        lastDisconnect = (time, false)
        lastGaps = (deviceLists.appended, streamRows.appended, events.appended)
        deviceLists.append(.gap(since: time, reason: reason))
        streamRows.append(.gap(since: time, reason: reason))
        events.append(WireEvent(time: time, kind: .disconnected, stream: nil, instance: nil, detail: reason))
        // Half a batch from before the loss can never be completed.
        pendingBatches.removeAll()
    }

    public mutating func markConnected(at time: Double) {
        guard let since = disconnectedSince else { return }
        disconnectedSince = nil
        let seconds = Int((time - since).rounded())
        events.append(WireEvent(time: time, kind: .reconnected, stream: nil, instance: nil,
                                detail: "after \(seconds) s; rows published meanwhile were not seen"))
        annotateLastGap("away \(seconds) s")
    }

    /// Why the last loss happened, once known (Redis dropped a subscriber that fell behind):
    /// the gap marks and the event say so.
    public mutating func explainDisconnect(_ why: String) {
        guard lastDisconnect?.explained == false else { return }
        lastDisconnect?.explained = true
        annotateLastGap(why)
        if let sequence = lastGaps?.event, var event = events[sequence: sequence] {
            event.detail += "; " + why
            events[sequence: sequence] = event
        }
    }

    private mutating func annotateLastGap(_ note: String) {
        guard let gaps = lastGaps else { return }
        if case .gap(let since, let reason)? = deviceLists[sequence: gaps.deviceLists] {
            deviceLists[sequence: gaps.deviceLists] = .gap(since: since, reason: reason + "; " + note)
        }
        if case .gap(let since, let reason)? = streamRows[sequence: gaps.streamRows] {
            streamRows[sequence: gaps.streamRows] = .gap(since: since, reason: reason + "; " + note)
        }
    }

    /// The streams an instance writes are noted as each of its writers is first seen
    /// (`writerSlot`), not on every line. `id`: the fast reader's id of the name (given only
    /// by `observe(_:at:in:)` with the writer, the first time), noted for its next lines.
    private mutating func observe(_ instance: InstanceName, id: Int? = nil, at time: Double, in command: Int) {
        let slot: Int
        if let known = instances.slot(of: instance) {
            slot = known
            if let id { instanceSlots[id] = known }
        } else {
            guard instances.count < limits.names else {
                overflow += 1
                return
            }
            slot = instances.add(instance, ObservedInstance(firstSeen: time, lastSeen: time))
            if let id { instanceSlots[id] = slot }
        }
        touch(slot, at: time, in: command)
    }

    /// As `observe`, by the fast reader's id of the writer's process: its name is read only
    /// the first time.
    private mutating func observe(_ writer: FastWriter, at time: Double, in command: Int) {
        guard let id = writer.instanceID, let slot = instanceSlots[id] else {
            return observe(writer.key.instance, id: writer.instanceID, at: time, in: command)
        }
        touch(slot, at: time, in: command)
    }

    private mutating func touch(_ slot: Int, at time: Double, in command: Int) {
        update(&instances.values[slot])
        func update(_ instance: inout ObservedInstance) {
            instance.lastSeen = time
            instance.commandMask |= 1 << command
        }
    }

    /// The fast way: a line in the plain shape Synapse publishes (`FastLine`), taken without
    /// building the command; false leaves the line to the full way.
    private mutating func fast(_ line: UnsafeBufferPointer<UInt8>, at time: Double) -> Bool {
        switch fastReader.command(line) {
        case nil:
            return false
        case .position(let writer, let previous, let new):
            positionLines += 1
            observe(writer, at: time, in: 1)
            position(writer, previous: previous, new: new, at: time)
        case .rdata(let writer, let token, let facts, let row, let digest):
            rdataLines += 1
            observe(writer, at: time, in: 0)
            rdata(writer, token: token,
                  row: RecordedRow(bytes: feeds.keepsRows(of: writer) ? Array(line[row]) : [], facts: facts,
                                   digest: digest),
                  at: time)
        case .federationAck(let instance, _):
            count(command: "FEDERATION_ACK")
            observe(instance, at: time, in: 2)
        case .userSync(let processID):
            count(command: "USER_SYNC")
            syncing(processID, at: time)
        }
        return true
    }

    private mutating func apply(_ command: ReplicationCommand, rowBytes: ArraySlice<UInt8>, at time: Double) {
        switch command {
        case .rdata(let stream, let instance, let token, let row):
            observe(instance, at: time, in: 0)
            if case .unknown = row {
                if unknownStreams[stream] != nil || unknownStreams.count < limits.names {
                    unknownStreams[stream, default: 0] += 1
                } else {
                    overflow += 1
                }
            }
            let key = WriterKey(stream, instance)
            rdata(key, token: token,
                  row: RecordedRow(bytes: feeds.keepsRows(of: key) ? Secrets.keptRow(row, as: rowBytes) : [],
                                   facts: RowFacts(row),
                                   digest: ReplicationLine.digest(stream: stream, row: rowBytes)),
                  at: time)
        case .position(let stream, let instance, let previous, let new):
            observe(instance, at: time, in: 1)
            position(WriterKey(stream, instance), previous: previous, new: new, at: time)
        case .userSync(let processID, _, _, _, _, _):
            syncing(processID, at: time)
        case .userSyncKeepalive(let processID):
            // Only a process already known: a keepalive alone says nothing of its syncs.
            syncProcesses[processID]?.lastSeen = time
        case .clearUserSync(let processID):
            syncProcesses[processID]?.cleared = true
        case .federationAck(let instance, _):
            observe(instance, at: time, in: 2)
        case .lockReleased(let instance, _, _):
            observe(instance, at: time, in: 3)
        case .replicate, .userIP, .remoteServerUp, .newActiveTask, .cancelTask, .error, .legacy,
             .unknown:
            break
        }
    }

    private mutating func syncing(_ processID: String, at time: Double) {
        guard syncProcesses[processID] != nil || syncProcesses.count < limits.names else {
            overflow += 1
            return
        }
        update(&syncProcesses[processID, default: SyncProcess(firstSeen: time, lastSeen: time)])
        func update(_ process: inout SyncProcess) {
            process.lastSeen = time
            process.syncs += 1
        }
    }

    private mutating func rdata<Writer: LineWriter>(_ writer: Writer, token: RowToken, row: RecordedRow,
                                                    at time: Double) {
        guard case .id(let id) = token else {
            let key = writer.key
            // Held until the numbered row of the same stream and writer closes the batch.
            if pendingBatches[key] != nil || pendingBatches.count < limits.writers {
                pendingBatches[key, default: []].append(row)
                if pendingBatches[key]!.count > limits.feed { pendingBatches[key]!.removeFirst() }
            } else {
                overflow += 1
            }
            return
        }
        let batch = pendingBatches.isEmpty ? nil : pendingBatches.removeValue(forKey: writer.key)
        let count = (batch?.count ?? 0) + 1
        guard let index = writerSlot(writer, at: time, initialToken: id) else { return }
        let isBackfill = writer.isBackfill
        // Synapse republishes identical rows, on the same writer too: a repeat is a
        // duplicate, never a step back. Looked up once, for the step and the duplicate count.
        let seen = recentRows.slot(token: id, digest: row.digest)
        let isRepeat = seen != nil
        var restart: WireEvent?
        // In place: a copy would copy the rate history on every line.
        update(&positions.values[index])
        func update(_ position: inout WriterPosition) {
            // Backfill ids count down within one update; elsewhere a lower id means a restart.
            if id < position.token && !isBackfill && !isRepeat {
                position.restarts += 1
                let key = writer.key
                restart = WireEvent(time: time, kind: .restart, stream: key.stream, instance: key.instance,
                                    detail: "row id \(id) after \(position.token)")
            }
            if isBackfill || isRepeat {
                position.token = max(position.token, id)
            } else {
                position.token = id
            }
            position.lastSeen = time
            position.lastRowAt = time
            position.rows += count
            position.rate.add(at: time, count: count)
        }
        if let restart { events.append(restart) }
        guard let batch else {
            record(row, writer: writer, slot: index, id: id, at: time, seen: seen)
            return
        }
        // The batch's rows go in first and may change what the last one finds.
        for earlier in batch + [row] {
            record(earlier, writer: writer, slot: index, id: id, at: time,
                   seen: recentRows.slot(token: id, digest: earlier.digest))
        }
    }

    /// Where a writer's position is kept, added at `initialToken` when it is new; nil past the
    /// bound. The fast reader's id of the writer (`FastWriter`) finds it without hashing the key.
    private mutating func writerSlot<Writer: LineWriter>(_ writer: Writer, at time: Double, initialToken: Int64)
        -> Int? {
        let id = writer.writerID
        if let id, let slot = writerSlots[id] { return slot }
        let key = writer.key
        if let slot = positions.slot(of: key) {
            if let id { writerSlots[id] = slot }
            return slot
        }
        if let instance = instances.slot(of: key.instance), !instances.values[instance].streams.contains(key.stream) {
            instances.values[instance].streams.insert(key.stream)
        }
        guard positions.count < limits.writers else {
            overflow += 1
            return nil
        }
        let slot = positions.add(key, WriterPosition(token: initialToken, lastSeen: time))
        if let id { writerSlots[id] = slot }
        return slot
    }

    private mutating func position<Writer: LineWriter>(_ writer: Writer, previous: Int64, new: Int64,
                                                       at time: Double) {
        guard let index = writerSlot(writer, at: time, initialToken: previous) else { return }
        var event: WireEvent?
        update(&positions.values[index])
        if let event { events.append(event) }
        func update(_ position: inout WriterPosition) {
            position.positionLines += 1
            position.lastSeen = time
            if new < position.token && !writer.isBackfill {
                position.restarts += 1
                let key = writer.key
                event = WireEvent(time: time, kind: .restart, stream: key.stream, instance: key.instance,
                                  detail: "position \(new) after \(position.token)")
            } else if previous > position.token && new > previous {
                // `POSITION s w 12 12` (an answer to REPLICATE) only reports the shared maximum
                // that idle writers of a multi-writer stream share; an advance that starts
                // beyond the last token means rows of this writer passed unseen.
                position.gaps += 1
                let key = writer.key
                event = WireEvent(time: time, kind: .gap, stream: key.stream, instance: key.instance,
                                  detail: "rows in (\(position.token), \(previous)] were not seen")
            }
            if new > position.token { position.advancesWithoutRows += 1 }
            position.token = new
        }
    }

    /// `slot`: the writer's in `positions`; `seen`: the duplicate window's slot of this row,
    /// looked up by the caller. The writer's names are read only for the feeds that keep them.
    private mutating func record<Writer: LineWriter>(_ row: RecordedRow, writer: Writer, slot: Int, id: Int64,
                                                     at time: Double, seen: Int?) {
        if let held = seen {
            let seen = recentRows[held]
            duplicates += 1
            if seen.writer != slot {
                duplicatesAcrossWriters += 1
                if let sequence = seen.deviceListSequence,
                   case .row(var change)? = deviceLists[sequence: sequence],
                   case let instance = writer.key.instance, !change.republishedBy.contains(instance) {
                    change.republishedBy.append(instance)
                    deviceLists[sequence: sequence] = .row(change)
                }
            }
            return
        }
        var deviceListSequence: Int?
        switch row.facts {
        case .deviceList(let userID, let isSignature, let hostsCalculated) where feeds.contains(.deviceLists):
            deviceListSequence = deviceLists.appended
            deviceLists.append(.row(DeviceListChange(
                time: time, instance: writer.key.instance, token: id, userID: userID,
                isSignature: isSignature, hostsCalculated: hostsCalculated)))
        case .cacheInvalidation(let function, let wholeCache) where feeds.contains(.caches):
            if caches[function] != nil || caches.count < limits.names {
                // One lookup, updated in place: a third of all lines are cache invalidations.
                let instance = writer.key.instance
                update(&caches[function, default: CacheFunctionStats()])
                func update(_ stats: inout CacheFunctionStats) {
                    stats.invalidations += 1
                    stats.byInstance[instance, default: 0] += 1
                    stats.lastSeen = time
                    if wholeCache { stats.wholeCache += 1 }
                }
            } else {
                overflow += 1
            }
        case .deviceList, .cacheInvalidation, .other:
            break
        }
        recentRows.insert(token: id, digest: row.digest,
                          RecentRow(writer: Int32(slot), deviceListSequence: deviceListSequence))
        guard feeds.keepsRows(of: writer) else { return }
        let key = writer.key
        streamRows.append(.row(StreamRowEntry(time: time, stream: key.stream, instance: key.instance,
                                             token: id, rowJSON: row.bytes)))
    }

}
