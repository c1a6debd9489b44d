import Config
import Console
import Foundation
import Observation
import Terminal
import Wire

// The console's frame at a deployment's size: a recording replayed into the console as its loop
// replays one (the reducer's actions, 5,000 lines at a time) with its Synapse config, then each
// screen drawn (ConsoleView.render: the panels derived, every row, flag and alert) at 80x24 and
// 160x45, folded as it opens and with every row that folds opened. Prints one line per case:
// milliseconds per frame, median of the runs.
//   FrameBench RECORDING HOMESERVER WORKERS [RUNS]
let arguments = CommandLine.arguments
guard arguments.count >= 4, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: FrameBench RECORDING HOMESERVER WORKERS [RUNS]\n".utf8))
    exit(2)
}
let runs = arguments.count > 4 ? Int(arguments[4]) ?? 30 : 30
var reader = RecordingReader(RecordingBytes(Array(data)))
guard let (first, last) = try reader.span() else {
    FileHandle.standardError.write(Data("FrameBench: the recording holds no message\n".utf8))
    exit(2)
}
var state = ConsoleState(size: Size(width: 80, height: 24))
@MainActor func dispatch(_ action: Action) { _ = ConsoleReducer.reduce(&state, action) }
dispatch(.start(ConsoleSetup(size: state.size, themeName: "default", observation: ObservationSetup(
    config: ConfigLoader.load(paths: [arguments[2], arguments[3]]),
    wire: .replay(file: arguments[1], span: RecordingSpan(size: Int64(data.count), first: first, last: last), speed: .max)))))
while true {
    var lines: [ArraySlice<UInt8>] = []
    while lines.count < 5000, let line = try reader.next(until: nil) { lines.append(line.bytes) }
    let finished = try reader.finished()
    dispatch(.observed(.replayed(ReplayBatch(lines: lines, position: reader.offset, nextTime: try reader.nextTime(),
                                             finished: finished))))
    if finished { break }
}
dispatch(.frame(clock: last))
print("processes seen \(state.wire.instances.count), writers \(state.wire.positions.count), lines \(state.wire.lines)")

func median(_ state: ConsoleState) -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = ConsoleView.render(state)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return times.sorted()[times.count / 2]
}

for size in [Size(width: 80, height: 24), Size(width: 160, height: 45)] {
    for screen in [ScreenID.roles, .positions] {
        dispatch(.resize(size))
        dispatch(.showScreen(screen))
        dispatch(.frame(clock: last))
        print(String(format: "%-9@ %3dx%-3d folded   %7.2f ms", screen.title, size.width, size.height, median(state)))
        // Every row that folds opened, down to the last level: the most rows the screen can have.
        while let closed = ScreenContent.view(state).panels.first?.table.rows.firstIndex(where: { row in
            row.foldKey.map { !(state.expanded[TableKey(screen)] ?? []).contains($0) } ?? false
        }) {
            dispatch(.moveToTop)
            dispatch(.moveSelection(closed))
            dispatch(.unfold)
        }
        print(String(format: "%-9@ %3dx%-3d opened   %7.2f ms", screen.title, size.width, size.height, median(state)))
    }
}
