import CorralHistory
import CorralMaster
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One step of a `replace` fault as its record keeps it (`faults.jsonl`: action, member, outcome).
public struct MembershipStep: Sendable, Hashable, Codable {
    /// `add-learner`, `promote`, `remove`, `kill` (the leader, just after the removal was
    /// sent) or `stop` (the removed master, once its removal is committed).
    public var action: String
    /// The master the step changed: the spare, the removed master, the killed leader.
    public var member: UInt64
    /// What came of it: the requests it took, the answer to the removal.
    public var outcome: String?

    public init(action: String, member: UInt64, outcome: String? = nil) {
        self.action = action
        self.member = member
        self.outcome = outcome
    }
}

/// The `replace` fault: a spare master replaces the target while the leader is killed.
///
/// 1. The next spare starts empty with `--join`, is added as a learner through the leader
///    and, once it has applied what the leader had committed, promoted to a voter.
/// 2. The target is resolved among the old members (not the spare), and `POST /quorum/remove`
///    for it is sent to the leader; a seeded 0-100 ms later the leader is SIGKILLed. The
///    removal may then be committed, lost, or left uncommitted in some logs.
/// 3. Through the new leader the harness asks for the removal again until the new leader
///    has committed it; then the removed master is stopped, and the killed leader (unless it
///    was the one removed) starts again `heal_after` after the kill.
///
/// Corral changes membership one server at a time (no joint configuration): the leader
/// adopts a change when it appends it and allows the next only after it committed an entry
/// of its own term. So the step kills the leader with a change in flight, at 4 voters of
/// which 3 stay up until the removal is committed.
extension ChaosRun {
    func replace(
        _ planned: PlannedFault, leader: UInt64, term: UInt64, cluster: ChaosCluster, clock: @Sendable () -> UInt64,
        summary: inout ChaosSummary
    ) -> [FaultRecord] {
        let limit = scenario.bounds.failoverLimitSeconds * 2
        guard let spare = cluster.nextSpare(), let address = cluster.member(spare) else {
            summary.violations.append("harness: \(planned) has no spare master left")
            return []
        }
        var records: [FaultRecord] = []
        func record(_ step: MembershipStep, targets: [UInt64], leader: UInt64, term: UInt64, from: UInt64, to: UInt64, members: Int? = nil) {
            var record = FaultRecord(
                planned: planned, targets: targets, leaderBefore: leader, termBefore: term, injectedNanos: from, healedNanos: to,
                members: members ?? cluster.ids.count)
            record.membership = step
            records.append(record)
            say("chaos: \(ClientOperation.secondsText(to)) replace: \(step.action) m\(step.member)\(step.outcome.map { ": \($0)" } ?? "")")
        }

        // 1. The spare joins as a learner and is promoted once caught up.
        let started = clock()
        say("chaos: \(ClientOperation.secondsText(started)) replace: starting spare m\(spare) (leader m\(leader), term \(term))")
        do { try cluster.start(spare) } catch {
            summary.violations.append("harness: \(error)")
            return records
        }
        guard cluster.answers(spare, seconds: limit) else {
            summary.violations.append("harness: spare m\(spare) did not answer within \(limit) s; see \(cluster.logPath(spare))")
            return records
        }
        let added = cluster.change(
            "/quorum/add-learner", ["id": spare, "raft": address.raft, "http": address.http], seconds: limit
        ) { $0.raft.learners.contains(spare) || $0.raft.voters.contains(spare) }
        let caughtUp = added.done && cluster.caughtUp(spare, seconds: limit)
        if added.done { cluster.admit(spare) }
        record(
            MembershipStep(action: "add-learner", member: spare, outcome: added.description + (caughtUp ? ", caught up" : ", NOT caught up")),
            targets: [spare], leader: leader, term: term, from: started, to: clock())
        guard caughtUp else {
            if !added.done { cluster.signal(spare, SIGKILL) }
            summary.violations.append("liveness: spare m\(spare) was not added as a learner and caught up within \(limit) s: \(added)")
            return records
        }
        let promoting = clock()
        let promoted = cluster.change("/quorum/promote", ["id": spare], seconds: limit) { $0.raft.voters.contains(spare) }
        record(
            MembershipStep(action: "promote", member: spare, outcome: promoted.description), targets: [spare], leader: leader,
            term: term, from: promoting, to: clock())
        guard promoted.done else {
            summary.violations.append("liveness: spare m\(spare) was not promoted within \(limit) s: \(promoted)")
            return records
        }

        // 2. The removal is sent to the leader, which is killed just after.
        guard let now = cluster.runningLeader(), let endpoint = cluster.member(now.raft.id)?.http else {
            summary.violations.append("liveness: no leader after promoting m\(spare) for \(planned)")
            return records
        }
        let killed = now.raft.id, killedTerm = now.raft.term
        guard let old = planned.targets(leader: killed, members: cluster.ids.filter { $0 != spare }).first else { return records }
        let answer = Mutex("no answer")
        let sent = DispatchGroup()
        sent.enter()
        let removing = clock()
        let body = Array((try? JSONSerialization.data(withJSONObject: ["id": old])) ?? Data())
        Thread {
            defer { sent.leave() }
            do {
                _ = try MasterClient(timeoutSeconds: 5).json(QuorumStatus.self, "POST", endpoint, "/quorum/remove", body: body)
                answer.withLock { $0 = "200" }
            } catch let error as MasterError {
                answer.withLock { $0 = "\(error.code): \(error.message.prefix(160))" }
            } catch {
                answer.withLock { $0 = "\(error)" }
            }
        }.start()
        let delay = planned.picks.last ?? 0
        usleep(UInt32(delay) * 1000)
        let kill = clock()
        let voters = cluster.ids.count
        cluster.signal(killed, SIGKILL)
        say("chaos: \(ClientOperation.secondsText(kill)) replace: kill m\(killed) (leader, term \(killedTerm)) \(delay) ms after sending the removal of m\(old)")
        sent.wait()

        // 3. The new leader completes the removal; the removed master stops; the killed one restarts.
        let removed = cluster.change("/quorum/remove", ["id": old], seconds: limit) {
            !$0.raft.voters.contains(old) && !$0.raft.learners.contains(old)
        }
        if removed.done { cluster.retire(old) }
        record(
            MembershipStep(
                action: "remove", member: old,
                outcome: "answer from m\(killed): \(answer.withLock { $0 }); then \(removed.description)"),
            targets: [], leader: killed, term: killedTerm, from: removing, to: clock())
        if !removed.done {
            summary.violations.append("liveness: m\(old) was not removed within \(limit) s after \(planned): \(removed)")
        }
        if removed.done && old != killed {
            let stopping = clock()
            let now = cluster.runningLeader()?.raft
            cluster.signal(old, SIGTERM)
            record(
                MembershipStep(action: "stop", member: old), targets: [old], leader: now?.id ?? 0, term: now?.term ?? 0,
                from: stopping, to: clock())
        }
        sleep(until: kill + UInt64(planned.healAfterSeconds * 1e9), clock)
        if killed != old || !removed.done {
            do { try cluster.start(killed) } catch { summary.violations.append("harness: \(error)") }
        }
        record(
            MembershipStep(action: "kill", member: killed, outcome: killed == old && removed.done ? "removed, not restarted" : "restarted"),
            targets: [killed], leader: killed, term: killedTerm, from: kill, to: clock(), members: voters)
        summary.faults.append(
            "\(planned) -> m\(spare) replaced m\(old); m\(killed) killed \(delay) ms after the removal was sent (its answer: \(answer.withLock { $0 }))")
        return records
    }
}
