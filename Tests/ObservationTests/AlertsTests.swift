import Foundation
import Testing
import Wire
@testable import Observation
@testable import Store

@Suite struct AlertsTests {
    func rdata(_ stream: String, _ writer: String, _ token: Int, at time: Double, into wire: inout WireState) {
        wire.ingest(Array(#"RDATA \#(stream) \#(writer) \#(token) ["ev",["$e\#(token)","!r","m.room.message",null,null,null,null,false,false]]"#.utf8),
                    channel: "hs", at: time)
    }

    func database(_ positions: [(String, String, Int64)], at: Double) -> DatabaseState {
        var state = DatabaseState(display: "--db")
        state.status = .ready(since: 0)
        var streams: [String: StreamPositionStore.Stream] = [:]
        for (stream, writer, id) in positions {
            streams[stream, default: StreamPositionStore.Stream(stream: stream, writers: [])]
                .writers.append(StreamPositionStore.Writer(instance: writer, streamId: id))
        }
        state.positions = Fetched(Array(streams.values), at: at)
        return state
    }

    @Test func aStreamWhoseDatabaseMovesOnWhileTheWireIsSilentIsStalled() {
        var wire = WireState()
        rdata("events", "ep1", 10, at: 1000, into: &wire)
        var thresholds = AlertThresholds()
        thresholds.staleAfter = 30
        let stalled = Alerts.evaluate(wire: wire, listened: true, database: database([("events", "ep1", 25)], at: 1100),
                                      config: nil, now: 1100, thresholds: thresholds)
        #expect(stalled == [Alert(.critical, "events/ep1", "stalled: database at 25, wire at 10, nothing heard for 1m")])
        // Within the threshold, or with the database no further than the wire, nothing.
        #expect(Alerts.evaluate(wire: wire, listened: true, database: database([("events", "ep1", 25)], at: 1020),
                                config: nil, now: 1020, thresholds: thresholds).isEmpty)
        #expect(Alerts.evaluate(wire: wire, listened: true, database: database([("events", "ep1", 10)], at: 1100),
                                config: nil, now: 1100, thresholds: thresholds).isEmpty)
    }

    @Test func aWriterSilentWhileAnotherWriterOfItsStreamWritesIsStale() {
        var wire = WireState()
        rdata("events", "ep1", 10, at: 1000, into: &wire)
        rdata("events", "ep2", 11, at: 1000, into: &wire)
        for token in 12...40 { rdata("events", "ep1", token, at: 1000 + Double(token) * 3, into: &wire) }
        var thresholds = AlertThresholds()
        thresholds.staleAfter = 30
        thresholds.behindWarning = 20
        let alerts = Alerts.evaluate(wire: wire, listened: true, database: DatabaseState(), config: nil,
                                     now: 1125, thresholds: thresholds)
        #expect(alerts == [Alert(.warning, "events/ep2", "silent for 2m while ep1 writes (29 behind it)")])
        // It stays flagged while the other writer pauses, until it speaks again.
        #expect(Alerts.evaluate(wire: wire, listened: true, database: DatabaseState(), config: nil,
                                now: 1300, thresholds: thresholds).count == 1)
        rdata("events", "ep2", 41, at: 1301, into: &wire)
        #expect(Alerts.evaluate(wire: wire, listened: true, database: DatabaseState(), config: nil,
                                now: 1302, thresholds: thresholds).isEmpty)
        // Idle writers a little behind each other, on a quiet server, are no alert.
        var idle = WireState()
        rdata("events", "ep1", 10, at: 1000, into: &idle)
        rdata("events", "ep2", 14, at: 1000, into: &idle)
        rdata("events", "ep2", 17, at: 1200, into: &idle)
        #expect(Alerts.evaluate(wire: idle, listened: true, database: DatabaseState(), config: nil,
                                now: 1300, thresholds: thresholds).isEmpty)
    }

    @Test func checkFlagsAMoveInTheDatabaseTheWireNeverMentioned() {
        var wire = WireState()
        rdata("events", "ep1", 30, at: 1005, into: &wire)
        let key1 = WriterKey("events", "ep1")
        let key2 = WriterKey("events", "ep2")
        let alerts = Alerts.stalled(before: [key1: 20, key2: 20], after: [key1: 30, key2: 31], wire: wire,
                                    listenedSince: 1000)
        #expect(alerts == [Alert(.critical, "events/ep2", "stalled: the database moved 20 -> 31 while the wire said nothing of it")])
    }

    @Test func waitingPokesByThreshold() {
        var thresholds = AlertThresholds()
        thresholds.pendingWarning = 10
        thresholds.pendingCritical = 50
        func destination(_ pending: Int, oldest: Double) -> DeviceListStore.Destination {
            DeviceListStore.Destination(destination: "hs2", oldestAt: oldest, pending: pending, pendingCapped: false,
                                        oldestPendingAt: oldest, users: 1, newestSentAt: nil, retryIntervalMs: 600_000,
                                        downSince: oldest)
        }
        let conversion = DeviceListStore.Conversion(streamId: 1, roomId: "", instance: "master", unconverted: 0,
                                                    unconvertedCapped: false)
        let levels = [5, 20, 60].map { pending in
            Alerts.pokeAlerts(DeviceListStore.Pokes(destinations: [destination(pending, oldest: 900)], conversion: conversion),
                              now: 1000, thresholds: thresholds).first?.level
        }
        #expect(levels == [nil, .warning, .critical])
        let old = Alerts.pokeAlerts(DeviceListStore.Pokes(destinations: [destination(1, oldest: 0)], conversion: conversion),
                                    now: 90_000, thresholds: thresholds)
        #expect(old == [Alert(.critical, "hs2", "1 device-list pokes waiting, oldest 1d, down for 1d")])
    }

}
