import CorralAgent
import CorralModel
import Testing

@Suite struct AgentUpdateStreamTests {
    @Test func updatesAreCheckpointedSentInOrderAndRemovedOnAck() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let key = AgentHarness.key("t1")
        let launched = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
        let starting = launched.sentUpdates
        #expect(starting.map(\.state) == [.starting])
        #expect(starting.first?.uuid?.count == 16)

        // RUNNING waits for STARTING's acknowledgement.
        let running = harness.step(.taskRunning(key, containerID: ContainerID("c-1"), pid: 42))
        #expect(running.sentUpdates.isEmpty)
        #expect((try? harness.checkpoint.load())?.updates.count == 2)
        #expect(harness.machine.tasks[key]?.state == .running)

        let acked = harness.step(.callAnswered(uuid: starting.first?.uuid ?? [], .acknowledged))
        let next = acked.sentUpdates
        #expect(next.map(\.state) == [.running])
        #expect(next.first?.containerStatus?.containerID == ContainerID("c-1"))
        #expect(next.first?.containerStatus?.executorPID == 42)
        #expect(next.first?.agentID == AgentID("agent-1"))
        #expect((try? harness.checkpoint.load())?.updates.count == 1)

        // A duplicate acknowledgement changes nothing.
        let duplicate = harness.step(.callAnswered(uuid: starting.first?.uuid ?? [], .acknowledged))
        #expect(duplicate.sentUpdates.isEmpty && duplicate.persisted.isEmpty)
        #expect(harness.machine.counters.duplicateAcks == 1)

        harness.step(.callAnswered(uuid: next.first?.uuid ?? [], .acknowledged))
        #expect((try? harness.checkpoint.load())?.updates.isEmpty == true)
        #expect(harness.machine.tasks[key]?.state == .running)
    }

    @Test func anUnacknowledgedUpdateIsSentAgainWithAGrowingCappedBackoff() {
        var harness = AgentHarness()
        harness.startAndSubscribe(heartbeatSeconds: 1000)
        let uuid = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1)).sentUpdates.first?.uuid
        var sendTimes: [ContinuousClock.Instant] = []
        for _ in 0..<2000 {
            let effects = harness.advance(.milliseconds(10))
            if effects.sentUpdates.contains(where: { $0.uuid == uuid }) { sendTimes.append(harness.now) }
            harness.step(.callAnswered(uuid: uuid ?? [], .failed("connection reset")))
        }
        let gaps = zip(sendTimes.dropFirst(), sendTimes).map { $0 - $1 }
        #expect(gaps.count >= 4)
        #expect(gaps.first.map { $0 >= .milliseconds(120) && $0 <= .milliseconds(520) } == true, "gaps: \(gaps)")
        #expect(gaps.allSatisfy { $0 <= .milliseconds(10_010) }, "gaps: \(gaps)")
        #expect(gaps.last.map { $0 >= .seconds(4) } == true, "the delay grows: \(gaps)")
    }

    @Test func pendingUpdatesAreSentAgainOnResubscription() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        harness.send(AgentHarness.launch([AgentHarness.task("t1"), AgentHarness.task("t2")], term: 1))
        harness.step(.streamEnded(connection: harness.connection, message: "leader died"))
        // Nothing is sent while disconnected.
        #expect(harness.advance(.milliseconds(50)).sentUpdates.isEmpty)
        harness.advance(.seconds(2))
        let again = harness.subscribed(term: 2)
        #expect(Set(again.sentUpdates.map(\.taskID)) == [TaskID("t1"), TaskID("t2")])
        #expect(again.sentUpdates.allSatisfy { $0.state == .starting })
    }

    @Test func pendingUpdatesSurviveARestartAndKeepTheirUUIDs() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let sent = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1)).sentUpdates
        var restarted = AgentHarness(recovered: (try? harness.checkpoint.load()) ?? .empty, seed: 99)
        let resent = restarted.startAndSubscribe(term: 1).sentUpdates
        #expect(resent.map(\.uuid) == sent.map(\.uuid))
        #expect(restarted.machine.subscribeCall.agentID == AgentID("agent-1"))
    }

    @Test func aRefusedUpdateMakesTheAgentSubscribeAgain() {
        var harness = AgentHarness()
        harness.startAndSubscribe()
        let uuid = harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1)).sentUpdates.first?.uuid ?? []
        let refused = harness.step(.callAnswered(uuid: uuid, .refused("403 not subscribed with that stream")))
        #expect(refused.closes.count == 1)
        #expect(harness.advance(.seconds(1)).subscribes.count == 1)
        #expect(harness.subscribed(term: 1).sentUpdates.map(\.uuid) == [uuid])
    }
}
