import CorralRaft

/// Where a membership churn cycle stands: remove a voter, wipe it, add it back as a
/// learner, then promote it.
enum ChurnState: Equatable {
    case idle(nextAt: UInt64)
    case removing(NodeID, lastProposal: UInt64)
    case adding(NodeID, lastProposal: UInt64)
    case promoting(NodeID, since: UInt64, lastProposal: UInt64)

    var isIdle: Bool {
        if case .idle = self { return true }
        return false
    }
}

extension SimulationEngine {
    // MARK: - Membership churn

    /// Re-proposing a change waits this long for the last proposal to take effect.
    private var churnRetryMicros: UInt64 { 400_000 }

    /// Moves the churn cycle on, judged against the leader's applied membership (its state
    /// machine) and its latest one (which includes an uncommitted change).
    func churnStep() {
        defer {
            if phase != .done {
                queue.push(.churn, at: now + UInt64.random(in: 30_000...100_000, using: &churnRNG), key: eventKey(6, 0))
            }
        }
        guard let leader = currentLeader(), let node = leader.node else { return }
        let applied = leader.machine.membership
        let latest = node.membership
        switch churn {
        case .idle(let nextAt):
            let refusedVoter = latest.voters.contains { shells[Int($0) - 1].status == .refused }
            guard phase == .chaos || refusedVoter, now >= nextAt || refusedVoter, applied == latest, latest.learners.isEmpty, latest.voters.count >= 3 else { return }
            // Now and then the leader removes itself: it must lead until the change commits,
            // then hand over.
            let removesLeader = churnRNG.chance(0.25)
            let candidates = latest.voters.sorted().filter { removesLeader || $0 != leader.id }
            // A member that refused to start is replaced first, as an operator would.
            let refused = latest.voters.sorted().first { shells[Int($0) - 1].status == .refused }
            guard let target = refused ?? candidates.randomElement(using: &churnRNG) else { return }
            propose(.remove(target), to: leader)
            churn = .removing(target, lastProposal: now)
        case .removing(let target, let last):
            if !applied.members.contains(target) {
                guard target != leader.id else { return }
                let index = Int(target) - 1
                shells[index].wipe()
                checker.forgetDurableState(of: target)
                trace.record(time: now, node: target, code: 60, text: "removed: wiped, rejoining with an empty log")
                rejoin(index)
                churn = .adding(target, lastProposal: 0)
            } else if latest.members.contains(target), now >= last + churnRetryMicros {
                propose(.remove(target), to: leader)
                churn = .removing(target, lastProposal: now)
            }
        case .adding(let target, let last):
            if applied.learners.contains(target) {
                churn = .promoting(target, since: now, lastProposal: 0)
            } else if applied.voters.contains(target) {
                churn = .idle(nextAt: now + UInt64.random(in: 200_000...1_000_000, using: &churnRNG))
            } else if !latest.members.contains(target), now >= last + churnRetryMicros {
                propose(.addLearner(target), to: leader)
                churn = .adding(target, lastProposal: now)
            }
        case .promoting(let target, let since, let last):
            if applied.voters.contains(target) {
                churn = .idle(nextAt: now + UInt64.random(in: 200_000...1_000_000, using: &churnRNG))
            } else if !applied.members.contains(target), !latest.members.contains(target) {
                churn = .adding(target, lastProposal: 0)
            } else if !latest.voters.contains(target), now >= last + churnRetryMicros {
                let caughtUp = (node.progress[target]?.match ?? 0) + 5 >= node.commitIndex
                guard caughtUp || now >= since + 2_000_000 else { return }
                propose(.promote(target), to: leader)
                churn = .promoting(target, since: since, lastProposal: now)
            }
        }
    }

    private func propose(_ change: ConfigChange, to leader: NodeShell) {
        let id = WorkloadState.configBit | workload.nextConfigChange
        workload.nextConfigChange += 1
        counters.configChanges += 1
        trace.record(time: now, node: leader.id, code: 61, text: "propose \(change)")
        feed(Int(leader.id) - 1, .proposeConfigChange(id: id, change: change))
    }

    /// Starts a wiped node again with an empty state, as a new member joining the cluster.
    private func rejoin(_ index: Int) {
        let shell = shells[index]
        do {
            shell.node = try RaftNode(config: config.raftConfig(for: shell.id), state: RaftPersistentState())
        } catch {
            checker.report(.recovery, "n\(shell.id) cannot start empty: \(error.message)")
            return
        }
        shell.damagedOnPurpose = false
        // Its operator cleared its identity; it gets one again once it stores something.
        shell.hasIdentity = false
        shell.status = .up
        shell.checkedCommit = 0
        shell.lastSnapshotIndex = 0
        shell.resetInterpreter()
        shell.wasLeader = false
        shell.wasCandidate = false
    }
}
