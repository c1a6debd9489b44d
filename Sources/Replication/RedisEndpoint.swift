import TLS

/// Where Synapse's Redis is, from a URL: `redis://[user[:password]@]host[:port][/db]`, the same
/// with `rediss://` for TLS, or `unix:///path/to/socket`. The password is never part of any
/// description.
public struct RedisEndpoint: Equatable, Sendable, CustomStringConvertible {
    public enum Address: Equatable, Sendable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var address: Address
    public var username: String?
    public var password: String?
    /// Set for Redis over TLS.
    public var tls: TLSSettings?

    public init(address: Address, username: String? = nil, password: String? = nil, tls: TLSSettings? = nil) {
        self.address = address
        self.username = username
        self.password = password
        self.tls = tls
    }

    /// AUTH with the user, when one is named; for an endpoint with a password.
    var authCommand: [String] {
        let password = self.password ?? ""
        return username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
    }

    /// Host and port, or the socket path, and TLS when used (loudly when unverified); never
    /// credentials.
    public var description: String {
        let place = switch address {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
        guard let tls else { return place }
        return place + (tls.verifyServer ? " (TLS)" : " (TLS UNVERIFIED)")
    }

    public static func parse(_ url: String) throws(RedisEndpointError) -> RedisEndpoint {
        if url.hasPrefix("rediss://") {
            var endpoint = try parse("redis://" + url.dropFirst("rediss://".count))
            endpoint.tls = TLSSettings()
            return endpoint
        }
        if url.hasPrefix("unix://") {
            let path = String(url.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw RedisEndpointError("unix:// needs an absolute path") }
            return RedisEndpoint(address: .unix(path: path))
        }
        guard url.hasPrefix("redis://") else {
            throw RedisEndpointError("expected redis://[user[:password]@]host[:port] or unix:///path")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = percentDecoded(credentials[..<colon])
                password = percentDecoded(credentials[credentials.index(after: colon)...])
            } else {
                // redis://secret@host is how Redis clients write a password without a user.
                password = percentDecoded(credentials)
            }
            if username?.isEmpty == true { username = nil }
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw RedisEndpointError("unclosed [ in the host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        if host.isEmpty { host = "localhost" }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RedisEndpointError("bad port '\(portText.prefix(10))'")
            }
            port = value
        }
        return RedisEndpoint(address: .tcp(host: String(host), port: port), username: username, password: password)
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"),
               let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high < utf8.endIndex,
               let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(index, offsetBy: 3)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

public struct RedisEndpointError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
