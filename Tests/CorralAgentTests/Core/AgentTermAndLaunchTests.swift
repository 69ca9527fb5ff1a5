import CorralAgent
import CorralModel
import Testing

@Suite struct AgentTermAndLaunchTests {
    @Test func anOlderTermIsIgnoredAndANewerOneIsCheckpointed() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 3)
        #expect(harness.machine.highestTerm == 3)
        #expect((try? harness.checkpoint.load())?.highestTerm == 3)

        // A deposed leader (term 2) can neither launch nor kill.
        let stale = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 2))
        #expect(stale.launches.isEmpty)
        #expect(harness.machine.counters.staleEvents == 1)
        #expect(stale.closes == [harness.connection], "the deposed leader's stream is closed")
        #expect(harness.machine.tasks.isEmpty)

        // Back on a current leader: a launch, then a stale kill that must not land.
        harness.advance(.seconds(3))
        harness.subscribed(term: 4)
        #expect((try? harness.checkpoint.load())?.highestTerm == 4)
        #expect(harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 4)).launches.count == 1)
        let staleKill = harness.send(AgentHarness.kill("t1", term: 3))
        #expect(staleKill.kills.isEmpty)
        #expect(harness.machine.counters.staleEvents == 2)
        #expect(harness.machine.tasks[AgentHarness.key("t1")]?.isLive == true)
    }

    @Test func aNewerTermOnTheStreamIsPersistedBeforeWhatItCauses() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 1)
        let effects = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 7))
        guard case .persist(let first)? = effects.first else {
            Issue.record("the first effect is not a persist: \(effects)")
            return
        }
        #expect(first == [.highestTerm(7)])
        #expect(effects.launches.count == 1)
        #expect(harness.machine.subscribeCall.subscribe?.highestTerm == 7)
    }

    @Test func aTaskIsLaunchedOnceWhateverTheReplays() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 1)
        let task = AgentHarness.task("t1")
        #expect(harness.send(AgentHarness.launch([task], term: 1)).launches.count == 1)
        #expect(harness.send(AgentHarness.launch([task], term: 1)).launches.isEmpty)
        // A new leader replays the launch.
        harness.step(.streamEnded(connection: harness.connection, message: "leader died"))
        harness.advance(.seconds(1))
        harness.subscribed(term: 2)
        #expect(harness.send(AgentHarness.launch([task], term: 2)).launches.isEmpty)
        // The agent restarts: the task is recovered, never launched again.
        var restarted = AgentHarness(recovered: (try? harness.checkpoint.load()) ?? .empty)
        let start = restarted.startAndSubscribe(term: 2)
        #expect(start.recovers.map(\.key) == [AgentHarness.key("t1")])
        #expect(start.launches.isEmpty)
        #expect(restarted.send(AgentHarness.launch([task], term: 2)).launches.isEmpty)
        #expect(restarted.machine.counters.duplicateLaunches == 1)
        #expect(harness.machine.counters.duplicateLaunches == 2)
    }

    @Test func aCompletedTaskIsNotLaunchedAgain() {
        var harness = AgentHarness(configuration: { var c = AgentConfiguration(); c.reportsStarting = false; return c }())
        harness.startAndSubscribe()
        harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
        let key = AgentHarness.key("t1")
        harness.step(.launchFailed(key, TaskEnd(state: .failed, reason: .containerLaunchFailed, message: "no image")))
        let uuid = harness.machine.tasks[key]?.status.uuid ?? []
        harness.step(.callAnswered(uuid: uuid, .acknowledged))
        #expect(harness.machine.tasks[key] == nil)
        #expect(harness.machine.completed[key] != nil)
        #expect((try? harness.checkpoint.load())?.completed[key] != nil)
        #expect(harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1)).launches.isEmpty)
    }

    @Test func aKillBeforeTheLaunchIsAnsweredAndTheLaunchRefused() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let killed = harness.send(AgentHarness.kill("t1", term: 1))
        #expect(killed.kills.isEmpty)
        let update = killed.sentUpdates.first
        #expect(update?.state == .killed)
        #expect(update?.reason == .taskKilledDuringLaunch)

        let launch = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
        #expect(launch.launches.isEmpty)
        #expect(launch.sentUpdates.isEmpty, "the TASK_KILLED already answered the launch")
        #expect(harness.machine.freeResources.cpus == 4)
    }

    @Test func aGroupWithAMemberKilledBeforeLaunchIsRefusedWhole() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(AgentHarness.kill("a", term: 1))
        let effects = harness.send(AgentHarness.launch([AgentHarness.task("a"), AgentHarness.task("b")], term: 1))
        #expect(effects.launches.isEmpty)
        #expect(harness.machine.tasks[AgentHarness.key("b")]?.state == .killed)
        #expect(harness.machine.tasks[AgentHarness.key("b")]?.status.reason == .taskKilledDuringLaunch)
    }

    @Test func aLaunchThatDoesNotFitIsRefusedAsLostOrDropped() {
        var harness = AgentHarness(resources: [.scalar("cpus", 2), .scalar("mem", 1024), .ranges("ports", Ranges(31000...31010))])
        harness.startAndSubscribe()
        #expect(harness.send(AgentHarness.launch([AgentHarness.task("a", cpus: 1.5, ports: 31000...31005)], term: 1)).launches.count == 1)

        let tooManyCPUs = harness.send(AgentHarness.launch([AgentHarness.task("b", cpus: 1)], term: 1))
        #expect(tooManyCPUs.launches.isEmpty)
        let lost = harness.machine.tasks[AgentHarness.key("b")]?.status
        #expect(lost?.state == .lost)
        #expect(lost?.reason == .invalidOffers)
        #expect(lost?.message?.contains("cpus") == true)

        let takenPort = harness.send(AgentHarness.launch([AgentHarness.task("c", cpus: 0.1, ports: 31005...31006)], term: 1))
        #expect(takenPort.launches.isEmpty)

        var aware = FrameworkInfo(user: "u", name: "aware")
        aware.capabilities = [FrameworkInfo.Capability(.partitionAware)]
        harness.send(AgentHarness.launch([AgentHarness.task("d", mem: 2048)], term: 1, frameworkInfo: aware))
        #expect(harness.machine.tasks[AgentHarness.key("d")]?.state == .dropped)
        #expect(harness.machine.counters.refusedLaunches == 3)

        // Resources come back the moment the task ends.
        harness.step(.taskEnded(AgentHarness.key("a"), TaskEnd(state: .finished, reason: nil, message: "exit 0")))
        #expect(harness.machine.freeResources.cpus == 2)
        #expect(harness.send(AgentHarness.launch([AgentHarness.task("e", cpus: 2, ports: 31000...31010)], term: 1)).launches.count == 1)
        #expect(harness.machine.freeResources.cpus == nil)
    }

    /// A dynamic reservation is the master's books: a task on dynamically reserved CPUs uses
    /// CPUs the agent has, and counts against them like any other task.
    @Test func aTaskOnDynamicallyReservedResourcesRunsAndCountsAgainstWhatTheAgentHas() {
        var harness = AgentHarness(resources: [.scalar("cpus", 2), .scalar("mem", 1024)])
        harness.startAndSubscribe()
        var reserved = AgentHarness.task("a", cpus: 1.5)
        reserved.resources[0].reservations = [.dynamic("web", principal: "ops")]
        #expect(harness.send(AgentHarness.launch([reserved], term: 1)).launches.count == 1)
        #expect(harness.machine.freeResources.cpus == 0.5)
        var more = AgentHarness.task("b", cpus: 1)
        more.resources[0].reservations = [.dynamic("web")]
        #expect(harness.send(AgentHarness.launch([more], term: 1)).launches.isEmpty, "1 CPU does not fit in 0.5")
        #expect(harness.machine.tasks[AgentHarness.key("b")]?.status.reason == .invalidOffers)
    }
}
