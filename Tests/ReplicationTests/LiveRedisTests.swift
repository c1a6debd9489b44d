import Connection
import CHiredis
import EventLoop
import Foundation
import Redis
import Testing
import Wire
@testable import Replication

/// The test command starts a redis-server and names it here; without one these tests are off.
let testRedis = ProcessInfo.processInfo.environment["SYNTOP_TEST_REDIS"]
let testRedisSocket = ProcessInfo.processInfo.environment["SYNTOP_TEST_REDIS_SOCKET"]

let recordingsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/recordings").standardizedFileURL

/// A plain blocking hiredis connection for the test's own commands (PUBLISH, CLIENT KILL).
final class TestRedis {
    let context: UnsafeMutablePointer<redisContext>

    init(_ endpoint: RedisEndpoint) throws {
        guard case .tcp(let host, let port) = endpoint.address,
              let context = redisConnect(host, Int32(port)), context.pointee.err == 0 else {
            throw RedisConnectionError(description: "test connection failed")
        }
        self.context = context
    }

    deinit { redisFree(context) }

    @discardableResult
    func command(_ arguments: [[UInt8]]) -> Int64? {
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        let buffers = arguments.map { bytes -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { buffer.update(from: $0.baseAddress!, count: bytes.count) }
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        for (index, buffer) in buffers.enumerated() {
            pointers.append(UnsafePointer(buffer))
            lengths.append(arguments[index].count)
        }
        guard let raw = redisCommandArgv(context, Int32(arguments.count), &pointers, &lengths) else { return nil }
        defer { freeReplyObject(raw) }
        let reply = raw.assumingMemoryBound(to: redisReply.self).pointee
        return reply.type == REDIS_REPLY_INTEGER ? Int64(reply.integer) : nil
    }
}

/// Runs a client until `until` says so or the deadline passes.
func runClient(_ endpoint: RedisEndpoint, channels: [String], seconds: Double = 10,
               whenSubscribed: @escaping (ReplicationClient, Int) -> Void,
               until: @escaping ([(String, [UInt8])]) -> Bool) -> ([(String, [UInt8])], [ConnectionStatus]) {
    let loop = EventLoop()
    var received: [(String, [UInt8])] = []
    var statuses: [ConnectionStatus] = []
    var subscriptions = 0
    var client: ReplicationClient!
    client = ReplicationClient(
        endpoint: endpoint, channels: channels, loop: loop, now: unixTime,
        onMessages: { messages in
            for message in messages {
                received.append((message.channel, Array(message.payload)))
                if until(received) { loop.stop() }
            }
        },
        onStatus: { status in
            statuses.append(status)
            if case .ready = status {
                subscriptions += 1
                whenSubscribed(client, subscriptions)
            }
        })
    client.start()
    loop.schedule(after: Int(seconds * 1000)) { loop.stop() }
    loop.run()
    client.stop()
    return (received, statuses)
}

/// Publishes a real recording's messages, and bytes no recording has, through `publisher`, and
/// expects them on `subscriber` as they were sent, and the same wire model as from the file.
func expectRecordedTrafficArrives(subscriber: RedisEndpoint, publisher: RedisEndpoint) throws {
    let data = Array(try Data(contentsOf: recordingsFolder.appendingPathComponent("hs1-with-hs2.rec")))
    let prefix = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
    var published: [(String, [UInt8])] = []
    for line in Recording.lines(data) {
        if case .message(_, let recorded, let payload) = Recording.fields(line) {
            let channel = recorded.hasSuffix("/USER_IP") ? prefix + "/USER_IP" : prefix
            published.append((channel, Array(payload)))
        }
    }
    // Bytes no recording has: invalid UTF-8, NUL, CR LF inside a message, and one message of
    // many TLS records.
    let odd: [[UInt8]] = [[0xff, 0x00, 0x0d, 0x0a, 0x52], (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }]
    published += odd.map { (prefix, $0) }
    let sender = try TestRedis(publisher)
    let (received, _) = runClient(subscriber, channels: ReplicationChannels.names(serverName: prefix, userIP: true),
        whenSubscribed: { _, _ in
            for (channel, payload) in published {
                sender.command([Array("PUBLISH".utf8), Array(channel.utf8), payload])
            }
        },
        until: { $0.count == published.count })
    #expect(received.count == published.count)
    #expect(received.map(\.0) == published.map(\.0))
    #expect(received.map(\.1) == published.map(\.1))

    // And the wire model agrees with the recording it came from.
    var fromRedis = WireState()
    for (channel, payload) in received.dropLast(odd.count) { fromRedis.ingest(payload, channel: channel, at: 0) }
    var fromFile = WireState()
    fromFile.ingest(recording: data)
    #expect(fromRedis.commands == fromFile.commands)
    #expect(fromRedis.duplicates == fromFile.duplicates)
}

@Suite(.serialized, .enabled(if: testRedis != nil, "needs SYNTOP_TEST_REDIS (scripts/test starts one)"))
struct LiveRedisTests {
    let endpoint = try! RedisEndpoint.parse(testRedis ?? "redis://127.0.0.1:1")

