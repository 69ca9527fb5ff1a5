import CorralRaft

extension SimulationEngine {
    // MARK: - Liveness

    /// After the heal: done once a leader has committed the workload's new commands, the
    /// churn cycle has finished and every member has applied every acknowledged command.
    func livenessCheck() {
        guard case .liveness(let healedAt) = phase else { return }
        let leader = currentLeader()
        let members = leader?.machine.membership.members ?? []
        // A member that refused to start (a wiped voter) is not expected to catch up.
        let laggards = shells.filter {
            members.contains($0.id) && $0.status != .refused && $0.machine.appliedIndex < checker.maxAckedIndex
        }
        let enoughAcked = workload.ackedAfterHeal >= config.livenessCommands
        if leader != nil, enoughAcked, churn.isIdle, laggards.isEmpty {
            let live = shells.filter { $0.node != nil && members.contains($0.id) }
            checker.checkFinal(liveNodes: live.map { ($0.id, $0.machine.appliedIndex, $0.machine.chain) })
            phase = .done
            trace.record(time: now, node: 0, code: 70, text: "converged")
            return
        }
        let limit = UInt64(config.livenessTicks) * config.tickMicros
        guard now >= healedAt + limit else {
            queue.push(.livenessCheck, at: now + 50_000, key: eventKey(8, 0))
            return
        }
        let applied = shells.map { "n\($0.id)=\($0.machine.appliedIndex)\($0.node == nil ? "(\($0.status))" : "")" }
        checker.report(
            .liveness,
            "no convergence \(formatMicros(limit)) after the heal: leader \(leader.map { "n\($0.id)" } ?? "none"), "
                + "\(workload.ackedAfterHeal)/\(config.livenessCommands) new commands acked, churn \(churn), "
                + "applied \(applied.joined(separator: " ")), max acked \(checker.maxAckedIndex)"
        )
    }
}
