import CorralModel

/// The checkers of the task workload, over `tasks.jsonl`, the agents' sandboxes, the polls of
/// the leader's state and its final state. Each returns its violations as sentences.
public enum TaskChecks {
    /// What the checks know of the cluster's shape.
    public struct Shape: Sendable {
        public var agents: [String]
        public var schedulers: [String]
        public init(agents: [String], schedulers: [String]) {
            self.agents = agents
            self.schedulers = schedulers
        }
    }

    /// No task ran twice: across every agent's sandboxes, each task's command started at most
    /// once, and only tasks a scheduler launched ran at all.
    public static func launchedOnce(_ runs: [TaskRun], events: [TaskEvent]) -> [String] {
        var violations: [String] = []
        let launched = Set(events.filter { $0.type == "invoke" && $0.f == "launch" }.compactMap(\.task))
        let byTask = Dictionary(grouping: runs.filter { $0.runs > 0 }, by: \.task)
        for task in byTask.keys.sorted() {
            let found = byTask[task] ?? []
            let total = found.reduce(0) { $0 + $1.runs }
            if total > 1 {
                let where_ = found.map { "agent \($0.agent) \($0.runs)x" }.joined(separator: ", ")
                violations.append("task \(task) was launched \(total) times (\(where_))")
            }
            if !launched.contains(task) { violations.append("task \(task) ran on agent \(found[0].agent), but no scheduler launched it") }
        }
        return violations
    }

    /// No framework was removed: the workload never tears one down, and its schedulers are
    /// never away for as long as their fail-over timeout, so every framework a scheduler
    /// subscribed is still registered at the end (a replicated clock that ran ahead, with a
    /// leader's wall clock that jumped, would have removed one whose scheduler was away).
    public static func frameworksKept(_ events: [TaskEvent], final: MasterStateView?) -> [String] {
        guard let final else { return [] }
        let registered = Set(final.frameworks.map(\.id))
        let removed = Set((final.completedFrameworks ?? []).map(\.id))
        var seen: [String: Int] = [:]
        for event in events where event.type == "subscribed" {
            if let framework = event.framework { seen[framework] = event.scheduler }
        }
        return seen.keys.sorted().compactMap { framework in
            guard !registered.contains(framework) else { return nil }
            let scheduler = seen[framework] ?? 0
            return removed.contains(framework)
                ? "framework \(framework) (scheduler \(scheduler)) was removed before the end, though its scheduler was never away for its fail-over timeout"
                : "framework \(framework) (scheduler \(scheduler)) is not in the leader's final state"
        }
    }

    /// Every launched task ended in exactly one terminal state as its scheduler saw it, and the
    /// registry agrees. A task no agent ran, the registry does not list and the master called
    /// TASK_UNKNOWN (or whose ACCEPT failed and that no status named) was not launched; one the
    /// master refused (TASK_DROPPED, TASK_LOST, TASK_ERROR from the master) never reaches the
    /// registry.
    public static func oneTerminalState(_ events: [TaskEvent], final: MasterStateView?, runs: [TaskRun]) -> [String] {
        var violations: [String] = []
        let registry = Dictionary(final?.allTasks.map { ($0.id, $0) } ?? [], uniquingKeysWith: { first, later in
            MasterStateView.Task.isTerminal(first.state) ? first : later
        })
        let ran = Set(runs.filter { $0.runs > 0 }.map(\.task))
        var order: [String] = []
        var accepted: [String: Bool] = [:]
        var statuses: [String: [TaskEvent]] = [:]
        for event in events {
            guard let task = event.task else { continue }
            if event.type == "invoke" && event.f == "launch" { order.append(task) }
            if event.f == "launch" && event.type == "ok" { accepted[task] = true }
            if event.f == "launch" && event.type == "fail" && accepted[task] == nil { accepted[task] = false }
            if event.type == "status" { statuses[task, default: []].append(event) }
        }
        for task in order {
            let seen = statuses[task] ?? []
            let terminal = seen.compactMap(\.state).filter(MasterStateView.Task.isTerminal)
            let distinct = terminal.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let heard = seen.contains { $0.state != TaskState.unknown.rawValue }
            if distinct.isEmpty {
                // Never launched: no agent ran it, the registry does not know it, and nothing but
                // a reconciliation's TASK_UNKNOWN was heard of it, after an ACCEPT that failed or
                // that was answered 202 (which, as in Mesos, promises no launch: a deposed
                // leader's refusal of it can be lost with its stream).
                let unknownToMaster = seen.contains { $0.state == TaskState.unknown.rawValue }
                let notListed = final.map { _ in registry[task] == nil } ?? true
                if !heard && !ran.contains(task) && notListed && (accepted[task] == false || unknownToMaster) { continue }
                let last = seen.last?.state ?? "no status at all"
                violations.append("task \(task) never reached a terminal state as its scheduler saw it (last: \(last))")
                continue
            }
            if distinct.count > 1 {
                violations.append("task \(task) ended in \(distinct.count) terminal states: \(distinct.joined(separator: " then "))")
                continue
            }
            guard final != nil else { continue }
            if let record = registry[task] {
                if record.state != distinct[0] {
                    violations.append("task \(task) ended \(distinct[0]) for its scheduler, but the registry says \(record.state)")
                }
            } else if !refusedByMaster(seen) {
                violations.append("task \(task) ended \(distinct[0]) for its scheduler, but the registry does not know it")
            }
        }
        return violations
    }

