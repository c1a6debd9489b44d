import Observation
import Terminal

/// Every way the console state can change: what the operator does, and what the sources,
/// the timers and the loop report.
public enum Action: Equatable, Sendable {
    case quit
    case toggleHelp
    case back
    case showScreen(ScreenID)
    case nextScreen
    case previousScreen
    case moveSelection(Int)
    case movePage(Int)
    case moveToTop
    case moveToBottom
    case drillDown
    /// → and ←: show or hide the rows under the selected one (a stream's writers, a group).
    case unfold
    case fold
    /// Move the selection keys to the screen's other panel.
    case switchPanel
    /// History: the next older page, the previous newer one.
    case olderPage
    case newerPage
    case beginInput(InputMode)
    case inputCharacter(Character)
    case inputBackspace
    case submitInput
    case cancelInput
    case togglePause
    case refreshLonger
    case refreshShorter
    case sortNextColumn
    case sortPreviousColumn
    case sortReverse
    case click(x: Int, y: Int)
    case scroll(Int)
    case resize(Size)
    /// Publish one REPLICATE (only with --probe).
    case probe
    /// Feed the next recorded message (replay, paused).
    case replayStep
    /// `y`: the selected row's ID (event, room, user, destination, process) to the clipboard.
    case copySelection

    /// The console starts: what the executable found, before any other action.
    case start(ConsoleSetup)
    /// What the sources, the timers and the loop report: the observation's.
    case observed(ObservationAction)
    /// `:theme` loaded a theme: its name, and what to tell the operator.
    case themeLoaded(name: String, notice: Notice)
    /// `:context` could not switch: the context's settings do not resolve (the sources stay).
    case contextFailed(name: String, reason: String)
    /// A frame is about to be drawn, at this wall-clock time.
    case frame(clock: Double)
}

/// What the event loop must do after a state change; the reducer performs no I/O itself.
public enum Effect: Equatable, Sendable {
    case quit
    /// Load and apply the theme with this name or path; `themeLoaded` comes back.
    case applyTheme(String)
    /// Put this text on the terminal's clipboard.
    case copyToClipboard(String)
    /// Watch another context of syntop's config file: `start` comes back, or `contextFailed`.
    case switchContext(String)
    /// What the observation asks for: reads, rounds, timers, the replay, the probe.
    case observation(ObservationEffect)
}
