import Testing
@testable import Terminal

@Suite struct TableTests {
    let columns = [
        TableColumn("Stream", .flexible(min: 6, weight: 1)),
        TableColumn("Token", .fixed(5), .right),
    ]

    @Test func fixedColumnsFirstThenFlexibleShareTheRest() {
        #expect(Table.widths(columns, total: 20) == [14, 5])
        let three = [TableColumn("a", .flexible(min: 2, weight: 1)),
                     TableColumn("b", .fixed(3)),
                     TableColumn("c", .flexible(min: 2, weight: 3))]
        #expect(Table.widths(three, total: 17) == [4, 3, 8])
    }

    @Test func columnsThatDoNotFitGetNoWidth() {
        #expect(Table.widths(columns, total: 8) == [8, 0])
    }

    @Test func scrollingKeepsTheSelectionVisible() {
        #expect(Table.scrollOffset(selection: 12, offset: 0, rowCount: 20, visibleRows: 5) == 8)
        #expect(Table.scrollOffset(selection: 2, offset: 8, rowCount: 20, visibleRows: 5) == 2)
        #expect(Table.scrollOffset(selection: 9, offset: 8, rowCount: 20, visibleRows: 5) == 8)
        #expect(Table.scrollOffset(selection: nil, offset: 30, rowCount: 20, visibleRows: 5) == 15)
    }

