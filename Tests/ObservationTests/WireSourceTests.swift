import Testing
import Wire
@testable import Observation

func span(first: Double = 0, last: Double = 0) -> RecordingSpan {
    RecordingSpan(size: 0, first: first, last: last)
}

@Suite struct ReplayCursorTests {
    func batch(_ count: Int, next: Double?, finished: Bool = false) -> ReplayBatch {
        ReplayBatch(lines: Array(repeating: [], count: count), position: 0, nextTime: next, finished: finished)
    }

    @Test func recordedTimeRunsAtTheChosenSpeed() {
        var cursor = ReplayCursor(span: span(first: 100, last: 104), speed: .factor(2))
        // Clock 50 is recorded 100; each clock second is two recorded seconds.
        #expect(cursor.due(at: 50) == ReplayFeed(until: 100, limit: ReplayCursor.chunk))
        cursor.fed(batch(1, next: 100.5), lastTime: 100)
        #expect(cursor.due(at: 50.2) == nil)
        #expect(cursor.due(at: 50.3) == ReplayFeed(until: 100.6, limit: ReplayCursor.chunk))
        cursor.fed(batch(1, next: 104, finished: false), lastTime: 100.5)
        #expect(cursor.due(at: 51.9) == nil)
        #expect(cursor.due(at: 52)?.until == 104)
        cursor.fed(batch(1, next: nil, finished: true), lastTime: 104)
        #expect(cursor.finished && cursor.due(at: 99) == nil && cursor.messages == 3)
    }

    @Test func holdingResumesWhereItStopped() {
        var cursor = ReplayCursor(span: span(first: 0, last: 20), speed: .factor(1))
        #expect(cursor.due(at: 0)?.until == 0)
        cursor.fed(batch(1, next: 10), lastTime: 0)
        cursor.hold()
        // An hour later the next message is still the one that was due next.
        #expect(cursor.due(at: 3600)?.until == 10)
        cursor.fed(batch(1, next: 20), lastTime: 10)
        #expect(cursor.due(at: 3605) == nil)
        #expect(cursor.shownTime == 10)
    }

    @Test func seekingMovesRecordedTime() {
        var cursor = ReplayCursor(span: span(first: 0, last: 100), speed: .factor(1))
        _ = cursor.due(at: 5)
        cursor.sought(to: 60, position: 600, nextTime: 60.5, finished: false)
        #expect(cursor.shownTime == 60 && cursor.position == 600)
        #expect(cursor.due(at: 7) == nil)
        #expect(cursor.due(at: 7.5)?.until == 60.5)
    }

    @Test func maxSpeedTakesChunksAndShowsHowFar() {
        var cursor = ReplayCursor(span: RecordingSpan(size: 1000, first: 1, last: 2), speed: .max)
        #expect(cursor.due(at: 0) == ReplayFeed(until: nil, limit: ReplayCursor.chunk))
        cursor.fed(ReplayBatch(lines: [], position: 250, nextTime: 1.5, finished: false), lastTime: 1.2)
        #expect(cursor.percent == 25)
    }

    @Test func speedsFromText() {
        #expect(ReplaySpeed("max") == .max)
        #expect(ReplaySpeed("10") == .factor(10))
        #expect(ReplaySpeed("0.5")?.description == "×0.5")
        #expect(ReplaySpeed("0") == nil)
        #expect(ReplaySpeed("fast") == nil)
    }

}
