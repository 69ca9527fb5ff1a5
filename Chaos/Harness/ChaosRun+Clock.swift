import CorralHistory
import Foundation

extension ChaosRun {
    /// `clock-jump`: steps the targets' wall clocks by the step's `jump` (through their offset
    /// files), holds it for the fault's time, and steps them back. No master leaves the
    /// quorum, so the record strands none.
    func clockJump(
        _ planned: PlannedFault, leader: UInt64, term: UInt64, cluster: ChaosCluster, clock: @Sendable () -> UInt64,
        summary: inout ChaosSummary
    ) -> [FaultRecord] {
        let targets = planned.targets(leader: leader, members: cluster.ids)
        let millis = Int64(((planned.jumpSeconds ?? 0) * 1000).rounded())
        let names = targets.map { "m\($0)" }.joined(separator: ",")
        let injected = clock()
        step(targets, millis: millis, cluster, &summary)
        say("chaos: \(ClientOperation.secondsText(injected)) clock-jump \(names) by \(millis) ms (leader m\(leader), term \(term))")
        sleep(until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
        step(targets, millis: 0, cluster, &summary)
        let healed = clock()
        say("chaos: \(ClientOperation.secondsText(healed)) clocks of \(names) stepped back")
        summary.faults.append("\(planned) -> \(names)")
        return [.strandingNobody(planned, targets: targets, leader: leader, term: term, injected: injected, healed: healed, members: cluster.ids.count)]
    }

    private func step(_ targets: [UInt64], millis: Int64, _ cluster: ChaosCluster, _ summary: inout ChaosSummary) {
        for id in targets {
            do { try cluster.setClockOffset(id, millis: millis) } catch { summary.violations.append("harness: \(error)") }
        }
    }
}
