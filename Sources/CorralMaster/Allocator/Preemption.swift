import CorralModel

/// Killing to reallocate: when a role below its quota guarantee cannot be given what it lacks
/// from free resources, the leader kills tasks of other roles to free it. A pure function of
/// the replicated registry (and of the kills already under way), so every leader decides
/// the same.
///
/// - A role is starved when it has a guarantee, an active framework of it (or of a sub-role)
///   is registered, and what its tasks hold is below the guarantee in some resource.
/// - What the starved roles lack, less what is free on active agents (unreserved, held by no
///   live task) and what kills under way will free, is the deficit, per resource name.
/// - Victims are live tasks on active agents of roles that are not starved, and never one
///   whose own role would fall below its guarantee without it. Their unreserved resources
///   are what killing them frees. They are taken in this order: tasks with revocable
///   resources first; then from the role with the largest dominant share of the cluster at
///   that point (a role's share falls as its tasks are taken, as DRF would have it; ties by
///   role name); within a role, the most recently launched first, then by framework and task
///   ID. A task is taken when it frees some resource still in deficit, until none is left.
enum Preemption {
    /// A task to kill, and the starved roles it is killed for.
    struct Kill: Equatable, Sendable {
        var task: TaskKey
        var role: String
        var forRoles: [String]
    }

    /// The scalar amounts of `resources` by name (cpus, mem, disk, gpus…), revocable ones left
    /// out: a starved role is owed firm resources.
    static func amounts(_ resources: Resources) -> [String: Double] {
        var amounts: [String: Double] = [:]
        for resource in resources where resource.type == .scalar && resource.revocable == nil {
            amounts[resource.name, default: 0] += resource.scalar?.value ?? 0
        }
        return amounts
    }

    /// Whether `role` is `quotaRole` or one of its sub-roles.
    static func counts(_ role: String, toward quotaRole: String) -> Bool {
        role == quotaRole || role.hasPrefix(quotaRole + "/")
    }

    /// The kills that would give the starved roles what they lack, given that the tasks in
    /// `underWay` are being killed already.
    static func plan(_ registry: Registry, underWay: Set<TaskKey> = []) -> [Kill] {
        let guarantees = registry.quotas.values.filter { !$0.guarantees.isEmpty }.sorted { $0.role < $1.role }
        guard !guarantees.isEmpty else { return [] }
        let activeAgents = Set(registry.agents.values.filter { $0.isActive && !$0.deactivated }.map(\.id))
        let live = registry.tasks.values.filter { !$0.isTerminal && activeAgents.contains($0.agentID) }
        var consumed: [String: [String: Double]] = [:]
        for task in live { add(amounts(task.resources), to: &consumed[task.role, default: [:]]) }
        func held(by quotaRole: String) -> [String: Double] {
            var total: [String: Double] = [:]
            for (role, amounts) in consumed where counts(role, toward: quotaRole) { add(amounts, to: &total) }
            return total
        }
        let wanting = registry.frameworks.values.filter { $0.state == .active }.flatMap(\.info.effectiveRoles)
        var starved: [String] = []
        var deficit: [String: Double] = [:]
        for quota in guarantees where wanting.contains(where: { counts($0, toward: quota.role) }) {
            let holds = held(by: quota.role)
            var lacking = false
            for (name, guaranteed) in quota.guarantees where guaranteed - (holds[name] ?? 0) > 1e-9 {
                deficit[name, default: 0] += guaranteed - (holds[name] ?? 0)
                lacking = true
            }
            if lacking { starved.append(quota.role) }
        }
        guard !starved.isEmpty else { return [] }
        // What is free now, or will be once the kills under way are done.
        var used: [AgentID: [String: Double]] = [:]
        for task in live { add(amounts(task.resources.unreserved), to: &used[task.agentID, default: [:]]) }
        var free: [String: Double] = [:]
        for id in activeAgents.sorted() {
            guard let agent = registry.agents[id] else { continue }
            var left = amounts(agent.total.unreserved)
            subtract(used[id] ?? [:], from: &left)
            add(left.mapValues { max(0, $0) }, to: &free)
        }
        for task in live where underWay.contains(task.key) { add(amounts(task.resources.unreserved), to: &free) }
        subtract(free, from: &deficit)
        guard deficit.values.contains(where: { $0 > 1e-9 }) else { return [] }

        var clusterTotal: [String: Double] = [:]
        for id in activeAgents { if let agent = registry.agents[id] { add(amounts(agent.total), to: &clusterTotal) } }
        func share(_ role: String) -> Double {
            (consumed[role] ?? [:]).reduce(0.0) { best, entry in
                guard let total = clusterTotal[entry.key], total > 0 else { return best }
                return max(best, entry.value / total)
            }
        }
        // Each role's candidates, best victim first: revocable, then newest, then by key.
        var queues: [String: [TaskRecord]] = [:]
        for task in live where !underWay.contains(task.key) && !starved.contains(where: { counts(task.role, toward: $0) }) {
            queues[task.role, default: []].append(task)
        }
        for role in queues.keys {
            queues[role]?.sort { a, b in
                let (ra, rb) = (isRevocable(a), isRevocable(b))
                if ra != rb { return ra }
                if a.launchedAtNanos != b.launchedAtNanos { return a.launchedAtNanos > b.launchedAtNanos }
                return a.key < b.key
            }
            queues[role]?.reverse()  // popLast takes the best
        }
        var kills: [Kill] = []
        while deficit.values.contains(where: { $0 > 1e-9 }) {
            // The next victim comes from the role whose head is revocable, else from the role
            // with the largest dominant share now (shares shrink as its tasks are taken).
            let next = queues.filter { !$0.value.isEmpty }.keys.max { a, b in
                let (ra, rb) = (isRevocable(queues[a]!.last!), isRevocable(queues[b]!.last!))
                if ra != rb { return !ra }
                let (sa, sb) = (share(a), share(b))
                if sa != sb { return sa < sb }
                return a > b
            }
            guard let role = next, let task = queues[role]?.popLast() else { break }
            let frees = amounts(task.resources.unreserved)
            guard frees.contains(where: { (deficit[$0.key] ?? 0) > 1e-9 && $0.value > 0 }) else { continue }
            // A role with a guarantee of its own keeps what it is guaranteed.
            let own = amounts(task.resources)
            let protected = guarantees.contains { quota in
                counts(task.role, toward: quota.role)
                    && quota.guarantees.contains { name, guaranteed in
                        (own[name] ?? 0) > 0 && (held(by: quota.role)[name] ?? 0) - (own[name] ?? 0) < guaranteed - 1e-9
                    }
            }
            if protected { continue }
            subtract(frees, from: &deficit)
            subtract(own, from: &consumed[task.role, default: [:]])
            kills.append(Kill(task: task.key, role: task.role, forRoles: starved))
        }
        return kills
    }

    private static func isRevocable(_ task: TaskRecord) -> Bool { task.resources.contains { $0.revocable != nil } }

    private static func add(_ amounts: [String: Double], to total: inout [String: Double]) {
        for (name, amount) in amounts { total[name, default: 0] += amount }
    }

    private static func subtract(_ amounts: [String: Double], from total: inout [String: Double]) {
        for (name, amount) in amounts where total[name] != nil { total[name, default: 0] -= amount }
    }
}
