import CSignals
import Glibc

public struct SignalPipeError: Error, CustomStringConvertible {
    public var description: String
}

/// The self-pipe that turns SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGWINCH and SIGTSTP into bytes
/// the poll loop reads, so signal handlers do nothing but write one byte.
public final class SignalPipe {
    public let readFD: Int32
    private let writeFD: Int32

    public init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw SignalPipeError(description: "cannot create the signal pipe: errno \(errno)")
        }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = ends[0]
        writeFD = ends[1]
        guard ts_route_signals_to_pipe(writeFD) == 0 else {
            throw SignalPipeError(description: "cannot install signal handlers: errno \(errno)")
        }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// The signals that arrived since the last call, in order.
    public func drain() -> [Int32] {
        var signals: [Int32] = []
        var bytes = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(readFD, &bytes, bytes.count)
            if count <= 0 { break }
            signals.append(contentsOf: bytes[0..<count].map { Int32($0) })
        }
        return signals
    }
}
