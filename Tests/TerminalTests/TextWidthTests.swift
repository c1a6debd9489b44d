import Testing
@testable import Terminal

@Suite struct TextWidthTests {
    @Test func asciiIsOneCellEach() {
        #expect(TextWidth.of("syntop") == 6)
    }

    @Test func wideCharactersTakeTwoCells() {
        #expect(TextWidth.of("用户") == 4)
        #expect(TextWidth.of("🙂") == 2)
        #expect(TextWidth.of("Zoë") == 3)
    }

    @Test func combiningMarksTakeNoExtraCell() {
        #expect(TextWidth.of("e\u{301}") == 1)
    }

    @Test func controlCharactersAreNotPrintable() {
        #expect(!TextWidth.isPrintable("\u{1b}"))
        #expect(!TextWidth.isPrintable("\u{7f}"))
        #expect(!TextWidth.isPrintable("\u{9b}"))
        #expect(TextWidth.of("\u{1b}") == 1)
    }

    @Test func truncateMarksTheCutWithAnEllipsis() {
        #expect(TextWidth.truncate("device_lists", to: 6) == "devic…")
        #expect(TextWidth.truncate("short", to: 10) == "short")
        #expect(TextWidth.truncate("用户用户", to: 5) == "用户…")
        #expect(TextWidth.truncate("anything", to: 0) == "")
    }

    @Test func fitPadsAndAligns() {
        #expect(TextWidth.fit("42", to: 5, alignment: .right) == "   42")
        #expect(TextWidth.fit("用", to: 4) == "用  ")
        #expect(TextWidth.fit("ab", to: 6, alignment: .centre) == "  ab  ")
    }
}

@Suite struct WrapTests {
    @Test func wrapsAtSpacesAndCutsLongWords() {
        #expect(TextWidth.wrap("not seen writing a, b, c", to: 12) == ["not seen", "writing a,", "b, c"])
        #expect(TextWidth.wrap("abcdefghij", to: 4) == ["abcd", "efgh", "ij"])
        #expect(TextWidth.wrap("", to: 5) == [""])
        #expect(TextWidth.wrap("x", to: 0) == [])
        #expect(TextWidth.wrap("日本語 ok", to: 4) == ["日本", "語", "ok"])
    }
}

@Suite struct WrapEdgeTests {
    @Test func aCharacterWiderThanTheLineStillEnds() {
        #expect(TextWidth.wrap("日本", to: 1) == ["日", "本"])
    }
}
