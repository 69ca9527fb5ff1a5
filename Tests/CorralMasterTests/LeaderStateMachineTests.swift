@testable import CorralMaster
import CorralModel
import Testing

/// The leader's timers and agent liveness under a manual clock: every reading is the start
/// plus a chosen duration, so nothing here waits or depends on the machine's speed.
@Suite("LeaderStateMachine")
struct LeaderStateMachineTests {
    typealias Effect = LeaderStateMachine.Effect
    let start = ContinuousClock.now
    let a = AgentID("agent-a")
    let b = AgentID("agent-b")

    /// Defaults but for round numbers: allocation every 1 s, scheduler heartbeats every 15 s,
    /// agent heartbeats every 5 s, update retries every 10 s, agent timeout 30 s, grace 60 s.
    func machine() -> LeaderStateMachine {
        LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: start)
    }

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }

    @Test func nothingIsDueWhileFollowing() {
        var core = machine()
        #expect(core.step(.tick, now: at(100)).isEmpty)
        _ = core.step(.elected(activeAgents: []), now: at(100))
        #expect(core.step(.tick, now: at(100)).contains(.allocate))
        _ = core.step(.steppedDown, now: at(101))
        #expect(core.step(.tick, now: at(200)).isEmpty)
    }

    @Test func timersFireAtTheirIntervalsAndNotBefore() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        #expect(core.step(.tick, now: at(0.5)) == [.checkClockDeadlines])
        #expect(core.step(.tick, now: at(1)) == [.allocate, .checkClockDeadlines])
        _ = core.step(.allocated, now: at(1))
        #expect(core.step(.tick, now: at(1.5)) == [.checkClockDeadlines], "allocated 0.5 s ago")
        _ = core.step(.allocated, now: at(4.9))
        #expect(core.step(.tick, now: at(5)) == [.heartbeatAgents, .checkClockDeadlines])
        #expect(!core.step(.tick, now: at(9.9)).contains(.heartbeatAgents))
        let ten = core.step(.tick, now: at(10))
        #expect(
            ten.contains(.heartbeatAgents) && ten.contains(.retryUpdates)
                && !ten.contains(.heartbeatSchedulers)
        )
        #expect(core.step(.tick, now: at(15)).contains(.heartbeatSchedulers))
    }

    @Test func aWantedAllocationRunsAtTheNextTick() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        _ = core.step(.allocated, now: at(0))
        #expect(!core.step(.tick, now: at(0.05)).contains(.allocate))
        _ = core.step(.allocationWanted, now: at(0.06))
        #expect(core.step(.tick, now: at(0.1)).contains(.allocate))
        _ = core.step(.allocated, now: at(0.1))
        #expect(!core.step(.tick, now: at(0.15)).contains(.allocate))
    }

    @Test func theClockIsCheckedAgainOnlyAfterATickWasProposed() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        #expect(core.step(.tick, now: at(0.3)).contains(.checkClockDeadlines))
        // Nothing was due: checked again at the next tick.
        #expect(core.step(.tick, now: at(0.35)).contains(.checkClockDeadlines))
        _ = core.step(.clockTicked, now: at(0.35))
        #expect(!core.step(.tick, now: at(0.5)).contains(.checkClockDeadlines))
        #expect(core.step(.tick, now: at(0.6)).contains(.checkClockDeadlines))
    }

    @Test func aSilentAgentIsDroppedAndProposedUnreachableAtOnce() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        _ = core.step(.agentSubscribed(a, streamID: "s1", ip: "10.0.0.1"), now: at(0))
        _ = core.step(.agentSubscribed(b, streamID: "s2", ip: nil), now: at(0))
        _ = core.step(.agentHeard(b), now: at(20))
        let due = core.step(.tick, now: at(30.5))
        #expect(due.contains(.dropAgent(a, streamID: "s1", silent: true)))
        #expect(due.contains(.proposeUnreachable(a)))
        #expect(
            !due.contains { if case .dropAgent(b, _, _) = $0 { true } else { false } },
            "b was heard at 20 s"
        )
        #expect(Set(core.agents.keys) == [b])
        #expect(!core.step(.tick, now: at(31)).contains(.proposeUnreachable(a)), "proposed once")
        #expect(core.step(.tick, now: at(50.5)).contains(.proposeUnreachable(b)))
    }

    @Test func anAgentWhoseStreamEndedHasTheTimeoutToComeBack() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        _ = core.step(.agentSubscribed(a, streamID: "s1", ip: nil), now: at(0))
        _ = core.step(.agentSubscribed(b, streamID: "s2", ip: nil), now: at(0))
        #expect(
            core.step(.agentStreamEnded(a, streamID: "old"), now: at(1)).isEmpty,
            "not a's current stream"
        )
        #expect(
            core.step(.agentStreamEnded(a, streamID: "s1"), now: at(1)) == [
                .dropAgent(a, streamID: "s1", silent: false)
            ]
        )
        #expect(
            core.step(.agentStreamEnded(b, streamID: "s2"), now: at(1)) == [
                .dropAgent(b, streamID: "s2", silent: false)
            ]
        )
        _ = core.step(.agentSubscribed(b, streamID: "s3", ip: nil), now: at(20))
        _ = core.step(.agentHeard(b), now: at(30))
        #expect(!core.step(.tick, now: at(30.9)).contains(.proposeUnreachable(a)))
        let due = core.step(.tick, now: at(31))
        #expect(due.contains(.proposeUnreachable(a)))
        #expect(!due.contains(.proposeUnreachable(b)), "b came back in time")
    }

    @Test func aNewLeaderGivesTheRegistrysActiveAgentsTheGrace() {
        var core = machine()
        _ = core.step(.elected(activeAgents: [a, b]), now: at(0))
        _ = core.step(.agentSubscribed(b, streamID: "s", ip: nil), now: at(40))
        _ = core.step(.agentHeard(b), now: at(59))
        #expect(!core.step(.tick, now: at(59.9)).contains(.proposeUnreachable(a)))
        let due = core.step(.tick, now: at(60))
        #expect(due.contains(.proposeUnreachable(a)))
        #expect(!due.contains(.proposeUnreachable(b)))
    }

    @Test func anAgentTheRegistryDeactivatedIsNotProposedAgain() {
        var core = machine()
        _ = core.step(.elected(activeAgents: [a]), now: at(0))
        _ = core.step(.agentSubscribed(b, streamID: "s", ip: nil), now: at(0))
        _ = core.step(.agentDeactivated(a), now: at(1))
        _ = core.step(.agentDeactivated(b), now: at(1))
        #expect(core.agents.isEmpty && core.awaiting.isEmpty)
        let due = core.step(.tick, now: at(100))
        #expect(!due.contains { if case .proposeUnreachable = $0 { true } else { false } })
        #expect(!due.contains { if case .dropAgent = $0 { true } else { false } })
    }

    @Test func steppingDownForgetsEveryAgent() {
        var core = machine()
        _ = core.step(.elected(activeAgents: [a]), now: at(0))
        _ = core.step(.agentSubscribed(b, streamID: "s", ip: nil), now: at(0))
        _ = core.step(.steppedDown, now: at(1))
        #expect(core.agents.isEmpty && core.awaiting.isEmpty && !core.leading)
        _ = core.step(.elected(activeAgents: []), now: at(2))
        #expect(
            !core.step(.tick, now: at(100)).contains {
                if case .proposeUnreachable = $0 { true } else { false }
            }
        )
    }

    // MARK: - Schedulers and status updates

    let framework = FrameworkID("f1")

    /// A running task of `framework` whose pending updates carry `uuids`, oldest first.
    func task(_ name: String, pending uuids: UInt8...) -> TaskRecord {
        let id = TaskID(name)
        let pending = uuids.map { TaskStatus(taskID: id, state: .running, uuid: [$0]) }
        return TaskRecord(
            key: TaskKey(framework, id),
            agentID: a,
            role: "*",
            info: TaskInfo(name: name, taskID: id, agentID: a, resources: [.scalar("cpus", 0.1)]),
            executor: nil,
            state: .running,
            status: TaskStatus(taskID: id, state: .running),
            pending: pending,
            recentUUIDs: [],
            launchedAtNanos: 0
        )
    }

    /// The UUIDs of the updates sent, in order.
    func sent(_ effects: [Effect]) -> [[UInt8]] {
        effects.compactMap { if case .sendUpdate(_, let status) = $0 { status.uuid } else { nil } }
    }

    @Test func eachUpdateGoesOutOnceUntilItIsResentOrTheSchedulerComesBack() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        #expect(
            sent(core.step(.taskChanged(task("t", pending: 1), resend: false), now: at(0))).isEmpty,
            "nobody to send to"
        )
        _ = core.step(.schedulerSubscribed(framework, streamID: "s1"), now: at(0))
        #expect(sent(core.step(.taskChanged(task("t", pending: 1), resend: false), now: at(1))) == [[1]])
        #expect(
            sent(core.step(.taskChanged(task("t", pending: 1, 2), resend: false), now: at(2))).isEmpty,
            "still the head"
        )
        #expect(
            sent(core.step(.taskChanged(task("t", pending: 1, 2), resend: true), now: at(3))) == [[1]],
            "a retry"
        )
        #expect(
            sent(core.step(.taskChanged(task("t", pending: 2), resend: false), now: at(4))) == [[2]],
            "acknowledged: the next"
        )
        _ = core.step(.schedulerSubscribed(framework, streamID: "s2"), now: at(5))
        #expect(
            sent(core.step(.taskChanged(task("t", pending: 2), resend: false), now: at(5))) == [[2]],
            "a new stream hears it again"
        )
        _ = core.step(.taskReleased(TaskKey(framework, TaskID("t"))), now: at(6))
        #expect(sent(core.step(.taskChanged(task("t", pending: 2), resend: false), now: at(6))) == [[2]])
    }

    @Test func onlyTheCurrentStreamsEndDropsTheScheduler() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        _ = core.step(.schedulerSubscribed(framework, streamID: "s1"), now: at(0))
        _ = core.step(.schedulerSubscribed(framework, streamID: "s2"), now: at(1))
        #expect(
            core.step(.schedulerStreamEnded(framework, streamID: "s1"), now: at(2)).isEmpty,
            "the failed-over stream"
        )
        #expect(core.schedulers[framework] == "s2")
        #expect(
            core.step(.schedulerStreamEnded(framework, streamID: "s2"), now: at(3)) == [
                .dropScheduler(framework, streamID: "s2")
            ]
        )
        #expect(core.schedulers.isEmpty)
        #expect(sent(core.step(.taskChanged(task("t", pending: 1), resend: true), now: at(4))).isEmpty)
        _ = core.step(.schedulerSubscribed(framework, streamID: "s3"), now: at(5))
        _ = core.step(.frameworkRemoved(framework), now: at(6))
        #expect(core.schedulers.isEmpty)
        #expect(
            core.step(.schedulerStreamEnded(framework, streamID: "s3"), now: at(7)).isEmpty,
            "already gone"
        )
    }

    @Test func aSchedulerSubscribingWantsAnAllocation() {
        var core = machine()
        _ = core.step(.elected(activeAgents: []), now: at(0))
        _ = core.step(.allocated, now: at(0))
        _ = core.step(.schedulerSubscribed(framework, streamID: "s1"), now: at(0.1))
        #expect(core.step(.tick, now: at(0.15)).contains(.allocate))
        _ = core.step(.steppedDown, now: at(1))
        #expect(core.schedulers.isEmpty)
    }
}
