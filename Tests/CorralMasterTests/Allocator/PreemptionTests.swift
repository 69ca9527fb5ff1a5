import CorralModel
import CorralScheduler
import Testing

@testable import CorralMaster

/// Killing to reallocate (`Preemption.plan`): the rules on small registries, then a property
/// test over random ones.
@Suite("Preemption for quota guarantees")
struct PreemptionTests {
    /// A registry with `agents` agents of 4 CPUs and 1024 MB, and frameworks `batch`
    /// (role batch), `prod` (role prod) and `web` (role web).
    static func registry(agents: Int = 1) -> RegistryDriver {
        var driver = RegistryDriver()
        for role in ["batch", "prod", "web"] {
            driver.accept(.subscribeFramework(info: Fixture.frameworkInfo(role, roles: [role]), atNanos: 1))
        }
        for index in 1...agents { driver.accept(.admitAgent(info: Fixture.agentInfo("a\(index)"), atNanos: 1)) }
        return driver
    }

    /// Launches task `id` of framework `role` (same-named role) on `agent` at time `at`.
    static func launch(_ driver: inout RegistryDriver, _ role: String, _ id: String, on agent: String = "a1", cpus: Double = 1, mem: Double = 64, at: UInt64) {
        driver.accept(
            .launch(
                frameworkID: FrameworkID(role), agentID: AgentID(agent), role: role,
                tasks: [Fixture.taskInfo(id, on: agent, cpus: cpus, mem: mem)], executor: nil, atNanos: at))
    }

    static func quota(_ role: String, cpus: Double) -> RegistryCommand {
        .updateQuota([QuotaRecord(role: role, guarantees: ["cpus": cpus], limits: [:])])
    }

    @Test func aStarvedRoleGetsTheNewestTasksOfTheLargestShareKilledAndNoMore() {
        var driver = Self.registry()
        Self.launch(&driver, "batch", "b1", at: 10)
        Self.launch(&driver, "batch", "b2", at: 20)
        Self.launch(&driver, "web", "w1", at: 30)
        Self.launch(&driver, "batch", "b3", cpus: 1, at: 40)
        #expect(Preemption.plan(driver.registry).isEmpty, "no guarantee, no preemption")
        driver.accept(Self.quota("prod", cpus: 2))
        let kills = Preemption.plan(driver.registry)
        // batch holds 3 of 4 CPUs, web 1: batch's newest two go.
        #expect(kills.map(\.task.taskID.value) == ["b3", "b2"], "\(kills)")
        #expect(kills.allSatisfy { $0.forRoles == ["prod"] && $0.role == "batch" })
        #expect(Preemption.plan(driver.registry, underWay: Set(kills.map(\.task))).isEmpty, "the kills under way are counted")
    }

    @Test func freeResourcesAndAbsentFrameworksMeanNoKills() {
        var driver = Self.registry()
        Self.launch(&driver, "batch", "b1", cpus: 2, at: 10)
        driver.accept(Self.quota("prod", cpus: 2))
        #expect(Preemption.plan(driver.registry).isEmpty, "two CPUs are free")
        Self.launch(&driver, "web", "w1", cpus: 2, at: 20)
        #expect(Preemption.plan(driver.registry).map(\.task.taskID.value) == ["b1"], "equal shares: by role name")
        driver.accept(.removeFramework(id: FrameworkID("prod"), atNanos: 30))
        #expect(Preemption.plan(driver.registry).isEmpty, "nobody of prod would take what is freed")
    }

    @Test func aRoleKeepsItsOwnGuarantee() {
        var driver = Self.registry()
        Self.launch(&driver, "batch", "b1", cpus: 2, at: 10)
        Self.launch(&driver, "web", "w1", cpus: 2, at: 20)
        driver.accept(.updateQuota([QuotaRecord(role: "web", guarantees: ["cpus": 2], limits: [:])]))
        driver.accept(Self.quota("prod", cpus: 1))
        #expect(Preemption.plan(driver.registry).map(\.task.taskID.value) == ["b1"], "web is at its guarantee: batch pays")
    }

    /// Random clusters: a plan never kills a starved role's task, never takes a role with a
    /// guarantee below it, takes no task it does not need (without the last kill, something
    /// is still lacking), is the same when asked twice, and after its kills nothing more is
    /// planned.
    @Test(arguments: 0..<200) func plansHoldTheirRulesOnRandomClusters(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var driver = Self.registry(agents: Int.random(in: 1...4, using: &rng))
        let roles = ["batch", "prod", "web"]
        var time: UInt64 = 10
        for index in 0..<Int.random(in: 0...16, using: &rng) {
            let role = roles.randomElement(using: &rng)!
            let agent = "a\(Int.random(in: 1...driver.registry.agents.count, using: &rng))"
            let cpus = Double(Int.random(in: 1...2, using: &rng))
            time += 1
            _ = driver.apply(
                .launch(
                    frameworkID: FrameworkID(role), agentID: AgentID(agent), role: role,
                    tasks: [Fixture.taskInfo("t\(index)", on: agent, cpus: cpus, mem: 64)], executor: nil, atNanos: time))
        }
        for role in roles where Bool.random(using: &rng) {
            driver.accept(.updateQuota([QuotaRecord(role: role, guarantees: ["cpus": Double(Int.random(in: 1...6, using: &rng))], limits: [:])]))
        }
        let registry = driver.registry
        let kills = Preemption.plan(registry)
        #expect(kills == Preemption.plan(registry), "seed \(seed): not deterministic")
        let starved = Set(kills.flatMap(\.forRoles))
        #expect(kills.allSatisfy { !starved.contains($0.role) }, "seed \(seed): a starved role's task was picked")
        #expect(Set(kills.map(\.task)).count == kills.count, "seed \(seed): a task picked twice")
        var after = driver
        for kill in kills {
            after.accept(.statusUpdate(frameworkID: kill.task.frameworkID, status: TaskStatus(taskID: kill.task.taskID, state: .killed, source: .executor), atNanos: time + 1))
        }
        for quota in registry.quotas.values where !starved.contains(quota.role) {
            let before = registry.tasks.values.filter { !$0.isTerminal && $0.role == quota.role }.map { $0.resources.cpus ?? 0 }.reduce(0, +)
            let left = after.registry.tasks.values.filter { !$0.isTerminal && $0.role == quota.role }.map { $0.resources.cpus ?? 0 }.reduce(0, +)
            #expect(left >= min(before, quota.guarantees["cpus"] ?? 0) - 1e-9, "seed \(seed): \(quota.role) was taken below its guarantee")
        }
        #expect(Preemption.plan(after.registry).isEmpty, "seed \(seed): more kills planned after the plan's own")
        if let last = kills.last {
            var short = driver
            for kill in kills.dropLast() {
                short.accept(.statusUpdate(frameworkID: kill.task.frameworkID, status: TaskStatus(taskID: kill.task.taskID, state: .killed, source: .executor), atNanos: time + 1))
            }
            #expect(!Preemption.plan(short.registry).isEmpty, "seed \(seed): the last kill, of \(last.task), was not needed")
        }
    }
}
