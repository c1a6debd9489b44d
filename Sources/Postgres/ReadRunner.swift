import EventLoop
import Store

extension PGConnection {
    /// Runs a store's read round after round on this connection; `done` gets the answer and the
    /// errors of every round. Nothing comes back when the connection is lost meanwhile: its
    /// owner hears of that through the connection's state.
    /// `answered` hears of each statement's answer, for whoever keeps a deadline.
    public func run<Answer>(_ plan: ReadPlan<Answer>, errors earlier: [String] = [], answered: @escaping () -> Void = {},
                            done: @escaping (Answer, [String]) -> Void) {
        var results: [Result<PGRows, PGError>?] = Array(repeating: nil, count: plan.statements.count)
        var left = plan.statements.count
        func finish() {
            guard state == .ready else { return }
            let round = QueryResults(results: results.map { $0! })
            let errors = earlier + round.errors
            switch plan.next(round) {
            case .done(let answer): done(answer, errors)
            case .more(let next): run(next, errors: errors, answered: answered, done: done)
            }
        }
        if left == 0 { return finish() }
        for (index, statement) in plan.statements.enumerated() {
            query(statement.sql, statement.parameters) { result in
                results[index] = result
                left -= 1
                answered()
                if left == 0 { finish() }
            }
        }
    }

    /// Runs one read on a connection of its own, for the commands that print and exit. Throws
    /// only when the database cannot be reached.
    public static func read<Answer>(_ plan: ReadPlan<Answer>, conninfo: String,
                                    timeoutMS: Int) throws(PGError) -> (Answer, [String]) {
        let loop = EventLoop()
        var answer: (Answer, [String])?
        var failure: PGError?
        let connection = PGConnection(conninfo: conninfo, statementTimeoutMS: timeoutMS, loop: loop) { state in
            if case .failed(let error) = state {
                failure = error
                loop.stop()
            }
        }
        defer { connection.close() }
        if case .failed(let error) = connection.state { throw error }
        // Each statement is bounded by the statement timeout; a server that stops answering is not,
        // so the read gives up when no statement has been answered for that long and 10 s more.
        var lastAnswer = loop.now
        connection.run(plan, answered: { lastAnswer = loop.now }) { value, errors in
            answer = (value, errors)
            loop.stop()
        }
        let patience = UInt64(timeoutMS + 10_000) * 1_000_000
        let watch = loop.schedule(after: 250, repeating: 250) {
            if loop.now - lastAnswer > patience { loop.stop() }
        }
        loop.run()
        loop.cancel(watch)
        if let answer { return answer }
        throw failure ?? PGError(sqlstate: nil, message: "no answer in time")
    }
}
