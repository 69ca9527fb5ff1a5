import CorralRaft

extension RaftServer {
    /// Carries out what is the server's own business: applying, reads, role changes, answers.
    func handOver(_ handOffs: [RaftHandOff]) {
        for handOff in handOffs {
            switch handOff {
            case .apply(let entries):
                applier.submit(.entries(entries))
            case .applySnapshot(let snapshot):
                applier.submit(.snapshot(snapshot))
            case .snapshotDataNeeded:
                applier.submit(.takeSnapshot)
            case .proposal(let outcome):
                answer([outcome])
            case .readReady(let id, let index):
                reads.removeValue(forKey: id)?.resume(returning: index)
            case .readRejected(let id, let reason):
                reads.removeValue(forKey: id)?.resume(throwing: rejection(reason))
            case .fatal(let reason):
                fail("the Raft core stopped: \(reason)")
                return
            case .roleChanged(let role, let term, let leader):
                logger.info("role changed", metadata: ["role": "\(role)", "term": "\(term)", "leader": "\(leader)"])
                roleObserver?(role, term, leader)
            }
        }
    }

    /// Answers the callers whose proposals' outcomes are known. A proposal whose leader lost
    /// office is answered from the log, or "outcome unknown" once `options.outcomeWait` has
    /// passed; never "unavailable", which promises that the command did not take effect.
    func answer(_ outcomes: [ProposalOutcome]) {
        for outcome in outcomes {
            guard let waiter = waiters.removeValue(forKey: outcome.id) else { continue }
            switch outcome {
            case .applied(_, _, let result):
                waiter.continuation.resume(returning: result)
            case .rejected(_, let reason):
                waiter.continuation.resume(throwing: rejection(reason))
            case .superseded(_, let index, let term, let committedTerm):
                waiter.continuation.resume(throwing: ReplicationError(
                    code: .unavailable, operation: waiter.operation,
                    message: "entry \(index) was committed with another leader's entry (term \(committedTerm), not \(term)); the command was not applied"))
            case .unknown(_, let index, let term, let why):
                waiter.continuation.resume(throwing: ReplicationError(
                    code: .outcomeUnknown, operation: waiter.operation,
                    message: "the outcome of entry \(index) (term \(term)) is unknown: \(describe(why)); it may or may not take effect, so read the state before retrying"))
            }
        }
    }

    private func describe(_ why: UnknownOutcomeReason) -> String {
        switch why {
        case .leadershipLost: "leadership was lost and the log did not show within \(options.outcomeWait) whether it was committed"
        case .replacedBySnapshot(let index): "a snapshot from the leader replaced the log up to entry \(index)"
        case .stopped(let reason): "the node stopped (\(reason)) before it learned whether it was committed"
        }
    }

    func rejection(_ reason: RaftRejection) -> ReplicationError {
        switch reason {
        case .notLeader(let leader):
            return .notLeader(leader: leader, address: peerAddresses[leader])
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

    func applied(_ outcome: Applier.Outcome) {
        switch outcome {
        case .decided(let terms, let results):
            answer(interpreter.decided(terms: terms, results: results))
        case .applied(let index):
            handOver(interpreter.applied(through: index))
            maybeSnapshot()
        case .restored(let index):
            lastSnapshotIndex = max(lastSnapshotIndex, index)
            answer(interpreter.restored(through: index))
            handOver(interpreter.applied(through: index))
        case .snapshotTaken(let index, let data):
            snapshotRequested = false
            guard let term = node.term(at: index), let membership = node.membership(at: index) else { return }
            lastSnapshotIndex = index
            let snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: data)
            interpreter.localSnapshotIndex = index
            step(.snapshotTaken(snapshot, trailingEntries: options.trailingEntries))
        case .failed(let reason):
            fail("the state machine could not apply: \(reason)")
        }
    }

    private func maybeSnapshot() {
        guard !snapshotRequested, appliedIndex >= lastSnapshotIndex + options.snapshotEveryEntries else { return }
        snapshotRequested = true
        applier.submit(.syncPoint)
    }

    /// Stops accepting writes for good and says why; nothing unwritten is acknowledged. The
    /// node no longer takes part (it ignores every input), so it claims no role: observers
    /// hear that it follows no known leader, `leader` names none and `status` says "stopped",
    /// and whoever it led (schedulers, agents) goes to find the new leader.
    func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        logger.critical("node stopped accepting writes", metadata: ["reason": "\(reason)"])
        shutdown(reason: reason)
        roleObserver?(.follower, node.term, 0)
    }

    /// Answers everything waiting. A proposal never appended is not applied (`.unavailable`);
    /// one appended has an unknown outcome (`.outcomeUnknown`): it may still be committed by
    /// the other nodes. Nothing held or unsent goes out any more.
    func shutdown(reason: String) {
        answer(interpreter.stop(reason))
        for (_, waiter) in waiters {
            waiter.continuation.resume(throwing: ReplicationError(code: .unavailable, operation: waiter.operation, message: reason))
        }
        waiters = [:]
        let error = ReplicationError(code: .unavailable, operation: "raft", message: reason)
        for (_, continuation) in reads { continuation.resume(throwing: error) }
        reads = [:]
        for (_, continuation) in queued { continuation.resume(throwing: error) }
        queued = []
    }
}
