import CorralModel
import Testing

@testable import CorralMaster

extension RegistryTests {
    // MARK: - Launch

    @Test("a launch that fits adds staging tasks holding their resources")
    func launchFits() {
        var driver = RegistryDriver.standard()
        var task = Fixture.taskInfo("t1", on: "elsewhere", cpus: 1.5, mem: 100)
        task.name = "web"
        let changes = driver.accept(Fixture.launch("f1", [task, Fixture.taskInfo("t2")], at: 42))
        #expect(changes.count == 2)
        guard let record = driver.task("f1", "t1") else {
            Issue.record("t1 was not added")
            return
        }
        #expect(changes.first == .taskAdded(record))
        #expect(record.state == .staging)
        #expect(record.agentID == "a1")
        #expect(record.info.agentID == "a1", "the task's agent is the one launched on")
        #expect(record.role == "web")
        #expect(record.launchedAtNanos == 42)
        #expect(record.pending.isEmpty)
        let allocated = driver.registry.allocated(onAgent: "a1")
        #expect(allocated.cpus == 2.5)
        #expect(allocated.memMegabytes == 164)
        #expect(driver.registry.tasks(onAgent: "a1").map(\.key.taskID) == ["t1", "t2"])
        #expect(driver.registry.tasks(of: "f1").count == 2)
        #expect(driver.registry.tasks(of: "f2").isEmpty)
    }

    @Test("a task ID in use, or twice in one launch, is refused and nothing is launched")
    func duplicateTaskID() {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        let (outcome, changes) = driver.apply(
            Fixture.launch("f1", [Fixture.taskInfo("t2"), Fixture.taskInfo("t1")])
        )
        #expect(outcome.error != nil)
        #expect(outcome.reason == "REASON_TASK_INVALID")
        #expect(changes.isEmpty)
        #expect(driver.task("f1", "t2") == nil, "a refused launch adds none of its tasks")

        let (twice, _) = driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t3"), Fixture.taskInfo("t3")]))
        #expect(twice.reason == "REASON_TASK_INVALID")
        #expect(driver.task("f1", "t3") == nil)

        // Task IDs are per framework.
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("t1")]))
        #expect(driver.apply(Fixture.launch("f1", [])).0.reason == "REASON_TASK_INVALID")
    }

    @Test("never over-commit: once live tasks hold all the cpus, another launch is refused")
    func neverOverCommit() {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 3)]))
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("t2", cpus: 1)]))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 4)

        let (outcome, changes) = driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t3", cpus: 0.001)]))
        #expect(outcome.error != nil)
        #expect(outcome.reason == "REASON_INVALID_OFFERS")
        #expect(changes.isEmpty)
        #expect(driver.task("f1", "t3") == nil)

        // More than the agent has in one launch, or more memory than is left, is refused too.
        driver.accept(Fixture.update("f1", "t1", .finished, uuid: 1))
        #expect(
            driver.apply(Fixture.launch("f1", [Fixture.taskInfo("big", cpus: 3.001)])).0.reason
                == "REASON_INVALID_OFFERS"
        )
        #expect(
            driver.apply(Fixture.launch("f1", [Fixture.taskInfo("fat", cpus: 1, mem: 1024)])).0.reason
                == "REASON_INVALID_OFFERS"
        )
        // A terminal task (even unacknowledged) frees its resources.
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t4", cpus: 3)]))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 4)
    }

    @Test("launches on different agents do not share resources")
    func perAgent() {
        var driver = RegistryDriver.standard()
        driver.accept(.admitAgent(info: Fixture.agentInfo("a2", cpus: 2), atNanos: 2))
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 4)]))
        driver.accept(Fixture.launch("f1", on: "a2", [Fixture.taskInfo("t2", cpus: 2)]))
        #expect(
            driver.apply(Fixture.launch("f1", on: "a2", [Fixture.taskInfo("t3", cpus: 1)])).0.error != nil
        )
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a2")) == 2)
    }

    @Test("launching for an unknown framework or on an unknown agent is refused")
    func unknownFrameworkOrAgent() {
        var driver = RegistryDriver.standard()
        let (framework, none) = driver.apply(Fixture.launch("nobody", [Fixture.taskInfo("t1")]))
        #expect(framework.reason == "REASON_INVALID_FRAMEWORKID")
        #expect(none.isEmpty)
        let (agent, _) = driver.apply(Fixture.launch("f1", on: "a404", [Fixture.taskInfo("t1")]))
        #expect(agent.reason == "REASON_AGENT_UNKNOWN")
        #expect(driver.registry.tasks.isEmpty)
    }

    @Test("a task group's executor is counted once, and while it lives")
    func taskGroupExecutor() {
        var driver = RegistryDriver.standard()
        let executor = Fixture.executorInfo("e1", cpus: 1)
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("g1", cpus: 1)], executor: executor))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 2, "the task and its executor")
        // A second group on the same executor does not pay for it again.
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("g2", cpus: 1)], executor: executor))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 3)
        #expect(driver.task("f1", "g2")?.executor == executor)

        // 1 cpu is left: a new executor and its task (2 cpus) do not fit; a task alone does.
        let other = Fixture.executorInfo("e2", cpus: 1)
        let (outcome, _) = driver.apply(
            Fixture.launch("f1", [Fixture.taskInfo("g3", cpus: 1)], executor: other)
        )
        #expect(outcome.reason == "REASON_INVALID_OFFERS")
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("g3", cpus: 1)], executor: executor))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 4)
        #expect(driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 0.5)])).0.error != nil)
    }

    @Test("another framework's executor with the same ID does not pay for this one")
    func executorIDsArePerFramework() {
        var driver = RegistryDriver.standard()
        let executor = Fixture.executorInfo("e1", cpus: 1)
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("g1", cpus: 1)], executor: executor))
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("g1", cpus: 1)], executor: executor))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 4, "two executors and two tasks")
        #expect(driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 0.5)])).0.error != nil)
    }

    @Test("an executor's resources are freed when its last task ends")
    func executorFreedWithLastTask() {
        var driver = RegistryDriver.standard()
        let executor = Fixture.executorInfo("e1", cpus: 1)
        driver.accept(
            Fixture.launch(
                "f1",
                [Fixture.taskInfo("g1", cpus: 1), Fixture.taskInfo("g2", cpus: 1)],
                executor: executor
            )
        )
        driver.accept(Fixture.update("f1", "g1", .finished, uuid: nil))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 2)
        driver.accept(Fixture.update("f1", "g2", .finished, uuid: nil))
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 0)
    }
}
