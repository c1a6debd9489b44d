import Foundation
import Wire

// Times ReplicationLine.parse (command and typed row, the counterpart of Synapse's
// parse_command_from_line plus the stream's parse_row) over every message of a recording,
// after reading it into memory. Prints: lines seconds.
guard CommandLine.arguments.count == 2,
      let data = FileManager.default.contents(atPath: CommandLine.arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ParseBench RECORDING\n".utf8))
    exit(2)
}
var messages: [[UInt8]] = []
for line in Recording.lines(Array(data)) {
    if case .message(let message) = Recording.parse(line) { messages.append(message.payload) }
}
var failures = 0
let start = DispatchTime.now()
for message in messages {
    if case .failure = ReplicationLine.parse(message) { failures += 1 }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
print("\(messages.count) \(String(format: "%.6f", seconds)) \(failures)")
