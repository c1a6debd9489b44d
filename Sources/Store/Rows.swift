/// Rows of a query, as text (libpq's text format), NULL as nil.
public struct PGRows: Equatable, Sendable {
    public var columns: [String]
    public var rows: [[String?]]

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The value of a named column in a row; none past the rows (a table with no row, as
    /// Synapse's single-row tables can be).
    public func value(_ row: Int, _ column: String) -> String? {
        guard rows.indices.contains(row), let index = columns.firstIndex(of: column), rows[row].indices.contains(index) else {
            return nil
        }
        return rows[row][index]
    }
}

/// A server or connection error: SQLSTATE and the server's primary message. libpq and
/// PostgreSQL never put the password in either.
public struct PGError: Error, Equatable, Sendable, CustomStringConvertible {
    public var sqlstate: String?
    public var message: String

    public init(sqlstate: String?, message: String) {
        self.sqlstate = sqlstate
        self.message = message
    }

    public var description: String {
        sqlstate.map { "\(message) (SQLSTATE \($0))" } ?? message
    }
}
