import Connection
import Terminal
import Wire

/// Where an input comes from, for the connection status it reports.
public enum Source: Equatable, Sendable {
    case redis
    case postgres
}

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
    /// What one wake-up read from Redis, in order.
    case wire([WireMessage])
    /// A source's connection changed.
    case connection(Source, ConnectionStatus)
    /// A database read finished (or the session was read).
    case database(DatabaseUpdate)
    /// The REPLICATE published on request, answered at `at`: how many received it, or why it failed.
    case probeAnswered(at: Double, receivers: Int64?, error: String?)
    /// `:theme` loaded a theme: its name, and what to tell the operator.
    case themeLoaded(name: String, notice: Notice)
    /// `:context` could not switch: the context's settings do not resolve (the sources stay).
    case contextFailed(name: String, reason: String)
    /// The replay timer, at a monotonic clock in seconds.
    case replayTick(clock: Double)
    /// The loop read the lines a `feedReplay` asked for.
    case replayed(ReplayBatch)
    /// The loop moved the replay to a time (`seekReplay`): where in the file, and what is next.
    case replaySought(time: Double, position: Int64, nextTime: Double?, finished: Bool)
    /// The recording could not be read.
    case replayFailed(String)
    /// A frame is about to be drawn, at this wall-clock time.
    case frame(clock: Double)
    /// A process's listener answered (or did not) a health or metrics request.
    case processAnswered(ProcessAnswer)
    /// Redis counted the replication channels' subscribers.
    case subscribersCounted(SubscriberCount)
}

/// What the event loop must do after a state change; the reducer performs no I/O itself.
public enum Effect: Equatable, Sendable {
    case quit
    /// Load and apply the theme with this name or path; `themeLoaded` comes back.
    case applyTheme(String)
    /// Publish REPLICATE on the main channel once; `probeAnswered` comes back.
    case probe
    /// Tick the replay (`replayTick`) until told to stop: it runs, as recorded, from where it is.
    case startReplay
    case stopReplay
    /// Read recorded lines as `ReplayFeed` says; `replayed` comes back.
    case feedReplay(ReplayFeed)
    /// Move the replay to this recorded time; `replaySought` comes back.
    case seekReplay(Double)
    /// Put this text on the terminal's clipboard.
    case copyToClipboard(String)
    /// Read what the screen now shows from the database, without waiting for the next refresh.
    case refreshDatabase
    /// Watch another context of syntop's config file: `start` comes back, or `contextFailed`.
    case switchContext(String)
}
