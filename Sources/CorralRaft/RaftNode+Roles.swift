// MARK: - Timers and role changes

extension RaftNode {
    /// Whether this node may campaign: only voters do.
    var isPromotable: Bool { membership.voters.contains(id) }

    mutating func tick() {
        if role == .leader {
            tickLeader()
            return
        }
        electionElapsed += 1
        if refusedLeader != 0 { refusalTicks += 1 }
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            campaign(transfer: false)
        }
    }

    private mutating func tickLeader() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTimeoutTicks {
            electionElapsed = 0
            if config.checkQuorum && !isQuorumActive() {
                becomeFollower(term: term, leader: 0)
                return
            }
            for key in leaderState.progress.keys { leaderState.progress[key]?.recentActive = false }
            leaderState.transferee = 0
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    /// Whether a quorum of voters was heard from during the last election timeout.
    private func isQuorumActive() -> Bool {
        var active: Set<NodeID> = [id]
        for (peer, progress) in leaderState.progress where progress.recentActive { active.insert(peer) }
        return membership.isQuorum(active)
    }

    /// The shell found the leader's process refusing connections. A single report proves
    /// little (a firewall REJECT or a resetting proxy gives the same error, and a shell may
    /// repeat itself), so a follower acts only when the refusal persists: a report about its
    /// leader at least two heartbeat intervals after the first one, with no message from
    /// the leader in between (any message from it clears the record). It then forgets the
    /// leader, which ends its lease so it grants pre-votes, and campaigns soon, staggered by
    /// its rank among the remaining voters. Each rank waits more than one election round
    /// (a pre-vote and a vote exchange, each behind an fsync: `2 × heartbeatTicks`, at least
    /// 2 ticks) after the rank before it, plus jitter within the rank drawn from `rng`, so
    /// voters that heard the news together do not split the vote.
    mutating func leaderDown(_ peer: NodeID, rng: inout some RandomNumberGenerator) {
        guard role == .follower, peer == leader, peer != 0 else { return }
        let single = config.brokenRules.contains(.campaignOnSingleRefusal)
        if !single {
            if refusedLeader != peer {
                refusedLeader = peer
                refusalTicks = 0
                return
            }
            guard refusalTicks >= 2 * max(1, config.heartbeatTicks) else { return }
        }
        refusedLeader = 0
        refusalTicks = 0
        leader = 0
        let others = membership.voters.subtracting([peer]).sorted()
        guard let rank = others.firstIndex(of: id) else { return }
        let soon: Int
        if single {
            soon = 1 + rank * max(2, config.heartbeatTicks)
        } else {
            let round = max(2, 2 * config.heartbeatTicks)
            let jitterRange = max(2, round / 2)
            soon = 1 + rank * (round + jitterRange) + Int.random(in: 0..<jitterRange, using: &rng)
        }
        randomizedElectionTimeout = min(randomizedElectionTimeout, electionElapsed + soon)
    }

    mutating func resetTimers() {
        electionElapsed = 0
        heartbeatElapsed = 0
        randomizedElectionTimeout = nextRandomTimeout
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID) {
        if newTerm > term {
            term = newTerm
            vote = 0
            hardStateDirty = true
        }
        if role == .leader { abandonLeadership() }
        role = .follower
        leader = newLeader
        votes = [:]
        refusedLeader = 0
        resetTimers()
    }

    /// Starts an election: a pre-vote first when enabled, unless a leadership transfer asked for it.
    mutating func campaign(transfer: Bool) {
        guard isPromotable else { return }
        if config.preVote && !transfer {
            role = .preCandidate
            leader = 0
            votes = [id: true]
            if membership.isQuorum([id]) {
                becomeCandidate(transfer: false)
                return
            }
            requestVotes(term: term + 1, preVote: true, transfer: false)
        } else {
            becomeCandidate(transfer: transfer)
        }
    }

    private mutating func becomeCandidate(transfer: Bool) {
        if role == .leader { abandonLeadership() }
        term += 1
        vote = id
        hardStateDirty = true
        role = .candidate
        leader = 0
        votes = [:]
        resetTimers()
        if config.brokenRules.contains(.countSelfVoteBeforeDurable) {
            votes = [id: true]
            if membership.isQuorum([id]) {
                becomeLeader()
                return
            }
        } else {
            // The node's own vote counts only once its term and vote are durable: the shell
            // loops this reply back to the node after the write (etcd does the same). Until
            // then even a lone voter does not lead, so nothing of this term leaves the node
            // before the term is durable.
            send(Message(from: id, to: id, term: term, body: .voteResponse(granted: true)))
        }
        requestVotes(term: term, preVote: false, transfer: transfer)
    }

    private mutating func requestVotes(term electionTerm: UInt64, preVote: Bool, transfer: Bool) {
        let lastIndex = log.lastIndex
        let lastTerm = log.lastTerm
        for peer in membership.voters.sorted() where peer != id {
            let body: MessageBody =
                preVote
                ? .preVote(lastIndex: lastIndex, lastTerm: lastTerm)
                : .vote(lastIndex: lastIndex, lastTerm: lastTerm, transfer: transfer)
            send(Message(from: id, to: peer, term: electionTerm, body: body))
        }
    }

    mutating func becomeLeader() {
        role = .leader
        leader = id
        votes = [:]
        resetTimers()
        leaderState = LeaderState()
        for peer in membership.members where peer != id {
            leaderState.progress[peer] = newProgress(isLearner: membership.learners.contains(peer))
        }
        for key in leaderState.progress.keys { leaderState.progress[key]?.recentActive = true }
        leaderState.pendingConfigIndex = log.lastIndex
        // The empty entry of the new term commits everything before it (Raft §5.4.2).
        appendLocal([.empty])
    }

    func newProgress(isLearner: Bool) -> Progress {
        Progress(
            next: log.lastIndex + 1,
            isLearner: isLearner,
            maxInflightMessages: config.maxInflightMessages,
            maxInflightBytes: config.maxInflightBytes
        )
    }

    /// Rejects everything that waited on this leader.
    private mutating func abandonLeadership() {
        for read in leaderState.pendingReads {
            effects.append(.readRejected(id: read.id, reason: .leadershipLost))
        }
        for id in leaderState.readsAwaitingCommit {
            effects.append(.readRejected(id: id, reason: .leadershipLost))
        }
        leaderState = LeaderState()
    }

    // MARK: - Votes

    mutating func handleVoteRequest(_ message: Message, lastIndex: UInt64, lastTerm: UInt64, preVote: Bool) {
        let canVote =
            vote == message.from
            || (vote == 0 && leader == 0)
            || (preVote && message.term > term)
        let upToDate =
            config.brokenRules.contains(.voteWithoutLogCheck)
            || log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm)
        if canVote && upToDate {
            if !preVote {
                electionElapsed = 0
                vote = message.from
                hardStateDirty = true
            }
            // A granted reply carries the term asked about, so a pre-candidate can count it.
            let body: MessageBody = preVote ? .preVoteResponse(granted: true) : .voteResponse(granted: true)
            send(Message(from: id, to: message.from, term: message.term, body: body))
        } else {
            let body: MessageBody = preVote ? .preVoteResponse(granted: false) : .voteResponse(granted: false)
            send(Message(from: id, to: message.from, term: term, body: body))
        }
    }

    mutating func handleVoteResponse(_ message: Message, granted: Bool, preVote: Bool) {
        let expected: (RaftRole, UInt64) = preVote ? (.preCandidate, term + 1) : (.candidate, term)
        guard role == expected.0 else { return }
        guard message.term == expected.1 || (!granted && message.term == term) else { return }
        votes[message.from] = granted
        let granting = Set(votes.filter { $0.value }.keys)
        let rejecting = Set(votes.filter { !$0.value }.keys)
        if membership.isQuorum(granting) {
            if preVote { becomeCandidate(transfer: false) } else { becomeLeader() }
        } else if rejecting.intersection(membership.voters).count > membership.voters.count - membership.quorum {
            becomeFollower(term: term, leader: 0)
        }
    }
}
