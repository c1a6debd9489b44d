import FuzzDriver
import Metrics

/// One input: a metrics page, read whole and in chunks of the size its first byte gives. Both
/// reads must keep the same samples (a chunk may end anywhere), and neither may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let page = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let names: Set<String> = ["m", "process_open_fds", "synapse_build_info", "a_b:c"]
    var whole = PrometheusReader(names: names)
    whole.feed(page)
    whole.finish()
    var chunked = PrometheusReader(names: names)
    let step = Int(data[0]) + 1
    var start = 0
    while start < page.count {
        chunked.feed(UnsafeRawBufferPointer(rebasing: page[start..<min(start + step, page.count)]))
        start += step
    }
    chunked.finish()
    let same = whole.samples.count == chunked.samples.count && zip(whole.samples, chunked.samples).allSatisfy {
        $0.name == $1.name && $0.labels == $1.labels && $0.value.bitPattern == $1.value.bitPattern
    }
    if !same || whole.malformed != chunked.malformed { fatalError("a page read in chunks differs from the page read whole") }
    return 0
}

@_cdecl("FuzzMetrics_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
