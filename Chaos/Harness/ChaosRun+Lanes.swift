import Foundation
import Synchronization

extension ChaosRun {
    /// Fires the planned faults: steps marked `alongside` in a second lane (a thread of its
    /// own, in order), the rest in this one, so that a fault can last while another fires
    /// (a clock that jumps while a scheduler is away, say). Returns every lane's records;
    /// each lane's violations, faults and notes are added to `summary`.
    func runLanes(
        _ plan: [PlannedFault], summary: inout ChaosSummary,
        _ inject: @escaping @Sendable (PlannedFault, inout ChaosSummary) -> [FaultRecord]
    ) -> [FaultRecord] {
        let second = plan.filter(\.alongside)
        guard !second.isEmpty else {
            return plan.flatMap { inject($0, &summary) }
        }
        let blank = summary
        let lane = Mutex<(records: [FaultRecord], summary: ChaosSummary)>(([], blank))
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var local = blank
            let records = second.flatMap { inject($0, &local) }
            lane.withLock { $0 = (records, local) }
            done.signal()
        }
        thread.start()
        var records = plan.filter { !$0.alongside }.flatMap { inject($0, &summary) }
        done.wait()
        lane.withLock { result in
            records += result.records
            summary.violations += result.summary.violations
            summary.faults += result.summary.faults
            summary.notes += result.summary.notes
        }
        return records
    }
}
