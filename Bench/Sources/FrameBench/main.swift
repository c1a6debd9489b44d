import Config
import Console
import Foundation
import Terminal
import Wire

// The console's frame at a deployment's size: a recording replayed into the console's state
// with its Synapse config, then each screen drawn (ConsoleView.render, which derives every
// row, flag and alert from the state) at 80x24 and 160x45, folded as it opens and with every
// stream opened. Prints one line per case: milliseconds per frame, median of the runs.
//   FrameBench RECORDING HOMESERVER WORKERS [RUNS]
let arguments = CommandLine.arguments
guard arguments.count >= 4, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: FrameBench RECORDING HOMESERVER WORKERS [RUNS]\n".utf8))
    exit(2)
}
let runs = arguments.count > 4 ? Int(arguments[4]) ?? 30 : 30
var state = ConsoleState(size: Size(width: 80, height: 24))
state.config = ConfigLoader.load(paths: [arguments[2], arguments[3]])
state.wire.ingest(recording: Array(data))
state.now = state.wire.lastLineAt ?? 0
state.wireSource = .replay(file: arguments[1], cursor: ReplayCursor(
    span: RecordingSpan(size: Int64(data.count), first: state.wire.firstLineAt ?? 0, last: state.now), speed: .max))
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
        var frame = state
        frame.size = size
        frame.screen = screen
        print(String(format: "%-9@ %3dx%-3d folded   %7.2f ms", screen.title, size.width, size.height, median(frame)))
        // Every row that folds opened, down to the last level: the most rows the screen can have.
        let key = TableKey(screen)
        while true {
            let keys = Set(ScreenContent.panels(in: frame).flatMap { $0.table.rows.compactMap(\.foldKey) })
            guard !keys.isSubset(of: frame.expanded[key] ?? []) else { break }
            frame.expanded[key, default: []].formUnion(keys)
        }
        print(String(format: "%-9@ %3dx%-3d opened   %7.2f ms", screen.title, size.width, size.height, median(frame)))
    }
}
