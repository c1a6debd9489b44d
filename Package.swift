// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "syntop",
    products: [
        .executable(name: "syntop", targets: ["syntop"]),
        // For the fuzz targets in Fuzz/ and the harnesses in Bench/.
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "EventLoop", targets: ["EventLoop"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Settings", targets: ["Settings"]),
        .library(name: "Metrics", targets: ["Metrics"]),
        .library(name: "Console", targets: ["Console"]),
        .library(name: "Observation", targets: ["Observation"]),
        .library(name: "Redis", targets: ["Redis"]),
        .library(name: "Terminal", targets: ["Terminal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CNCursesW", pkgConfig: "ncursesw",
            providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        // Terminal restore on a crash and the terminal's size (ncurses), and the signal self-pipe's
        // handlers apart: state that must not live in a system-library header.
        .target(name: "CTermSupport", dependencies: ["CNCursesW"]),
        .target(name: "CSignals"),

        // The pure terminal model (cells, widgets, themes, keys), and the ncurses backend apart.
        .target(name: "Terminal"),
        .target(name: "CursesTerminal", dependencies: ["Terminal", "CNCursesW", "CTermSupport", "CSignals", "EventLoop"]),
        .target(name: "EventLoop", dependencies: ["CSignals", "Connection"]),
        // What syntop knows of a deployment, as one value with its own reducer: every consumer's.
        .target(name: "Observation", dependencies: ["Wire", "Config", "Store", "NaturalOrder", "Connection", "Findings", "Metrics", "Redis"]),
        .target(name: "Console", dependencies: ["Terminal", "Observation", "Wire", "Config", "Store", "NaturalOrder", "Findings"]),
        // What syntop promises: every command's JSON document, check's verdict and its line; pure.
        .target(name: "Contract", dependencies: ["Observation", "Wire", "Config", "Store", "Findings", "Redis"]),
        // The observation's effects performed on the event loop: its sources' adapters together.
        .target(name: "Feeds", dependencies: ["Observation", "Config", "Replication", "Postgres", "Store", "HTTP", "Metrics", "EventLoop", "Redis", "Connection", "Wire"]),
        // A deployment as the settings name it: where its Redis, its database and its processes
        // are (Synapse's config read as Synapse reads it), and the observation and sources it starts.
        .target(name: "Deployments", dependencies: ["Feeds", "Observation", "Contract", "Settings", "Config", "Replication", "Redis", "Wire", "TLS"]),
        .systemLibrary(
            name: "CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // GET requests on the event loop through libcurl's multi interface.
        .target(name: "HTTP", dependencies: ["CCurl", "EventLoop"]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        // A bounded HTTP server for a few GET pages on the event loop (libmicrohttpd, external polling).
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "EventLoop"]),
        // The exporter's metric families from an observation, in Prometheus's text format; pure.
        .target(name: "Exporter", dependencies: ["Observation", "Wire", "Store", "Findings", "Connection"]),
        // The Prometheus text format, read as it arrives, keeping only what is asked for.
        .target(name: "Metrics"),
        .target(name: "NaturalOrder"),
        // One severity for alerts, flags, notices and config problems.
        .target(name: "Findings"),
        // One connection status and one reconnect machine for every source.
        .target(name: "Connection"),
        // Redis's values (replies, the replication channels, subscriber counts, the output
        // buffer limit) and the subscription's setup as a machine without a socket.
        .target(name: "Redis"),
        .target(name: "Wire", dependencies: ["NaturalOrder"]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        // A TLS client session over a socket its caller polls; no rule about Redis or Synapse.
        .target(name: "TLS", dependencies: ["COpenSSL"]),
        .target(name: "Replication", dependencies: ["CHiredis", "EventLoop", "Wire", "Connection", "TLS", "Redis"]),
        .target(name: "Config", dependencies: ["NaturalOrder", "Findings", .product(name: "Yams", package: "Yams")]),
        // syntop's own config file: defaults for its options, and contexts, one per deployment.
        .target(name: "Settings", dependencies: ["Config", "Findings", .product(name: "Yams", package: "Yams")]),
        // The stores' SQL and shaping, pure; the libpq connection that runs them apart.
        .target(name: "Store", dependencies: ["NaturalOrder"]),
        .target(name: "Postgres", dependencies: ["Store", "CLibPQ", "EventLoop"]),
        .executableTarget(
            name: "syntop",
            dependencies: [
                "Console", "Observation", "Contract", "Feeds", "Deployments", "Terminal", "CursesTerminal", "EventLoop", "Wire",
                "Replication", "TLS", "Config", "Settings", "HTTPServer", "Exporter", "Store", "Connection", "CLibPQ", "CNCursesW",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // The snapshot files every test target compares its contract with.
        .target(name: "SnapshotSupport", path: "Tests/SnapshotSupport"),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal"]),
        .testTarget(name: "CursesTerminalTests", dependencies: ["CursesTerminal", "Terminal"]),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop", "Connection"]),
        .testTarget(name: "NaturalOrderTests", dependencies: ["NaturalOrder"]),
        .testTarget(name: "ConnectionTests", dependencies: ["Connection"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "EventLoop"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTP", "EventLoop"]),
        .testTarget(name: "ExporterTests", dependencies: ["Exporter", "Observation", "Wire", "Store", "Connection", "Findings"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis"]),
        .testTarget(name: "DeploymentsTests", dependencies: ["SnapshotSupport", "Deployments", "Contract", "Feeds", "Observation", "Settings", "Config", "Redis"],
                    exclude: ["__Snapshots__"]),
        .testTarget(name: "ObservationTests", dependencies: ["Observation", "Wire", "Store", "Config", "Connection", "Metrics", "Redis"]),
        .testTarget(name: "ContractTests", dependencies: ["SnapshotSupport", "Contract", "Observation", "Wire", "Store", "Config", "Redis", "Metrics"],
                    exclude: ["__Snapshots__"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings", "Config"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Postgres", "EventLoop"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres"]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "EventLoop", "Wire", "CHiredis", "Connection", "TLS", "Redis"]),
        // The executable's contract: every command's --help, as a snapshot.
        .testTarget(name: "SyntopTests", dependencies: ["SnapshotSupport", "syntop", "Deployments", "Exporter", "Observation", "Settings",
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
                    exclude: ["__Snapshots__"]),
        .testTarget(name: "ConsoleTests", dependencies: ["SnapshotSupport", "Console", "Observation", "Terminal", "Wire", "Config", "Store", "Connection", "Redis", "Metrics"],
                    exclude: ["__Snapshots__"]),
    ],
    swiftLanguageModes: [.v6]
)
