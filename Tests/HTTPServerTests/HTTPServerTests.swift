import EventLoop
import Glibc
import HTTP
import Testing
@testable import HTTPServer

/// The server and a libcurl client on one loop, as the exporter and Prometheus would be.
final class Harness {
    let loop = EventLoop()
    let server: HTTPServer
    let client: HTTPClient

    init(limits: HTTPServer.Limits = HTTPServer.Limits()) throws {
        server = try HTTPServer(host: "127.0.0.1", port: 0, loop: loop, limits: limits) { _, path in
            if path == "/metrics" { return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: Array("up 1\n".utf8)) }
            return HTTPResponse(status: 404, text: "no\n")
        }
        client = HTTPClient(loop: loop)
    }

    /// GETs `path` and runs the loop until the answer, or `seconds`.
    func get(_ path: String, seconds: Int = 5) -> (HTTPOutcome?, String) {
        var body: [UInt8] = []
        var outcome: HTTPOutcome?
        client.get(HTTPRequest(url: "http://127.0.0.1:\(server.port)\(path)"), onBody: { bytes in
            body += bytes
            return true
        }) { result in
            outcome = result
            self.loop.stop()
        }
        let deadline = loop.schedule(after: seconds * 1000) { self.loop.stop() }
        loop.run()
        loop.cancel(deadline)
        return (outcome, String(decoding: body, as: UTF8.self))
    }

    /// A raw connection to the server, left as the test makes it.
    func connect() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return fd
    }

    /// Turns the loop for `milliseconds`, so the server does what it can.
    func turn(_ milliseconds: Int) {
        loop.schedule(after: milliseconds) { self.loop.stop() }
        loop.run()
    }
}

@Suite(.serialized) struct HTTPServerTests {
    @Test func servesAPageAndSaysNotFoundForOthers() throws {
        let harness = try Harness()
        let (outcome, body) = harness.get("/metrics")
        if case .answered(let status, _)? = outcome { #expect(status == 200) } else { Issue.record("\(String(describing: outcome))") }
        #expect(body == "up 1\n")
        let (missing, _) = harness.get("/nope")
        if case .answered(let status, _)? = missing { #expect(status == 404) } else { Issue.record("no answer") }
    }

    @Test func anythingButGetIsRefused() throws {
        let harness = try Harness()
        let fd = harness.connect()
        defer { close(fd) }
        let request = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        harness.turn(200)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let got = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(got > 0)
        #expect(String(decoding: buffer.prefix(max(0, got)), as: UTF8.self).hasPrefix("HTTP/1.1 405"))
    }

    @Test func aRequestPastTheMemoryLimitIsRefusedNotRead() throws {
        var limits = HTTPServer.Limits()
        limits.memory = 8 << 10
        let harness = try Harness(limits: limits)
        let fd = harness.connect()
        defer { close(fd) }
        let request = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 64 << 10) + "\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_DONTWAIT)) }
        harness.turn(300)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let got = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        let answer = String(decoding: buffer.prefix(max(0, got)), as: UTF8.self)
        // libmicrohttpd answers 431 and closes.
        #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(40))")
    }

    @Test func slowClientsStallNobody() throws {
        var limits = HTTPServer.Limits()
        limits.perAddress = 20
        let harness = try Harness(limits: limits)
        // Five clients that send half a request and then nothing.
        let idle = (0..<5).map { _ in harness.connect() }
        defer { idle.forEach { close($0) } }
        for fd in idle { _ = "GET /metr".withCString { send(fd, $0, strlen($0), 0) } }
        harness.turn(100)
        let started = harness.loop.now
        let (outcome, body) = harness.get("/metrics")
        #expect(body == "up 1\n")
        if case .answered(let status, _)? = outcome { #expect(status == 200) } else { Issue.record("no answer") }
        #expect(harness.loop.now - started < 1_000_000_000)
    }

    @Test func theConnectionLimitHolds() throws {
        var limits = HTTPServer.Limits()
        limits.connections = 4
        limits.perAddress = 4
        let harness = try Harness(limits: limits)
        var held = (0..<4).map { _ in harness.connect() }
        defer { held.forEach { close($0) } }
        harness.turn(100)
        // A fifth waits in the kernel's queue, unserved, until a slot is free; then it is
        // taken within a second.
        let extra = harness.connect()
        defer { close(extra) }
        _ = "GET /metrics HTTP/1.0\r\n\r\n".withCString { send(extra, $0, strlen($0), 0) }
        harness.turn(200)
        var buffer = [UInt8](repeating: 0, count: 4096)
        #expect(recv(extra, &buffer, buffer.count, Int32(MSG_DONTWAIT)) < 0)
        close(held.removeFirst())
        var got = -1
        for _ in 0..<20 where got <= 0 {
            harness.turn(100)
            got = recv(extra, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        }
        #expect(String(decoding: buffer.prefix(max(0, got)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
    }

    @Test func anAddressInUseIsAClearError() throws {
        let harness = try Harness()
        #expect(throws: HTTPServerError("cannot listen on 127.0.0.1:\(harness.server.port): the address is in use, or not this machine's")) {
            try HTTPServer(host: "127.0.0.1", port: harness.server.port, loop: harness.loop) { _, _ in HTTPResponse(status: 200, text: "") }
        }
    }
}
