import Console
import EventLoop
import Foundation
import Postgres
import Store

/// Keeps the console's database side fresh: one read-only connection, reconnected with a
/// backoff when lost; every refresh interval (and at once when the screen asks) it reads what
/// the current screen needs, one round at a time.
final class DatabaseFeed {
    private let conninfo: String
    private let timeoutMS: Int
    private let loop: EventLoop
    private let now: () -> Double
    /// What the screen needs now, read from the console state at each round.
    private let request: () -> (DatabaseRequest, Double)
    private let deliver: (DatabaseUpdate) -> Void
    private var connection: PGConnection?
    private var attempt = 1
    private var failedSince: Double?
    private var roundRunning = false
    private var roundWanted = false
    private var refreshTimer: EventLoop.TimerID?

    init(conninfo: String, timeoutMS: Int, loop: EventLoop, now: @escaping () -> Double,
         request: @escaping () -> (DatabaseRequest, Double), deliver: @escaping (DatabaseUpdate) -> Void) {
        self.conninfo = conninfo
        self.timeoutMS = timeoutMS
        self.loop = loop
        self.now = now
        self.request = request
        self.deliver = deliver
    }

    func start() {
        connect()
    }

    func stop() {
        connection?.close()
        connection = nil
    }

    /// Reads now (or right after the round under way).
    func refresh() {
        guard connection?.state == .ready else { return }
        if roundRunning {
            roundWanted = true
            return
        }
        runRound()
    }

    private func connect() {
        deliver(.status(.connecting(attempt: attempt)))
        let connection = PGConnection(conninfo: conninfo, statementTimeoutMS: timeoutMS, loop: loop) { [unowned self] state in
            switch state {
            case .ready:
                self.attempt = 1
                self.failedSince = nil
                self.deliver(.status(.ready(since: self.now())))
                self.readSession()
            case .failed(let error):
                self.lost(error)
            case .connecting:
                break
            }
        }
        // A connection that failed at once has already reported it, and the retry is scheduled.
        if case .failed = connection.state { return }
        self.connection = connection
    }

    private func lost(_ error: PGError) {
        connection = nil
        roundRunning = false
        if let refreshTimer { loop.cancel(refreshTimer) }
        refreshTimer = nil
        let time = now()
        let since = failedSince ?? time
        failedSince = since
        let delay = ReconnectBackoff.delay(attempt: attempt)
        attempt += 1
        deliver(.status(.waiting(since: since, retryAt: time + delay, error: error.message)))
        loop.schedule(after: Int(delay * 1000)) { [unowned self] in self.connect() }
    }

    private func readSession() {
        run([(SessionStore.sessionSQL, SessionStore.sessionParameters), (SessionStore.schemaSQL, [])]) { [unowned self] rows in
            self.deliver(.session(SessionStore.session(rows[0], schema: rows[1])))
            // The first round waits for the session: an unknown schema is read no further.
            self.refresh()
        }
    }

    /// One round: every read the screen needs, then the next round after the refresh interval.
    private func runRound() {
        let (wanted, interval) = request()
        guard !wanted.reads.isEmpty else {
            scheduleNext(interval)
            return
        }
        roundRunning = true
        var remaining = wanted.reads.count
        let finish = { [unowned self] in
            remaining -= 1
            guard remaining == 0, self.roundRunning else { return }
            self.roundRunning = false
            self.scheduleNext(interval)
            if self.roundWanted {
                self.roundWanted = false
                self.refresh()
            }
        }
        for read in wanted.reads {
            perform(read, finish)
        }
    }

    private func scheduleNext(_ interval: Double) {
        if let refreshTimer { loop.cancel(refreshTimer) }
        refreshTimer = loop.schedule(after: Int(interval * 1000)) { [unowned self] in
            self.refreshTimer = nil
            self.refresh()
        }
    }

