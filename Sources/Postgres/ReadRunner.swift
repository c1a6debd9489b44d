import EventLoop
import Store

extension PGConnection {
    /// Runs a store's read round after round on this connection; `done` gets the answer and the
    /// errors of every round. Nothing comes back when the connection is lost meanwhile: its
    /// owner hears of that through the connection's state.
    public func run<Answer>(_ plan: ReadPlan<Answer>, errors earlier: [String] = [],
                            done: @escaping (Answer, [String]) -> Void) {
        var results: [Result<PGRows, PGError>?] = Array(repeating: nil, count: plan.statements.count)
        var left = plan.statements.count
        func finish() {
            guard state == .ready else { return }
            let round = QueryResults(results: results.map { $0! })
            let errors = earlier + round.errors
            switch plan.next(round) {
            case .done(let answer): done(answer, errors)
            case .more(let next): run(next, errors: errors, done: done)
            }
        }
        if left == 0 { return finish() }
        for (index, statement) in plan.statements.enumerated() {
            query(statement.sql, statement.parameters) { result in
                results[index] = result
                left -= 1
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
        connection.run(plan) { value, errors in
            answer = (value, errors)
            loop.stop()
        }
        // Each statement is bounded by the statement timeout; a server that never answers is not.
        let limit = loop.schedule(after: timeoutMS * 4 + 10_000) { loop.stop() }
        loop.run()
        loop.cancel(limit)
        if let answer { return answer }
        throw failure ?? PGError(sqlstate: nil, message: "no answer in time")
    }
}
