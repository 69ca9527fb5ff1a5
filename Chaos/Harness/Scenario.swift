/// A chaos scenario, read from a `Chaos/Scenarios/*.toml` file: the cluster, the workload
/// that runs against it, the faults injected while it runs and the bounds the checkers hold
/// it to.
public struct Scenario: Sendable, Hashable {
    /// A closed range of seconds; a value is drawn from it with the run's seed.
    public struct Window: Sendable, Hashable, CustomStringConvertible {
        public var low: Double
        public var high: Double

        public init(_ low: Double, _ high: Double) {
            self.low = low
            self.high = high
        }

        public var description: String { low == high ? "\(low) s" : "\(low)-\(high) s" }
    }

    /// What a fault does to each process it targets, and how it is healed.
    public enum FaultKind: String, Sendable, Hashable, CaseIterable, Codable {
        /// SIGKILL; healed by starting the master again on its data directory.
        case kill
        /// SIGTERM, waiting for the exit; healed by starting it again.
        case stop
        /// SIGSTOP; healed by SIGCONT.
        case pause
        /// Cuts the target off from every other master, both ways; healed by removing the rules.
        case isolate
        /// Cuts a minority (the target and enough seeded others: 1 of 3, 2 of 5) off from the
        /// majority, both ways.
        case split
        /// Drops what the target sends to every other master; what they send still arrives.
        case oneWay = "one-way"
        /// Splits the other masters into two seeded halves that cannot see each other; the
        /// target, the bridge, still sees both.
        case bridge
        /// For `heal_after` seconds, toggles seeded partitions (isolate, split, one-way or
        /// bridge, on seeded masters) on and off, each state lasting a time drawn from `toggle`.
        case flap
        /// Restarts the target with failpoints that slow its Raft log's fsync (see
        /// `FaultStep.failpoints`); healed by restarting it without them.
        case slowFsync = "slow-fsync"
        /// Fills the size-limited tmpfs the target's data directory is on; healed by freeing the
        /// space and restarting the target if it stopped.
        case diskFull = "disk-full"
        /// Sets the step's `links` fault (delay, jitter, loss, duplication, resets) on the peer
        /// links from and to the target (every link for `all`), through the harness's link
        /// proxies; healed by clearing it.
        case lossy
        /// Steps the target's wall clock by the step's `jump` seconds (ahead or back), as an
        /// NTP step would, through the offset file `corral` reads (`WallClock`); healed by
        /// stepping it back.
        case clockJump = "clock-jump"
        /// Replaces the target with a spare master: starts it with `--join`, adds it as a
        /// learner, promotes it once caught up, removes the target and SIGKILLs the leader
        /// just after the removal is sent (`ChaosRun+Membership.swift`); healed by starting
        /// the killed leader again unless it was the member removed.
        case replace
        /// SIGKILLs the init of every task container running on the target agent (`agent`
        /// only; `ChaosRun+AgentFaults.swift`); nothing to heal.
        case killInit = "kill-init"

        /// Whether the fault cuts network links (and so needs network namespaces).
        public var isPartition: Bool {
            switch self {
            case .kill, .stop, .pause, .slowFsync, .diskFull, .lossy, .clockJump, .replace, .killInit: false
            case .isolate, .split, .oneWay, .bridge, .flap: true
            }
        }

        /// Whether the fault is one of the disk faults (`ChaosRun+Disk.swift`).
        public var isDisk: Bool { self == .slowFsync || self == .diskFull }
    }

    /// Where the masters' addresses live.
    public enum Network: String, Sendable, Hashable, CaseIterable, Codable {
        /// Network namespaces when they can be made, otherwise the loopback fallback.
        case auto
        /// Network namespaces, or the run fails.
        case namespaces
        /// 127.0.0.(10+N) in the harness's own namespace (no partitions).
        case loopback
    }

    /// Which masters a fault hits; leader-relative targets are resolved when it fires.
    public enum Target: String, Sendable, Hashable, CaseIterable, Codable {
        /// The current leader.
        case leader
        /// One follower, chosen with the seed.
        case follower
        /// One master, chosen with the seed (it may be the leader).
        case random
        /// The leader and enough followers (chosen with the seed) to make a majority.
        case majority
        /// Every master.
        case all
        /// Master after master, one per repetition, from a start chosen with the seed.
        case rolling
        /// One agent, chosen with the seed (kill, stop, pause; kill-init, isolate, disk-full).
        case agent
        /// One scheduler of the task workload, chosen with the seed (kill only).
        case scheduler
    }

    /// One step of the fault schedule, repeated `repeats` times.
    public struct FaultStep: Sendable, Hashable {
        public var kind: FaultKind
        public var target: Target
        /// When the first repetition fires, in seconds after the previous step healed (the
        /// workload's start for the first step).
        public var start: Window
        /// How long the fault lasts before it is healed.
        public var healAfter: Window
        /// How many times the step runs.
        public var repeats: Int
        /// The pause between one repetition's heal and the next one.
        public var gap: Window
        /// `flap`: how long each partition, and each healed spell between two, lasts.
        public var toggle: Window
        /// `slow-fsync`: the `CORRAL_FAILPOINTS` value the target runs with while the fault lasts.
        public var failpoints: String?
        /// `lossy`: what the target's links do while the fault lasts (`LinkFault.parse`).
        public var links: String?
        /// `clock-jump`: how far the target's wall clock steps, in seconds (negative: back).
        public var jumpSeconds: Double?
        /// The step starts `start` seconds after the previous step's first fault fired, and
        /// runs alongside it, instead of after it healed.
        public var alongside = false

