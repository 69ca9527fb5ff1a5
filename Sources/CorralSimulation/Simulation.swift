/// A seeded, virtual-time simulation of a Raft cluster built from real `RaftNode`s.
///
/// One seed gives one run: every random choice comes from generators derived from
/// `config.seed`, one per concern. A run injects the configured faults for
/// `config.durationTicks`, then heals everything and requires the cluster to converge
/// within `config.livenessTicks`; the invariant checkers run after every step.
///
/// ```swift
/// let result = Simulation(config: SimulationConfig(seed: 42, nodes: 5, faults: .everything)).run()
/// print(result.summary)
/// ```
public struct Simulation: Sendable {
    /// The run's settings, seed included.
    public let config: SimulationConfig

    /// A simulation of `config`; nothing runs until `run()`.
    public init(config: SimulationConfig) {
        self.config = config
    }

    /// Runs the simulation to the end, or to the first violation.
    public func run() -> SimulationResult {
        SimulationEngine(config: config).run()
    }
}
