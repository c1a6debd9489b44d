import Foundation
import Observation
import Wire

/// A recording on disk, read a chunk at a time with pread: a replay of any size holds one chunk.
/// A pipe (`--replay <(zstdcat x.rec.zst)`) cannot be read at an offset, so it is read whole.
public final class RecordingFile: RecordingSource {
    public let path: String
    private let descriptor: Int32
    public let size: Int64
    /// All of a recording that is not a regular file.
    private let whole: RecordingBytes?

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        self.descriptor = descriptor
        guard descriptor >= 0 else {
            throw Failure(description: "cannot read the recording \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw Failure(description: "cannot read the recording \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) != S_IFREG else {
            size = Int64(info.st_size)
            whole = nil
            return
        }
        var bytes: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = piece.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                close(descriptor)
                throw Failure(description: "reading the recording \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            bytes += piece[..<got]
        }
        whole = RecordingBytes(bytes)
        size = Int64(bytes.count)
    }

    deinit { close(descriptor) }

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let whole { return whole.read(at: offset, into: buffer) }
        var filled = 0
        while filled < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                throw Failure(description: "reading the recording \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }
}

/// `--from` and `--to` of a replay, as given.
public struct ReplayWindow {
    public var from: String?
    public var to: String?

    public init(from: String? = nil, to: String? = nil) {
        self.from = from
        self.to = to
    }

    public var isEmpty: Bool { from == nil && to == nil }

    /// The recording open at `--from`, ending at `--to`, and where it runs; a time that is no
    /// time, or a window outside the recording (or in one with no message), is an error that
    /// says so.
    public func open(_ path: String, utcOffset: Int) throws -> (RecordingReader<RecordingFile>, RecordingSpan) {
        var reader = RecordingReader(try RecordingFile(path: path))
        guard let span = try reader.span() else {
            guard isEmpty else {
                throw RecordingFile.Failure(description: "the recording \(path) holds no message")
            }
            // Nothing to play, and nothing wrong with that.
            return (reader, RecordingSpan(size: reader.source.size, first: 0, last: 0))
        }
        // A step (`+5m`) counts from the recording's start for --from, and from --from for --to.
        func time(_ text: String?, _ option: String, from: Double) throws -> Double? {
            guard let text else { return nil }
            guard let time = ReplayTime.parse(text, start: span.first, now: from, utcOffset: utcOffset) else {
                throw RecordingFile.Failure(description: "\(option) '\(text)' is not a time: give HH:MM[:SS], +N[s|m|h] or unix seconds")
            }
            return time
        }
        let from = try time(from, "--from", from: span.first)
        let to = try time(to, "--to", from: from ?? span.first)
        let shown = { (time: Double) in TimeText.clock(time, utcOffset: utcOffset) }
        if let from, from > span.last {
            throw RecordingFile.Failure(description: "--from \(shown(from)) is after the recording's last message (\(shown(span.last)))")
        }
        if let to, to < (from ?? span.first) {
            throw RecordingFile.Failure(description: "--to \(shown(to)) is before the replay's start (\(shown(from ?? span.first)))")
        }
        if let from { try reader.seek(time: from) }
        reader.end = to
        return (reader, RecordingSpan(size: reader.source.size, first: span.first, last: span.last,
                                      start: try reader.nextTime(), end: to))
    }
}
