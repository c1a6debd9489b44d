@testable import Store

/// Runs a read plan to its end, each statement answered by `answer` as PostgreSQL would: the
/// plan's answer and every statement it sent, round after round.
func drive<Answer>(_ plan: ReadPlan<Answer>, _ answer: (Statement) -> PGRows) -> (answer: Answer, sent: [Query]) {
    var plan = plan
    var sent: [Query] = []
    while true {
        sent += plan.statements.map(\.query)
        let results = QueryResults(statements: plan.statements, results: plan.statements.map { .success(answer($0)) })
        switch plan.next(results) {
        case .done(let answer): return (answer, sent)
        case .more(let next): plan = next
        }
    }
}
