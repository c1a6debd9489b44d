import Connection
import Observation
import Findings
import Store
import Wire

/// The exporter's families, from the same observation and the same alerts the console has: what only
/// syntop computes (a stream that stopped replicating, waiting pokes per destination, room
/// changes not yet converted, process health) in Prometheus's terms. A pure function of its
/// inputs; names and labels are stable (README lists them with example rules).
public enum ExporterMetrics {
    public struct Options: Equatable, Sendable {
        /// Destinations with a series of their own: the worst this many by waiting pokes, and
        /// every one that is down, so that 5,000 destinations give a bounded number of series.
        public var destinations = 20
        public var version = ""
        public init(destinations: Int = 20, version: String = "") {
            self.destinations = destinations
            self.version = version
        }
    }

    public static func render(_ state: Observation, alerts: [Alert], options: Options) -> String {
        var out = Exposition()
        connections(state, into: &out, version: options.version)
        writers(state, into: &out)
        counters(state.wire, into: &out)
        destinations(state, into: &out, worst: options.destinations)
        processes(state, into: &out)
        out.family("syntop_room_forward_extremities", .gauge,
                   "Forward extremities of each room at or over the --extremities warning (the worst 50).")
        for room in state.database.extremities?.value.rooms ?? [] {
            out.sample("syntop_room_forward_extremities", ["room_id": room.roomId], room.forwardExtremities)
        }
        out.family("syntop_alerts", .gauge, "The console's alerts now, by level (critical, warning).")
        for (level, name) in [(Severity.critical, "critical"), (.warning, "warning")] {
            out.sample("syntop_alerts", ["level": name], alerts.filter { $0.level == level }.count)
        }
        return out.text
    }

    private static func connections(_ state: Observation, into out: inout Exposition, version: String) {
        out.family("syntop_build_info", .gauge, "syntop's version, as a label; always 1.")
        out.sample("syntop_build_info", ["version": version], 1)
        // Each only when its source is named: a deployment watched without one is not down.
        out.family("syntop_redis_up", .gauge, "1 while syntop is subscribed to the replication channels.")
        switch state.source {
        case .live(_, _, let status): out.sample("syntop_redis_up", [:], status.isReady)
        case .none, .replay: break
        }
        out.family("syntop_database_up", .gauge, "1 while syntop's read-only database connection is up.")
        if state.database.display != nil { out.sample("syntop_database_up", [:], state.database.status?.isReady == true) }
        out.family("syntop_database_read_age_seconds", .gauge,
                   "Seconds since the database figures were read; they are read once per interval, whatever the scrapers.")
        if let at = state.database.positions?.at {
            out.sample("syntop_database_read_age_seconds", [:], max(0, state.now - at))
        }
    }

    private static func writers(_ state: Observation, into out: inout Exposition) {
        let wire = state.wire
        // Sorted once, for every family of the writers.
        let writers = wire.positions.sorted(by: { $0.key < $1.key })
        out.family("syntop_stream_wire_token", .gauge, "The last position a writer published for a stream on the wire.")
        for (key, writer) in writers {
            out.sample("syntop_stream_wire_token", ["stream": key.stream.rawValue, "instance": key.instance.rawValue],
                       Double(writer.token))
        }
        out.family("syntop_stream_wire_age_seconds", .gauge, "Seconds since a writer last published anything for a stream.")
        for (key, writer) in writers {
            out.sample("syntop_stream_wire_age_seconds", ["stream": key.stream.rawValue, "instance": key.instance.rawValue],
                       max(0, state.now - writer.lastSeen))
        }
        out.family("syntop_stream_database_position", .gauge,
                   "A stream's position per writer in the database (stream_positions, or the stream's tables).")
        for stream in (state.database.positions?.value ?? []).sorted(by: { $0.stream < $1.stream }) {
            for writer in stream.writers.sorted(by: { $0.instance < $1.instance }) {
                out.sample("syntop_stream_database_position", ["stream": stream.stream, "instance": writer.instance],
                           Double(writer.streamId))
            }
        }
        let findings = Alerts.writerFindings(wire: wire, database: state.database, now: state.now,
                                             thresholds: state.thresholds)
        // One sample per writer seen, 0 or 1, so a rule sees the change both ways.
        var stalled: Set<WriterKey> = []
        var silent: Set<WriterKey> = []
        for finding in findings {
            switch finding.kind {
            case .stalled: stalled.insert(finding.key)
            case .silent: silent.insert(finding.key)
            case .restarted: break
            }
        }
        out.family("syntop_stream_stalled", .gauge,
                   "1 for a writer whose database position moved past the wire's while it said nothing: replication of the stream stopped.")
        for (key, _) in writers {
            out.sample("syntop_stream_stalled", ["stream": key.stream.rawValue, "instance": key.instance.rawValue],
                       stalled.contains(key))
        }
        out.family("syntop_stream_silent", .gauge,
                   "1 for a writer silent on the wire while another writer of its stream moves on.")
        for (key, _) in writers {
            out.sample("syntop_stream_silent", ["stream": key.stream.rawValue, "instance": key.instance.rawValue],
                       silent.contains(key))
        }
        out.family("syntop_stream_restarts_total", .counter, "Times a writer's token went backwards: the process restarted.")
        // Every writer from 0, so that increase() sees the first restart.
        for (key, writer) in writers {
            out.sample("syntop_stream_restarts_total", ["stream": key.stream.rawValue, "instance": key.instance.rawValue],
                       writer.restarts)
        }
    }

