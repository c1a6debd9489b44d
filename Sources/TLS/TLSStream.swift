import COpenSSL
import Glibc

/// How a client connection is secured: whom to trust, and the client certificate for mutual
/// TLS. The server's certificate and name are checked unless `verifyServer` is off.
public struct TLSSettings: Equatable, Hashable, Sendable {
    public var caFile: String?
    public var caPath: String?
    public var certificateFile: String?
    public var privateKeyFile: String?
    public var verifyServer: Bool

    public init(caFile: String? = nil, caPath: String? = nil, certificateFile: String? = nil,
                privateKeyFile: String? = nil, verifyServer: Bool = true) {
        self.caFile = caFile
        self.caPath = caPath
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.verifyServer = verifyServer
    }
}

public struct TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// OpenSSL's client context for one set of settings: trust and the client certificate, loaded
/// and checked once, before any connection.
public final class TLSContext {
    let context: OpaquePointer
    public let settings: TLSSettings

    public init(_ settings: TLSSettings) throws(TLSError) {
        guard let made = SSL_CTX_new(TLS_client_method()) else { throw TLSError("OpenSSL: cannot make a context") }
        context = made
        self.settings = settings
        syntop_ssl_ctx_client_options(made)
        guard syntop_ssl_ctx_min_tls12(made) == 1 else { throw TLSError("OpenSSL: cannot require TLS 1.2") }
        if settings.verifyServer {
            SSL_CTX_set_verify(made, SSL_VERIFY_PEER, nil)
            if settings.caFile != nil || settings.caPath != nil {
                for path in [settings.caFile, settings.caPath].compactMap({ $0 }) {
                    try TLSContext.checkReadable(path, what: "CA")
                }
                if SSL_CTX_load_verify_locations(made, settings.caFile, settings.caPath) != 1 {
                    throw TLSError("cannot load the CA \(settings.caFile ?? settings.caPath ?? ""): \(TLSContext.lastError())")
                }
            } else if SSL_CTX_set_default_verify_paths(made) != 1 {
                throw TLSError("cannot load the system's CA certificates: \(TLSContext.lastError())")
            }
        } else {
            SSL_CTX_set_verify(made, SSL_VERIFY_NONE, nil)
        }
        switch (settings.certificateFile, settings.privateKeyFile) {
        case (nil, nil):
            syntop_ssl_ctx_note_certificate_requests(made)
        case (let certificate?, let key?):
            try TLSContext.checkReadable(certificate, what: "client certificate")
            try TLSContext.checkKeyFile(key)
            if SSL_CTX_use_certificate_chain_file(made, certificate) != 1 {
                throw TLSError("the client certificate \(certificate) holds no certificate OpenSSL can read: \(TLSContext.lastError())")
            }
            if SSL_CTX_use_PrivateKey_file(made, key, SSL_FILETYPE_PEM) != 1 {
                throw TLSError("the private key \(key) holds no key OpenSSL can read: \(TLSContext.lastError())")
            }
            if SSL_CTX_check_private_key(made) != 1 {
                throw TLSError("the private key \(key) is not the client certificate's")
            }
        case (_?, nil):
            throw TLSError("a client certificate needs its private key (--redis-key, private_key_file)")
        case (nil, _?):
            throw TLSError("a private key needs its client certificate (--redis-cert, certificate_file)")
        }
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }

