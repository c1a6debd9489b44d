#if canImport(Glibc)
import Glibc
#endif

/// Where a recording's bytes come from: a file read a piece at a time, or bytes in memory.
public protocol RecordingSource {
    var size: Int64 { get }
    /// Fills `buffer` with the bytes from `offset`, all of it but at the end; how many.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A recording held in memory (tests, and a recording handed over whole).
public struct RecordingBytes: RecordingSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: Int64 { Int64(bytes.count) }
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let start = Int(min(max(0, offset), size))
        let count = min(bytes.count - start, buffer.count)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { bytes in
            buffer.baseAddress?.copyMemory(from: bytes.baseAddress! + start, byteCount: count)
        }
        return count
    }
}

/// Reads a recording line by line a chunk at a time, so memory stays flat whatever its size,
/// and finds a time in it by bisection, without reading what comes before.
public struct RecordingReader<Source: RecordingSource> {
    /// One line of the recording, and the time of the message it holds (nil for a line that
    /// is not a message).
    public struct Line {
        public var bytes: ArraySlice<UInt8>
        /// The line read once, for the wire state to take as it is.
        public var fields: Recording.Fields
        public var time: Double? {
            if case .message(let time, _, _) = fields { time } else { nil }
        }
    }

    public let source: Source
    /// 256 KB: a chunk the processor's cache holds while its lines are read.
    public static var chunk: Int { 1 << 18 }
    /// The bytes read, the first `filled` of them valid: a buffer keeps its size from one
    /// chunk to the next, so its pages are not the kernel's to clear again.
    private var buffer: [UInt8] = []
    private var filled = 0
    /// The buffer the next chunk is read into (`lineEnd`).
    private var spare: [UInt8] = []
    private var start = 0
    private var bufferOffset: Int64 = 0
    private var exhausted = false
    /// The channel named by the line before (`Recording.ChannelName`).
    private var channels: Recording.ChannelName?
    /// Messages after this time are not read: the end of `--to`.
    public var end: Double?

    public init(_ source: Source, end: Double? = nil) {
        self.source = source
        self.end = end
    }

    /// Where the next line starts, in bytes.
    public var offset: Int64 { bufferOffset + Int64(start) }

    /// The next line, or nil at the end of the recording, or before a message past `until`
    /// or `end` (which stays unread). Comments are skipped.
    public mutating func next(until: Double? = nil) throws -> Line? {
        while true {
            guard let newline = try lineEnd() else { return nil }
            let bytes = buffer[start..<newline]
            let fields = Recording.fields(bytes, channels: &channels)
            if case .comment = fields {
                start = min(filled, newline + 1)
                continue
            }
            if case .message(let time, _, _) = fields, time > min(until ?? .infinity, end ?? .infinity) { return nil }
            start = min(filled, newline + 1)
            return Line(bytes: bytes, fields: fields)
        }
    }

    /// Reads every line left, up to `end`: each message goes to `message` (its time, channel
    /// and message) where its bytes lie in the reader's buffer, valid only during the call; any
    /// other line but a comment to `other`, as `next` gives it. The replay of a whole recording,
    /// with no value made per line.
    public mutating func readAll(
        message: (_ time: Double, _ channel: UnsafeBufferPointer<UInt8>, _ payload: UnsafeBufferPointer<UInt8>) -> Void,
        other: (Line) -> Void
    ) throws {
        let last = end ?? .infinity
        while let first = try lineEnd() {
            var position = start
            var stopped = false
            buffer.withUnsafeBufferPointer { whole in
                let all = UnsafeBufferPointer(rebasing: whole[..<filled])
                var newline = first
                while true {
                    let line = UnsafeBufferPointer(rebasing: all[position..<newline])
                    if let parts = Recording.message(line) {
                        if parts.time > last {
                            stopped = true
                            return
                        }
                        message(parts.time, UnsafeBufferPointer(rebasing: line[parts.channel]),
                                UnsafeBufferPointer(rebasing: line[parts.payload]))
                    } else {
                        let bytes = buffer[position..<newline]
                        let fields = Recording.fields(bytes, channels: &channels)
                        if case .message(let time, _, _) = fields, time > last {
                            stopped = true
                            return
                        }
                        if case .comment = fields {} else { other(Line(bytes: bytes, fields: fields)) }
                    }
                    position = min(all.count, newline + 1)
                    // The next line, while its end is in the buffer; the reader reads on for the rest.
                    guard position < all.count, let next = memchr(all.baseAddress! + position, 0x0A, all.count - position)
                    else { return }
                    newline = all.baseAddress!.distance(to: next.assumingMemoryBound(to: UInt8.self))
                }
            }
            start = position
            if stopped { return }
        }
    }

