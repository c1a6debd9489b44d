import NaturalOrder
import Terminal

/// A panel's rows as a tree: a screen lists them in preorder with their depth, and this folds,
/// filters and sorts them, so at any size of deployment the first page shows one row per
/// stream or group and a stream's writers are one key away.
enum RowTree {
    struct Node {
        var row: TableRow
        var children: [Node] = []
    }

    /// The rows to draw. A folded row hides what is under it unless the filter finds something
    /// there: a match shows its ancestors opened, and a row that matches keeps its rows under it.
    /// Siblings sort among themselves, so a writer stays under its stream whatever the order.
    static func arrange(_ rows: [TableRow], filter: String, sort: SortOrder?,
                        expanded: Set<String>) -> [TableRow] {
        var nodes = build(rows)
        if !filter.isEmpty { nodes = filtered(nodes, needle: filter.lowercased()) }
        let marked = rows.contains { $0.foldKey != nil }
        var shown: [TableRow] = []
        shown.reserveCapacity(rows.count)
        flatten(sorted(nodes, by: sort), into: &shown, expanded: expanded, forced: !filter.isEmpty,
                marked: marked)
        return shown
    }

    static func build(_ rows: [TableRow]) -> [Node] {
        var index = 0
        func level(_ depth: Int) -> [Node] {
            var nodes: [Node] = []
            while index < rows.count && rows[index].depth >= depth {
                var node = Node(row: rows[index])
                index += 1
                node.children = level(node.row.depth + 1)
                nodes.append(node)
            }
            return nodes
        }
        return level(0)
    }

    static func matches(_ row: TableRow, _ needle: String) -> Bool {
        row.cells.contains { $0.text.lowercased().contains(needle) }
            || row.spanning?.lowercased().contains(needle) == true
    }

    static func filtered(_ nodes: [Node], needle: String) -> [Node] {
        nodes.compactMap { node in
            if matches(node.row, needle) { return node }
            let children = filtered(node.children, needle: needle)
            return children.isEmpty ? nil : Node(row: node.row, children: children)
        }
    }

    static func sorted(_ nodes: [Node], by sort: SortOrder?) -> [Node] {
        guard let sort else { return nodes }
        func key(_ node: Node) -> String {
            sort.column < node.row.cells.count ? node.row.cells[sort.column].text : ""
        }
        func before(_ x: String, _ y: String) -> Bool {
            if let nx = Double(x), let ny = Double(y), !nx.isNaN, !ny.isNaN { return nx < ny }
            return NaturalOrder.less(x, y)
        }
        return nodes.map { Node(row: $0.row, children: sorted($0.children, by: sort)) }
            .sorted { a, b in sort.ascending ? before(key(a), key(b)) : before(key(b), key(a)) }
    }

    /// `forced`: a filter is set, and whatever it kept is shown. `marked`: the table has rows
    /// that fold, and every first cell makes room for the mark.
    static func flatten(_ nodes: [Node], into shown: inout [TableRow], expanded: Set<String>,
                        forced: Bool, marked: Bool) {
        for node in nodes {
            var row = node.row
            let open = row.foldKey.map { forced || expanded.contains($0) } ?? false
            if marked, !row.cells.isEmpty {
                let mark = row.foldKey == nil || node.children.isEmpty ? "  " : (open ? "▾ " : "▸ ")
                row.cells[0].text = String(repeating: "  ", count: row.depth) + mark + row.cells[0].text
            }
            shown.append(row)
            if open || row.foldKey == nil {
                flatten(node.children, into: &shown, expanded: expanded, forced: forced, marked: marked)
            }
        }
    }

    /// The row above `index` that `index` is under, if any.
    static func parent(of index: Int, in rows: [TableRow]) -> Int? {
        guard index < rows.count, rows[index].depth > 0 else { return nil }
        return rows[..<index].lastIndex { $0.depth < rows[index].depth }
    }
}
