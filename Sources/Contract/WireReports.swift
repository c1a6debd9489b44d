import Foundation
import Observation
import Wire

/// Where the wire data of a report came from.
public struct WireSourceReport: Codable, Equatable, Sendable {
    /// "replay" or "redis".
    public var kind: String
    public var file: String?
    public var redis: String?
    public var serverName: String?
    public var listenedSeconds: Double?
    /// When syntop published REPLICATE (--probe), asking every process for its positions.
    public var probedAt: Double?

    public init(kind: String, file: String? = nil, redis: String? = nil, serverName: String? = nil,
                listenedSeconds: Double? = nil) {
        self.kind = kind
        self.file = file
        self.redis = redis
        self.serverName = serverName
        self.listenedSeconds = listenedSeconds
    }

    /// Where an observation's wire came from; nil when it has none. `listenedSeconds`: how
    /// long a live source was listened to.
    public init?(_ observation: Observation, listenedSeconds: Double) {
        switch observation.source {
        case .none:
            return nil
        case .replay(let file, _):
            self.init(kind: "replay", file: file)
        case .live(let endpoint, let serverName, _):
            self.init(kind: "redis", redis: endpoint, serverName: serverName, listenedSeconds: listenedSeconds)
            probedAt = observation.probe.at
        }
    }
}

public struct LineCounts: Codable, Equatable, Sendable {
    public var lines: Int
    public var commands: [String: Int]
    public var malformed: Int
    public var malformedByReason: [String: Int]
    public var malformedSamples: [Sample]
    public var duplicates: Int
    public var duplicatesAcrossWriters: Int
    public var unknownStreams: [String: Int]
    public var droppedOverLimits: Int
    public var firstLineAt: Double?
    public var lastLineAt: Double?
    public var disconnectedSince: Double?

    public struct Sample: Codable, Equatable, Sendable {
        public var time: Double
        public var channel: String
        public var reason: String
        public var detail: String
        public var excerpt: String
    }

    init(_ state: WireState) {
        lines = state.lines
        commands = state.commands
        malformed = state.malformed.values.reduce(0, +)
        malformedByReason = Dictionary(uniqueKeysWithValues: state.malformed.map { ($0.key.rawValue, $0.value) })
        malformedSamples = state.malformedSamples.elements.map {
            Sample(time: $0.time, channel: $0.channel, reason: $0.reason.rawValue, detail: $0.detail,
                   excerpt: $0.excerpt)
        }
        duplicates = state.duplicates
        duplicatesAcrossWriters = state.duplicatesAcrossWriters
        unknownStreams = Dictionary(uniqueKeysWithValues: state.unknownStreams.map { ($0.key.rawValue, $0.value) })
        droppedOverLimits = state.overflow
        firstLineAt = state.firstLineAt
        lastLineAt = state.lastLineAt
        disconnectedSince = state.disconnectedSince
    }
}

/// `syntop positions --json`, wire side: every stream, every writer.
public struct PositionsReport: Codable, Equatable, Sendable {
    public var source: WireSourceReport
    public var counts: LineCounts
    public var streams: [Stream]
    public var instances: [Instance]
    public var syncProcesses: Int
    public var events: [Event]

    public struct Stream: Codable, Equatable, Sendable {
        public var stream: String
        public var writers: [Writer]
    }

    /// A writer seen on the wire, or one the configuration names that has published nothing
    /// yet (then without `token`, `last_seen` and `age_seconds`).
    public struct Writer: Codable, Equatable, Sendable {
        public var instance: String
        /// Whether the configuration names this process as a writer of the stream; nil without
        /// a configuration.
        public var configured: Bool?
        public var token: Int64?
        public var lastSeen: Double?
        public var ageSeconds: Double?
        public var lastRowAt: Double?
        public var rows: Int
        public var positionLines: Int
        public var advancesWithoutRows: Int
        public var gaps: Int
        public var restarts: Int
        public var rowsLastMinute: Int
    }

    public struct Instance: Codable, Equatable, Sendable {
        public var instance: String
        public var firstSeen: Double
        public var lastSeen: Double
        public var streams: [String]
        public var seenIn: [String]
    }

    public struct Event: Codable, Equatable, Sendable {
        public var time: Double
        public var kind: String
        public var stream: String?
        public var instance: String?
        public var detail: String
    }

