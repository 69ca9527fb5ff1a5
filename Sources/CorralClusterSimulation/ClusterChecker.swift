import CorralMaster
import CorralModel
import CorralRaft
import CorralSimulation

/// One broken promise, found at a virtual time.
public struct ClusterViolation: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Two leaders in one term.
        case electionSafety = "election-safety"
        /// Masters applied different commands at one index.
        case appliedLog = "applied-log"
        /// Outstanding offers name resources that are in use or offered elsewhere.
        case offers
        /// An agent ran more than it has.
        case overcommit
        /// A task was started twice.
        case launchedTwice = "launched-twice"
        /// An agent took a record of a deposed leader's term after hearing a newer term:
        /// it kept that stream, or launched or killed on its word.
        case staleTerm = "stale-term"
        /// A task was started before any master committed its launch.
        case uncommittedLaunch = "uncommitted-launch"
        /// A scheduler saw a task end twice differently, or run after it ended.
        case terminalState = "terminal-state"
        /// A framework was removed, though its scheduler was never away for its fail-over
        /// timeout (the workload never tears one down).
        case frameworkRemoved = "framework-removed"
        /// A status update the master acknowledged never reached its scheduler.
        case lostUpdate = "lost-update"
        /// The healed cluster did not finish the workload in time.
        case liveness
        /// A master could not start or stopped.
        case recovery
        /// A registry command did not decode to what its leader encoded.
        case codec
        /// The simulation itself went wrong.
        case workload
    }

    public var kind: Kind
    public var message: String
    public var timeMicros: UInt64

    public var description: String { "\(kind.rawValue) at \(Double(timeMicros) / 1e6) s: \(message)" }
}

/// The invariants, checked as the run goes.
struct ClusterChecker {
    var violations: [ClusterViolation] = []
    var now: UInt64 = 0
    var leaders: [UInt64: Int] = [:]
    var appliedHashes: [UInt64: UInt64] = [:]
    var committedLaunches: Set<TaskKey> = []
    var started: [TaskKey: Int] = [:]
    var frameworks: [FrameworkID: Int] = [:]
    var seenTerminal: [TaskKey: TaskState] = [:]
    var acknowledgedTerminal: [TaskKey: TaskState] = [:]
    /// Tasks whose terminal update (with a UUID) their scheduler was sent.
    var terminalUpdates: Set<TaskKey> = []
    var removedFrameworks: Set<FrameworkID> = []

    mutating func report(_ kind: ClusterViolation.Kind, _ message: String) {
        violations.append(ClusterViolation(kind: kind, message: message, timeMicros: now))
    }

    mutating func observeLeader(term: UInt64, master: Int) {
        if let other = leaders[term], other != master {
            report(.electionSafety, "m\(other + 1) and m\(master + 1) both lead term \(term)")
        }
        leaders[term] = master
    }


    mutating func observeApply(master: Int, entry: Entry) {
        var hash = StableHash()
        hash.combine(entry.term)
        if case .command(let bytes) = entry.payload { hash.combine(bytes) }
        let value = hash.value
        if let known = appliedHashes[entry.index], known != value {
            report(
                .appliedLog,
                "m\(master + 1) applied a different entry at index \(entry.index) than another master"
            )
        }
        appliedHashes[entry.index] = value
    }

    mutating func observeChange(_ change: RegistryChange) {
        switch change {
        case .taskAdded(let task):
            committedLaunches.insert(task.key)
        case .frameworkRemoved(let record, _):
            if removedFrameworks.insert(record.id).inserted {
                report(.frameworkRemoved, "framework \(record.id.value) was removed; no scheduler is ever away for its hour-long fail-over timeout")
            }
        default:
            break
        }
    }

    /// The leader's book of offers, after each of its steps: on every agent, what the offers
    /// name and what the registry's live tasks hold fit in what the agent has.
    mutating func checkOffers(_ offers: some Sequence<LiveOffer>, registry: Registry, master: Int) {
        var offered: [AgentID: Resources] = [:]
        for offer in offers { offered[offer.agentID, default: Resources()] += offer.resources.unallocated }
        for (agentID, named) in offered {
            guard let agent = registry.agents[agentID] else { continue }
            let held = registry.allocated(onAgent: agentID) + named
            if !agent.total.unallocated.contains(held) {
                report(
                    .offers,
                    "m\(master + 1)'s offers on \(agentID.value) name \(named) while its tasks hold \(registry.allocated(onAgent: agentID)) of \(agent.total)"
                )
            }
        }
    }

