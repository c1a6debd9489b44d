import Foundation
import Terminal

/// One key binding: the keys, the action and the words the help overlay and key bar show.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var keyLabel: String
    public var action: Action
    public var help: String
    /// The key and label in the key bar, if it appears there.
    public var bar: (key: String, label: String)?
}

/// One `:` command.
public struct CommandSpec: Sendable {
    public var names: [String]
    public var usage: String
    public var help: String
}

/// The single table of keys and commands: it drives both the handling and the help overlay.
public enum Bindings {
    public static let keys: [KeyBinding] = [
        KeyBinding(keys: [.character("q")], keyLabel: "q", action: .quit,
                   help: "quit", bar: (key: "q", label: "Quit")),
        KeyBinding(keys: [.character("?"), .function(1)], keyLabel: "? F1", action: .toggleHelp,
                   help: "show or hide this help", bar: (key: "?", label: "Help")),
    ] + screenKeys + [
        KeyBinding(keys: [.tab], keyLabel: "Tab", action: .nextScreen,
                   help: "next, previous screen", bar: nil),
        KeyBinding(keys: [.backTab], keyLabel: "S-Tab", action: .previousScreen,
                   help: "next, previous screen", bar: nil),
        KeyBinding(keys: [.up, .character("k")], keyLabel: "↑ k", action: .moveSelection(-1),
                   help: "row up, down", bar: nil),
        KeyBinding(keys: [.down, .character("j")], keyLabel: "↓ j", action: .moveSelection(1),
                   help: "row up, down", bar: nil),
        KeyBinding(keys: [.pageUp], keyLabel: "PgUp", action: .movePage(-1),
                   help: "page up, down", bar: nil),
        KeyBinding(keys: [.pageDown], keyLabel: "PgDn", action: .movePage(1),
                   help: "page up, down", bar: nil),
        KeyBinding(keys: [.home, .character("g")], keyLabel: "Home g", action: .moveToTop,
                   help: "first, last row", bar: nil),
        KeyBinding(keys: [.end, .character("G")], keyLabel: "End G", action: .moveToBottom,
                   help: "first, last row", bar: nil),
        KeyBinding(keys: [.enter], keyLabel: "Enter", action: .drillDown,
                   help: "open the selected row (destination, user, process, stream, membership, room), or unfold it", bar: (key: "Enter", label: "Open")),
        KeyBinding(keys: [.right, .character("l")], keyLabel: "→ l", action: .unfold,
                   help: "show the writers or processes folded under the row (Enter too)", bar: nil),
        KeyBinding(keys: [.left, .character("h")], keyLabel: "← h", action: .fold,
                   help: "fold them again, or fold the row this one is under", bar: nil),
        KeyBinding(keys: [.escape], keyLabel: "Esc", action: .back,
                   help: "back: clear the filter, close what Enter opened, leave a history", bar: nil),
        KeyBinding(keys: [.character("y")], keyLabel: "y", action: .copySelection,
                   help: "copy the selected row's ID to the clipboard (OSC 52)", bar: nil),
        KeyBinding(keys: [.character("w")], keyLabel: "w", action: .switchPanel,
                   help: "move to the screen's next panel", bar: nil),
        KeyBinding(keys: [.character("]")], keyLabel: "]", action: .olderPage,
                   help: "history: older, newer page", bar: nil),
        KeyBinding(keys: [.character("[")], keyLabel: "[", action: .newerPage,
                   help: "history: older, newer page", bar: nil),
        KeyBinding(keys: [.character("/")], keyLabel: "/", action: .beginInput(.filter),
                   help: "filter the table", bar: (key: "/", label: "Filter")),
        KeyBinding(keys: [.character(":")], keyLabel: ":", action: .beginInput(.command),
                   help: "enter a command", bar: (key: ":", label: "Command")),
        KeyBinding(keys: [.character(" ")], keyLabel: "Space", action: .togglePause,
                   help: "pause or resume the live feed", bar: (key: "Space", label: "Pause")),
        KeyBinding(keys: [.character("<")], keyLabel: "<", action: .sortPreviousColumn,
                   help: "sort by the column to the left, right", bar: nil),
        KeyBinding(keys: [.character(">")], keyLabel: ">", action: .sortNextColumn,
                   help: "sort by the column to the left, right", bar: (key: "<>", label: "Sort")),
        KeyBinding(keys: [.character("r")], keyLabel: "r", action: .sortReverse,
                   help: "reverse the sort order", bar: nil),
        KeyBinding(keys: [.character(".")], keyLabel: ".", action: .replayStep,
                   help: "replay: one message (while paused)", bar: nil),
        KeyBinding(keys: [.character("P")], keyLabel: "P", action: .probe,
                   help: "publish REPLICATE once (needs --probe)", bar: nil),
        KeyBinding(keys: [.character("+")], keyLabel: "+", action: .refreshLonger,
                   help: "refresh less, more often", bar: nil),
        KeyBinding(keys: [.character("-")], keyLabel: "-", action: .refreshShorter,
                   help: "refresh less, more often", bar: (key: "+-", label: "Refresh")),
    ]

