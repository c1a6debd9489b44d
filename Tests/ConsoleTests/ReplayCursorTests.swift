import Testing
@testable import Console

@Suite struct ReplayCursorTests {
    @Test func recordedTimeRunsAtTheChosenSpeed() {
        var cursor = ReplayCursor(times: [100, 100.5, 101, 104], speed: .factor(2))
        // Clock 50 is recorded 100; each clock second is two recorded seconds.
        #expect(cursor.due(at: 50) == 0..<1)
        #expect(cursor.due(at: 50.3) == 1..<2)
        #expect(cursor.due(at: 51.4) == 2..<3)
        #expect(cursor.due(at: 51.9) == 3..<3)
        #expect(cursor.due(at: 52) == 3..<4)
        #expect(cursor.finished)
        #expect(cursor.due(at: 99) == 4..<4)
    }

    @Test func holdingResumesWhereItStopped() {
        var cursor = ReplayCursor(times: [0, 10, 20], speed: .factor(1))
        #expect(cursor.due(at: 0) == 0..<1)
        cursor.hold()
        // An hour later the next message is still the one that was due next.
        #expect(cursor.due(at: 3600) == 1..<2)
        #expect(cursor.due(at: 3610) == 2..<3)
    }

    @Test func stepsOneMessageAtATime() {
        var cursor = ReplayCursor(times: [0, 10, 20], speed: .factor(1))
        #expect(cursor.step() == 0..<1)
        #expect(cursor.step() == 1..<2)
        #expect(cursor.step() == 2..<3)
        #expect(cursor.step() == 3..<3)
    }

    @Test func maxSpeedTakesChunks() {
        var cursor = ReplayCursor(times: Array(repeating: 1, count: ReplayCursor.chunk + 10), speed: .max)
        #expect(cursor.due(at: 0).count == ReplayCursor.chunk)
        #expect(cursor.due(at: 0).count == 10)
    }

    @Test func speedsFromText() {
        #expect(ReplaySpeed("max") == .max)
        #expect(ReplaySpeed("10") == .factor(10))
        #expect(ReplaySpeed("0.5")?.description == "×0.5")
        #expect(ReplaySpeed("0") == nil)
        #expect(ReplaySpeed("fast") == nil)
    }
}
