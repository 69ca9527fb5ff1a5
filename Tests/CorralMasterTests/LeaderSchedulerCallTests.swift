@testable import CorralMaster
import CorralModel
import Testing

/// Scheduler calls other than SUBSCRIBE and ACCEPT, as steps of the leader's state machine:
/// the session check, what each call does and how it is answered.
@Suite("LeaderStateMachine scheduler calls")
struct LeaderSchedulerCallTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")
    /// f1's stream in `LeaderHarness.leading()`.
    let stream = LeaderHarness.id(1)

    func failed(_ call: CallID, _ code: MasterError.Code, _ message: String) -> H.Action {
        .reply(call, .failed(MasterError(code: code, message: message)))
    }

    /// Leading, with f1's task "running" (TASK_RUNNING, update [0xAB, 1] not acknowledged) and
    /// task "staging" on a1.
    func withTasks() throws -> LeaderHarness {
        var harness = try LeaderHarness.leading()
        let tasks = [Fixture.taskInfo("running"), Fixture.taskInfo("staging")]
        _ = harness.applyChanges(Fixture.launch("f1", tasks, at: harness.nanos()))
        _ = harness.applyChanges(Fixture.update("f1", "running", .running, uuid: 1, at: harness.nanos()))
        return harness
    }

    func killCall(_ task: String, policy: KillPolicy? = nil) -> SchedulerCall {
        var call = SchedulerCall(type: .kill, frameworkID: f1)
        call.kill = SchedulerCall.Kill(taskID: TaskID(task), killPolicy: policy)
        return call
    }

    @Test func callsMustComeFromTheSubscribedSchedulersStream() throws {
        var follower = LeaderHarness()
        let revive = SchedulerCall(type: .revive, frameworkID: f1)
        let (first, following) = follower.scheduler(revive, stream: "s")
        #expect(following == [failed(first, .notLeader, "this master is not the leader")])

        var harness = try LeaderHarness.leading()
        let (anonymous, noID) = harness.scheduler(SchedulerCall(type: .revive), stream: stream)
        #expect(noID == [failed(anonymous, .request, "the call has no framework_id")])
        let (headless, noStream) = harness.scheduler(revive, stream: nil)
        #expect(
            noStream == [
                failed(
                    headless,
                    .request,
                    "the Mesos-Stream-Id header is missing; send the one SUBSCRIBE returned"
                )
            ]
        )
        let (stranger, unknown) = harness.scheduler(
            SchedulerCall(type: .revive, frameworkID: FrameworkID("f9")),
            stream: stream
        )
        #expect(
            unknown == [
                failed(stranger, .forbidden, "framework f9 is not subscribed to this master; SUBSCRIBE first")
            ]
        )
        let (wrong, mismatch) = harness.scheduler(revive, stream: "other")
        #expect(
            mismatch == [
                failed(wrong, .request, "the Mesos-Stream-Id does not match framework f1's subscription")
            ]
        )
        let (again, resubscribe) = harness.scheduler(
            SchedulerCall(type: .subscribe, frameworkID: f1),
            stream: stream
        )
        #expect(
            resubscribe == [
                failed(again, .request, "SUBSCRIBE opens a stream; send it without Mesos-Stream-Id")
            ]
        )
        let (odd, unsupported) = harness.scheduler(
            SchedulerCall(type: SchedulerCall.Kind(rawValue: "SOMETHING_NEW"), frameworkID: f1),
            stream: stream
        )
        #expect(unsupported == [failed(odd, .request, "call type SOMETHING_NEW is not supported")])
        let (empty, missing) = harness.scheduler(
            SchedulerCall(type: .decline, frameworkID: f1),
            stream: stream
        )
        #expect(missing == [failed(empty, .request, "the call's \"decline\" field is missing")])
        let (ok, done) = harness.scheduler(revive, stream: stream)
        #expect(done == [.reply(ok, .done)])
    }

    @Test func declineTakesTheOfferBackAndFiltersItsResources() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        #expect(Set(harness.core.offers.keys) == [offer.id])
        let (unknown, ignored) = harness.scheduler(
            .decline(f1, offerIDs: [MesosOfferID("3-O99")]),
            stream: stream
        )
        #expect(ignored == [.reply(unknown, .done)] && harness.core.offers.count == 1)
        let (call, declined) = harness.scheduler(.decline(f1, offerIDs: [offer.id]), stream: stream)
        #expect(declined == [.reply(call, .done)])
        #expect(harness.core.offers.isEmpty)
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).isEmpty, "refused for the default 5 s")
        harness.advance(.seconds(4))
        let again = H.offers(harness.tick())
        #expect(again.count == 1 && again.first?.id != offer.id)
    }

    @Test func acknowledgeIsProposedAndAnsweredAtOnce() throws {
        var harness = try withTasks()
        let ack = SchedulerCall.acknowledge(f1, agentID: a1, taskID: TaskID("running"), uuid: [0xAB, 1])
        let (call, actions) = harness.scheduler(ack, stream: stream)
        #expect(
            actions == [
                .propose(.acknowledge(frameworkID: f1, taskID: TaskID("running"), uuid: [0xAB, 1])),
                .reply(call, .done),
            ]
        )
        let (bare, refused) = harness.scheduler(
            SchedulerCall(type: .acknowledge, frameworkID: f1),
            stream: stream
        )
        #expect(refused == [failed(bare, .request, "the call's \"acknowledge.uuid\" field is missing")])
    }

    @Test func reconcileAnswersFromTheRegistryWithoutUUIDs() throws {
        var harness = try withTasks()
        var call = SchedulerCall(type: .reconcile, frameworkID: f1)
        call.reconcile = SchedulerCall.Reconcile(tasks: [
            .init(taskID: TaskID("running")), .init(taskID: TaskID("ghost")),
        ])
        let (id, actions) = harness.scheduler(call, stream: stream)
        let answers = H.updates(actions)
        #expect(answers.map(\.taskID.value) == ["running", "ghost"] && actions.last == .reply(id, .done))
        #expect(answers.map(\.state) == [.running, .unknown])
        #expect(answers.allSatisfy { $0.uuid == nil && $0.reason == .reconciliation && $0.source == .master })
        var all = SchedulerCall(type: .reconcile, frameworkID: f1)
        all.reconcile = SchedulerCall.Reconcile()
        let (_, every) = harness.scheduler(all, stream: stream)
        #expect(H.updates(every).map(\.taskID.value) == ["running", "staging"])
        #expect(H.updates(every).map(\.state) == [.running, .staging])
        // The agent becomes unreachable: f1 is not PARTITION_AWARE, so it hears TASK_LOST again.
        _ = harness.applyChanges(.agentUnreachable(id: a1, atNanos: harness.nanos()))
        #expect(harness.driver.task("f1", "running")?.state == .unreachable)
        let (_, lost) = harness.scheduler(all, stream: stream)
        #expect(H.updates(lost).map(\.state) == [.lost, .lost])
    }

    @Test func killTellsAConnectedAgentUnderTheLeadersTerm() throws {
        var harness = try withTasks()
        let policy = KillPolicy(gracePeriod: DurationInfo(nanoseconds: 3_000_000_000))
        let (call, actions) = harness.scheduler(killCall("running", policy: policy), stream: stream)
        var event = AgentEvent(type: .kill, term: 3)
        event.kill = AgentEvent.Kill(frameworkID: f1, taskID: TaskID("running"), killPolicy: policy)
        #expect(actions == [.toAgent(a1, event), .reply(call, .done)])
    }

    @Test func killEndsAStagingTaskOfADisconnectedAgentByACommittedUpdate() throws {
        var harness = try withTasks()
        let dropped = harness.step(.agentStreamEnded(a1, streamID: H.id(2)))
        #expect(dropped.contains(.closeAgent(a1, last: nil)) && harness.core.agents[a1] == nil)
        let (call, actions) = harness.scheduler(killCall("staging"), stream: stream)
        let status = TaskStatus(
            taskID: TaskID("staging"),
            state: .killed,
            message: "killed before its agent was told to launch it",
            source: .master,
            reason: .taskKilledDuringLaunch,
            agentID: a1,
            uuid: H.uuidBytes(3)
        )
        let at = harness.nanos()
        #expect(
            actions == [
                .propose(.statusUpdate(frameworkID: f1, status: status, atNanos: at)), .reply(call, .done),
            ]
        )
        // Committed like any update: the scheduler hears TASK_KILLED with that UUID.
        guard case .propose(let command) = actions[0] else { return }
        let heard = H.updates(harness.applyChanges(command))
        #expect(heard.map(\.state) == [.killed] && heard.first?.uuid == H.uuidBytes(3))
        // A running task of an agent that is away waits for the agent.
        let (waiting, wait) = harness.scheduler(killCall("running"), stream: stream)
        #expect(wait == [.reply(waiting, .done)])
    }

    @Test func killOfAnEndedOrUnknownTaskAnswersWhatTheRegistryKnows() throws {
        var harness = try withTasks()
        _ = harness.applyChanges(Fixture.update("f1", "running", .finished, uuid: 2, at: harness.nanos()))
        _ = harness.applyChanges(Fixture.ack("f1", "running", uuid: [0xAB, 1]))
        _ = harness.applyChanges(Fixture.ack("f1", "running", uuid: [0xAB, 2]))
        #expect(harness.driver.task("f1", "running") == nil, "completed")
        let (call, ended) = harness.scheduler(killCall("running"), stream: stream)
        #expect(H.updates(ended).map(\.state) == [.finished] && ended.last == .reply(call, .done))
        #expect(H.updates(ended).first?.uuid == nil && H.updates(ended).first?.reason == .reconciliation)
        #expect(H.agentEvents(ended, .kill).isEmpty)
        let (_, unknown) = harness.scheduler(killCall("never"), stream: stream)
        let lost = H.updates(unknown)
        #expect(lost.map(\.state) == [.lost] && lost.first?.message == "the task is not known")
    }

    @Test func teardownIsCommittedThenAnswered() throws {
        var harness = try withTasks()
        let (call, asked) = harness.scheduler(SchedulerCall(type: .teardown, frameworkID: f1), stream: stream)
        let (late, second) = harness.scheduler(
            SchedulerCall(type: .teardown, frameworkID: f1),
            stream: stream
        )
        let at = harness.nanos()
        #expect(
            asked == [
                .commit(
                    .removeFramework(id: f1, atNanos: at),
                    then: .answer(call, what: "the call", refusals: .request)
                )
            ]
        )
        let decided = H.effects(try harness.commit(asked))
        var shutdown = AgentEvent(type: .shutdownFramework, term: 3)
        shutdown.shutdownFramework = AgentEvent.ShutdownFramework(frameworkID: f1)
        var removed = SchedulerEvent(type: .error)
        removed.error = SchedulerEvent.ErrorPayload(message: "Framework has been removed")
        #expect(decided == [.toAgent(a1, shutdown), .closeScheduler(f1, last: removed), .reply(call, .done)])
        #expect(harness.core.schedulers[f1] == nil && harness.driver.registry.frameworks[f1] == nil)
        // The second TEARDOWN, checked before the first was committed, is refused by the registry.
        #expect(try harness.commit(second) == [failed(late, .request, "framework f1 is not registered")])
    }

    @Test func updateFrameworkMustNameTheCallersFramework() throws {
        var harness = try LeaderHarness.leading()
        var other = Fixture.frameworkInfo("f2")
        var call = SchedulerCall(type: .updateFramework, frameworkID: f1)
        call.updateFramework = SchedulerCall.UpdateFramework(frameworkInfo: other)
        let (wrong, refused) = harness.scheduler(call, stream: stream)
        #expect(
            refused == [
                failed(
                    wrong,
                    .request,
                    "update_framework.framework_info.id must be the caller's framework_id"
                )
            ]
        )
        other.id = f1
        other.roles = ["web", "batch"]
        call.updateFramework = SchedulerCall.UpdateFramework(frameworkInfo: other, suppressedRoles: ["batch"])
        let (id, asked) = harness.scheduler(call, stream: stream)
        let at = harness.nanos()
        #expect(
            asked == [
                .commit(
                    .updateFramework(info: other, atNanos: at),
                    then: .frameworkUpdated(id, info: other, suppressed: ["batch"])
                )
            ]
        )
        #expect(try harness.commit(asked) == [.reply(id, .done)])
        #expect(harness.driver.registry.frameworks[f1]?.info.roles == ["web", "batch"])
    }
}
