import Connection
import Redis
import EventLoop
import Glibc
import Wire

/// Subscribes to a Synapse deployment's replication channels and hands what each wake-up read
/// to `onMessages`, in order. It never publishes; `probe()` is the one exception, on its own connection, and
/// only when the user asks for it. On a lost connection it reconnects with a capped backoff.
public final class ReplicationClient {
    public let endpoint: RedisEndpoint
    public var channels: [String] { subscription.channels }
    private let loop: EventLoop
    private let now: () -> Double
    private let onMessages: ([WireMessage]) -> Void
    private let onStatus: (ConnectionStatus) -> Void

    private lazy var driver = ConnectionDriver(
        loop: loop, now: now, connect: { [unowned self] in self.connect() }, close: { [unowned self] in self.close() },
        report: { [unowned self] status in self.onStatus(status) })
    private var connection: RedisConnection?
    private var source: EventLoop.SourceID?
    /// A connection that is not subscribed within this long is given up and retried: a silent
    /// peer (a firewall's, or a plain-text port asked for TLS) must not hold it forever.
    static let setupSeconds = 3
    private var setupTimer: EventLoop.TimerID?
    private var subscription: Subscription
    /// Redis's id of the subscribed connection, where the Redis user may ask.
    public var clientID: Int64? { subscription.clientID }
    /// The channels' names as bytes, so a message names its channel without a new string.
    private let channelBytes: [([UInt8], String)]

    /// `onMessages` gets what one wake-up read, in order.
    public init(endpoint: RedisEndpoint, channels: [String], loop: EventLoop,
                now: @escaping () -> Double,
                onMessages: @escaping ([WireMessage]) -> Void,
                onStatus: @escaping (ConnectionStatus) -> Void) {
        self.endpoint = endpoint
        subscription = Subscription(channels: channels, authenticates: endpoint.password != nil)
        channelBytes = channels.map { (Array($0.utf8), $0) }
        self.loop = loop
        self.now = now
        self.onMessages = onMessages
        self.onStatus = onStatus
    }

    public func start() { driver.handle(.start) }

    public func stop() { driver.handle(.stop) }

    private func connect() {
        let made: RedisConnection
        do throws(RedisConnectionError) {
            made = try RedisConnection(endpoint: endpoint, readChunk: RedisConnection.subscriptionChunk)
        } catch {
            driver.handle(.failed(error.description))
            return
        }
        for command in subscription.opening() {
            switch command {
            case .auth: made.send(endpoint.authCommand)
            case .clientID: made.send(["CLIENT", "ID"])
            case .subscribe(let channels): made.send(["SUBSCRIBE"] + channels)
            }
        }
        connection = made
        setupTimer = loop.schedule(after: ReplicationClient.setupSeconds * 1000) { [unowned self, unowned made] in
            self.setupTimer = nil
            self.driver.handle(.failed(made.stalled(after: ReplicationClient.setupSeconds)))
        }
        source = loop.watch(fd: made.fd, events: { [unowned made] in made.pollEvents }) { [unowned self] revents in
            self.readable(revents)
        }
    }

    private func channelName<Bytes: Collection<UInt8>>(_ channel: Bytes) -> String {
        channelBytes.first { $0.0.elementsEqual(channel) }?.1 ?? String(decoding: channel, as: UTF8.self)
    }

    private func readable(_ revents: Int16) {
        guard let connection else { return }
        let replies: [RedisValue]
        let time = now()
        // The messages of this wake-up, their bytes one after another in one buffer: one
        // allocation for them all, not one each.
        var bytes: [UInt8] = []
        var parts: [(channel: String, range: Range<Int>)] = []
        func add(_ channel: String, _ payload: some Collection<UInt8>) {
            let start = bytes.count
            bytes.append(contentsOf: payload)
            parts.append((channel, start..<bytes.count))
        }
        func messages() -> [WireMessage] {
            parts.map { WireMessage(channel: $0.channel, payload: bytes[$0.range], time: time) }
        }
        // Once subscribed, messages are taken where hiredis holds them; before, every reply
        // goes through the subscription in order, so nothing is handed over ahead of it.
        do throws(RedisConnectionError) {
            replies = try connection.handle(revents, message: !subscription.isSubscribed ? nil : { channel, payload in
                add(self.channelName(channel), payload)
            })
        } catch {
            if !parts.isEmpty { onMessages(messages()) }
            driver.handle(.failed(error.description))
            return
        }
        // What came before a status change is handed over first, and nothing once closed.
        func handOver() {
            if !parts.isEmpty && self.connection != nil { onMessages(messages()) }
            bytes = []
            parts = []
        }
        defer { handOver() }
        for reply in replies {
            for step in subscription.handle(reply) {
                switch step {
                case .message(let channel, let payload):
                    add(channelName(channel), payload)
                case .subscribed:
                    if let setupTimer { loop.cancel(setupTimer) }
                    setupTimer = nil
                    handOver()
                    driver.handle(.connected)
                case .failed(let why):
                    handOver()
                    driver.handle(.failed(why))
                    return
                }
            }
        }
    }

    private func close() {
        if let setupTimer { loop.cancel(setupTimer) }
        setupTimer = nil
        if let source { loop.unwatch(source) }
        source = nil
        connection = nil
    }

    /// Publishes `REPLICATE` once on the main channel, so every process announces its
    /// positions; the only thing syntop ever writes to Redis. `done` gets the number of
    /// receivers or an error.
    public func probe(serverName: String, done: @escaping (Result<Int64, RedisConnectionError>) -> Void) {
        RedisExchange.run([["PUBLISH", serverName, "REPLICATE"]], endpoint: endpoint, loop: loop) { result in
            done(result.flatMap { replies in
                switch replies.first {
                case .integer(let receivers): .success(receivers)
                case .error(let message): .failure(RedisConnectionError(description: message))
                default: .failure(RedisConnectionError(description: "unexpected reply to PUBLISH"))
                }
            })
        }
    }
}

/// Unix time in seconds, for stamping messages.
public func unixTime() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
