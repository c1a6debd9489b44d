import Testing
@testable import Wire

/// Real-shaped tokens of both kinds: a current `syt_` access token and an old macaroon.
let accessToken = "syt_YWxpY2U_HNnOhzIXKKOIPbdQBHxu_1eWrKk"
let macaroon = "MDAxOGxvY2F0aW9uIHRlc3QubG9jYWwKMDAxM2lkZW50aWZpZXIga2V5CjAwMTBjaWQgZ2VuID0gMQowMDIzY2lkIHVzZXJfaWQgPSBAYWxpY2U6dGVzdC5sb2NhbAowMDE2Y2lkIHR5cGUgPSBhY2Nlc3MKMDAyMWNpZCBub25jZSA9IEJYVzVjb2dnQzRfeHNKSGgKMDAyZnNpZ25hdHVyZSB-NGbsqjsO3LZAYg9fwv3YU7Ej4w3Tbu8N"

@Suite struct SecretsTests {
    func line(_ token: String, cache: String = "get_user_by_access_token") -> String {
        #"RDATA caches master 41 [""# + cache + #"",[""# + token + #""],1795703086336]"#
    }

    @Test(arguments: [accessToken, macaroon])
    func tokenCacheKeysNeverReachTheState(token: String) {
        guard case .success(.rdata(_, _, _, .cacheInvalidation(let name, let keys, let ts))) =
                ReplicationLine.parse(line(token)) else {
            Issue.record("not parsed")
            return
        }
        #expect(name == "get_user_by_access_token")
        #expect(keys == .array([.string("<token>")]))
        #expect(ts == 1_795_703_086_336)
        var state = WireState()
        state.ingest(Array(line(token).utf8), channel: "test.local", at: 1)
        #expect(!String(describing: state.streamRows.elements).contains(token))
        #expect(state.caches["get_user_by_access_token"]?.invalidations == 1)
    }

