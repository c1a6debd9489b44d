import EventLoop
import Glibc

/// Subscribes to a Synapse deployment's replication channels and hands every message to
/// `onMessage`. It never publishes; `probe()` is the one exception, on its own connection, and
/// only when the user asks for it. On a lost connection it reconnects with a capped backoff.
public final class ReplicationClient {
    public enum Status: Equatable, Sendable {
        case connecting(attempt: Int)
        case subscribed(since: Double)
        /// Lost or refused; the next attempt is at `retryAt`.
        case waiting(since: Double, retryAt: Double, error: String)
    }

    public let endpoint: RedisEndpoint
    public let channels: [String]
    private let loop: EventLoop
    private let now: () -> Double
    private let onMessage: (String, [UInt8], Double) -> Void
    private let onStatus: (Status) -> Void

    private var connection: RedisConnection?
    private var source: EventLoop.SourceID?
    private var retryTimer: EventLoop.TimerID?
    private var attempt = 0
    private var subscribedChannels = 0
    private var failedSince: Double?
    private var stopped = false
    public private(set) var status: Status = .connecting(attempt: 1)

    public init(endpoint: RedisEndpoint, channels: [String], loop: EventLoop,
                now: @escaping () -> Double,
                onMessage: @escaping (String, [UInt8], Double) -> Void,
                onStatus: @escaping (Status) -> Void) {
        self.endpoint = endpoint
        self.channels = channels
        self.loop = loop
        self.now = now
        self.onMessage = onMessage
        self.onStatus = onStatus
    }

    /// The channels syntop listens on: `<server_name>`, and `<server_name>/USER_IP` when asked.
    public static func channels(serverName: String, userIP: Bool) -> [String] {
        userIP ? [serverName, serverName + "/USER_IP"] : [serverName]
    }

    public func start() {
        stopped = false
        connect()
    }

    public func stop() {
        stopped = true
        close()
        if let retryTimer { loop.cancel(retryTimer) }
        retryTimer = nil
    }

    private func setStatus(_ status: Status) {
        self.status = status
        onStatus(status)
    }

    private func connect() {
        attempt += 1
        subscribedChannels = 0
        setStatus(.connecting(attempt: attempt))
        let made: RedisConnection
        do throws(RedisConnectionError) {
            made = try RedisConnection(endpoint: endpoint)
        } catch {
            fail(error.description)
            return
        }
        if let password = endpoint.password {
            made.send(endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        made.send(["SUBSCRIBE"] + channels)
        connection = made
        source = loop.watch(fd: made.fd, events: { [unowned made] in made.pollEvents }) { [unowned self] revents in
            self.readable(revents)
        }
    }

    private func readable(_ revents: Int16) {
        guard let connection else { return }
        let replies: [RedisValue]
        do throws(RedisConnectionError) {
            replies = try connection.handle(revents)
        } catch {
            fail(error.description)
            return
        }
        let time = now()
        for reply in replies {
            switch reply {
            case .array(let items) where items.count == 3:
                guard case .bulk(let kind?) = items[0] else { continue }
                if kind == Array("message".utf8), case .bulk(let channel?) = items[1],
                   case .bulk(let payload?) = items[2] {
                    onMessage(String(decoding: channel, as: UTF8.self), payload, time)
                } else if kind == Array("subscribe".utf8) {
                    subscribedChannels += 1
                    if subscribedChannels == channels.count {
                        attempt = 0
                        failedSince = nil
                        setStatus(.subscribed(since: time))
                    }
                }
            case .error(let message):
                // AUTH and SUBSCRIBE errors name no secret; Redis never echoes a password.
                fail("Redis refused: \(message)")
                return
            default:
                continue
            }
        }
    }

    private func close() {
        if let source { loop.unwatch(source) }
        source = nil
        connection = nil
    }

    private func fail(_ error: String) {
        close()
        guard !stopped else { return }
        let time = now()
        let since = failedSince ?? time
        failedSince = since
        let delay = ReconnectBackoff.delay(attempt: attempt)
        setStatus(.waiting(since: since, retryAt: time + delay, error: error))
        retryTimer = loop.schedule(after: Int(delay * 1000)) { [unowned self] in
            self.retryTimer = nil
            self.connect()
        }
    }

    /// Publishes `REPLICATE` once on the main channel, so every process announces its
    /// positions; the only thing syntop ever writes to Redis. `done` gets the number of
    /// receivers or an error.
    public func probe(serverName: String, done: @escaping (Result<Int64, RedisConnectionError>) -> Void) {
        let publisher: RedisConnection
        do throws(RedisConnectionError) {
            publisher = try RedisConnection(endpoint: endpoint)
        } catch {
            done(.failure(error))
            return
        }
        if let password = endpoint.password {
            publisher.send(endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        publisher.send(["PUBLISH", serverName, "REPLICATE"])
        var id: EventLoop.SourceID = 0
        var timeout: EventLoop.TimerID = 0
        var finished = false
        let finish = { [loop] (result: Result<Int64, RedisConnectionError>) in
            guard !finished else { return }
            finished = true
            loop.unwatch(id)
            loop.cancel(timeout)
            done(result)
        }
        // A server that never answers must not keep the connection watched forever.
        timeout = loop.schedule(after: 5000) {
            finish(.failure(RedisConnectionError(description: "no answer within 5 s")))
        }
        id = loop.watch(fd: publisher.fd, events: { publisher.pollEvents }) { revents in
            do throws(RedisConnectionError) {
                for reply in try publisher.handle(revents) {
                    switch reply {
                    case .integer(let receivers): finish(.success(receivers))
                    case .error(let message): finish(.failure(RedisConnectionError(description: message)))
                    default: continue
                    }
                }
            } catch {
                finish(.failure(error))
            }
        }
    }
}

/// Unix time in seconds, for stamping messages.
public func unixTime() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
