/// Redis's `client-output-buffer-limit` for pub/sub clients: a subscriber is closed at once past
/// `hard` bytes waiting for it, or after `seconds` over `soft`. Zero is no limit.
public struct OutputBufferLimit: Equatable, Sendable {
    public var hard: Int64
    public var soft: Int64
    public var seconds: Int64

    public init(hard: Int64, soft: Int64, seconds: Int64) {
        self.hard = hard
        self.soft = soft
        self.seconds = seconds
    }

    /// From CONFIG GET's value, `normal 0 0 0 replica … pubsub 33554432 8388608 60`.
    public static func parse(_ text: String) -> OutputBufferLimit? {
        let words = text.split(separator: " ")
        guard let index = words.firstIndex(of: "pubsub"), index + 3 < words.count,
              let hard = Int64(words[index + 1]), let soft = Int64(words[index + 2]),
              let seconds = Int64(words[index + 3]) else { return nil }
        return OutputBufferLimit(hard: hard, soft: soft, seconds: seconds)
    }
}
