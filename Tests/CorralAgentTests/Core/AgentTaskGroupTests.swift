import CorralAgent
import CorralModel
import Testing

/// Task groups in the pure agent core: the tasks of a LAUNCH_GROUP are killed together when
/// one of them fails or is killed, as Mesos's default executor does; a finished task leaves
/// its siblings alone.
@Suite struct AgentTaskGroupTests {
    static func group(_ ids: [String], term: UInt64 = 1) -> AgentEvent {
        var event = AgentEvent(type: .launch, term: term)
        event.launch = AgentEvent.Launch(
            frameworkID: AgentHarness.framework, frameworkInfo: nil, tasks: ids.map { AgentHarness.task($0) },
            executor: ExecutorInfo(executorID: "default", type: .default, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)]))
        return event
    }

    static func running(_ harness: inout AgentHarness, _ ids: [String]) {
        for id in ids { harness.step(.taskRunning(AgentHarness.key(id), containerID: ContainerID("c-\(id)"), pid: 1)) }
    }

    @Test func aFailedTaskKillsTheRestOfItsGroupButNotOtherGroups() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let launched = harness.send(Self.group(["a", "b", "c"]))
        #expect(launched.launches.map(\.group) == Array(repeating: ["a", "b", "c"], count: 3))
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
        Self.running(&harness, ["a", "b"])
        let effects = harness.send(AgentHarness.kill("b", term: 1, grace: .seconds(4)))
        #expect(effects.kills.map(\.0) == [AgentHarness.key("b"), AgentHarness.key("a")])
        #expect(effects.kills.map(\.1) == [.seconds(4), .seconds(4)])
    }
}
