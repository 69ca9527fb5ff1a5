extension Scenario {
    /// How much longer than its `heal_after` a `replace` step may take: starting the spare,
    /// adding it, its catching up, the promotion, the removal and the election after the kill.
    /// The schedule leaves this much room after each repetition.
    public static let replaceSetupSeconds = 6.0
    /// A `replace` step kills the leader a seeded 0 to this many milliseconds after it sent
    /// the removal.
    public static let replaceKillDelayMilliseconds = 100
    /// At most this many spares (repetitions of `replace` steps) in one scenario.
    public static let maxSpareMasters = 6

    /// The spare masters the run needs: one per repetition of a `replace` step, ids after the
    /// founders'.
    public var spareMasters: Int { faults.filter { $0.kind == .replace }.reduce(0) { $0 + $1.repeats } }
}

extension Scenario.FaultStep {
    /// The room the schedule leaves after each repetition beyond `healAfter` (`replace` only).
    public var setupSeconds: Double { kind == .replace ? Scenario.replaceSetupSeconds : 0 }
}

extension ScenarioReader {
    /// A `replace` step removes one master: the leader, a follower or a random one.
    func replaceTarget(_ target: Scenario.Target, field: String) throws(ScenarioError) {
        guard [.leader, .follower, .random].contains(target) else {
            throw fail(
                "\(field).target", "\"replace\" removes one master; use \"leader\", \"follower\" or \"random\", not \"\(target.rawValue)\"")
        }
    }

    /// Spares have no link proxies and no size-limited data disk, so `replace` does not mix
    /// with `lossy` or `disk-full` steps; and there are at most `Scenario.maxSpareMasters`.
    func checkReplace(_ scenario: Scenario) throws(ScenarioError) {
        guard let index = scenario.faults.firstIndex(where: { $0.kind == .replace }) else { return }
        if let other = scenario.faults.firstIndex(where: { $0.kind == .lossy || $0.kind == .diskFull }) {
            throw fail(
                "faults[\(other)].kind",
                "\"\(scenario.faults[other].kind.rawValue)\" cannot run in a scenario with a \"replace\" step (faults[\(index)]): "
                    + "the spare masters have no link proxies or data disk; put it in a scenario of its own")
        }
        guard scenario.spareMasters <= Scenario.maxSpareMasters else {
            throw fail(
                "faults[\(index)].repeat",
                "the \"replace\" steps need \(scenario.spareMasters) spare masters, at most \(Scenario.maxSpareMasters) are possible")
        }
    }
}
