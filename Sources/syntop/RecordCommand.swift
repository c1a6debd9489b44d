import Deployments
import ArgumentParser
import EventLoop
import Feeds
import Foundation
import Glibc
import Replication
import Settings
import Wire

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the replication channels to a file, one message per line.",
        discussion: """
            Format: <unix seconds>\\t<channel>\\t<message exactly as published>; lines starting with # \
            are comments. Access tokens (of USER_IP lines, and the keys of get_user_by_access_token \
            invalidations on the caches stream) are replaced by <token>. Stops after \
            --duration seconds, or on Ctrl-C.
            """)

    @OptionGroup var source: WireSourceOptions

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    @Option(help: "Seconds to record (default: until interrupted).")
    var duration: Double?

    @OptionGroup var context: ContextOption

    func run() throws {
        if self.source.replay != nil { throw ValidationError("record listens to Redis; --replay does not apply") }
        let settings = try context.settings(self.source.given())
        settings.reportProblems()
        let source = self.source.resolved(settings)
        let config = source.loadConfig()
        // Redis is needed, and said so as for every command that listens.
        let deployment = try resolving {
            _ = try source.endpoint(config)
            _ = try source.resolvedServerName(config)
            return try Deployment(source, DatabaseSource(settings: settings), config: config, settings: settings)
        }
        guard case .live(let endpoint, let serverName) = deployment.wire else { return }
        guard let file = fopen(output, "w") else {
            throw ValidationError("cannot write \(output): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        fputs(Recording.header(serverName: serverName), file)
        let loop = EventLoop()
        let signals = try SignalPipe()
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { _ in
            if signals.drain().contains(where: { $0 != SIGWINCH }) { loop.stop() }
        }
        var messages = 0
        var lastError: String?
        var sources = deployment.sources(retryDatabase: false)
        sources.database = nil
        let feeds = Feeds(sources, loop: loop) { action in
            switch action {
            case .wire(let received):
                for message in received {
                    let line = Recording.line(time: message.time, channel: message.channel, payload: Array(message.payload))
                    _ = line.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
                }
                messages += received.count
            case .connection(.redis, .ready):
                FileHandle.standardError.write(Data("syntop: recording \(serverName) from \(endpoint) to \(output)\n".utf8))
            case .connection(.redis, .waiting(_, let retryAt, let error)):
                lastError = error
                let retry = Int((retryAt - unixTime()).rounded(.up))
                FileHandle.standardError.write(Data("syntop: Redis at \(endpoint): \(error); retrying in \(retry) s\n".utf8))
            default:
                break
            }
        }
        feeds.start()
        if let duration { loop.schedule(after: Int(duration * 1000)) { loop.stop() } }
        loop.schedule(after: 1000, repeating: 1000) { fflush(file) }
        loop.run()
        feeds.stop()
        FileHandle.standardError.write(Data("syntop: recorded \(messages) messages\(lastError.map { " (last error: \($0))" } ?? "")\n".utf8))
    }
}
