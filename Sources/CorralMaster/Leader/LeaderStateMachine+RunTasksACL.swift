import CorralModel
import CorralSecurity

extension LeaderStateMachine {
    /// The user a task runs as on a Corral agent: its command's user, else its executor's,
    /// else root (the agent does not switch to `FrameworkInfo.user`; it runs a task that names
    /// no user as itself, and agents run as root).
    static func effectiveUser(of task: TaskInfo, executor: ExecutorInfo?) -> String {
        for user in [task.command?.user, task.executor?.command?.user, executor?.command?.user] {
            if let user, !user.isEmpty { return user }
        }
        return "root"
    }

    /// Why the `run_tasks` ACL refuses `task`, or nil when it may run (always, without ACLs).
    /// A task that would run as root needs a rule that allows user root for the framework's
    /// principal; `permissive` never lets a task run as root.
    func runTasksRefusal(_ task: TaskInfo, executor: ExecutorInfo?, framework: FrameworkID, registry: Registry) -> String? {
        guard let acls else { return nil }
        let principal = registry.frameworks[framework]?.info.principal
        let user = Self.effectiveUser(of: task, executor: executor)
        let allowed = user == "root"
            ? acls.explicitlyAllows(.runTasks, principal: principal, object: user)
            : acls.allows(.runTasks, principal: principal, object: user)
        if allowed { return nil }
        let who = principal.map { "principal '\($0)'" } ?? "a framework without a principal"
        let rootNote = user == "root" ? " (root needs a run_tasks rule that allows it; permissive does not)" : ""
        return "task \(task.taskID) would run as user '\(user)', which the run_tasks ACL does not allow for \(who)\(rootNote)"
    }
}