    /// Whether every line has been read (or the rest lies past `end`).
    public func finished() throws -> Bool {
        var peek = self
        return try peek.next() == nil
    }

    /// The time of the next message, without reading past it.
    public func nextTime() throws -> Double? {
        var peek = self
        peek.end = nil
        while let line = try peek.next() {
            if let time = line.time { return time }
        }
        return nil
    }

    /// Goes to the start of the line at or after `offset`.
    public mutating func seek(offset target: Int64) throws {
        let target = min(max(0, target), source.size)
        buffer = []
        filled = 0
        start = 0
        exhausted = false
        bufferOffset = target
        guard target > 0 else { return }
        // The line that `target` falls in starts before it: skip to the next one, unless the
        // byte before is a newline.
        var before: UInt8 = 0
        _ = try withUnsafeMutableBytes(of: &before) { try source.read(at: target - 1, into: $0) }
        bufferOffset = target - 1
        buffer = [before]
        filled = 1
        if before != UInt8(ascii: "\n") {
            guard let newline = try lineEnd() else { return }
            start = min(filled, newline + 1)
        } else {
            start = 1
        }
    }

    /// Goes to the first message at or after `time` (recordings are in the order lines
    /// arrived, so their times only grow). Reads a few chunks, whatever the size.
    public mutating func seek(time: Double) throws {
        var low: Int64 = 0
        var high = source.size
        while high - low > Int64(Self.chunk) {
            let middle = low + (high - low) / 2
            try seek(offset: middle)
            if let at = try nextTime(), at < time { low = middle } else { high = middle }
        }
        try seek(offset: low)
        // A line that is not a message, among earlier ones, goes with them.
        while let at = try nextTime(), at < time {
            let saved = end
            end = nil
            _ = try next()
            end = saved
        }
    }

    /// The time of the first and of the last message, reading only the start and the end.
    public func span() throws -> (first: Double, last: Double)? {
        let head = RecordingReader(source)
        guard let first = try head.nextTime() else { return nil }
        var tail = RecordingReader(source)
        var from = max(0, source.size - Int64(Self.chunk))
        while true {
            try tail.seek(offset: from)
            var last: Double?
            while let line = try tail.next() {
                if let time = line.time { last = time }
            }
            if let last { return (first, last) }
            guard from > 0 else { return (first, first) }
            from = max(0, from - Int64(Self.chunk))
        }
    }

    /// The first newline at or after `start`: memchr, which reads many bytes a step.
    private static func newline(in bytes: [UInt8], _ filled: Int, from start: Int) -> Int? {
        guard start < filled else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            memchr(buffer.baseAddress! + start, 0x0A, filled - start).map {
                buffer.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    /// The index in `buffer` of the newline ending the next line (or of the end of the
    /// recording), reading more as needed; nil when nothing is left.
    private mutating func lineEnd() throws -> Int? {
        var scanned = start
        while true {
            if let newline = RecordingReader.newline(in: buffer, filled, from: scanned) { return newline }
            if exhausted {
                return start < filled ? filled : nil
            }
            // A line longer than any message syntop takes goes on in pieces, each refused as
            // malformed, rather than held whole.
            let kept = filled - start
            if kept > ReplicationLine.maximumLength + 4096 { return filled }
            // The unread part, then the next chunk read straight after it, into the spare
            // buffer (kept from the read before, its pages already the process's); the two
            // change places only when the read succeeds, so a failed read changes nothing.
            let from = start
            let offset = bufferOffset + Int64(start)
            if spare.count < kept + Self.chunk {
                spare = [UInt8](repeating: 0, count: kept + Self.chunk)
            }
            let source = self.source
            let got = try buffer.withUnsafeBufferPointer { old in
                try spare.withUnsafeMutableBytes { raw in
                    if kept > 0 { raw.baseAddress!.copyMemory(from: old.baseAddress! + from, byteCount: kept) }
                    return try source.read(at: offset + Int64(kept),
                                           into: UnsafeMutableRawBufferPointer(rebasing: raw[kept..<(kept + Self.chunk)]))
                }
            }
            swap(&buffer, &spare)
            filled = kept + got
            bufferOffset = offset
            start = 0
            scanned = kept
            if got < Self.chunk { exhausted = true }
        }
    }
}
