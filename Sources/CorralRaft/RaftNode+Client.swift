// MARK: - Proposals, membership changes, reads, leadership transfer, snapshots

extension RaftNode {
    mutating func propose(_ proposals: [Proposal]) {
        if let reason = proposalRefusal() {
            for proposal in proposals { effects.append(.proposalRejected(id: proposal.id, reason: reason)) }
            return
        }
        guard leaderState.uncommittedBytes < config.maxUncommittedBytes else {
            for proposal in proposals { effects.append(.proposalRejected(id: proposal.id, reason: .overloaded)) }
            return
        }
        let entries = appendLocal(proposals.map { .command($0.command) })
        for (proposal, entry) in zip(proposals, entries) {
            effects.append(.proposalAccepted(id: proposal.id, index: entry.index, term: entry.term))
        }
    }

    mutating func proposeConfigChange(id requestID: UInt64, change: ConfigChange) {
        if let reason = proposalRefusal() {
            effects.append(.proposalRejected(id: requestID, reason: reason))
            return
        }
        // One change at a time, and only once the leader has committed an entry of its own
        // term (the single-server change fix, raft-dev 2015).
        guard leaderState.pendingConfigIndex <= commitIndex, log.term(at: commitIndex) == term else {
            effects.append(.proposalRejected(id: requestID, reason: .configChangeInProgress))
            return
        }
        guard let next = membership.applying(change) else {
            effects.append(.proposalRejected(id: requestID, reason: .invalidConfigChange))
            return
        }
        let entries = appendLocal([.configChange(change, next)])
        guard let entry = entries.first else { return }
        leaderState.pendingConfigIndex = entry.index
        effects.append(.proposalAccepted(id: requestID, index: entry.index, term: entry.term))
    }

    private func proposalRefusal() -> RaftRejection? {
        if role != .leader { return .notLeader(leader: leader) }
        if leaderState.transferee != 0 { return .transferInProgress }
        return nil
    }

    // MARK: - Membership

    /// Membership changes take effect when appended (Raft thesis §4.1).
    mutating func adoptMembershipChanges(in entries: [Entry]) {
        for entry in entries {
            if case .configChange(_, let next) = entry.payload {
                configIndex = entry.index
                setMembership(next)
            }
        }
    }

    /// Recomputes the membership from the log after its tail was replaced.
    mutating func recomputeMembership() {
        var index = log.lastIndex
        while index >= log.firstIndex, index > 0, let entry = log.entry(at: index) {
            if case .configChange(_, let next) = entry.payload {
                configIndex = entry.index
                setMembership(next)
                return
            }
            index -= 1
        }
        configIndex = log.snapshotIndex
        setMembership(latestSnapshot?.metadata.membership ?? Membership(voters: []))
    }

    private mutating func setMembership(_ next: Membership) {
        membership = next
        guard role == .leader else { return }
        for peer in leaderState.progress.keys where !next.members.contains(peer) {
            leaderState.progress[peer] = nil
            if leaderState.transferee == peer { leaderState.transferee = 0 }
        }
        for peer in next.members where peer != id {
            if leaderState.progress[peer] == nil {
                var progress = newProgress(isLearner: true)
                progress.recentActive = true
                leaderState.progress[peer] = progress
            }
            leaderState.progress[peer]?.isLearner = next.learners.contains(peer)
        }
    }

    // MARK: - ReadIndex

    mutating func readIndex(id requestID: UInt64) {
        guard role == .leader else {
            effects.append(.readRejected(id: requestID, reason: .notLeader(leader: leader)))
            return
        }
        guard log.term(at: commitIndex) == term else {
            leaderState.readsAwaitingCommit.append(requestID)
            return
        }
        registerRead(requestID)
    }

    private mutating func registerRead(_ requestID: UInt64) {
        let acks: Set<NodeID> = membership.voters.contains(id) ? [id] : []
        if membership.isQuorum(acks) {
            effects.append(.readReady(id: requestID, index: commitIndex))
            return
        }
        leaderState.readContext += 1
        leaderState.pendingReads.append(
            PendingRead(id: requestID, index: commitIndex, context: leaderState.readContext, acks: acks)
        )
        broadcastHeartbeat()
    }

    /// The first commit of the leader's term releases the reads that waited for it.
    mutating func committedInTerm() {
        guard log.term(at: commitIndex) == term, !leaderState.readsAwaitingCommit.isEmpty else { return }
        let waiting = leaderState.readsAwaitingCommit
        leaderState.readsAwaitingCommit = []
        for requestID in waiting { registerRead(requestID) }
    }

    /// A heartbeat reply echoing `context` confirms leadership for every read up to it.
    mutating func confirmReads(from peer: NodeID, context: UInt64) {
        for position in leaderState.pendingReads.indices where leaderState.pendingReads[position].context <= context {
            leaderState.pendingReads[position].acks.insert(peer)
        }
        var released = 0
        for read in leaderState.pendingReads {
            guard membership.isQuorum(read.acks) else { break }
            effects.append(.readReady(id: read.id, index: read.index))
            released += 1
        }
        leaderState.pendingReads.removeFirst(released)
    }

    // MARK: - Leadership transfer

    mutating func transferLeadership(to target: NodeID) {
        guard role == .leader else { return }
        if target == id {
            leaderState.transferee = 0
            return
        }
        guard membership.voters.contains(target), let progress = leaderState.progress[target],
            leaderState.transferee != target
        else { return }
        leaderState.transferee = target
        electionElapsed = 0  // the transfer must finish within one election timeout
        if progress.match == log.lastIndex {
            send(Message(from: id, to: target, term: term, body: .timeoutNow))
        } else {
            sendAppend(to: target, evenIfEmpty: true)
        }
    }

    // MARK: - Snapshots taken by the application

    mutating func snapshotTaken(_ snapshot: Snapshot, trailingEntries: UInt64) {
        let meta = snapshot.metadata
        // A snapshot at the current boundary replaces the data kept for it (a shell that
        // restarted with the snapshot's metadata only hands the data back this way).
        let refreshes = meta.index == log.snapshotIndex && latestSnapshot?.metadata == meta
        guard meta.index <= appliedIndex, meta.index > log.snapshotIndex || refreshes,
            log.matches(index: meta.index, term: meta.term)
        else { return }
        if !snapshot.data.isEmpty { leaderState.snapshotDataRequested = false }
        if refreshes {
            latestSnapshot = snapshot
            return
        }
        latestSnapshot = snapshot
        log.advanceSnapshot(index: meta.index, term: meta.term)
        effects.append(.persistSnapshot(snapshot))
        let compactThrough = meta.index - min(meta.index, trailingEntries)
        if compactThrough >= log.firstIndex {
            log.compact(through: compactThrough)
            effects.append(.compactLog(through: compactThrough))
        }
    }
}
