import Foundation
import Testing
@testable import Config

let configFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/config").standardizedFileURL.path

func parse(_ files: [(String, String)]) -> SynapseConfig {
    ConfigLoader.parse(files.map { (file: $0.0, text: $0.1) })
}

@Suite struct ConfigTests {
    @Test func readsTheStacksConfigAsAnOperatorPassesIt() {
        let config = ConfigLoader.load(paths: [configFixtures + "/homeserver.yaml", configFixtures + "/workers"])
        #expect(config.problems.isEmpty, "\(config.problems)")
        #expect(config.serverName == "test.local:46669")
        #expect(config.workers.map(\.name) == ["background1", "client1", "event_persister1", "event_persister2",
                                               "federation_sender1", "stream_writer1"])
        #expect(config.streamWriters["events"] == ["event_persister1", "event_persister2"])
        #expect(config.streamWriters["device_lists"] == ["master", "client1"])
        #expect(config.streamWriters["presence"] == ["master"])
        #expect(config.federationSenders == ["federation_sender1"])
        #expect(config.backgroundTasks == "background1")
        #expect(config.redis.enabled)
        #expect(config.instanceMap["master"] != nil)
        let database = config.databases.first
        #expect(database?.engine == "psycopg2")
        #expect(database?.keywords["dbname"] == "synapse")
        #expect(database?.keywords["cp_min"] == nil)
        #expect(database?.displayName.contains("db-secret-value") == false)
        #expect(database?.conninfo.contains("password='db-secret-value'") == true)
    }

    @Test func theRoleTable() {
        let config = ConfigLoader.load(paths: [configFixtures + "/homeserver.yaml", configFixtures + "/workers"])
        let processes = Dictionary(uniqueKeysWithValues: config.processes.map { ($0.instance, $0) })
        #expect(processes["master"]?.app == "main")
        #expect(processes["master"]?.writes.contains("device_lists") == true)
        #expect(processes["master"]?.writes.contains("federation") == true)
        #expect(processes["master"]?.writes.contains("events") == false)
        #expect(processes["event_persister2"]?.writes == ["backfill", "caches", "events", "profile_updates", "sticky_events"])
        #expect(processes["stream_writer1"]?.writes == ["caches", "receipts", "to_device", "typing"])
        #expect(processes["client1"]?.writes == ["caches", "device_lists"])
        #expect(processes["federation_sender1"]?.duties == ["federation sender"])
        #expect(processes["background1"]?.duties == ["background tasks"])
        #expect(processes["master"]?.duties.contains("pusher") == true)
    }

    @Test func processesAreInNaturalOrderWithMainFirst() {
        var files = [("hs.yaml", "server_name: x\ndatabase: {name: psycopg2, args: {dbname: s}}\nredis: {enabled: true}\n"
                      + "instance_map: {main: {host: h, port: 1}}\n"
                      + "stream_writers: {events: [persister10, persister2]}\n")]
        for name in ["client_reader10", "client_reader2", "client_reader1"] {
            files.append(("\(name).yaml", "worker_app: synapse.app.generic_worker\nworker_name: \(name)\n"))
        }
        #expect(parse(files).processes.map(\.instance) == [
            "master", "client_reader1", "client_reader2", "client_reader10", "persister2", "persister10"])
    }

    @Test func aWorkerFileIsKnownByWorkerNameOrWorkerApp() {
        let config = parse([
            ("hs.yaml", "server_name: x\ndatabase: {name: psycopg2, args: {dbname: s}}\nredis: {enabled: true}\n"
                + "instance_map: {main: {host: h, port: 1}}\nsend_federation: false\n"),
            ("fs.yaml", "worker_app: synapse.app.federation_sender\n"),
            ("main.yaml", "worker_app: synapse.app.homeserver\nreport_stats: false\n"),
        ])
        #expect(config.workers.map(\.name) == ["synapse.app.federation_sender"])
        // The legacy flag hands federation sending to the legacy worker app.
        #expect(config.federationSenders == ["synapse.app.federation_sender"])
        #expect(config.problems.isEmpty, "\(config.problems)")
    }

    @Test func laterSharedFilesWin() {
        let config = parse([
            ("a.yaml", "server_name: a\ndatabase: {name: psycopg2, args: {dbname: s}}\n"),
            ("b.yaml", "server_name: b\n"),
        ])
        #expect(config.serverName == "b")
    }

    @Test func theMistakesSynapseRejectsOrIgnores() {
        let config = parse([
            ("hs.yaml", """
                server_name: x
                database: {name: psycopg2, args: {dbname: s}}
                redis: {enabled: false}
                stream_writers:
                  typing: [w1, w2]
                  device_lists: [main, w1]
                  evnts: w1
                """),
            ("w1.yaml", "worker_app: synapse.app.generic_worker\nworker_name: w1\nworker_replication_host: h\n"),
            ("w1b.yaml", "worker_name: w1\n"),
        ])
        let messages = config.problems.map(\.description)
        #expect(messages.contains { $0.contains("typing may have one writer, not 2") })
        #expect(messages.contains { $0.contains("'main' names main only inside instance_map") })
        #expect(messages.contains { $0.contains("typing writer 'w1' is not in instance_map") })
        #expect(messages.contains { $0.contains("typing writer 'w2' has no worker file") })
        #expect(messages.contains { $0.contains("stream_writers.evnts: unknown stream_writers key") })
        #expect(messages.contains { $0.contains("worker_replication_host: removed from Synapse") })
        #expect(messages.contains { $0.contains("worker 'w1' is also named in w1.yaml") })
        #expect(messages.contains { $0.contains("workers need instance_map.main") })
        #expect(messages.contains { $0.contains("workers need redis.enabled: true") })
        // Every problem says where it is.
        #expect(config.problems.allSatisfy { !$0.file.isEmpty })
        let typing = config.problems.first { $0.message.contains("one writer") }
        #expect(typing?.line == 5)
        #expect(typing?.key == "stream_writers.typing")
    }

    @Test func sqliteAndMissingDatabasesAreNamed() {
        let sqlite = parse([("hs.yaml", "server_name: x\ndatabase: {name: sqlite3, args: {database: /x.db}}\n")])
        #expect(sqlite.problems.map(\.message) == ["'main' is SQLite (sqlite3): syntop needs PostgreSQL"])
        let none = parse([("hs.yaml", "server_name: x\n")])
        #expect(none.problems.first?.message.contains("no database section") == true)
    }

    @Test func severalDatabases() {
        let config = parse([("hs.yaml", """
            server_name: x
            databases:
              basement:
                name: psycopg2
                data_stores: [main]
                args: {user: synapse, database: synapse_main, host: db1, port: 5433, cp_max: 10, sslmode: require}
              attic:
                name: psycopg2
                data_stores: [state]
                args: {database: synapse_state}
            """)])
        #expect(config.databases.map(\.name).sorted() == ["attic", "basement"])
        let main = config.databases.first { $0.dataStores == ["main"] }
        #expect(main?.keywords == ["user": "synapse", "dbname": "synapse_main", "host": "db1", "port": "5433",
                                   "sslmode": "require"])
        #expect(main?.displayName == "synapse@db1:5433/synapse_main")
    }

    @Test func redisSettings() {
        let config = parse([("hs.yaml", """
            server_name: x
            database: {name: psycopg2, args: {}}
            redis: {enabled: true, path: /run/redis.sock, username: u, password: pw, password_path: /p, use_tls: true}
            """)])
        #expect(config.redis.path == "/run/redis.sock")
        let messages = config.problems.map(\.message)
        #expect(messages.contains("password and password_path exclude each other"))
        #expect(config.redis.useTLS)
        #expect(!config.problems.map(\.description).joined().contains("pw"))
    }

    @Test func redisTLSSettings() {
        let config = parse([("hs.yaml", """
            server_name: x
            database: {name: psycopg2, args: {}}
            redis: {enabled: true, use_tls: true, ca_file: /etc/ca.pem, ca_path: /etc/cas, certificate_file: /etc/c.pem}
            """)])
        #expect(config.redis.caFile == "/etc/ca.pem")
        #expect(config.redis.caPath == "/etc/cas")
        #expect(config.redis.certificateFile == "/etc/c.pem")
        #expect(config.problems.map(\.message).contains("certificate_file and private_key_file go together"))
    }

    @Test func brokenYAMLNamesTheLineButNotTheText() {
        let config = parse([("hs.yaml", "server_name: x\ndatabase:\n  password: \"hunter2\n  user: [\n")])
        let problem = config.problems.first { $0.message.hasPrefix("YAML:") }
        #expect(problem != nil)
        #expect(problem?.line != nil)
        #expect(!config.problems.map(\.description).joined().contains("hunter2"))
        let list = parse([("hs.yaml", "- just\n- a list\n")])
        #expect(list.problems.first?.message == "the top level must be a mapping of keys")
    }

    @Test func filesThatCannotBeRead() {
        let config = ConfigLoader.load(paths: ["/nonexistent/homeserver.yaml"])
        #expect(config.problems.first?.description == "/nonexistent/homeserver.yaml: no such file or directory")
    }
}

