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
            let round = QueryResults(statements: plan.statements, results: results.map { $0! })
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
}
