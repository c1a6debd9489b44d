import Connection
import EventLoop
import Glibc

/// A few commands on a connection of their own, and their replies: never on the subscribed
/// connection, which may only subscribe. Used for syntop's one write (`--probe`'s PUBLISH) and
/// for the counters it reads (PUBSUB NUMSUB, CLIENT LIST).
enum RedisExchange {
    /// `done` gets one reply per command (AUTH's is checked and left out), or why not.
    static func run(_ commands: [[String]], endpoint: RedisEndpoint, loop: EventLoop, timeoutMS: Int = 5000,
                    done: @escaping (Result<[RedisValue], RedisConnectionError>) -> Void) {
        let connection: RedisConnection
        do throws(RedisConnectionError) {
            connection = try RedisConnection(endpoint: endpoint)
        } catch {
            done(.failure(error))
            return
        }
        var expected = commands.count
        if let password = endpoint.password {
            connection.send(endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            expected += 1
        }
        for command in commands { connection.send(command) }
        var replies: [RedisValue] = []
        var id: EventLoop.SourceID = 0
        var timeout: EventLoop.TimerID = 0
        var finished = false
        let finish = { [loop] (result: Result<[RedisValue], RedisConnectionError>) in
            guard !finished else { return }
            finished = true
            loop.unwatch(id)
            loop.cancel(timeout)
            done(result)
        }
        // A server that never answers must not keep the connection watched forever.
        timeout = loop.schedule(after: timeoutMS) {
            finish(.failure(RedisConnectionError(description: connection.stalled(after: timeoutMS / 1000))))
        }
        id = loop.watch(fd: connection.fd, events: { connection.pollEvents }) { revents in
            do throws(RedisConnectionError) {
                replies += try connection.handle(revents)
                guard replies.count >= expected else { return }
                if endpoint.password != nil {
                    if case .error(let message) = replies.removeFirst() {
                        finish(.failure(RedisConnectionError(description: "Redis refused AUTH: \(message)")))
                        return
                    }
                }
                finish(.success(replies))
            } catch {
                finish(.failure(error))
            }
        }
    }
}

/// How many subscribers the replication channels have, as Redis counts them.
public enum SubscriberCounter {
    public struct Count: Equatable, Sendable {
        public var channels: [String: Int]
        /// `addr` of each pub/sub client, where the Redis user may run CLIENT LIST.
        public var addresses: [String]?
        /// Redis's refusal of CLIENT LIST (an ACL without it): shown, not an error.
        public var addressesRefused: String?
        /// The output buffer Redis holds for syntop's own subscription (`omem` of CLIENT LIST),
        /// where the Redis user may see it.
        public var ownOutputBytes: Int64?
        /// Subscribers Redis has closed for passing their output buffer limit (INFO stats,
        /// where this Redis counts them: 7.0 does not), and that limit for pub/sub clients (CONFIG GET),
        /// where the user may ask.
        public var limitDisconnections: Int64?
        public var pubsubLimit: OutputBufferLimit?
    }

    /// `ownClient`: the subscribed connection's CLIENT ID, for its output buffer.
    public static func count(channels: [String], ownClient: Int64?, endpoint: RedisEndpoint, loop: EventLoop,
                             done: @escaping (Result<Count, RedisConnectionError>) -> Void) {
        RedisExchange.run([["PUBSUB", "NUMSUB"] + channels, ["CLIENT", "LIST", "TYPE", "pubsub"], ["INFO", "stats"],
                           ["CONFIG", "GET", "client-output-buffer-limit"]], endpoint: endpoint,
                          loop: loop, timeoutMS: 2000) { result in
            done(result.flatMap { replies in
                guard replies.count == 4 else {
                    return .failure(RedisConnectionError(description: "unexpected replies to PUBSUB NUMSUB"))
                }
                if case .error(let message) = replies[0] {
                    return .failure(RedisConnectionError(description: "PUBSUB NUMSUB refused: \(message)"))
                }
                var counts: [String: Int] = [:]
                if case .array(let items) = replies[0] {
                    for pair in stride(from: 0, to: items.count - 1, by: 2) {
                        if case .bulk(let name?) = items[pair], case .integer(let count) = items[pair + 1] {
                            counts[String(decoding: name, as: UTF8.self)] = Int(count)
                        }
                    }
                }
                var count = Count(channels: counts)
                switch replies[1] {
                case .bulk(let text?):
                    let clients = String(decoding: text, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }
                    func field(_ client: [Substring], _ name: String) -> Substring? {
                        client.first { $0.hasPrefix(name + "=") }.map { $0.dropFirst(name.count + 1) }
                    }
                    count.addresses = clients.compactMap { field($0, "addr").map(String.init) }
                    if let ownClient, let own = clients.first(where: { field($0, "id") == Substring(String(ownClient)) }) {
                        count.ownOutputBytes = field(own, "omem").flatMap { Int64($0) }
                    }
                case .error(let message):
                    count.addressesRefused = message
                default:
                    break
                }
                if case .bulk(let text?) = replies[2] {
                    let line = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline)
                        .first { $0.hasPrefix("client_output_buffer_limit_disconnections:") }
                    count.limitDisconnections = line.flatMap { Int64($0.split(separator: ":").last ?? "") }
                }
                if case .array(let pair) = replies[3], pair.count == 2, case .bulk(let value?) = pair[1] {
                    count.pubsubLimit = OutputBufferLimit.parse(String(decoding: value, as: UTF8.self))
                }
                return .success(count)
            })
        }
    }
}
