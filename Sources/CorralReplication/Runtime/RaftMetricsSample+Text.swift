import CorralMetrics

extension RaftMetricsSample {
    /// The roles `corral_raft_role` reports, one sample each (1 for the node's role).
    static let roles = ["follower", "preCandidate", "candidate", "leader", RaftStatus.stoppedRole]
    /// The replication states of a follower as the leader tracks it.
    static let flowStates = ["probe", "replicate", "snapshot"]

    /// Writes the node's Raft figures: gauges read from its status now, and the counters
    /// and commit-latency histogram its actor keeps.
    public func write(to text: inout MetricsText) {
        let status = self.status
        text.gauge("corral_raft_term", "The node's current Raft term.", Double(status.term))
        text.gauge(
            "corral_raft_role", "The node's Raft role: 1 for the role it holds, 0 for the others.",
            Self.roles.map { ([("role", $0)], status.role == $0 ? 1 : 0) })
        text.gauge("corral_raft_is_leader", "1 if this node leads, else 0.", status.role == "leader" ? 1 : 0)
        text.gauge("corral_raft_leader_id", "The node ID of the leader this node knows (0: none).", Double(status.leader))
        text.gauge("corral_raft_commit_index", "The highest log index known committed.", Double(status.commitIndex))
        text.gauge("corral_raft_applied_index", "The highest log index applied to the state machine.", Double(status.appliedIndex))
        text.gauge("corral_raft_last_index", "The last index in the node's log.", Double(status.lastIndex))
        text.gauge("corral_raft_first_index", "The first index still in the node's log.", Double(status.firstIndex))
        text.gauge("corral_raft_snapshot_index", "The index of the node's latest snapshot.", Double(status.snapshotIndex))
        text.gauge("corral_raft_voters", "Voting members of the quorum.", Double(status.voters.count))
        text.gauge("corral_raft_learners", "Learners (non-voting members) of the quorum.", Double(status.learners.count))
        text.gauge("corral_raft_stopped", "1 if the node stopped accepting writes after a failure.", status.failure == nil ? 0 : 1)
        let followers = status.followers
        text.gauge(
            "corral_raft_follower_lag_entries", "On the leader: entries each follower's match index is behind the leader's last index.",
            followers.map { ([("follower", String($0.id))], Double($0.lag)) })
        text.gauge(
            "corral_raft_follower_match_index", "On the leader: the highest index known replicated on each follower.",
            followers.map { ([("follower", String($0.id))], Double($0.match)) })
        text.gauge(
            "corral_raft_follower_active", "On the leader: 1 if the follower was heard from recently.",
            followers.map { ([("follower", String($0.id))], $0.active ? 1 : 0) })
        text.gauge(
            "corral_raft_follower_state", "On the leader: each follower's flow-control state (1 for the state it is in).",
            followers.flatMap { follower in
                Self.flowStates.map { ([("follower", String(follower.id)), ("state", $0)], follower.state == $0 ? 1 : 0) }
            })
        text.counter("corral_raft_proposals_total", "Commands proposed on this node.", Double(counters.proposals))
        text.counter(
            "corral_raft_leader_changes_total", "Times this node saw the leader change (to another node or to none known).",
            Double(counters.leaderChanges))
        text.counter("corral_raft_campaigns_total", "Elections this node started as a candidate.", Double(counters.campaigns))
        text.histogram(
            "corral_raft_proposal_commit_duration_seconds",
            "From a proposal's arrival on this node to its answer once committed and applied.", counters.commitLatency)
    }
}
