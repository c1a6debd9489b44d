/// One SQL statement with its parameters (text, NULL as nil).
public struct Statement: Equatable, Sendable {
    public var sql: String
    public var parameters: [String?]

    public init(_ sql: String, _ parameters: [String?] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

/// What a round of statements gave: each one's rows or error, in the round's order.
public struct QueryResults: Sendable {
    public var results: [Result<PGRows, PGError>]

    public init(results: [Result<PGRows, PGError>]) {
        self.results = results
    }

    /// The rows of statement `index`, empty when it failed (its error is in `errors`).
    public subscript(index: Int) -> PGRows {
        guard index < results.count, case .success(let rows) = results[index] else {
            return PGRows(columns: [], rows: [])
        }
        return rows
    }

    /// Every statement's rows, a failed one's empty.
    public var rows: [PGRows] { results.indices.map { self[$0] } }

    /// What failed, for the report: a missing grant empties one part, not the whole answer.
    public var errors: [String] {
        results.compactMap { if case .failure(let error) = $0 { return error.description } else { return nil } }
    }
}

/// A read of the database as a value of its store: the statements of a round, and how their
/// results become the typed answer or the next round. Whoever runs it (the console's feed, a
/// JSON command, `check`) only sends the statements and hands the results back; the errors of
/// every round come with the answer.
public struct ReadPlan<Answer: Sendable>: Sendable {
    public enum Step: Sendable {
        case done(Answer)
        case more(ReadPlan<Answer>)
    }

    public var statements: [Statement]
    public var next: @Sendable (QueryResults) -> Step

    public init(_ statements: [Statement], next: @escaping @Sendable (QueryResults) -> Step) {
        self.statements = statements
        self.next = next
    }

    /// A one-round read.
    public static func round(_ statements: [Statement], _ shape: @escaping @Sendable (QueryResults) -> Answer) -> ReadPlan {
        ReadPlan(statements) { .done(shape($0)) }
    }

    /// The same read, with its answer turned into another.
    public func map<Other: Sendable>(_ transform: @escaping @Sendable (Answer) -> Other) -> ReadPlan<Other> {
        let next = self.next
        return ReadPlan<Other>(statements) { results in
            switch next(results) {
            case .done(let answer): .done(transform(answer))
            case .more(let plan): .more(plan.map(transform))
            }
        }
    }

    /// This read, then the read `following` chooses from its answer, if any; both answers.
    public func followed<Other: Sendable>(
        by following: @escaping @Sendable (Answer) -> ReadPlan<Other>?
    ) -> ReadPlan<(Answer, Other?)> {
        let next = self.next
        return ReadPlan<(Answer, Other?)>(statements) { results in
            switch next(results) {
            case .done(let answer):
                guard let other = following(answer) else { return .done((answer, nil)) }
                return .more(other.map { (answer, $0) })
            case .more(let plan):
                return .more(plan.followed(by: following))
            }
        }
    }

    /// This read, then `other`, in rounds of their own; both answers together.
    public func then<Other: Sendable>(_ other: ReadPlan<Other>) -> ReadPlan<(Answer, Other)> {
        let next = self.next
        return ReadPlan<(Answer, Other)>(statements) { results in
            switch next(results) {
            case .done(let answer): .more(other.map { (answer, $0) })
            case .more(let plan): .more(plan.then(other))
            }
        }
    }
}
