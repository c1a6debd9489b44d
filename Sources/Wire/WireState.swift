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
    public var seenIn: Set<String> = []
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
    public var row: StreamRow
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
        public var duplicateWindow = 8192
        public init() {}
    }

    public let limits: Limits
    public private(set) var positions: [WriterKey: WriterPosition] = [:]
    public private(set) var instances: [InstanceName: ObservedInstance] = [:]
    public private(set) var syncProcesses: [String: SyncProcess] = [:]
    public private(set) var deviceLists: Ring<FeedEntry<DeviceListChange>>
    public private(set) var streamRows: Ring<FeedEntry<StreamRowEntry>>
    public private(set) var caches: [String: CacheFunctionStats] = [:]
    public private(set) var events: Ring<WireEvent>
    public private(set) var malformedSamples: Ring<MalformedSample>

    public private(set) var lines = 0
    public private(set) var commands: [String: Int] = [:]
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

    private var pendingBatches: [WriterKey: [StreamRow]] = [:]
    private var recentRows: [RowKey: RecentRow] = [:]
    private var recentOrder: Ring<RowKey>

    private struct RowKey: Hashable, Sendable {
        var stream: StreamName
        var token: Int64
        var row: StreamRow
    }

    private struct RecentRow: Sendable {
        var instance: InstanceName
        var deviceListSequence: Int?
        var copies: Int
    }

    public init(limits: Limits = Limits()) {
        self.limits = limits
        deviceLists = Ring(capacity: limits.feed)
        streamRows = Ring(capacity: limits.feed)
        events = Ring(capacity: limits.events)
        malformedSamples = Ring(capacity: limits.samples)
        recentOrder = Ring(capacity: limits.duplicateWindow)
    }

    // MARK: ingest

    /// Takes one message from a channel at `time` (unix seconds).
    public mutating func ingest<Bytes: Collection>(_ message: Bytes, channel: String, at time: Double)
    where Bytes.Element == UInt8 {
        lines += 1
        if firstLineAt == nil { firstLineAt = time }
        lastLineAt = time
        switch ReplicationLine.parse(message) {
        case .success(let command):
            count(command: command.name)
            apply(command, at: time)
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

    /// Feeds a whole recording.
    public mutating func ingest(recording data: [UInt8]) {
        for line in Recording.lines(data) {
            switch Recording.fields(line) {
            case .comment: continue
            case .malformed(let detail): ingestBadRecordingLine(line, detail: detail)
            case .message(let time, let channel, let payload): ingest(payload, channel: channel, at: time)
            }
        }
    }

    /// The start of a bad line, without any token it may carry.
    static func excerpt<Bytes: Collection>(_ message: Bytes) -> String where Bytes.Element == UInt8 {
        let text = String(decoding: Secrets.scrub(Array(message.prefix(4096))).prefix(120), as: UTF8.self)
        return Secrets.redactTokenShapes(
            String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }))
    }

    private mutating func count(command name: String) {
        if commands[name] != nil || commands.count < limits.names {
            commands[name, default: 0] += 1
        } else {
            overflow += 1
        }
    }

    /// The connection to Redis was lost: a gap mark goes into every feed.
    public mutating func markDisconnected(at time: Double, reason: String) {
        guard disconnectedSince == nil else { return }
        disconnectedSince = time
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
    }

    private mutating func observe(_ instance: InstanceName, at time: Double, in command: String,
                                  stream: StreamName? = nil) {
        if instances[instance] == nil && instances.count >= limits.names {
            overflow += 1
            return
        }
        // One lookup, updated in place: this runs for nearly every line.
        update(&instances[instance, default: ObservedInstance(firstSeen: time, lastSeen: time)])
        func update(_ observed: inout ObservedInstance) {
            observed.lastSeen = time
            if !observed.seenIn.contains(command) { observed.seenIn.insert(command) }
            if let stream, !observed.streams.contains(stream) { observed.streams.insert(stream) }
        }
    }

    private mutating func apply(_ command: ReplicationCommand, at time: Double) {
        switch command {
        case .rdata(let stream, let instance, let token, let row):
            observe(instance, at: time, in: "RDATA", stream: stream)
            if case .unknown = row {
                if unknownStreams[stream] != nil || unknownStreams.count < limits.names {
                    unknownStreams[stream, default: 0] += 1
                } else {
                    overflow += 1
                }
            }
            rdata(WriterKey(stream, instance), token: token, row: row, at: time)
        case .position(let stream, let instance, let previous, let new):
            observe(instance, at: time, in: "POSITION", stream: stream)
            position(WriterKey(stream, instance), previous: previous, new: new, at: time)
        case .userSync(let processID, _, _, _, _, _):
            guard syncProcesses[processID] != nil || syncProcesses.count < limits.names else {
                overflow += 1
                return
            }
            syncProcesses[processID, default: SyncProcess(firstSeen: time, lastSeen: time)].lastSeen = time
            syncProcesses[processID]?.syncs += 1
        case .userSyncKeepalive(let processID):
            // Only a process already known: a keepalive alone says nothing of its syncs.
            syncProcesses[processID]?.lastSeen = time
        case .clearUserSync(let processID):
            syncProcesses[processID]?.cleared = true
        case .federationAck(let instance, _):
            observe(instance, at: time, in: "FEDERATION_ACK")
        case .lockReleased(let instance, _, _):
            observe(instance, at: time, in: "LOCK_RELEASED")
        case .replicate, .userIP, .remoteServerUp, .newActiveTask, .cancelTask, .error, .legacy,
             .unknown:
            break
        }
    }

    private mutating func rdata(_ key: WriterKey, token: RowToken, row: StreamRow, at time: Double) {
        guard case .id(let id) = token else {
            // Held until the numbered row of the same stream and writer closes the batch.
            if pendingBatches[key] != nil || pendingBatches.count < limits.writers {
                pendingBatches[key, default: []].append(row)
                if pendingBatches[key]!.count > limits.feed { pendingBatches[key]!.removeFirst() }
            } else {
                overflow += 1
            }
            return
        }
        let rows = (pendingBatches.removeValue(forKey: key) ?? []) + [row]
        guard var writer = writerPosition(key, at: time, initialToken: id) else { return }
        // Synapse republishes identical rows, on the same writer too: a repeat is a
        // duplicate, never a step back.
        let isRepeat = recentRows[RowKey(stream: key.stream, token: id, row: row)] != nil
        // Backfill ids count down within one update; elsewhere a lower id means a restart.
        if id < writer.token && key.stream != "backfill" && !isRepeat {
            writer.restarts += 1
            events.append(WireEvent(time: time, kind: .restart, stream: key.stream, instance: key.instance,
                                    detail: "row id \(id) after \(writer.token)"))
        }
        if key.stream == "backfill" || isRepeat {
            writer.token = max(writer.token, id)
        } else {
            writer.token = id
        }
        writer.lastSeen = time
        writer.lastRowAt = time
        writer.rows += rows.count
        writer.rate.add(at: time, count: rows.count)
        positions[key] = writer
        for row in rows { record(row, key: key, id: id, at: time) }
    }

    private mutating func writerPosition(_ key: WriterKey, at time: Double, initialToken: Int64) -> WriterPosition? {
        if let existing = positions[key] { return existing }
        guard positions.count < limits.writers else {
            overflow += 1
            return nil
        }
        return WriterPosition(token: initialToken, lastSeen: time)
    }

    private mutating func position(_ key: WriterKey, previous: Int64, new: Int64, at time: Double) {
        guard var writer = writerPosition(key, at: time, initialToken: previous) else { return }
        writer.positionLines += 1
        writer.lastSeen = time
        if new < writer.token && key.stream != "backfill" {
            writer.restarts += 1
            events.append(WireEvent(time: time, kind: .restart, stream: key.stream, instance: key.instance,
                                    detail: "position \(new) after \(writer.token)"))
        } else if previous > writer.token && new > previous {
            // `POSITION s w 12 12` (an answer to REPLICATE) only reports the shared maximum
            // that idle writers of a multi-writer stream share; an advance that starts
            // beyond the last token means rows of this writer passed unseen.
            writer.gaps += 1
            events.append(WireEvent(time: time, kind: .gap, stream: key.stream, instance: key.instance,
                                    detail: "rows in (\(writer.token), \(previous)] were not seen"))
        }
        if new > writer.token { writer.advancesWithoutRows += 1 }
        writer.token = new
        positions[key] = writer
    }

    private mutating func record(_ row: StreamRow, key: WriterKey, id: Int64, at time: Double) {
        let rowKey = RowKey(stream: key.stream, token: id, row: row)
        if var seen = recentRows[rowKey] {
            duplicates += 1
            seen.copies += 1
            if seen.instance != key.instance {
                duplicatesAcrossWriters += 1
                if let sequence = seen.deviceListSequence,
                   case .row(var change)? = deviceLists[sequence: sequence],
                   !change.republishedBy.contains(key.instance) {
                    change.republishedBy.append(key.instance)
                    deviceLists[sequence: sequence] = .row(change)
                }
            }
            recentRows[rowKey] = seen
            return
        }
        var deviceListSequence: Int?
        switch row {
        case .deviceList(let userID, let isSignature, let hostsCalculated):
            deviceListSequence = deviceLists.appended
            deviceLists.append(.row(DeviceListChange(
                time: time, instance: key.instance, token: id, userID: userID,
                isSignature: isSignature, hostsCalculated: hostsCalculated)))
        case .cacheInvalidation(let function, let keys, _):
            if caches[function] != nil || caches.count < limits.names {
                caches[function, default: CacheFunctionStats()].invalidations += 1
                caches[function]!.byInstance[key.instance, default: 0] += 1
                caches[function]!.lastSeen = time
                if keys.isNull { caches[function]!.wholeCache += 1 }
            } else {
                overflow += 1
            }
        default:
            break
        }
        streamRows.append(.row(StreamRowEntry(time: time, stream: key.stream, instance: key.instance,
                                             token: id, row: row)))
        remember(rowKey, RecentRow(instance: key.instance, deviceListSequence: deviceListSequence, copies: 1))
    }

    private mutating func remember(_ key: RowKey, _ row: RecentRow) {
        if recentOrder.count == recentOrder.capacity, let oldest = recentOrder.oldest {
            recentRows[oldest] = nil
        }
        recentOrder.append(key)
        recentRows[key] = row
    }
}
