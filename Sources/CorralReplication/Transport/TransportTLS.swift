import CorralSecurity
import Logging
import NIOCore
import NIOSSL

#if canImport(Glibc)
import Glibc
#endif

/// TLS on the Raft port (peer links and the binary client protocol). Each connection gets
/// handlers made from the identity's current context, so certificate files replaced on disk
/// are used by the next connection (`TLSIdentity` reloads them).
public enum TransportTLS {
    /// The handlers that go first on a connection a TLS master accepted: mutual TLS (the
    /// caller must present a certificate issued by the cluster's CA), then a guard that
    /// closes the connection and logs to `log` if the handshake fails or takes longer than
    /// `timeout`.
    static func serverHandlers(_ identity: TLSIdentity, log: HandshakeLog, timeout: TimeAmount) throws -> [any ChannelHandler] {
        let context = try identity.serverContext(requireClientCertificate: true)
        return [NIOSSLServerHandler(context: context), HandshakeGuard(log: log, timeout: timeout)]
    }

    /// The handlers that go first on a connection to a TLS master at `host`: the master's
    /// certificate must come from the CA in `identity` and name `host` (an IP address is
    /// checked against the certificate's IP addresses, a name against its DNS names); this
    /// side presents its own certificate when `identity` has one. `completed` hears when the
    /// handshake completes or fails.
    static func clientHandlers(
        _ identity: TLSIdentity, host: String, log: HandshakeLog, timeout: TimeAmount, completed: EventLoopPromise<Void>? = nil
    ) throws -> [any ChannelHandler] {
        let context = try identity.clientContext()
        // A name goes in SNI and is verified; for an address NIOSSL verifies the address the
        // connection reached (SNI cannot carry one).
        let handler = try NIOSSLClientHandler(context: context, serverHostname: isIPAddress(host) ? nil : host)
        return [handler, HandshakeGuard(log: log, timeout: timeout, completed: completed)]
    }

    /// Client handlers for one connection of the binary client protocol to `host`, for
    /// `KVConnection`: a failed handshake fails `completed` with the reason (the caller reports
    /// it; nothing is logged).
    public static func clientHandlers(
        _ identity: TLSIdentity, host: String, timeout: TimeAmount, completed: EventLoopPromise<Void>
    ) throws -> [any ChannelHandler] {
        var silent = Logger(label: "corral.kv-client")
        silent.logLevel = .critical
        let log = HandshakeLog(logger: silent, message: "TLS handshake with the master failed")
        return try clientHandlers(identity, host: host, log: log, timeout: timeout, completed: completed)
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
