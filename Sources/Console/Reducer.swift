import Findings
import Observation
import Terminal

/// The console's state transitions: plain functions of (state, action), with the I/O they
/// need returned as effects for the event loop to perform.
public enum ConsoleReducer {
    public static func reduce(_ state: inout ConsoleState, _ action: Action) -> [Effect] {
        // A frame's view is of the state this action leaves.
        state.revision += 1
        let effects = reduceAny(&state, action)
        // What the screen needs read follows what it shows, whatever changed it.
        wantScreenReads(&state)
        return effects
    }

    private static func reduceAny(_ state: inout ConsoleState, _ action: Action) -> [Effect] {
        if let effects = reduceReport(&state, action) { return effects }
        // In the help, movement keys scroll it and any other key closes it; keys other than
        // those that close it also act.
        if state.helpVisible {
            switch action {
            case .toggleHelp, .back, .quit:
                state.helpVisible = false
                return []
            case .moveSelection(let delta), .scroll(let delta):
                scrollHelp(&state, by: delta)
                return []
            case .movePage(let pages):
                scrollHelp(&state, by: pages * 10)
                return []
            case .resize:
                break
            default:
                state.helpVisible = false
            }
        }
        return navigate(&state, action) ?? edit(&state, action) ?? operate(&state, action) ?? []
    }
}
