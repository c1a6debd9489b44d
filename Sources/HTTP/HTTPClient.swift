import CCurl
import EventLoop
import Foundation
import Glibc

/// One GET: where, how long it may take, and whether a TLS peer must prove who it is.
public struct HTTPRequest: Equatable, Sendable {
    public var url: String
    /// A Unix socket to connect to instead of the URL's host.
    public var unixSocket: String?
    public var timeoutMS: Int
    public var verifyTLS: Bool

    public init(url: String, unixSocket: String? = nil, timeoutMS: Int = 2000, verifyTLS: Bool = true) {
        self.url = url
        self.unixSocket = unixSocket
        self.timeoutMS = timeoutMS
        self.verifyTLS = verifyTLS
    }
}

public enum HTTPOutcome: Equatable, Sendable {
    /// The status line came, and the body was handed over whole.
    case answered(status: Int, seconds: Double)
    case failed(String)
}

/// GET requests through libcurl's multi interface on the event loop: curl says which sockets
/// it waits on and when its next timeout is, the loop polls them, and nothing ever blocks.
/// At most `maxInFlight` requests run at once; the others wait their turn in order.
public final class HTTPClient {
    private final class Transfer {
        let easy: UnsafeMutableRawPointer
        let request: HTTPRequest
        let onBody: (UnsafeRawBufferPointer) -> Bool
        let done: (HTTPOutcome) -> Void
        var stoppedByReader = false
        /// curl's own words for a failure, which it writes while the transfer runs.
        let error = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

        init(easy: UnsafeMutableRawPointer, request: HTTPRequest, onBody: @escaping (UnsafeRawBufferPointer) -> Bool,
             done: @escaping (HTTPOutcome) -> Void) {
            self.easy = easy
            self.request = request
            self.onBody = onBody
            self.done = done
            error.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        }

        deinit {
            error.deallocate()
        }
    }

    private struct Waiting {
        var request: HTTPRequest
        var onBody: (UnsafeRawBufferPointer) -> Bool
        var done: (HTTPOutcome) -> Void
    }

    public let maxInFlight: Int
    private let loop: EventLoop
    private let multi: UnsafeMutableRawPointer
    private var transfers: [UnsafeMutableRawPointer: Transfer] = [:]
    private var waiting: [Waiting] = []
    /// What curl wants of each socket, and the loop's watch of it.
    private var sockets: [Int32: (source: EventLoop.SourceID, events: Int16)] = [:]
    private var timer: EventLoop.TimerID?

    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init(loop: EventLoop, maxInFlight: Int = 8) {
        _ = HTTPClient.initialised
        self.loop = loop
        self.maxInFlight = maxInFlight
        multi = curl_multi_init()!
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = syntop_multi_socket_function(multi) { _, socket, what, context, _ in
            Unmanaged<HTTPClient>.fromOpaque(context!).takeUnretainedValue().socketChanged(socket, what)
            return 0
        }
        _ = syntop_multi_pointer(multi, CURLMOPT_SOCKETDATA, context)
        _ = syntop_multi_timer_function(multi) { _, milliseconds, context in
            Unmanaged<HTTPClient>.fromOpaque(context!).takeUnretainedValue().timerChanged(milliseconds)
            return 0
        }
        _ = syntop_multi_pointer(multi, CURLMOPT_TIMERDATA, context)
    }

    deinit {
        // Nothing may call back into an object that is going away.
        syntop_multi_clear_callbacks(multi)
        cancelAll()
        curl_multi_cleanup(multi)
    }

    public var inFlight: Int { transfers.count }
    public var queued: Int { waiting.count }

    /// Starts a GET, or queues it. `onBody` gets the body as it arrives and returns false to
    /// stop reading; `done` is called once, on the loop, never from inside this call.
    public func get(_ request: HTTPRequest, onBody: @escaping (UnsafeRawBufferPointer) -> Bool = { _ in true },
                    done: @escaping (HTTPOutcome) -> Void) {
        waiting.append(Waiting(request: request, onBody: onBody, done: done))
        startWaiting()
    }

    /// Drops every request, running or queued, without calling their `done`.
    public func cancelAll() {
        waiting.removeAll()
        for (easy, _) in transfers {
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
        }
        transfers.removeAll()
        for (_, socket) in sockets { loop.unwatch(socket.source) }
        sockets.removeAll()
        if let timer { loop.cancel(timer) }
        timer = nil
    }

    private func startWaiting() {
        while transfers.count < maxInFlight, !waiting.isEmpty {
            let next = waiting.removeFirst()
            guard let easy = curl_easy_init() else {
                let done = next.done
                loop.schedule(after: 0) { done(.failed("libcurl could not start a request")) }
                continue
            }
            let transfer = Transfer(easy: easy, request: next.request, onBody: next.onBody, done: next.done)
            configure(transfer)
            transfers[easy] = transfer
            if curl_multi_add_handle(multi, easy) != CURLM_OK {
                transfers[easy] = nil
                curl_easy_cleanup(easy)
                let done = next.done
                loop.schedule(after: 0) { done(.failed("libcurl could not start a request")) }
            }
        }
    }

