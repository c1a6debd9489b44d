import EventLoop
import Glibc
import Testing
@testable import HTTP

/// A listener on loopback that the same event loop serves: it answers each connection with
/// `response`, or never when `response` is nil.
private final class LoopbackServer {
    let port: Int
    private let listener: Int32
    private var clients: [Int32] = []

    init(loop: EventLoop, response: String?) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                _ = bind(fd, pointer, length)
                _ = getsockname(fd, pointer, &length)
            }
        }
        listen(fd, 16)
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        loop.watch(fd: listener, events: { Int16(POLLIN) }) { [unowned self] _ in
            let client = accept(self.listener, nil, nil)
            guard client >= 0 else { return }
            self.clients.append(client)
            guard let response else { return }
            // Answered once the request is there: the client runs on this same loop.
            var watch: EventLoop.SourceID = 0
            watch = loop.watch(fd: client, events: { Int16(POLLIN) }) { _ in
                var request = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &request, request.count)
                _ = response.withCString { write(client, $0, strlen($0)) }
                shutdown(client, Int32(SHUT_WR))
                loop.unwatch(watch)
            }
        }
    }

    deinit {
        clients.forEach { close($0) }
        close(listener)
    }
}

@Suite struct HTTPClientTests {
    func run(_ loop: EventLoop, seconds: Int = 5, until done: @escaping () -> Bool) {
        loop.schedule(after: 10, repeating: 10) { if done() { loop.stop() } }
        loop.schedule(after: seconds * 1000) { loop.stop() }
        loop.run()
    }

    @Test func getsTheStatusAndTheBody() {
        let loop = EventLoop()
        let server = LoopbackServer(loop: loop, response: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK")
        let client = HTTPClient(loop: loop)
        var body: [UInt8] = []
        var outcome: HTTPOutcome?
        client.get(HTTPRequest(url: "http://127.0.0.1:\(server.port)/health"), onBody: { body += $0; return true }) {
            outcome = $0
        }
        run(loop) { outcome != nil }
        guard case .answered(let status, let seconds) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(status == 200 && seconds < 2)
        #expect(String(decoding: body, as: UTF8.self) == "OK")
    }

    @Test func aListenerThatNeverAnswersTimesOutWhileTheLoopGoesOn() {
        let loop = EventLoop()
        let server = LoopbackServer(loop: loop, response: nil)
        let client = HTTPClient(loop: loop)
        var outcome: HTTPOutcome?
        var ticks = 0
        loop.schedule(after: 50, repeating: 50) { ticks += 1 }
        let started = monotonicNanoseconds()
        client.get(HTTPRequest(url: "http://127.0.0.1:\(server.port)/health", timeoutMS: 300)) { outcome = $0 }
        run(loop) { outcome != nil }
        let elapsed = Double(monotonicNanoseconds() - started) / 1e9
        guard case .failed(let error) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(error.lowercased().contains("timed out") || error.lowercased().contains("timeout"), "\(error)")
        #expect(elapsed >= 0.25 && elapsed < 2, "\(elapsed)")
        #expect(ticks >= 4, "the loop kept running: \(ticks) ticks")
    }

    @Test func aRefusedConnectionFailsWithItsReason() {
        let loop = EventLoop()
        let client = HTTPClient(loop: loop)
        var outcome: HTTPOutcome?
        client.get(HTTPRequest(url: "http://127.0.0.1:1/health")) { outcome = $0 }
        run(loop) { outcome != nil }
        guard case .failed(let error) = outcome else { Issue.record("\(String(describing: outcome))"); return }
        #expect(error.contains("refused") || error.contains("connect"), "\(error)")
    }

    @Test func atMostSoManyRunAtOnceAndTheRestWait() {
        let loop = EventLoop()
        let server = LoopbackServer(loop: loop, response: "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        let client = HTTPClient(loop: loop, maxInFlight: 2)
        var statuses: [Int] = []
        for _ in 0..<5 {
            client.get(HTTPRequest(url: "http://127.0.0.1:\(server.port)/")) { outcome in
                if case .answered(let status, _) = outcome { statuses.append(status) }
            }
        }
        #expect(client.inFlight == 2 && client.queued == 3)
        run(loop) { statuses.count == 5 }
        #expect(statuses == [204, 204, 204, 204, 204])
    }

    @Test func theReaderMayStopTheBody() {
        let loop = EventLoop()
        let big = String(repeating: "x", count: 200_000)
        let server = LoopbackServer(loop: loop, response: "HTTP/1.1 200 OK\r\nContent-Length: \(big.count)\r\n\r\n" + big)
        let client = HTTPClient(loop: loop)
        var read = 0
        var outcome: HTTPOutcome?
        client.get(HTTPRequest(url: "http://127.0.0.1:\(server.port)/"), onBody: { read += $0.count; return read < 1000 }) {
            outcome = $0
        }
        run(loop) { outcome != nil }
        #expect(outcome.map { if case .answered(200, _) = $0 { true } else { false } } == true, "\(String(describing: outcome))")
        #expect(read < 200_000)
    }
}
