import Wire

/// One input: a replication message, a recording line, and a JSON document, all from the same
/// bytes. The parsers must return a value or an error for anything; a crash, a hang or a leak
/// is a finding. The wire state is fed the message too, so its bookkeeping is exercised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    _ = ReplicationLine.parse(bytes)
    _ = try? JSONReader.parse(bytes)
    _ = Recording.parse(bytes)
    // Whatever the bytes, a scrubbed message keeps no token of a USER_IP or token cache line.
    let scrubbed = Secrets.scrub(Array(bytes))
    if case .success(.rdata(_, _, _, .cacheInvalidation(let name, let keys, _))) = ReplicationLine.parse(scrubbed),
       Secrets.isTokenCache(name), let items = keys.array,
       items.contains(where: { $0 != .string(Secrets.placeholder) }) {
        fatalError("a token cache's key survived scrubbing")
    }
    _ = Secrets.redactTokenShapes(String(decoding: bytes, as: UTF8.self))
    var limits = WireState.Limits()
    limits.feed = 8
    limits.duplicateWindow = 8
    var state = WireState(limits: limits)
    state.ingest(bytes, channel: "fuzz", at: 1)
    state.ingest(recording: Array(bytes))
    return 0
}

/// SwiftPM links an executable's entry point as `<module>_main`; hand it to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

@_cdecl("FuzzWire_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, { data, size in fuzz(data, size) })
}
