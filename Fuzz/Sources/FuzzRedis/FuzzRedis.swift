import FuzzDriver
import Redis

/// One input: the text Redis answers CLIENT LIST, INFO and CONFIG GET with (split at 0xFF
/// bytes), read as a subscriber count; and the same bytes as replies on the subscribed
/// connection. Neither may crash, and what they say must hold together.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parts = bytes.split(separator: 0xFF, maxSplits: 3, omittingEmptySubsequences: false).map(Array.init)
    func part(_ index: Int) -> [UInt8] { index < parts.count ? parts[index] : [] }
    let numsub = RedisValue.array([.bulk(part(0)), .integer(7)])
    let count = SubscriberCount.parse([numsub, .bulk(part(1)), .bulk(part(2)), .array([.bulk(Array("x".utf8)), .bulk(part(3))])],
                                      ownClient: Int64(size), at: 1)
    if count.error != nil || count.channels[String(decoding: part(0), as: UTF8.self)] != 7 {
        fatalError("a count with PUBSUB NUMSUB's answer whole was refused or lost it")
    }
    if let addresses = count.addresses, addresses.count > part(1).split(separator: UInt8(ascii: "\n")).count {
        fatalError("more addresses than clients listed")
    }
    // The subscription takes any reply in any order without trapping, and is subscribed only
    // once each channel was acknowledged.
    var subscription = Subscription(channels: ["hs", "hs/USER_IP"], authenticates: size % 2 == 0)
    _ = subscription.opening()
    var acknowledged = 0
    for piece in parts {
        let kind = piece.first.map { ["subscribe", "message", "pmessage", ""][Int($0) % 4] } ?? "subscribe"
        let reply: RedisValue = piece.count % 5 == 0 ? .error(String(decoding: piece, as: UTF8.self))
            : .array([.bulk(Array(kind.utf8)), .bulk(piece), .bulk(piece)])
        for step in subscription.handle(reply) where step == .subscribed { acknowledged += 1 }
    }
    if acknowledged > 1 { fatalError("subscribed twice") }
    return 0
}

@_cdecl("FuzzRedis_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
