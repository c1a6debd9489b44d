import CMicroHTTPD
import EventLoop
import Glibc

/// What a request gets back.
public struct HTTPResponse: Equatable, Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public init(status: Int, text: String) {
        self.init(status: status, body: Array(text.utf8))
    }
}

public struct HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// An HTTP server for a few GET pages, run by libmicrohttpd on syntop's event loop: its epoll
/// descriptor is watched like any other, and it never starts a thread. Bounded: connections in
/// all and per address, the memory of each (which caps a request's size), and an idle timeout,
/// so a slow or silent client costs a slot for a while and stalls nothing.
public final class HTTPServer {
    public struct Limits: Sendable {
        public var connections: UInt32 = 32
        public var perAddress: UInt32 = 8
        /// Per connection, for the request line and headers (libmicrohttpd answers 431 past it).
        public var memory = 32 << 10
        public var timeoutSeconds: UInt32 = 10
        public init() {}
    }

    /// Gets the method and the path (with its query), and answers; it runs on the loop.
    public typealias Handler = (_ method: String, _ path: String) -> HTTPResponse

    private var daemon: OpaquePointer?
    private let loop: EventLoop
    private let handler: Handler
    private var source: EventLoop.SourceID?
    private var timer: EventLoop.TimerID?
    public private(set) var port = 0

    /// Listens on `host:port` (a name, an IPv4 or an IPv6 address; port 0 picks a free one).
    public init(host: String, port: Int, loop: EventLoop, limits: Limits = Limits(),
                handler: @escaping Handler) throws(HTTPServerError) {
        self.loop = loop
        self.handler = handler
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &found)
        guard resolved == 0, let found, let address = found.pointee.ai_addr else {
            throw HTTPServerError("cannot listen on \(host):\(port): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(found) }
        let ipv6 = found.pointee.ai_family == AF_INET6
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let made = syntop_mhd_start(address, ipv6 ? 1 : 0, HTTPServer.access, context, limits.connections,
                                          limits.perAddress, limits.memory, limits.timeoutSeconds) else {
            throw HTTPServerError("cannot listen on \(host):\(port): the address is in use, or not this machine's")
        }
        daemon = made
        self.port = Int(syntop_mhd_port(made))
        let fd = syntop_mhd_epoll_fd(made)
        guard fd >= 0 else {
            MHD_stop_daemon(made)
            daemon = nil
            throw HTTPServerError("libmicrohttpd gave no epoll descriptor")
        }
        source = loop.watch(fd: fd, events: { Int16(POLLIN) }) { [unowned self] _ in self.run() }
        run()
    }

    deinit { stop() }

    public func stop() {
        if let source { loop.unwatch(source) }
        source = nil
        if let timer { loop.cancel(timer) }
        timer = nil
        if let daemon { MHD_stop_daemon(daemon) }
        daemon = nil
    }

    /// Lets libmicrohttpd do what is ready, then wakes it again when its next timeout is due
    /// (an idle connection to close; 0 when it has work left that epoll will not signal again).
    private func run() {
        guard let daemon else { return }
        MHD_run(daemon)
        if let timer { loop.cancel(timer) }
        timer = nil
        var milliseconds: CUnsignedLongLong = 0
        // At its connection limit libmicrohttpd takes the listening socket out of its epoll
        // set, and a connection that queued meanwhile raises no new event when it is put back:
        // a run at least every second takes it.
        let due = MHD_get_timeout(daemon, &milliseconds) == .YES ? min(milliseconds, 1000) : 1000
        timer = loop.schedule(after: Int(due)) { [unowned self] in
            self.timer = nil
            self.run()
        }
    }

    /// libmicrohttpd's callback: answers a GET or HEAD at once (there is no body to wait for),
    /// anything else with 405.
    private static let access: MHD_AccessHandlerCallback = { context, connection, url, method, _, _, uploadSize, _ in
        guard let context, let connection else { return .NO }
        let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
        let verb = method.map { String(cString: $0) } ?? ""
        let path = url.map { String(cString: $0) } ?? "/"
        var response: HTTPResponse
        if verb == "GET" || verb == "HEAD" {
            response = server.handler("GET", path)
        } else {
            response = HTTPResponse(status: 405, text: "only GET\n")
        }
        if let uploadSize { uploadSize.pointee = 0 }
        let body = verb == "HEAD" ? [] : response.body
        let made = body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                            .RESPMEM_MUST_COPY)
        }
        guard let made else { return .NO }
        defer { MHD_destroy_response(made) }
        MHD_add_response_header(made, "Content-Type", response.contentType)
        if response.status == 405 { MHD_add_response_header(made, "Allow", "GET, HEAD") }
        return MHD_queue_response(connection, UInt32(response.status), made)
    }
}

/// Where a server listens: `HOST:PORT`, `[V6]:PORT`, or `:PORT` for every address.
public struct ListenAddress: Equatable, Sendable {
    public var host: String
    public var port: Int

    /// What is wrong with a text that is no address, in words for the option that took it.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(Problem) {
        var host: Substring
        var port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(after: close)...].drop { $0 == ":" }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            throw Problem(description: "--listen takes HOST:PORT, e.g. 127.0.0.1:9469")
        }
        if host.isEmpty { host = "0.0.0.0" }
        guard let number = Int(port), (0...65535).contains(number) else {
            throw Problem(description: "--listen: bad port '\(port.prefix(10))'")
        }
        self.host = String(host)
        self.port = number
    }
}
