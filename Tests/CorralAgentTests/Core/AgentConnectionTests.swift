import CorralAgent
import CorralModel
import Testing

@Suite struct AgentConnectionTests {
    @Test func theFirstSubscribeIsImmediateAndCarriesWhatTheAgentKnows() {
        var recovered = AgentCheckpointState(agentID: "agent-9", highestTerm: 6)
        let key = AgentHarness.key("t1")
        let launch = TaskLaunch(key: key, frameworkInfo: nil, task: AgentHarness.task("t1"), executor: nil)
        recovered.tasks[key] = AgentTask(key: key, launch: launch, status: TaskStatus(taskID: "t1", state: .running), containerID: ContainerID("c-1"))
        var harness = AgentHarness(recovered: recovered)
        let effects = harness.step(.started(recovered: recovered))
        let subscribe = effects.subscribes.first?.subscribe
        #expect(effects.subscribes.first?.agentID == AgentID("agent-9"))
        #expect(subscribe?.agentInfo.id == AgentID("agent-9"))
        #expect(subscribe?.highestTerm == 6)
        #expect(subscribe?.tasks.map(\.status.state) == [.running])
        #expect(effects.recovers.map(\.containerID) == [ContainerID("c-1")])
        #expect(effects.launches.isEmpty)
        #expect(harness.machine.tasks[key]?.isLive == true)
        #expect(harness.machine.freeResources.cpus == 3)
    }

    @Test func aLostStreamIsRetriedWithAJitteredDoublingBackoffCappedAtTwoSeconds() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 1, agentID: "agent-1")
        var waits: [Duration] = []
        for _ in 0..<8 {
            let failedAt = harness.now
            harness.step(.subscribeFailed(connection: harness.connection, message: "connection refused"))
            var subscribe: AgentCall?
            while subscribe == nil {
                subscribe = harness.advance(.milliseconds(5)).subscribes.first
            }
            waits.append(harness.now - failedAt)
            #expect(subscribe?.agentID == AgentID("agent-1"), "the agent keeps its ID")
        }
        #expect(waits[0] <= .milliseconds(105), "waits: \(waits)")
        #expect(waits.allSatisfy { $0 <= .milliseconds(2005) }, "waits: \(waits)")
        #expect(waits.last.map { $0 >= .seconds(1) } == true, "waits: \(waits)")
        // SUBSCRIBED starts the delay over: a new leader is served within a second.
        harness.subscribed(term: 2)
        harness.step(.streamEnded(connection: harness.connection, message: "leader died"))
        var elapsed: Duration = .zero
        while harness.advance(.milliseconds(5)).subscribes.isEmpty { elapsed += .milliseconds(5) }
        #expect(elapsed < .milliseconds(200))
    }

    @Test func inputsAboutAnAbandonedConnectionAreIgnored() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let old = harness.connection
        harness.step(.streamEnded(connection: old, message: "gone"))
        harness.advance(.seconds(1))
        #expect(harness.connection != old)
        let stale = harness.step(.event(AgentHarness.launch([AgentHarness.task("t1")], term: 1), connection: old))
        #expect(stale.launches.isEmpty)
        harness.step(.streamEnded(connection: old, message: "late"))
        #expect(harness.machine.counters.staleConnectionInputs == 2)
        guard case .subscribing = harness.machine.connection else {
            Issue.record("a stale end moved the connection: \(harness.machine.connection)")
            return
        }
    }

    @Test func heartbeatsGoOutEveryIntervalAndSilenceEndsTheStream() {
        var harness = AgentHarness()
        harness.startAndSubscribe(heartbeatSeconds: 1)
        var heartbeats = 0
        for _ in 0..<30 {
            let effects = harness.advance(.milliseconds(100))
            heartbeats += effects.posts.filter { $0.type == .heartbeat }.count
            #expect(effects.closes.isEmpty)
        }
        #expect(heartbeats == 3)
        // The master keeps the stream alive with its own HEARTBEAT events.
        harness.send(AgentEvent(type: .heartbeat, term: 1))
        #expect(harness.advance(.milliseconds(3900)).closes.isEmpty)
        let silent = harness.advance(.milliseconds(200))
        #expect(silent.closes == [harness.connection])
        #expect(harness.advance(.seconds(1)).subscribes.count == 1)
    }

    @Test func aSubscribeWithoutSubscribedTimesOut() {
        var harness = AgentHarness()
        harness.step(.started(recovered: .empty))
        #expect(harness.advance(.seconds(9)).closes.isEmpty)
        #expect(harness.advance(.seconds(1)).closes == [harness.connection])
    }

    @Test func theTimerIsArmedForTheEarliestDeadline() {
        var harness = AgentHarness()
        let start = harness.step(.started(recovered: .empty))
        #expect(start.timers == [harness.now + .seconds(10)])
        let subscribed = harness.subscribed(term: 1, heartbeat: 2)
        #expect(subscribed.timers == [harness.now + .seconds(2)])
    }

    @Test func anErrorEventEndsTheStream() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        var error = AgentEvent(type: .error, term: 1)
        error.error = SchedulerEvent.ErrorPayload(message: "agent was marked gone")
        #expect(harness.send(error).closes == [harness.connection])
    }
}

/// The leader watch: another master's word that a newer term has a leader ends the stream at
/// once, instead of after `silentIntervals` heartbeats of silence (a paused leader).
@Suite struct AgentLeaderWatchTests {
    @Test func aLeaderInANewerTermEndsTheStreamAndTheAgentSubscribesAgainAtOnce() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 3)
        let old = harness.connection
        let effects = harness.step(.leaderSeen(term: 4, leader: 2))
        #expect(effects.contains { if case .closeStream(let number) = $0 { number == old } else { false } }, "\(effects)")
        guard case .disconnected = harness.machine.connection else {
            Issue.record("still \(harness.machine.connection)")
            return
        }
        var elapsed: Duration = .zero
        while harness.advance(.milliseconds(5)).subscribes.isEmpty { elapsed += .milliseconds(5) }
        #expect(elapsed < .milliseconds(200), "the next SUBSCRIBE after \(elapsed)")
    }

    @Test func theSameTermNoLeaderOrNoStreamChangeNothing() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 3)
        #expect(harness.step(.leaderSeen(term: 3, leader: 2)).isEmpty, "the stream's own term")
        #expect(harness.step(.leaderSeen(term: 2, leader: 1)).isEmpty, "an older term")
        #expect(harness.step(.leaderSeen(term: 9, leader: 0)).isEmpty, "an election under way names no leader")
        guard case .subscribed = harness.machine.connection else {
            Issue.record("the stream was dropped: \(harness.machine.connection)")
            return
        }
        harness.step(.streamEnded(connection: harness.connection, message: "gone"))
        #expect(harness.step(.leaderSeen(term: 9, leader: 2)).isEmpty, "no stream to leave")
    }
}
