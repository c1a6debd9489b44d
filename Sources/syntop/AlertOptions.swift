import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Postgres
import Store

/// When findings become warnings or critical, for the console's alerts and `syntop check`.
struct AlertOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds a writer may stay silent while its stream moves on (database or other writers).",
                               valueName: "s"))
    var staleAfter: Double = 60

    @Option(help: ArgumentHelp("Stream ids the other writers of a stream may get ahead of a silent writer.",
                               valueName: "n"))
    var behind: Int64 = 100

    @Option(help: ArgumentHelp("Waiting pokes for one destination: warning, critical.", valueName: "n,n"))
    var pokes = "1000,10000"

    @Option(help: ArgumentHelp("Age of a destination's oldest waiting poke in seconds: warning, critical.", valueName: "s,s"))
    var pokeAge = "3600,86400"

    @Option(help: ArgumentHelp("Room device-list changes not yet turned into pokes: warning, critical.", valueName: "n,n"))
    var unconverted = "1000,10000"

    func validate() throws {
        _ = try pair(pokes, "--pokes")
        _ = try pair(pokeAge, "--poke-age")
        _ = try pair(unconverted, "--unconverted")
        guard staleAfter > 0 else { throw ValidationError("--stale-after takes seconds above 0") }
        guard behind > 0 else { throw ValidationError("--behind takes a number above 0") }
    }

    private func pair(_ text: String, _ option: String) throws -> (Double, Double) {
        let parts = text.split(separator: ",").compactMap { Double($0) }
        guard parts.count == 2, parts[0] >= 0, parts[0] <= parts[1] else {
            throw ValidationError("\(option) takes WARNING,CRITICAL with WARNING <= CRITICAL, e.g. 1000,10000")
        }
        return (parts[0], parts[1])
    }

    var thresholds: AlertThresholds {
        var thresholds = AlertThresholds()
        thresholds.staleAfter = staleAfter
        thresholds.behindWarning = behind
        if let (warning, critical) = try? pair(pokes, "") {
            (thresholds.pendingWarning, thresholds.pendingCritical) = (Int(warning), Int(critical))
        }
        if let (warning, critical) = try? pair(pokeAge, "") {
            (thresholds.oldestPendingWarning, thresholds.oldestPendingCritical) = (warning, critical)
        }
        if let (warning, critical) = try? pair(unconverted, "") {
            (thresholds.unconvertedWarning, thresholds.unconvertedCritical) = (Int(warning), Int(critical))
        }
        return thresholds
    }
}
