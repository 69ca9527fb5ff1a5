import CorralModel

extension LeaderStateMachine {
    /// This master leads `term` and has caught up: the allocator (`fresh`) is rebuilt from
    /// the registry, the active agents get the election grace to reach it, the replicated
    /// clock starts, and schedulers that were connected to the old leader get the fail-over
    /// grace to come back.
    package mutating func elect(term: UInt64, allocator fresh: any Allocator, in context: LeaderContext)
        -> [Action]
    {
        let registry = context.registry
        self.term = term
        allocator = fresh
        for (role, weight) in registry.weights { allocator.setWeight(weight, role: role) }
        for quota in registry.quotas.values { applyQuota(quota) }
        quotaRoles = Set(registry.quotas.keys)
        var actions = step(
            .elected(activeAgents: registry.agents.values.filter(\.isActive).map(\.id)),
            in: context
        )
        replicatedClock.start(
            registry: registry.clockNanos,
            wall: context.wall,
            moved: context.clockMoved,
            at: context.now
        )
        actions.append(
            .log(
                LogLine(
                    level: .info,
                    message: "leading: serving schedulers and agents",
                    metadata: ["term": "\(term)"]
                )
            )
        )
        for framework in registry.liveFrameworks.sorted(by: { $0.id.value < $1.id.value })
        where framework.state == .active && schedulers[framework.id] == nil {
            let at = nanos(context)
            let deadline = at + max(framework.failoverTimeoutNanos, timing.frameworkGraceNanos)
            actions.append(
                .propose(.disconnectFramework(id: framework.id, atNanos: at, deadlineNanos: deadline))
            )
        }
        return actions
    }

    /// Leadership is lost: everything leader-local is forgotten (`fresh` is an empty allocator).
    package mutating func stepDown(allocator fresh: any Allocator, now: Instant) {
        replicatedClock.stop()
        _ = step(.steppedDown, now: now)
        allocator = fresh
    }
}
