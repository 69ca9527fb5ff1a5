@testable import CorralMaster
import CorralModel
import CorralReplication
import Testing

/// A scheduler's SUBSCRIBE as steps of the leader's state machine: checked, committed, and
/// answered with a stream only once the registry has the framework.
@Suite("LeaderStateMachine scheduler SUBSCRIBE")
struct LeaderSubscribeTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let wall = LeaderHarness.wallAtStart

    func subscribe(_ info: FrameworkInfo, on harness: inout LeaderHarness) -> (CallID, [H.Action]) {
        harness.call { $0.subscribe(SchedulerCall.Subscribe(frameworkInfo: info), id: $1, in: $2) }
    }

    func failed(_ call: CallID, _ code: MasterError.Code, _ message: String) -> H.Action {
        .reply(call, .failed(MasterError(code: code, message: message)))
    }

    /// A fresh framework's info: no ID, so the leader makes one.
    func newFramework() -> FrameworkInfo {
        var info = Fixture.frameworkInfo("new")
        info.id = nil
        return info
    }

    @Test func aFollowerAnswersNotLeader() {
        var harness = LeaderHarness()
        let (call, actions) = subscribe(newFramework(), on: &harness)
        #expect(actions == [.reply(call, .failed(LeaderStateMachine.notLeading))])
        #expect(actions == [failed(call, .notLeader, "this master is not the leader")])
    }

    @Test func badFrameworkInfoIsRefusedWithoutACommit() {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        var nameless = newFramework()
        nameless.name = ""
        let (first, unnamed) = subscribe(nameless, on: &harness)
        #expect(unnamed == [failed(first, .request, "framework_info.name is empty")])
        for role in ["-web", "a/../b", "web/", "", "has space"] {
            var info = newFramework()
            info.roles = ["web", role]
            let (call, actions) = subscribe(info, on: &harness)
            #expect(actions == [failed(call, .request, "role \"\(role)\" is not a valid role name")])
        }
        #expect(harness.driver.index == 0, "nothing was committed")
    }

    @Test func aNewFrameworkIsCommittedThenGetsItsStream() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        let (call, asked) = subscribe(newFramework(), on: &harness)
        var registered = newFramework()
        let id = FrameworkID("\(H.id(1))-0000")
        registered.id = id
        #expect(
            asked == [
                .commit(
                    .subscribeFramework(info: registered, atNanos: wall),
                    then: .schedulerSubscribed(call, term: 3, info: registered, suppressed: [])
                )
            ]
        )
        #expect(harness.core.schedulers.isEmpty, "no stream before the commit")

        let decided = try harness.commit(asked)
        var failedOver = SchedulerEvent(type: .error)
        failedOver.error = SchedulerEvent.ErrorPayload(message: "Framework failed over")
        var subscribed = SchedulerEvent(type: .subscribed)
        subscribed.subscribed = SchedulerEvent.Subscribed(
            frameworkID: id,
            heartbeatIntervalSeconds: 15,
            masterInfo: MasterInfo(id: "master-1")
        )
        let stream = H.id(2)
        #expect(
            H.effects(decided) == [
                .closeScheduler(id, last: failedOver),
                .openScheduler(id, streamID: stream, first: subscribed),
                .reply(call, .schedulerStream(id, streamID: stream)),
            ]
        )
        #expect(harness.core.schedulers == [id: stream])
        #expect(harness.driver.registry.frameworks[id]?.state == .active)
    }

    @Test func aRegistryRefusalIsForbidden() throws {
        var harness = try LeaderHarness.leading()
        _ = harness.applyChanges(.removeFramework(id: f1, atNanos: harness.nanos()))
        let (call, asked) = subscribe(Fixture.frameworkInfo("f1"), on: &harness)
        #expect(H.commands(asked).count == 1)
        let decided = try harness.commit(asked)
        #expect(
            decided == [
                failed(
                    call,
                    .forbidden,
                    "framework f1 has been removed; subscribe without an ID to start anew"
                )
            ]
        )
        #expect(harness.core.schedulers[f1] == nil)
    }

    @Test func aFailedCommitIsAnsweredAsTheReplicationErrorSays() throws {
        let cases: [(any Error, MasterError.Code, String)] = [
            (
                ReplicationError(code: .notLeader, operation: "propose", message: "deposed"), .notLeader,
                "leadership changed; retry on the leader"
            ),
            (
                ReplicationError(code: .outcomeUnknown, operation: "propose", message: "lost office"),
                .outcomeUnknown,
                "the subscription may or may not have been committed: leadership changed before its outcome "
                    + "was known; read the state before retrying"
            ),
            (
                ReplicationError(code: .unavailable, operation: "propose", message: "no quorum"),
                .unavailable,
                "the subscription was not committed; retry"
            ),
            (
                ReplicationError(code: .tooLarge, operation: "propose", message: "too big"), .tooLarge,
                "too big"
            ),
            (H.HarnessError(message: "disk"), .unavailable, "the subscription was not committed; retry"),
        ]
        for (error, code, message) in cases {
            var harness = LeaderHarness()
            _ = harness.elect(term: 3)
            let (call, asked) = subscribe(newFramework(), on: &harness)
            #expect(try harness.fail(asked, with: error) == [failed(call, code, message)], "\(error)")
            #expect(harness.core.schedulers.isEmpty)
        }
    }

    @Test func aTermChangeBeforeTheOutcomeIsNotLeader() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        let (call, asked) = subscribe(newFramework(), on: &harness)
        harness.core.stepDown(allocator: makeAllocator(AllocatorConfiguration()), now: harness.now)
        _ = harness.elect(term: 4)
        let decided = try harness.commit(asked)
        #expect(decided == [failed(call, .notLeader, "leadership changed; retry")])
        #expect(harness.core.schedulers.isEmpty, "no stream opened under the new term")

        var deposed = LeaderHarness()
        _ = deposed.elect(term: 3)
        let (other, pending) = subscribe(newFramework(), on: &deposed)
        deposed.core.stepDown(allocator: makeAllocator(AllocatorConfiguration()), now: deposed.now)
        #expect(try deposed.commit(pending) == [failed(other, .notLeader, "leadership changed; retry")])
    }

    @Test func aFailedOverSchedulerReplacesTheOldStreamAndHearsItsPendingUpdates() throws {
        var harness = try LeaderHarness.leading()
        let old = H.id(1)
        #expect(harness.core.schedulers[f1] == old)
        var task = Fixture.taskInfo("t1")
        task.command = .shell("true")
        _ = harness.applyChanges(Fixture.launch("f1", [task], at: harness.nanos()))
        let running = harness.applyChanges(Fixture.update("f1", "t1", .running, uuid: 1, at: harness.nanos()))
        #expect(H.updates(running).map(\.state) == [.running], "sent once while connected")
        let offered = H.offers(harness.tick())
        #expect(offered.count == 1 && harness.core.offers.count == 1)

        let (call, asked) = subscribe(Fixture.frameworkInfo("f1"), on: &harness)
        let decided = H.effects(try harness.commit(asked))
        let stream = H.id(3)
        guard decided.count == 4, case .closeScheduler(f1, let last) = decided[0],
            case .openScheduler(f1, stream, let first) = decided[1]
        else {
            Issue.record("the old stream closes and a new one opens: \(decided)")
            return
        }
        #expect(last?.error?.message == "Framework failed over")
        #expect(first.type == .subscribed && first.subscribed?.frameworkID == f1)
        #expect(H.updates([decided[2]]).map(\.uuid) == [[0xAB, 1]], "the unacknowledged update again")
        #expect(decided[3] == .reply(call, .schedulerStream(f1, streamID: stream)))
        #expect(harness.core.schedulers[f1] == stream && harness.core.offers.isEmpty, "its offer went back")
        // The old stream no longer carries calls; the offer is made again under a new ID.
        let (stale, refused) = harness.scheduler(SchedulerCall(type: .revive, frameworkID: f1), stream: old)
        let mismatch = "the Mesos-Stream-Id does not match framework f1's subscription"
        #expect(refused == [failed(stale, .request, mismatch)])
        let again = H.offers(harness.tick())
        #expect(again.count == 1 && again.first?.id != offered.first?.id)
    }

    @Test func suppressedRolesGetNoOffers() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f1"), suppressed: ["web"])
        _ = try harness.subscribeAgent(Fixture.agentInfo("a1"))
        #expect(H.offers(harness.tick()).isEmpty)
        let (_, revived) = harness.scheduler(SchedulerCall(type: .revive, frameworkID: f1), stream: H.id(1))
        #expect(revived.last.map { if case .reply(_, .done) = $0 { true } else { false } } == true)
        let offers = H.offers(harness.tick())
        #expect(offers.count == 1 && offers.first?.agentID == AgentID("a1"))
        #expect(offers.first.flatMap { Resources($0.resources).cpus } == 4)
    }
}
