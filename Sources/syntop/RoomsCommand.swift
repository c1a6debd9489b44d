import ArgumentParser
import Console
import Foundation
import Store

struct RoomsReport: Encodable {
    var database: String
    var session: SessionStore.Session
    var match: String?
    var limit: Int
    /// The planner's estimate of the rooms the server knows.
    var roomsKnown: Int?
    var rooms: [RoomStore.Room]
    var errors: [String]
}

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
        let (database, target) = try databaseOptions.required(context)
        do {
            let ((session, list), errors) = try read(SessionStore.read.then(RoomStore.list(match: match ?? "", limit: limit)),
                                                     target, timeoutMS: database.statementTimeout)
            try printJSON(RoomsReport(database: target.display, session: session, match: match, limit: limit,
                                      roomsKnown: list.roomsKnown, rooms: list.rooms, errors: errors))
        } catch {
            throw failOnWire(error)
        }
    }
}

struct RoomReport: Encodable {
    var database: String
    var session: SessionStore.Session
    var roomId: String
    /// False when the server knows nothing of the room.
    var known: Bool
    var room: RoomStore.Room?
    var forwardExtremities: [RoomDetailStore.Extremity]
    var authChainDifference: AuthChainDifference.Result
    var memberships: [MembershipStore.Event]
    var destinationsWaiting: [RoomDetailStore.Destination]
    var errors: [String]
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
        let (database, target) = try databaseOptions.required(context)
        do {
            let ((session, detail), errors) = try read(SessionStore.read.then(RoomDetailStore.read(room: roomId)),
                                                       target, timeoutMS: database.statementTimeout)
            try printJSON(RoomReport(database: target.display, session: session, roomId: roomId, known: detail.room != nil,
                                     room: detail.room, forwardExtremities: detail.extremities,
                                     authChainDifference: detail.difference, memberships: detail.memberships,
                                     destinationsWaiting: detail.destinations, errors: errors))
            // Unknown, unless the read itself failed.
            if detail.room == nil { throw ExitCode(errors.isEmpty ? 1 : 2) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failOnWire(error)
        }
    }
}
