import CorralRaft

extension RaftServer {
    func carryOut(_ effects: [RaftEffect]) {
        for effect in effects {
            switch effect {
            case .persistHardState(let hardState):
                persist(RaftWriteBatch(hardState: hardState), ack: nil)
            case .persistEntries(let entries):
                let ack = entries.last.map { RaftInput.entriesDurable(index: $0.index, term: $0.term) }
                persist(RaftWriteBatch(entries: entries), ack: ack)
            case .persistSnapshot(let snapshot):
                let meta = snapshot.metadata
                // A snapshot this node took itself is the state machine's own durable state:
                // the log stores its metadata only, and a restart takes the data from the
                // state machine again. One installed from the leader is stored whole until
                // the state machine has restored it.
                let stored = meta.index == localSnapshotIndex ? Snapshot(metadata: meta, data: []) : snapshot
                persist(RaftWriteBatch(snapshot: stored), ack: .snapshotDurable(index: meta.index, term: meta.term))
            case .compactLog(let index):
                writer?.submit(.compact(through: index))
            case .send(let message):
                if message.waitsForPersistence && durableSequence < persistSequence {
                    held.append((persistSequence, message))
                } else {
                    outbox.append(message)
                }
            case .apply(let entries):
                applier?.submit(.entries(entries))
            case .applySnapshot(let snapshot):
                applier?.submit(.snapshot(snapshot))
            case .snapshotDataNeeded:
                applier?.submit(.takeSnapshot)
            case .proposalAccepted(let id, let index, let term):
                waiters[id]?.index = index
                waiters[id]?.term = term
                waiterAtIndex[index] = id
            case .proposalRejected(let id, let reason):
                waiters.removeValue(forKey: id)?.continuation.resume(throwing: rejection(reason))
            case .readReady(let id, let index):
                guard let continuation = reads.removeValue(forKey: id) else { break }
                if appliedIndex >= index {
                    continuation.resume(returning: index)
                } else {
                    readsAwaitingApply.append((index, continuation))
                }
            case .readRejected(let id, let reason):
                reads.removeValue(forKey: id)?.resume(throwing: rejection(reason))
            case .fatal(let reason):
                fail("the Raft core stopped: \(reason)")
                return
            case .roleChanged(let role, let term, let leader):
                logger.info("role changed", metadata: ["role": "\(role)", "term": "\(term)", "leader": "\(leader)"])
                if role != .leader { abandonProposals() }
                roleObserver?(role, term, leader)
            }
        }
    }

    private func persist(_ batch: RaftWriteBatch, ack: RaftInput?) {
        persistSequence += 1
        writer?.submit(.write(sequence: persistSequence, batch))
        if let ack { acks.append((persistSequence, ack)) }
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

    /// After losing leadership, a proposal not yet known committed has an unknown fate (it
    /// may still commit, or be replaced); a committed one is still applied here, so it waits.
    private func abandonProposals() {
        for (id, waiter) in waiters {
            if waiter.index != 0, waiter.index <= node.commitIndex, node.term(at: waiter.index) == waiter.term {
                continue
            }
            waiterAtIndex[waiter.index] = nil
            waiter.continuation.resume(throwing: ReplicationError(
                code: .unavailable, operation: "propose",
                message: "leadership changed while the proposal was in flight; its outcome is unknown (entry \(waiter.index), term \(waiter.term))"))
            waiters[id] = nil
        }
    }

    func applied(_ outcome: Applier.Outcome) {
        switch outcome {
        case .applied(let index, let terms, let results):
            appliedIndex = max(appliedIndex, index)
            for (entryIndex, term) in terms {
                guard let id = waiterAtIndex.removeValue(forKey: entryIndex),
                    let waiter = waiters.removeValue(forKey: id)
                else { continue }
                if waiter.term == term {
                    waiter.continuation.resume(returning: results[entryIndex] ?? [])
                } else {
                    waiter.continuation.resume(throwing: ReplicationError(
                        code: .unavailable, operation: "propose",
                        message: "the entry was replaced by another leader's; it was not applied"))
                }
            }
            releaseReads()
            maybeSnapshot()
        case .restored(let index):
            appliedIndex = max(appliedIndex, index)
            lastSnapshotIndex = max(lastSnapshotIndex, index)
            releaseReads()
        case .snapshotTaken(let index, let data):
            snapshotRequested = false
            guard let term = node.term(at: index), let membership = node.membership(at: index) else { return }
            lastSnapshotIndex = index
            let snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: data)
            localSnapshotIndex = index
            step(.snapshotTaken(snapshot, trailingEntries: options.trailingEntries))
        case .failed(let reason):
            fail("the state machine could not apply: \(reason)")
        }
    }

    private func releaseReads() {
        let ready = readsAwaitingApply.filter { $0.index <= appliedIndex }
        readsAwaitingApply.removeAll { $0.index <= appliedIndex }
        for read in ready { read.continuation.resume(returning: read.index) }
    }

    private func maybeSnapshot() {
        guard !snapshotRequested, appliedIndex >= lastSnapshotIndex + options.snapshotEveryEntries else { return }
        snapshotRequested = true
        applier?.submit(.syncPoint)
    }

    /// Stops accepting writes for good and says why; nothing unwritten is acknowledged.
    func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        logger.critical("node stopped accepting writes", metadata: ["reason": "\(reason)"])
        shutdown(reason: reason)
    }

    func shutdown(reason: String) {
        let error = ReplicationError(code: .unavailable, operation: "raft", message: reason)
        for (_, waiter) in waiters { waiter.continuation.resume(throwing: error) }
        waiters = [:]
        for (_, continuation) in reads { continuation.resume(throwing: error) }
        reads = [:]
        for read in readsAwaitingApply { read.continuation.resume(throwing: error) }
        readsAwaitingApply = []
        for (_, continuation) in queued { continuation.resume(throwing: error) }
        queued = []
        held = []
        outbox = []
    }
}