    @Test func rendersHeadingRowsSelectionAndSortIndicator() {
        let table = Table(columns: columns, rows: [
            TableRow([TableCell("events"), TableCell("141")]),
            TableRow([TableCell("device_lists"), TableCell("67", .crit)]),
            TableRow([TableCell("typing"), TableCell("8")]),
        ], selection: 2, offset: 0, sort: SortOrder(column: 0, ascending: false))
        var buffer = ScreenBuffer(size: Size(width: 16, height: 3))
        table.render(into: &buffer, area: buffer.bounds)
        #expect(buffer.text() == """
            Stream▼    Token
            device_li…    67
            typing         8
            """)
        #expect(buffer[0, 2].element == .selected)
        #expect(buffer[15, 1].element == .crit)
        #expect(buffer[0, 0].element == .header)
    }

    @Test func anEmptyTableShowsItsMessage() {
        let table = Table(columns: columns, rows: [], emptyMessage: ["waiting for data"])
        var buffer = ScreenBuffer(size: Size(width: 12, height: 2))
        table.render(into: &buffer, area: buffer.bounds)
        #expect(buffer.text() == "Stream Token\n waiting fo…")
    }
}

@Suite struct SmallWidgetTests {
    @Test func sparklineScalesToTheLargestValueAndPadsOnTheLeft() {
        #expect(Sparkline([0, 1, 2, 4, 8]).text(width: 7) == "  ▁▂▃▅█")
        #expect(Sparkline([5, 5, 5]).text(width: 2) == "██")
        #expect(Sparkline([0, 0]).text(width: 2) == "▁▁")
    }

    @Test func tabBarHitAreasMatchTheLabels() {
        let bar = TabBar(titles: ["Pokes", "Roles"], active: 1)
        #expect(bar.labels() == [" 1 Pokes ", " 2 Roles "])
        #expect(bar.hitAreas(x: 0, y: 1, width: 40) == [
            Rect(x: 0, y: 1, width: 9, height: 1), Rect(x: 10, y: 1, width: 9, height: 1),
        ])
        var buffer = ScreenBuffer(size: Size(width: 20, height: 1))
        bar.render(into: &buffer, area: buffer.bounds)
        #expect(buffer[11, 0].element == .tabActive)
        #expect(buffer[1, 0].element == .tab)
    }

    @Test func keyBarDropsHintsThatDoNotFit() {
        var buffer = ScreenBuffer(size: Size(width: 14, height: 1))
        KeyBar([(key: "q", label: "Quit"), (key: "?", label: "Help"), (key: "/", label: "Filter")])
            .render(into: &buffer, area: buffer.bounds)
        #expect(buffer.text() == "q Quit ? Help")
        #expect(buffer[0, 0].element == .key)
    }

    @Test func statusLineDropsTheRightSideWhenItDoesNotFit() {
        var buffer = ScreenBuffer(size: Size(width: 12, height: 1))
        StatusLine(left: "left", right: "right").render(into: &buffer, area: buffer.bounds)
        #expect(buffer.text() == "left   right")
        StatusLine(left: "a long left side", right: "right").render(into: &buffer, area: buffer.bounds)
        #expect(buffer.text() == "a long left…")
    }

    @Test func inputLineShowsTheEndOfLongTextAndPlacesTheCursor() {
        var buffer = ScreenBuffer(size: Size(width: 8, height: 1))
        InputLine(prompt: "/", text: "device_lists").render(into: &buffer, area: buffer.bounds)
        #expect(buffer.text() == "/_lists")
        #expect(buffer.cursor?.x == 7)
    }

    @Test func frameDrawsATitledBoxAndReturnsItsInside() {
        var buffer = ScreenBuffer(size: Size(width: 10, height: 3))
        let inner = Frame(title: "Roles").render(into: &buffer, area: buffer.bounds)
        #expect(inner == Rect(x: 1, y: 1, width: 8, height: 1))
        #expect(buffer.text() == "┌─ Roles ┐\n│        │\n└────────┘")
    }

    @Test func helpOverlayScrollsWhenTooTall() {
        let overlay = HelpOverlay(title: "help", sections: [
            HelpOverlay.Section(title: "Keys", entries: (1...20).map { (keys: "\($0)", text: "x") }),
        ], footer: "esc", offset: 100)
        var buffer = ScreenBuffer(size: Size(width: 20, height: 10))
        overlay.render(into: &buffer, area: buffer.bounds)
        #expect(overlay.visibleLines(in: buffer.bounds) == 7)
        #expect(buffer.text().contains("20  x"))
        #expect(!buffer.text().contains("more below"))
    }
}

@Suite struct ClipboardTests {
    @Test func osc52CarriesTheTextInBase64() {
        #expect(Clipboard.osc52("$ev:x") == "\u{1B}]52;c;JGV2Ong=\u{07}")
        #expect(Clipboard.base64(Array("".utf8)) == "")
        #expect(Clipboard.base64(Array("f".utf8)) == "Zg==")
        #expect(Clipboard.base64(Array("fo".utf8)) == "Zm8=")
        #expect(Clipboard.base64(Array("foo".utf8)) == "Zm9v")
        #expect(Clipboard.base64(Array("!é🙂".utf8)) == "IcOp8J+Zgg==")
    }
}

@Suite struct ColumnWidthTests {
    let columns = [
        TableColumn("Instance", .flexible(min: 10, weight: 1)),
        TableColumn("Last", .fixed(4), .right),
        TableColumn("Writes", .flexible(min: 6, weight: 1)),
        TableColumn("Flags", .fill(min: 5, weight: 3)),
    ]

    @Test func shortContentIsWholeAndTheFillColumnTakesTheRest() {
        // Everything fits: each column its content, the flags the rest.
        #expect(Table.widths(columns, total: 60, content: [8, 4, 12, 10]) == [8, 4, 12, 33])
        // Short: the short column stays whole, the long ones share by weight.
        #expect(Table.widths(columns, total: 40, content: [8, 4, 30, 40]) == [8, 4, 9, 16])
        // Narrower than its minimum: the difference goes to the others.
        #expect(Table.widths(columns, total: 30, content: [3, 4, 6, 6]) == [3, 4, 6, 14])
    }

    /// A column capped by its content leaves its portion to the others by weight, not to the last.
    @Test func whatACappedColumnLeavesIsSharedByWeight() {
        let history = [TableColumn("Room", .fill(min: 4, weight: 3)), TableColumn("By", .flexible(min: 2, weight: 2)),
                       TableColumn("Reason", .flexible(min: 2, weight: 2))]
        // 30 - 2 separators - 8 minimums = 20 to share; By needs 2 more, Room and Reason much more.
        let widths = Table.widths(history, total: 30, content: [60, 4, 60])
        #expect(widths[1] == 4)
        #expect(widths[0] > widths[2], "\(widths)")
        #expect(widths.reduce(0, +) + 2 == 30)
    }

    @Test func withoutAFillColumnTheRightStaysBlank() {
        let plain = [TableColumn("a", .flexible(min: 2, weight: 1)), TableColumn("b", .fixed(3))]
        #expect(Table.widths(plain, total: 20, content: [5, 3]) == [5, 3])
    }

    @Test func everyWidthFitsTheTotal() {
        for total in 0..<80 {
            for long in [0, 5, 50, 500] {
                let widths = Table.widths(columns, total: total, content: [long, 4, long / 2, long])
                let shown = widths.filter { $0 > 0 }.count
                #expect(widths.reduce(0, +) + max(0, shown - 1) <= total, "\(total) \(long) \(widths)")
            }
        }
    }
}
