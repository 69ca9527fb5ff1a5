import CorralHistory

extension ChaosRun {
    /// Cuts a planned partition (or, for `flap`, each of its partitions in turn) with iptables
    /// in the masters' namespaces, and heals it when its time is up. A rule that cannot be
    /// set is a harness violation, and the network is healed at once.
    func cut(
        _ planned: PlannedFault, leader: UInt64, term: UInt64, network: NamespaceNetwork, members: [UInt64],
        clock: @Sendable () -> UInt64, summary: inout ChaosSummary
    ) -> [FaultRecord] {
        let start = clock()
        var records: [FaultRecord] = []
        if planned.kind == .flap {
            for toggle in planned.toggles {
                sleep(until: start + UInt64(toggle.offsetSeconds * 1e9), clock)
                let partition = Partition.shaped(toggle.kind, aimedAt: toggle.node, grouping: toggle.grouping, members: members)
                // Toggles do not wait for a leader, so no fail-over is measured for them (leader 0);
                // the next step waits for an agreed leader, and convergence is checked at the end.
                guard let record = hold(
                    partition, planned: planned, target: [toggle.node], leader: (0, 0), for: toggle.seconds, network: network,
                    members: members, clock: clock, summary: &summary, label: "flap \(toggle.kind.rawValue)")
                else { break }
                records.append(record)
            }
            sleep(until: start + UInt64(planned.healAfterSeconds * 1e9), clock)
        } else {
            let partition = planned.partition(leader: leader, members: members)
            let aimed = planned.targets(leader: leader, members: members)
            let side = planned.kind == .split ? partition.stranded(members) : aimed
            if let record = hold(
                partition, planned: planned, target: side, leader: (leader, term), for: planned.healAfterSeconds, network: network,
                members: members, clock: clock, summary: &summary, label: planned.kind.rawValue)
            {
                records.append(record)
            }
        }
        summary.faults.append("\(planned) -> " + records.map { $0.partition?.description ?? "" }.joined(separator: "; "))
        return records
    }

    /// Puts `partition` in force for `seconds`, then heals; nil (and a violation) when the
    /// rules could not be set.
    private func hold(
        _ partition: Partition, planned: PlannedFault, target: [UInt64], leader: (UInt64, UInt64), for seconds: Double,
        network: NamespaceNetwork, members: [UInt64], clock: @Sendable () -> UInt64, summary: inout ChaosSummary, label: String
    ) -> FaultRecord? {
        let stranded = partition.stranded(members)
        let injected = clock()
        do {
            try network.cut(partition)
        } catch {
            summary.violations.append("harness: \(error)")
            try? network.heal()
            return nil
        }
        let who = leader.0 == 0 ? "" : " (leader m\(leader.0), term \(leader.1))"
        let aimed = target.map { "m\($0)" }.joined(separator: ",")
        say("chaos: \(ClientOperation.secondsText(injected)) \(label) \(aimed): \(partition)\(who)")
        sleep(until: injected + UInt64(seconds * 1e9), clock)
        do {
            try network.heal()
        } catch {
            summary.violations.append("harness: \(error)")
        }
        let healed = clock()
        say("chaos: \(ClientOperation.secondsText(healed)) healed the partition")
        return FaultRecord(
            planned: planned, targets: target, leaderBefore: leader.0, termBefore: leader.1, injectedNanos: injected,
            healedNanos: healed, members: members.count, partition: partition, stranded: stranded)
    }
}
