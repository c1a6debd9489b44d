import Findings
import Observation
import Terminal
import Wire

/// The filter and the `:` commands.
extension ConsoleReducer {
    /// Typing a filter or a command.
    static func edit(_ state: inout ConsoleState, _ action: Action) -> [Effect]? {
        switch action {
        case .beginInput(let mode):
            let current = state.filter(state.focusedKey)
            state.input = InputState(mode: mode, text: mode == .filter ? current : "",
                                     previousFilter: current)
            return []
        case .inputCharacter(let character):
            guard var input = state.input else { return [] }
            input.text.append(character)
            state.input = input
            if input.mode == .filter { return setFilter(&state, input.text) }
            return []
        case .inputBackspace:
            guard var input = state.input else { return [] }
            if input.text.isEmpty {
                return reduce(&state, .cancelInput)
            }
            input.text.removeLast()
            state.input = input
            if input.mode == .filter { return setFilter(&state, input.text) }
            return []
        case .cancelInput:
            let input = state.input
            state.input = nil
            if let input, input.mode == .filter {
                return setFilter(&state, input.previousFilter)
            }
            return []
        case .submitInput:
            guard let input = state.input else { return [] }
            state.input = nil
            if input.mode == .command {
                return runCommand(&state, input.text)
            }
            return []
        default:
            return nil
        }
    }

    /// Sets the focused table's filter. On History before a user is picked, the filter is the
    /// prefix the user list is read with, so the database is asked again.
    @discardableResult
    static func setFilter(_ state: inout ConsoleState, _ text: String) -> [Effect] {
        let key = state.focusedKey
        state.filters[key] = text.isEmpty ? nil : text
        var table = state.table(key)
        table.selection = nil
        table.offset = 0
        state.tables[key] = table
        // Rooms are matched by the database: 200,000 of them are never all in the list.
        if key == TableKey(.rooms) { return readNow(&state) }
        return key == TableKey(.history) && state.historyUser == nil ? readNow(&state) : []
    }

    /// `:stream NAME` and `:process NAME`: one of a hundred writers, straight, whatever is
    /// folded (Positions' stream detail, Roles' process detail).
    static func openNamed(_ state: inout ConsoleState, kind: String, _ name: String) -> [Effect] {
        let wire = state.displayedWire
        let configured = state.config?.configuredWriterKeys ?? []
        if kind == "stream" {
            let known = Set(wire.positions.keys.map(\.stream.rawValue)).union(configured.map(\.stream.rawValue))
                .union(state.database.storedPositions.keys.map(\.stream.rawValue))
            guard known.contains(name) else {
                state.notice = Notice(":stream takes a stream seen or configured: " + known.sorted().prefix(8).joined(separator: " "), .warning)
                return []
            }
            state.screen = .positions
            state.details[.positions] = .stream(name)
        } else {
            let known = Set(wire.instances.keys.map(\.rawValue)).union(state.config?.processes.map(\.instance) ?? [])
            guard known.contains(name) else {
                state.notice = Notice(":process takes a process seen or configured (\(known.count) known)", .warning)
                return []
            }
            state.screen = .roles
            state.details[.roles] = .process(name)
        }
        state.focus[state.screen] = nil
        selectFirstRow(&state, TableKey(state.screen, detail: state.details[state.screen]))
        return readNow(&state)
    }

    static func runCommand(_ state: inout ConsoleState, _ line: String) -> [Effect] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        if let screen = ScreenID.allCases.first(where: { $0.command == name }) {
            return show(&state, screen)
        }
        switch name {
        case "q", "quit":
            return [.quit]
        case "help":
            state.helpVisible = true
            state.helpOffset = 0
        case "user":
            guard !argument.isEmpty else {
                state.notice = Notice(":user takes a user ID, or the start of one", .warning)
                return []
            }
            // A whole user ID (@local:server) opens the history; the start of one lists matches.
            if argument.hasPrefix("@"), argument.dropFirst().contains(":") {
                openHistory(&state, user: argument)
            } else {
                openHistory(&state, user: nil, prefix: argument)
            }
            return readNow(&state)
        case "stream", "process":
            return openNamed(&state, kind: name, argument)
        case "room":
            // Room IDs of version 12 have no server part: "!" and something after it.
            guard argument.hasPrefix("!"), argument.count > 1 else {
                state.notice = Notice(":room takes a room ID, !…", .warning)
                return []
            }
            state.screen = .rooms
            state.details[.rooms] = .room(argument)
            state.focus[.rooms] = nil
            selectFirstRow(&state, TableKey(.rooms, detail: .room(argument)))
            return readNow(&state)
        case "filter":
            return setFilter(&state, argument)
        case "pause":
            return setPaused(&state, true)
        case "resume":
            return setPaused(&state, false)
        case "refresh":
            guard let seconds = Double(argument),
                  let step = RefreshInterval.steps.firstIndex(of: seconds) else {
                let allowed = RefreshInterval.steps.map { String($0) }.joined(separator: ", ")
                state.notice = Notice(":refresh takes one of \(allowed) seconds", .warning)
                return []
            }
            let effects = observe(&state, .refreshEvery(RefreshInterval.steps[step]))
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
            return effects
        case "speed":
            guard case .replay = state.wireSource else {
                state.notice = Notice(":speed applies to a replay (--replay FILE)", .warning)
                return []
            }
            guard let speed = ReplaySpeed(argument) else {
                state.notice = Notice(":speed takes a number above 0, or max", .warning)
                return []
            }
            _ = observe(&state, .replaySpeed(speed))
            state.notice = Notice("replay speed \(speed)")
        case "seek":
            return seek(&state, argument)
        case "token":
            return openToken(&state, argument)
        case "context", "ctx":
            return switchContext(&state, argument)
        case "theme":
            guard !argument.isEmpty else {
                state.notice = Notice(":theme needs a name or a path", .warning)
                return []
            }
            return [.applyTheme(argument)]
        default:
            state.notice = Notice("unknown command ':\(name)'; ? lists the commands", .warning)
        }
        return []
    }
}

extension ConsoleReducer {
    /// `:context NAME` asks the loop to watch that deployment; without a name it lists them.
    static func switchContext(_ state: inout ConsoleState, _ name: String) -> [Effect] {
        let listed = state.contexts.map { $0 == state.context ? "\($0) (current)" : $0 }.joined(separator: ", ")
        guard !name.isEmpty else {
            state.notice = Notice(state.contexts.isEmpty
                ? "no contexts: syntop's config file has none (`syntop config` says where it is)"
                : "contexts: " + listed)
            return []
        }
        // The loop reads the file again and says when the context is not there (any more).
        state.notice = Notice("switching to context \(name)")
        return [.switchContext(name)]
    }
}

extension ConsoleReducer {
    /// `:token TOKEN`: the token's positions beside the writers', on Positions; a malformed one
    /// says which field and why.
    static func openToken(_ state: inout ConsoleState, _ text: String) -> [Effect] {
        guard !text.isEmpty else {
            state.notice = Notice(":token takes a token: a /sync next_batch, a /messages from or to", .warning)
            return []
        }
        do {
            _ = try SyncToken.parse(text)
        } catch {
            state.notice = Notice("token: \(error)", .warning)
            return []
        }
        state.screen = .positions
        state.details[.positions] = .token(text)
        state.tables[TableKey(.positions, detail: .token(text))] = TableState()
        return readNow(&state)
    }
}
