import Connection
import EventLoop
import Foundation
import Redis
import TLS
import Testing
@testable import Replication

/// The test command starts redis-servers over TLS with certificates it made (scripts/tls-redis)
/// and names them here; without them these tests are off.
let tlsEnvironment = ProcessInfo.processInfo.environment
let testTLSFolder = tlsEnvironment["SYNTOP_TEST_TLS_DIR"]

@Suite(.serialized, .enabled(if: testTLSFolder != nil, "needs SYNTOP_TEST_TLS_DIR (scripts/test starts the servers)"))
struct LiveRedisTLSTests {
    let folder = testTLSFolder ?? "/nonexistent"

    func endpoint(_ variable: String, ca: String? = "ca.pem", client: Bool = false) -> RedisEndpoint {
        var endpoint = try! RedisEndpoint.parse(tlsEnvironment[variable] ?? "rediss://127.0.0.1:1")
        endpoint.tls = TLSSettings(caFile: ca.map { "\(folder)/\($0)" },
                                   certificateFile: client ? "\(folder)/client.pem" : nil,
                                   privateKeyFile: client ? "\(folder)/client.key" : nil)
        return endpoint
    }

    /// The errors of the first attempts of a client that never subscribes.
    func failures(_ endpoint: RedisEndpoint, seconds: Double = 1.5) -> [String] {
        let (_, statuses) = runClient(endpoint, channels: ["x"], seconds: seconds, whenSubscribed: { _, _ in },
                                      until: { _ in false })
        return statuses.compactMap { status in
            if case .waiting(_, _, let error) = status { return error } else { return nil }
        }
    }

    @Test func recordedTrafficArrivesByteForByteOverTLS() throws {
        let plain = try RedisEndpoint.parse(tlsEnvironment["SYNTOP_TEST_REDIS_TLS_PLAIN"]!)
        try expectRecordedTrafficArrives(subscriber: endpoint("SYNTOP_TEST_REDIS_TLS"), publisher: plain)
    }

    @Test func aKilledTLSConnectionReconnects() throws {
        let channel = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
        let admin = try TestRedis(try RedisEndpoint.parse(tlsEnvironment["SYNTOP_TEST_REDIS_TLS_PLAIN"]!))
        let (received, statuses) = runClient(endpoint("SYNTOP_TEST_REDIS_TLS"), channels: [channel],
            whenSubscribed: { _, count in
                if count == 1 {
                    admin.command(["CLIENT", "KILL", "TYPE", "pubsub"].map { Array($0.utf8) })
                } else {
                    admin.command([Array("PUBLISH".utf8), Array(channel.utf8), Array("POSITION typing w 1 1".utf8)])
                }
            },
            until: { $0.count == 1 })
        #expect(received.map { String(decoding: $0.1, as: UTF8.self) } == ["POSITION typing w 1 1"])
        #expect(statuses.filter { if case .ready = $0 { return true }; return false }.count == 2)
    }

    @Test func theSideConnectionsWorkOverTLS() throws {
        let channel = "syntop-test-\(UInt32.random(in: 0...UInt32.max))"
        let tls = endpoint("SYNTOP_TEST_REDIS_TLS")
        var receivers: Int64?
        var counted: SubscriberCount?
        var loop: EventLoop?
        let (received, _) = runClient(tls, channels: [channel],
            whenSubscribed: { client, _ in
                client.probe(serverName: channel) { result in receivers = try? result.get() }
                loop = EventLoop()
                SubscriberCounter.count(channels: [channel], ownClient: client.clientID, endpoint: tls, loop: loop!,
                                        now: unixTime) {
                    counted = $0
                    loop!.stop()
                }
                loop!.run()
            },
            until: { $0.count == 1 })
        #expect(received.map(\.1) == [Array("REPLICATE".utf8)])
        #expect(receivers == 1)
        #expect(counted?.channels[channel] == 1)
        #expect(counted?.ownOutputBytes != nil)
    }

    @Test func eachFailureSaysWhatIsWrong() {
        #expect(failures(endpoint("SYNTOP_TEST_REDIS_TLS", ca: "other-ca.pem")).first?
            .hasPrefix("the server's certificate is not signed by the CA in \(folder)/other-ca.pem") == true)
        var byName = endpoint("SYNTOP_TEST_REDIS_TLS")
        if case .tcp(_, let port) = byName.address { byName.address = .tcp(host: "localhost", port: port) }
        #expect(failures(byName).first == "the server's certificate is not for localhost (hostname mismatch)")
        #expect(failures(endpoint("SYNTOP_TEST_REDIS_TLS_EXPIRED")).first
                == "the server's certificate has expired (certificate has expired)")
        var plainPort = try! RedisEndpoint.parse(tlsEnvironment["SYNTOP_TEST_REDIS_TLS_PLAIN"]!)
        plainPort.tls = endpoint("SYNTOP_TEST_REDIS_TLS").tls
        #expect(failures(plainPort, seconds: 3.5).first
                == "no TLS handshake within 3 s: the server does not answer in TLS (a plain-text port?)")
        var unverified = endpoint("SYNTOP_TEST_REDIS_TLS", ca: "other-ca.pem")
        unverified.tls?.verifyServer = false
        #expect(failures(unverified, seconds: 0.5).isEmpty)
    }

    @Test func mutualTLSNeedsTheClientCertificate() {
        #expect(failures(endpoint("SYNTOP_TEST_REDIS_TLS_MUTUAL")).first?
            .hasPrefix("the server asks for a client certificate, and closed the connection without one: give --redis-cert and --redis-key") == true)
        #expect(failures(endpoint("SYNTOP_TEST_REDIS_TLS_MUTUAL", client: true), seconds: 0.5).isEmpty)
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let copy = NSTemporaryDirectory() + "syntop-open-\(UInt32.random(in: 0...UInt32.max)).key"
        try FileManager.default.copyItem(atPath: "\(folder)/client.key", toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        chmod(copy, 0o644)
        var settings = endpoint("SYNTOP_TEST_REDIS_TLS_MUTUAL", client: true).tls!
        settings.privateKeyFile = copy
        #expect(throws: TLSError("the private key \(copy) is open to others (mode 644): chmod 600 it (640 to share it with a group)")) {
            try TLSContext(settings)
        }
        chmod(copy, 0o000)
        // Root reads whatever the mode says.
        if getuid() != 0 {
            #expect(throws: TLSError("cannot read the private key \(copy): Permission denied")) { try TLSContext(settings) }
        }
        settings.privateKeyFile = nil
        #expect(throws: TLSError("a client certificate needs its private key (--redis-key, private_key_file)")) {
            try TLSContext(settings)
        }
    }
}