    @Test func recordedTrafficArrivesByteForByteLineForLine() throws {
        try expectRecordedTrafficArrives(subscriber: endpoint, publisher: endpoint)
    }

    @Test func reconnectsAfterTheServerDropsTheSubscriber() throws {
        let channel = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
        let admin = try TestRedis(endpoint)
        let (received, statuses) = runClient(endpoint, channels: [channel],
            whenSubscribed: { _, count in
                if count == 1 {
                    admin.command([Array("PUBLISH".utf8), Array(channel.utf8), Array("REPLICATE ".utf8)])
                    admin.command(["CLIENT", "KILL", "TYPE", "pubsub"].map { Array($0.utf8) })
                } else {
                    admin.command([Array("PUBLISH".utf8), Array(channel.utf8), Array("POSITION typing w 1 1".utf8)])
                }
            },
            until: { $0.count == 2 })
        #expect(received.map { String(decoding: $0.1, as: UTF8.self) } == ["REPLICATE ", "POSITION typing w 1 1"])
        #expect(statuses.contains { if case .waiting = $0 { return true }; return false })
        #expect(statuses.filter { if case .ready = $0 { return true }; return false }.count == 2)
    }

    /// Redis drops a subscriber whose output buffer passes its limit: syntop, kept from reading
    /// while a backlog piles up, says that this is most likely what happened, and comes back.
    @Test func aSubscriberDroppedForFallingBehindSaysSo() throws {
        let channel = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
        let admin = try TestRedis(endpoint)
        let limit = ["CONFIG", "SET", "client-output-buffer-limit"]
        admin.command((limit + ["pubsub 512kb 512kb 0"]).map { Array($0.utf8) })
        defer { admin.command((limit + ["pubsub 32mb 8mb 60"]).map { Array($0.utf8) }) }
        let payload = Array(repeating: UInt8(ascii: "x"), count: 10_000)
        var clientID: Int64?
        let (_, statuses) = runClient(endpoint, channels: [channel], seconds: 3,
            whenSubscribed: { client, count in
                clientID = client.clientID
                // The loop does not read while this runs: the backlog piles up in Redis.
                guard count == 1 else { return }
                for _ in 0..<3000 { admin.command([Array("PUBLISH".utf8), Array(channel.utf8), payload]) }
            },
            until: { _ in false })
        #expect(clientID != nil)
        let reasons = statuses.compactMap { status -> String? in
            if case .waiting(_, _, let error) = status { return error } else { return nil }
        }
        // What was left to read when Redis closed depends on the kernel's buffers, which a
        // loaded machine keeps small: the wording itself is checked below.
        #expect(reasons.first?.hasPrefix("Server closed the connection") == true, "\(reasons)")
        #expect(statuses.filter { if case .ready = $0 { return true }; return false }.count == 2)
        #expect(RedisConnection.closed(largestRecentTurn: 9_410_000)
                == "Server closed the connection while syntop was reading a backlog (9189 KB in one turn): "
                    + "most likely Redis's output buffer limit for subscribers")
        #expect(RedisConnection.closed(largestRecentTurn: 4096) == "Server closed the connection")
    }

    @Test func aRefusedPasswordIsReportedWithoutThePassword() {
        var wrong = endpoint
        wrong.password = "not-the-password-42"
        let (_, statuses) = runClient(wrong, channels: ["x"], seconds: 1.5, whenSubscribed: { _, _ in }, until: { _ in false })
        let errors = statuses.compactMap { status -> String? in
            if case .waiting(_, _, let error) = status { return error }
            return nil
        }
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.hasPrefix("Redis refused:") && !$0.contains("not-the-password-42") })
    }

    @Test func aClosedPortIsRetriedWithBackoff() {
        let closed = RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 1))
        let (_, statuses) = runClient(closed, channels: ["x"], seconds: 2, whenSubscribed: { _, _ in }, until: { _ in false })
        let waits = statuses.compactMap { status -> Double? in
            if case .waiting(let since, let retryAt, _) = status { return retryAt - since }
            return nil
        }
        #expect(waits.count >= 2)
        #expect(waits.first.map { $0 >= 0.4 && $0 <= 0.6 } == true)
    }

    @Test(.enabled(if: testRedisSocket != nil)) func subscribesOverAUnixSocket() throws {
        let channel = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
        let publisher = try TestRedis(endpoint)
        let (received, _) = runClient(RedisEndpoint(address: .unix(path: testRedisSocket!)), channels: [channel],
            whenSubscribed: { _, _ in
                publisher.command([Array("PUBLISH".utf8), Array(channel.utf8), Array("REPLICATE ".utf8)])
            },
            until: { $0.count == 1 })
        #expect(received.map(\.1) == [Array("REPLICATE ".utf8)])
    }

    @Test func theProbePublishesOneReplicate() throws {
        let channel = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
        var receivers: Int64?
        let (received, _) = runClient(endpoint, channels: [channel],
            whenSubscribed: { client, _ in
                client.probe(serverName: channel) { result in receivers = try? result.get() }
            },
            until: { $0.count == 1 })
        #expect(received.map(\.1) == [Array("REPLICATE".utf8)])
        #expect(receivers == 1)
    }
}