    private static func counters(_ wire: WireState, into out: inout Exposition) {
        out.family("syntop_wire_lines_total", .counter, "Replication lines read from Redis.")
        out.sample("syntop_wire_lines_total", [:], wire.lines)
        out.family("syntop_wire_malformed_lines_total", .counter, "Replication lines that did not parse, by why.")
        // Every reason from 0, so that increase() sees the first bad line of each.
        for reason in MalformedReason.allCases {
            out.sample("syntop_wire_malformed_lines_total", ["reason": reason.rawValue], wire.malformed[reason] ?? 0)
        }
        out.family("syntop_wire_duplicate_rows_total", .counter, "Rows published again (a republish, or two writers of one row).")
        out.sample("syntop_wire_duplicate_rows_total", [:], wire.duplicates)
        out.family("syntop_redis_reconnects_total", .counter, "Times the replication connection was lost.")
        out.sample("syntop_redis_reconnects_total", [:], wire.disconnects)
    }

    private static func destinations(_ state: Observation, into out: inout Exposition, worst: Int) {
        let pokes = state.database.pokes?.value
        let now = state.databaseNow
        out.family("syntop_device_list_changes_unconverted", .gauge,
                   "Room device-list changes not yet turned into pokes, counted up to 1000.")
        if let pokes { out.sample("syntop_device_list_changes_unconverted", [:], pokes.conversion.unconverted) }
        let waiting = pokes?.destinations.filter { ($0.pending ?? 0) > 0 } ?? []
        out.family("syntop_destinations_waiting", .gauge, "Destinations with device-list pokes waiting, of those read.")
        if pokes != nil { out.sample("syntop_destinations_waiting", [:], waiting.count) }
        let worstFirst = waiting.sorted {
            ($0.pending ?? 0, -($0.oldestPendingAt ?? now)) > ($1.pending ?? 0, -($1.oldestPendingAt ?? now))
        }
        var chosen = Array(worstFirst.prefix(worst))
        let named = Set(chosen.map(\.destination))
        chosen += (pokes?.destinations ?? []).filter { $0.downSince != nil && !named.contains($0.destination) }
        chosen.sort { $0.destination < $1.destination }
        out.family("syntop_destination_pokes_waiting", .gauge,
                   "Device-list pokes waiting for a destination, counted up to 1000 (the worst N, and the destinations read that are down).")
        for destination in chosen {
            out.sample("syntop_destination_pokes_waiting", ["destination": destination.destination], destination.pending ?? 0)
        }
        out.family("syntop_destination_oldest_poke_age_seconds", .gauge, "Age of a destination's oldest waiting poke.")
        for destination in chosen {
            guard let at = destination.oldestPendingAt else { continue }
            out.sample("syntop_destination_oldest_poke_age_seconds", ["destination": destination.destination], max(0, now - at))
        }
        out.family("syntop_destination_down", .gauge, "1 while Synapse is backing off from a destination (destinations.retry_last_ts).")
        for destination in chosen {
            out.sample("syntop_destination_down", ["destination": destination.destination], destination.downSince != nil)
        }
        out.family("syntop_destination_retry_interval_seconds", .gauge, "Synapse's current retry interval for a destination that is down.")
        for destination in chosen {
            guard destination.downSince != nil, let interval = destination.retryIntervalMs else { continue }
            out.sample("syntop_destination_retry_interval_seconds", ["destination": destination.destination],
                       Double(interval) / 1000)
        }
    }

    private static func processes(_ state: Observation, into out: inout Exposition) {
        out.family("syntop_process_up", .gauge,
                   "1 when a configured process answers its /health, 0 when it does not; none before its first answer.")
        for process in (state.config?.processes ?? []).sorted(by: { $0.instance < $1.instance }) {
            guard let health = state.processes.health[process.instance] else { continue }
            switch health.state {
            case .up: out.sample("syntop_process_up", ["instance": process.instance], 1)
            case .down: out.sample("syntop_process_up", ["instance": process.instance], 0)
            case .unknown: break
            }
        }
        let count = state.processes.subscribers.flatMap { $0.error == nil ? $0 : nil }
        out.family("syntop_redis_channel_subscribers", .gauge, "Subscribers of a replication channel, as Redis counts them (syntop included).")
        for (channel, subscribers) in (count?.channels ?? [:]).sorted(by: { $0.key < $1.key }) {
            out.sample("syntop_redis_channel_subscribers", ["channel": channel], subscribers)
        }
        out.family("syntop_redis_output_buffer_bytes", .gauge,
                   "What Redis holds for syntop's own subscription, not yet read (omem of CLIENT LIST).")
        if let bytes = count?.ownOutputBytes { out.sample("syntop_redis_output_buffer_bytes", [:], Double(bytes)) }
    }
}
