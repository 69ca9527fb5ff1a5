import CorralSecurity
import NIOCore
import NIOSSL

/// Makes the TLS handler of one new connection, on its event loop.
typealias TLSHandlerMaker = @Sendable () throws -> NIOSSLClientHandler

extension HTTPStreamClient {
    /// The TLS handler maker for a connection to `host` (nil without `tls`). The context is
    /// the identity's current one, rebuilt after its files changed. The server's certificate
    /// must name `host`: a DNS name is also sent as SNI; an IP address is matched against the
    /// certificate's IP addresses.
    func tlsHandlerMaker(host: String, port: Int) throws -> TLSHandlerMaker? {
        guard let tls else { return nil }
        let context: NIOSSLContext
        do {
            context = try tls.clientContext()
        } catch {
            throw SchedulerError(.connectionFailed, "cannot speak TLS to \(host):\(port)", cause: SchedulerError.tlsCausePrefix + "\(error)")
        }
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return { try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host) }
    }

    /// What a plain-HTTP client adds when a server closed without answering: it may speak HTTPS.
    var plainToTLSHint: String {
        tls == nil ? " (if it serves HTTPS, use an https:// address and trust its CA with --ca-cert FILE)" : ""
    }

    /// `error` as a `SchedulerError` that says, for a TLS failure, what went wrong and what to do;
    /// any other error keeps its own `SchedulerError` or becomes `code` with `message`.
    func describe(_ error: any Error, host: String, port: Int, otherwise code: SchedulerError.Code, _ message: String) -> SchedulerError {
        if let error = error as? SchedulerError {
            if error.code == .connectionClosed, tls == nil, error.message.hasSuffix("before answering") {
                return SchedulerError(error.code, error.message + plainToTLSHint, cause: error.cause, status: error.status)
            }
            return error
        }
        guard Self.isTLSFailure(error) else { return SchedulerError(code, message, cause: "\(error)") }
        let text = "\(error)"
        let server = "\(host):\(port)"
        let why: String
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            why = "the certificate of \(server) is not trusted: it was not issued by the CA this client trusts. "
                + "Give the cluster's CA certificate (corral: --ca-cert FILE; agent: --tls-ca FILE)"
        } else if text.contains("failedToValidateHostname") || text.contains("Hostname") {
            why = "the certificate of \(server) does not name \(host); issue it with `corral certs issue --host \(host)`"
        } else if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") || text.contains("HTTP_REQUEST") {
            why = "\(server) does not speak TLS (it serves plain HTTP?); use an http:// address for it"
        } else if text.contains("CERTIFICATE_REQUIRED") || text.contains("HANDSHAKE_FAILURE") {
            why = "\(server) refused the TLS handshake (it may require a client certificate from its CA)"
        } else {
            why = "the TLS handshake with \(server) failed"
        }
        return SchedulerError(.connectionFailed, why, cause: SchedulerError.tlsCausePrefix + text)
    }

    /// Whether `error` comes from TLS (a failed handshake, a certificate that does not match).
    static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }
}

extension SchedulerError {
    /// How the cause of a TLS failure starts.
    static let tlsCausePrefix = "TLS: "

    /// Whether TLS failed: the server's certificate is not trusted or does not name it, or
    /// one side does not speak TLS. Nothing was sent.
    public var isTLSFailure: Bool { cause?.hasPrefix(Self.tlsCausePrefix) == true }
}
