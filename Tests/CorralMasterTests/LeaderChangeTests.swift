@testable import CorralMaster
import CorralModel
import Testing

/// What the leader decides about each change the registry applied, without a master.
@Suite("LeaderStateMachine registry changes")
struct LeaderChangeTests {
    typealias Effect = LeaderStateMachine.Effect
    let start = ContinuousClock.now
    let f1 = FrameworkID("f1")
    let f2 = FrameworkID("f2")
    let a1 = AgentID("a1")
    let driver = RegistryDriver.standard()

    /// Leading, with f1's and f2's schedulers and agent a1 connected.
    func leader() -> LeaderStateMachine {
        var core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: start)
        _ = core.step(.elected(activeAgents: [a1]), now: start)
        _ = core.step(.schedulerSubscribed(f2, streamID: "s2"), now: start)
        _ = core.step(.schedulerSubscribed(f1, streamID: "s1"), now: start)
        _ = core.step(.agentSubscribed(a1, streamID: "a", ip: nil), now: start)
        _ = core.step(.allocated, now: start)
        return core
    }

    func allocates(_ core: inout LeaderStateMachine) -> Bool {
        let wanted = core.step(.tick, now: start + .milliseconds(100)).contains(.allocate)
        _ = core.step(.allocated, now: start + .milliseconds(100))
        return wanted
    }

    @Test func nothingIsDecidedWhileFollowing() throws {
        var core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: start)
        let agent = try #require(driver.registry.agents[a1])
        #expect(core.registryChanged(.agentUpdated(agent), now: start).isEmpty)
        #expect(core.registryChanged(.quotaChanged, now: start).isEmpty)
    }

    @Test func aDisconnectCommittedAfterTheSchedulerCameBackIsUndone() throws {
        var core = leader()
        var record = try #require(driver.registry.frameworks[f1])
        record.state = .disconnected(sinceNanos: 5, deadlineNanos: 10)
        #expect(
            core.registryChanged(.frameworkUpdated(record), now: start) == [
                .resubscribeFramework(record.info)
            ]
        )
        _ = core.step(.schedulerStreamEnded(f1, streamID: "s1"), now: start)
        #expect(
            core.registryChanged(.frameworkUpdated(record), now: start).isEmpty,
            "the scheduler is really away"
        )
        record.state = .active
        _ = core.step(.schedulerSubscribed(f1, streamID: "s3"), now: start)
        #expect(core.registryChanged(.frameworkUpdated(record), now: start).isEmpty)
    }

    @Test func anAgentTheRegistryDeactivatesIsDroppedAndEverySchedulerTold() throws {
        var core = leader()
        var agent = try #require(driver.registry.agents[a1])
        agent.state = .unreachable(sinceNanos: 9)
        #expect(
            core.registryChanged(.agentUpdated(agent), now: start)
                == [.dropDeactivatedAgent(a1, gone: false), .sendAgentLost(f1, a1), .sendAgentLost(f2, a1)]
        )
        #expect(core.agents.isEmpty && core.awaiting.isEmpty)
        agent.state = .gone(atNanos: 10)
        #expect(
            core.registryChanged(.agentUpdated(agent), now: start).first
                == .dropDeactivatedAgent(a1, gone: true)
        )
        #expect(!core.step(.tick, now: start + .seconds(100)).contains(.proposeUnreachable(a1)))
    }

    @Test func aConnectedAgentsNewTotalReachesTheAllocator() throws {
        var core = leader()
        let agent = try #require(driver.registry.agents[a1])
        #expect(
            core.registryChanged(.agentUpdated(agent), now: start) == [.updateAgentTotal(a1, agent.total)]
        )
        #expect(allocates(&core))
        _ = core.step(.agentStreamEnded(a1, streamID: "a"), now: start)
        #expect(
            core.registryChanged(.agentUpdated(agent), now: start).isEmpty,
            "not connected: nothing to offer"
        )
    }

    @Test func endedTasksAreReleasedAndUpdatesForwarded() throws {
        var running = RegistryDriver.standard()
        running.accept(Fixture.launch("f1", [Fixture.taskInfo("t1"), Fixture.taskInfo("t2")]))
        var core = leader()
        core.allocator.addFramework("f1", roles: ["web"])
        // The agent joins the allocator with its tasks charged: 2 of its 4 cpus are in use.
        _ = core.addAgent(a1, registry: running.registry)
        #expect(Set(core.charges.keys) == [Fixture.key("f1", "t1"), Fixture.key("f1", "t2")])
        running.accept(Fixture.update("f1", "t1", .finished, uuid: 1))
        let task = try #require(running.task("f1", "t1"))
        let effects = core.registryChanged(.taskUpdated(task), now: start)
        #expect(
            effects.contains {
                if case .sendUpdate(f1, let status) = $0 { status.state == .finished } else { false }
            }
        )
        #expect(core.charges[task.key] == nil, "released")
        #expect(allocates(&core))
        // What t1 held is offered again: 3 cpus free.
        let offered = core.allocator.allocate(nowMillis: 1).reduce(0) { $0 + ($1.resources["cpus"]) }
        #expect(offered == 3000)
        #expect(
            core.registryChanged(.taskCompleted(task), now: start).isEmpty,
            "nothing left to release or send"
        )
        _ = core.removeAgent(a1)
        #expect(core.charges.isEmpty)
    }

    @Test func aRemovedFrameworkIsForgottenAndQuotaOrWeightsReallocate() throws {
        var core = leader()
        let record = try #require(driver.registry.frameworks[f2])
        #expect(
            core.registryChanged(.frameworkRemoved(record, killed: []), now: start) == [
                .removeFramework(f2, killed: [])
            ]
        )
        #expect(core.schedulers.keys.sorted { $0.value < $1.value } == [f1])
        #expect(allocates(&core))
        #expect(core.registryChanged(.quotaChanged, now: start) == [.refreshQuotas])
        #expect(allocates(&core))
        #expect(core.registryChanged(.weightsChanged, now: start) == [.refreshWeights])
        #expect(allocates(&core))
        // A schedule change takes the offers back, to be made again with the machines'
        // unavailability (carrying it out asks for an allocation).
        #expect(core.registryChanged(.maintenanceChanged, now: start) == [.rescindAllOffers])
    }
}
