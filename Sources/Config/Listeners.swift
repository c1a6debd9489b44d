/// One of a process's listeners, as `listeners` (main) or `worker_listeners` (a worker) gives it.
public struct ListenerConfig: Equatable, Sendable, Codable {
    /// `http`, `metrics` or `manhole`.
    public var type: String
    public var port: Int?
    /// A Unix socket, instead of a port.
    public var path: String?
    public var bindAddresses: [String]
    public var tls: Bool
    /// The names of an http listener's resources (`client`, `federation`, `metrics`, ...).
    public var resources: [String]

    public init(type: String, port: Int?, path: String?, bindAddresses: [String], tls: Bool, resources: [String]) {
        self.type = type
        self.port = port
        self.path = path
        self.bindAddresses = bindAddresses
        self.tls = tls
        self.resources = resources
    }
}

/// Where syntop asks a process how it is: a URL, and the listener it belongs to.
public struct ProbeTarget: Equatable, Hashable, Sendable, Codable {
    /// The listener as an operator names it: `http 127.0.0.1:8083`, `unix /run/synapse/main.sock`.
    public var listener: String
    public var url: String
    public var unixSocket: String?

    public init(listener: String, url: String, unixSocket: String?) {
        self.listener = listener
        self.url = url
        self.unixSocket = unixSocket
    }
}

extension ConfiguredProcess {
    /// Every http listener serves `/health`, whatever its resources.
    public func healthTargets(host: String?) -> [ProbeTarget] {
        listeners.filter { $0.type == "http" }.compactMap { target($0, host: host, path: "/health") }
    }

    /// A `metrics` listener (which serves nothing unless `enable_metrics` is on), or an http
    /// listener with the `metrics` resource (main mounts it only with `enable_metrics`; a
    /// worker always does). nil when the process serves no metrics.
    public func metricsTarget(host: String?) -> ProbeTarget? {
        for listener in listeners {
            if listener.type == "metrics", enableMetrics {
                return target(listener, host: host, path: "/_synapse/metrics")
            }
            if listener.type == "http", listener.resources.contains("metrics"), enableMetrics || instance != "master" {
                return target(listener, host: host, path: "/_synapse/metrics")
            }
        }
        return nil
    }

    /// A listener bound to every address is reached on loopback, unless the operator says on
    /// which host the process runs; a Unix socket only from the same machine.
    func target(_ listener: ListenerConfig, host: String?, path: String) -> ProbeTarget? {
        let scheme = listener.tls ? "https" : "http"
        if let socket = listener.path {
            guard host == nil else { return nil }
            return ProbeTarget(listener: "unix \(socket)", url: "\(scheme)://localhost\(path)", unixSocket: socket)
        }
        guard let port = listener.port else { return nil }
        var address = host ?? listener.bindAddresses.first ?? "127.0.0.1"
        if address == "0.0.0.0" || address == "::" || address.isEmpty {
            // Bound to every address: IPv4 loopback, which ["::", "0.0.0.0"] (the default) takes too.
            address = listener.bindAddresses == ["::"] ? "::1" : "127.0.0.1"
        }
        let shown = address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address
        let kind = listener.type == "http" ? scheme : listener.type
        return ProbeTarget(listener: "\(kind) \(shown):\(port)", url: "\(scheme)://\(shown):\(port)\(path)",
                           unixSocket: nil)
    }
}
