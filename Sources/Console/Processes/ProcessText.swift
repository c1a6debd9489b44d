import Config
import Observation
import Terminal

/// How a process's health and figures read in the Roles table, its drill-down and JSON.
enum ProcessText {
    /// `up 3ms`, `down 2m`, `unchecked`, or `no listener` where none is known or reachable.
    static func state(_ process: ConfiguredProcess?, _ state: ConsoleState) -> (String, ThemeElement?) {
        guard let process else { return ("-", .muted) }
        guard let health = state.processes.health[process.instance] else {
            return process.listeners.contains { $0.type == "http" } ? ("unchecked", .muted) : ("no listener", .muted)
        }
        switch health.state {
        case .up: return ("up " + milliseconds(health.responseMS), .ok)
        case .down: return ("down " + (health.downSince.map { TimeText.age(state.databaseNow - $0) } ?? ""), .crit)
        case .unknown: return ("no listener", .muted)
        }
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "" }
        return value < 10 ? String(format: "%.1fms", value) : "\(Int(value.rounded()))ms"
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 10 ? String(format: "%.1f%%", value) : "\(Int(value.rounded()))%"
    }

    static func count(_ value: Double?) -> String {
        value.map { String(Int64($0)) } ?? "-"
    }

    /// Each listener's last answer, for the drill-down.
    static func answers(_ health: ProcessHealth?, _ state: ConsoleState) -> [String] {
        (health?.answers.values.sorted { $0.target.listener < $1.target.listener } ?? []).map { answer in
            let at = "at " + TimeText.clock(answer.at, utcOffset: state.utcOffset)
            switch answer.outcome {
            case .healthy(let ms): return "\(answer.target.listener): OK in \(milliseconds(ms)), \(at)"
            case .unhealthy(let why), .failed(let why): return "\(answer.target.listener): \(why), \(at)"
            case .metrics: return "\(answer.target.listener): metrics, \(at)"
            }
        }
    }

    /// What the metrics page says, for the drill-down; nil without one.
    static func metrics(_ metrics: ProcessMetrics?, _ state: ConsoleState) -> [String]? {
        guard let metrics else { return nil }
        let reading = metrics.reading
        var lines = [
            "Synapse \(reading.version ?? "?"), up " + (reading.startTime.map { TimeText.age(reading.at - $0) } ?? "?")
                + ", CPU \(percent(metrics.cpuPercent)), RSS \(SizeText.bytes(reading.residentBytes)), "
                + "FDs \(count(reading.openFDs))\(reading.maxFDs.map { " of \(Int64($0))" } ?? "")"
                + (metrics.tickMeanMS.map { ", reactor tick \(milliseconds($0))" } ?? ""),
        ]
        if reading.inboundCommands != nil || reading.outboundCommands != nil {
            lines.append("replication: \(count(reading.inboundCommands)) commands in, "
                         + "\(count(reading.outboundCommands)) out, \(count(reading.inboundRows)) rows in")
        }
        if let position = reading.persistedPosition {
            lines.append("events persisted up to \(Int64(position))")
        }
        if !reading.processingPositions.isEmpty {
            lines.append("processed up to: " + reading.processingPositions.sorted { $0.key < $1.key }
                .map { "\($0.key) \(Int64($0.value))" }.joined(separator: ", "))
        }
        return lines
    }
}