    /// A number key per screen, from the screen list.
    static var screenKeys: [KeyBinding] {
        let screens = ScreenID.allCases
        let help = "screens: " + screens.map(\.title).joined(separator: ", ")
        return screens.map { screen in
            KeyBinding(keys: [.character(screen.key)], keyLabel: String(screen.key), action: .showScreen(screen),
                       help: help, bar: screen == screens.last ? (key: "1-\(screens.count)", label: "Screens") : nil)
        }
    }

    /// The help lines: bindings that share a help text share a line.
    public static func helpEntries() -> [(keys: String, text: String)] {
        var entries: [(keys: String, text: String)] = []
        for binding in keys {
            if let index = entries.firstIndex(where: { $0.text == binding.help }) {
                entries[index].keys += " " + binding.keyLabel
            } else {
                entries.append((keys: binding.keyLabel, text: binding.help))
            }
        }
        return entries
    }

    public static let commands: [CommandSpec] = [
        CommandSpec(names: ["quit", "q"], usage: ":quit", help: "quit"),
        CommandSpec(names: ["help"], usage: ":help", help: "show the help"),
        CommandSpec(names: ScreenID.allCases.map(\.command),
                    usage: ScreenID.allCases.prefix(2).map { ":" + $0.command }.joined(separator: " "),
                    help: "switch screen (also " + ScreenID.allCases.dropFirst(2).map { ":" + $0.command }
                        .joined(separator: " ") + ")"),
        CommandSpec(names: ["user"], usage: ":user @ID|PREFIX",
                    help: "History of a user (a whole ID), or the users starting with PREFIX"),
        CommandSpec(names: ["room"], usage: ":room !ID",
                    help: "a room: its forward extremities, their state resolution cost, its memberships"),
        CommandSpec(names: ["filter"], usage: ":filter TEXT", help: "filter the table (empty: clear)"),
        CommandSpec(names: ["stream", "process"], usage: ":stream NAME :process NAME",
                    help: "open a stream's writers, or a process, whatever is folded"),
        CommandSpec(names: ["pause", "resume"], usage: ":pause :resume", help: "pause or resume the live feed"),
        CommandSpec(names: ["refresh"], usage: ":refresh SECONDS",
                    help: "refresh interval: "
                        + RefreshInterval.steps.map { String(format: "%g", $0) }.joined(separator: " ")),
        CommandSpec(names: ["theme"], usage: ":theme NAME|PATH", help: "switch theme"),
        CommandSpec(names: ["token"], usage: ":token TOKEN",
                    help: "a sync or pagination token beside the writers' positions"),
        CommandSpec(names: ["context", "ctx"], usage: ":context NAME",
                    help: "watch another deployment of syntop's config (no NAME: list them)"),
        CommandSpec(names: ["speed"], usage: ":speed N|max", help: "replay speed"),
        CommandSpec(names: ["seek"], usage: ":seek HH:MM:SS|+N|-N",
                    help: "replay: go to a time of the recording, or N seconds (Nm, Nh) on or back"),
    ]

    /// The action a key stands for outside of text input.
    public static func action(for key: Key) -> Action? {
        keys.first { $0.keys.contains(key) }?.action
    }

    /// The action a key stands for while text is being typed.
    public static func inputAction(for key: Key) -> Action? {
        switch key {
        case .character(let c): return .inputCharacter(c)
        case .backspace: return .inputBackspace
        case .enter: return .submitInput
        case .escape: return .cancelInput
        case .control("c"): return .cancelInput
        default: return nil
        }
    }

    /// The action an input event stands for in this state.
    public static func action(for event: InputEvent, in state: ConsoleState) -> Action? {
        switch event {
        case .resize: return nil
        case .mouse(let mouse):
            switch mouse.action {
            case .press: return .click(x: mouse.x, y: mouse.y)
            case .wheelUp: return .scroll(-3)
            case .wheelDown: return .scroll(3)
            }
        case .key(let key):
            return state.input != nil ? inputAction(for: key) : action(for: key)
        }
    }
}

/// The console's screens, keys and commands in words, for `syntop --help` and syntop(1): the
/// same tables that drive the keys and the help overlay.
public enum Manual {
    /// Paragraphs of `'key' what it does; …`, which read the same wrapped in `--help` and in the manual.
    public static var discussion: String {
        let screens = ScreenID.allCases.map { "'\($0.key)' \($0.title): \($0.summary)" }.joined(separator: "; ")
        let keys = Bindings.helpEntries().map { "'\($0.keys)' \($0.text)" }.joined(separator: "; ")
        let commands = Bindings.commands.map { "'\($0.usage)' \($0.help)" }.joined(separator: "; ")
        return """
            syntop watches Synapse's replication stream and reads its database, read-only. Its screens: \(screens).

            Keys: \(keys).

            Commands (type : in the console): \(commands).
            """
    }
}
