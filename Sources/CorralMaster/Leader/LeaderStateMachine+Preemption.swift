import CorralModel

extension LeaderStateMachine {
    /// After an allocation cycle: kills the tasks `Preemption.plan` picks to give starved
    /// quota roles what they lack (each with its own kill policy), at most once per task;
    /// the resources they free go to the starved roles first, held back for them by the
    /// allocator's quota headroom.
    mutating func preempt(in context: LeaderContext) -> [Action] {
        let registry = context.registry
        guard registry.quotas.values.contains(where: { !$0.guarantees.isEmpty }) else {
            preempting = []
            return []
        }
        preempting = preempting.filter { registry.tasks[$0].map { !$0.isTerminal } ?? false }
        var actions: [Action] = []
        for kill in Preemption.plan(registry, underWay: preempting) {
            preempting.insert(kill.task)
            actions.append(
                .log(
                    LogLine(
                        level: .notice, message: "preempting a task to meet quota guarantees",
                        metadata: [
                            "task": "\(kill.task)", "role": kill.role, "for_roles": kill.forRoles.joined(separator: ","),
                        ])))
            actions += self.kill(kill.task, policy: nil, in: context)
        }
        return actions
    }
}
