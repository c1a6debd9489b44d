import ArgumentParser
import Contract

struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Which process is main, which workers exist and which streams each writes: configured and seen.",
        discussion: """
            With --json: reads the -c config files, listens for --listen seconds when a Redis is known (or \
            reads a --replay file), and prints one JSON document. --listen 0 compares nothing with the wire.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var context: ContextOption

    func run() throws {
        try output.requireJSON(screen: "Roles", key: 2)
        let settings = try ScreenSettings(source, database, output, context)
        var report: RolesReport?
        try printingOnce {
            let deployment = try settings.deployment(listen: settings.listen > 0)
            // Each process's health beside a replay too, as the document always had it.
            let observation = try observeOnce(deployment, feeds: [], reads: RolesReport.reads, listen: settings.listen,
                                              processes: true)
            report = RolesReport(observation, listenedSeconds: settings.listen)
            try printJSON(report)
        }
        if report?.configBroken == true { throw ExitCode(1) }
    }
}
