import Foundation
import Wire

// Times syntop's two ways through replication lines over every message of a recording, after
// reading it into memory: the full parser (ReplicationLine.parse: command and typed row, the
// counterpart of Synapse's parse_command_from_line plus the stream's parse_row), and the fast
// reader the wire state uses first (FastLine.read: RDATA, POSITION, FEDERATION_ACK and
// USER_SYNC where their bytes lie, the full parser for the rest). Prints: lines full-seconds fast-seconds failures.
guard CommandLine.arguments.count == 2,
      let data = FileManager.default.contents(atPath: CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ParseBench RECORDING\n".utf8))
    exit(2)
}
var messages: [[UInt8]] = []
for line in Recording.lines(Array(data)) {
    if case .message(_, _, let payload) = Recording.fields(line) { messages.append(Array(payload)) }
}
func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
var failures = 0
let full = seconds {
    for message in messages {
        if case .failure = ReplicationLine.parse(message) { failures += 1 }
    }
}
var reader = FastLineReader()
let fast = seconds {
    for message in messages where message.withUnsafeBufferPointer({ reader.read($0) }) == nil {
        _ = ReplicationLine.parse(message)
    }
}
print("\(messages.count) \(String(format: "%.6f", full)) \(String(format: "%.6f", fast)) \(failures)")
