import Synchronization

/// A node's current Raft term, readable from any thread without waiting for the server
/// actor. A master's log lines carry it as their `term` metadata.
public final class TermGauge: Sendable {
    private let value = Atomic<UInt64>(0)

    public init() {}

    /// The term the node was in at its last change of role, term or leader (at start, its
    /// stored term).
    public var term: UInt64 { value.load(ordering: .relaxed) }

    func set(_ term: UInt64) { value.store(term, ordering: .relaxed) }
}