    mutating func observeContainerStart(
        _ key: TaskKey,
        agent: Int,
        cpus: Double,
        mem: Double,
        running: (cpus: Double, mem: Double)
    ) {
        if let other = started[key] {
            report(
                .launchedTwice,
                "\(key.taskID.value) started on a\(agent + 1), after a\(other + 1) had started it"
            )
        }
        started[key] = agent
        if !committedLaunches.contains(key) {
            report(
                .uncommittedLaunch,
                "\(key.taskID.value) started on a\(agent + 1) before any master committed its launch"
            )
        }
        if running.cpus + cpus > ClusterAgent.cpus + 1e-6 || running.mem + mem > ClusterAgent.mem + 1e-6 {
            report(
                .overcommit,
                "a\(agent + 1) started \(key.taskID.value) (\(cpus) cpus, \(mem) mem) while its containers held \(running.cpus) cpus, \(running.mem) mem"
            )
        }
    }

    mutating func observeFramework(_ id: FrameworkID, scheduler: Int) {
        frameworks[id] = scheduler
    }

    /// An update as the scheduler saw it. A task ends in one terminal state, whoever says
    /// so; and the acknowledged update stream (updates with a UUID) never goes back from a
    /// terminal update. An older update sent again after a reconciliation answered the
    /// terminal state is at-least-once delivery, as in Mesos, not a violation.
    mutating func observeUpdate(_ status: TaskStatus, scheduler: Int, frameworkID: FrameworkID?) {
        guard let frameworkID, status.state != .unknown else { return }
        let key = TaskKey(frameworkID, status.taskID)
        if status.state.isTerminal {
            if let ended = seenTerminal[key], ended != status.state {
                report(
                    .terminalState,
                    "f\(scheduler + 1) heard \(status.state.rawValue) for \(status.taskID.value) after \(ended.rawValue) (\(status.message ?? ""), source \(status.source?.rawValue ?? "-"))"
                )
            }
            seenTerminal[key] = status.state
            if status.uuid != nil { terminalUpdates.insert(key) }
        } else if status.uuid != nil, terminalUpdates.contains(key) {
            report(
                .terminalState,
                "f\(scheduler + 1) was sent \(status.state.rawValue) for \(status.taskID.value) after its terminal update \(seenTerminal[key]?.rawValue ?? "")"
            )
        } else if status.uuid == nil, let ended = seenTerminal[key] {
            report(
                .terminalState,
                "f\(scheduler + 1) was answered \(status.state.rawValue) for \(status.taskID.value) after \(ended.rawValue)"
            )
        }
    }

    /// The master acknowledged an agent's update: it is committed and must reach the scheduler.
    mutating func observeAcknowledged(_ key: TaskKey, state: TaskState) {
        if state.isTerminal { acknowledgedTerminal[key] = state }
    }

    /// At the end: every terminal update the masters acknowledged left its scheduler with a
    /// terminal state (the same, unless the task had already ended otherwise, as TASK_LOST
    /// for a framework that is not PARTITION_AWARE), and the registry and each scheduler
    /// agree on how every task ended.
    mutating func checkEnd(registry: Registry) {
        for (key, state) in acknowledgedTerminal.sorted(by: { $0.key < $1.key })
        where seenTerminal[key] == nil {
            report(
                .lostUpdate,
                "\(key.taskID.value) ended \(state.rawValue) (acknowledged to its agent), but its scheduler heard no terminal state"
            )
        }
        var recorded: [TaskKey: TaskRecord] = [:]
        for task in registry.completedTasks.values { recorded[task.key] = task }
        for task in registry.tasks.values { recorded[task.key] = task }
        for (key, task) in recorded.sorted(by: { $0.key < $1.key }) {
            guard let seen = seenTerminal[key], task.state != seen else { continue }
            report(
                .terminalState,
                "\(key.taskID.value) is \(task.state.rawValue) in the registry, but its scheduler heard \(seen.rawValue)"
            )
        }
    }
}
