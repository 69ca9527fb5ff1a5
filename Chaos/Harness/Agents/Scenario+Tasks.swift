import CorralStore
import TOMLKit

extension Scenario {
    /// The task workload (`[tasks]`): schedulers on the scheduler SDK launch short tasks on the
    /// agents, kill some and reconcile, alongside the register workload.
    public struct Tasks: Sendable, Hashable {
        /// Scheduler clients, each its own framework.
        public var schedulers: Int
        /// Tasks each scheduler keeps launched and not yet ended at most.
        public var concurrency: Int
        /// How long each task sleeps, drawn with the seed.
        public var taskSeconds: Window
        /// The share of tasks the scheduler kills while they run.
        public var killFraction: Double
        /// The frameworks' failover timeout: a scheduler fault must heal well within it.
        public var failoverTimeoutSeconds: Double
        /// After the workload, how long every launched task has to reach a terminal state.
        public var drainSeconds: Double
        /// How many of the schedulers (the first ones) declare the PARTITION_AWARE capability.
        public var partitionAware = 0

        public init(
            schedulers: Int = 1, concurrency: Int = 6, taskSeconds: Window = Window(0.2, 2), killFraction: Double = 0.2,
            failoverTimeoutSeconds: Double = 30, drainSeconds: Double = 20
        ) {
            self.schedulers = schedulers
            self.concurrency = concurrency
            self.taskSeconds = taskSeconds
            self.killFraction = killFraction
            self.failoverTimeoutSeconds = failoverTimeoutSeconds
            self.drainSeconds = drainSeconds
        }
    }

    /// Node ids of agents in the cluster's network: agent N is node 40 + N (127.0.0.(50+N) in
    /// the loopback fallback, 10.213.S.(50+N) in namespaces).
    public static let agentNodeBase: UInt64 = 40

    /// The network nodes of the run: the masters (spares included), then the agents.
    public var networkNodes: [UInt64] {
        Array(1...UInt64(masters + spareMasters)) + (agents > 0 ? (1...UInt64(agents)).map { Self.agentNodeBase + $0 } : [])
    }
}

extension ScenarioReader {
    /// `agents = N` and the `[tasks]` table; checks that agent and scheduler faults have
    /// something to hit.
    func agentsAndTasks(_ table: TOMLTable, into scenario: inout Scenario) throws(ScenarioError) {
        let agents = try int(table, "agents", in: "") ?? 0
        guard (0...8).contains(agents) else { throw fail("agents", "must be 0 to 8, not \(agents)") }
        scenario.agents = agents
        if let value = table["agent_failpoints"] {
            guard let text = value.string else { throw fail("agent_failpoints", "must be a string, e.g. \"agent.stream.desync=trigger\"") }
            guard agents > 0 else { throw fail("agent_failpoints", "needs agents; add agents = N at the top") }
            do { _ = try Failpoint.parse(text) } catch { throw fail("agent_failpoints", "\(error)") }
            scenario.agentFailpoints = text
        }
        if let value = table["tasks"] {
            guard let tasks = value.table else { throw fail("tasks", "must be a table [tasks]") }
            guard agents > 0 else { throw fail("tasks", "needs agents to run on; add agents = 2 (or more)") }
            scenario.tasks = try self.tasks(tasks)
        }
        scenario.scheduling = try masterScheduling(table["scheduling"])
        for (index, step) in scenario.faults.enumerated() {
            let field = "faults[\(index)]"
            switch step.target {
            case .agent:
                guard agents > 0 else { throw fail("\(field).target", "\"agent\" needs agents; add agents = N at the top") }
                try agentStep(step, field: field, scenario: scenario)
            case .scheduler:
                guard scenario.tasks != nil else { throw fail("\(field).target", "\"scheduler\" needs a [tasks] table") }
                guard step.kind == .kill else {
                    throw fail("\(field).kind", "a scheduler fault is \"kill\" (drop the client, subscribe again), not \"\(step.kind.rawValue)\"")
                }
                if let tasks = scenario.tasks, step.healAfter.high + 1 >= tasks.failoverTimeoutSeconds {
                    throw fail(
                        "\(field).heal_after",
                        "must end over a second before tasks.failover_timeout_seconds (\(tasks.failoverTimeoutSeconds) s)")
                }
            default: continue
            }
        }
    }

    private func tasks(_ table: TOMLTable) throws(ScenarioError) -> Scenario.Tasks {
        let field = "tasks"
        try onlyKeys(
            table,
            ["schedulers", "concurrency", "task_seconds", "kill_fraction", "failover_timeout_seconds", "drain_seconds", "partition_aware"],
            in: field)
        var tasks = Scenario.Tasks()
        if let schedulers = try int(table, "schedulers", in: field) {
            guard (1...4).contains(schedulers) else { throw fail("\(field).schedulers", "must be 1 to 4, not \(schedulers)") }
            tasks.schedulers = schedulers
        }
        if let concurrency = try int(table, "concurrency", in: field) {
            guard (1...32).contains(concurrency) else { throw fail("\(field).concurrency", "must be 1 to 32, not \(concurrency)") }
            tasks.concurrency = concurrency
        }
        if let seconds = try window(table, "task_seconds", in: field) {
            guard seconds.low >= 0.05, seconds.high <= 30 else {
                throw fail("\(field).task_seconds", "must lie within [0.05, 30] seconds, not \(seconds)")
            }
            tasks.taskSeconds = seconds
        }
        if let fraction = try number(table, "kill_fraction", in: field) {
            guard (0...1).contains(fraction) else { throw fail("\(field).kill_fraction", "must be 0 to 1, not \(fraction)") }
            tasks.killFraction = fraction
        }
        tasks.failoverTimeoutSeconds = try positive(table, "failover_timeout_seconds", in: field) ?? tasks.failoverTimeoutSeconds
        tasks.drainSeconds = try positive(table, "drain_seconds", in: field) ?? tasks.drainSeconds
        if let aware = try int(table, "partition_aware", in: field) {
            guard (0...tasks.schedulers).contains(aware) else {
                throw fail("\(field).partition_aware", "must be 0 to the number of schedulers (\(tasks.schedulers)), not \(aware)")
            }
            tasks.partitionAware = aware
        }
        return tasks
    }
}
