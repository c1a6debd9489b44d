import Testing
import Wire

@Suite struct PythonIntegerTests {
    func read(_ text: String) -> PythonInteger { PythonInteger.read(text.unicodeScalars) }

    @Test func whatPythonsIntReads() {
        #expect(read("42") == .value(42))
        #expect(read(" \t+007\r\u{0B}") == .value(7))
        #expect(read("-1_000") == .value(-1000))
        #expect(read("-0") == .value(0))
        // Other decimal digits and spaces above ASCII, as Python 3.11 reads them.
        #expect(read("\u{0661}\u{0662}") == .value(12))
        #expect(read("\u{3000}\u{FF15}\u{00A0}") == .value(5))
        #expect(read("9223372036854775807") == .value(.max))
        #expect(read("-9223372036854775808") == .value(.min))
    }

    @Test func whatPythonsIntRefuses() {
        for text in ["", " ", "+", "-", "1__0", "_1", "1_", "+-1", "- 1", "1 2", "0x5", "1.0", "\u{1C}5", "5\u{200B}",
                     "\u{00B2}", "\u{7F}1"] {
            #expect(read(text) == .invalid, "\(text.debugDescription)")
        }
        #expect(read(String(repeating: "1", count: 4301)) == .overDigitLimit)
        #expect(read("0" + String(repeating: "1", count: 4300)) == .overDigitLimit)
        // Underscores are not digits: 4300 digits between them are read.
        #expect(read(String(repeating: "1_", count: 4299) + "1") == .beyond(String(repeating: "1", count: 4300)))
    }

    @Test func pastSixtyFourBitsIsSaidAsPythonPrintsIt() {
        #expect(read("9223372036854775808") == .beyond("9223372036854775808"))
        #expect(read("-0009223372036854775809") == .beyond("-9223372036854775809"))
        #expect(read(String(repeating: "1", count: 4300)) == .beyond(String(repeating: "1", count: 4300)))
    }

    @Test func aMultiWriterPositionsFirstCharacterIsAskedIfItIsADigit() {
        #expect(PythonInteger.isPythonDigit("7") && PythonInteger.isPythonDigit("\u{0665}"))
        // Superscript two is a digit to isdigit, though int refuses it.
        #expect(PythonInteger.isPythonDigit("\u{00B2}"))
        #expect(!PythonInteger.isPythonDigit("-") && !PythonInteger.isPythonDigit(" ") && !PythonInteger.isPythonDigit("m"))
    }
}
