import CorralModel
import Testing

@testable import CorralAgent

/// Tasks whose end was acknowledged leave the table for a bounded history, as mesos-agent keeps
/// completed tasks, executors and frameworks.
@Suite struct CompletedHistoryTests {
    /// Runs a task to TASK_FINISHED and acknowledges every update of it.
    private func runToCompletion(_ harness: inout AgentHarness, _ task: TaskInfo, framework: FrameworkID) {
        harness.send(AgentHarness.launch([task], term: 1, framework: framework))
        let key = AgentHarness.key(task.taskID.value, framework: framework)
        harness.step(.taskRunning(key, containerID: ContainerID("c-\(task.taskID.value)"), pid: 7))
        harness.step(.taskEnded(key, TaskEnd(state: .finished, reason: nil, message: "exit 0", exitStatus: 0)))
        while let next = harness.machine.updates.values.filter({ $0.key == key }).min(by: { $0.sequence < $1.sequence }) {
            harness.step(.callAnswered(uuid: next.uuid, .acknowledged))
        }
    }

    private func executorTask(_ id: String) -> TaskInfo {
        var task = AgentHarness.task(id, cpus: 0.1, mem: 16)
        task.command = nil
        task.executor = ExecutorInfo(executorID: "shared", command: CommandInfo(value: "./executor"))
        return task
    }

    @Test func acknowledgedTasksAreKeptWithTheirLastStatus() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        runToCompletion(&harness, AgentHarness.task("done"), framework: "f1")
        #expect(harness.machine.tasks.isEmpty)
        let kept = harness.machine.history.tasks
        #expect(kept.map(\.key) == [AgentHarness.key("done")])
        #expect(kept.first?.state == .finished)
        #expect(kept.first?.containerID == ContainerID("c-done"))
        // The history is for the views only: the key that guards against a second launch is apart.
        #expect(harness.machine.completed[AgentHarness.key("done")] != nil)
    }

    @Test func theOldestAreForgottenPastEachLimit() {
        var configuration = AgentConfiguration()
        configuration.completedHistory.tasksPerExecutor = 2
        configuration.completedHistory.executorsPerFramework = 2
        configuration.completedHistory.frameworks = 2
        var harness = AgentHarness(configuration: configuration)
        harness.startAndSubscribe()
        // Three tasks of one custom executor: the first is forgotten.
        for id in ["e1", "e2", "e3"] { runToCompletion(&harness, executorTask(id), framework: "f1") }
        let shared = harness.machine.history.frameworks.first?.executors.first { $0.id == "shared" }
        #expect(shared?.tasks.map(\.key.taskID) == ["e2", "e3"])
        // Three command tasks (one executor each) of another framework: two executors are kept.
        for id in ["c1", "c2", "c3"] { runToCompletion(&harness, AgentHarness.task(id), framework: "f2") }
        let f2 = harness.machine.history.frameworks.first { $0.id == "f2" }
        #expect(f2?.executors.map(\.id) == ["c2", "c3"])
        // A third framework: the least recently completed one (f1) is forgotten.
        runToCompletion(&harness, AgentHarness.task("z1"), framework: "f3")
        #expect(harness.machine.history.frameworks.map(\.id) == ["f2", "f3"])
    }
}
