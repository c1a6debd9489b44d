import EventLoop
import Foundation
import Postgres
import Store

// Times each store query as syntop sends it (PGConnection on the event loop), ROUNDS times,
// after one warm-up, and prints p50, p95 and max in milliseconds. Usage:
//   StoreBench CONNINFO ROUNDS
guard CommandLine.arguments.count == 3, let rounds = Int(CommandLine.arguments[2]) else {
    FileHandle.standardError.write(Data("usage: StoreBench CONNINFO ROUNDS\n".utf8))
    exit(2)
}
let conninfo = CommandLine.arguments[1]
// The scratch data's shape: u0 has the most memberships (the user draw is skewed), dead0 is a
// destination that is down with a large backlog.
let cases: [(String, String, [String?])] = [
    ("history, heaviest user, first page", MembershipStore.historySQL,
     MembershipStore.historyParameters(user: "@u0:bench.local", before: nil, limit: 100)),
    ("history, heaviest user, deep page", MembershipStore.historySQL,
     MembershipStore.historyParameters(user: "@u0:bench.local", before: 1_000_000, limit: 100)),
    ("history, typical user", MembershipStore.historySQL,
     MembershipStore.historyParameters(user: "@u54321:bench.local", before: nil, limit: 100)),
    ("current memberships", MembershipStore.currentSQL, MembershipStore.currentParameters(user: "@u54321:bench.local")),
    // A refresh of the heaviest user's History: what changed since a position near the newest.
    ("history changes, heaviest user", MembershipStore.historySinceSQL, ["@u0:bench.local", "19990000", "200"]),
    ("current changes, heaviest user", MembershipStore.currentSinceSQL, ["@u0:bench.local", "2990000", "500"]),
    ("what 700 rooms of a history are now", MembershipStore.historyRoomsSQL,
     [Statement.array((0..<700).map { "!r\($0 * 97):bench.local" })]),
    ("history rows still there", MembershipStore.historyKeptSQL,
     [Statement.array((19_999_800...19_999_999).map { "$m\($0)" }), "@u0:bench.local", Statement.array(["!r1:bench.local"])]),
    ("user search by prefix", UserStore.searchSQL, UserStore.searchParameters(prefix: "@u1234", limit: 20)),
    ("destinations with poke rows", DeviceListStore.destinationsSQL, [String(DeviceListStore.listed)]),
    ("destinations marked down", DeviceListStore.downSQL, ["50"]),
    ("waiting pokes of a down destination", DeviceListStore.pendingSQL, ["dead0.bench", "1000"]),
    ("a down destination's waiting pokes by user", DeviceListStore.destinationUsersSQL, ["dead0.bench", "1000"]),
    ("a user's devices", DeviceListStore.devicesSQL, ["@u54321:bench.local"]),
    ("a user's device-list changes", DeviceListStore.userChangesSQL, ["@u54321:bench.local"]),
    ("conversion position", DeviceListStore.conversionSQL, []),
    ("unconverted room changes", DeviceListStore.unconvertedSQL, ["0", "1000"]),
    ("stream positions per writer", StreamPositionStore.writersSQL, []),
    ("stream maxima and sequences", StreamPositionStore.maximaSQL, []),
    ("locks", RoleStore.locksSQL, []),
    ("session", SessionStore.sessionSQL, SessionStore.sessionParameters),
    ("schema", SessionStore.schemaSQL, []),
    ("rooms, worst by extremities: the list's whole read", RoomStore.worstRankedSQL, ["400", "10001"]),
    ("rooms, largest by members: the list's whole read", RoomStore.largestRankedSQL, ["400"]),
    ("rooms matching a name: the list's whole read", RoomStore.matchingRankedSQL, ["400", "room 12345"]),
    ("rooms listed: 200 rows", RoomStore.roomsSQL(chosen: RoomStore.listedChosen),
     [Statement.array((99_500..<99_700).map { "!r\($0):bench.local" }), "1000"]),
    ("rooms held, counted again", RoomStore.roomsRecountSQL,
     [String(Int64.max), "10000", Statement.array((99_000..<99_500).map { "!r\($0):bench.local" }), nil]),
    ("rooms over 10 extremities", RoomStore.extremitiesSQL, ["10", "50"]),
    ("largest room: its row", RoomStore.roomsSQL(chosen: RoomStore.oneChosen), ["!r0:bench.local", "20000"]),
    ("largest room: extremities", RoomDetailStore.extremitiesSQL, ["!r0:bench.local", "500"]),
    ("largest room: membership changes", RoomDetailStore.membershipsSQL, ["!r0:bench.local", "50"]),
    ("largest room: servers' pokes", RoomDetailStore.destinationsSQL, ["!r0:bench.local", "20000", "1000"]),
    ("largest room: a state as chains", RoomDetailStore.stateChainsSQL, ["2", "50001"]),
]

/// Runs every case `rounds` times after a warm-up and prints the figures.
func benchmark(conninfo: String, rounds: Int, cases: [(String, String, [String?])]) {
    let loop = EventLoop()
    let connection = PGConnection(conninfo: conninfo, statementTimeoutMS: 60_000, loop: loop)
    var timings: [[Double]] = Array(repeating: [], count: cases.count)
    var failures: [String] = []
    var next = 0
    var round = -1

    func runNext() {
        if next == cases.count {
            next = 0
            round += 1
        }
        if round >= rounds {
            loop.stop()
            return
        }
        let index = next
        let started = DispatchTime.now().uptimeNanoseconds
        connection.query(cases[index].1, cases[index].2) { result in
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            if case .failure(let error) = result, round == -1 { failures.append("\(cases[index].0): \(error)") }
            if round >= 0 { timings[index].append(elapsed) }
            next += 1
            runNext()
        }
    }
    runNext()
    loop.run()
    func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
    print("query                                  p50 ms   p95 ms   max ms")
    for (index, item) in cases.enumerated() where !timings[index].isEmpty {
        let values = timings[index]
        print(item.0.padding(toLength: 36, withPad: " ", startingAt: 0)
              + String(format: " %8.2f %8.2f %8.2f", percentile(values, 0.5), percentile(values, 0.95), values.max()!))
    }
    for failure in failures { print("FAILED \(failure)") }
}

benchmark(conninfo: conninfo, rounds: rounds, cases: cases)
