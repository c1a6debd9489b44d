import Foundation
import Testing
@testable import Wire

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/recordings").standardizedFileURL

func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
}

@Suite struct RecordingTests {
    @Test func parsesALine() {
        let line = Array("1795810683.219491\ttest.local:1\tRDATA typing w 8 [\"!r\",[]]".utf8)
        #expect(Recording.fields(ArraySlice(line)) == .message(
            time: 1_795_810_683.219491, channel: "test.local:1", payload: ArraySlice("RDATA typing w 8 [\"!r\",[]]".utf8)))
        #expect(Recording.fields(ArraySlice(Array("# comment".utf8))) == .comment)
        #expect(Recording.fields(ArraySlice(Array("".utf8))) == .comment)
        #expect(Recording.fields(ArraySlice(Array("no tabs here".utf8))) == .malformed("expected <time>\\t<channel>\\t<message>"))
        #expect(Recording.fields(ArraySlice(Array("x\tc\tm".utf8))) == .malformed("bad time"))
        // Found by the fuzzer: a finite time too large for any clock once crashed the rates.
        #expect(Recording.fields(ArraySlice(Array((String(repeating: "8", count: 66) + "0\t\tRDATA   3 [").utf8)))
                == .malformed("bad time"))
        #expect(Recording.fields(ArraySlice(Array("-5\tc\tm".utf8))) == .malformed("bad time"))
    }

    /// The time as syntop writes it, read eight digits at a time, is the time the general way
    /// reads; any other text there is read the general way or refused.
    @Test func readsTheTimeAsWritten() {
        func time(_ text: String) -> Double? {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { Recording.seconds($0) }
        }
        for text in ["1800000000.000200", "1795810683.219491", "0000000000.000000", "8999999999.999999",
                     "1234567890.123456", "1800000000.1", "17.5", "1800000000"] {
            #expect(time(text) == Double(text), "\(text)")
        }
        // Past 2^53 microseconds the general way takes it, and refuses it.
        #expect(time("9999999999.999999") == nil)
        // The shape syntop writes read in two words; a byte that is no digit (those beside the
        // digits too), or no point, at any place of it is not.
        let written = Array("1800000000.123456".utf8)
        #expect(written.withUnsafeBufferPointer { Recording.sixteenDigits($0.baseAddress!) } == 1_800_000_000_123_456)
        for place in 0..<17 {
            for byte: UInt8 in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "x"), 0x80, UInt8(ascii: ".")]
            where written[place] != byte {
                var bytes = written
                bytes[place] = byte
                #expect(bytes.withUnsafeBufferPointer { Recording.sixteenDigits($0.baseAddress!) } == nil, "\(place)")
                #expect(time(String(decoding: bytes, as: UTF8.self)) == nil, "\(place)")
            }
        }
        #expect(time("1800000000x123456") == nil)
        #expect(time("1800000000.12345.") == nil)
    }

    @Test func aMessageMayContainTabs() {
        guard case .message(_, _, let payload) = Recording.fields(ArraySlice(Array("1.5\tc\tERROR a\tb".utf8))) else {
            Issue.record("not a message")
            return
        }
        #expect(Array(payload) == Array("ERROR a\tb".utf8))
    }

    @Test func writesLinesAndScrubsTokens() {
        let line = Recording.line(time: 12.5, channel: "hs/USER_IP",
                                  payload: Array(#"USER_IP @b:x ["syt_s\"ecret","1.2.3.4","ua",null,5]"#.utf8))
        #expect(String(decoding: line, as: UTF8.self)
                == "12.500000\ths/USER_IP\tUSER_IP @b:x [\"<token>\",\"1.2.3.4\",\"ua\",null,5]\n")
        let other = Array("RDATA typing w 8 [\"!r\",[]]".utf8)
        #expect(Secrets.scrub(other) == other)
        #expect(Secrets.scrub(Array(#"USER_IP @b:x ["unterminated"#.utf8))
                == Array(#"USER_IP @b:x ["<token>""#.utf8))
    }

    /// The recordings kept as fixtures hold no token: no cache invalidation keyed by one, and
    /// nothing shaped like one anywhere.
    @Test(arguments: ["hs1-with-hs2.rec", "hs1-without-hs2.rec", "hs1-beside-database.rec"])
    func fixturesHoldNoToken(name: String) throws {
        let text = String(decoding: try fixture(name), as: UTF8.self)
        #expect(!text.contains("syt_") && !text.contains("syr_") && !text.contains("MDAx"))
        for line in text.split(separator: "\n") where line.contains("get_user_by_access_token") {
            #expect(line.contains(#"["get_user_by_access_token",["<token>"]"#), "\(line)")
        }
        for line in text.split(separator: "\n") where line.contains("USER_IP @") {
            #expect(line.contains(#"["<token>","#), "\(line)")
        }
    }

    @Test(arguments: ["hs1-with-hs2.rec", "hs1-without-hs2.rec"])
    func everyRecordedLineParses(name: String) throws {
        var state = WireState()
        state.ingest(recording: try fixture(name))
        #expect(state.lines > 300)
        #expect(state.malformed.isEmpty, "\(state.malformedSamples.elements)")
        #expect(state.unknownStreams.isEmpty)
        #expect(state.commands["RDATA", default: 0] > 100)
        #expect(state.positions[WriterKey("device_lists", "master")] != nil)
        #expect(state.positions[WriterKey("device_lists", "client1")] != nil)
    }

    @Test func theRecordingWithHs2HasEveryKindOfDeviceListRow() throws {
        var state = WireState()
        state.ingest(recording: try fixture("hs1-with-hs2.rec"))
        let changes = state.deviceLists.elements.compactMap { entry -> DeviceListChange? in
            if case .row(let change) = entry { return change }
            return nil
        }
        #expect(changes.contains { !$0.isSignature && !$0.hostsCalculated })
        #expect(changes.contains { !$0.isSignature && $0.hostsCalculated })
        #expect(changes.contains { $0.isSignature })
        for name in ["REMOTE_SERVER_UP", "FEDERATION_ACK", "USER_IP", "USER_SYNC", "LOCK_RELEASED",
                     "NEW_ACTIVE_TASK", "REPLICATE", "POSITION"] {
            #expect(state.commands[name, default: 0] > 0, "\(name)")
        }
        // stream_writer1 was restarted during the recording: typing went back to 0.
        #expect(state.positions[WriterKey("typing", "stream_writer1")]?.restarts ?? 0 >= 1)
        #expect(state.events.elements.contains { $0.kind == .restart && $0.detail == "position 0 after 15" })
        #expect(state.positions[WriterKey("typing", "stream_writer1")]?.token == 6)
    }
}
