import CorralScheduler

/// One fault of a run's schedule: when it fires and heals, and the seeded choices that
/// decide which masters it hits once the leader is known.
public struct PlannedFault: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The scenario step (from 0) and its repetition (from 0).
    public var step: Int
    public var repetition: Int
    public var kind: Scenario.FaultKind
    public var target: Scenario.Target
    /// Seconds after the workload started.
    public var atSeconds: Double
    /// How long the fault lasts.
    public var healAfterSeconds: Double
    /// `random` and `rolling`: the master's id. `follower`: an index into the followers in id
    /// order. `majority`: the order in which followers join the leader. `replace` adds, last,
    /// the milliseconds between sending the removal and killing the leader.
    public var picks: [Int]
    /// Partitions: a seeded order of the other masters, which decides who joins the target's
    /// side (`split`) and which half each is in (`bridge`).
    public var grouping: [Int]
    /// `flap`: the partitions it toggles, in order.
    public var toggles: [Toggle]
    /// `clock-jump`: seconds the targets' wall clocks step.
    public var jumpSeconds: Double?
    /// Runs alongside the previous step (in the run's second lane).
    public var alongside = false

    /// One partition of a `flap` fault, aimed at a master chosen with the seed.
    public struct Toggle: Sendable, Hashable, Codable, CustomStringConvertible {
        /// `isolate`, `split`, `one-way` or `bridge`.
        public var kind: Scenario.FaultKind
        public var node: UInt64
        public var grouping: [Int]
        /// When it is cut, in seconds after the flap began, and how long it lasts.
        public var offsetSeconds: Double
        public var seconds: Double

        public var description: String { "\(kind.rawValue) m\(node) at +\(Int((offsetSeconds * 1000).rounded())) ms" }
    }

    public init(
        step: Int, repetition: Int, kind: Scenario.FaultKind, target: Scenario.Target, atSeconds: Double, healAfterSeconds: Double,
        picks: [Int], grouping: [Int] = [], toggles: [Toggle] = [], jumpSeconds: Double? = nil, alongside: Bool = false
    ) {
        self.jumpSeconds = jumpSeconds
        self.alongside = alongside
        self.step = step
        self.repetition = repetition
        self.kind = kind
        self.target = target
        self.atSeconds = atSeconds
        self.healAfterSeconds = healAfterSeconds
        self.picks = picks
        self.grouping = grouping
        self.toggles = toggles
    }

    /// The partition this fault cuts (not for `flap`, whose toggles each have their own),
    /// given the members and the leader now.
    public func partition(leader: UInt64, members: [UInt64]) -> Partition {
        guard let node = targets(leader: leader, members: members).first else { return .none }
        return Partition.shaped(kind, aimedAt: node, grouping: grouping, members: members)
    }

    /// The masters this fault hits, given the cluster's members and its leader now.
    public func targets(leader: UInt64, members: [UInt64]) -> [UInt64] {
        let followers = members.filter { $0 != leader }.sorted()
        switch target {
        case .leader: return [leader]
        case .follower: return followers.isEmpty ? [] : [followers[(picks.first ?? 0) % followers.count]]
        case .random, .rolling:
            // A pick that is no member now (a `replace` step removed it) stands for the member
            // in its place in id order.
            guard let pick = picks.first.map(UInt64.init), !members.isEmpty else { return [] }
            let sorted = members.sorted()
            return sorted.contains(pick) ? [pick] : [sorted[Int(pick - 1) % sorted.count]]
        case .all: return members.sorted()
        case .majority:
            let ordered = picks.filter { $0 < followers.count }.map { followers[$0] }
            return [leader] + ordered.prefix(members.count / 2)
        case .agent, .scheduler: return []
        }
    }

    public var description: String {
        let choice = [.random, .rolling, .agent, .scheduler].contains(target) && kind != .flap ? " \(picks.first ?? 0)" : ""
        let flaps = toggles.isEmpty ? "" : " (\(toggles.count) partitions)"
        let jump = jumpSeconds.map { " by \($0 > 0 ? "+" : "")\(Self.secondsText($0))" } ?? ""
        return "\(ms(atSeconds)) \(kind.rawValue)\(jump) \(target.rawValue)\(choice) for \(ms(healAfterSeconds))\(flaps)"
    }

    static func secondsText(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    private func ms(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded())) ms" }
}