@Suite struct ListenerTests {
    @Test func listenersOfMainAndEachWorker() {
        let config = ConfigLoader.load(paths: [configFixtures + "/homeserver.yaml", configFixtures + "/workers"])
        let processes = Dictionary(uniqueKeysWithValues: config.processes.map { ($0.instance, $0) })
        #expect(processes["master"]?.listeners.first?.port == 51757)
        #expect(processes["master"]?.listeners.first?.bindAddresses == ["127.0.0.1"])
        let client = processes["client1"]?.listeners ?? []
        #expect(client.first?.port == 54419)
        #expect(client.contains { $0.tls })
    }

    @Test func whereHealthAndMetricsAreAsked() {
        let config = parse([("homeserver.yaml", """
            server_name: hs
            enable_metrics: true
            listeners:
              - port: 8008
                resources: [{names: [client, metrics]}]
              - port: 9000
                type: metrics
              - path: /run/synapse/main.sock
                resources: [{names: [client]}]
            database: {name: psycopg2, args: {}}
            """), ("w.yaml", """
            worker_app: synapse.app.generic_worker
            worker_name: w1
            worker_listeners:
              - port: 8083
                bind_addresses: ['::']
                tls: true
                resources: [{names: [replication]}]
              - port: 8084
                bind_address: 10.0.0.5
                type: manhole
            """)])
        let processes = Dictionary(uniqueKeysWithValues: config.processes.map { ($0.instance, $0) })
        let main = processes["master"]!
        #expect(main.listeners[0].bindAddresses == ["::", "0.0.0.0"])
        #expect(main.listeners[1].bindAddresses == ["0.0.0.0"])
        #expect(main.healthTargets(host: nil).map(\.url) == ["http://127.0.0.1:8008/health", "http://localhost/health"])
        #expect(main.healthTargets(host: nil)[1].unixSocket == "/run/synapse/main.sock")
        #expect(main.metricsTarget(host: nil)?.url == "http://127.0.0.1:8008/_synapse/metrics")
        // Main mounts its metrics resource only with enable_metrics.
        var without = main
        without.enableMetrics = false
        #expect(without.metricsTarget(host: nil) == nil)
        // On another machine: its host, and no Unix socket.
        #expect(main.healthTargets(host: "10.0.0.9").map(\.listener) == ["http 10.0.0.9:8008"])
        let worker = processes["w1"]!
        #expect(worker.healthTargets(host: nil).map(\.url) == ["https://[::1]:8083/health"])
        #expect(worker.metricsTarget(host: nil) == nil)
        #expect(worker.listeners.last?.bindAddresses == ["10.0.0.5"])
    }

    @Test func aListenerWithoutPortOrPathIsAProblem() {
        let config = parse([("homeserver.yaml", "server_name: hs\nlisteners:\n  - type: http\ndatabase: {name: psycopg2, args: {}}\n")])
        #expect(config.mainListeners.isEmpty)
        #expect(config.problems.contains { $0.message == "a listener needs a port or a path" })
    }
}
