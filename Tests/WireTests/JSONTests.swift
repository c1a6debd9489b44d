import Testing
@testable import Wire

@Suite struct JSONTests {
    @Test func readsWhatSynapsesEncoderWrites() throws {
        let value = try JSONReader.parse(#"["@zo\u00eb:test.local",false,true,null,-12,1.5e3,{"k":[]}]"#)
        #expect(value == .array([.string("@zoë:test.local"), .bool(false), .bool(true), .null,
                                 .integer(-12), .double(1500), .object(["k": .array([])])]))
    }

    @Test func escapesAndSurrogatePairs() throws {
        #expect(try JSONReader.parse(#""a\"b\\c\/d\n\t\ud83d\ude42""#) == .string("a\"b\\c/d\n\t🙂"))
        #expect(try JSONReader.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    @Test func keepsLargeIntegersExact() throws {
        #expect(try JSONReader.parse("1795703088292") == .integer(1_795_703_088_292))
        #expect(try JSONReader.parse("9223372036854775807") == .integer(Int64.max))
        #expect(try JSONReader.parse("92233720368547758070") == .double(9.223372036854775807e19))
    }

    @Test(arguments: ["", "[", "[1,]", "{\"a\"}", "tru", "\"abc", "01", "1.", "-", "[1] x",
                      "\"\u{01}\"", #""\x""#, #""\u12G4""#, "{1:2}", "nul"])
    func rejectsBadJSON(input: String) {
        #expect(throws: JSONError.self) { try JSONReader.parse(input) }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONError.self) { try JSONReader.parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONReader.parse(fine)) != nil)
    }
}
