import CLibPQ
import EventLoop
import Glibc
import Store

/// One connection to PostgreSQL that cannot write: `default_transaction_read_only` and a
/// `statement_timeout` are set at connection time, `application_name` is syntop. JIT is off:
/// syntop's reads are bounded and take milliseconds, and a capped walk the planner overestimates
/// paid a quarter of a second compiling (the biggest room's servers: 31 ms run, 240 ms JIT). Connecting
/// and querying never block; the event loop drives the socket. One query runs at a time,
/// the others wait their turn.
public final class PGConnection {
    public enum State: Equatable {
        case connecting
        case ready
        case failed(PGError)
    }

    private var conn: OpaquePointer?
    private let loop: EventLoop
    private var source: EventLoop.SourceID?
    private var pollingWrite = true
    private var queue: [(sql: String, parameters: [String?], done: (Result<PGRows, PGError>) -> Void)] = []
    private var running: ((Result<PGRows, PGError>) -> Void)?
    private var pending: Result<PGRows, PGError>?
    public private(set) var state: State = .connecting
    private let onState: (State) -> Void

    /// `conninfo` is a libpq keyword string or URI; PG* variables, .pgpass and service files
    /// apply as for any libpq program.
    public init(conninfo: String, statementTimeoutMS: Int, loop: EventLoop, onState: @escaping (State) -> Void = { _ in }) {
        self.loop = loop
        self.onState = onState
        let options = "-c default_transaction_read_only=on -c statement_timeout=\(statementTimeoutMS) -c jit=off"
        let keywords = ["dbname", "application_name", "options"]
        let values = [conninfo, "syntop", options]
        let made = withCStrings(keywords) { k in
            withCStrings(values) { v in PQconnectStartParams(k, v, 1) }
        }
        guard let made, PQstatus(made) != CONNECTION_BAD else {
            let message = made.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let made { PQfinish(made) }
            fail(PGError(sqlstate: nil, message: PGConnection.clean(message)))
            return
        }
        conn = made
        PQsetnonblocking(made, 1)
        // Notices would otherwise be printed over the screen.
        PQsetNoticeProcessor(made, { _, _ in }, nil)
        source = loop.watch(fd: PQsocket(made), events: { [unowned self] in
            Int16(POLLIN) | (self.pollingWrite ? Int16(POLLOUT) : 0)
        }) { [unowned self] _ in self.ready() }
    }

    deinit {
        close()
    }

    /// Closes the connection for good: what waits is answered with an error, so nothing holds
    /// on to it, and a later query is refused.
    public func close() {
        if let source { loop.unwatch(source) }
        source = nil
        if let conn { PQfinish(conn) }
        conn = nil
        let error: PGError
        if case .failed(let failure) = state {
            error = failure
        } else {
            error = PGConnection.closed
            state = .failed(error)
        }
        let waiting = (running.map { [$0] } ?? []) + queue.map(\.done)
        running = nil
        queue.removeAll()
        for done in waiting { done(.failure(error)) }
    }

    static let closed = PGError(sqlstate: nil, message: "connection closed")

    /// libpq's messages end in a newline and may hold several lines (a hint on the next one,
    /// after a tab): one line for a screen, a status line or a JSON field.
    static func clean(_ message: String) -> String {
        message.split(whereSeparator: { $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == " " })
            .joined(separator: " ")
    }

    /// Closing answers what waits with this error.
    private func fail(_ error: PGError) {
        state = .failed(error)
        close()
        onState(state)
    }

    /// Queues a query; `done` runs on the loop's thread with its rows or error.
    public func query(_ sql: String, _ parameters: [String?] = [], done: @escaping (Result<PGRows, PGError>) -> Void) {
        if case .failed(let error) = state {
            done(.failure(error))
            return
        }
        queue.append((sql, parameters, done))
        sendNext()
    }

    private func sendNext() {
        guard state == .ready, running == nil, !queue.isEmpty, let conn else { return }
        let next = queue.removeFirst()
        let sent = withOptionalCStrings(next.parameters) { values in
            PQsendQueryParams(conn, next.sql, Int32(next.parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else {
            next.done(.failure(PGError(sqlstate: nil, message: PGConnection.clean(String(cString: PQerrorMessage(conn))))))
            sendNext()
            return
        }
        running = next.done
        pending = nil
        pollingWrite = PQflush(conn) == 1
    }

    private func ready() {
        guard let conn else { return }
        if state == .connecting {
            switch PQconnectPoll(conn) {
            case PGRES_POLLING_OK:
                state = .ready
                pollingWrite = false
                onState(state)
                sendNext()
            case PGRES_POLLING_FAILED:
                fail(PGError(sqlstate: nil, message: PGConnection.clean(String(cString: PQerrorMessage(conn)))))
            case PGRES_POLLING_WRITING:
                pollingWrite = true
            default:
                pollingWrite = false
            }
            return
        }
        if pollingWrite {
            pollingWrite = PQflush(conn) == 1
        }
        guard PQconsumeInput(conn) == 1 else {
            fail(PGError(sqlstate: nil, message: PGConnection.clean(String(cString: PQerrorMessage(conn)))))
            return
        }
        // Every result is read until NULL, errors included, before the next query.
        while PQisBusy(conn) == 0 {
            guard let result = PQgetResult(conn) else {
                if let done = running {
                    running = nil
                    done(pending ?? .success(PGRows(columns: [], rows: [])))
                    pending = nil
                }
                sendNext()
                return
            }
            pending = PGConnection.read(result)
            PQclear(result)
        }
        if PQstatus(conn) == CONNECTION_BAD {
            fail(PGError(sqlstate: nil, message: "connection lost"))
        }
    }

    private static func read(_ result: OpaquePointer) -> Result<PGRows, PGError> {
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
            let columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
            let rows = (0..<PQntuples(result)).map { row in
                (0..<PQnfields(result)).map { column -> String? in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                }
            }
            return .success(PGRows(columns: columns, rows: rows))
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? clean(String(cString: PQresultErrorMessage(result)))
            return .failure(PGError(sqlstate: state, message: message))
        }
    }
}

func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies = strings.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body(pointers.isEmpty ? nil : $0.baseAddress) }
}
