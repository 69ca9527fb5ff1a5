import ArgumentParser
import CorralClusterSimulation
import Dispatch
import Foundation
import Synchronization

extension SimCommand {
    func validateCluster() throws {
        if masters != 3, masters != 5 { throw ValidationError("--masters must be 3 or 5") }
        if agents < 1 || frameworks < 1 {
            throw ValidationError("--agents and --frameworks must be at least 1")
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if chaosSeconds < 0 { throw ValidationError("--chaos-seconds must not be negative") }
        if tasks < 1 { throw ValidationError("--tasks must be at least 1") }
        if livenessSeconds <= 0 { throw ValidationError("--liveness-seconds must be positive") }
        if let brokenClusterRule, ClusterBreak(rawValue: brokenClusterRule) == nil {
            let known = ClusterBreak.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown cluster rule '\(brokenClusterRule)'; one of: \(known)")
        }
    }

    /// `corral sim --cluster`: the whole cluster under each seed; a line per failure with
    /// its seed, then the totals and the speed in simulated seconds per wall second. Seeds
    /// run side by side on `--jobs` threads; each seed's run is the same whatever the number
    /// of jobs (a run shares nothing with another), and lines come out in seed order.
    func runCluster() throws {
        let count = seeds ?? (seed == nil ? 100 : 1)
        let base = seed ?? 1
        let workers = trace ? 1 : min(count, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let start = ContinuousClock.now
        let printer = Mutex(SeedPrinter(base: base, show: verbose || count == 1, trace: trace))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let offset = next.add(1, ordering: .relaxed).oldValue
                guard offset < count else { return }
                let result = ClusterSimulation(config: config(seed: base &+ UInt64(offset))).run()
                printer.withLock { $0.add(result, at: offset) }
            }
        }
        let totals = printer.withLock { $0 }
        let (wallSeconds, rate) = Self.speed(simulated: totals.simulated, since: start)
        print(
            "cluster seeds \(count) (from \(base)), failures \(totals.failures), simulated \(Int(totals.simulated)) s, "
                + "wall \(String(format: "%.1f", wallSeconds)) s, \(Int(rate)) simulated s per wall s"
                + (workers > 1 ? " (\(workers) jobs)" : "")
        )
        if totals.failures > 0 { throw ExitCode.failure }
    }

    private func config(seed: UInt64) -> ClusterConfig {
        ClusterConfig(
            seed: seed,
            masters: masters,
            agents: agents,
            frameworks: frameworks,
            tasksPerFramework: tasks,
            chaosSeconds: chaosSeconds,
            livenessSeconds: livenessSeconds,
            trace: trace,
            breaks: Set([brokenClusterRule].compactMap { $0.flatMap(ClusterBreak.init(rawValue:)) })
        )
    }
}

/// Prints the seeds' results in seed order as they finish, and keeps the totals.
struct SeedPrinter: Sendable {
    let base: UInt64
    let show: Bool
    let trace: Bool
    var failures = 0
    var simulated = 0.0
    private var waiting: [Int: ClusterResult] = [:]
    private var printed = 0

    init(base: UInt64, show: Bool, trace: Bool) {
        self.base = base
        self.show = show
        self.trace = trace
    }

    mutating func add(_ result: ClusterResult, at offset: Int) {
        simulated += Double(result.counters.simulatedMicros) / 1e6
        if !result.passed { failures += 1 }
        waiting[offset] = result
        while let ready = waiting.removeValue(forKey: printed) {
            printed += 1
            if trace { ready.trace.forEach { print($0) } }
            if !ready.passed {
                print(ready.summary)
                ready.violations.dropFirst().prefix(4).forEach { print("    also: \($0)") }
            } else if show {
                print(ready.summary)
            }
        }
        fflush(nil)  // every stream: a long sweep shows its failures as they come
    }
}