        public init(
            kind: FaultKind, target: Target, start: Window, healAfter: Window, repeats: Int = 1, gap: Window = Window(1, 2),
            toggle: Window = Window(0.2, 1), failpoints: String? = nil, links: String? = nil
        ) {
            self.links = links
            self.failpoints = failpoints
            self.kind = kind
            self.target = target
            self.start = start
            self.healAfter = healAfter
            self.repeats = repeats
            self.gap = gap
            self.toggle = toggle
        }
    }

    /// The register workload's shape.
    public struct Workload: Sendable, Hashable {
        public var clients: Int
        public var keys: [String]
        /// Roles whose weights are registers too, written with UPDATE_WEIGHTS and read with
        /// GET_WEIGHTS through the Operator API (`weight:ROLE` in the history).
        public var weightRoles: [String] = []
        /// Roles whose quotas (a mem limit) are registers too, written with UPDATE_QUOTA and
        /// read with GET_QUOTA (`quota:ROLE` in the history).
        public var quotaRoles: [String] = []
        /// Every register: the KV keys, the weight and the quota registers.
        public var registers: [String] {
            keys + weightRoles.map { RegisterClient.weightPrefix + $0 } + quotaRoles.map { RegisterClient.quotaPrefix + $0 }
        }
        /// How long a client waits for one answer before it records the outcome as unknown.
        public var requestTimeoutSeconds: Int

        public init(clients: Int = 6, keys: [String] = ["r0", "r1", "r2"], requestTimeoutSeconds: Int = 6) {
            self.clients = clients
            self.keys = keys
            self.requestTimeoutSeconds = requestTimeoutSeconds
        }
    }

    /// What the checkers require beyond linearizability and one leader per term.
    public struct Bounds: Sendable, Hashable {
        /// The fail-over target: a new leader within this long of a leader fault (reported).
        public var failoverTargetSeconds: Double
        /// A fault after which no new leader appears within this long is a liveness failure.
        public var failoverLimitSeconds: Double
        /// After the last heal, every master must apply the same index within this long.
        public var convergenceSeconds: Double

        public init(failoverTargetSeconds: Double = 1, failoverLimitSeconds: Double = 10, convergenceSeconds: Double = 20) {
            self.failoverTargetSeconds = failoverTargetSeconds
            self.failoverLimitSeconds = failoverLimitSeconds
            self.convergenceSeconds = convergenceSeconds
        }
    }

    /// The file's name without `.toml`, used in report paths.
    public var name: String
    public var description: String
    /// 3 or 5 masters.
    public var masters: Int
    /// Network namespaces, the loopback fallback, or whichever can be had.
    public var network: Network
    /// How long the workload runs; every fault is healed before it ends.
    public var durationSeconds: Double
    public var workload: Workload
    public var faults: [FaultStep]
    public var bounds: Bounds
    /// `corral agent` processes (`agents = N`), and the task workload that runs on them.
    public var agents = 0
    /// `agent_failpoints`: the agents' `CORRAL_FAILPOINTS` for the whole run (e.g. the
    /// `agent.stream.desync` fault).
    public var agentFailpoints: String?
    public var tasks: Tasks?
    /// The masters' `[scheduling]` settings for the run (agent heartbeats and timeout).
    public var scheduling = MasterScheduling()

    public init(
        name: String, description: String = "", masters: Int, network: Network = .auto, durationSeconds: Double,
        workload: Workload = Workload(), faults: [FaultStep], bounds: Bounds = Bounds()
    ) {
        self.name = name
        self.description = description
        self.masters = masters
        self.network = network
        self.durationSeconds = durationSeconds
        self.workload = workload
        self.faults = faults
        self.bounds = bounds
    }

    /// Whether a step cuts network links.
    public var hasPartitions: Bool { faults.contains { $0.kind.isPartition } }

    /// Whether a step fills a master's disk (the masters' data directories are then size-limited tmpfs mounts).
    public var hasDiskFull: Bool { faults.contains { $0.kind == .diskFull && $0.target != .agent } }

    /// Whether a step jumps a master's wall clock (the masters then read an offset file).
    public var hasClockJumps: Bool { faults.contains { $0.kind == .clockJump } }

    /// Whether a step makes peer links lossy (the masters then reach each other through `LinkProxies`).
    public var hasLinkFaults: Bool { faults.contains { $0.kind == .lossy } }

    /// The longest the fault schedule can take, from the workload's start to its last heal.
    public var longestSchedule: Double {
        var end = 0.0
        var previousStart = 0.0
        for step in faults {
            let start = (step.alongside ? previousStart : end) + step.start.high
            previousStart = start
            end = max(
                end,
                start + Double(step.repeats) * (step.healAfter.high + step.setupSeconds) + Double(step.repeats - 1) * step.gap.high)
        }
        return end
    }
}
