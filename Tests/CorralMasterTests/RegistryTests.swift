import CorralModel
import Testing

@testable import CorralMaster

/// The registry as a pure value: frameworks and the replicated clock here; agents, tasks and
/// determinism in the `RegistryTests+…` files.
@Suite struct RegistryTests {
    // MARK: - Frameworks

    @Test("subscribing adds a framework; subscribing again updates it")
    func subscribeAndResubscribe() {
        var driver = RegistryDriver()
        let added = driver.accept(.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 5))
        guard case .frameworkAdded(let record)? = added.first, added.count == 1 else {
            Issue.record("expected one frameworkAdded, got \(added)")
            return
        }
        #expect(record.id == "f1")
        #expect(record.state == .active)
        #expect(record.registeredAtNanos == 5)

        var renamed = Fixture.frameworkInfo("f1")
        renamed.name = "renamed"
        let again = driver.accept(.subscribeFramework(info: renamed, atNanos: 9))
        guard case .frameworkUpdated(let updated)? = again.first, again.count == 1 else {
            Issue.record("expected one frameworkUpdated, got \(again)")
            return
        }
        #expect(updated.info.name == "renamed")
        #expect(updated.registeredAtNanos == 5, "re-subscribing keeps the first registration time")
        #expect(driver.registry.frameworks.count == 1)
        #expect(driver.registry.liveFrameworks.map(\.id) == ["f1"])
    }

    @Test("subscribing without an ID is refused")
    func subscribeWithoutID() {
        var driver = RegistryDriver()
        var info = Fixture.frameworkInfo("f1")
        info.id = nil
        let (outcome, changes) = driver.apply(.subscribeFramework(info: info, atNanos: 1))
        #expect(outcome.error != nil)
        #expect(changes.isEmpty)
        #expect(driver.registry.frameworks.isEmpty)
    }

    @Test("a disconnected framework survives ticks before its deadline and is removed at it")
    func disconnectDeadline() {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1"), Fixture.taskInfo("t2")]))
        driver.accept(Fixture.update("f1", "t2", .finished, uuid: 1))
        driver.accept(.disconnectFramework(id: "f1", atNanos: 100, deadlineNanos: 200))
        #expect(driver.registry.frameworks["f1"]?.state == .disconnected(sinceNanos: 100, deadlineNanos: 200))

        let early = driver.accept(.tick(atNanos: 199))
        #expect(early.isEmpty)
        #expect(driver.registry.frameworks["f1"] != nil)
        #expect(driver.registry.clockNanos == 199)

        let removal = driver.accept(.tick(atNanos: 200))
        guard case .frameworkRemoved(let record, let killed)? = removal.first, removal.count == 1 else {
            Issue.record("expected one frameworkRemoved, got \(removal)")
            return
        }
        #expect(record.id == "f1")
        #expect(record.state == .removed(atNanos: 200))
        #expect(killed.map(\.key.taskID) == ["t1"], "only the task still running is killed")
        #expect(driver.registry.frameworks["f1"] == nil)
        #expect(driver.registry.completedFrameworks["f1"]?.state == .removed(atNanos: 200))
        #expect(driver.registry.tasks(of: "f1").isEmpty)
        #expect(Fixture.cpus(driver.registry.allocated(onAgent: "a1")) == 0)

        let completed = driver.registry.completedTasks.values.sorted { $0.key < $1.key }
        #expect(completed.map(\.key.taskID) == ["t1", "t2"])
        #expect(completed.map(\.state) == [.killed, .finished])
        #expect(completed.first?.status.reason == .frameworkRemoved)
        #expect(completed.allSatisfy { $0.pending.isEmpty })
        #expect(driver.registry.frameworks["f2"] != nil, "other frameworks are untouched")
    }

    @Test("a tick past the deadline removes a framework too")
    func tickAfterDeadline() {
        var driver = RegistryDriver.standard()
        driver.accept(.disconnectFramework(id: "f1", atNanos: 100, deadlineNanos: 200))
        let changes = driver.accept(.tick(atNanos: 5_000))
        #expect(changes.count == 1)
        #expect(driver.registry.completedFrameworks["f1"]?.state == .removed(atNanos: 5_000))
    }

    @Test("subscribing again before the deadline makes the framework active and keeps its tasks")
    func resubscribeBeforeDeadline() {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        driver.accept(.disconnectFramework(id: "f1", atNanos: 100, deadlineNanos: 200))
        driver.accept(.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 150))
        #expect(driver.registry.frameworks["f1"]?.state == .active)
        #expect(driver.accept(.tick(atNanos: 1_000)).isEmpty)
        #expect(driver.task("f1", "t1") != nil)
    }

    @Test("a removed framework cannot subscribe again with its ID")
    func subscribeAfterRemoval() {
        var driver = RegistryDriver.standard()
        driver.accept(.removeFramework(id: "f1", atNanos: 50))
        let (outcome, changes) = driver.apply(
            .subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 60)
        )
        #expect(outcome.error != nil)
        #expect(changes.isEmpty)
        #expect(driver.registry.frameworks["f1"] == nil)
        let (update, _) = driver.apply(.updateFramework(info: Fixture.frameworkInfo("f1"), atNanos: 61))
        #expect(update.error != nil)
        let (launch, _) = driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        #expect(launch.reason == "REASON_INVALID_FRAMEWORKID")
    }

    @Test("removing an unknown framework is refused")
    func removeUnknown() {
        var driver = RegistryDriver.standard()
        let (outcome, changes) = driver.apply(.removeFramework(id: "nobody", atNanos: 5))
        #expect(outcome.error != nil)
        #expect(changes.isEmpty)
    }

    @Test("removed frameworks are kept up to the limit, the earliest removed leaving first")
    func completedFrameworksBounded() {
        var driver = RegistryDriver()
        let count = Registry.completedLimit + 1
        for n in 0..<count {
            let id = "f\(n)"
            driver.accept(.subscribeFramework(info: Fixture.frameworkInfo(id), atNanos: 1))
            driver.accept(.removeFramework(id: FrameworkID(id), atNanos: 10 + UInt64(n)))
        }
        #expect(driver.registry.completedFrameworks.count == Registry.completedLimit)
        #expect(driver.registry.completedFrameworks["f0"] == nil, "the earliest removed is dropped")
        let last = FrameworkID("f\(count - 1)")
        #expect(driver.registry.completedFrameworks[last] != nil, "the latest removed is kept")
        let (outcome, _) = driver.apply(
            .subscribeFramework(info: Fixture.frameworkInfo(last.value), atNanos: 99_999)
        )
        #expect(outcome.error != nil)
    }

    // MARK: - Clock

    @Test("the clock is the largest time applied; an earlier time never moves it back")
    func clockIsMonotonic() {
        var driver = RegistryDriver.standard()
        driver.accept(.tick(atNanos: 500))
        #expect(driver.registry.clockNanos == 500)
        driver.accept(.tick(atNanos: 300))
        #expect(driver.registry.clockNanos == 500)
        driver.accept(.subscribeFramework(info: Fixture.frameworkInfo("f3"), atNanos: 400))
        driver.accept(.admitAgent(info: Fixture.agentInfo("a9"), atNanos: 100))
        #expect(driver.registry.clockNanos == 500)
        driver.accept(.tick(atNanos: 501))
        #expect(driver.registry.clockNanos == 501)
    }

    @Test(
        "a framework disconnected with a deadline already behind the clock goes at the next tick, even an earlier one"
    )
    func deadlineAgainstReplicatedClock() {
        var driver = RegistryDriver.standard()
        driver.accept(.tick(atNanos: 1_000))
        // A new leader with a slower clock proposes a deadline the replicated clock has passed.
        driver.accept(.disconnectFramework(id: "f1", atNanos: 400, deadlineNanos: 900))
        #expect(driver.registry.frameworks["f1"] != nil)
        let changes = driver.accept(.tick(atNanos: 500))
        #expect(changes.count == 1)
        #expect(driver.registry.completedFrameworks["f1"]?.state == .removed(atNanos: 1_000))
    }

    // MARK: - Quota, weights, maintenance

    @Test("quota, weights and maintenance are replaced and reported")
    func settings() {
        var driver = RegistryDriver()
        let quota = QuotaRecord(role: "web", guarantees: ["cpus": 2], limits: ["cpus": 4])
        #expect(driver.accept(.updateQuota([quota])) == [.quotaChanged])
        #expect(driver.registry.quotas["web"] == quota)
        #expect(driver.accept(.removeQuota(role: "web")) == [.quotaChanged])
        #expect(driver.registry.quotas.isEmpty)
        #expect(driver.apply(.removeQuota(role: "web")).0.error != nil)

        driver.accept(.updateWeights(["web": 2, "batch": 0.5]))
        driver.accept(.updateWeights(["web": 3]))
        #expect(driver.registry.weights == ["web": 3, "batch": 0.5])

        let window = MaintenanceSchedule.Window(
            machineIDs: [.init(hostname: "a1.example", ip: nil)],
            unavailability: .init(
                start: DurationInfo(nanoseconds: 10),
                duration: DurationInfo(nanoseconds: 20)
            )
        )
        #expect(
            driver.accept(.updateMaintenance(MaintenanceSchedule(windows: [window]))) == [.maintenanceChanged]
        )
        #expect(driver.registry.maintenance.windows == [window])
    }
}
