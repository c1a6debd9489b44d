import Testing
@testable import Terminal

@Suite struct ScreenBufferTests {
    @Test func putClipsAtTheRightEdgeWithAnEllipsis() {
        var buffer = ScreenBuffer(size: Size(width: 8, height: 1))
        let used = buffer.put("replication", x: 0, y: 0)
        #expect(used == 8)
        #expect(buffer.text() == "replica…")
    }

    @Test func putNeverWrapsIntoTheNextRow() {
        var buffer = ScreenBuffer(size: Size(width: 4, height: 2))
        buffer.put("abcdefgh", x: 2, y: 0)
        #expect(buffer.text() == "  a…\n")
    }

    @Test func wideCharactersOccupyTwoCells() {
        var buffer = ScreenBuffer(size: Size(width: 6, height: 1))
        buffer.put("a用b", x: 0, y: 0)
        #expect(buffer[1, 0].text == "用")
        #expect(buffer[2, 0].isContinuation)
        #expect(buffer[3, 0].text == "b")
        #expect(buffer.text() == "a用b")
    }

    @Test func aWideCharacterThatDoesNotFitIsCut() {
        var buffer = ScreenBuffer(size: Size(width: 3, height: 1))
        buffer.put("ab用", x: 0, y: 0)
        #expect(buffer.text() == "ab…")
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var buffer = ScreenBuffer(size: Size(width: 4, height: 1))
        buffer.put("用户", x: 0, y: 0)
        buffer.put("x", x: 1, y: 0)
        #expect(buffer.text() == " x户")
        buffer.put("y", x: 2, y: 0)
        #expect(buffer.text() == " xy")
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        var buffer = ScreenBuffer(size: Size(width: 10, height: 1))
        buffer.put("a\u{1b}[2Jb", x: 0, y: 0)
        #expect(buffer.text() == "a?[2Jb")
    }

    @Test func fillAndPaint() {
        var buffer = ScreenBuffer(size: Size(width: 3, height: 2))
        buffer.fill(Rect(x: 1, y: 0, width: 5, height: 5), with: "#", element: .warn)
        #expect(buffer.text() == " ##\n ##")
        buffer.paint(Rect(x: 0, y: 1, width: 1, height: 1), element: .crit)
        #expect(buffer[0, 1].element == .crit)
        #expect(buffer[1, 1].element == .warn)
    }
}
