import CorralModel

/// One LAUNCH or LAUNCH_GROUP operation of an ACCEPT, checked: the tasks that may be
/// committed, the refused ones with what is wrong, and what the offers and the ACCEPT's book
/// hold once the passed tasks are taken.
struct LaunchCheck {
    var passed: [TaskInfo]
    var failures: [(task: TaskInfo, why: String)]
    var book: AcceptBook
    var budget: Resources
}

extension LeaderStateMachine {
    /// Checks an operation's tasks against `budget` (what the ACCEPT's offers have left) and
    /// `book`, as Mesos's `Master::accept` validates a LAUNCH or LAUNCH_GROUP. A group's
    /// executor is checked and paid for once; a group launches whole or not at all.
    static func checkLaunch(
        _ tasks: [TaskInfo],
        group executor: ExecutorInfo?,
        framework id: FrameworkID,
        agent agentID: AgentID,
        book: AcceptBook,
        budget: Resources,
        registry: Registry
    ) -> LaunchCheck {
        var budget = budget
        var trial = book
        var (passed, failures) = check(
            tasks,
            group: executor,
            framework: id,
            agent: agentID,
            book: &trial,
            budget: &budget,
            registry: registry
        )
        if let executor, failures.isEmpty {
            if let why = checkGroupExecutor(executor)
                ?? checkExecutor(executor, framework: id, agent: agentID, book: trial, registry: registry)
            {
                failures = passed.map { ($0, why) }
            } else if trial.isNew(executor, framework: id, agent: agentID, registry: registry) {
                let need = Resources(executor.resources).unallocated
                if budget.contains(need) {
                    budget -= need
                    trial.take([], group: executor)
                } else {
                    failures = passed.map {
                        ($0, "the executor needs \(need), more than the offers have left (\(budget))")
                    }
                }
            }
        }
        if executor != nil, !failures.isEmpty {
            let why = failures.map(\.1).joined(separator: "; ")
            return LaunchCheck(passed: [], failures: tasks.map { ($0, why) }, book: book, budget: budget)
        }
        return LaunchCheck(
            passed: passed,
            failures: failures.map { (task: $0.0, why: $0.1) },
            book: trial,
            budget: budget
        )
    }

    /// Checks an operation's tasks in turn against what the offers have left and what the
    /// framework already runs (Mesos's `validation::task::validate`): the ones that pass are
    /// taken from `budget` and `book`, the others come back with what is wrong.
    private static func check(
        _ tasks: [TaskInfo],
        group: ExecutorInfo?,
        framework id: FrameworkID,
        agent agentID: AgentID,
        book: inout AcceptBook,
        budget: inout Resources,
        registry: Registry
    ) -> (passed: [TaskInfo], failures: [(TaskInfo, String)]) {
        var passed: [TaskInfo] = []
        var failures: [(TaskInfo, String)] = []
        for task in tasks {
            if let why = validate(
                task,
                framework: id,
                agent: agentID,
                book: book,
                inGroup: group != nil,
                registry: registry
            ) {
                failures.append((task, why))
                continue
            }
            var need = Resources(task.resources).unallocated
            if let executor = task.executor,
                book.isNew(executor, framework: id, agent: agentID, registry: registry)
            {
                need += Resources(executor.resources).unallocated
            }
            guard budget.contains(need) else {
                failures.append(
                    (task, "task \(task.taskID) needs \(need), more than the offers have left (\(budget))")
                )
                continue
            }
            budget -= need
            book.take([task], group: nil)
            passed.append(task)
        }
        return (passed, failures)
    }

    /// What is wrong with a task, or nil.
    private static func validate(
        _ task: TaskInfo,
        framework id: FrameworkID,
        agent agentID: AgentID,
        book: AcceptBook,
        inGroup: Bool,
        registry: Registry
    ) -> String? {
        let value = task.taskID.value
        if !task.taskID.namesADirectory {
            return
                "task ID \"\(value)\" is not valid: it must be non-empty and hold no '/' or NUL, nor be '.' or '..'"
        }
        if book.inUse.contains(task.taskID) { return "task ID \(value) is already in use" }
        if task.agentID != agentID {
            return "task \(value) names agent \(task.agentID), but the offers are on \(agentID)"
        }
        if task.resources.isEmpty { return "task \(value) uses no resources" }
        if let bad = Self.negative(task.resources) {
            return "task \(value) asks for a negative amount of \(bad)"
        }
        if inGroup {
            if task.executor != nil {
                return "task \(value) is in a group and must not have its own executor"
            }
        } else if (task.command == nil) == (task.executor == nil) {
            return "task \(value) must have exactly one of command and executor"
        }
        guard let executor = task.executor else { return nil }
        if let type = executor.type, type != .custom {
            return "task \(value): 'ExecutorInfo.type' must be 'CUSTOM' in a LAUNCH (it is \(type.rawValue))"
        }
        if executor.command == nil { return "task \(value): 'ExecutorInfo.command' must be set" }
        return checkExecutor(executor, framework: id, agent: agentID, book: book, registry: registry)
    }

    /// What is wrong with an executor, or nil: its framework, its resources, and whether it
    /// matches the executor of that ID already on the agent.
    private static func checkExecutor(
        _ executor: ExecutorInfo,
        framework id: FrameworkID,
        agent agentID: AgentID,
        book: AcceptBook,
        registry: Registry
    ) -> String? {
        let name = executor.executorID.value
        if name.isEmpty || name.contains("/") || name == "." || name == ".." {
            return "executor ID \"\(name)\" is not valid"
        }
        if let other = executor.frameworkID, other != id {
            return "executor \(name) names framework \(other), but the ACCEPT comes from \(id)"
        }
        if let bad = Self.negative(executor.resources) {
            return "executor \(name) asks for a negative amount of \(bad)"
        }
        if let existing = book.existing(
            executor.executorID,
            framework: id,
            agent: agentID,
            registry: registry
        ) {
            var mine = executor
            var theirs = existing
            mine.frameworkID = nil
            theirs.frameworkID = nil
            if mine != theirs {
                return "executor \(name) differs from the executor of that ID already on agent \(agentID); "
                    + "use a new executor ID or the same ExecutorInfo"
            }
        }
        return nil
    }

    /// What is wrong with a task group's executor, or nil (Mesos's `validateType`).
    private static func checkGroupExecutor(_ executor: ExecutorInfo) -> String? {
        switch executor.type {
        case nil: return "'ExecutorInfo.type' must be set for a task group's executor"
        case .default?:
            if executor.command != nil {
                return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor"
            }
        case .custom?:
            if executor.command == nil { return "'ExecutorInfo.command' must be set for 'CUSTOM' executor" }
        case let other?: return "executor type \(other.rawValue) is not known; use DEFAULT or CUSTOM"
        }
        return nil
    }

    private static func negative(_ resources: [Resource]) -> String? {
        resources.first { $0.type == .scalar && ($0.scalar ?? .zero) < .zero }?.name
    }

}
