import CorralAgent
import CorralModel
import Testing

/// Task groups in the pure agent core: the tasks of a LAUNCH_GROUP run once their default
/// executor's container runs (joining its namespaces), are killed together when one of them
/// fails or is killed, as Mesos's default executor does (a finished task leaves its siblings
/// alone), go with their executor, and the executor stops once it has no task left.
@Suite struct AgentTaskGroupTests {
    static let executor = ExecutorKey(AgentHarness.framework, "default")

    static func group(_ ids: [String], term: UInt64 = 1) -> AgentEvent {
        var event = AgentEvent(type: .launch, term: term)
        event.launch = AgentEvent.Launch(
            frameworkID: AgentHarness.framework, frameworkInfo: nil, tasks: ids.map { AgentHarness.task($0) },
            executor: ExecutorInfo(executorID: "default", type: .default, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)]))
        return event
    }

    /// The default executor's container runs with init pid 77.
    @discardableResult
    static func executorRuns(_ harness: inout AgentHarness) -> [AgentEffect] {
        harness.step(.executorRunning(executor, containerID: ContainerID("holder"), pid: 77))
    }

    static func running(_ harness: inout AgentHarness, _ ids: [String]) {
        for id in ids { harness.step(.taskRunning(AgentHarness.key(id), containerID: ContainerID("c-\(id)"), pid: 1)) }
    }

    @Test func aFailedTaskKillsTheRestOfItsGroupButNotOtherGroups() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let sent = harness.send(Self.group(["a", "b", "c"]))
        #expect(sent.launches.isEmpty, "the tasks wait for their executor's container")
        #expect(sent.executorLaunches.map(\.key) == [Self.executor])
        #expect(sent.executorLaunches.first?.runsTaskGroups == true)
        let launched = Self.executorRuns(&harness)
        #expect(launched.launches.map(\.group) == Array(repeating: ["a", "b", "c"], count: 3))
        #expect(launched.launches.map(\.executorPID) == [77, 77, 77], "they join the executor's namespaces")
        harness.send(AgentHarness.launch([AgentHarness.task("other", cpus: 0.5)], term: 1))
        Self.running(&harness, ["a", "b", "c", "other"])

        let finished = harness.step(.taskEnded(AgentHarness.key("c"), TaskEnd(state: .finished, reason: nil, message: "done")))
        #expect(finished.kills.isEmpty, "a finished task leaves its group alone")

        let failed = harness.step(.taskEnded(AgentHarness.key("a"), TaskEnd(state: .failed, reason: .commandExecutorFailed, message: "exit 1")))
        #expect(failed.kills.map(\.0) == [AgentHarness.key("b")])
        #expect(failed.kills.map(\.1) == [AgentConfiguration().defaultKillGrace])
        let killed = harness.step(.taskEnded(AgentHarness.key("b"), TaskEnd(state: .killed, reason: nil, message: "killed")))
        #expect(killed.kills.isEmpty, "the group is killed once")
        #expect(harness.machine.tasks[AgentHarness.key("b")]?.state == .killed)
        #expect(harness.machine.tasks[AgentHarness.key("other")]?.state == .running)
    }

    @Test func killingOneTaskOfAGroupKillsTheWholeGroupWithItsGracePeriod() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(Self.group(["a", "b"]))
        Self.executorRuns(&harness)
        Self.running(&harness, ["a", "b"])
        let effects = harness.send(AgentHarness.kill("b", term: 1, grace: .seconds(4)))
        #expect(effects.kills.map(\.0) == [AgentHarness.key("b"), AgentHarness.key("a")])
        #expect(effects.kills.map(\.1) == [.seconds(4), .seconds(4)])
    }

    @Test func aSecondGroupOnARunningExecutorStartsAtOnce() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(Self.group(["a"]))
        Self.executorRuns(&harness)
        let second = harness.send(Self.group(["b"]))
        #expect(second.executorLaunches.isEmpty)
        #expect(second.launches.map(\.executorPID) == [77])
    }

    @Test func theTasksGoWithTheirExecutorAndTheExecutorStopsWhenItHasNoTaskLeft() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(Self.group(["a", "b"]))
        Self.executorRuns(&harness)
        Self.running(&harness, ["a", "b"])
        let ended = harness.step(.executorEnded(Self.executor, TaskEnd(state: .killed, reason: nil, message: "killed", exitStatus: 9)))
        #expect(Set(ended.kills.map(\.0)) == [AgentHarness.key("a"), AgentHarness.key("b")])
        for id in ["a", "b"] {
            #expect(harness.machine.tasks[AgentHarness.key(id)]?.state == .failed)
            #expect(harness.machine.tasks[AgentHarness.key(id)]?.status.reason == .executorTerminated)
        }

        harness.send(Self.group(["c", "d"]))
        Self.executorRuns(&harness)
        Self.running(&harness, ["c", "d"])
        let first = harness.step(.taskEnded(AgentHarness.key("c"), TaskEnd(state: .finished, reason: nil, message: "done")))
        #expect(first.executorKills.isEmpty, "d still runs")
        let last = harness.step(.taskEnded(AgentHarness.key("d"), TaskEnd(state: .finished, reason: nil, message: "done")))
        #expect(last.executorKills.map(\.0) == [Self.executor])
    }

    @Test func aGroupThatComesWhileItsExecutorStopsGetsANewOne() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(Self.group(["a"]))
        Self.executorRuns(&harness)
        Self.running(&harness, ["a"])
        #expect(harness.step(.taskEnded(AgentHarness.key("a"), TaskEnd(state: .finished, reason: nil, message: "done"))).executorKills.count == 1)
        let late = harness.send(Self.group(["b"]))
        #expect(late.launches.isEmpty, "not into an executor that is stopping")
        let ended = harness.step(.executorEnded(Self.executor, TaskEnd(state: .finished, reason: nil, message: "stopped", exitStatus: 0)))
        #expect(ended.executorLaunches.map(\.key) == [Self.executor], "a new default executor for the late group")
        #expect(harness.machine.tasks[AgentHarness.key("b")]?.isLive == true)
        let launched = harness.step(.executorRunning(Self.executor, containerID: ContainerID("holder-2"), pid: 88))
        #expect(launched.launches.map(\.executorPID) == [88])
    }

    @Test func aRestartRecoversTheDefaultExecutorAndItsTasks() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(Self.group(["a", "b"]))
        Self.executorRuns(&harness)
        Self.running(&harness, ["a", "b"])
        var restarted = AgentHarness(recovered: (try? harness.checkpoint.load()) ?? .empty)
        let started = restarted.startAndSubscribe(term: 2)
        #expect(started.executorRecovers.map(\.key) == [Self.executor])
        #expect(started.executorRecovers.first?.pid == 77)
        #expect(Set(started.recovers.map(\.key)) == [AgentHarness.key("a"), AgentHarness.key("b")])
        // No registration deadline for the agent's own executor: it never subscribes.
        #expect(restarted.advance(AgentConfiguration().executorRegistrationTimeout * 2).executorKills.isEmpty)
    }
}
