import CorralModel

// MARK: - Task groups: killed together
//
// As Mesos's default executor does: when a task of a group fails, is killed or is lost, and
// when the scheduler kills one of them, every other live task of that group is killed too
// (each with its own kill policy's grace period unless a grace is given); their ends come
// back as TASK_KILLED. A task that finishes does not touch its siblings.

extension AgentStateMachine {
    /// Kills every other live task of `task`'s group that is not being killed already.
    mutating func killGroup(of task: AgentTask, grace: Duration?, now: ContinuousClock.Instant) {
        guard let group = task.launch?.group, group.count > 1 else { return }
        for id in group where id != task.key.taskID {
            let key = TaskKey(task.key.frameworkID, id)
            guard let sibling = tasks[key], sibling.isLive, sibling.killGrace == nil else { continue }
            log(.notice, "killing a task with its group", ["task": "\(key)", "because_of": "\(task.key)"])
            killLive(sibling, grace: grace ?? killGrace(for: sibling, policy: nil), now: now)
        }
    }
}
