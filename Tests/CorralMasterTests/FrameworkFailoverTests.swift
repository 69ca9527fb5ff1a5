import CorralMaster
import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RealMasters {
    /// Framework fail-over, agent partitions and update delivery, over HTTP against three masters.
    @Suite(.serialized)
    struct FrameworkFailoverTests {
        @Test func failoverTimeoutRunsOnTheReplicatedClockAcrossALeaderChange() async throws {
            // A long grace after elections, so a timeout reset by the new leader would show.
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2, failoverGraceSeconds: 60), holdTasks: true) {
                harness, endpoints, agent, group in
                let recorder = try Self.recorder(endpoints, failoverTimeoutSeconds: 3)
                group.addTask { await recorder.run() }
                let task = try await Self.launchOne(recorder, "held")
                try await eventually("the task runs", seconds: 20) { await recorder.states(of: task).contains(.running) }
                let key = AgentDouble.Key(framework: try #require(await recorder.client.frameworkID), task: task)
                let disconnected = ContinuousClock.now
                await recorder.client.stop()
                // The leader that recorded the disconnect dies before the deadline.
                try await eventually("the leader records the disconnect", seconds: 20) {
                    try Self.isActive(key.framework, harness) == false
                }
                harness.kill(try harness.leader())
                try await eventually("the framework's task is killed", seconds: 30) {
                    await agent.taskStates[key] == .killed
                }
                let elapsed = ContinuousClock.now - disconnected
                #expect(elapsed >= .seconds(3), "removed before its fail-over timeout: \(elapsed)")
                #expect(elapsed < .seconds(30), "the new leader reset the timeout: \(elapsed)")
            }
        }

        @Test func resubscribingInTimeKeepsTheTasks() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), holdTasks: true) { harness, endpoints, agent, group in
                let first = try Self.recorder(endpoints, failoverTimeoutSeconds: 60)
                group.addTask { await first.run() }
                let task = try await Self.launchOne(first, "kept")
                try await eventually("the task runs", seconds: 20) { await first.states(of: task).contains(.running) }
                let id = try #require(await first.client.frameworkID)
                await first.client.stop()
                // A new scheduler process takes the framework over with its ID.
                let second = try Self.recorder(endpoints, failoverTimeoutSeconds: 60, id: id)
                group.addTask { await second.run() }
                try await eventually("the scheduler is back", seconds: 20) { await second.subscriptions.count == 1 }
                #expect(await second.subscriptions.first?.0 == id)
                try await second.client.reconcile([(task, nil)])
                try await eventually("reconciliation answers TASK_RUNNING", seconds: 20) {
                    await second.updates.contains { $0.taskID == task && $0.state == .running && $0.reason == .reconciliation }
                }
                #expect(await agent.taskStates[AgentDouble.Key(framework: id, task: task)] == .running)
                try await second.client.kill(task)
                try await eventually("KILL reaches the agent and TASK_KILLED comes back", seconds: 20) {
                    await second.states(of: task).contains(.killed)
                }
            }
        }

        @Test func anUnreachableAgentsTasksComeBackWhenItReturns() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), holdTasks: true) { harness, endpoints, agent, group in
                let recorder = try Self.recorder(endpoints, failoverTimeoutSeconds: 60, partitionAware: true)
                group.addTask { await recorder.run() }
                let task = try await Self.launchOne(recorder, "partitioned")
                try await eventually("the task runs", seconds: 20) { await recorder.states(of: task).contains(.running) }
                await agent.pause()
                try await eventually("TASK_UNREACHABLE", seconds: 30) { await recorder.states(of: task).contains(.unreachable) }
                try await eventually("a FAILURE event naming the agent", seconds: 30) { await !recorder.lostAgents.isEmpty }
                #expect(await recorder.lostAgents.first == agent.agentID)
                await agent.resume()
                try await eventually("TASK_RUNNING again once the agent re-registers", seconds: 30) {
                    await recorder.states(of: task).last == .running
                }
                #expect(await agent.starts.values.allSatisfy { $0 == 1 })
            }
        }

        @Test func updatesAreSentAgainInOrderUntilAcknowledged() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2)) { harness, endpoints, agent, group in
                let recorder = try Self.recorder(endpoints, failoverTimeoutSeconds: 60, implicitAcknowledgements: false)
                group.addTask { await recorder.run() }
                let task = try await Self.launchOne(recorder, "acked")
                // RUNNING is sent again (update_retry_seconds = 1) while unacknowledged, and
                // FINISHED waits behind it.
                try await eventually("TASK_RUNNING delivered twice", seconds: 20) {
                    await recorder.states(of: task).filter { $0 == .running }.count >= 2
                }
                #expect(await !recorder.states(of: task).contains(.finished))
                let running = try #require(await recorder.updates.first { $0.taskID == task && $0.state == .running })
                // A framework message goes to the executor and (the double echoes) back.
                try await recorder.client.message(
                    agentID: try #require(running.agentID), executorID: ExecutorID("echo"), data: Array("ping".utf8))
                try await eventually("the echoed MESSAGE", seconds: 20) { await recorder.messages.contains(Array("ping".utf8)) }
                // An executor that exits reaches the scheduler as FAILURE with its ID and status.
                try await recorder.client.message(
                    agentID: try #require(running.agentID), executorID: ExecutorID("echo"), data: Array("exit".utf8))
                try await eventually("the executor's FAILURE", seconds: 20) { await !recorder.lostExecutors.isEmpty }
                #expect(await recorder.lostExecutors.map(\.0) == [ExecutorID("echo")])
                #expect(await recorder.lostExecutors.map(\.1) == [256])
                #expect(await recorder.lostAgents.isEmpty, "an executor's FAILURE is not an agent's")
                try await recorder.client.acknowledge(running)
                try await eventually("TASK_FINISHED follows the acknowledgement", seconds: 20) {
                    await recorder.states(of: task).contains(.finished)
                }
                let states = await recorder.states(of: task)
                #expect(states.firstIndex(of: .finished) ?? 0 > states.lastIndex(of: .running) ?? 0, "in order: \(states)")
            }
        }

        // MARK: - Helpers

        /// Whether the leader's GET_FRAMEWORKS shows the framework active (nil: not listed).
        static func isActive(_ id: FrameworkID, _ harness: QuorumHarness) throws -> Bool? {
            let reply = try OperatorClient.call(harness.endpoint(try harness.leader()), ["type": "GET_FRAMEWORKS"])
            let frameworks = (reply.json["get_frameworks"] as? [String: Any])?["frameworks"] as? [[String: Any]] ?? []
            let match = frameworks.first { framework in
                ((framework["framework_info"] as? [String: Any])?["id"] as? [String: Any])?["value"] as? String == id.value
            }
            return match?["active"] as? Bool
        }

        static func recorder(
            _ masters: [String], failoverTimeoutSeconds: Double, id: FrameworkID? = nil, partitionAware: Bool = false,
            implicitAcknowledgements: Bool = true
        ) throws -> EventRecorder {
            var info = FrameworkInfo(user: "root", name: "failover-test", id: id, failoverTimeoutSeconds: failoverTimeoutSeconds)
            if partitionAware { info.capabilities = [FrameworkInfo.Capability(.partitionAware)] }
            let client = try SchedulerClient(
                SchedulerConfiguration(
                    masters: masters, framework: info, implicitAcknowledgements: implicitAcknowledgements,
                    reconnectBackoff: (initial: .milliseconds(100), max: .seconds(1)), requestTimeout: .seconds(5)))
            return EventRecorder(client)
        }

        /// Launches one small task from the next offer; returns its ID.
        static func launchOne(_ recorder: EventRecorder, _ name: String) async throws -> TaskID {
            var offer: Offer?
            try await eventually("an offer", seconds: 20) {
                offer = await recorder.takeOffer()
                return offer != nil
            }
            let made = try #require(offer)
            let id = TaskID(name)
            let task = TaskInfo(
                name: name, taskID: id, agentID: made.agentID, resources: [.scalar("cpus", 0.1), .scalar("mem", 16)],
                command: CommandInfo(value: "sleep 1000"))
            try await recorder.client.launch(made, tasks: [task])
            return id
        }
    }
}
