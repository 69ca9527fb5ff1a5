// MARK: - Message dispatch and the follower's side of replication

extension RaftNode {
    mutating func receive(_ message: Message) {
        // Any message from a leader reported unreachable proves its process is up.
        if message.from == refusedLeader { refusedLeader = 0 }
        if message.term > term {
            if case .vote(_, _, let transfer) = message.body, isInLease, !transfer { return }
            if case .preVote = message.body, isInLease { return }
            switch message.body {
            case .preVote:
                break  // a pre-vote never changes the voter's term
            case .preVoteResponse(granted: true):
                break  // the term we would campaign in
            case .append, .heartbeat, .installSnapshot:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: 0)
            }
        } else if message.term < term {
            switch message.body {
            case .append, .heartbeat, .installSnapshot:
                // Tell a deposed leader about the newer term so it steps down.
                send(Message(from: id, to: message.from, term: term, body: .heartbeatResponse(readContext: 0)))
            case .preVote:
                send(Message(from: id, to: message.from, term: term, body: .preVoteResponse(granted: false)))
            default:
                break
            }
            return
        }
        dispatch(message)
    }

    /// With check-quorum, a node that heard from a leader within the election timeout
    /// ignores vote requests: a partitioned node cannot depose a healthy leader.
    private var isInLease: Bool {
        config.checkQuorum && leader != 0 && electionElapsed < config.electionTimeoutTicks
    }

    private mutating func dispatch(_ message: Message) {
        switch message.body {
        case .preVote(let lastIndex, let lastTerm):
            handleVoteRequest(message, lastIndex: lastIndex, lastTerm: lastTerm, preVote: true)
        case .vote(let lastIndex, let lastTerm, _):
            handleVoteRequest(message, lastIndex: lastIndex, lastTerm: lastTerm, preVote: false)
        case .preVoteResponse(let granted):
            handleVoteResponse(message, granted: granted, preVote: true)
        case .voteResponse(let granted):
            handleVoteResponse(message, granted: granted, preVote: false)
        case .append(let request):
            followLeader(message.from)
            handleAppend(from: message.from, request)
        case .heartbeat(let commit, let context):
            followLeader(message.from)
            handleHeartbeat(from: message.from, commit: commit, context: context)
        case .installSnapshot(let chunk):
            followLeader(message.from)
            handleSnapshotChunk(from: message.from, chunk)
        case .appendResponse(let response):
            if role == .leader { handleAppendResponse(from: message.from, response) }
        case .heartbeatResponse(let context):
            if role == .leader { handleHeartbeatResponse(from: message.from, context: context) }
        case .snapshotResponse(let ack):
            if role == .leader { handleSnapshotAck(from: message.from, ack) }
        case .timeoutNow:
            if role != .leader { campaign(transfer: true) }
        }
    }

    /// A message from the leader of the current term: follow it and restart the election timer.
    private mutating func followLeader(_ from: NodeID) {
        if role != .follower || leader != from {
            becomeFollower(term: term, leader: from)
        } else {
            electionElapsed = 0
        }
    }

    private mutating func handleAppend(from leaderID: NodeID, _ request: AppendRequest) {
        if stopsOnCommittedConflict(from: leaderID, "entry", prevIndex: request.prevIndex, prevTerm: request.prevTerm, entries: request.entries) {
            return
        }
        if request.prevIndex < commitIndex {
            reply(to: leaderID, .appendResponse(AppendResponse(index: commitIndex, rejected: false)))
            return
        }
        guard log.matches(index: request.prevIndex, term: request.prevTerm) else {
            let hint = log.lastIndex(
                atOrBelow: min(request.prevIndex, log.lastIndex),
                withTermAtMost: request.prevTerm
            )
            let response = AppendResponse(
                index: request.prevIndex,
                rejected: true,
                hintIndex: hint.index,
                hintTerm: hint.term
            )
            reply(to: leaderID, .appendResponse(response))
            return
        }
        let lastNew = request.prevIndex + UInt64(request.entries.count)
        let acknowledgement = AppendResponse(index: lastNew, rejected: false)
        var persisted = false
        if let conflict = log.firstConflict(in: request.entries), let first = request.entries.first {
            let fresh = Array(request.entries[Int(conflict - first.index)...])
            let truncates = conflict <= log.lastIndex
            // The term this leader brought must be durable before its entries are: a stored
            // entry's term is never above the stored term.
            flushHardState()
            log.append(fresh)
            if truncates && conflict <= configIndex {
                recomputeMembership()
            } else {
                adoptMembershipChanges(in: fresh)
            }
            if config.brokenRules.contains(.acknowledgeBeforeDurable) {
                reply(to: leaderID, .appendResponse(acknowledgement))
                effects.append(.persistEntries(fresh))
                advanceCommit(to: min(request.commit, lastNew))
                return
            }
            effects.append(.persistEntries(fresh))
            persisted = true
        }
        if advanceCommit(to: min(request.commit, lastNew)) && persisted {
            hardStateDirty = true  // piggyback the commit index on a write that happens anyway
        }
        reply(to: leaderID, .appendResponse(acknowledgement))
    }

    /// Stops the node when what the leader sent contradicts a committed entry (unless the
    /// test-only `acceptCommittedConflict` rule is broken); returns whether it stopped.
    private mutating func stopsOnCommittedConflict(
        from leaderID: NodeID, _ what: String, prevIndex: UInt64, prevTerm: UInt64, entries: [Entry]
    ) -> Bool {
        guard !config.brokenRules.contains(.acceptCommittedConflict),
            let conflict = committedConflict(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries)
        else { return false }
        stop(
            "node \(id): leader \(leaderID) of term \(term) sent \(what) \(conflict.index) with term \(conflict.leaderTerm), "
                + "but this node holds entry \(conflict.index) with term \(conflict.ownTerm) as committed (commit index \(commitIndex)); "
                + "a committed entry may never change, so this node's state or the leader's is damaged")
        return true
    }

    /// The first place where a leader's (prevIndex, prevTerm) or entries disagree with an
    /// entry this node holds at or below its commit index, if any. Raft guarantees that every
    /// leader holds every committed entry unchanged, so a disagreement there means some
    /// node's state is damaged; etcd panics in the same case.
    private func committedConflict(
        prevIndex: UInt64, prevTerm: UInt64, entries: [Entry]
    ) -> (index: UInt64, leaderTerm: UInt64, ownTerm: UInt64)? {
        if prevIndex > 0, prevIndex <= commitIndex, let ownTerm = log.term(at: prevIndex), ownTerm != prevTerm {
            return (prevIndex, prevTerm, ownTerm)
        }
        for entry in entries {
            guard entry.index <= commitIndex else { break }
            if let ownTerm = log.term(at: entry.index), ownTerm != entry.term {
                return (entry.index, entry.term, ownTerm)
            }
        }
        return nil
    }

    /// Stops the node for good (see `RaftEffect.fatal`).
    mutating func stop(_ reason: String) {
        guard fatalReason == nil else { return }
        fatalReason = reason
    }

    @discardableResult
    private mutating func advanceCommit(to index: UInt64) -> Bool {
        guard index > commitIndex else { return false }
        commitIndex = index
        return true
    }

    private mutating func handleHeartbeat(from leaderID: NodeID, commit: UInt64, context: UInt64) {
        advanceCommit(to: min(commit, log.lastIndex))
        reply(to: leaderID, .heartbeatResponse(readContext: context))
    }

    private mutating func handleSnapshotChunk(from leaderID: NodeID, _ chunk: SnapshotChunk) {
        let meta = chunk.metadata
        if stopsOnCommittedConflict(from: leaderID, "a snapshot ending at entry", prevIndex: meta.index, prevTerm: meta.term, entries: []) {
            return
        }
        if meta.index <= commitIndex || log.matches(index: meta.index, term: meta.term) {
            // Already have everything the snapshot holds.
            advanceCommit(to: meta.index)
            let ack = SnapshotAck(index: commitIndex, term: meta.term, nextOffset: chunk.totalBytes, installed: true)
            reply(to: leaderID, .snapshotResponse(ack))
            return
        }
        let refusesEmpty = !config.brokenRules.contains(.sendMetadataOnlySnapshot)
        if refusesEmpty && chunk.totalBytes <= 0 && meta.index > 0 {
            // A snapshot above index 0 always holds state; an empty one is metadata that
            // lost its data on the way. Installing it would drop the log for nothing.
            incoming = nil
            let ack = SnapshotAck(index: meta.index, term: meta.term, nextOffset: 0, installed: false)
            reply(to: leaderID, .snapshotResponse(ack))
            return
        }
        if incoming?.metadata != meta {
            guard chunk.offset == 0 else {
                let ack = SnapshotAck(index: meta.index, term: meta.term, nextOffset: 0, installed: false)
                reply(to: leaderID, .snapshotResponse(ack))
                return
            }
            var data: [UInt8] = []
            data.reserveCapacity(min(max(0, chunk.totalBytes), Self.maxReservedSnapshotBytes))
            incoming = Snapshot(metadata: meta, data: data)
        }
        // Take the buffer out of `incoming` so that the append below extends it in place
        // instead of copying everything received so far for every chunk.
        guard var received = incoming else { return }
        incoming = nil
        if chunk.offset == received.data.count {
            received.data.append(contentsOf: chunk.data)
        }
        guard received.data.count >= chunk.totalBytes else {
            let ack = SnapshotAck(index: meta.index, term: meta.term, nextOffset: received.data.count, installed: false)
            incoming = received
            reply(to: leaderID, .snapshotResponse(ack))
            return
        }
        install(received)
        let ack = SnapshotAck(index: meta.index, term: meta.term, nextOffset: chunk.totalBytes, installed: true)
        reply(to: leaderID, .snapshotResponse(ack))
    }

    /// The most bytes reserved up front for a snapshot being received; a larger one grows as
    /// its chunks arrive.
    static let maxReservedSnapshotBytes = 64 << 20

    /// Replaces the log with a snapshot from the leader. The state machine gets it once durable.
    private mutating func install(_ snapshot: Snapshot) {
        let meta = snapshot.metadata
        flushHardState()  // the leader's term is durable before its snapshot is
        latestSnapshot = snapshot
        log.restore(index: meta.index, term: meta.term)
        membership = meta.membership
        configIndex = meta.index
        commitIndex = meta.index
        hardStateDirty = true
        effects.append(.persistSnapshot(snapshot))
    }

    mutating func snapshotDurable(index: UInt64, term snapshotTerm: UInt64) {
        log.markSnapshotDurable(index: index, term: snapshotTerm)
        guard let snapshot = latestSnapshot, snapshot.metadata.index == index,
            snapshot.metadata.term == snapshotTerm, appliedIndex < index, log.durableIndex >= index
        else { return }
        appliedIndex = index
        effects.append(.applySnapshot(snapshot))
    }

    // MARK: - Sending

    mutating func reply(to peer: NodeID, _ body: MessageBody) {
        send(Message(from: id, to: peer, term: term, body: body))
    }

    /// Queues a message; a changed term or vote is made durable first.
    mutating func send(_ message: Message) {
        flushHardState()
        effects.append(.send(message))
    }

    mutating func flushHardState() {
        guard hardStateDirty else { return }
        hardStateDirty = false
        effects.append(.persistHardState(hardState))
    }
}
