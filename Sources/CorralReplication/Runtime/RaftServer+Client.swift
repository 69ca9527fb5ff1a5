import CorralRaft

extension RaftServer {
    /// Proposes a command; returns the state machine's result once the entry is applied here.
    ///
    /// Throws `ReplicationError` whose code says what became of the command:
    /// - `.notLeader` (with the leader's address) or `.unavailable`: not applied, it never
    ///   reached the log, or another entry was committed at its index;
    /// - `.outcomeUnknown`: appended, but this node lost office (or stopped) and did not
    ///   learn within `RaftServerOptions.outcomeWait` whether it was committed;
    /// - `.tooLarge`: refused before the log, its entry would not fit in one frame.
    public func propose(_ command: [UInt8]) async throws -> [UInt8] {
        if let failure { throw ReplicationError(code: .unavailable, operation: "propose", message: failure) }
        guard command.count <= maxCommandBytes else {
            throw ReplicationError(
                code: .tooLarge, operation: "propose",
                message: "the command is \(command.count) bytes, more than the \(maxCommandBytes) one log entry may carry under the transport's \(options.maxFrameBytes)-byte frame limit; send less at once (or raise log.max_frame_bytes on every master)")
        }
        return try await withCheckedThrowingContinuation { continuation in
            let id = nextRequestID
            nextRequestID += 1
            queued.append((Proposal(id: id, command: command), continuation))
            scheduleFlush()
        }
    }

    /// Proposals that arrive together go into one append and one disk write.
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        sink.yield(.flushProposals)
    }

    func flushProposals() {
        flushScheduled = false
        let batch = queued
        queued = []
        guard !batch.isEmpty else { return }
        // One clock read per batch: every proposal in it arrived by now.
        let arrived = metrics == nil ? nil : ContinuousClock.now
        if arrived != nil { counters.proposals &+= UInt64(batch.count) }
        for (proposal, continuation) in batch {
            waiters[proposal.id] = Waiter(continuation: continuation, operation: "propose", arrived: arrived)
        }
        step(.proposeBatch(batch.map(\.0)))
        flushOutbox()
    }

    /// Waits until a read here would be linearizable (ReadIndex): leadership is confirmed
    /// by a quorum and the state machine has applied the commit index of that moment.
    /// Returns that index.
    @discardableResult
    public func linearizableRead() async throws -> UInt64 {
        if let failure { throw ReplicationError(code: .unavailable, operation: "read", message: failure) }
        return try await withCheckedThrowingContinuation { continuation in
            let id = nextRequestID
            nextRequestID += 1
            reads[id] = continuation
            step(.readIndex(id: id))
            flushOutbox()
        }
    }

    /// Proposes a membership change; returns once it is applied here. Its errors mean what
    /// `propose`'s do.
    public func changeMembership(_ change: ConfigChange) async throws {
        if let failure { throw ReplicationError(code: .unavailable, operation: "change membership", message: failure) }
        _ = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            let id = nextRequestID
            nextRequestID += 1
            waiters[id] = Waiter(continuation: continuation, operation: "change membership")
            step(.proposeConfigChange(id: id, change: change))
            flushOutbox()
        }
    }

    /// Asks the leader to hand leadership to `target`.
    public func transferLeadership(to target: NodeID) throws {
        guard node.role == .leader else {
            throw ReplicationError.notLeader(leader: node.leader, address: peerAddresses[node.leader])
        }
        step(.transferLeadership(to: target))
        flushOutbox()
    }

    /// Who leads, as this node believes, and where it listens.
    public var leader: (id: NodeID, address: PeerAddress?) {
        // A node that stopped (see `fail`) knows no leader, least of all itself.
        failure == nil ? (node.leader, peerAddresses[node.leader]) : (0, nil)
    }

    /// The status and this actor's counters, read together for `/metrics`.
    public var metricsSample: RaftMetricsSample {
        RaftMetricsSample(status: status, counters: counters)
    }

    public var status: RaftStatus {
        let last = node.lastIndex
        let followers = node.progress.sorted { $0.key < $1.key }.map { peer, progress in
            RaftStatus.Follower(
                id: peer, match: progress.match, next: progress.next, state: progress.state.rawValue,
                lag: last - min(last, progress.match), learner: progress.isLearner, active: progress.recentActive)
        }
        return RaftStatus(
            id: id,
            role: failure == nil ? node.role.rawValue : RaftStatus.stoppedRole,
            term: node.term,
            leader: leader.id,
            commitIndex: node.commitIndex,
            appliedIndex: appliedIndex,
            lastIndex: last,
            firstIndex: node.firstIndex,
            snapshotIndex: node.snapshotMetadata?.index ?? 0,
            voters: node.membership.voters.sorted(),
            learners: node.membership.learners.sorted(),
            followers: followers,
            failure: failure
        )
    }
}
