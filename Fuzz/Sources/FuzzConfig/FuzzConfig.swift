import Config
import FuzzDriver
import Settings

/// One input: the same bytes as a Synapse config file and as syntop's own. Both readers must
/// return a config and its problems for anything; a crash, a hang or a leak is a finding. The
/// masking of secrets must be stable: masking what it already masked changes nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = ConfigLoader.parse([(file: "homeserver.yaml", text: text)])
    let file = SettingsFile.parse(text, path: "/home/op/.config/syntop/config.yaml", home: "/home/op")
    for context in [nil] + file.contexts.map(\.name) {
        _ = try? Settings.resolve(file: file, filePath: file.path, commandLine: [:],
                                  request: context.map { Settings.ContextRequest($0, by: "--context") })
    }
    let conninfo = MaskedSecret.conninfo(text)
    let url = MaskedSecret.url(text)
    if MaskedSecret.conninfo(conninfo) != conninfo || MaskedSecret.url(url) != url {
        fatalError("masking a masked value changed it")
    }
    return 0
}

@_cdecl("FuzzConfig_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzz(data, size) }
}
