import Testing
@testable import Wire

func parsed(_ line: String) -> ReplicationCommand? {
    try? ReplicationLine.parse(Array(line.utf8)).get()
}

func failure(_ line: String) -> MalformedReason? {
    if case .failure(let failure) = ReplicationLine.parse(Array(line.utf8)) { return failure.reason }
    return nil
}

@Suite struct CommandTests {
    @Test func rdataDeviceListsRow() {
        #expect(parsed(#"RDATA device_lists master 2 ["@alice:test.local",false,false]"#)
                == .rdata(stream: "device_lists", instance: "master", token: .id(2),
                          row: .deviceList(userID: "@alice:test.local", isSignature: false,
                                           hostsCalculated: false)))
    }

    @Test func rdataRowJSONMayContainSpaces() {
        #expect(parsed(#"RDATA caches master 4 ["get_user_by_id", ["@a b:x"], 1795703086336]"#)
                == .rdata(stream: "caches", instance: "master", token: .id(4),
                          row: .cacheInvalidation(cacheFunction: "get_user_by_id",
                                                  keys: .array([.string("@a b:x")]),
                                                  invalidationTS: 1_795_703_086_336)))
    }

    @Test func eventsRowsIncludingARedactionWithoutTarget() {
        let redaction = parsed(#"RDATA events event_persister1 60 ["ev",["$vmlb","!7ApQ","m.room.redaction",null,null,null,null,false,false]]"#)
        guard case .rdata(_, _, _, .event(let row))? = redaction else {
            Issue.record("not an event row")
            return
        }
        #expect(row.type == "m.room.redaction")
        #expect(row.redacts == nil)
        #expect(parsed(#"RDATA events event_persister1 batch ["ev",["$1tAE","!7ApQ","m.room.member","@erin:test.local",null,null,"ban",false,false]]"#)
                == .rdata(stream: "events", instance: "event_persister1", token: .batch, row: .event(EventRow(
                    eventID: "$1tAE", roomID: "!7ApQ", type: "m.room.member", stateKey: "@erin:test.local",
                    redacts: nil, relatesTo: nil, membership: "ban", rejected: false, outlier: false))))
        #expect(parsed(#"RDATA events event_persister1 2 ["state",["!7ApQ","m.room.create","","$7ApQ"]]"#)
                == .rdata(stream: "events", instance: "event_persister1", token: .id(2),
                          row: .currentState(roomID: "!7ApQ", type: "m.room.create", stateKey: "", eventID: "$7ApQ")))
        #expect(parsed(#"RDATA events event_persister1 9 ["state-all",["!7ApQ"]]"#)
                == .rdata(stream: "events", instance: "event_persister1", token: .id(9), row: .allState(roomID: "!7ApQ")))
    }

    @Test func olderFiveFieldEventRowsStillParse() {
        let old = parsed(#"RDATA events master 5 ["ev",["$e","!r","m.room.message",null,null]]"#)
        guard case .rdata(_, _, _, .event(let row))? = old else {
            Issue.record("not an event row")
            return
        }
        #expect(row.membership == nil && row.outlier == false)
    }

    @Test func everyStreamRow() {
        let rows: [(String, StreamRow)] = [
            (#"RDATA backfill event_persister1 7 ["$e","!r","m.room.message",null,null,null]"#,
             .backfill(eventID: "$e", roomID: "!r", type: "m.room.message", stateKey: nil, redacts: nil, relatesTo: nil)),
            (#"RDATA sticky_events event_persister1 3 ["!r","$e"]"#, .stickyEvent(roomID: "!r", eventID: "$e")),
            (#"RDATA profile_updates event_persister1 3 ["@a:x","update",["displayname"]]"#,
             .profileUpdate(userID: "@a:x", action: "update", affectedFields: ["displayname"])),
            (#"RDATA presence master 5 ["@zed:127.0.0.1:58448","offline",1,2,0,null,false]"#,
             .presence(userID: "@zed:127.0.0.1:58448", state: "offline", lastActiveTS: 1, currentlyActive: false)),
            (#"RDATA presence_federation master 5 ["127.0.0.1:58448","@a:x"]"#,
             .presenceFederation(destination: "127.0.0.1:58448", userID: "@a:x")),
            (#"RDATA typing generic1 8 ["!7ApQ",[]]"#, .typing(roomID: "!7ApQ", userIDs: [])),
            (#"RDATA receipts w 3 ["!r","m.read","@a:x","$e",null,{"ts":1}]"#,
             .receipt(roomID: "!r", receiptType: "m.read", userID: "@a:x", eventID: "$e", threadID: nil)),
            (#"RDATA push_rules master 2 ["@a:x"]"#, .pushRules(userID: "@a:x")),
            (#"RDATA pushers master 4 ["@a:x","m.http","key",true]"#, .pusher(userID: "@a:x", appID: "m.http", deleted: true)),
            (#"RDATA to_device generic1 batch ["@bob:test.local"]"#, .toDevice(entity: "@bob:test.local")),
            (#"RDATA account_data master 3 ["@a:x",null,"m.push_rules"]"#,
             .accountData(userID: "@a:x", roomID: nil, dataType: "m.push_rules")),
            (#"RDATA thread_subscriptions master 3 ["@a:x","!r","$root"]"#,
             .threadSubscription(userID: "@a:x", roomID: "!r", eventID: "$root")),
            (#"RDATA un_partial_stated_room master 3 ["!r"]"#, .unPartialStatedRoom(roomID: "!r")),
            (#"RDATA un_partial_stated_event master 3 ["$e",true]"#,
             .unPartialStatedEvent(eventID: "$e", rejectionStatusChanged: true)),
            (#"RDATA quarantined_media master 2 [null,"abc",true]"#,
             .quarantinedMedia(origin: nil, mediaID: "abc", quarantined: true)),
            (#"RDATA federation master 2 ["pd",{"state":{},"dests":[]}]"#,
             .federation(type: "pd", data: .object(["state": .object([:]), "dests": .array([])]))),
            (#"RDATA caches master 3 ["cs_cache_fake",null,5]"#,
             .cacheInvalidation(cacheFunction: "cs_cache_fake", keys: .null, invalidationTS: 5)),
            (#"RDATA brand_new_stream x 3 {"any":"thing"}"#, .unknown(.object(["any": .string("thing")]))),
        ]
        for (line, row) in rows {
            guard case .rdata(_, _, _, let got)? = parsed(line) else {
                Issue.record("did not parse: \(line)")
                continue
            }
            #expect(got == row, "\(line)")
        }
    }

    @Test func theOtherCommands() {
        #expect(parsed("POSITION device_lists master 10 11")
                == .position(stream: "device_lists", instance: "master", previous: 10, new: 11))
        #expect(parsed("REPLICATE ") == .replicate)
        #expect(parsed("REPLICATE") == .replicate)
        #expect(parsed("USER_SYNC xvyYL @alice:test.local FDPRBJZNHT start 1795703095864")
                == .userSync(processID: "xvyYL", userID: "@alice:test.local", deviceID: "FDPRBJZNHT",
                             started: true, presenceState: nil, lastSyncMS: 1_795_703_095_864))
        #expect(parsed("USER_SYNC xvyYL @alice:test.local None end 5")
                == .userSync(processID: "xvyYL", userID: "@alice:test.local", deviceID: nil, started: false,
                             presenceState: nil, lastSyncMS: 5))
        // The form of Synapse pull request 19946: a presence state before last_sync_ms.
        #expect(parsed("USER_SYNC xvyYL @alice:test.local FDPRBJZNHT start unavailable 1795703095864")
                == .userSync(processID: "xvyYL", userID: "@alice:test.local", deviceID: "FDPRBJZNHT",
                             started: true, presenceState: "unavailable", lastSyncMS: 1_795_703_095_864))
        #expect(parsed("USER_SYNC xvyYL @alice:test.local None end offline 5")
                == .userSync(processID: "xvyYL", userID: "@alice:test.local", deviceID: nil, started: false,
                             presenceState: "offline", lastSyncMS: 5))
        #expect(parsed("USER_SYNC_KEEPALIVE xvyYL") == .userSyncKeepalive(processID: "xvyYL"))
        #expect(parsed("CLEAR_USER_SYNC xvyYL") == .clearUserSync(processID: "xvyYL"))
        #expect(parsed("FEDERATION_ACK federation_sender1 42") == .federationAck(instance: "federation_sender1", token: 42))
        #expect(parsed("REMOTE_SERVER_UP 127.0.0.1:58448") == .remoteServerUp(server: "127.0.0.1:58448"))
        #expect(parsed(#"LOCK_RELEASED ["master","one_time_key_upload_lock","@alice:test.local_FDPRBJZNHT"]"#)
                == .lockReleased(instance: "master", lockName: "one_time_key_upload_lock", lockKey: "@alice:test.local_FDPRBJZNHT"))
        #expect(parsed("NEW_ACTIVE_TASK abc123") == .newActiveTask(taskID: "abc123"))
        #expect(parsed("CANCEL_TASK abc123") == .cancelTask(taskID: "abc123"))
        #expect(parsed("ERROR something broke") == .error(message: "something broke"))
        #expect(parsed("PING 1795703095864") == .legacy(name: "PING", argument: "1795703095864"))
        #expect(parsed("NAME client") == .legacy(name: "NAME", argument: "client"))
        #expect(parsed("SERVER test.local") == .legacy(name: "SERVER", argument: "test.local"))
        #expect(parsed("FROBNICATE now") == .unknown(name: "FROBNICATE", argument: "now"))
    }

    @Test func userIPDropsTheAccessToken() {
        let command = parsed(#"USER_IP @bob:test.local ["syt_secret_token","127.0.0.1","Python-urllib/3.11","ZMPWIBWFJG",1795703088292]"#)
        #expect(command == .userIP(userID: "@bob:test.local", ip: "127.0.0.1", userAgent: "Python-urllib/3.11",
                                   deviceID: "ZMPWIBWFJG", lastSeenMS: 1_795_703_088_292))
        #expect(!String(describing: command).contains("syt_secret_token"))
    }

    @Test func badLinesSayWhy() {
        #expect(failure("") == .empty)
        #expect(failure("   ") == .empty)
        #expect(failure(#"RDATA device_lists master 2 ["@a:x",false"#) == .badJSON)
        #expect(failure(#"RDATA device_lists master 2 ["@a:x",false]"#) == .badRow)
        #expect(failure(#"RDATA device_lists master 2 ["@a:x","no",false]"#) == .badRow)
        #expect(failure("RDATA device_lists master") == .arity)
        #expect(failure(#"RDATA device_lists master two ["@a:x",false,false]"#) == .badToken)
        #expect(failure("POSITION events ep1 1") == .arity)
        #expect(failure("POSITION events ep1 1 x") == .badToken)
        #expect(failure("POSITION events ep1 1 2 3") == .badToken)
        #expect(failure("USER_SYNC a b c middle 5") == .arity)
        #expect(failure("USER_SYNC a b c middle online 5") == .arity)
        #expect(failure("USER_SYNC a b c start") == .arity)
        #expect(failure("USER_SYNC a b c start online 5 6") == .badToken)
        #expect(failure(#"USER_IP @a:x ["t","ip"]"#) == .badRow)
        #expect(failure(#"RDATA events ep1 3 ["nope",[]]"#) == .badRow)
        if case .failure(let bad) = ReplicationLine.parse([0x52, 0x44, 0xff, 0xfe]) {
            #expect(bad.reason == .invalidUTF8)
        } else {
            Issue.record("invalid UTF-8 parsed")
        }
        let huge = Array("RDATA caches master 1 [\"".utf8) + Array(repeating: UInt8(ascii: "a"), count: 10_000_000)
        if case .failure(let bad) = ReplicationLine.parse(huge) {
            #expect(bad.reason == .tooLong)
        } else {
            Issue.record("a 10 MB line parsed")
        }
    }
}
