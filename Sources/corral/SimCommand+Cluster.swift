import ArgumentParser
import CorralClusterSimulation

extension SimCommand {
    func validateCluster() throws {
        if masters != 3, masters != 5 { throw ValidationError("--masters must be 3 or 5") }
        if agents < 1 || frameworks < 1 {
            throw ValidationError("--agents and --frameworks must be at least 1")
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if chaosSeconds < 0 { throw ValidationError("--chaos-seconds must not be negative") }
        if let brokenClusterRule, ClusterBreak(rawValue: brokenClusterRule) == nil {
            let known = ClusterBreak.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown cluster rule '\(brokenClusterRule)'; one of: \(known)")
        }
    }

    /// `corral sim --cluster`: the whole cluster under each seed; a line per failure with
    /// its seed, then the totals and the speed in simulated seconds per wall second.
    func runCluster() throws {
        let count = seeds ?? (seed == nil ? 100 : 1)
        let base = seed ?? 1
        let start = ContinuousClock.now
        var failures = 0
        var simulated = 0.0
        for offset in 0..<count {
            let config = ClusterConfig(
                seed: base &+ UInt64(offset),
                masters: masters,
                agents: agents,
                frameworks: frameworks,
                chaosSeconds: chaosSeconds,
                trace: trace,
                breaks: Set([brokenClusterRule].compactMap { $0.flatMap(ClusterBreak.init(rawValue:)) })
            )
            let result = ClusterSimulation(config: config).run()
            simulated += Double(result.counters.simulatedMicros) / 1e6
            if trace { result.trace.forEach { print($0) } }
            if !result.passed {
                failures += 1
                print(result.summary)
                result.violations.dropFirst().prefix(4).forEach { print("    also: \($0)") }
            } else if verbose || count == 1 {
                print(result.summary)
            }
        }
        let (wallSeconds, rate) = Self.speed(simulated: simulated, since: start)
        print(
            "cluster seeds \(count) (from \(base)), failures \(failures), simulated \(Int(simulated)) s, "
                + "wall \(String(format: "%.1f", wallSeconds)) s, \(Int(rate)) simulated s per wall s"
        )
        if failures > 0 { throw ExitCode.failure }
    }
}
