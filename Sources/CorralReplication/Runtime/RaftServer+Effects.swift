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
                waitersAtIndex[index, default: []].append(id)
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
                if role != .leader { lostOffice() }
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

    /// After losing office, every proposal this node appended waits for its log to tell:
    /// the entry applied at its index in its term means applied, another term there means
    /// not applied. A waiter the log does not answer within `options.outcomeWait` is
    /// answered "outcome unknown" (`expireOrphans`); never "unavailable", which promises
    /// that the command did not take effect.
    private func lostOffice() {
        let deadline = ticks + outcomeWaitTicks
        for id in waiters.keys where orphans[id] == nil { orphans[id] = deadline }
    }

    /// Answers "outcome unknown" to waiters of a deposed leader whose time is up, unless
    /// their entry is committed in their term (then it is applied here shortly).
    func expireOrphans() {
        guard !orphans.isEmpty else { return }
        for (id, deadline) in orphans where deadline <= ticks {
            guard let waiter = waiters[id] else {
                orphans[id] = nil
                continue
            }
            if waiter.index <= node.commitIndex, node.term(at: waiter.index) == waiter.term { continue }
            removeWaiter(id)?.continuation.resume(throwing: outcomeUnknown(
                waiter, "leadership was lost and the log did not show within \(options.outcomeWait) whether it was committed"))
        }
    }

    /// The error for a proposal appended at (index, term) whose fate this node cannot tell.
    func outcomeUnknown(_ waiter: Waiter, _ why: String) -> ReplicationError {
        ReplicationError(
            code: .outcomeUnknown, operation: waiter.operation,
            message: "the outcome of entry \(waiter.index) (term \(waiter.term)) is unknown: \(why); it may or may not take effect, so read the state before retrying")
    }

    /// Forgets a waiter wherever it is filed; returns it.
    @discardableResult
    func removeWaiter(_ id: UInt64) -> Waiter? {
        guard let waiter = waiters.removeValue(forKey: id) else { return nil }
        orphans[id] = nil
        if let filed = waitersAtIndex[waiter.index] {
            let rest = filed.filter { $0 != id }
            waitersAtIndex[waiter.index] = rest.isEmpty ? nil : rest
        }
        return waiter
    }

    func applied(_ outcome: Applier.Outcome) {
        switch outcome {
        case .decided(let terms, let results):
            for (entryIndex, term) in terms {
                guard let ids = waitersAtIndex.removeValue(forKey: entryIndex) else { continue }
                for id in ids {
                    guard let waiter = waiters.removeValue(forKey: id) else { continue }
                    orphans[id] = nil
                    if waiter.term == term {
                        waiter.continuation.resume(returning: results[entryIndex] ?? [])
                    } else {
                        waiter.continuation.resume(throwing: ReplicationError(
                            code: .unavailable, operation: waiter.operation,
                            message: "entry \(entryIndex) was committed with another leader's entry (term \(term), not \(waiter.term)); the command was not applied"))
                    }
                }
            }
        case .applied(let index):
            appliedIndex = max(appliedIndex, index)
            releaseReads()
            maybeSnapshot()
        case .restored(let index):
            appliedIndex = max(appliedIndex, index)
            lastSnapshotIndex = max(lastSnapshotIndex, index)
            // A snapshot does not say which term each entry it covers had.
            for (id, waiter) in waiters where waiter.index != 0 && waiter.index <= index {
                removeWaiter(id)?.continuation.resume(throwing: outcomeUnknown(
                    waiter, "a snapshot from the leader replaced the log up to entry \(index)"))
            }
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

    /// Answers everything waiting. A proposal never appended is not applied (`.unavailable`);
    /// one appended has an unknown outcome (`.outcomeUnknown`): it may still be committed by
    /// the other nodes.
    func shutdown(reason: String) {
        let error = ReplicationError(code: .unavailable, operation: "raft", message: reason)
        for (_, waiter) in waiters {
            if waiter.index == 0 {
                waiter.continuation.resume(throwing: ReplicationError(code: .unavailable, operation: waiter.operation, message: reason))
            } else {
                waiter.continuation.resume(throwing: outcomeUnknown(waiter, "the node stopped (\(reason)) before it learned whether it was committed"))
            }
        }
        waiters = [:]
        waitersAtIndex = [:]
        orphans = [:]
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
