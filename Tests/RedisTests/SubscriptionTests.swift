import Testing
@testable import Redis

private func bulk(_ text: String) -> RedisValue { .bulk(Array(text.utf8)) }
private func subscribed(_ channel: String, _ count: Int64) -> RedisValue { .array([bulk("subscribe"), bulk(channel), .integer(count)]) }
private func message(_ channel: String, _ payload: String) -> RedisValue { .array([bulk("message"), bulk(channel), bulk(payload)]) }

/// The subscription's setup, replayed from scripted replies as Redis sends them: no socket.
@Suite struct SubscriptionTests {
    @Test func itOpensWithAuthClientIDAndSubscribe() {
        var subscription = Subscription(channels: ["hs", "hs/USER_IP"], authenticates: true)
        #expect(subscription.opening() == [.auth, .clientID, .subscribe(["hs", "hs/USER_IP"])])
        var plain = Subscription(channels: ["hs"], authenticates: false)
        #expect(plain.opening() == [.clientID, .subscribe(["hs"])])
    }

    @Test func everyChannelAcknowledgedIsSubscribed() {
        var subscription = Subscription(channels: ["hs", "hs/USER_IP"], authenticates: true)
        _ = subscription.opening()
        #expect(subscription.handle(.status("OK")).isEmpty)
        #expect(subscription.handle(.integer(42)).isEmpty)
        #expect(subscription.clientID == 42)
        #expect(subscription.handle(subscribed("hs", 1)).isEmpty)
        #expect(!subscription.isSubscribed)
        // A message between two acknowledgements is handed over in order.
        #expect(subscription.handle(message("hs", "POSITION events ep1 1 2"))
                    == [.message(channel: Array("hs".utf8), payload: Array("POSITION events ep1 1 2".utf8))])
        #expect(subscription.handle(subscribed("hs/USER_IP", 2)) == [.subscribed])
        #expect(subscription.isSubscribed)
        // Once subscribed, a repeated acknowledgement says nothing new.
        #expect(subscription.handle(subscribed("hs", 2)).isEmpty)
    }

    @Test func aRefusalIsAFailureThatNamesNoSecret() {
        var auth = Subscription(channels: ["hs"], authenticates: true)
        _ = auth.opening()
        #expect(auth.handle(.error("WRONGPASS invalid username-password pair or user is disabled."))
                    == [.failed("Redis refused: WRONGPASS invalid username-password pair or user is disabled.")])
        var acl = Subscription(channels: ["hs"], authenticates: false)
        _ = acl.opening()
        #expect(acl.handle(.integer(7)).isEmpty)
        #expect(acl.handle(.error("NOPERM this user has no permissions to access the 'hs' channel"))
                    == [.failed("Redis refused: NOPERM this user has no permissions to access the 'hs' channel")])
    }

    /// A user that may not ask CLIENT ID is no failure: the output buffer is just not shown.
    @Test func clientIDRefusedIsNoFailure() {
        var subscription = Subscription(channels: ["hs"], authenticates: false)
        _ = subscription.opening()
        #expect(subscription.handle(.error("NOPERM this user has no permissions to run the 'client|id' command")).isEmpty)
        #expect(subscription.clientID == nil)
        #expect(subscription.handle(subscribed("hs", 1)) == [.subscribed])
    }

    /// A new connection starts the setup afresh: nothing of the last one counts.
    @Test func aReconnectionStartsAfresh() {
        var subscription = Subscription(channels: ["hs"], authenticates: false)
        _ = subscription.opening()
        _ = subscription.handle(.integer(1))
        _ = subscription.handle(subscribed("hs", 1))
        #expect(subscription.isSubscribed)
        _ = subscription.opening()
        #expect(!subscription.isSubscribed && subscription.clientID == nil)
        #expect(subscription.handle(.integer(2)).isEmpty)
        #expect(subscription.clientID == 2)
    }

    @Test func repliesAreRecognisedOnce() {
        #expect(PubSubReply(message("hs", "x")) == .message(channel: Array("hs".utf8), payload: Array("x".utf8)))
        #expect(PubSubReply(subscribed("hs", 1)) == .subscribed(channel: Array("hs".utf8)))
        #expect(PubSubReply(.array([bulk("pmessage"), bulk("hs"), bulk("x")])) == nil)
        #expect(PubSubReply(.array([bulk("message"), bulk("hs")])) == nil)
        #expect(PubSubReply(.integer(1)) == nil)
    }
}

@Suite struct SubscriberCountTests {
    let clientList = """
        id=7 addr=127.0.0.1:50001 laddr=127.0.0.1:6379 fd=8 name= age=10 idle=0 flags=P db=0 sub=1 psub=0 omem=0 cmd=subscribe
        id=9 addr=127.0.0.1:50002 laddr=127.0.0.1:6379 fd=9 name= age=3 idle=0 flags=P db=0 sub=2 psub=0 omem=2097152 cmd=subscribe

        """

    @Test func itReadsEveryReplyItMay() {
        let count = SubscriberCount.parse([
            .array([bulk("hs"), .integer(5), bulk("hs/USER_IP"), .integer(2)]),
            bulk(clientList),
            bulk("# Stats\r\ntotal_connections_received:40\r\nclient_output_buffer_limit_disconnections:3\r\n"),
            .array([bulk("client-output-buffer-limit"), bulk("normal 0 0 0 replica 268435456 67108864 60 pubsub 33554432 8388608 60")]),
        ], ownClient: 9, at: 12)
        #expect(count.at == 12 && count.error == nil)
        #expect(count.channels == ["hs": 5, "hs/USER_IP": 2])
        #expect(count.addresses == ["127.0.0.1:50001", "127.0.0.1:50002"])
        #expect(count.ownOutputBytes == 2_097_152)
        #expect(count.limitDisconnections == 3)
        #expect(count.pubsubLimit == OutputBufferLimit(hard: 33_554_432, soft: 8_388_608, seconds: 60))
    }

    /// An ACL may refuse all but PUBSUB NUMSUB: what was refused is said, not failed.
    @Test func refusalsOfTheRestAreNoFailure() {
        let count = SubscriberCount.parse([
            .array([bulk("hs"), .integer(1)]), .error("NOPERM client|list"), .error("NOPERM info"), .error("NOPERM config|get"),
        ], ownClient: nil, at: 1)
        #expect(count.error == nil && count.channels == ["hs": 1])
        #expect(count.addresses == nil && count.addressesRefused == "NOPERM client|list")
        #expect(count.limitDisconnections == nil && count.pubsubLimit == nil)
    }

    @Test func withoutNumsubThereIsNoCount() {
        #expect(SubscriberCount.parse([.error("NOPERM pubsub|numsub"), .bulk(nil), .bulk(nil), .bulk(nil)], ownClient: nil, at: 1).error
                    == "PUBSUB NUMSUB refused: NOPERM pubsub|numsub")
        #expect(SubscriberCount.parse([.integer(1)], ownClient: nil, at: 1).error == "unexpected replies to PUBSUB NUMSUB")
        #expect(SubscriberCount.commands(channels: ["hs"]).first == ["PUBSUB", "NUMSUB", "hs"])
    }

    @Test func theChannelsOfADeployment() {
        #expect(ReplicationChannels.names(serverName: "hs", userIP: false) == ["hs"])
        #expect(ReplicationChannels.all(serverName: "hs") == ["hs", "hs/USER_IP"])
        #expect(ReplicationChannels.isMain("hs") && !ReplicationChannels.isMain("hs/USER_IP"))
        #expect(OutputBufferLimit.parse("normal 0 0 0 pubsub 1 2") == nil)
    }
}
