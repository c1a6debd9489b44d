import Observation
import Wire
@testable import Console

/// Plays a recording held in memory as the console's loop does: the observation's feed and
/// seek effects are performed on a reader, and what they read goes back to the reducer.
struct ReplayHarness {
    var reader: RecordingReader<RecordingBytes>
    let span: RecordingSpan

    init(_ bytes: [UInt8]) {
        reader = RecordingReader(RecordingBytes(bytes))
        let (first, last) = (try? reader.span()) ?? (0, 0)
        span = RecordingSpan(size: Int64(bytes.count), first: first, last: last)
    }

    init(_ text: String) { self.init(Array(text.utf8)) }

    var setup: ObservationSetup.WireInput { .replay(file: "r.rec", span: span, speed: .max) }

    /// Reduces `action`, performs the replay's effects until none is left, and returns the others.
    mutating func reduce(_ state: inout ConsoleState, _ action: Action) -> [Effect] {
        perform(ConsoleReducer.reduce(&state, action), &state)
    }

    /// Performs the replay's effects of `effects`, and returns the others.
    mutating func perform(_ effects: [Effect], _ state: inout ConsoleState) -> [Effect] {
        var others: [Effect] = []
        var pending = effects
        while !pending.isEmpty {
            let effect = pending.removeFirst()
            switch effect {
            case .observation(.feedReplay(let feed)):
                var lines: [ArraySlice<UInt8>] = []
                while lines.count < feed.limit, let line = try? reader.next(until: feed.until) { lines.append(line.bytes) }
                let batch = ReplayBatch(lines: lines, position: reader.offset, nextTime: try? reader.nextTime(),
                                        finished: (try? reader.finished()) ?? true)
                pending += ConsoleReducer.reduce(&state, .observed(.replayed(batch)))
            case .observation(.seekReplay(let time)):
                try? reader.seek(time: time)
                pending += ConsoleReducer.reduce(&state, .observed(.replaySought(
                    time: time, position: reader.offset, nextTime: try? reader.nextTime(),
                    finished: (try? reader.finished()) ?? true)))
            default:
                others.append(effect)
            }
        }
        return others
    }

    /// Plays everything at `max` speed, as the loop's ticks would.
    mutating func playToTheEnd(_ state: inout ConsoleState) {
        var clock = 0.0
        while case .replay(_, let cursor) = state.wireSource, !cursor.finished {
            clock += 0.02
            _ = reduce(&state, .observed(.replayTick(clock: clock)))
        }
    }
}

func span(first: Double = 0, last: Double = 0) -> RecordingSpan {
    RecordingSpan(size: 0, first: first, last: last)
}
