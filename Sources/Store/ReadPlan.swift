/// One of syntop's queries with its parameters (text, NULL as nil).
public struct Statement: Equatable, Sendable {
    public var query: Query
    public var parameters: [String?]

    public init(_ query: Query, _ parameters: [String?] = []) {
        self.query = query
        self.parameters = parameters
    }

    public var sql: String { query.sql }

    /// A PostgreSQL array literal as a parameter, each element quoted.
    public static func array<S: Sequence>(_ values: S) -> String where S.Element: CustomStringConvertible {
        "{" + values.map { value in
            var quoted = "\""
            for character in value.description {
                if character == "\\" || character == "\"" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }.joined(separator: ",") + "}"
    }
}

/// What a round of statements gave: each one's rows or error, found by the query it ran.
public struct QueryResults: Sendable {
    public var statements: [Statement]
    public var results: [Result<PGRows, PGError>]

    public init(statements: [Statement], results: [Result<PGRows, PGError>]) {
        self.statements = statements
        self.results = results
    }

    /// The rows of the round's statement of `query` (the first, where it ran several times),
    /// empty when it failed (its error is in `errors`).
    public subscript(query: Query) -> PGRows {
        statements.firstIndex { $0.query == query }.map { rows(at: $0) } ?? PGRows(columns: [], rows: [])
    }

    /// The rows of every statement of `query`, in the round's order.
    public func all(_ query: Query) -> [PGRows] {
        statements.indices.filter { statements[$0].query == query }.map { rows(at: $0) }
    }

    /// Why the round's statement of `query` failed, if it did.
    public func failure(_ query: Query) -> PGError? {
        guard let index = statements.firstIndex(where: { $0.query == query }), case .failure(let error) = results[index] else {
            return nil
        }
        return error
    }

    private func rows(at index: Int) -> PGRows {
        guard index < results.count, case .success(let rows) = results[index] else { return PGRows(columns: [], rows: []) }
        return rows
    }

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
