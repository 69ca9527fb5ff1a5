import CorralModel
import CorralStore
import Testing

@testable import CorralMaster

extension RegistryTests {
    // MARK: - Agents

    @Test("an agent is admitted once; admitting its ID again is refused")
    func admitAgent() {
        var driver = RegistryDriver()
        let changes = driver.accept(.admitAgent(info: Fixture.agentInfo("a1"), atNanos: 3))
        guard case .agentAdded(let record)? = changes.first, changes.count == 1 else {
            Issue.record("expected one agentAdded, got \(changes)")
            return
        }
        #expect(record.id == "a1")
        #expect(record.isActive)
        #expect(record.registeredAtNanos == 3)
        #expect(record.total.cpus == 4)

        let (outcome, again) = driver.apply(.admitAgent(info: Fixture.agentInfo("a1", cpus: 64), atNanos: 4))
        #expect(outcome.error != nil)
        #expect(again.isEmpty)
        #expect(driver.registry.agents["a1"]?.total.cpus == 4, "the refused admission changed nothing")
    }

    /// `standard()` plus a running task of each framework on `a1`, and a staging one of `f1`.
    static func withRunningTasks() -> RegistryDriver {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("t2")]))
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("staged")]))
        driver.accept(Fixture.update("f1", "t1", .running, uuid: 1))
        driver.accept(Fixture.update("f2", "t2", .running, uuid: 2))
        driver.accept(Fixture.ack("f1", "t1", uuid: [0xAB, 1]))
        driver.accept(Fixture.ack("f2", "t2", uuid: [0xAB, 2]))
        return driver
    }

    @Test(
        "an unreachable agent's tasks are TASK_UNREACHABLE, told as TASK_LOST to frameworks not PARTITION_AWARE"
    )
    func agentUnreachable() {
        var driver = Self.withRunningTasks()
        let (outcome, changes) = driver.apply(.agentUnreachable(id: "a1", atNanos: 700))
        let index = driver.index
        #expect(outcome.error == nil)
        #expect(driver.registry.agents["a1"]?.state == .unreachable(sinceNanos: 700))

        let keys = [Fixture.key("f1", "staged"), Fixture.key("f1", "t1"), Fixture.key("f2", "t2")]
        for key in keys {
            #expect(driver.tasks[key]?.state == .unreachable, "\(key)")
            #expect(driver.tasks[key]?.status.reason == .agentDisconnected, "\(key)")
            #expect(driver.tasks[key]?.pending.count == 1, "\(key)")
        }
        // Not partition-aware: the update waiting for the scheduler says TASK_LOST.
        #expect(driver.task("f1", "t1")?.pending.first?.state == .lost)
        #expect(driver.task("f1", "staged")?.pending.first?.state == .lost)
        #expect(driver.task("f2", "t2")?.pending.first?.state == .unreachable)
        #expect(driver.task("f2", "t2")?.pending.first?.unreachableTime == DurationInfo(nanoseconds: 700))

        // UUIDs: the entry's index, then a counter, in task-key order.
        let uuids = keys.map { driver.tasks[$0]?.pending.first?.uuid }
        let expected = (1...3).map { BigEndianKey.encode(index) + BigEndianKey.encode(UInt64($0)) }
        #expect(uuids == expected)

        // Unreachable tasks still hold their resources: they may come back.
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 3)

        // The changes carry the records as stored (what the leader forwards).
        let reported = changes.compactMap { change -> TaskRecord? in
            if case .taskUpdated(let task) = change { return task }
            return nil
        }
        #expect(reported.map(\.key) == keys)
        for task in reported {
            #expect(task == driver.tasks[task.key], "the change for \(task.key) matches the registry")
        }

        // A second report of the same agent changes nothing.
        let (repeated, none) = driver.apply(.agentUnreachable(id: "a1", atNanos: 800))
        #expect(repeated.error == nil)
        #expect(none.isEmpty)
        #expect(driver.apply(.agentUnreachable(id: "nobody", atNanos: 800)).0.error != nil)
    }

    @Test("unreachable UUIDs are the same on every replica applying the same log")
    func unreachableUUIDsAreDeterministic() {
        var first = Self.withRunningTasks()
        var second = Self.withRunningTasks()
        first.apply(.agentUnreachable(id: "a1", atNanos: 700))
        second.apply(.agentUnreachable(id: "a1", atNanos: 700))
        #expect(first.registry == second.registry)
        #expect(first.task("f2", "t2")?.pending.first?.uuid == second.task("f2", "t2")?.pending.first?.uuid)
    }

    @Test("a launch on an unreachable agent is refused")
    func launchOnUnreachable() {
        var driver = RegistryDriver.standard()
        driver.accept(.agentUnreachable(id: "a1", atNanos: 5))
        let (outcome, changes) = driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        #expect(outcome.reason == "REASON_AGENT_UNKNOWN")
        #expect(changes.isEmpty)
        #expect(driver.apply(Fixture.launch("f1", on: "nobody", [Fixture.taskInfo("t1")])).0.error != nil)
    }

    @Test("re-registering brings reported tasks back; unreported ones are lost unless staging")
    func reregisterAfterUnreachable() {
        var driver = Self.withRunningTasks()
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("staging2")]))
        driver.accept(Fixture.update("f2", "t2", .finished, uuid: 3))  // ends before the partition
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("aware")]))
        driver.accept(Fixture.update("f2", "aware", .running, uuid: 4))
        driver.accept(Fixture.ack("f2", "aware", uuid: [0xAB, 4]))
        driver.accept(.agentUnreachable(id: "a1", atNanos: 700))
        // Acknowledge the unreachable updates so only the re-registration's updates wait.
        for task in driver.registry.tasks(onAgent: "a1") {
            for update in task.pending where update.state != .finished {
                driver.accept(
                    Fixture.ack(task.key.frameworkID.value, task.key.taskID.value, uuid: update.uuid ?? [])
                )
            }
        }

        let reported = [
            ReportedTask(frameworkID: "f1", status: TaskStatus(taskID: "t1", state: .running)),
            ReportedTask(frameworkID: "f2", status: TaskStatus(taskID: "aware", state: .running)),
        ]
        let (outcome, changes) = driver.apply(
            .reregisterAgent(info: Fixture.agentInfo("a1"), reported: reported, atNanos: 900)
        )
        #expect(outcome.error == nil)
        #expect(driver.registry.agents["a1"]?.state == .active)
        if let agent = driver.registry.agents["a1"] {
            #expect(changes.first == .agentUpdated(agent))
        }

        // PARTITION_AWARE: the task comes back running.
        #expect(driver.task("f2", "aware")?.state == .running)
        #expect(driver.task("f2", "aware")?.pending.last?.state == .running)
        #expect(driver.task("f2", "aware")?.pending.last?.reason == .agentReregistered)
        // Not partition-aware: the framework was told TASK_LOST, so the task is over (the
        // leader kills it on the agent) and no second update is queued.
        #expect(driver.task("f1", "t1") == nil)
        #expect(driver.registry.completedTasks.values.contains { $0.key == Fixture.key("f1", "t1") && $0.state == .lost })
        // Staging before the partition, unreachable during it, unreported after it: lost.
        #expect(driver.task("f1", "staged")?.state == .lost)
        #expect(driver.task("f1", "staged")?.pending.last?.reason == .agentRestarted)
        // Staging as well before the partition, so also lost.
        #expect(driver.task("f2", "staging2")?.state == .lost)
        // Already terminal before the partition: untouched.
        #expect(driver.task("f2", "t2")?.state == .finished)
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 1)

        let uuids = driver.registry.tasks.values.flatMap(\.pending).compactMap(\.uuid)
        #expect(Set(uuids).count == uuids.count, "every pending update has its own UUID")
    }

    @Test("re-registering an active agent: unreported running tasks are lost, staging ones stay")
    func reregisterWhileActive() {
        var driver = Self.withRunningTasks()
        let reported = [ReportedTask(frameworkID: "f2", status: TaskStatus(taskID: "t2", state: .running))]
        driver.accept(.reregisterAgent(info: Fixture.agentInfo("a1"), reported: reported, atNanos: 900))
        #expect(driver.task("f1", "staged")?.state == .staging)
        #expect(driver.task("f1", "staged")?.pending.isEmpty == true)
        #expect(driver.task("f1", "t1")?.state == .lost)
        #expect(driver.task("f1", "t1")?.pending.last?.uuid?.count == 16)
        #expect(driver.task("f2", "t2")?.state == .running)
        #expect(driver.task("f2", "t2")?.pending.isEmpty == true, "a task still running needs no update")
    }

    @Test("re-registering an unknown agent is refused")
    func reregisterUnknown() {
        var driver = RegistryDriver()
        let (outcome, changes) = driver.apply(
            .reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 1)
        )
        #expect(outcome.reason == "REASON_AGENT_UNKNOWN")
        #expect(changes.isEmpty)
    }

    @Test("marking an agent gone ends its tasks as TASK_GONE_BY_OPERATOR and refuses its return")
    func markGone() {
        var driver = Self.withRunningTasks()
        driver.accept(.agentUnreachable(id: "a1", atNanos: 700))
        driver.accept(.markAgentGone(id: "a1", atNanos: 800))
        #expect(driver.registry.agents["a1"]?.state == .gone(atNanos: 800))
        for task in driver.registry.tasks(onAgent: "a1") {
            #expect(task.state == .goneByOperator, "\(task.key)")
            #expect(task.pending.last?.state == .goneByOperator, "\(task.key)")
            #expect(task.pending.last?.reason == .agentRemovedByOperator, "\(task.key)")
        }
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 0)

        let (outcome, changes) = driver.apply(
            .reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 900)
        )
        #expect(outcome.reason == "REASON_AGENT_REMOVED_BY_OPERATOR")
        #expect(changes.isEmpty)
        #expect(driver.registry.agents["a1"]?.state == .gone(atNanos: 800))
        #expect(
            driver.apply(.markAgentGone(id: "a1", atNanos: 950)).1.isEmpty,
            "marking it again changes nothing"
        )
        #expect(
            driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t9")])).0.reason == "REASON_AGENT_UNKNOWN"
        )
    }
}
