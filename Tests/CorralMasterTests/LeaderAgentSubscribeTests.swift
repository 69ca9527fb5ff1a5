@testable import CorralMaster
import CorralModel
import CorralReplication
import Testing

/// An agent's SUBSCRIBE as steps of the leader's state machine: admitted or re-registered by a
/// commit, then its stream opens and it hears what it missed.
@Suite("LeaderStateMachine agent SUBSCRIBE")
struct LeaderAgentSubscribeTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")

    func subscribe(
        _ info: AgentInfo,
        tasks: [AgentCall.TaskReport] = [],
        highestTerm: UInt64 = 3,
        version: Int = 1,
        on harness: inout LeaderHarness
    ) -> (CallID, [H.Action]) {
        let subscribe = AgentCall.Subscribe(
            agentInfo: info,
            tasks: tasks,
            highestTerm: highestTerm,
            version: version
        )
        return harness.call { $0.subscribeAgent(subscribe, ip: "10.0.0.9", id: $1, in: $2) }
    }

    func failed(_ call: CallID, _ code: MasterError.Code, _ message: String) -> H.Action {
        .reply(call, .failed(MasterError(code: code, message: message)))
    }

    func report(_ task: String, _ state: TaskState) -> AgentCall.TaskReport {
        AgentCall.TaskReport(frameworkID: f1, status: TaskStatus(taskID: TaskID(task), state: state))
    }

    /// VOLUMES with no volume, as an agent hears after SUBSCRIBED when it has none.
    func volumes(_ id: AgentID) -> H.Action {
        var event = AgentEvent(type: .volumes, term: 3)
        event.volumes = AgentEvent.Volumes(volumes: [])
        return .toAgent(id, event)
    }

    func subscribed(_ id: AgentID, term: UInt64 = 3) -> AgentEvent {
        var event = AgentEvent(type: .subscribed, term: term)
        event.subscribed = AgentEvent.Subscribed(agentID: id, heartbeatIntervalSeconds: 5)
        return event
    }

    @Test func subscriptionsThisLeaderMustNotTakeAreRefusedWithoutACommit() {
        var follower = LeaderHarness()
        let (first, following) = subscribe(Fixture.agentInfo("a1"), on: &follower)
        #expect(following == [failed(first, .notLeader, "this master is not the leader")])
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        let (second, version) = subscribe(Fixture.agentInfo("a1"), version: 2, on: &harness)
        #expect(
            version == [
                failed(second, .request, "agent protocol version 2 is not supported; this master speaks 1")
            ]
        )
        let (third, newer) = subscribe(Fixture.agentInfo("a1"), highestTerm: 4, on: &harness)
        #expect(newer == [failed(third, .notLeader, "the agent has seen term 4, newer than this leader's 3")])
        var nameless = Fixture.agentInfo("a1")
        nameless.hostname = ""
        let (fourth, unnamed) = subscribe(nameless, on: &harness)
        #expect(unnamed == [failed(fourth, .request, "agent_info.hostname is empty")])
        #expect(harness.driver.index == 0 && harness.core.agents.isEmpty)
    }

    @Test func aNewAgentIsAdmittedUnderAGeneratedIDAndOffered() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f1"))
        var info = Fixture.agentInfo("ignored")
        info.id = nil
        let (call, asked) = subscribe(info, on: &harness)
        let id = AgentID("\(H.id(2))-S0")
        var admitted = info
        admitted.id = id
        #expect(
            asked == [
                .commit(
                    .admitAgent(info: admitted, atNanos: H.wallAtStart, ip: "10.0.0.9"),
                    then: .agentSubscribed(call, term: 3, info: admitted, reported: [], ip: "10.0.0.9")
                )
            ]
        )
        #expect(harness.driver.registry.agents[id] == nil && harness.core.agents.isEmpty)

        let stream = H.id(3)
        #expect(
            H.effects(try harness.commit(asked)) == [
                .closeAgent(id, last: nil), .openAgent(id, streamID: stream, first: subscribed(id)), volumes(id),
                .reply(call, .agentStream(id, streamID: stream)),
            ]
        )
        #expect(harness.core.agents[id]?.streamID == stream && harness.core.agents[id]?.ip == "10.0.0.9")
        let offers = H.offers(harness.tick())
        #expect(offers.map(\.agentID) == [id] && offers.map(\.hostname) == ["ignored.example"])
    }

    @Test func aKnownAgentReregistersWithWhatItReports() throws {
        var harness = try LeaderHarness.leading()
        let old = try #require(harness.core.agents[a1]?.streamID)
        let reports = [report("t9", .running)]
        let (call, asked) = subscribe(Fixture.agentInfo("a1"), tasks: reports, on: &harness)
        let at = harness.nanos()
        #expect(
            asked == [
                .commit(
                    .reregisterAgent(info: Fixture.agentInfo("a1"), reported: reports, atNanos: at, ip: "10.0.0.9"),
                    then: .agentSubscribed(
                        call,
                        term: 3,
                        info: Fixture.agentInfo("a1"),
                        reported: [Fixture.key("f1", "t9")],
                        ip: "10.0.0.9"
                    )
                )
            ]
        )
        let decided = try harness.commit(asked)
        let stream = H.id(3)
        #expect(decided.contains(.openAgent(a1, streamID: stream, first: subscribed(a1))))
        #expect(decided.last == .reply(call, .agentStream(a1, streamID: stream)))
        #expect(harness.core.agents[a1]?.streamID == stream && stream != old)
        let (stale, refused) = harness.agent(AgentCall(type: .heartbeat, agentID: a1), stream: old)
        #expect(
            refused == [
                failed(
                    stale,
                    .forbidden,
                    "agent a1 is not subscribed to this master with that stream; SUBSCRIBE again"
                )
            ]
        )
    }

    @Test func aReregisteredAgentHearsTheLaunchesItMissedAndKillsForWhatEnded() throws {
        var harness = try LeaderHarness.leading()
        let tasks = ["staged", "told", "known", "done"].map { Fixture.taskInfo($0, mem: 64) }
        _ = harness.applyChanges(Fixture.launch("f1", tasks, at: harness.nanos()))
        _ = harness.applyChanges(Fixture.update("f1", "known", .running, uuid: 1, at: harness.nanos()))
        _ = harness.applyChanges(Fixture.update("f1", "done", .finished, uuid: 2, at: harness.nanos()))
        let reports = [
            report("told", .staging), report("known", .running), report("done", .finished),
            report("stranger", .running),
        ]
        let (call, asked) = subscribe(Fixture.agentInfo("a1"), tasks: reports, on: &harness)
        let decided = H.effects(try harness.commit(asked))
        let opened = try #require(decided.firstIndex { if case .openAgent = $0 { true } else { false } })
        var launch = AgentEvent(type: .launch, term: 3)
        let staged = try #require(harness.driver.task("f1", "staged"))
        launch.launch = AgentEvent.Launch(
            frameworkID: f1,
            frameworkInfo: harness.driver.registry.frameworks[f1]?.info,
            tasks: [staged.info],
            executor: nil
        )
        func kill(_ task: String) -> H.Action {
            var event = AgentEvent(type: .kill, term: 3)
            event.kill = AgentEvent.Kill(frameworkID: f1, taskID: TaskID(task))
            return .toAgent(a1, event)
        }
        #expect(
            Array(decided[(opened + 1)...]) == [
                volumes(a1), .toAgent(a1, launch), kill("done"), kill("stranger"),
                .reply(call, .agentStream(a1, streamID: H.id(3))),
            ]
        )
        #expect(
            Set(harness.core.charges.keys) == Set(["staged", "told", "known"].map { Fixture.key("f1", $0) }),
            "the live tasks hold their resources in the allocator"
        )
    }

    @Test func aReregistrationTheRegistryRefusesIsForbidden() throws {
        var harness = try LeaderHarness.leading()
        let gone = harness.applyChanges(.markAgentGone(id: a1, atNanos: harness.nanos()))
        #expect(gone.contains { if case .closeAgent(self.a1, _) = $0 { true } else { false } })
        let (call, asked) = subscribe(Fixture.agentInfo("a1"), on: &harness)
        #expect(try harness.commit(asked) == [failed(call, .forbidden, "agent a1 was marked gone")])
        #expect(harness.core.agents[a1] == nil)
    }

    @Test func aFailedOrOutdatedRegistrationOpensNoStream() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        let (first, asked) = subscribe(Fixture.agentInfo("a1"), on: &harness)
        let unknown = ReplicationError(code: .outcomeUnknown, operation: "propose", message: "lost office")
        #expect(
            try harness.fail(asked, with: unknown) == [
                failed(
                    first,
                    .outcomeUnknown,
                    "the registration may or may not have been committed: leadership changed before its "
                        + "outcome was known; read the state before retrying"
                )
            ]
        )
        let deposed = ReplicationError(code: .notLeader, operation: "propose", message: "deposed")
        #expect(
            try harness.fail(asked, with: deposed) == [
                failed(first, .notLeader, "leadership changed; retry on the leader")
            ]
        )
        let (second, again) = subscribe(Fixture.agentInfo("a1"), on: &harness)
        harness.core.stepDown(allocator: makeAllocator(AllocatorConfiguration()), now: harness.now)
        _ = harness.elect(term: 4)
        #expect(try harness.commit(again) == [failed(second, .notLeader, "leadership changed; retry")])
        #expect(harness.core.agents.isEmpty)
    }
}
