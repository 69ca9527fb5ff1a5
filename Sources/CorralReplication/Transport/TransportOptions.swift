import CorralSecurity
import NIOCore

/// Transport settings.
public struct TransportOptions: Sendable {
    public var maxFrameBytes: Int
    public var connectTimeout: TimeAmount
    /// The first wait before redialling a peer after a failed attempt; it doubles up to
    /// `maxBackoff`. A connection that closes before lasting `maxBackoff` counts as failed.
    public var minBackoff: TimeAmount
    public var maxBackoff: TimeAmount
    /// With an identity, every connection on the Raft port is mutual TLS: the listener accepts
    /// only callers with a certificate from the identity's CA, and links to peers verify the
    /// peer's certificate and present this node's. Nil: plain TCP.
    public var tls: TLSIdentity?
    /// How long a TLS handshake may take before the connection is closed.
    public var handshakeTimeout: TimeAmount

    public init(
        maxFrameBytes: Int = 64 << 20,
        connectTimeout: TimeAmount = .milliseconds(500),
        minBackoff: TimeAmount = .milliseconds(20),
        maxBackoff: TimeAmount = .seconds(1),
        tls: TLSIdentity? = nil,
        handshakeTimeout: TimeAmount = .seconds(10)
    ) {
        self.maxFrameBytes = maxFrameBytes
        self.connectTimeout = connectTimeout
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        self.tls = tls
        self.handshakeTimeout = handshakeTimeout
    }
}
