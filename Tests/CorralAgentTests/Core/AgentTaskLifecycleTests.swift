import CorralAgent
import CorralModel
import Testing

@Suite struct AgentTaskLifecycleTests {
    /// A harness without TASK_STARTING, so each report is sent at once.
    static func harness() -> AgentHarness {
        var configuration = AgentConfiguration()
        configuration.reportsStarting = false
        var harness = AgentHarness(configuration: configuration)
        harness.startAndSubscribe()
        return harness
    }

    @Test func aTaskRunsAndEndsWithItsReasonAndFreesItsResources() {
        var harness = Self.harness()
        let key = AgentHarness.key("t1")
        let launched = harness.send(AgentHarness.launch([AgentHarness.task("t1", cpus: 3)], term: 1))
        #expect(launched.launches.map(\.key) == [key])
        #expect(harness.machine.tasks[key]?.state == .staging)
        #expect(harness.machine.freeResources.cpus == 1)
        // The launch is checkpointed before the runner is asked to start it.
        let persistIndex = launched.firstIndex { if case .persist(let changes) = $0 { changes.contains { if case .putTask = $0 { true } else { false } } } else { false } }
        let launchIndex = launched.firstIndex { if case .launch = $0 { true } else { false } }
        #expect(persistIndex != nil && launchIndex != nil && persistIndex! < launchIndex!)

        let running = harness.step(.taskRunning(key, containerID: ContainerID("c-1"), pid: 7)).sentUpdates
        #expect(running.map(\.state) == [.running])
        harness.step(.callAnswered(uuid: running.first?.uuid ?? [], .acknowledged))
        let end = TaskEnd(state: .failed, reason: .containerLimitationMemory, message: "OOM: memory limit 128 MB", exitStatus: 9)
        let ended = harness.step(.taskEnded(key, end)).sentUpdates
        #expect(ended.map(\.state) == [.failed])
        #expect(ended.first?.reason == .containerLimitationMemory)
        #expect(ended.first?.message == "OOM: memory limit 128 MB")
        #expect(ended.first?.containerStatus?.containerID == ContainerID("c-1"))
        #expect(harness.machine.freeResources.cpus == 4)
        // A second end (e.g. the runner reporting twice) is ignored.
        #expect(harness.step(.taskEnded(key, end)).sentUpdates.isEmpty)
        harness.step(.callAnswered(uuid: ended.first?.uuid ?? [], .acknowledged))
        #expect(harness.machine.tasks.isEmpty)
        #expect((try? harness.checkpoint.load())?.tasks.isEmpty == true)
    }

    @Test func aKillUsesTheKillsThenTheTasksThenTheDefaultGracePeriod() {
        var harness = Self.harness()
        var withPolicy = AgentHarness.task("b")
        withPolicy.killPolicy = KillPolicy(gracePeriod: .seconds(5))
        harness.send(AgentHarness.launch([AgentHarness.task("a"), withPolicy, AgentHarness.task("c")], term: 1))
        #expect(harness.send(AgentHarness.kill("a", term: 1)).kills.map(\.1) == [.seconds(3)])
        #expect(harness.send(AgentHarness.kill("b", term: 1)).kills.map(\.1) == [.seconds(5)])
        #expect(harness.send(AgentHarness.kill("c", term: 1, grace: .seconds(1))).kills.map(\.1) == [.seconds(1)])
        #expect(harness.machine.tasks[AgentHarness.key("a")]?.killGrace == .seconds(3))
        harness.step(.taskEnded(AgentHarness.key("a"), TaskEnd(state: .killed, reason: nil, message: "killed by SIGTERM")))
        #expect(harness.machine.tasks[AgentHarness.key("a")]?.state == .killed)
        // A kill of an ended task does nothing.
        #expect(harness.send(AgentHarness.kill("a", term: 1)).kills.isEmpty)
    }

    @Test func aFrameworkThatUnderstandsKillingGetsTaskKilling() {
        var harness = Self.harness()
        var info = FrameworkInfo(user: "u", name: "k")
        info.capabilities = [FrameworkInfo.Capability(.taskKillingState)]
        harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1, frameworkInfo: info))
        let kill = harness.send(AgentHarness.kill("t1", term: 1))
        #expect(kill.kills.count == 1)
        #expect(harness.machine.tasks[AgentHarness.key("t1")]?.state == .killing)
    }

    @Test func shutdownFrameworkKillsEveryTaskOfThatFrameworkOnly() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([AgentHarness.task("a"), AgentHarness.task("b")], term: 1))
        harness.send(AgentHarness.launch([AgentHarness.task("x")], term: 1, framework: "f2"))
        var shutdown = AgentEvent(type: .shutdownFramework, term: 1)
        shutdown.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: AgentHarness.framework)
        let kills = harness.send(shutdown).kills.map(\.0)
        #expect(kills == [AgentHarness.key("a"), AgentHarness.key("b")])
    }

    @Test func maxCompletionTimeKillsTheTaskAndFailsIt() {
        var harness = Self.harness()
        var task = AgentHarness.task("t1")
        task.maxCompletionTime = .seconds(30)
        let key = AgentHarness.key("t1")
        harness.send(AgentHarness.launch([task], term: 1))
        harness.step(.taskRunning(key, containerID: ContainerID("c-1"), pid: nil))
        #expect(harness.advance(.seconds(29)).kills.isEmpty)
        let expired = harness.advance(.seconds(1))
        #expect(expired.kills.map(\.0) == [key])
        #expect((try? harness.checkpoint.load())?.tasks[key]?.maxCompletionReached == true)
        harness.step(.taskEnded(key, TaskEnd(state: .killed, reason: nil, message: "killed by SIGTERM")))
        let status = harness.machine.tasks[key]?.status
        #expect(status?.state == .failed)
        #expect(status?.reason == .maxCompletionTimeReached)
        #expect(harness.advance(.seconds(60)).kills.isEmpty)
    }

    @Test func aKillInProgressIsResumedAfterARestart() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
        harness.send(AgentHarness.kill("t1", term: 1, grace: .seconds(2)))
        var restarted = AgentHarness(recovered: (try? harness.checkpoint.load()) ?? .empty)
        let effects = restarted.step(.started(recovered: (try? restarted.checkpoint.load()) ?? .empty))
        #expect(effects.recovers.map(\.key) == [AgentHarness.key("t1")])
        #expect(effects.kills.map(\.1) == [.seconds(2)])
    }

    @Test func frameworkMessagesForCommandTasksAreDroppedAndExecutorMessagesGoBack() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
        var event = AgentEvent(type: .message, term: 1)
        // Mesos's command executor ignores framework messages; custom executors get them
        // (see AgentExecutorTests).
        event.message = AgentCall.FrameworkMessage(frameworkID: AgentHarness.framework, executorID: "t1", data: [1, 2])
        #expect(harness.send(event).executorEvents.isEmpty)

        let reply = AgentCall.FrameworkMessage(frameworkID: AgentHarness.framework, executorID: "t1", data: [3])
        let posted = harness.step(.executorMessage(reply)).posts
        #expect(posted.map(\.type) == [.message])
        #expect(posted.first?.message == reply)
    }
}
