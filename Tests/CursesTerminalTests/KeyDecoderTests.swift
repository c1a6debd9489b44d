import Testing
import Terminal
@testable import CursesTerminal

@Suite struct KeyDecoderTests {
    @Test func decodesCharactersControlsAndSpecialKeys() {
        #expect(KeyDecoder.decode(code: 113, isKeyCode: false) == .key(.character("q")))
        #expect(KeyDecoder.decode(code: 0x7528, isKeyCode: false) == .key(.character("用")))
        #expect(KeyDecoder.decode(code: 27, isKeyCode: false) == .key(.escape))
        #expect(KeyDecoder.decode(code: 13, isKeyCode: false) == .key(.enter))
        #expect(KeyDecoder.decode(code: 9, isKeyCode: false) == .key(.tab))
        #expect(KeyDecoder.decode(code: 3, isKeyCode: false) == .key(.control("c")))
        #expect(KeyDecoder.decode(code: 127, isKeyCode: false) == .key(.backspace))
        #expect(KeyDecoder.decode(code: 259, isKeyCode: true) == .key(.up))
        #expect(KeyDecoder.decode(code: 338, isKeyCode: true) == .key(.pageDown))
        #expect(KeyDecoder.decode(code: 265, isKeyCode: true) == .key(.function(1)))
        #expect(KeyDecoder.decode(code: 353, isKeyCode: true) == .key(.backTab))
        #expect(KeyDecoder.decode(code: 410, isKeyCode: true) == .resize)
        #expect(KeyDecoder.decode(code: 0xD800, isKeyCode: false) == nil)
    }

    @Test func asciiFallbackKeepsWidths() {
        #expect(CursesBackend.ascii("┌") == "+")
        #expect(CursesBackend.ascii("用") == "??")
        #expect(CursesBackend.ascii("é") == "?")
        #expect(CursesBackend.ascii("x") == "x")
    }
}