    @Test(arguments: [accessToken, macaroon])
    func recordingsHoldNoToken(token: String) {
        let recorded = String(decoding: Recording.line(time: 1, channel: "test.local",
                                                       payload: Array(line(token).utf8)), as: UTF8.self)
        #expect(recorded == "1.000000\ttest.local\t"
                + #"RDATA caches master 41 ["get_user_by_access_token",["<token>"],1795703086336]"# + "\n")
        // A bulk invalidation (a shadow ban sends every token of the user) and a batch row.
        let bulk = #"RDATA caches master batch ["get_user_by_access_token",[""# + token + #"",""#
            + accessToken + #""],null]"#
        #expect(String(decoding: Secrets.scrub(Array(bulk.utf8)), as: UTF8.self)
                == #"RDATA caches master batch ["get_user_by_access_token",["<token>","<token>"],null]"#)
        // Other caches are written exactly as published.
        let other = Array(#"RDATA caches master 4 ["get_user_by_id", ["@alice:test.local"],1]"#.utf8)
        #expect(Secrets.scrub(other) == other)
    }

    @Test func aModuleCacheNamedAfterATokenIsScrubbedToo() {
        let scrubbed = Secrets.scrub(Array(line("opaque-value", cache: "my_module.get_session_by_token").utf8))
        #expect(!String(decoding: scrubbed, as: UTF8.self).contains("opaque-value"))
        #expect(Secrets.isTokenCache("get_user_by_access_token"))
        #expect(!Secrets.isTokenCache("get_user_by_id"))
    }

    /// Found by the fuzzer: a row's key whose text also stands elsewhere in the line, in its
    /// (malformed) token or as the cache's name. The key is replaced; the rest stays as published.
    @Test func aKeyIsScrubbedWhateverElseHoldsItsText() {
        let text = #"RDATA caches w S"gi:4opaque-value"]9 ["my_module.get_session_by_token",["opaque-value"],17]"#
        let scrubbed = String(decoding: Secrets.scrub(Array(text.utf8)), as: UTF8.self)
        #expect(scrubbed == #"RDATA caches w S"gi:4opaque-value"]9 ["my_module.get_session_by_token",[""#
                + Secrets.placeholder + #""],17]"#)
        // A key that is the cache's own name: the key goes, the name stays.
        let named = Secrets.scrub(Array(#"RDATA caches w 9 ["ges_token","ges_token",626]"#.utf8))
        #expect(String(decoding: named, as: UTF8.self)
                == #"RDATA caches w 9 ["ges_token",[""# + Secrets.placeholder + #""],626]"#)
    }

    @Test(arguments: [accessToken, macaroon])
    func badLinesKeepNoTokenInTheirExcerpt(token: String) {
        let bad = [
            #"RDATA caches master 41 ["get_user_by_access_token",[""# + token + #""],"#,   // cut short
            #"RDATA caches master x ["get_user_by_access_token",[""# + token + #""],1]"#,  // bad stream id
            #"USER_IP @bob:test.local [""# + token + #"","127.0.0.1"]"#,                  // too few fields
            #"USER_IP @bob:test.local "# + token,                                         // no list at all
            #"USER_IP [""# + token + #"","1.2.3.4","Mozilla/5.0 (X11)",null,1]"#,           // no user ID
            #"RDATA caches master 41 ["get_user_by_access_token",""# + token + #"",1]"#,   // a key, not a list
            #"RDATA caches 41 ["get_user_by_access_token",[""# + token + #""],1]"#,        // a field missing
            // Found by the fuzzer: the stream id glued to the row, a space inside the key.
            #"RDATA caches master 62!["get_user_by_access_token",[":"# + token + #" x"],1]"#,
            // Found by the fuzzer: the key before the cache's name, in a line that does not parse.
            "RDATA caches \"" + token + "\"]\t[\"token\",[\"" + token + "\"]\t,922627]",
        ]
        var state = WireState()
        for text in bad { state.ingest(Array(text.utf8), channel: "test.local", at: 1) }
        #expect(state.malformedSamples.elements.count == bad.count)
        for sample in state.malformedSamples.elements {
            #expect(!sample.excerpt.contains(token.prefix(12)), "\(sample.excerpt)")
            #expect(!sample.detail.contains(token.prefix(12)), "\(sample.detail)")
        }
        for text in bad {
            #expect(!String(decoding: Secrets.scrub(Array(text.utf8)), as: UTF8.self).contains(token.prefix(12)))
        }
    }

    @Test(arguments: [accessToken, macaroon])
    func aBadRecordingLineKeepsNoToken(token: String) {
        var state = WireState()
        state.ingest(recording: Array(("x\ttest.local\tUSER_IP @b:x [\"" + token + "\",\"1.2.3.4\"]\n").utf8))
        #expect(state.malformedSamples.elements.count == 1)
        #expect(!state.malformedSamples.elements[0].excerpt.contains(token.prefix(12)))
    }

    @Test func tokenShapedNamesOfUnknownStreamsAndCommands() {
        var state = WireState()
        state.ingest(Array("RDATA \(accessToken) master 1 [1]".utf8), channel: "hs", at: 1)
        state.ingest(Array("\(accessToken) now".utf8), channel: "hs", at: 1)
        #expect(!String(describing: state.unknownStreams).contains("syt_"))
        #expect(!String(describing: state.positions).contains("syt_"))
        #expect(!state.commands.keys.contains { $0.contains("syt_") })
        #expect(Secrets.redactTokenShapes("mat_abcdef1234 and mar_x1") == "<token> and <token>")
    }

    @Test func tokenShapesInFreeText() {
        #expect(Secrets.redactTokenShapes("ERROR bad \(accessToken) here") == "ERROR bad <token> here")
        #expect(Secrets.redactTokenShapes("x \(macaroon)") == "x <token>")
        #expect(Secrets.redactTokenShapes("MDAx is short") == "MDAx is short")
        #expect(Secrets.redactTokenShapes("nothing") == "nothing")
        guard case .success(.unknown(_, let argument)) = ReplicationLine.parse("FROBNICATE \(accessToken)") else {
            Issue.record("not parsed")
            return
        }
        #expect(argument == "<token>")
    }

    @Test func jsonIsWrittenAsSynapseWritesIt() {
        #expect(JSONText.encode(.array([.string("a\"b\\é\n"), .integer(-3), .null, .bool(true)]))
                == #"["a\"b\\\u00e9\n",-3,null,true]"#)
    }
}

@Suite struct TokenCacheNameTests {
    @Test func namesAreReadIgnoringCase() {
        #expect(Secrets.isTokenCache("Module.Get_Session_By_TOKEN"))
        #expect(Secrets.isTokenCache("x.password_hash"))
        #expect(!Secrets.isTokenCache("get_users_in_room"))
        #expect(!Secrets.isTokenCache(""))
        #expect(!Secrets.isTokenCache("tok"))
    }
}
