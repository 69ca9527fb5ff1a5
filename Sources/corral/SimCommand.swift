import ArgumentParser
@_spi(Testing) import CorralRaft
@_spi(Testing) import CorralSimulation

/// `corral sim`: runs the Raft cluster simulator over a range of seeds, or replays one.
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the seeded Raft cluster simulator over many seeds, or replay one seed.",
        discussion: """
            Every failure prints its seed; replay it with `corral sim --seed S --trace`.
            Fault mixes: \(FaultMix.named.map(\.name).joined(separator: ", ")), or `all` to rotate through them.
            Shapes (--shape): \(shapes.joined(separator: ", ")) (voters+learners); a sweep rotates through them.

            Example: corral sim --seeds 1000 --faults all, then corral sim --seed 42 --trace
            """
    )

    @Option(help: "How many seeds to run (default 1 with --seed, otherwise 100).")
    var seeds: Int?

    @Option(help: "The first seed (alone: replay just this seed).")
    var seed: UInt64?

    @Option(help: "Cluster size: 3 or 5 voters (same as --shape 3 or --shape 5).")
    var nodes: Int?

    /// The shapes `--shape` accepts, and the ones a sweep rotates through.
    static let shapes = ["3", "5", "1+2", "2+1", "2"]

    @Option(help: "Cluster shape: voters, or voters+learners: 3, 5, 1+2, 2+1 or 2 (default: rotate through them).")
    var shape: String?

    @Option(help: "Fault mix, or `all` to rotate through every mix.")
    var faults: String = "all"

    @Option(help: "Ticks of fault injection per run (10 ms each).")
    var durationTicks: Int = 400

    @Flag(help: "Print the readable event trace of each run.")
    var trace = false

    @Flag(help: "Print a line for every seed, not only failures.")
    var verbose = false

    @Flag(help: "Simulate the whole cluster: masters (Raft, registry, leader), agents and scheduled frameworks.")
    var cluster = false

    @Option(help: "With --cluster: masters, 3 or 5 (default 3).")
    var masters: Int = 3

    @Option(help: "With --cluster: agents (default 10).")
    var agents: Int = 10

    @Option(help: "With --cluster: frameworks, each a scripted scheduler (default 3).")
    var frameworks: Int = 3

    @Option(help: "With --cluster: virtual seconds of faults before the heal (default 30).")
    var chaosSeconds: Double = 30

    @Option(help: "With --cluster: tasks each framework runs (default 20).")
    var tasks: Int = 20

    @Option(help: "With --cluster: virtual seconds the healed cluster has to finish the workload (default 90).")
    var livenessSeconds: Double = 90

    @Option(help: "With --cluster: seeds run side by side (default: one per core; 1 with --trace).")
    var jobs: Int?

    /// Breaks a cluster rule on purpose, to watch the checkers catch it. Testing only.
    @Option(name: .customLong("break-cluster-rule"), help: .hidden)
    var brokenClusterRule: String?

    /// Breaks a Raft safety rule on purpose, to watch the checkers catch it. Testing only.
    @Option(name: .customLong("break-rule"), help: .hidden)
    var brokenRule: String?

    /// Runs the nodes without pre-vote and check-quorum (`plain`) or with one-entry,
    /// one-in-flight replication and 16-byte snapshot chunks (`tight`). For bug hunting.
    @Option(name: .customLong("raft-variant"), help: .hidden)
    var raftVariant: String?

    func validate() throws {
        if cluster {
            try validateCluster()
            return
        }
        if let nodes, nodes != 3, nodes != 5 { throw ValidationError("--nodes must be 3 or 5") }
        if let shape, Self.parseShape(shape) == nil {
            throw ValidationError("unknown shape '\(shape)'; one of: \(Self.shapes.joined(separator: ", "))")
        }
        if nodes != nil, shape != nil { throw ValidationError("give --nodes or --shape, not both") }
        if faults != "all", FaultMix.named(faults) == nil {
            throw ValidationError("unknown fault mix '\(faults)'; one of: all, \(FaultMix.named.map(\.name).joined(separator: ", "))")
        }
        if let raftVariant, raftVariant != "plain", raftVariant != "tight" {
            throw ValidationError("--raft-variant must be plain or tight")
        }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let brokenRule, BrokenRule(rawValue: brokenRule) == nil, BrokenShellRule(rawValue: brokenRule) == nil {
            let known = BrokenRule.allCases.map(\.rawValue) + BrokenShellRule.allCases.map(\.rawValue)
            throw ValidationError("unknown rule '\(brokenRule)'; one of: \(known.joined(separator: ", "))")
        }
    }

    func run() throws {
        if cluster {
            try runCluster()
            return
        }
        let count = seeds ?? (seed == nil ? 100 : 1)
        let base = seed ?? 1
        let start = ContinuousClock.now
        var failures = 0
        var simulatedSeconds = 0.0
        for offset in 0..<count {
            let result = Simulation(config: makeConfig(seed: base &+ UInt64(offset))).run()
            simulatedSeconds += result.counters.simulatedSeconds
            if trace { result.trace.forEach { print($0) } }
            if !result.passed {
                failures += 1
                print(result.summary)
                result.violations.dropFirst().prefix(4).forEach { print("    also: \($0)") }
                if let extra = extraOptions { print("    replay with: \(extra)") }
            } else if verbose || count == 1 {
                print(result.summary)
            }
            if count == 1 { print("trace hash \(result.traceHash), counters: \(result.counters)") }
        }
        let (wallSeconds, rate) = Self.speed(simulated: simulatedSeconds, since: start)
        print(
            "seeds \(count) (from \(base)), failures \(failures), simulated \(format(simulatedSeconds)) s, "
                + "wall \(format(wallSeconds)) s, \(format(rate)) simulated s per wall s"
        )
        if failures > 0 { throw ExitCode.failure }
    }

    /// The run for `seed`: the mix and cluster size rotate with the seed unless fixed.
    private func makeConfig(seed: UInt64) -> SimulationConfig {
        let mixes = FaultMix.named.filter { faults == "all" || $0.name == faults }
        let mix = mixes[Int(seed % UInt64(mixes.count))].mix
        let rotated = Self.shapes[Int((seed / UInt64(mixes.count)) % UInt64(Self.shapes.count))]
        let (voters, learners) = Self.parseShape(shape ?? nodes.map(String.init) ?? rotated) ?? (3, 0)
        var config = SimulationConfig(
            seed: seed, nodes: voters + learners, learners: learners, faults: mix, durationTicks: durationTicks, trace: trace)
        if let shellRule = brokenRule.flatMap(BrokenShellRule.init(rawValue:)) { config.brokenShellRules = [shellRule] }
        let rule = brokenRule.flatMap(BrokenRule.init(rawValue:))
        let variant = raftVariant
        guard rule != nil || variant != nil else { return config }
        config.raftConfigOverride = { raft in
            if let rule {
                raft.brokenRules = [rule]
                raft.maxMessageBytes = 32
            }
            if variant == "plain" {
                raft.preVote = false
                raft.checkQuorum = false
            } else if variant == "tight" {
                raft.maxInflightMessages = 1
                raft.maxMessageBytes = 1
                raft.snapshotChunkBytes = 16
            }
        }
        return config
    }

    /// Options a replay needs besides seed, size and mix, if any.
    private var extraOptions: String? {
        var options: [String] = []
        if durationTicks != 400 { options.append("--duration-ticks \(durationTicks)") }
        if let raftVariant { options.append("--raft-variant \(raftVariant)") }
        if let brokenRule { options.append("--break-rule \(brokenRule)") }
        return options.isEmpty ? nil : options.joined(separator: " ")
    }

    /// The wall seconds since `start`, and the simulated seconds per wall second.
    static func speed(simulated: Double, since start: ContinuousClock.Instant) -> (wall: Double, rate: Double) {
        let wall = start.duration(to: .now)
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        return (seconds, seconds > 0 ? simulated / seconds : 0)
    }

    /// "3" gives 3 voters; "1+2" gives 1 voter and 2 learners. Nil for anything else.
    static func parseShape(_ text: String) -> (voters: Int, learners: Int)? {
        guard shapes.contains(text) else { return nil }
        let parts = text.split(separator: "+").compactMap { Int($0) }
        guard let voters = parts.first else { return nil }
        return (voters, parts.count > 1 ? parts[1] : 0)
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return String(rounded)
    }
}
