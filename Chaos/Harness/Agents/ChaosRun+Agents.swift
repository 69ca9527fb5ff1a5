import CorralHistory
import CorralMaster
import CorralStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Scenario.Target {
    /// Agent and scheduler faults hit no master.
    public var hitsNoMaster: Bool { self == .agent || self == .scheduler }
}

/// The agents, the task workload and their watchers for one run (nothing when the scenario
/// has no agents): started after the masters, faulted by `agent` and `scheduler` steps,
/// wrapped up before the masters stop, and checked with the rest. Unchecked Sendable: its
/// variables are set before the faults fire and after the last one healed; while faults fire
/// (in two lanes, `ChaosRun.runLanes`) only `inject` runs, which reads `agents` and `workload`.
final class ChaosRunAgents: @unchecked Sendable {
    let scenario: Scenario
    let agents: ChaosAgents
    var workload: TaskWorkload?
    var watch: ClusterStateWatch?
    var samples: [StateSample] = []
    var final: MasterStateView?
    var runs: [TaskRun] = []
    var undrained = 0
    var endNanos: UInt64 = 0
    /// `kill-init` faults: the inits killed. After the drain: tasks still running though ended.
    var killedInits: [KilledInit] = []
    var lingering: [TaskRun] = []
    /// Agent `disk-full` faults: the agents' work directories' tmpfs mounts.
    var workDisks: DataDisks?

    /// A fault record names agent N as node 40 + N and scheduler N as node 60 + N, so that
    /// no master id is among its targets.
    static let schedulerNodeBase: UInt64 = 60

    /// `breaks`: deliberate defects the agents are started with (`agent-stale-term`).
    init(scenario: Scenario, binary: String, directory: String, cluster: ChaosCluster, breaks: [String] = []) {
        self.scenario = scenario
        var environment: [String: String] = [:]
        if let failpoints = scenario.agentFailpoints { environment[Failpoints.variable] = failpoints }
        if !breaks.isEmpty { environment[DeliberateBreak.variable] = breaks.joined(separator: ",") }
        agents = ChaosAgents(
            count: scenario.agents, binary: binary, directory: directory, network: cluster.network, masters: cluster.members.map(\.http),
            environment: environment)
    }

    var shape: TaskChecks.Shape {
        TaskChecks.Shape(
            agents: agents.ids.map(agents.hostname),
            schedulers: scenario.tasks.map { tasks in (1...tasks.schedulers).map { "chaos-tasks-\($0)" } } ?? [])
    }