/// The fault schedule of a run: a pure function of the scenario and the seed, so the same
/// seed replays the same faults at the same times against the same choice of masters.
public enum FaultSchedule {
    /// Every fault of `scenario` in firing order; faults never overlap (each heals before
    /// the next fires).
    public static func plan(_ scenario: Scenario, seed: UInt64) -> [PlannedFault] {
        var rng = SplitMix64(seed: seed ^ 0x4641_554C_5453_4348)
        var end = 0.0
        var previousStart = 0.0
        var plan: [PlannedFault] = []
        for (index, step) in scenario.faults.enumerated() {
            let rollingStart = Int.random(in: 0..<scenario.masters, using: &rng)
            var now = step.alongside ? previousStart : end
            for repetition in 0..<step.repeats {
                now += draw(repetition == 0 ? step.start : step.gap, &rng)
                if repetition == 0 { previousStart = now }
                let heal = draw(step.healAfter, &rng)
                var picks: [Int]
                switch step.target {
                case .leader, .all: picks = []
                case .follower: picks = [Int.random(in: 0..<(scenario.masters - 1), using: &rng)]
                case .random: picks = [Int.random(in: 1...scenario.masters, using: &rng)]
                case .rolling: picks = [(rollingStart + repetition) % scenario.masters + 1]
                case .majority: picks = Array(0..<(scenario.masters - 1)).shuffled(using: &rng)
                case .agent: picks = [Int.random(in: 1...max(1, scenario.agents), using: &rng)]
                case .scheduler: picks = [Int.random(in: 1...max(1, scenario.tasks?.schedulers ?? 1), using: &rng)]
                }
                if step.kind == .replace { picks.append(Int.random(in: 0...Scenario.replaceKillDelayMilliseconds, using: &rng)) }
                let others = Array(0..<(scenario.masters - 1))
                let grouping = step.kind.isPartition && step.kind != .flap ? others.shuffled(using: &rng) : []
                let toggles = step.kind == .flap ? flaps(lasting: heal, step.toggle, masters: scenario.masters, &rng) : []
                plan.append(PlannedFault(
                    step: index, repetition: repetition, kind: step.kind, target: step.target, atSeconds: now,
                    healAfterSeconds: heal, picks: picks, grouping: grouping, toggles: toggles,
                    jumpSeconds: step.jumpSeconds, alongside: step.alongside))
                now += heal + step.setupSeconds
            }
            end = max(end, now)
        }
        return plan
    }

    /// The partitions of one `flap` fault: cut, healed, cut... each spell drawn from `toggle`,
    /// the last partition ending by `seconds`; each a seeded shape on a seeded master.
    private static func flaps(lasting seconds: Double, _ toggle: Scenario.Window, masters: Int, _ rng: inout SplitMix64)
        -> [PlannedFault.Toggle]
    {
        let shapes: [Scenario.FaultKind] = [.isolate, .split, .oneWay, .bridge]
        var toggles: [PlannedFault.Toggle] = []
        var at = 0.0
        while at < seconds {
            let kind = shapes[Int.random(in: 0..<shapes.count, using: &rng)]
            let node = UInt64(Int.random(in: 1...masters, using: &rng))
            let grouping = Array(0..<(masters - 1)).shuffled(using: &rng)
            let lasts = min(draw(toggle, &rng), seconds - at)
            toggles.append(PlannedFault.Toggle(kind: kind, node: node, grouping: grouping, offsetSeconds: at, seconds: lasts))
            at += lasts + draw(toggle, &rng)
        }
        return toggles
    }

    /// A time in the window, to the millisecond.
    private static func draw(_ window: Scenario.Window, _ rng: inout SplitMix64) -> Double {
        let low = Int((window.low * 1000).rounded()), high = Int((window.high * 1000).rounded())
        return Double(low == high ? low : Int.random(in: low...high, using: &rng)) / 1000
    }
}
