import Testing
@testable import Wire

/// A recording read a chunk at a time: every line once, whatever falls on a chunk's edge, and
/// a time found without reading what comes before it.
@Suite struct RecordingReaderTests {
    /// `count` messages a tenth of a second apart, with a comment and a bad line among them.
    func recording(_ count: Int, width: Int = 60) -> [UInt8] {
        var text = "# a recording\n"
        for index in 0..<count {
            if index == count / 2 { text += "not a line of a recording\n" }
            let padding = String(repeating: "x", count: index % width)
            text += "\(1_800_000_000 + Double(index) / 10)\ths\tPOSITION typing \(padding)w \(index) \(index + 1)\n"
        }
        return Array(text.utf8)
    }

    @Test func readsEveryLineAcrossChunks() throws {
        let bytes = recording(60_000)
        #expect(bytes.count > 3 * RecordingReader<RecordingBytes>.chunk)
        var reader = RecordingReader(RecordingBytes(bytes))
        var messages = 0
        var bad = 0
        var lastTime = 0.0
        while let line = try reader.next() {
            if let time = line.time {
                #expect(time > lastTime)
                lastTime = time
                messages += 1
            } else {
                bad += 1
            }
        }
        #expect(messages == 60_000 && bad == 1 && reader.offset == Int64(bytes.count))
        #expect(try reader.finished())
        // The same as the whole recording fed at once.
        var state = WireState()
        state.ingest(recording: bytes)
        #expect(state.lines == 60_001 && state.malformed[.badRecording] == 1)
    }

    @Test func aLastLineWithoutANewlineAndAnEmptyRecording() throws {
        var reader = RecordingReader(RecordingBytes(Array("1.0\ths\tREPLICATE\n2.0\ths\tREPLICATE".utf8)))
        #expect(try reader.next()?.time == 1 && reader.next()?.time == 2 && reader.next() == nil)
        var empty = RecordingReader(RecordingBytes([]))
        #expect(try empty.next() == nil && empty.span() == nil)
    }

    @Test func seeksToATimeAndKnowsItsSpan() throws {
        let bytes = recording(60_000)
        var reader = RecordingReader(RecordingBytes(bytes))
        let span = try #require(try reader.span())
        #expect(span.first == 1_800_000_000 && span.last == 1_800_000_000 + 5999.9)
        try reader.seek(time: 1_800_003_000.05)
        #expect(try reader.next()?.time == 1_800_003_000.1)
        try reader.seek(time: 0)
        #expect(try reader.next()?.time == 1_800_000_000)
        try reader.seek(time: 1_900_000_000)
        #expect(try reader.next() == nil)
        // `until` and `end` leave the next message unread.
        try reader.seek(time: 1_800_000_010)
        #expect(try reader.next(until: 1_800_000_009) == nil)
        reader.end = 1_800_000_010.15
        #expect(try reader.next()?.time == 1_800_000_010 && reader.next()?.time == 1_800_000_010.1)
        #expect(try reader.next() == nil && reader.finished())
        #expect(try reader.nextTime() == 1_800_000_010.2)
    }

    /// A seek that lands in a line longer than a chunk, or in a last line with no newline,
    /// finds the next line or the end.
    @Test func seeksIntoALongLineOrAnUnterminatedEnd() throws {
        let long = String(repeating: "z", count: 3 * RecordingReader<RecordingBytes>.chunk)
        let bytes = Array("1.0\ths\tREPLICATE\n2.0\ths\tERROR \(long)".utf8)
        var reader = RecordingReader(RecordingBytes(bytes))
        try reader.seek(offset: Int64(bytes.count / 2))
        while try reader.next() != nil {}
        #expect(reader.offset == Int64(bytes.count))
        #expect(try reader.span()?.first == 1)
        try reader.seek(time: 1.5)
        _ = try reader.next()
        try reader.seek(offset: Int64(bytes.count - 1))
        #expect(try reader.next() == nil)
    }

    @Test func aLineLongerThanAnyMessageComesInPieces() throws {
        let long = String(repeating: "y", count: ReplicationLine.maximumLength + RecordingReader<RecordingBytes>.chunk)
        let bytes = Array("1.0\ths\tERROR \(long)\n2.0\ths\tREPLICATE\n".utf8)
        var reader = RecordingReader(RecordingBytes(bytes))
        var pieces = 0
        var last: Double?
        while let line = try reader.next() {
            pieces += 1
            #expect(line.bytes.count <= ReplicationLine.maximumLength + 4096 + RecordingReader<RecordingBytes>.chunk)
            last = line.time
        }
        #expect(pieces >= 2 && last == 2)
    }

    @Test func timesAsAnOperatorTypesThem() {
        let start = 1_800_000_000.5  // 08:00:00 UTC
        #expect(ReplayTime.parse("08:30", start: start, now: start, utcOffset: 0) == 1_800_001_800)
        #expect(ReplayTime.parse("08:00:00", start: start, now: start, utcOffset: 0) == 1_800_000_000)
        #expect(ReplayTime.parse("07:59", start: start, now: start, utcOffset: 0) == 1_800_086_340)
        #expect(ReplayTime.parse("09:30", start: start, now: start, utcOffset: 3600) == 1_800_001_800)
        #expect(ReplayTime.parse("+90", start: start, now: 1_800_000_100, utcOffset: 0) == 1_800_000_190)
        #expect(ReplayTime.parse("-2m", start: start, now: 1_800_000_200, utcOffset: 0) == 1_800_000_080)
        #expect(ReplayTime.parse("+1h", start: start, now: start, utcOffset: 0) == start + 3600)
        #expect(ReplayTime.parse("1800000123", start: start, now: start, utcOffset: 0) == 1_800_000_123)
        for bad in ["", "25:00", "08:60", "8:00:00:00", "+", "+x", "-1d", "noon", "08:00:-1", "1e400", "+inf"] {
            #expect(ReplayTime.parse(bad, start: start, now: start, utcOffset: 0) == nil, "\(bad)")
        }
    }

    @Test func timesRecordedAsSyntopWritesThemReadExactly() {
        for text in ["1800000000.123456", "1795810683.219491", "0.5", "17", "1800000089.999500"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { Recording.seconds($0) } == Double(text), "\(text)")
        }
        #expect(Array("1.2.3".utf8).withUnsafeBufferPointer { Recording.seconds($0) } == nil)
        #expect(Array("99999999999999999".utf8).withUnsafeBufferPointer { Recording.seconds($0) } == nil)
        // Ten digits and six, read eight at a time: every digit in every place, and a byte that
        // is no digit in any place.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let text = String(UInt64.random(in: 1_000_000_000...8_999_999_999, using: &generator)) + "."
                + String(UInt64.random(in: 1_000_000...1_999_999, using: &generator)).dropFirst()
            #expect(Array(text.utf8).withUnsafeBufferPointer { Recording.seconds($0) } == Double(text), "\(text)")
        }
        for place in [0, 3, 7, 8, 9, 11, 16] {
            for bad: UInt8 in [0x2F, 0x3A, 0x20, 0x80, 0xFF, 0x00] {
                var bytes = Array("1800000000.123456".utf8)
                bytes[place] = bad
                #expect(bytes.withUnsafeBufferPointer { Recording.seconds($0) } == nil, "\(bad) at \(place)")
            }
        }
    }
}