    /// `now`: the time ages are measured from (the last line of a replay, the clock when live).
    /// `configured`: the writers the configuration names, listed whether seen or not.
    public init(_ state: WireState, source: WireSourceReport, now: Double, configured: Set<WriterKey>? = nil) {
        self.source = source
        counts = LineCounts(state)
        let grouped = Dictionary(grouping: (configured ?? []).union(state.positions.keys), by: \.stream)
        streams = grouped.keys.sorted().map { stream in
            Stream(stream: stream.rawValue, writers: grouped[stream]!.sorted().map { key in
                let isConfigured = configured.map { $0.contains(key) }
                guard let writer = state.positions[key] else {
                    return Writer(instance: key.instance.rawValue, configured: isConfigured, rows: 0, positionLines: 0,
                                  advancesWithoutRows: 0, gaps: 0, restarts: 0, rowsLastMinute: 0)
                }
                return Writer(instance: key.instance.rawValue, configured: isConfigured, token: writer.token,
                              lastSeen: writer.lastSeen, ageSeconds: max(0, now - writer.lastSeen),
                              lastRowAt: writer.lastRowAt, rows: writer.rows, positionLines: writer.positionLines,
                              advancesWithoutRows: writer.advancesWithoutRows, gaps: writer.gaps,
                              restarts: writer.restarts,
                              rowsLastMinute: writer.rate.values(until: now).reduce(0, +))
            })
        }
        instances = state.instances.sorted { $0.key < $1.key }.map { name, instance in
            Instance(instance: name.rawValue, firstSeen: instance.firstSeen, lastSeen: instance.lastSeen,
                     streams: instance.streams.map(\.rawValue).sorted(), seenIn: instance.seenIn.sorted())
        }
        syncProcesses = state.syncProcesses.count
        events = state.events.elements.map {
            Event(time: $0.time, kind: $0.kind.rawValue, stream: $0.stream?.rawValue,
                  instance: $0.instance?.rawValue, detail: $0.detail)
        }
    }
}

/// `syntop pokes --json`, wire side: device-list rows and their rates per writer.
public struct PokesReport: Codable, Equatable, Sendable {
    public var source: WireSourceReport
    public var counts: LineCounts
    public var deviceListRows: RowCounts
    public var writers: [Writer]
    /// Newest last; duplicates folded into the first copy.
    public var recent: [Change]
    /// When the connection was lost (rows published meanwhile were not seen).
    public var gaps: [Gap]

    public struct RowCounts: Codable, Equatable, Sendable {
        public var shown: Int
        public var deviceChanges: Int
        public var signatures: Int
        public var hostsCalculated: Int
        public var republished: Int
    }

    public struct Writer: Codable, Equatable, Sendable {
        public var instance: String
        public var token: Int64
        public var rows: Int
        public var restarts: Int
        /// Rows per second, oldest first, for the last 60 seconds.
        public var perSecond: [Int]
    }

    public struct Change: Codable, Equatable, Sendable {
        public var time: Double
        public var writer: String
        public var token: Int64
        public var userId: String
        /// "device" or "signature".
        public var kind: String
        public var hostsCalculated: Bool
        public var republishedBy: [String]
    }

    public struct Gap: Codable, Equatable, Sendable {
        public var since: Double
        public var reason: String
    }

    public init(_ state: WireState, source: WireSourceReport, now: Double, limit: Int) {
        self.source = source
        counts = LineCounts(state)
        var changes: [Change] = []
        var gaps: [Gap] = []
        for entry in state.deviceLists.elements {
            switch entry {
            case .row(let change):
                changes.append(Change(time: change.time, writer: change.instance.rawValue, token: change.token,
                                      userId: change.userID, kind: change.isSignature ? "signature" : "device",
                                      hostsCalculated: change.hostsCalculated,
                                      republishedBy: change.republishedBy.map(\.rawValue)))
            case .gap(let since, let reason):
                gaps.append(Gap(since: since, reason: reason))
            }
        }
        deviceListRows = RowCounts(
            shown: changes.count,
            deviceChanges: changes.filter { $0.kind == "device" }.count,
            signatures: changes.filter { $0.kind == "signature" }.count,
            hostsCalculated: changes.filter(\.hostsCalculated).count,
            republished: changes.filter { !$0.republishedBy.isEmpty }.count)
        writers = state.positions.filter { $0.key.stream == "device_lists" }.sorted { $0.key < $1.key }
            .map { key, writer in
                Writer(instance: key.instance.rawValue, token: writer.token, rows: writer.rows,
                       restarts: writer.restarts, perSecond: writer.rate.values(until: now))
            }
        recent = Array(changes.suffix(max(0, limit)))
        self.gaps = gaps
    }
}
