import Connection
import Redis
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
        if endpoint.password != nil {
            connection.send(endpoint.authCommand)
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

/// Counts the replication channels' subscribers on a connection of its own.
public enum SubscriberCounter {
    /// `ownClient`: the subscribed connection's CLIENT ID, for its output buffer.
    public static func count(channels: [String], ownClient: Int64?, endpoint: RedisEndpoint, loop: EventLoop,
                             now: @escaping () -> Double, done: @escaping (SubscriberCount) -> Void) {
        RedisExchange.run(SubscriberCount.commands(channels: channels), endpoint: endpoint, loop: loop,
                          timeoutMS: 2000) { result in
            switch result {
            case .success(let replies): done(SubscriberCount.parse(replies, ownClient: ownClient, at: now()))
            case .failure(let error): done(.failed(at: now(), error.description))
            }
        }
    }
}
