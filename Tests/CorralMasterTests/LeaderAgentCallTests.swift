@testable import CorralMaster
import CorralModel
import CorralReplication
import Testing

/// Agent calls other than SUBSCRIBE, and the operator's KILL_TASK, as steps of the leader's
/// state machine.
@Suite("LeaderStateMachine agent calls")
struct LeaderAgentCallTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")
    /// a1's stream in `LeaderHarness.leading()`.
    let stream = LeaderHarness.id(2)

    func failed(_ call: CallID, _ code: MasterError.Code, _ message: String) -> H.Action {
        .reply(call, .failed(MasterError(code: code, message: message)))
    }

    /// Leading, with f1's task "t1" staging on a1.
    func withTask() throws -> LeaderHarness {
        var harness = try LeaderHarness.leading()
        _ = harness.applyChanges(Fixture.launch("f1", [Fixture.taskInfo("t1")], at: harness.nanos()))
        return harness
    }

    func update(_ task: String, _ state: TaskState, uuid: [UInt8]? = [7, 7]) -> AgentCall {
        var call = AgentCall(type: .update, agentID: a1)
        call.update = AgentCall.TaskReport(
            frameworkID: f1,
            status: TaskStatus(taskID: TaskID(task), state: state, uuid: uuid)
        )
        return call
    }

    @Test func callsMustComeOnTheAgentsCurrentStream() throws {
        var follower = LeaderHarness()
        let (first, following) = follower.agent(AgentCall(type: .heartbeat, agentID: a1), stream: "s")
        #expect(following == [failed(first, .notLeader, "this master is not the leader")])
        var harness = try LeaderHarness.leading()
        let (wrong, refused) = harness.agent(AgentCall(type: .heartbeat, agentID: a1), stream: "old")
        #expect(
            refused == [
                failed(
                    wrong,
                    .forbidden,
                    "agent a1 is not subscribed to this master with that stream; SUBSCRIBE again"
                )
            ]
        )
        let (anonymous, noID) = harness.agent(AgentCall(type: .heartbeat), stream: stream)
        #expect(noID == [failed(anonymous, .request, "the call has no agent_id")])
        let (bare, noUUID) = harness.agent(update("t1", .running, uuid: nil), stream: stream)
        #expect(noUUID == [failed(bare, .request, "a status update from an agent needs a uuid")])
        #expect(harness.driver.index == 2, "nothing committed beyond the two subscriptions")
    }

    @Test func aHeartbeatIsDoneAndKeepsTheAgentAlive() throws {
        var harness = try LeaderHarness.leading()
        harness.advance(.seconds(25))
        let (call, actions) = harness.agent(AgentCall(type: .heartbeat, agentID: a1), stream: stream)
        #expect(actions == [.reply(call, .done)])
        #expect(harness.core.agents[a1]?.lastSeen == harness.now)
        harness.advance(.seconds(10))
        #expect(
            !harness.tick().contains(.closeAgent(a1, last: nil)),
            "heard 10 s ago: within the 30 s timeout"
        )
        #expect(harness.core.agents[a1] != nil)
        harness.advance(.seconds(21))
        #expect(harness.tick().contains(.closeAgent(a1, last: nil)), "silent for 31 s")
    }

    @Test func anUpdateIsCommittedThenForwardedAndAnswered() throws {
        var harness = try withTask()
        let (call, asked) = harness.agent(update("t1", .running), stream: stream)
        let at = harness.nanos()
        let committed = TaskStatus(
            taskID: TaskID("t1"),
            state: .running,
            source: .executor,
            agentID: a1,
            uuid: [7, 7]
        )
        #expect(
            asked == [
                .commit(
                    .statusUpdate(frameworkID: f1, status: committed, atNanos: at),
                    then: .answer(call, what: "the update", refusals: nil)
                )
            ]
        )
        let decided = try harness.commit(asked)
        let forwarded = H.updates(decided)
        #expect(forwarded.map(\.state) == [.running] && forwarded.first?.uuid == [7, 7])
        #expect(decided.last == .reply(call, .done))
        #expect(harness.driver.task("f1", "t1")?.state == .running)
    }

    @Test func anUpdateTheRegistryRefusesIsStillDone() throws {
        var harness = try withTask()
        let (call, asked) = harness.agent(update("ghost", .running), stream: stream)
        #expect(try harness.commit(asked) == [.reply(call, .done)])
        #expect(
            harness.lastOutcome?.error?.contains("is not known") == true,
            "refused: \(String(describing: harness.lastOutcome))"
        )
    }

    @Test func anUpdateThatWasNotCommittedFails() throws {
        var harness = try withTask()
        let (call, asked) = harness.agent(update("t1", .running), stream: stream)
        let deposed = ReplicationError(code: .notLeader, operation: "propose", message: "deposed")
        #expect(
            try harness.fail(asked, with: deposed) == [
                failed(call, .notLeader, "leadership changed; retry on the leader")
            ]
        )
        let busy = ReplicationError(code: .unavailable, operation: "propose", message: "no quorum")
        #expect(
            try harness.fail(asked, with: busy) == [
                failed(call, .unavailable, "the update was not committed; retry")
            ]
        )
    }

    @Test func resourcesAreCommittedAndMessagesForwarded() throws {
        var harness = try LeaderHarness.leading()
        var resize = AgentCall(type: .updateResources, agentID: a1)
        resize.updateResources = AgentCall.UpdateResources(resources: [
            .scalar("cpus", 2), .scalar("mem", 512),
        ])
        let (call, asked) = harness.agent(resize, stream: stream)
        let at = harness.nanos()
        #expect(
            asked == [
                .commit(
                    .updateAgentResources(
                        id: a1,
                        resources: [.scalar("cpus", 2), .scalar("mem", 512)],
                        atNanos: at
                    ),
                    then: .answer(call, what: "the change", refusals: nil)
                )
            ]
        )
        #expect(try harness.commit(asked).last == .reply(call, .done))
        #expect(H.offers(harness.tick()).first.flatMap { Resources($0.resources).cpus } == 2)

        var message = AgentCall(type: .message, agentID: a1)
        message.message = AgentCall.FrameworkMessage(
            frameworkID: f1,
            executorID: ExecutorID("e1"),
            data: [1, 2]
        )
        let (sent, forwarded) = harness.agent(message, stream: stream)
        var event = SchedulerEvent(type: .message)
        event.message = SchedulerEvent.Message(agentID: a1, executorID: ExecutorID("e1"), data: [1, 2])
        #expect(forwarded == [.toScheduler(f1, event), .reply(sent, .done)])
    }

    @Test func operatorKillNeedsExactlyOneLiveTask() throws {
        var follower = LeaderHarness()
        let context = follower.context
        let notLeading = #expect(throws: MasterError.self) {
            try follower.core.operatorKill(TaskID("t"), frameworkID: nil, in: context)
        }
        #expect(notLeading?.code == .notLeader)

        var harness = try LeaderHarness.leading()
        _ = harness.applyChanges(
            .subscribeFramework(info: Fixture.frameworkInfo("f2"), atNanos: harness.nanos())
        )
        _ = harness.applyChanges(Fixture.launch("f1", [Fixture.taskInfo("t")], at: harness.nanos()))
        _ = harness.applyChanges(Fixture.launch("f2", [Fixture.taskInfo("t")], at: harness.nanos()))
        let now = harness.context
        let unknown = #expect(throws: MasterError.self) {
            try harness.core.operatorKill(TaskID("ghost"), frameworkID: nil, in: now)
        }
        #expect(unknown?.code == .notFound && unknown?.message == "no live task ghost is known")
        let elsewhere = #expect(throws: MasterError.self) {
            try harness.core.operatorKill(TaskID("ghost"), frameworkID: f1, in: now)
        }
        #expect(elsewhere?.message == "no live task ghost of framework f1 is known")
        let ambiguous = #expect(throws: MasterError.self) {
            try harness.core.operatorKill(TaskID("t"), frameworkID: nil, in: now)
        }
        #expect(ambiguous?.code == .request)
        #expect(ambiguous?.message == "task ID t is live in 2 frameworks; give kill_task.framework_id")

        let (key, actions) = try harness.core.operatorKill(
            TaskID("t"),
            frameworkID: FrameworkID("f2"),
            in: now
        )
        var kill = AgentEvent(type: .kill, term: 3)
        kill.kill = AgentEvent.Kill(frameworkID: FrameworkID("f2"), taskID: TaskID("t"))
        #expect(key == Fixture.key("f2", "t") && actions == [.toAgent(a1, kill)])
        // Once f2's task has ended, f1's is the only live one.
        _ = harness.applyChanges(Fixture.update("f2", "t", .failed, uuid: 1, at: harness.nanos()))
        let later = harness.context
        #expect(
            try harness.core.operatorKill(TaskID("t"), frameworkID: nil, in: later).0
                == Fixture.key("f1", "t")
        )
    }
}
