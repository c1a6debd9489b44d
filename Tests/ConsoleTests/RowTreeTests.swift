import Terminal
import Testing
import Wire
@testable import Console
@testable import Observation

/// Folded rows: processes grouped by their name's pattern, streams over their writers, and the
/// keys that open and fold them.
@Suite struct RowTreeTests {
    @Test func processesGroupByTheirNamesPattern() {
        #expect(ProcessGroups.stem("client_reader12") == "client_reader")
        #expect(ProcessGroups.stem("master") == "master")
        #expect(ProcessGroups.stem("42") == "42")
        let groups = ProcessGroups.group(["master", "client_reader2", "event_persister1", "client_reader1",
                                          "event_persister2", "client_reader3", "client_reader"])
        #expect(groups.map(\.stem) == [nil, "client_reader", nil, nil, nil])
        #expect(groups[1].members == ["client_reader2", "client_reader1", "client_reader3"])
        // Two persisters stay rows of their own; a bare name equal to a group's stem too.
        #expect(groups.compactMap { $0.stem == nil ? $0.members.first : nil }
                == ["master", "event_persister1", "event_persister2", "client_reader"])
    }

    func rows() -> [TableRow] {
        [
            TableRow([TableCell("events"), TableCell("2 writers")], foldKey: "stream:events"),
            TableRow([TableCell(""), TableCell("event_persister1")], depth: 1),
            TableRow([TableCell(""), TableCell("event_persister2")], depth: 1),
            TableRow([TableCell("typing"), TableCell("stream_writer1")]),
        ]
    }

    @Test func foldedRowsHideWhatIsUnderThemAndAFilterLooksInside() {
        #expect(RowTree.arrange(rows(), filter: "", sort: nil, expanded: []).map { $0.cells[0].text }
                == ["▸ events", "  typing"])
        let open = RowTree.arrange(rows(), filter: "", sort: nil, expanded: ["stream:events"])
        #expect(open.map { $0.cells[1].text } == ["2 writers", "event_persister1", "event_persister2", "stream_writer1"])
        #expect(open[0].cells[0].text == "▾ events" && RowTree.parent(of: 2, in: open) == 0 && RowTree.parent(of: 3, in: open) == nil)
        // A match under a folded row shows it, with the row above opened.
        let found = RowTree.arrange(rows(), filter: "persister2", sort: nil, expanded: [])
        #expect(found.map { $0.cells[1].text } == ["2 writers", "event_persister2"])
        // Sorting keeps a writer under its stream.
        let sorted = RowTree.arrange(rows(), filter: "", sort: SortOrder(column: 1, ascending: false), expanded: ["stream:events"])
        #expect(sorted.map { $0.cells[1].text } == ["stream_writer1", "2 writers", "event_persister2", "event_persister1"])
    }

    @Test func enterAndTheArrowsOpenAndFold() {
        var state = ConsoleState(size: .init(width: 120, height: 40))
        state.screen = .positions
        for writer in ["event_persister1", "event_persister2"] {
            state.observation.wire.ingest(Array("POSITION events \(writer) 1 2".utf8), channel: "hs", at: 1)
        }
        state.observation.now = 1
        func shown() -> [String] { ScreenContent.view(state).panels.first?.table.rows.map { $0.cells[1].text } ?? [] }
        #expect(shown() == ["2 writers"])
        _ = ConsoleReducer.reduce(&state, .moveToTop)
        _ = ConsoleReducer.reduce(&state, .drillDown)
        #expect(shown() == ["2 writers", "event_persister1", "event_persister2"])
        _ = ConsoleReducer.reduce(&state, .moveSelection(2))
        // ← on a writer folds its stream and selects it.
        _ = ConsoleReducer.reduce(&state, .fold)
        #expect(shown() == ["2 writers"] && state.table(state.focusedKey).selection == 0)
        _ = ConsoleReducer.reduce(&state, .unfold)
        #expect(shown().count == 3)
        // Enter on a writer opens the stream's detail.
        _ = ConsoleReducer.reduce(&state, .moveSelection(1))
        _ = ConsoleReducer.reduce(&state, .drillDown)
        #expect(state.details[.positions] == .stream("events"))
    }
}
