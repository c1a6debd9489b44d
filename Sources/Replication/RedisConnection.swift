import CHiredis
import Glibc
import Redis
import TLS

public struct RedisConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

/// One non-blocking connection to Redis, plain or over TLS, through hiredis in reader mode:
/// hiredis connects and parses, syntop writes and reads the socket itself (through OpenSSL for
/// TLS), and the event loop decides when. Owned by the loop's thread.
final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>
    /// Commands formatted by hiredis and not yet written.
    private var output: [UInt8] = []
    private var connected = false
    private var tls: TLSStream?
    private let tlsContext: TLSContext?
    private let host: String
    /// What the TLS session waits for before its handshake, a write or a read can go on.
    private var handshakeWait: TLSStream.Wait = .none
    private var writeWait: TLSStream.Wait = .none
    private var readWait: TLSStream.Wait = .none
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

    /// Starts connecting; fails at once only for errors seen immediately (a name that does not
    /// resolve, a TLS setting that cannot be loaded).
    init(endpoint: RedisEndpoint, readChunk: Int = 64 << 10) throws(RedisConnectionError) {
        chunk = [UInt8](repeating: 0, count: readChunk)
        if let settings = endpoint.tls {
            do throws(TLSError) {
                tlsContext = try TLSContext(settings)
            } catch {
                throw RedisConnectionError(description: error.description)
            }
        } else {
            tlsContext = nil
        }
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port):
            self.host = host
            made = redisConnectNonBlock(host, Int32(port))
        case .unix(let path):
            host = "localhost"
            made = redisConnectUnixNonBlock(path)
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
        tls = nil
        redisFree(context)
    }

    /// Why nothing came within `seconds`, by how far the connection got.
    func stalled(after seconds: Int) -> String {
        if !connected { return "no connection within \(seconds) s" }
        if let tls, !tls.established {
            return "no TLS handshake within \(seconds) s: the server does not answer in TLS (a plain-text port?)"
        }
        return "no answer within \(seconds) s"
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
        var formatted: UnsafeMutablePointer<CChar>?
        let length = redisFormatCommandArgv(&formatted, Int32(arguments.count), &pointers, &lengths)
        guard length > 0, let formatted else { return }
        defer { redisFreeCommand(formatted) }
        output += UnsafeRawBufferPointer(start: formatted, count: Int(length))
    }

    var pollEvents: Int16 {
        if !connected { return Int16(POLLOUT) }
        if let tls, !tls.established { return RedisConnection.events(handshakeWait) }
        // Plain: read always, write while commands wait. TLS: as OpenSSL asks for each.
        let writing = output.isEmpty ? 0 : writeWait == .read ? Int16(POLLIN) : Int16(POLLOUT)
        return Int16(POLLIN) | writing | RedisConnection.events(readWait)
    }

    private static func events(_ wait: TLSStream.Wait) -> Int16 {
        switch wait {
        case .none: 0
        case .read: Int16(POLLIN)
        case .write: Int16(POLLOUT)
        }
    }

    /// Does the I/O the socket is ready for and returns the replies that are complete. A
    /// pub/sub message goes to `message` (channel, payload) where its bytes lie, instead.
    func handle(_ revents: Int16,
                message: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void)? = nil)
        throws(RedisConnectionError) -> [RedisValue] {
        if !connected {
            guard revents & Int16(POLLOUT | POLLERR | POLLHUP) != 0 else { return [] }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 {
                throw RedisConnectionError(description: String(cString: strerror(error)))
            }
            connected = true
            if let tlsContext {
                do throws(TLSError) {
                    tls = try TLSStream(context: tlsContext, fd: fd, host: host)
                } catch {
                    throw RedisConnectionError(description: error.description)
                }
            }
        }
        if let tls, !tls.established {
            do throws(TLSError) {
                handshakeWait = try tls.handshake()
            } catch {
                throw RedisConnectionError(description: error.description)
            }
            if !tls.established { return [] }
        }
        // A write that would block costs one call; trying at once saves a turn of the loop.
        if !output.isEmpty { try write() }
        var replies: [RedisValue] = []
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 || readWait == .write && revents & Int16(POLLOUT) != 0 {
            try read(into: &replies, message: message)
        }
        return replies
    }

    private func write() throws(RedisConnectionError) {
        let written: Int
        if let tls {
            do throws(TLSError) {
                let result = try output.withUnsafeBytes { bytes in Result { () throws(TLSError) in try tls.write(bytes) } }.get()
                written = result.written
                writeWait = result.wait
            } catch {
                throw RedisConnectionError(description: error.description)
            }
        } else {
            let sent = output.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                throw RedisConnectionError(description: String(cString: strerror(errno)))
            }
            written = sent
        }
        output.removeFirst(written)
    }

    /// Drains what the socket holds, in large pieces, before anything else: the subscriber that
    /// falls behind is the one Redis drops.
    private func read(into replies: inout [RedisValue],
                      message: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void)?)
        throws(RedisConnectionError) {
        var read = 0
        readWait = .none
        while read < RedisConnection.readBudget {
            let got: Int
            if let tls {
                // A TLS record is at most 16 KB, so a short read says nothing: read until
                // OpenSSL wants the socket. The chunk is larger than a record, so OpenSSL holds
                // nothing back that poll could not see.
                let result: TLSStream.Read
                do throws(TLSError) {
                    result = try chunk.withUnsafeMutableBytes { bytes in Result { () throws(TLSError) in try tls.read(into: bytes) } }.get()
                } catch {
                    throw RedisConnectionError(description: error.description)
                }
                switch result {
                case .bytes(let count): got = count
                case .wait(let wait):
                    // Waiting to read is the normal end; a wait to write is polled for.
                    if wait == .write { readWait = .write }
                    got = -1
                case .closed:
                    if let refused = tls.certificateRefused { throw RedisConnectionError(description: refused.description) }
                    got = 0
                }
                if got < 0 { break }
            } else {
                got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if got < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN || errno == EWOULDBLOCK { break }
                    throw RedisConnectionError(description: String(cString: strerror(errno)))
                }
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
            if tls == nil && got < chunk.count { break }
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