    private func configure(_ transfer: Transfer) {
        let easy = transfer.easy
        let request = transfer.request
        _ = syntop_easy_string(easy, CURLOPT_URL, request.url)
        if let path = request.unixSocket { _ = syntop_easy_string(easy, CURLOPT_UNIX_SOCKET_PATH, path) }
        _ = syntop_easy_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = syntop_easy_long(easy, CURLOPT_TIMEOUT_MS, request.timeoutMS)
        _ = syntop_easy_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.timeoutMS)
        _ = syntop_easy_string(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = syntop_easy_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        // Every encoding curl can undo: a metrics page compresses well.
        _ = syntop_easy_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        _ = syntop_easy_string(easy, CURLOPT_USERAGENT, "syntop")
        if !request.verifyTLS {
            _ = syntop_easy_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            _ = syntop_easy_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        }
        _ = syntop_easy_pointer(easy, CURLOPT_ERRORBUFFER, transfer.error)
        _ = syntop_easy_write_function(easy) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
            guard transfer.onBody(bytes) else {
                transfer.stoppedByReader = true
                return 0
            }
            return size * count
        }
        _ = syntop_easy_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(transfer).toOpaque())
    }

    /// Why a request failed, as short as an operator reads it on a table row: the system's
    /// word for a refused or unreachable connection, the timeout for a silent listener, and
    /// curl's own sentence otherwise.
    static func reason(_ result: CURLcode, easy: UnsafeMutableRawPointer, detail: String, timeoutMS: Int) -> String {
        switch result {
        case CURLE_COULDNT_CONNECT:
            var code = 0
            _ = syntop_easy_info_long(easy, CURLINFO_OS_ERRNO, &code)
            return code != 0 ? String(cString: strerror(Int32(code))) : String(cString: curl_easy_strerror(result))
        case CURLE_OPERATION_TIMEDOUT:
            return "timed out after " + String(format: "%g", Double(timeoutMS) / 1000) + " s"
        default:
            return detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
        }
    }

    private func socketChanged(_ socket: curl_socket_t, _ what: Int32) {
        if what == CURL_POLL_REMOVE {
            if let watched = sockets.removeValue(forKey: socket) { loop.unwatch(watched.source) }
            return
        }
        var events: Int16 = 0
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { events |= Int16(POLLIN) }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { events |= Int16(POLLOUT) }
        if let watched = sockets[socket] {
            sockets[socket] = (watched.source, events)
            return
        }
        let source = loop.watch(fd: socket, events: { [unowned self] in self.sockets[socket]?.events ?? 0 }) {
            [unowned self] revents in
            var mask: Int32 = 0
            if revents & Int16(POLLIN) != 0 { mask |= CURL_CSELECT_IN }
            if revents & Int16(POLLOUT) != 0 { mask |= CURL_CSELECT_OUT }
            if revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { mask |= CURL_CSELECT_ERR }
            self.act(socket, mask)
        }
        sockets[socket] = (source, events)
    }

    private func timerChanged(_ milliseconds: Int) {
        if let timer { loop.cancel(timer) }
        timer = nil
        guard milliseconds >= 0 else { return }
        // curl must not be driven from inside its own callback: on the next turn of the loop.
        timer = loop.schedule(after: milliseconds) { [unowned self] in
            self.timer = nil
            self.act(CURL_SOCKET_TIMEOUT, 0)
        }
    }

    private func act(_ socket: curl_socket_t, _ mask: Int32) {
        var running: Int32 = 0
        curl_multi_socket_action(multi, socket, mask, &running)
        finishDone()
    }

    private func finishDone() {
        var left: Int32 = 0
        var finished: [(Transfer, HTTPOutcome)] = []
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = transfers.removeValue(forKey: easy) else { continue }
            let result = message.pointee.data.result
            var outcome: HTTPOutcome
            if result == CURLE_OK || (result == CURLE_WRITE_ERROR && transfer.stoppedByReader) {
                var status = 0
                var seconds = 0.0
                _ = syntop_easy_info_long(easy, CURLINFO_RESPONSE_CODE, &status)
                _ = syntop_easy_info_double(easy, CURLINFO_TOTAL_TIME, &seconds)
                outcome = .answered(status: status, seconds: seconds)
            } else {
                outcome = .failed(HTTPClient.reason(result, easy: easy, detail: String(cString: transfer.error),
                                                    timeoutMS: transfer.request.timeoutMS))
            }
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            finished.append((transfer, outcome))
        }
        startWaiting()
        for (transfer, outcome) in finished { transfer.done(outcome) }
    }
}