    static func checkReadable(_ path: String, what: String) throws(TLSError) {
        if access(path, R_OK) != 0 {
            throw TLSError("cannot read the \(what) \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// As ssh does for its keys: a private key others may read is refused. Group may read, for
    /// the service groups that share a key with Synapse.
    static func checkKeyFile(_ path: String) throws(TLSError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TLSError("cannot read the private key \(path): \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o026 != 0 {
            throw TLSError("the private key \(path) is open to others (mode \(String(mode, radix: 8))): "
                           + "chmod 600 it (640 to share it with a group)")
        }
        try checkReadable(path, what: "private key")
    }

    /// OpenSSL's queue of errors, oldest first, emptied.
    static func lastError() -> String {
        var texts: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // error:0A000086:SSL routines::certificate verify failed → the part after the last ':'.
            texts.append(String(text.split(separator: ":", omittingEmptySubsequences: false).last ?? Substring(text)))
        }
        return texts.isEmpty ? "unknown error" : texts.joined(separator: "; ")
    }
}

/// A TLS session over a connected non-blocking socket that its caller owns and polls: every
/// call does what it can at once and says which readiness it waits for.
public final class TLSStream {
    public enum Wait: Equatable, Sendable { case none, read, write }
    public enum Read: Equatable, Sendable { case bytes(Int), wait(Wait), closed }

    private let ssl: OpaquePointer
    private let host: String
    private let settings: TLSSettings
    public private(set) var established = false
    private var hasRead = false

    /// The server asked for a client certificate and had none: it closes the session soon
    /// after the handshake (TLS 1.3 sends the refusal late), and this is why.
    /// A server that asks but does not insist has answered by then, so only a close before any
    /// answer counts.
    public var certificateRefused: TLSError? {
        syntop_ssl_certificate_was_requested(ssl) == 0 || hasRead ? nil
            : TLSError("the server asks for a client certificate, and closed the connection without one: "
                       + "give --redis-cert and --redis-key (certificate_file, private_key_file)")
    }

    /// `host` is the name the server's certificate must carry (an IP address is checked as one)
    /// and, when a name, the SNI sent.
    public init(context: TLSContext, fd: Int32, host: String) throws(TLSError) {
        guard let made = SSL_new(context.context) else { throw TLSError("OpenSSL: cannot make a session") }
        ssl = made
        self.host = host
        settings = context.settings
        SSL_set_fd(made, fd)
        var address = in6_addr()
        let isAddress = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if !isAddress { _ = syntop_ssl_set_sni(made, host) }
        if settings.verifyServer {
            let checked = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(made), host) : SSL_set1_host(made, host)
            guard checked == 1 else { throw TLSError("OpenSSL: cannot check the server's name \(host)") }
        }
    }

    deinit { SSL_free(ssl) }

    /// Carries the handshake on; `.none` once it is done.
    public func handshake() throws(TLSError) -> Wait {
        // SSL_get_error reads the thread's error queue, which another session may have left.
        ERR_clear_error()
        let result = SSL_connect(ssl)
        if result == 1 {
            established = true
            return .none
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .read
        case SSL_ERROR_WANT_WRITE: return .write
        case let code: throw failure(code, handshaking: true)
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> Read {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if result > 0 {
            hasRead = true
            return .bytes(Int(result))
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wait(.read)
        // A key update's answer that the socket could not take yet.
        case SSL_ERROR_WANT_WRITE: return .wait(.write)
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL where errno == 0 || errno == ECONNRESET:
            ERR_clear_error()
            return .closed
        case let code: throw failure(code, handshaking: false)
        }
    }

    /// How much of `bytes` went out, and what it waits for when not all.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TLSError) -> (written: Int, wait: Wait) {
        guard !bytes.isEmpty else { return (0, .none) }
        ERR_clear_error()
        let result = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if result > 0 { return (Int(result), .none) }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return (0, .read)
        case SSL_ERROR_WANT_WRITE: return (0, .write)
        case let code: throw failure(code, handshaking: false)
        }
    }

    /// What went wrong, in the terms an operator acts on: the server's certificate, the client's,
    /// or a server that does not speak TLS at all.
    private func failure(_ code: Int32, handshaking: Bool) -> TLSError {
        let peek = ERR_peek_error()
        let reason = peek == 0 ? 0 : syntop_err_reason(peek)
        // A close or a handshake alert after the server asked for a certificate syntop did not
        // have; any other failure is told as itself.
        if let certificateRefused, code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN
            || reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED || reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE {
            ERR_clear_error()
            return certificateRefused
        }
        let verified = SSL_get_verify_result(ssl)
        if handshaking && settings.verifyServer && verified != X509_V_OK {
            ERR_clear_error()
            let reason = String(cString: X509_verify_cert_error_string(verified))
            switch Int32(verified) {
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
                return TLSError("the server's certificate is not for \(host) (\(reason))")
            case X509_V_ERR_CERT_HAS_EXPIRED:
                return TLSError("the server's certificate has expired (\(reason))")
            case X509_V_ERR_CERT_NOT_YET_VALID:
                return TLSError("the server's certificate is not valid yet (\(reason))")
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
                 X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                 X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                let trusted = settings.caFile ?? settings.caPath
                return TLSError("the server's certificate is not signed by "
                                + (trusted.map { "the CA in \($0)" } ?? "a CA of the system's (give --redis-ca, ca_file)")
                                + " (\(reason))")
            default:
                return TLSError("the server's certificate did not verify: \(reason)")
            }
        }
        let detail = code == SSL_ERROR_SYSCALL && peek == 0
            ? (errno == 0 ? "closed" : String(cString: strerror(errno))) : TLSContext.lastError()
        switch reason {
        case SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG,
             SSL_R_UNEXPECTED_RECORD, SSL_R_HTTP_REQUEST:
            return TLSError("the server does not answer in TLS: a plain-text port? (\(detail))")
        case SSL_R_TLSV1_ALERT_UNKNOWN_CA, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED,
             SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
            return TLSError("the server refused syntop's client certificate (\(detail))")
        default:
            return TLSError(handshaking && code == SSL_ERROR_SYSCALL
                            ? "the server closed the connection during the TLS handshake: a plain-text port? (\(detail))"
                            : "TLS: \(detail)")
        }
    }
}
