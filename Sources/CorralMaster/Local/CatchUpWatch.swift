/// Whether a master that `corral up` started again has caught up with the cluster: the pure
/// watch, driven with the masters' statuses and the current instant so a test can replay it.
///
/// The target is the leader's commit index the first time a leader is seen after the restart;
/// the master has caught up once its own applied index reaches that target (or once it leads:
/// a leader holds every committed entry). Writes made meanwhile do not move the target, so a
/// busy cluster cannot keep the report from coming.
public struct CatchUpWatch {
    private struct Pending {
        var restartedAt: ContinuousClock.Instant
        var target: UInt64?
    }

    private var pending: [UInt64: Pending] = [:]

    public init() {}

    /// Master `id` was started again at `now`.
    public mutating func restarted(_ id: UInt64, now: ContinuousClock.Instant) {
        pending[id] = Pending(restartedAt: now)
    }

    /// The masters that were restarted and have not caught up yet.
    public var waiting: [UInt64] { pending.keys.sorted() }

    /// One line for each restarted master that has now caught up.
    public mutating func observe(_ statuses: [QuorumStatus], now: ContinuousClock.Instant) -> [String] {
        let leader = statuses.filter { $0.raft.role == "leader" }.max { $0.raft.term < $1.raft.term }
        var lines: [String] = []
        for id in pending.keys.sorted() {
            guard var entry = pending[id] else { continue }
            if entry.target == nil, let leader { entry.target = leader.raft.commitIndex }
            pending[id] = entry
            guard let target = entry.target, let own = statuses.first(where: { $0.raft.id == id }) else { continue }
            let leads = own.raft.role == "leader"
            guard leads || own.raft.appliedIndex >= target else { continue }
            pending[id] = nil
            let took = UpSupervision.text(now - entry.restartedAt)
            lines.append(
                "master \(id) caught up: applied index \(own.raft.appliedIndex) (the leader's commit index was \(target)) "
                    + "\(took) after it started again\(leads ? "; it leads now" : "")")
        }
        return lines
    }
}
