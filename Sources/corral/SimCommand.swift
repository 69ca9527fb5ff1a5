import ArgumentParser
@_spi(Testing) import CorralRaft
import CorralSimulation

/// `corral sim`: runs the Raft cluster simulator over a range of seeds, or replays one.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the seeded Raft cluster simulator over many seeds, or replay one seed.",
        discussion: """
            Every failure prints its seed; replay it with `corral sim --seed S --trace`.
            Fault mixes: \(FaultMix.named.map(\.name).joined(separator: ", ")), or `all` to rotate through them.
            """
    )

    @Option(help: "How many seeds to run (default 1 with --seed, otherwise 100).")
    var seeds: Int?

    @Option(help: "The first seed (alone: replay just this seed).")
    var seed: UInt64?

    @Option(help: "Cluster size: 3 or 5 (default: alternate).")
    var nodes: Int?

    @Option(help: "Fault mix, or `all` to rotate through every mix.")
    var faults: String = "all"

    @Option(help: "Ticks of fault injection per run (10 ms each).")
    var durationTicks: Int = 400

    @Flag(help: "Print the readable event trace of each run.")
    var trace = false

    @Flag(help: "Print a line for every seed, not only failures.")
    var verbose = false

    /// Breaks a Raft safety rule on purpose, to watch the checkers catch it. Testing only.
    @Option(name: .customLong("break-rule"), help: .hidden)
    var brokenRule: String?

    func validate() throws {
        if let nodes, nodes != 3, nodes != 5 { throw ValidationError("--nodes must be 3 or 5") }
        if faults != "all", FaultMix.named(faults) == nil {
            throw ValidationError("unknown fault mix '\(faults)'; one of: all, \(FaultMix.named.map(\.name).joined(separator: ", "))")
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let brokenRule, BrokenRule(rawValue: brokenRule) == nil {
            throw ValidationError("unknown rule '\(brokenRule)'; one of: \(BrokenRule.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let count = seeds ?? (seed == nil ? 100 : 1)
        let base = seed ?? 1
        let mixes = FaultMix.named.filter { faults == "all" || $0.name == faults }
        let clock = ContinuousClock()
        let start = clock.now
        var failures = 0
        var simulatedSeconds = 0.0
        for offset in 0..<count {
            let current = base &+ UInt64(offset)
            let mix = mixes[Int(current % UInt64(mixes.count))].mix
            let size = nodes ?? (current % 2 == 0 ? 3 : 5)
            var config = SimulationConfig(seed: current, nodes: size, faults: mix, durationTicks: durationTicks, trace: trace)
            if let rule = brokenRule.flatMap(BrokenRule.init(rawValue:)) {
                config.raftConfigOverride = { raft in
                    raft.brokenRules = [rule]
                    raft.maxMessageBytes = 32
                }
            }
            let result = Simulation(config: config).run()
            simulatedSeconds += result.counters.simulatedSeconds
            if trace { result.trace.forEach { print($0) } }
            if !result.passed {
                failures += 1
                print(result.summary)
                result.violations.dropFirst().prefix(4).forEach { print("    also: \($0)") }
            } else if verbose || count == 1 {
                print(result.summary)
            }
            if count == 1 { print("trace hash \(result.traceHash), counters: \(result.counters)") }
        }
        let wall = start.duration(to: clock.now)
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let rate = wallSeconds > 0 ? simulatedSeconds / wallSeconds : 0
        print(
            "seeds \(count) (from \(base)), failures \(failures), simulated \(format(simulatedSeconds)) s, "
                + "wall \(format(wallSeconds)) s, \(format(rate)) simulated s per wall s"
        )
        if failures > 0 { throw ExitCode.failure }
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return String(rounded)
    }
}
