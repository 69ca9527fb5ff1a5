import CorralModel
import Testing

@testable import CorralMaster

extension RegistryTests {
    // MARK: - Status updates and acknowledgements

    /// `standard()` with task `t1` of `f1` launched on `a1`.
    static func withTask() -> RegistryDriver {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        return driver
    }

    @Test("updates with a UUID wait in order for acknowledgement")
    func pendingInOrder() {
        var driver = Self.withTask()
        let changes = driver.accept(Fixture.update("f1", "t1", .starting, uuid: 1, at: 30))
        driver.accept(Fixture.update("f1", "t1", .running, uuid: 2, at: 31))
        guard let task = driver.task("f1", "t1") else {
            Issue.record("t1 is gone")
            return
        }
        #expect(changes.count == 1)
        #expect(task.state == .running)
        #expect(task.status.state == .running)
        #expect(task.pending.map(\.state) == [.starting, .running])
        #expect(task.pending.map(\.uuid) == [[0xAB, 1], [0xAB, 2]])
        #expect(task.pending.first?.agentID == "a1", "the agent is filled in")
        #expect(task.pending.first?.timestamp == 30e-9, "the time is filled in when missing")
    }

    @Test("an agent's update of a task that runs on another agent is refused and changes nothing")
    func updateFromAnotherAgent() {
        var driver = Self.withTask()
        driver.accept(.admitAgent(info: Fixture.agentInfo("a2"), atNanos: 2))
        var status = TaskStatus(taskID: TaskID("t1"), state: .running, source: .executor, uuid: [0xAB, 1])
        status.agentID = AgentID("a2")
        let (outcome, changes) = driver.apply(.statusUpdate(frameworkID: FrameworkID("f1"), status: status, atNanos: 30))
        #expect(outcome.error == "task \(Fixture.key("f1", "t1")) runs on agent a1, not on a2")
        #expect(changes.isEmpty)
        #expect(driver.task("f1", "t1")?.state == .staging)
        status.agentID = AgentID("a1")
        driver.accept(.statusUpdate(frameworkID: FrameworkID("f1"), status: status, atNanos: 31))
        #expect(driver.task("f1", "t1")?.state == .running)
    }

    @Test("an update sent again with the same UUID is ignored")
    func duplicateUUID() {
        var driver = Self.withTask()
        driver.accept(Fixture.update("f1", "t1", .running, uuid: 1))
        let before = driver.registry
        let (outcome, changes) = driver.apply(Fixture.update("f1", "t1", .running, uuid: 1))
        #expect(outcome.error == nil)
        #expect(changes.isEmpty)
        #expect(driver.task("f1", "t1")?.pending.count == 1)
        #expect(driver.registry.tasks == before.tasks)
        // Even after it was acknowledged.
        driver.accept(Fixture.ack("f1", "t1", uuid: [0xAB, 1]))
        #expect(driver.apply(Fixture.update("f1", "t1", .running, uuid: 1)).1.isEmpty)
        #expect(driver.task("f1", "t1")?.pending.isEmpty == true)
    }

    @Test("an update without a UUID changes the state but waits for no acknowledgement")
    func updateWithoutUUID() {
        var driver = Self.withTask()
        let changes = driver.accept(Fixture.update("f1", "t1", .running, uuid: nil))
        #expect(driver.task("f1", "t1")?.state == .running)
        #expect(driver.task("f1", "t1")?.pending.isEmpty == true)
        #expect(changes.count == 1)
        // A terminal one without a UUID completes the task at once.
        let ended = driver.accept(Fixture.update("f1", "t1", .failed, uuid: nil))
        guard case .taskCompleted(let task)? = ended.first else {
            Issue.record("expected taskCompleted, got \(ended)")
            return
        }
        #expect(task.state == .failed)
        #expect(driver.task("f1", "t1") == nil)
    }

    @Test("updates after a terminal one are ignored")
    func afterTerminal() {
        var driver = Self.withTask()
        driver.accept(Fixture.update("f1", "t1", .killed, uuid: 1))
        let (outcome, changes) = driver.apply(Fixture.update("f1", "t1", .running, uuid: 2))
        #expect(outcome.error != nil)
        #expect(changes.isEmpty)
        #expect(driver.task("f1", "t1")?.state == .killed)
        #expect(driver.task("f1", "t1")?.pending.map(\.state) == [.killed])
        #expect(driver.apply(Fixture.update("f1", "unknown", .running, uuid: 3)).0.error != nil)
    }

    @Test("acknowledging removes the update with that UUID; an unknown UUID is refused")
    func acknowledge() {
        var driver = Self.withTask()
        driver.accept(Fixture.update("f1", "t1", .starting, uuid: 1))
        driver.accept(Fixture.update("f1", "t1", .running, uuid: 2))
        driver.accept(Fixture.ack("f1", "t1", uuid: [0xAB, 1]))
        #expect(driver.task("f1", "t1")?.pending.map(\.uuid) == [[0xAB, 2]])
        let (outcome, changes) = driver.apply(Fixture.ack("f1", "t1", uuid: [0xAB, 1]))
        #expect(outcome.error != nil)
        #expect(changes.isEmpty)
        #expect(driver.apply(Fixture.ack("f2", "t1", uuid: [0xAB, 2])).0.error != nil, "the task is f1's")
        driver.accept(Fixture.ack("f1", "t1", uuid: [0xAB, 2]))
        #expect(driver.task("f1", "t1")?.pending.isEmpty == true)
        #expect(driver.task("f1", "t1")?.state == .running, "a running task stays when acknowledged")
    }

    @Test("a terminal task leaves the live set when all its updates are acknowledged")
    func completeWhenAcknowledged() {
        var driver = Self.withTask()
        driver.accept(Fixture.update("f1", "t1", .running, uuid: 1))
        driver.accept(Fixture.update("f1", "t1", .finished, uuid: 2))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 0, "a terminal task holds nothing")
        #expect(driver.task("f1", "t1")?.isTerminal == true)

        let first = driver.accept(Fixture.ack("f1", "t1", uuid: [0xAB, 2]))
        guard case .taskUpdated? = first.first else {
            Issue.record("expected taskUpdated while an update waits, got \(first)")
            return
        }
        #expect(driver.task("f1", "t1") != nil)

        let last = driver.accept(Fixture.ack("f1", "t1", uuid: [0xAB, 1]))
        guard case .taskCompleted(let task)? = last.first, last.count == 1 else {
            Issue.record("expected one taskCompleted, got \(last)")
            return
        }
        #expect(task.state == .finished)
        #expect(task.pending.isEmpty)
        #expect(driver.task("f1", "t1") == nil)
        #expect(driver.registry.completedTasks.values.map(\.key) == [Fixture.key("f1", "t1")])
        #expect(driver.registry.allocated(onAgent: "a1").isEmpty)
        // The task ID may be used again once the task has left.
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
    }

    @Test("completed tasks are kept up to the limit, oldest dropped first")
    func completedTasksBounded() {
        var driver = RegistryDriver.standard()
        let count = Registry.completedLimit + 5
        for n in 0..<count {
            driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t\(n)")]))
            driver.accept(Fixture.update("f1", "t\(n)", .finished, uuid: nil))
        }
        let completed = driver.registry.completedTasks
        #expect(completed.count == Registry.completedLimit)
        #expect(completed.keys.min() == 5)
        #expect(completed[5]?.key.taskID == "t5")
        #expect(completed[UInt64(count - 1)]?.key.taskID == TaskID("t\(count - 1)"))
        #expect(driver.registry.tasks.isEmpty)
    }
}
