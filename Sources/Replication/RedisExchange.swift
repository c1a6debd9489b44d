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
            finish(.failure(RedisConnectionError(description: "no answer within \(timeoutMS / 1000) s")))
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
    }

    public static func count(channels: [String], endpoint: RedisEndpoint, loop: EventLoop,
                             done: @escaping (Result<Count, RedisConnectionError>) -> Void) {
        RedisExchange.run([["PUBSUB", "NUMSUB"] + channels, ["CLIENT", "LIST", "TYPE", "pubsub"]], endpoint: endpoint,
                          loop: loop, timeoutMS: 2000) { result in
            done(result.flatMap { replies in
                guard replies.count == 2 else {
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
                    count.addresses = String(decoding: text, as: UTF8.self).split(separator: "\n").compactMap { line in
                        line.split(separator: " ").first { $0.hasPrefix("addr=") }.map { String($0.dropFirst(5)) }
                    }
                case .error(let message):
                    count.addressesRefused = message
                default:
                    break
                }
                return .success(count)
            })
        }
    }
}