    /// Starts every agent and waits until the leader lists them all as attached.
    func startAgents(_ cluster: ChaosCluster) throws(HarnessFailure) {
        try mountWorkDisks()
        for id in agents.ids { try agents.start(id) }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let state = ClusterStateWatch.finalState(cluster, seconds: 1) {
                let active = Set(state.slaves.filter { $0.active ?? false }.map(\.hostname))
                if shape.agents.allSatisfy(active.contains) { return }
            }
            usleep(200_000)
        }
        throw HarnessFailure("the agents did not all register within 30 s; see \(agents.logPath(1))")
    }

    /// Starts the state poll and the task workload on the run's clock.
    func startWorkload(_ cluster: ChaosCluster, seed: UInt64, clock: @escaping @Sendable () -> UInt64) throws(HarnessFailure) {
        watch = ClusterStateWatch(cluster: cluster, clock: clock)
        guard let tasks = scenario.tasks else { return }
        let workload = TaskWorkload(shape: tasks, masters: cluster.members.map(\.http), seed: seed, clock: clock)
        self.workload = workload
        try workload.start()
    }

    /// Fires an agent or scheduler fault when it is due and heals it after its time.
    func inject(
        _ planned: PlannedFault, run: ChaosRun, cluster: ChaosCluster, clock: @escaping @Sendable () -> UInt64,
        summary: inout ChaosSummary
    ) -> [FaultRecord] {
        run.sleep(until: UInt64(planned.atSeconds * 1e9), clock)
        guard let (leader, term) = cluster.leader(seconds: scenario.bounds.failoverLimitSeconds) else {
            summary.violations.append("liveness: no agreed leader within \(scenario.bounds.failoverLimitSeconds) s before fault \(planned)")
            return []
        }
        let id = planned.picks.first ?? 1
        if Self.isAgentFault(planned) {
            return agentFault(planned, id: id, leader: leader, term: term, run: run, cluster: cluster, clock: clock, summary: &summary)
        }
        let name = planned.target == .agent ? "agent \(id)" : "scheduler \(id)"
        let injected = clock()
        switch (planned.target, planned.kind) {
        case (.agent, .kill): agents.signal(id, SIGKILL)
        case (.agent, .stop): agents.signal(id, SIGTERM)
        case (.agent, .pause): agents.signal(id, SIGSTOP)
        default: workload?.drop(id)
        }
        run.say("chaos: \(ClientOperation.secondsText(injected)) \(planned.kind.rawValue) \(name)")
        run.sleep(until: injected + UInt64(planned.healAfterSeconds * 1e9), clock)
        do {
            switch (planned.target, planned.kind) {
            case (.agent, .pause): agents.signal(id, SIGCONT)
            case (.agent, _): try agents.start(id)
            default: try workload?.restart(id)
            }
        } catch {
            summary.violations.append("harness: \(error)")
        }
        let healed = clock()
        run.say("chaos: \(ClientOperation.secondsText(healed)) healed \(name)")
        summary.faults.append("\(planned) -> \(name)")
        let node = (planned.target == .agent ? Scenario.agentNodeBase : Self.schedulerNodeBase) + UInt64(id)
        return [
            FaultRecord(
                planned: planned, targets: [node], leaderBefore: leader, termBefore: term, injectedNanos: injected, healedNanos: healed,
                members: cluster.ids.count)
        ]
    }

    /// After the register workload: lets every launched task end, reads the leader's final
    /// state and the agents' sandboxes, and stops the schedulers, the poll and the agents.
    func wrapUp(_ cluster: ChaosCluster, clock: @Sendable () -> UInt64, say: (String) -> Void) {
        endNanos = clock()
        if let workload, let tasks = scenario.tasks { undrained = workload.drain(seconds: tasks.drainSeconds) }
        usleep(500_000)
        lingering = lingeringTasks(seconds: 10)
        final = settledState(cluster, seconds: 10)
        workload?.stop()
        samples = watch?.stop() ?? []
        for problem in agents.stopAll() { say("chaos: cleanup: \(problem)") }
        runs = agents.taskRuns()
        unmountWorkDisks()
    }

    deinit {
        // A run the harness gave up on: the agents were stopped first (`ChaosRun.run`'s defer).
        unmountWorkDisks()
    }

    /// The task checkers' findings, into `summary`.
    func check(records: [FaultRecord], views: [LeaderView], into summary: inout ChaosSummary) {
        summary.agents = scenario.agents
        summary.violations += TaskChecks.neverOverAllocated(samples)
        let reattach = TaskChecks.reattachments(records, views: views, samples: samples, shape: shape, endNanos: endNanos)
        summary.reattachSeconds = reattach.filter(\.afterLeaderFault).map { $0.nanos.map { Double($0) / 1e9 } }
        let measured = summary.reattachSeconds.compactMap { $0 }
        summary.reattachMedianSeconds = LeadershipCheck.median(measured)
        summary.reattachMaxSeconds = measured.max()
        for item in reattach {
            let record = records[item.fault]
            guard let nanos = item.nanos else {
                summary.violations.append("liveness: not every agent and scheduler re-attached after fault \(record.planned) by the end of the workload")
                continue
            }
            let seconds = Double(nanos) / 1e9
            if seconds > scenario.bounds.failoverLimitSeconds {
                summary.violations.append(
                    "liveness: re-attaching after fault \(record.planned) took \(String(format: "%.2f", seconds)) s, over the \(scenario.bounds.failoverLimitSeconds) s limit")
            } else if seconds > scenario.bounds.failoverTargetSeconds {
                summary.notes.append(
                    "re-attaching after \(record.planned) took \(String(format: "%.3f", seconds)) s, over the \(scenario.bounds.failoverTargetSeconds) s target")
            }
        }
        guard let workload else { return }
        let events = workload.log.all
        // A dropped scheduler must subscribe again itself: the master may not yet have seen
        // the old connection close, so its framework's `connected` alone proves nothing.
        for record in records where record.planned.target == .scheduler {
            let id = Int(record.targets.first ?? 0) - Int(Self.schedulerNodeBase)
            let dropped = Double(record.injectedNanos) / 1e9
            if !events.contains(where: { $0.type == "subscribed" && $0.scheduler == id && $0.time >= dropped }) {
                summary.violations.append("liveness: scheduler \(id) did not subscribe again after fault \(record.planned)")
            }
        }
        summary.tasks = Self.counts(events)
        if final == nil { summary.violations.append("liveness: the leader's final state could not be read") }
        if undrained > 0 {
            summary.violations.append("liveness: \(undrained) launched tasks had not ended \(scenario.tasks?.drainSeconds ?? 0) s after the workload")
        }
        summary.violations += TaskChecks.launchedOnce(runs, events: events)
        summary.violations += TaskChecks.oneTerminalState(events, final: final, runs: runs)
        summary.violations += TaskChecks.frameworksKept(events, final: final)
        summary.violations += TaskChecks.launchesCommitted(runs, final: final)
        summary.violations += TaskChecks.killsRequested(events)
        summary.violations += TaskChecks.committedUpdatesDelivered(agents.committedUpdates(), events: events, final: final)
        let terms = agents.ids.map { AgentTerms.parse(log: agents.log($0, from: 0), agent: $0) }
        summary.violations += terms.flatMap(\.violations)
        let replays = terms.map(\.replays).reduce(0, +)
        if replays > 0 { summary.notes.append("agent.stream.desync replayed \(replays) records of older terms on newer streams") }
        checkAgentFaults(records, events: events, into: &summary)
        if !events.contains(where: { $0.type == "status" && $0.state == "TASK_FINISHED" }) {
            summary.violations.append("liveness: no task finished at all")
        }
    }

    /// `launched 120 (accept failed 3), killed 20, ended: TASK_FINISHED 90, TASK_KILLED 20, ...`.
    static func counts(_ events: [TaskEvent]) -> String {
        let launched = events.filter { $0.type == "invoke" && $0.f == "launch" }.count
        let failed = events.filter { $0.type == "fail" && $0.f == "launch" }.count
        let kills = events.filter { $0.type == "invoke" && $0.f == "kill" }.count
        var ended: [String: Set<String>] = [:]
        for event in events where event.type == "status" {
            if let state = event.state, let task = event.task, MasterStateView.Task.isTerminal(state) { ended[state, default: []].insert(task) }
        }
        let states = ended.keys.sorted().map { "\($0) \(ended[$0]?.count ?? 0)" }.joined(separator: ", ")
        let subscriptions = events.filter { $0.type == "subscribed" }.count
        return "launched \(launched) (accept failed \(failed)), kills sent \(kills), subscriptions \(subscriptions), ended: \(states)"
    }

    /// `tasks.jsonl` (the task events), `cluster.jsonl` (the state polls), `task-runs.jsonl`.
    func writeReport(_ directory: String) throws(HarnessFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try lines(workload?.log.all ?? [], "\(directory)/tasks.jsonl", encoder)
            try lines(samples, "\(directory)/cluster.jsonl", encoder)
            try lines(runs, "\(directory)/task-runs.jsonl", encoder)
        } catch {
            throw HarnessFailure("cannot write the task report in \(directory): \(error)")
        }
    }

    private func lines<T: Encodable>(_ items: [T], _ path: String, _ encoder: JSONEncoder) throws {
        var data = Data()
        for item in items {
            data.append(try encoder.encode(item))
            data.append(0x0A)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
