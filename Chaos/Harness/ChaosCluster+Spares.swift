import CorralMaster
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The spare masters of a run and the membership changes the harness makes through the
/// leader's Operator API (`/quorum/add-learner`, `/quorum/promote`, `/quorum/remove`).
extension ChaosCluster {
    /// The founders, then the spares.
    public var allMembers: [Member] { members + spares }

    /// The first spare never started, if any is left.
    func nextSpare() -> UInt64? {
        spares.map(\.id).first { !FileManager.default.fileExists(atPath: logPath($0)) }
    }

    /// Masters that were members and were removed by the harness (started, no member now).
    public var removed: [UInt64] {
        let now = Set(ids)
        return allMembers.map(\.id).filter { !now.contains($0) && FileManager.default.fileExists(atPath: logPath($0)) }
    }

    /// Counts `id` as a member from now on (pollers and convergence include it).
    func admit(_ id: UInt64) { current.withLock { if !$0.contains(id) { $0.append(id) } } }

    /// Counts `id` as a member no more.
    func retire(_ id: UInt64) { current.withLock { $0.removeAll { $0 == id } } }

    /// The running, unpaused master that says it leads in the highest term (nil if none).
    func runningLeader() -> QuorumStatus? {
        live.compactMap(status).filter { $0.raft.role == "leader" }.max { $0.raft.term < $1.raft.term }
    }

    /// What one membership change took.
    struct Change: Sendable {
        /// Whether `done` held on a leader that had committed it, within the time.
        var done = false
        /// Requests sent, and the last error one of them got.
        var posts = 0
        var lastError: String?

        var description: String {
            (done ? "done" : "NOT done") + " after \(posts) request\(posts == 1 ? "" : "s")" + (lastError.map { " (last error: \($0))" } ?? "")
        }
    }

    /// Posts `path` with `body` to the leader until `done` holds on the leader's status and
    /// the leader has committed its log up to where it first saw it hold (in the same term).
    /// A request that fails (no leader, a redirect to a dead one, a change in progress, an
    /// unknown outcome) is tried again once the leader's status shows it did not take effect.
    func change(_ path: String, _ body: [String: Any], seconds: Double, done: (QuorumStatus) -> Bool) -> Change {
        var result = Change()
        var seen: (leader: UInt64, term: UInt64, index: UInt64)?
        let deadline = Date().addingTimeInterval(seconds)
        let data = Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
        while Date() < deadline {
            guard let leader = runningLeader(), let endpoint = member(leader.raft.id)?.http else {
                usleep(50_000)
                continue
            }
            let raft = leader.raft
            if done(leader) {
                if let seen, seen.leader == raft.id, seen.term == raft.term {
                    if raft.commitIndex >= seen.index {
                        result.done = true
                        return result
                    }
                } else {
                    seen = (raft.id, raft.term, raft.lastIndex)
                }
                usleep(20_000)
                continue
            }
            seen = nil
            result.posts += 1
            do {
                _ = try MasterClient(timeoutSeconds: 5).json(QuorumStatus.self, "POST", endpoint, path, body: data)
            } catch {
                result.lastError = error.message
                usleep(100_000)
            }
        }
        return result
    }

    /// Waits until master `id` has applied what the leader had committed when the wait began.
    func caughtUp(_ id: UInt64, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var target: UInt64?
        while Date() < deadline {
            if target == nil { target = runningLeader()?.raft.commitIndex }
            if let target, let applied = status(id)?.raft.appliedIndex, applied >= target { return true }
            usleep(50_000)
        }
        return false
    }

    /// Waits until master `id` answers `/quorum/status`.
    func answers(_ id: UInt64, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if status(id) != nil { return true }
            if !isAlive(id) { return false }
            usleep(50_000)
        }
        return false
    }
}
