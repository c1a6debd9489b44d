import CHiredis
import Glibc

/// A reply from Redis, copied out of hiredis' reply object.
public enum RedisValue: Equatable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8]?)
    case array([RedisValue])
}

public struct RedisConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

/// One non-blocking connection to Redis through hiredis in reader mode: hiredis buffers and
/// parses, the event loop decides when to read and write. Owned by the loop's thread.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    private var outputPending = false
    private var connected = false
    /// Where the socket is read into, a piece at a time: large for the subscription, small
    /// for a connection that asks a few questions.
    private var chunk: [UInt8]
    static let subscriptionChunk = 1 << 20
    /// At most this much is read in one wake-up, so a flood cannot keep keys and the screen
    /// waiting; whatever is left is read on the next turn of the loop, which comes at once.
    static let readBudget = 16 << 20
    /// The most one wake-up read in the last two seconds, and when those began: a close that
    /// follows a large one is Redis dropping a subscriber that fell behind, most likely.
    private var largestRecentTurn = 0
    private var recentSince: UInt64 = 0

    var fd: Int32 { context.pointee.fd }

    /// Starts connecting; fails at once only for errors hiredis sees immediately.
    init(endpoint: RedisEndpoint, readChunk: Int = 64 << 10) throws(RedisConnectionError) {
        chunk = [UInt8](repeating: 0, count: readChunk)
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port): made = redisConnectNonBlock(host, Int32(port))
        case .unix(let path): made = redisConnectUnixNonBlock(path)
        }
        guard let made else { throw RedisConnectionError(description: "out of memory") }
        if made.pointee.err != 0 {
            let message = RedisConnection.errorString(made)
            redisFree(made)
            throw RedisConnectionError(description: message)
        }
        context = made
    }

    deinit {
        redisFree(context)
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Queues a command; it is written when the socket is ready.
    func send(_ arguments: [String]) {
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        let copies = arguments.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        for (index, copy) in copies.enumerated() {
            pointers.append(UnsafePointer(copy))
            lengths.append(arguments[index].utf8.count)
        }
        _ = redisAppendCommandArgv(context, Int32(arguments.count), &pointers, &lengths)
        outputPending = true
    }

    var pollEvents: Int16 {
        Int16(POLLIN) | (outputPending || !connected ? Int16(POLLOUT) : 0)
    }

    /// Does the I/O the socket is ready for and returns the replies that are complete. A
    /// pub/sub message goes to `message` (channel, payload) where its bytes lie, instead.
    func handle(_ revents: Int16,
                message: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void)? = nil)
        throws(RedisConnectionError) -> [RedisValue] {
        if !connected && revents & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                throw RedisConnectionError(description: String(cString: strerror(error)))
            }
            connected = true
        }
        if outputPending && revents & Int16(POLLOUT) != 0 {
            var done: Int32 = 0
            if redisBufferWrite(context, &done) != REDIS_OK {
                throw RedisConnectionError(description: RedisConnection.errorString(context))
            }
            outputPending = done == 0
        }
        var replies: [RedisValue] = []
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            // Drain what the socket holds, in large pieces, before anything else: the
            // subscriber that falls behind is the one Redis drops.
            var read = 0
            while read < RedisConnection.readBudget {
                let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if got < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK { break }
                    throw RedisConnectionError(description: String(cString: strerror(errno)))
                }
                if got == 0 {
                    if read > 0 { break }
                    throw RedisConnectionError(description: RedisConnection.closed(largestRecentTurn: largestRecentTurn))
                }
                let fed = chunk.withUnsafeBytes { bytes in
                    redisReaderFeed(context.pointee.reader, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), got)
                }
                guard fed == REDIS_OK else {
                    throw RedisConnectionError(description: "protocol error: " + RedisConnection.errorString(context))
                }
                read += got
                try collect(into: &replies, message: message)
                if got < chunk.count { break }
            }
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let nanoseconds = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
            if nanoseconds - recentSince > 2_000_000_000 {
                recentSince = nanoseconds
                largestRecentTurn = 0
            }
            largestRecentTurn = max(largestRecentTurn, read)
        }
        return replies
    }

    /// Why the server closed the connection, as far as syntop can tell: Redis says nothing,
    /// but a subscriber that was just reading 64 KB or more in one turn was behind.
    static func closed(largestRecentTurn: Int) -> String {
        largestRecentTurn < 64 << 10 ? "Server closed the connection"
            : "Server closed the connection while syntop was reading a backlog (\(largestRecentTurn >> 10) KB in one turn): "
                + "most likely Redis's output buffer limit for subscribers"
    }

    private func collect(into replies: inout [RedisValue],
                         message: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void)?)
        throws(RedisConnectionError) {
        while true {
            var raw: UnsafeMutableRawPointer?
            if redisGetReplyFromReader(context, &raw) != REDIS_OK {
                throw RedisConnectionError(description: "protocol error: " + RedisConnection.errorString(context))
            }
            guard let raw else { return }
            defer { freeReplyObject(raw) }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            if let message, let (channel, payload) = RedisConnection.pubsubMessage(reply) {
                message(channel, payload)
            } else {
                replies.append(RedisConnection.value(reply))
            }
        }
    }

    /// `["message", channel, payload]`: a published message, its bytes where hiredis keeps them.
    private static func pubsubMessage(_ reply: UnsafeMutablePointer<redisReply>)
        -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
        let r = reply.pointee
        guard r.type == REDIS_REPLY_ARRAY, r.elements == 3, let items = r.element,
              let kind = items[0]?.pointee, kind.type == REDIS_REPLY_STRING, kind.len == 7,
              let text = kind.str, memcmp(text, "message", 7) == 0,
              let channel = items[1]?.pointee, channel.type == REDIS_REPLY_STRING,
              let payload = items[2]?.pointee, payload.type == REDIS_REPLY_STRING else { return nil }
        func bytes(_ part: redisReply) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: UnsafeRawPointer(part.str)?.assumingMemoryBound(to: UInt8.self), count: part.len)
        }
        return (bytes(channel), bytes(payload))
    }

    private static func value(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        func bytes() -> [UInt8] {
            guard let str = r.str else { return [] }
            return Array(UnsafeRawBufferPointer(start: str, count: r.len))
        }
        switch r.type {
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(Int64(r.integer))
        case REDIS_REPLY_NIL: return .bulk(nil)
        case REDIS_REPLY_ARRAY:
            return .array((0..<r.elements).compactMap { index in
                r.element[index].map { value($0) }
            })
        default: return .bulk(bytes())
        }
    }
}
