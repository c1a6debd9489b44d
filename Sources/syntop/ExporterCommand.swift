import Deployments
import ArgumentParser
import Exporter
import HTTPServer
import Foundation
import Settings
import Store

/// `syntop exporter`: the console's findings for Prometheus, from a process with no terminal.
struct ExporterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter",
        abstract: "Serve syntop's findings to Prometheus: GET /metrics (text exposition format) and GET /health.",
        discussion: """
            Listens to the replication channels, reads the database (read-only) once per --scrape-interval \
            however many scrapers ask, asks each configured process for its /health, and serves what the \
            console shows as metric families. Logs to stderr, never a secret. Stops on SIGTERM, SIGINT, SIGHUP or SIGQUIT.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var context: ContextOption

    @Option(help: ArgumentHelp("Where to serve: HOST:PORT ([::1]:PORT for IPv6; port 0 picks one and logs it).",
                               valueName: "host:port"))
    var listen: String

    @Option(help: ArgumentHelp("Seconds between database reads, and between process health rounds (default: 15).",
                               valueName: "s"))
    var scrapeInterval: Double = 15

    @Option(help: ArgumentHelp("Destinations with series of their own: the worst N by waiting pokes (at most 50, the destinations whose pokes are counted), and the ones read that are down (default: 20).",
                               valueName: "n"))
    var destinations = 20

    func validate() throws {
        if source.replay != nil { throw ValidationError("the exporter serves live figures: --replay is for the console and the JSON commands") }
        guard scrapeInterval >= 1, scrapeInterval <= 3600 else { throw ValidationError("--scrape-interval takes 1 to 3600 seconds") }
        guard destinations >= 0, destinations <= DeviceListStore.detailed else {
            throw ValidationError("--destinations takes 0 to \(DeviceListStore.detailed): the pokes read counts the waiting pokes of that many")
        }
        _ = try address()
    }

    /// Host and port from `HOST:PORT` or `[V6]:PORT`.
    func address() throws -> ListenAddress {
        do {
            return try ListenAddress(parsing: listen)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        var given = try source.given()
        for more in [try database.given(), try alerts.given()] { given.merge(more) { _, new in new } }
        let settings = try loadSettings(request: context.request, commandLine: given)
        let wire = source.resolved(settings)
        let config = wire.loadConfig()
        let deployment = try resolving { try Deployment(wire, DatabaseSource(settings: settings), config: config, settings: settings) }
        let log = ExporterLog()
        for problem in settings.problems { log.say("config: \(problem.description)") }
        for problem in config?.problems ?? [] where problem.severity == .critical { log.say("config: \(problem.description)") }
        guard deployment.hasWire || deployment.database != nil else {
            throw ValidationError("nothing to export: give -c homeserver.yaml, --redis and/or --db, or a context")
        }
        let address = try address()
        let session = ExporterSession(deployment, interval: scrapeInterval,
                                      options: .init(destinations: destinations, version: Syntop.release), log: log)
        let status = session.run(host: address.host, port: address.port)
        if status != 0 { throw ExitCode(status) }
    }
}

/// The exporter's log: one line per event, stamped, on stderr. Only what syntop says itself:
/// statuses and errors, which never hold a password or a token.
final class ExporterLog {
    func say(_ text: String) {
        var now = time(nil)
        var utc = tm()
        gmtime_r(&now, &utc)
        let stamp = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                           utc.tm_hour, utc.tm_min, utc.tm_sec)
        FileHandle.standardError.write(Data("\(stamp) syntop exporter: \(text)\n".utf8))
    }
}
