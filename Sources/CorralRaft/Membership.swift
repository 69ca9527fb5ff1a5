/// The set of nodes that vote, and the learners that only receive the log.
public struct Membership: Sendable, Hashable {
    public var voters: Set<NodeID>
    public var learners: Set<NodeID>

    public init(voters: Set<NodeID>, learners: Set<NodeID> = []) {
        self.voters = voters
        self.learners = learners.subtracting(voters)
    }

    /// Every node that receives the log.
    public var members: Set<NodeID> { voters.union(learners) }

    /// The number of votes that make a majority of the voters.
    public var quorum: Int { voters.count / 2 + 1 }

    /// Whether `ids` contains a majority of the voters.
    public func isQuorum(_ ids: Set<NodeID>) -> Bool {
        ids.intersection(voters).count >= quorum
    }

    /// The membership after `change`, or nil when the change does not apply to it.
    public func applying(_ change: ConfigChange) -> Membership? {
        var next = self
        switch change {
        case .addLearner(let id):
            guard !members.contains(id) else { return nil }
            next.learners.insert(id)
        case .promote(let id):
            guard learners.contains(id) else { return nil }
            next.learners.remove(id)
            next.voters.insert(id)
        case .remove(let id):
            guard members.contains(id) else { return nil }
            next.voters.remove(id)
            next.learners.remove(id)
            guard !next.voters.isEmpty else { return nil }
        }
        return next
    }
}

/// A single-server membership change (Raft thesis §4.1).
public enum ConfigChange: Sendable, Hashable {
    case addLearner(NodeID)
    case promote(NodeID)
    case remove(NodeID)
}
