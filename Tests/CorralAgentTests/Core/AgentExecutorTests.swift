import CorralAgent
import CorralModel
import Testing

/// Custom executors in the pure agent core: started once per (framework, executor ID), given
/// their tasks when they subscribe, their updates passed on with their own UUIDs and
/// acknowledged back, kills, messages and shutdowns routed to them, and their exit failing
/// their tasks and reaching the master.
@Suite struct AgentExecutorTests {
    static let executorID = ExecutorID("exec-1")
    static let key = ExecutorKey(AgentHarness.framework, executorID)

    static func task(_ id: String, executor: ExecutorID = executorID, grace: Duration? = nil) -> TaskInfo {
        var info = AgentHarness.task(id)
        info.command = nil
        var executorInfo = ExecutorInfo(executorID: executor, command: CommandInfo(value: "/usr/bin/my-executor"))
        if let grace { executorInfo.shutdownGracePeriod = DurationInfo(nanoseconds: Int64(grace.components.seconds) * 1_000_000_000) }
        info.executor = executorInfo
        return info
    }

    static func harness() -> AgentHarness {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 1)
        return harness
    }

    static func subscribe(_ harness: inout AgentHarness, stream: UInt64 = 7, known: [TaskInfo] = [], updates: [TaskStatus] = []) -> [AgentEffect] {
        harness.step(.executorSubscribed(
            key, stream: stream,
            ExecutorCall.Subscribe(unacknowledgedTasks: known, unacknowledgedUpdates: updates.map(ExecutorCall.Update.init(status:)))))
    }

    static func status(_ id: String, _ state: TaskState, uuid: UInt8) -> TaskStatus {
        TaskStatus(taskID: TaskID(id), state: state, source: .executor, uuid: [UInt8](repeating: uuid, count: 16))
    }

    @Test func theFirstTaskStartsTheExecutorOnceAndItsTasksWaitForItsSubscription() {
        var harness = Self.harness()
        let first = harness.send(AgentHarness.launch([Self.task("t1")], term: 1))
        #expect(first.executorLaunches.map(\.key) == [Self.key])
        #expect(first.launches.isEmpty, "a task of a custom executor has no container of its own")
        #expect(first.sentUpdates.isEmpty, "the executor, not the agent, reports its tasks' states")
        #expect(first.persisted.contains { if case .putExecutor(let executor) = $0 { executor.key == Self.key } else { false } })
        #expect((try? harness.checkpoint.load())?.executors[Self.key]?.info.frameworkID == AgentHarness.framework)
        let second = harness.send(AgentHarness.launch([Self.task("t2")], term: 1))
        #expect(second.executorLaunches.isEmpty, "one executor per (framework, executor ID)")
        #expect(second.executorEvents.isEmpty, "not subscribed yet")

        let subscribed = Self.subscribe(&harness)
        #expect(subscribed.executorEvents.map(\.event.type) == [.subscribed, .launch, .launch])
        #expect(subscribed.executorEvents.allSatisfy { $0.stream == 7 })
        #expect(subscribed.executorEvents.compactMap(\.event.launch?.task.taskID) == ["t1", "t2"])
        #expect(subscribed.executorEvents.first?.event.subscribed?.executorInfo.executorID == Self.executorID)
        #expect(subscribed.executorEvents.first?.event.subscribed?.frameworkInfo.id == AgentHarness.framework)

        // A task launched while it is subscribed goes to it at once.
        let third = harness.send(AgentHarness.launch([Self.task("t3")], term: 1))
        #expect(third.executorEvents.map(\.event.type) == [.launch])
    }

    @Test func executorUpdatesKeepTheirUUIDAndAreAcknowledgedBackOnceTheMasterHasThem() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1")], term: 1))
        _ = Self.subscribe(&harness)
        let running = Self.status("t1", .running, uuid: 1)
        let sent = harness.step(.executorUpdate(Self.key, running)).sentUpdates
        #expect(sent.map(\.state) == [.running])
        #expect(sent.first?.uuid == running.uuid)
        #expect(sent.first?.executorID == Self.executorID)
        #expect(harness.machine.tasks[AgentHarness.key("t1")]?.state == .running)
        // The same update again (the executor retried) is not taken twice.
        #expect(harness.step(.executorUpdate(Self.key, running)).sentUpdates.isEmpty)

        let acked = harness.step(.callAnswered(uuid: running.uuid ?? [], .acknowledged))
        #expect(acked.executorEvents.map(\.event.type) == [.acknowledged])
        #expect(acked.executorEvents.first?.event.acknowledged == ExecutorEvent.Acknowledged(taskID: "t1", uuid: running.uuid ?? []))

        let finished = Self.status("t1", .finished, uuid: 2)
        #expect(harness.step(.executorUpdate(Self.key, finished)).sentUpdates.map(\.state) == [.finished])
        harness.step(.callAnswered(uuid: finished.uuid ?? [], .acknowledged))
        #expect(harness.machine.tasks[AgentHarness.key("t1")] == nil)
        #expect(harness.machine.completed[AgentHarness.key("t1")] != nil)
        #expect(harness.machine.executors[Self.key] != nil, "a custom executor outlives its tasks, as in Mesos")

        // An update for a task that is gone is acknowledged at once, so the executor stops.
        let late = harness.step(.executorUpdate(Self.key, Self.status("t1", .finished, uuid: 3)))
        #expect(late.sentUpdates.isEmpty)
        #expect(late.executorEvents.map(\.event.type) == [.acknowledged])
    }

    @Test func killsGoToTheExecutorAndATaskItWasNeverGivenIsKilledAtOnce() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1"), Self.task("t2")], term: 1))
        let early = harness.send(AgentHarness.kill("t2", term: 1))
        #expect(early.sentUpdates.map(\.state) == [.killed])
        #expect(early.sentUpdates.first?.reason == .taskKilledDuringLaunch)

        let subscribed = Self.subscribe(&harness)
        #expect(subscribed.executorEvents.compactMap(\.event.launch?.task.taskID) == ["t1"])
        let kill = harness.send(AgentHarness.kill("t1", term: 1, grace: .seconds(2)))
        #expect(kill.kills.isEmpty)
        #expect(kill.executorEvents.map(\.event.type) == [.kill])
        #expect(kill.executorEvents.first?.event.kill?.taskID == "t1")
        #expect(kill.executorEvents.first?.event.kill?.killPolicy?.gracePeriod?.nanoseconds == 2_000_000_000)
    }

    @Test func messagesGoBothWays() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1")], term: 1))
        var event = AgentEvent(type: .message, term: 1)
        event.message = AgentCall.FrameworkMessage(frameworkID: AgentHarness.framework, executorID: Self.executorID, data: [1, 2])
        #expect(harness.send(event).executorEvents.isEmpty, "dropped while the executor is not subscribed (at most once)")
        _ = Self.subscribe(&harness)
        let delivered = harness.send(event).executorEvents
        #expect(delivered.map(\.event.type) == [.message])
        #expect(delivered.first?.event.message?.data == [1, 2])

        let reply = AgentCall.FrameworkMessage(frameworkID: AgentHarness.framework, executorID: Self.executorID, data: [3])
        #expect(harness.step(.executorMessage(reply)).posts.map(\.message) == [reply])
    }

    @Test func anExecutorThatExitsFailsItsLiveTasksAndTheMasterHearsOfIt() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1"), Self.task("t2")], term: 1))
        harness.step(.executorRunning(Self.key, containerID: ContainerID("c1"), pid: 42))
        _ = Self.subscribe(&harness)
        let finished = Self.status("t2", .finished, uuid: 9)
        harness.step(.executorUpdate(Self.key, finished))
        harness.step(.callAnswered(uuid: finished.uuid ?? [], .acknowledged))

        let ended = harness.step(.executorEnded(Self.key, TaskEnd(state: .failed, reason: nil, message: "exited with status 3", exitStatus: 3 << 8)))
        #expect(ended.executorCloses == [7])
        #expect(ended.sentUpdates.map(\.taskID) == ["t1"])
        #expect(ended.sentUpdates.first?.state == .failed)
        #expect(ended.sentUpdates.first?.reason == .executorTerminated)
        #expect(ended.sentUpdates.first?.containerStatus?.containerID == ContainerID("c1"))
        let exited = ended.posts.first { $0.type == .exitedExecutor }?.exitedExecutor
        #expect(exited == AgentCall.ExitedExecutor(frameworkID: AgentHarness.framework, executorID: Self.executorID, status: 3 << 8))
        #expect(harness.machine.executors.isEmpty)
        #expect((try? harness.checkpoint.load())?.executors.isEmpty == true)

        // A new task naming the executor starts it again.
        #expect(harness.send(AgentHarness.launch([Self.task("t3")], term: 1)).executorLaunches.count == 1)
    }

    @Test func shutdownFrameworkShutsTheExecutorDownWithItsGracePeriod() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1", grace: .seconds(9))], term: 1))
        _ = Self.subscribe(&harness)
        var event = AgentEvent(type: .shutdownFramework, term: 1)
        event.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: AgentHarness.framework)
        let effects = harness.send(event)
        #expect(effects.executorEvents.map(\.event.type) == [.shutdown])
        #expect(effects.executorKills.map(\.0) == [Self.key])
        #expect(effects.executorKills.map(\.1) == [.seconds(9)])
        #expect(effects.kills.isEmpty, "its tasks end with it")
        // Subscribing again meanwhile gets it SHUTDOWN again, and no task.
        let again = Self.subscribe(&harness, stream: 8)
        #expect(again.executorEvents.map(\.event.type) == [.subscribed, .shutdown])
    }

    @Test func aRestartRecoversExecutorsAndAResubscribingExecutorIsNotGivenTasksItHas() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1"), Self.task("t2"), Self.task("t3")], term: 1))
        _ = Self.subscribe(&harness)
        // t3 runs and its update was acknowledged: the executor no longer lists it.
        let running = Self.status("t3", .running, uuid: 4)
        harness.step(.executorUpdate(Self.key, running))
        harness.step(.callAnswered(uuid: running.uuid ?? [], .acknowledged))

        var restarted = AgentHarness(recovered: (try? harness.checkpoint.load()) ?? .empty)
        let started = restarted.startAndSubscribe(term: 2)
        #expect(started.executorRecovers.map(\.key) == [Self.key])
        #expect(started.recovers.isEmpty, "tasks of an executor have no container of their own")
        // The executor re-subscribes knowing t1 and with an update the old agent never got.
        let resubscribed = Self.subscribe(&restarted, stream: 1, known: [Self.task("t1")], updates: [Self.status("t1", .running, uuid: 5)])
        #expect(resubscribed.executorEvents.map(\.event.type) == [.subscribed, .launch])
        #expect(resubscribed.executorEvents.compactMap(\.event.launch?.task.taskID) == ["t2"])
        #expect(resubscribed.sentUpdates.map(\.state) == [.running])
    }

    @Test func executorCallsAreRefusedWithAReason() {
        var harness = Self.harness()
        var update = ExecutorCall(type: .update, frameworkID: AgentHarness.framework, executorID: Self.executorID)
        update.update = ExecutorCall.Update(status: Self.status("t1", .running, uuid: 1))
        #expect(harness.machine.executorCallRefusal(update)?.status == 400, "no such executor")
        harness.send(AgentHarness.launch([Self.task("t1")], term: 1))
        #expect(harness.machine.executorCallRefusal(update)?.status == 403, "not subscribed yet")
        _ = Self.subscribe(&harness)
        #expect(harness.machine.executorCallRefusal(update) == nil)
        update.update?.status.uuid = nil
        #expect(harness.machine.executorCallRefusal(update)?.message.contains("uuid") == true)
        update.update = ExecutorCall.Update(status: Self.status("t1", .staging, uuid: 1))
        #expect(harness.machine.executorCallRefusal(update)?.status == 400)
    }

    @Test func anExecutorThatDoesNotSubscribeInTimeIsKilledAndItsTasksFailWithTheReason() {
        var harness = Self.harness()
        harness.send(AgentHarness.launch([Self.task("t1")], term: 1))
        harness.step(.executorRunning(Self.key, containerID: ContainerID("c1"), pid: 42))
        let timeout = AgentConfiguration().executorRegistrationTimeout
        #expect(harness.advance(timeout - .seconds(1)).executorKills.isEmpty)
        #expect(harness.advance(.seconds(1)).executorKills.map(\.0) == [Self.key])
        harness.step(.executorEnded(Self.key, TaskEnd(state: .killed, reason: nil, message: "killed", exitStatus: 9)))
        let task = harness.machine.tasks[AgentHarness.key("t1")]
        #expect(task?.state == .failed)
        #expect(task?.status.reason == .executorRegistrationTimeout)

        // One that subscribes in time is left alone.
        harness.send(AgentHarness.launch([Self.task("t2")], term: 1))
        _ = Self.subscribe(&harness)
        #expect(harness.advance(timeout * 2).executorKills.isEmpty)
    }

    @Test func aTaskGroupOnACustomExecutorGoesToItAsOneLaunchGroup() {
        var harness = Self.harness()
        var event = AgentEvent(type: .launch, term: 1)
        let tasks = ["g1", "g2"].map { id -> TaskInfo in
            var info = AgentHarness.task(id)
            info.command = nil
            return info
        }
        event.launch = AgentEvent.Launch(
            frameworkID: AgentHarness.framework, frameworkInfo: nil, tasks: tasks,
            executor: ExecutorInfo(executorID: Self.executorID, command: CommandInfo(value: "/usr/bin/my-executor")))
        let launched = harness.send(event)
        #expect(launched.executorLaunches.map(\.key) == [Self.key])
        #expect(launched.executorLaunches.first?.runsTaskGroups == false)
        #expect(launched.launches.isEmpty)
        let subscribed = Self.subscribe(&harness)
        #expect(subscribed.executorEvents.map(\.event.type) == [.subscribed, .launchGroup])
        #expect(subscribed.executorEvents.last?.event.launchGroup?.taskGroup.tasks.map(\.taskID) == ["g1", "g2"])
    }
}
