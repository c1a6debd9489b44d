import FuzzDriver
import Wire

/// One input: a replication message, a recording line, a JSON document and a sync token, all
/// from the same bytes. The parsers must return a value or an error for anything; a crash, a hang or a leak
/// is a finding. The wire state is fed the message too, so its bookkeeping is exercised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parsed = ReplicationLine.parse(bytes)
    // The fast way and the full way never disagree about a line the fast way takes, nor
    // about its row's digest.
    if let fast = FastLine.read(Array(bytes)), !fast.agrees(with: Array(bytes)) {
        fatalError("the fast reader and the full parser disagree")
    }
    _ = try? JSONReader.parse(bytes)
    _ = Recording.fields(ArraySlice(bytes))
    // Whatever the bytes, a scrubbed token-cache line keeps none of its keys: it is the same
    // line with each key of its row replaced (null, the whole cache, stays), or nothing after
    // the stream's name.
    let scrubbed = Secrets.scrub(Array(bytes))
    let prefix = Array("RDATA caches ".utf8)
    if Array(bytes).starts(with: prefix), let start = Array(bytes).indices.dropFirst(prefix.count).first(where: { bytes[$0] == UInt8(ascii: "[") }),
       let row = try? JSONReader.parse(Array(bytes[start...])), let items = row.array, items.count >= 2,
       let name = items[0].string, Secrets.isTokenCache(name), scrubbed != prefix + Array(Secrets.placeholder.utf8) {
        // What stood before the row stays (the space before it may go), then the row.
        guard let keptStart = scrubbed.indices.dropFirst(prefix.count).first(where: { scrubbed[$0] == UInt8(ascii: "[") }),
              bytes[..<start].starts(with: scrubbed[..<keptStart]),
              let kept = (try? JSONReader.parse(Array(scrubbed[keptStart...])))?.array,
              kept.count == items.count, kept[0] == items[0], kept[2...] == items[2...],
              kept[1].isNull == items[1].isNull,
              (kept[1].isNull ? [] : kept[1].array ?? [kept[1]]).allSatisfy({ $0.string == Secrets.placeholder })
        else {
            fatalError("a token cache's key survived scrubbing")
        }
    }
    _ = Secrets.redactTokenShapes(String(decoding: bytes, as: UTF8.self))
    _ = try? SyncToken.parse(String(decoding: bytes, as: UTF8.self))
    var limits = WireState.Limits()
    limits.feed = 8
    limits.duplicateWindow = 8
    var state = WireState(limits: limits)
    state.ingest(bytes, channel: "fuzz", at: 1)
    state.ingest(recording: Array(bytes))
    // A recording read a piece at a time: every line, whatever its length, and a seek anywhere.
    var reader = RecordingReader(RecordingBytes(Array(bytes)))
    while let _ = try? reader.next() {}
    if let (first, last) = try? reader.span() {
        try? reader.seek(time: (first + last) / 2)
        _ = try? reader.next()
    }
    return 0
}

@_cdecl("FuzzWire_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
