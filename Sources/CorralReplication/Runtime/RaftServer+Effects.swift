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
                termGauge.set(term)
                logger.info("role changed", metadata: ["role": "\(role)", "term": "\(term)", "leader": "\(leader)"])
                if metrics != nil {
                    if leader != lastLeader { counters.leaderChanges &+= 1 }
                    if role == .candidate { counters.campaigns &+= 1 }
                }
                lastLeader = leader
                roleObserver?(role, term, leader)
            }
        }
    }

    /// Answers the callers whose proposals' outcomes are known. A proposal whose leader lost
    /// office is answered from the log, or "outcome unknown" once `options.outcomeWait` has
    /// passed; never "unavailable", which promises that the command did not take effect.
    func answer(_ outcomes: [ProposalOutcome]) {
        var now: ContinuousClock.Instant?
        for outcome in outcomes {
            guard let waiter = waiters.removeValue(forKey: outcome.id) else { continue }
            switch ReplicationError.result(of: outcome, operation: waiter.operation, outcomeWait: options.outcomeWait, addresses: peerAddresses) {
            case .success(let result):
                if let arrived = waiter.arrived {
                    // One clock read per batch of answers, one bucket increment per proposal.
                    let answered = now ?? ContinuousClock.now
                    now = answered
                    counters.commitLatency.record(answered - arrived)
                }
                waiter.continuation.resume(returning: result)
            case .failure(let error): waiter.continuation.resume(throwing: error)
            }
        }
    }

    func rejection(_ reason: RaftRejection) -> ReplicationError {
        ReplicationError.rejection(reason, addresses: peerAddresses)
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
