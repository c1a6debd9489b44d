/// User lookup by prefix, for picking whose history to show: local users from `users`, and
/// anyone who ever had a membership (remote users too), found one index probe at a time.
public enum UserStore {
    /// The users whose ID starts with `prefix`, at most `limit`.
    public static func search(prefix: String, limit: Int) -> ReadPlan<[Match]> {
        .round([Statement(.userSearch, searchParameters(prefix: prefix, limit: limit))]) { matches($0[.userSearch]) }
    }

    /// Bounds are passed as a range ($1 <= id < $2) so the C-collated indexes serve them.
    public static let searchSQL = """
        WITH RECURSIVE m(user_id) AS (
            (SELECT user_id FROM room_memberships WHERE user_id >= $1 AND user_id < $2 ORDER BY user_id LIMIT 1)
            UNION ALL
            SELECT (SELECT r.user_id FROM room_memberships r
                    WHERE r.user_id > m.user_id AND r.user_id < $2 ORDER BY r.user_id LIMIT 1)
            FROM m WHERE m.user_id IS NOT NULL
        )
        SELECT user_id, bool_or(is_local) AS local FROM (
            (SELECT name AS user_id, true AS is_local FROM users WHERE name >= $1 AND name < $2 ORDER BY name LIMIT $3)
            UNION ALL
            (SELECT user_id, false FROM m WHERE user_id IS NOT NULL LIMIT $3)
        ) found
        GROUP BY user_id ORDER BY user_id LIMIT $3
        """

    /// The parameters for a prefix: the prefix, a bound above every string that starts with it
    /// (the largest code point after it; Synapse requires the C collation, which sorts by
    /// bytes), and the limit.
    public static func searchParameters(prefix: String, limit: Int) -> [String?] {
        [prefix, prefix + "\u{10FFFF}", String(limit)]
    }

    public struct Match: Equatable, Sendable, Codable {
        public var userId: String
        public var local: Bool
    }

    public static func matches(_ rows: PGRows) -> [Match] {
        rows.rows.indices.map { Match(userId: rows.value($0, "user_id") ?? "", local: rows.value($0, "local") == "t") }
    }
}