    private func perform(_ read: DatabaseRequest.Read, _ done: @escaping () -> Void) {
        switch read {
        case .positions:
            run([(StreamPositionStore.writersSQL, []), (StreamPositionStore.maximaSQL, [])]) { [unowned self] rows in
                self.deliver(.positions(Fetched(StreamPositionStore.streams(writers: rows[0], maxima: rows[1]),
                                                at: self.now(), errors: rows.errors)))
                done()
            }
        case .pokes:
            run(DeviceListStore.Read.first) { [unowned self] first in
                let read = DeviceListStore.Read(first: first.rows, cap: DeviceListStore.detailCap)
                self.run(read.second) { second in
                    let (destinations, conversion) = read.result(first: first.rows, second: second.rows)
                    self.deliver(.pokes(Fetched(PokesData(destinations: destinations, conversion: conversion),
                                                at: self.now(), errors: first.errors + second.errors)))
                    done()
                }
            }
        case .roles:
            run([(StreamPositionStore.writersSQL, []), (RoleStore.locksSQL, []), (RoleStore.federationSendersSQL, []),
                 (RoleStore.instanceMapSQL, [])]) { [unowned self] rows in
                self.deliver(.roles(Fetched(RoleStore.instances(positions: rows[0], locks: rows[1], senders: rows[2],
                                                                instanceMap: rows[3]),
                                            at: self.now(), errors: rows.errors)))
                done()
            }
        case .users(let prefix):
            run([(UserStore.searchSQL, UserStore.searchParameters(prefix: prefix, limit: 200))]) { [unowned self] rows in
                self.deliver(.users(Fetched(UserMatches(prefix: prefix, matches: UserStore.matches(rows[0])),
                                            at: self.now(), errors: rows.errors)))
                done()
            }
        case .history(let user, let before):
            let limit = HistoryPage.pageSize
            run([(MembershipStore.historySQL, MembershipStore.historyParameters(user: user, before: before, limit: limit)),
                 (MembershipStore.currentSQL, MembershipStore.currentParameters(user: user))]) { [unowned self] rows in
                let events = MembershipStore.history(rows[0], user: user)
                let page = HistoryPage(user: user, before: before, events: events, current: MembershipStore.current(rows[1]),
                                       nextBefore: events.count == limit ? events.last?.streamOrdering : nil)
                self.deliver(.history(Fetched(page, at: self.now(), errors: rows.errors)))
                done()
            }
        case .detail(let detail):
            var data = DetailData(detail: detail)
            switch detail {
            case .destination(let destination):
                run([(DeviceListStore.destinationUsersSQL, [destination, String(DeviceListStore.detailCap)])]) { [unowned self] rows in
                    data.destinationUsers = DeviceListStore.destinationUsers(rows[0])
                    self.deliver(.detail(Fetched(data, at: self.now(), errors: rows.errors)))
                    done()
                }
            case .user(let user):
                run([(DeviceListStore.devicesSQL, [user]), (DeviceListStore.userChangesSQL, [user])]) { [unowned self] rows in
                    data.devices = DeviceListStore.devices(rows[0])
                    data.changes = DeviceListStore.userChanges(rows[1])
                    self.deliver(.detail(Fetched(data, at: self.now(), errors: rows.errors)))
                    done()
                }
            case .process, .stream, .membership:
                done()
            }
        }
    }

    /// Runs queries on the connection; `done` gets every result, a failed query as an error
    /// beside the others. A lost connection ends the round (the reconnect starts a new one).
    private func run(_ queries: [(String, [String?])], _ done: @escaping (QueryResults) -> Void) {
        guard let connection else { return }
        var results: [Result<PGRows, PGError>?] = Array(repeating: nil, count: queries.count)
        var left = queries.count
        for (index, query) in queries.enumerated() {
            connection.query(query.0, query.1) { [unowned self] result in
                results[index] = result
                left -= 1
                guard left == 0, self.connection === connection, connection.state == .ready else { return }
                done(QueryResults(results: results.map { $0! }))
            }
        }
    }
}