    /// A terminal update the master made itself for a launch it never committed.
    static func refusedByMaster(_ statuses: [TaskEvent]) -> Bool {
        statuses.contains {
            $0.source == TaskStatus.Source.master.rawValue
                && [TaskState.dropped.rawValue, TaskState.lost.rawValue, TaskState.error.rawValue].contains($0.state ?? "")
        }
    }

    /// No agent ever had more allocated than it has, in any poll of the leader's state.
    public static func neverOverAllocated(_ samples: [StateSample]) -> [String] {
        var violations: [String] = []
        var reported: Set<String> = []
        for sample in samples {
            for agent in sample.agents where !reported.contains(agent.hostname) {
                let cpus = (agent.used.cpus ?? 0) > (agent.total.cpus ?? 0) + 1e-6
                let mem = (agent.used.mem ?? 0) > (agent.total.mem ?? 0) + 1e-6
                guard cpus || mem else { continue }
                reported.insert(agent.hostname)
                violations.append(
                    "agent \(agent.hostname) had more allocated than it has at \(Double(sample.nanos) / 1e9) s (m\(sample.master)): "
                        + "cpus \(agent.used.cpus ?? 0) of \(agent.total.cpus ?? 0), mem \(agent.used.mem ?? 0) of \(agent.total.mem ?? 0)")
            }
        }
        return violations
    }

    /// Whether, in `sample`, every agent of `shape` is attached and every scheduler connected.
    static func allAttached(_ sample: StateSample, _ shape: Shape) -> Bool {
        let active = Set(sample.agents.filter(\.active).map(\.hostname))
        let connected = Set(sample.connected)
        return shape.agents.allSatisfy(active.contains) && shape.schedulers.allSatisfy(connected.contains)
    }

    /// One re-attach measurement: after a leader fault, from the first view of the new leader
    /// to the first poll of a leader in a later term that has every agent attached and every
    /// scheduler connected; after an agent or scheduler fault, from its heal. Nil: not before
    /// `endNanos` (the end of the workload).
    public struct Reattach: Sendable, Hashable {
        public var fault: Int
        public var afterLeaderFault: Bool
        public var nanos: UInt64?
        public init(fault: Int, afterLeaderFault: Bool, nanos: UInt64?) {
            self.fault = fault
            self.afterLeaderFault = afterLeaderFault
            self.nanos = nanos
        }
    }

    public static func reattachments(
        _ records: [FaultRecord], views: [LeaderView], samples: [StateSample], shape: Shape, endNanos: UInt64
    ) -> [Reattach] {
        var found: [Reattach] = []
        let failovers = Dictionary(LeadershipCheck.failovers(records, views: views).map { ($0.fault, $0.nanos) }, uniquingKeysWith: { a, _ in a })
        for (index, record) in records.enumerated() {
            let leaderFault = failovers[index] != nil
            let from: UInt64
            var laterTerm: UInt64 = 0
            if leaderFault {
                guard let elected = failovers[index] ?? nil else {
                    found.append(Reattach(fault: index, afterLeaderFault: true, nanos: nil))
                    continue
                }
                from = record.failoverFromNanos + elected
                laterTerm = record.termBefore + 1
            } else if [.agent, .scheduler].contains(record.planned.target) {
                from = record.healedNanos
            } else {
                continue
            }
            let first = samples.first { sample in
                guard sample.nanos >= from, sample.nanos <= endNanos, allAttached(sample, shape) else { return false }
                guard laterTerm > 0 else { return true }
                let latest = views.last { $0.master == sample.master && $0.nanos <= sample.nanos }
                return latest.map { $0.role == "leader" && $0.term >= laterTerm } ?? false
            }
            found.append(Reattach(fault: index, afterLeaderFault: leaderFault, nanos: first.map { $0.nanos - from }))
        }
        return found
    }
}

extension MasterStateView.Task {
    static func isTerminal(_ state: String) -> Bool { TaskState(rawValue: state).isTerminal }
}
