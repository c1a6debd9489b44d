import NaturalOrder
/// One process as the configuration describes it.
public struct ConfiguredProcess: Equatable, Sendable, Codable {
    /// `master` for main, else the worker's name.
    public var instance: String
    /// `main`, the worker's `worker_app`, or "?" for a name no given file describes.
    public var app: String
    public var file: String?
    /// Wire streams it is configured to write (it holds the code that writes them).
    public var writes: [String]
    public var duties: [String]
    /// Its HTTP replication listener from instance_map.
    public var replicationAddress: String?
    /// Its listeners, as its config file gives them.
    public var listeners: [ListenerConfig] = []
    /// `enable_metrics` as it applies to it: its own file's, else the shared config's.
    public var enableMetrics = false
}

extension SynapseConfig {
    /// Every (wire stream, writer) the configuration names, in the processes' order. `caches`
    /// is left out: every process may write it, so naming it says nothing about a role.
    public var configuredWriters: [(stream: String, instance: String)] {
        processes.flatMap { process in
            process.writes.filter { $0 != "caches" }.map { (stream: $0, instance: process.instance) }
        }
    }

    /// Every process the configuration names: main, each worker file, and any instance named
    /// in a writer or duty list without a file of its own.
    public var processes: [ConfiguredProcess] {
        var byName: [String: ConfiguredProcess] = [:]
        var order: [String] = ["master"]
        byName["master"] = ConfiguredProcess(instance: "master", app: "main", file: files.first, writes: [],
                                             duties: [], replicationAddress: instanceMap["master"],
                                             listeners: mainListeners, enableMetrics: enableMetrics)
        for worker in workers where byName[worker.name] == nil {
            byName[worker.name] = ConfiguredProcess(instance: worker.name, app: worker.app, file: worker.file,
                                                    writes: [], duties: [], replicationAddress: instanceMap[worker.name],
                                                    listeners: worker.listeners,
                                                    enableMetrics: worker.enableMetrics ?? enableMetrics)
            order.append(worker.name)
        }
        func entry(_ name: String) -> String {
            if byName[name] == nil {
                byName[name] = ConfiguredProcess(instance: name, app: "?", file: nil, writes: [], duties: [],
                                                 replicationAddress: instanceMap[name])
                order.append(name)
            }
            return name
        }
        for (key, _) in SynapseConfig.writerKeys {
            for writer in streamWriters[key] ?? [] {
                byName[entry(writer)]!.writes += SynapseConfig.streamsOfWriterKey[key] ?? [key]
            }
        }
        // Main alone writes these, whatever the config says.
        byName["master"]!.writes += ["pushers", "un_partial_stated_room", "un_partial_stated_event"]
        // Every process may invalidate caches.
        for name in order { byName[name]!.writes.append("caches") }
        for sender in federationSenders { byName[entry(sender)]!.duties.append("federation sender") }
        for pusher in pushers { byName[entry(pusher)]!.duties.append("pusher") }
        byName[entry(backgroundTasks)]!.duties.append("background tasks")
        if let notifier = appserviceNotifier { byName[entry(notifier)]!.duties.append("appservice notifier") }
        if let updater = userDirectoryUpdater { byName[entry(updater)]!.duties.append("user directory") }
        if let media = mediaBackgroundJobs { byName[entry(media)]!.duties.append("media background jobs") }
        for proxy in outboundFederationRestrictedTo { byName[entry(proxy)]!.duties.append("outbound federation proxy") }
        if !federationSenders.contains("master") && !workers.isEmpty {
            // Main announces the federation stream when it is not a sender itself.
            byName["master"]!.writes.append("federation")
        }
        // Main first, then every other process in natural order (client_reader2 before client_reader10).
        return (["master"] + order.dropFirst().sorted(by: NaturalOrder.less)).map { name in
            var process = byName[name]!
            process.writes = Array(Set(process.writes)).sorted()
            return process
        }
    }
}
