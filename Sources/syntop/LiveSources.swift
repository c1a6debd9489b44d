import Config
import Connection
import Console
import EventLoop
import Replication
import Wire

/// What the console and the exporter start alike for a live deployment: the subscription, the
/// processes' feed, and REPLICATE's answer as an action. Each pump hands them its own dispatch.
enum LiveSources {
    /// Subscribes to the deployment's channels; messages and statuses arrive as actions, and
    /// `onStatus` sees each status first (the exporter logs it).
    static func replication(endpoint: RedisEndpoint, serverName: String, userIP: Bool, loop: EventLoop,
                            dispatch: @escaping (Action) -> Void,
                            onStatus: @escaping (ConnectionStatus) -> Void = { _ in }) -> ReplicationClient {
        let client = ReplicationClient(
            endpoint: endpoint, channels: ReplicationClient.channels(serverName: serverName, userIP: userIP),
            loop: loop, now: unixTime,
            onMessages: { messages in dispatch(.wire(messages)) },
            onStatus: { status in
                onStatus(status)
                dispatch(.connection(.redis, status))
            })
        client.start()
        return client
    }

    /// The configured processes' health and metrics, and Redis's subscriber count, one round
    /// per `interval()`; nil when there is nothing to ask.
    static func processes(config: @escaping () -> SynapseConfig?, hosts: [String: String],
                          subscribers: (endpoint: RedisEndpoint, channels: [String])?, loop: EventLoop,
                          interval: @escaping () -> Double, ownClient: @escaping () -> Int64?,
                          dispatch: @escaping (Action) -> Void) -> ProcessFeed? {
        guard config()?.processes.isEmpty == false || subscribers != nil else { return nil }
        let feed = ProcessFeed(
            loop: loop, now: unixTime,
            request: {
                ProcessFeed.Round(probes: ProcessProbe.of(config(), hosts: hosts), interval: interval(),
                                  subscribers: subscribers, ownClient: ownClient())
            },
            deliver: dispatch)
        feed.start()
        return feed
    }

    /// REPLICATE's outcome, as the reducer takes it.
    static func probeAnswered(_ result: Result<Int64, RedisConnectionError>) -> Action {
        switch result {
        case .success(let receivers): .probeAnswered(at: unixTime(), receivers: receivers, error: nil)
        case .failure(let error): .probeAnswered(at: unixTime(), receivers: nil, error: "\(error)")
        }
    }
}
