import CorralRaft

extension ReplicationError {
    /// What a proposal comes to for its caller: the state machine's result, or the error
    /// that says what became of the command. A proposal whose leader lost office is answered
    /// from the log, or "outcome unknown" once `outcomeWait` has passed; never "unavailable",
    /// which promises that the command did not take effect. `RaftServer` and the simulator
    /// answer their callers with it.
    public static func result(
        of outcome: ProposalOutcome, operation: String, outcomeWait: Duration, addresses: [NodeID: PeerAddress]
    ) -> Result<[UInt8], ReplicationError> {
        switch outcome {
        case .applied(_, _, let result):
            return .success(result)
        case .rejected(_, let reason):
            return .failure(rejection(reason, addresses: addresses))
        case .superseded(_, let index, let term, let committedTerm):
            return .failure(
                ReplicationError(
                    code: .unavailable, operation: operation,
                    message: "entry \(index) was committed with another leader's entry (term \(committedTerm), not \(term)); the command was not applied"))
        case .unknown(_, let index, let term, let why):
            let reason: String
            switch why {
            case .leadershipLost: reason = "leadership was lost and the log did not show within \(outcomeWait) whether it was committed"
            case .replacedBySnapshot(let index): reason = "a snapshot from the leader replaced the log up to entry \(index)"
            case .stopped(let why): reason = "the node stopped (\(why)) before it learned whether it was committed"
            }
            return .failure(
                ReplicationError(
                    code: .outcomeUnknown, operation: operation,
                    message: "the outcome of entry \(index) (term \(term)) is unknown: \(reason); it may or may not take effect, so read the state before retrying"))
        }
    }

    /// What a proposal or read the node refused throws.
    public static func rejection(_ reason: RaftRejection, addresses: [NodeID: PeerAddress]) -> ReplicationError {
        switch reason {
        case .notLeader(let leader):
            return .notLeader(leader: leader, address: addresses[leader])
        case .transferInProgress:
            return ReplicationError(code: .unavailable, operation: "propose", message: "a leadership transfer is under way; retry on the new leader")
        case .configChangeInProgress:
            return ReplicationError(code: .unavailable, operation: "change membership", message: "another membership change is not committed yet (or the leader has not committed in its term); retry shortly")
        case .invalidConfigChange:
            return ReplicationError(code: .invalidRequest, operation: "change membership", message: "the change does not apply to the current membership")
        case .leadershipLost:
            return ReplicationError(code: .unavailable, operation: "read", message: "leadership was lost before the read was confirmed; retry")
        case .overloaded:
            return ReplicationError(code: .unavailable, operation: "propose", message: "the leader's uncommitted log is at its limit; retry later")
        }
    }
}
