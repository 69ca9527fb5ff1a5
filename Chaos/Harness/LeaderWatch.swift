import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What one master said about leadership at one moment (`GET /quorum/status`).
public struct LeaderView: Sendable, Hashable, Codable {
    /// When the answer arrived, on the run's clock.
    public var nanos: UInt64
    /// The master that answered.
    public var master: UInt64
    public var role: String
    public var term: UInt64
    /// The leader it follows in `term` (0: none known).
    public var leader: UInt64
    public var commitIndex: UInt64
    public var appliedIndex: UInt64

    public init(nanos: UInt64, master: UInt64, role: String, term: UInt64, leader: UInt64, commitIndex: UInt64, appliedIndex: UInt64) {
        self.nanos = nanos
        self.master = master
        self.role = role
        self.term = term
        self.leader = leader
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
    }
}

/// Polls every master's view of leader and term, one thread per master (spares included:
/// one not started yet, or stopped after its removal, does not answer and is skipped), every
/// 50 ms, for the one-leader-per-term and fail-over checks.
public final class LeaderWatch: Sendable {
    private let views = Mutex<[LeaderView]>([])
    private let stopped = Atomic<Bool>(false)
    private let group = DispatchGroup()

    public init(cluster: ChaosCluster, clock: @escaping @Sendable () -> UInt64) {
        for id in cluster.allMembers.map(\.id) {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while !stopped.load(ordering: .relaxed) {
                    if let status = cluster.status(id) {
                        let raft = status.raft
                        let view = LeaderView(
                            nanos: clock(), master: id, role: raft.role, term: raft.term, leader: raft.leader,
                            commitIndex: raft.commitIndex, appliedIndex: raft.appliedIndex)
                        views.withLock { $0.append(view) }
                    }
                    usleep(50_000)
                }
            }
            thread.name = "leader-watch-\(id)"
            thread.start()
        }
    }

    /// Stops polling and returns every view, in time order.
    public func stop() -> [LeaderView] {
        stopped.store(true, ordering: .relaxed)
        group.wait()
        return views.withLock { $0 }.sorted { ($0.nanos, $0.master) < ($1.nanos, $1.master) }
    }
}
