import CorralRaft

extension InvariantChecker {
    // MARK: - Votes

    /// `node` gave (or, as a candidate, counted for itself) its vote in `term` to
    /// `candidate`. A node votes at most once per term, across every restart.
    public mutating func observeVote(_ node: NodeID, term: UInt64, for candidate: NodeID) {
        guard candidate != 0, term > 0 else { return }
        let key = VoteKey(node: node, term: term)
        if let earlier = votes[key] {
            if earlier != candidate {
                report(.oneVotePerTerm, "n\(node) voted for n\(earlier) and for n\(candidate) in term \(term)")
            }
        } else {
            votes[key] = candidate
        }
    }

    /// `node`, in its process incarnation `incarnation`, won the election of `term`. A term
    /// has one leader and that leader one life: winning the same term again after a restart
    /// means its vote or term was not durable when it counted.
    public mutating func observeElected(_ node: NodeID, term: UInt64, incarnation: UInt64) {
        let key = VoteKey(node: node, term: term)
        if let earlier = electedIncarnations[key], earlier != incarnation {
            report(.electionSafety, "n\(node) won term \(term) again after a restart")
        }
        electedIncarnations[key] = incarnation
    }

    // MARK: - Durable state

    /// `node`'s hard state became durable. Its term and commit index never go back, and its
    /// vote counts as given.
    public mutating func observeDurableHardState(_ node: NodeID, _ hardState: HardState) {
        checkNotBehind(node, term: hardState.term, commit: hardState.commit, when: "stored")
        durableTerms[node] = max(durableTerms[node] ?? 0, hardState.term)
        durableCommits[node] = max(durableCommits[node] ?? 0, hardState.commit)
        observeVote(node, term: hardState.term, for: hardState.vote)
    }

    /// `node` started from its storage with this term and commit index: neither may be
    /// behind what it had made durable before.
    public mutating func observeStart(_ node: NodeID, term: UInt64, commit: UInt64) {
        checkNotBehind(node, term: term, commit: commit, when: "restarted with")
    }

    /// `node` was removed from the cluster (the removal committed) and wiped on purpose; it
    /// joins again as a new member, with no term, vote or commit index. A vote it gives in
    /// an old term does not count against its earlier life: a candidate that still counts
    /// it as a voter lacks the committed removal, and every quorum of the configuration
    /// that committed the removal refuses such a candidate.
    public mutating func forgetDurableState(of node: NodeID) {
        durableTerms[node] = nil
        durableCommits[node] = nil
        votes = votes.filter { $0.key.node != node }
        electedIncarnations = electedIncarnations.filter { $0.key.node != node }
    }

    private mutating func checkNotBehind(_ node: NodeID, term: UInt64, commit: UInt64, when: String) {
        if let known = durableTerms[node], term < known {
            report(.monotonicState, "n\(node) \(when) term \(term) after it had stored term \(known)")
        }
        if let known = durableCommits[node], commit < known {
            report(.monotonicState, "n\(node) \(when) commit index \(commit) after it had stored commit index \(known)")
        }
    }

    // MARK: - Committed entries

    /// `node`, whose commit index was `commit` before this step, writes `entries` to its log,
    /// replacing whatever it held from the first one on. It may not replace an entry it
    /// knew committed: every index up to `commit` keeps the committed term.
    public mutating func observeLogWrite(_ node: NodeID, entries: [Entry], commit: UInt64) {
        for entry in entries where entry.index <= commit {
            let slot = Int(entry.index)
            guard slot < committedTerms.count, let committed = committedTerms[slot] else { continue }
            if committed != entry.term {
                report(
                    .committedTruncated,
                    "n\(node) overwrites entry \(entry.index) (term \(committed)), which it knew committed through \(commit), with term \(entry.term)"
                )
                return
            }
        }
    }

    // MARK: - Configurations

    /// `node`'s log changes the configuration from `old` to `new` at `index`. Every quorum
    /// of `old` must intersect every quorum of `new` (a single-server change always does).
    public mutating func observeConfigChange(_ node: NodeID, index: UInt64, from old: Membership, to new: Membership) {
        guard !Self.quorumsIntersect(old.voters, new.voters) else { return }
        report(
            .configOverlap,
            "n\(node) changes voters at index \(index) from \(old.voters.sorted()) to \(new.voters.sorted()): quorums need not overlap"
        )
    }

    /// Whether every majority of `old` shares a member with every majority of `new`.
    static func quorumsIntersect(_ old: Set<NodeID>, _ new: Set<NodeID>) -> Bool {
        guard !old.isEmpty, !new.isEmpty else { return false }
        let shared = old.intersection(new).count
        // Two disjoint quorums take as few shared members as possible: first those that
        // belong only to their own side.
        let oldNeedsShared = max(0, old.count / 2 + 1 - (old.count - shared))
        let newNeedsShared = max(0, new.count / 2 + 1 - (new.count - shared))
        return oldNeedsShared + newNeedsShared > shared
    }

    // MARK: - Needless elections

    /// `node` started a campaign for `term` while `leader`, alive, reachable and holding a
    /// quorum, led an earlier term.
    public mutating func observeNeedlessCampaign(_ node: NodeID, term: UInt64, leader: NodeID) {
        needlessElections += 1
        lastNeedlessCampaign = "n\(node) campaigned for term \(term) while n\(leader) led"
    }

    /// In a run whose only faults are false refusals, at most `bound` needless campaigns.
    public mutating func checkNeedlessElections(bound: Int) {
        guard needlessElections > bound else { return }
        report(
            .needlessElection,
            "\(needlessElections) campaigns while a healthy leader held a quorum (at most \(bound) allowed); "
                + "the last: \(lastNeedlessCampaign ?? "?")"
        )
    }
}
