import ArgumentParser
import Contract
import Store

/// `syntop rooms --json`: the Rooms screen's list, worst first.
struct RoomsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rooms",
        abstract: "Rooms worst first: forward extremities, joined members local and remote, servers, version, whether the server is in them.",
        discussion: """
            Without --match, the rooms with the most forward extremities (more than one), then the rooms with \
            the most joined members; with it, the rooms whose ID, name or canonical alias holds the text. \
            Counts that would walk a room's members stop at \(RoomStore.listMemberCap) members (servers_capped).
            """)

    @OptionGroup var databaseOptions: DatabaseOnlyOptions

    @Flag(help: "Print JSON and exit instead of opening the console.")
    var json = false

    @Option(help: "Rooms to list (1 to \(RoomStore.listLimit)).")
    var limit = 50

    @Option(help: "Only rooms whose ID, name or alias holds this text.")
    var match: String?

    @OptionGroup var context: ContextOption

    func run() throws {
        guard json else { throw ValidationError("the console's Rooms screen is `syntop` then 5; use --json here") }
        guard (1...RoomStore.listLimit).contains(limit) else { throw ValidationError("--limit takes 1 to \(RoomStore.listLimit)") }
        let deployment = try databaseOptions.deployment(context)
        try printingOnce {
            let observation = try observeOnce(deployment, feeds: [], reads: Documents.roomsReads(match: match, limit: limit),
                                              listen: 0)
            try printJSON(Documents.rooms(observation, match: match, limit: limit))
        }
    }
}

/// `syntop room ROOM_ID --json`: one room's drill-down.
struct RoomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "One room: its forward extremities, the auth-chain difference of their states, its recent memberships and waiting pokes.",
        discussion: """
            The auth-chain difference is what a state resolution over the extremities would have to consider: \
            computed as Synapse does, from the chain cover index (or by walking event_auth in a room without \
            it), over at most \(RoomDetailStore.maxStateSets) distinct states. A room too large to answer within \
            the caps or the statement timeout says so instead of a figure. Exit 0; 1 for a room the server \
            does not know; 2 when the database cannot be read.
            """)

    @Argument(help: "The room ID, e.g. '!abc:example.com'.")
    var roomId: String

    @OptionGroup var databaseOptions: DatabaseOnlyOptions

    @Flag(help: "Print JSON and exit instead of opening the console.")
    var json = false

    @OptionGroup var context: ContextOption

    func run() throws {
        guard json else { throw ValidationError("the console opens a room with :room \(roomId); use --json here") }
        guard roomId.hasPrefix("!") else { throw ValidationError("a room ID starts with '!'") }
        let deployment = try databaseOptions.deployment(context)
        var report: RoomReport?
        try printingOnce {
            let observation = try observeOnce(deployment, feeds: [], reads: Documents.roomReads(roomId), listen: 0)
            report = Documents.room(observation, roomID: roomId)
            try printJSON(report)
        }
        // Unknown, unless the read itself failed.
        if let report, !report.known { throw ExitCode(report.errors.isEmpty ? 1 : 2) }
    }
}
