import Observation
import Terminal
import Wire
@testable import Console
@testable import Store

/// A session as syntop's read-only role has it on a schema it knows.
let readerSession = SessionStore.Session(role: "syntop_reader", readOnly: true, statementTimeout: "2s", schemaVersion: 94,
                                         compatVersion: 84, backgroundUpdatesPending: 0, roleCanWrite: false,
                                         missingTables: [], warnings: [])

extension ConsoleState {
    /// A console started on a deployment, as the executable starts it.
    static func started(_ size: Size = Size(width: 100, height: 30), _ setup: ObservationSetup = ObservationSetup()) -> ConsoleState {
        var state = ConsoleState(size: size)
        _ = ConsoleReducer.reduce(&state, .start(ConsoleSetup(size: size, themeName: "default", observation: setup)))
        return state
    }

    /// A console whose database is connected and between two rounds, so what a screen needs is
    /// read at once.
    static func connected(_ size: Size = Size(width: 100, height: 30), _ setup: ObservationSetup = ObservationSetup()) -> ConsoleState {
        var setup = setup
        setup.database = setup.database ?? "--db"
        var state = started(size, setup)
        for action: ObservationAction in [.connection(.postgres, .ready(since: 0)),
                                          .database(.session(Fetched(readerSession, at: 0))), .databaseRoundFinished,
                                          .databaseRoundFinished] {
            _ = ConsoleReducer.reduce(&state, .observed(action))
        }
        return state
    }

    /// The reads `action` asks for, and the end of their round, so the next one reads at once.
    mutating func roundOf(_ action: Action) -> [DatabaseRead]? {
        let asked = reads(ConsoleReducer.reduce(&self, action))
        observe(.databaseRoundFinished)
        return asked
    }

    /// The reads a `:` command asks for, and the end of their round.
    mutating func roundOf(command line: String) -> [DatabaseRead]? {
        let asked = reads(ConsoleReducer.runCommand(&self, line))
        observe(.databaseRoundFinished)
        return asked
    }

    /// Hands actions to the observation, as the loop does, and draws a frame after them (at
    /// the same time) as it does too; the effects they ask for.
    @discardableResult
    mutating func observe(_ actions: ObservationAction...) -> [Effect] {
        let effects = actions.flatMap { ConsoleReducer.reduce(&self, .observed($0)) }
        _ = ConsoleReducer.reduce(&self, .frame(clock: databaseNow))
        return effects
    }
}

/// The reads a list of effects asks for, if any.
func reads(_ effects: [Effect]) -> [DatabaseRead]? {
    effects.lazy.compactMap { if case .observation(.read(let reads)) = $0 { reads.map(asked) } else { nil } }.first
}

/// The read a screen asked for, whatever the observation held for it (the pokes' counts, a
/// drill-down's users).
func asked(_ read: DatabaseRead) -> DatabaseRead {
    switch read {
    case .pokesCounted(let cap, held: _, now: _): .pokes(cap: cap)
    case .destinationUsersCounted(let destination, held: _, basis: _, now: _): .destinationUsers(destination)
    case .extremitiesChanged(let threshold, held: _, since: _): .extremities(threshold: threshold)
    case .roomsChanged(let held, since: _, now: _): .rooms(match: held.match, limit: held.limit)
    default: read
    }
}
