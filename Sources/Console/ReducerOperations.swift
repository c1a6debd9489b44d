import Findings
import Observation
import Terminal

/// Quit, help, pause, probe, step, refresh, copy.
extension ConsoleReducer {
    /// What the operator asks the console to do: quit, help, pause, probe, step, refresh, copy.
    static func operate(_ state: inout ConsoleState, _ action: Action) -> [Effect]? {
        switch action {
        case .quit:
            return [.quit]
        case .toggleHelp:
            state.helpVisible.toggle()
            state.helpOffset = 0
            return []
        case .copySelection:
            guard let panel = ScreenContent.focusedPanel(&state), let selection = panel.table.selection,
                  selection < panel.table.rows.count else {
                state.notice = Notice("nothing selected to copy")
                return []
            }
            guard let id = panel.table.rows[selection].tag else {
                state.notice = Notice("this row has no ID to copy")
                return []
            }
            state.notice = Notice("copied \(id) (to the terminal's clipboard)")
            return [.copyToClipboard(id)]
        case .togglePause:
            return setPaused(&state, !state.paused)
        case .probe:
            guard case .live = state.wireSource else {
                state.notice = Notice("REPLICATE needs a live Redis connection", .warning)
                return []
            }
            guard state.observation.probe.allowed else {
                state.notice = Notice("publishing REPLICATE is off: start syntop with --probe to allow it", .warning)
                return []
            }
            return [.observation(.probe)]
        case .replayStep:
            guard case .replay = state.wireSource else {
                state.notice = Notice(". steps through a replay (--replay FILE)", .warning)
                return []
            }
            guard state.paused else {
                state.notice = Notice("pause the replay (Space) to step through it")
                return []
            }
            return observe(&state, .replayStep)
        case .refreshLonger:
            let step = RefreshInterval.nearestStep(state.refreshSeconds)
            let effects = observe(&state, .refreshEvery(RefreshInterval.steps[min(step + 1, RefreshInterval.steps.count - 1)]))
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
            return effects
        case .refreshShorter:
            let step = RefreshInterval.nearestStep(state.refreshSeconds)
            let effects = observe(&state, .refreshEvery(RefreshInterval.steps[max(step - 1, 0)]))
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
            return effects
        default:
            return nil
        }
    }

    /// Space, `:pause` and `:resume`: the screens freeze on the wire as it is, and a replay stops
    /// feeding; resuming a replay asks the loop to feed it again.
    static func setPaused(_ state: inout ConsoleState, _ paused: Bool) -> [Effect] {
        let replay: Bool
        if case .replay = state.wireSource { replay = true } else { replay = false }
        let what = replay ? "replay" : "live feed"
        guard paused != state.paused else {
            state.notice = Notice("the \(what) is already \(paused ? "paused" : "running")")
            return []
        }
        state.paused = paused
        state.frozenWire = paused ? state.wire : nil
        let effects = observe(&state, .holdReplay(paused))
        if paused {
            state.notice = Notice(replay ? "replay paused (. steps, Space resumes)" : "live feed paused (Space resumes)")
            return effects
        }
        state.notice = Notice("\(what) resumed")
        return effects
    }

    static func scrollHelp(_ state: inout ConsoleState, by delta: Int) {
        let layout = ConsoleLayout(size: state.size)
        let overlay = ConsoleView.helpOverlay(offset: 0)
        let hidden = overlay.lines().count - overlay.visibleLines(in: layout.body)
        state.helpOffset = min(max(0, state.helpOffset + delta), max(0, hidden))
    }
}
