import CorralMetrics
import CorralModel
import CorralReplication

/// A master's figures, gathered once and given three ways: under Mesos's names for
/// `GET /metrics/snapshot` and the operator API's GET_METRICS (`mesosKeys`), and as the
/// registry gauges of `GET /metrics` (`write(to:)`). One source, so the three always agree.
///
/// The registry figures come from this replica's applied registry (every master has one);
/// what only the leader knows (connected agents and schedulers, outstanding offers,
/// subscribers) is given by the leader alone.
struct MasterFigures: Sendable {
    /// What only the leader knows; nil on a follower.
    struct LeaderFacts: Sendable {
        var connectedAgents: Int
        var connectedFrameworks: Int
        var outstandingOffers: Int
        var operatorSubscribers: Int
    }

    /// The scalar resources reported, in Mesos's order.
    static let resourceNames = ["cpus", "mem", "disk", "gpus"]
    /// Task states under their Mesos metric names (`master/tasks_<name>`).
    static let taskStates: [(name: String, state: TaskState)] = [
        ("staging", .staging), ("starting", .starting), ("running", .running), ("killing", .killing),
        ("finished", .finished), ("failed", .failed), ("killed", .killed), ("lost", .lost), ("error", .error),
        ("dropped", .dropped), ("unreachable", .unreachable), ("gone", .gone), ("gone_by_operator", .goneByOperator),
    ]

    var leader: LeaderFacts?
    var uptimeSeconds: Double
    var raft: RaftStatus
    /// Tasks the registry holds in each state: live ones, and ended ones it still remembers.
    var tasks: [TaskState: Int] = [:]
    /// Agents admitted and reachable; of them, those offered (`active`) and those
    /// deactivated or on a machine down for maintenance (`inactive`).
    var agentsActive = 0
    var agentsInactive = 0
    var agentsUnreachable = 0
    var frameworksActive = 0
    var frameworksInactive = 0
    var total: [String: Double] = [:]
    var used: [String: Double] = [:]

    init(registry: borrowing Registry, leader: LeaderFacts?, raft: RaftStatus, uptimeSeconds: Double) {
        self.leader = leader
        self.raft = raft
        self.uptimeSeconds = uptimeSeconds
        for task in registry.tasks.values { tasks[task.state, default: 0] += 1 }
        for task in registry.completedTasks.values { tasks[task.state, default: 0] += 1 }
        for agent in registry.agents.values {
            switch agent.state {
            case .active:
                if agent.isActive && !agent.deactivated { agentsActive += 1 } else { agentsInactive += 1 }
                let agentTotal = agent.total
                let agentUsed = registry.allocated(onAgent: agent.id)
                for name in Self.resourceNames {
                    total[name, default: 0] += agentTotal.scalar(named: name)?.value ?? 0
                    used[name, default: 0] += agentUsed.scalar(named: name)?.value ?? 0
                }
            case .unreachable: agentsUnreachable += 1
            case .gone: break
            }
        }
        for framework in registry.frameworks.values where !framework.isRemoved {
            if case .active = framework.state { frameworksActive += 1 } else { frameworksInactive += 1 }
        }
    }

    /// Admitted, reachable agents.
    var agentsAdmitted: Int { agentsActive + agentsInactive }

    /// The figures under Mesos's `/metrics/snapshot` names, plus Corral's `raft/…` keys.
    var mesosKeys: [(name: String, value: Double)] {
        var keys: [(String, Double)] = [("master/elected", leader == nil ? 0 : 1), ("master/uptime_secs", uptimeSeconds)]
        for (name, state) in Self.taskStates { keys.append(("master/tasks_\(name)", Double(tasks[state] ?? 0))) }
        keys += [
            ("master/slaves_active", Double(agentsActive)),
            ("master/slaves_inactive", Double(agentsInactive)),
            ("master/slaves_unreachable", Double(agentsUnreachable)),
            ("master/frameworks_active", Double(frameworksActive)),
            ("master/frameworks_inactive", Double(frameworksInactive)),
        ]
        if let leader {
            keys += [
                ("master/slaves_connected", Double(leader.connectedAgents)),
                ("master/slaves_disconnected", Double(max(0, agentsAdmitted - leader.connectedAgents))),
                ("master/frameworks_connected", Double(leader.connectedFrameworks)),
                ("master/frameworks_disconnected", Double(max(0, frameworksActive + frameworksInactive - leader.connectedFrameworks))),
                ("master/outstanding_offers", Double(leader.outstandingOffers)),
            ]
        }
        for name in Self.resourceNames {
            let total = self.total[name] ?? 0
            let used = self.used[name] ?? 0
            keys += [
                ("master/\(name)_total", total), ("master/\(name)_used", used),
                ("master/\(name)_percent", total > 0 ? used / total : 0),
            ]
        }
        keys += [
            ("raft/term", Double(raft.term)),
            ("raft/is_leader", raft.role == "leader" ? 1 : 0),
            ("raft/commit_index", Double(raft.commitIndex)),
            ("raft/applied_index", Double(raft.appliedIndex)),
            ("raft/last_index", Double(raft.lastIndex)),
            ("raft/max_follower_lag", Double(raft.followers.map(\.lag).max() ?? 0)),
        ]
        return keys
    }

    /// The same figures as `/metrics` gauges, with labels instead of one name each.
    func write(to text: inout MetricsText) {
        text.gauge("corral_master_elected", "1 if this master leads and runs the allocator, else 0.", leader == nil ? 0 : 1)
        text.gauge("corral_master_uptime_seconds", "How long this master has run.", uptimeSeconds)
        text.gauge(
            "corral_master_tasks", "Tasks in the registry by state (ended ones while the registry remembers them).",
            Self.taskStates.map { ([("state", $0.name)], Double(tasks[$0.state] ?? 0)) })
        var agents: [(labels: MetricsText.Labels, value: Double)] = [
            ([("state", "active")], Double(agentsActive)), ([("state", "inactive")], Double(agentsInactive)),
            ([("state", "unreachable")], Double(agentsUnreachable)),
        ]
        var frameworks: [(labels: MetricsText.Labels, value: Double)] = [
            ([("state", "active")], Double(frameworksActive)), ([("state", "inactive")], Double(frameworksInactive)),
        ]
        if let leader {
            agents.append(([("state", "connected")], Double(leader.connectedAgents)))
            frameworks.append(([("state", "connected")], Double(leader.connectedFrameworks)))
            text.gauge("corral_master_outstanding_offers", "Offers made and not yet answered (leader only).", Double(leader.outstandingOffers))
            text.gauge(
                "corral_master_subscribers", "Open subscription streams by API (leader only).",
                [([("api", "scheduler")], Double(leader.connectedFrameworks)), ([("api", "operator")], Double(leader.operatorSubscribers))])
        }
        text.gauge("corral_master_agents", "Agents by state (connected: leader only).", agents)
        text.gauge("corral_master_frameworks", "Frameworks by state (connected: leader only).", frameworks)
        text.gauge(
            "corral_master_resources_total", "Resources of the reachable agents.",
            Self.resourceNames.map { ([("resource", $0)], total[$0] ?? 0) })
        text.gauge(
            "corral_master_resources_used", "Resources the reachable agents' live tasks and executors hold.",
            Self.resourceNames.map { ([("resource", $0)], used[$0] ?? 0) })
    }
}
