import CorralRaft

/// Where a `RaftServer` sends its messages: `PeerTransport` (TCP between masters) in
/// production, an in-memory network in tests.
public protocol RaftTransport: RaftMessageSender, Sendable {
    /// Sets who hears that a peer refused a connection (its process is not listening).
    func onPeerRefused(_ handler: @escaping @Sendable (NodeID) -> Void)
}

extension PeerTransport: RaftTransport {}
