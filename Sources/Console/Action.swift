import Terminal

/// Every way the console state can change.
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
}

/// What the event loop must do after a state change; the reducer performs no I/O itself.
public enum Effect: Equatable, Sendable {
    case quit
    /// Load and apply the theme with this name or path.
    case applyTheme(String)
    /// Publish REPLICATE on the main channel once.
    case probe
    /// Feed one recorded message.
    case replayStep
    /// Feed a paused replay again, as recorded, from where it stopped.
    case resumeReplay
    /// Put this text on the terminal's clipboard.
    case copyToClipboard(String)
    /// Read what the screen now shows from the database, without waiting for the next refresh.
    case refreshDatabase
}
