import NaturalOrder

/// Processes that differ only in their number (`client_reader1` … `client_reader60`) are one
/// group on the screens: a deployment of a hundred processes reads as a dozen rows.
enum ProcessGroups {
    /// A name without its trailing number; the name itself when it has none.
    static func stem(_ name: String) -> String {
        let stripped = String(name.reversed().drop { $0.isASCII && $0.isNumber }.reversed())
        return stripped.isEmpty ? name : stripped
    }

    /// Fewer processes sharing a stem stay rows of their own: two event persisters read
    /// better by name.
    static let minimum = 3

    /// Groups of at least `minimum` names sharing a stem, and the names alone, each in the
    /// order given; a group stands where its first member would.
    static func group(_ names: [String]) -> [(stem: String?, members: [String])] {
        var byStem: [String: [String]] = [:]
        for name in names where stem(name) != name { byStem[stem(name), default: []].append(name) }
        var placed = Set<String>()
        var groups: [(stem: String?, members: [String])] = []
        for name in names {
            let key = stem(name)
            if key != name, let members = byStem[key], members.count >= minimum {
                if placed.insert(key).inserted { groups.append((key, members)) }
            } else {
                groups.append((nil, [name]))
            }
        }
        return groups
    }

    /// `client_reader* ×60`: what a group is called on screen and matched by a filter.
    static func label(_ stem: String, count: Int) -> String { "\(stem)* ×\(count)" }
}
