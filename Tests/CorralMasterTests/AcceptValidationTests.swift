import CorralMaster
import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

extension RealMasters {
    /// ACCEPT is checked against the live offers and the registry: what fails gets TASK_ERROR or
    /// TASK_DROPPED with a reason and never reaches an agent.
    @Suite(.serialized)
    struct AcceptValidationTests {
        @Test func invalidLaunchesAreRefusedAndNeverRun() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), agentCPUs: 2, holdTasks: true) { harness, endpoints, agent, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60)
                group.addTask { await recorder.run() }

                // More than the offer holds.
                let first = try await Self.offer(recorder)
                try await recorder.client.launch(first, tasks: [Self.task("greedy", on: first, cpus: 100)], filters: Self.noFilter)
                try await Self.expect(recorder, "greedy", .error, reason: .taskInvalid)

                // A good launch, then the same task ID again.
                let second = try await Self.offer(recorder)
                try await recorder.client.launch(second, tasks: [Self.task("good", on: second, cpus: 0.5)], filters: Self.noFilter)
                try await eventually("the good task runs", seconds: 30) { await recorder.states(of: "good").contains(.running) }
                let third = try await Self.offer(recorder)
                try await recorder.client.launch(third, tasks: [Self.task("good", on: third, cpus: 0.1)], filters: Self.noFilter)
                try await Self.expect(recorder, "good", .error, reason: .taskInvalid)

                // An offer already used, and one that never existed: TASK_LOST, as the framework
                // is not PARTITION_AWARE.
                try await recorder.client.launch(second, tasks: [Self.task("stale", on: second, cpus: 0.1)], filters: Self.noFilter)
                try await Self.expect(recorder, "stale", .lost, reason: .invalidOffers)
                var unknown = second
                unknown.id = OfferID("no-such-offer")
                try await recorder.client.launch(unknown, tasks: [Self.task("phantom", on: second, cpus: 0.1)], filters: Self.noFilter)
                try await Self.expect(recorder, "phantom", .lost, reason: .invalidOffers)

                // A task group launches whole, its executor paid once.
                let fourth = try await Self.offer(recorder)
                let executor = ExecutorInfo(
                    executorID: ExecutorID("group-executor"), type: .default,
                    resources: [.scalar("cpus", 0.1), .scalar("mem", 32)])
                let members = [Self.task("member-1", on: fourth, cpus: 0.1), Self.task("member-2", on: fourth, cpus: 0.1)]
                    .map { task -> TaskInfo in
                        var member = task
                        member.command = nil
                        return member
                    }
                try await recorder.client.accept(
                    [fourth.id], operations: [.launchGroup(executor: executor, tasks: members)], filters: Self.noFilter)
                try await eventually("both members run", seconds: 30) {
                    let one = await recorder.states(of: "member-1").contains(.running)
                    let two = await recorder.states(of: "member-2").contains(.running)
                    return one && two
                }

                // An operation Corral does not do yet is dropped, with OPERATION_ERROR as it asked
                // for feedback; the call itself is not refused.
                let fifth = try await Self.offer(recorder)
                var reserve = Offer.Operation(type: .reserve, id: OperationID("reserve-1"))
                reserve.reserve = Offer.Operation.ResourceList(resources: [.scalar("cpus", 0.1)])
                try await recorder.client.accept([fifth.id], operations: [reserve], filters: Self.noFilter)
                try await eventually("OPERATION_ERROR for the RESERVE", seconds: 30) {
                    await recorder.operationUpdates.contains {
                        $0.operationID == OperationID("reserve-1") && $0.state == .error
                            && ($0.message ?? "").contains("RESERVE")
                    }
                }

                let starts = await agent.starts.keys.map(\.task.value).sorted()
                #expect(starts == ["good", "member-1", "member-2"], "only valid tasks reached the agent: \(starts)")
            }
        }

        @Test func aNewLeaderDoesNotOfferWhatRunningTasksHold() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), agentCPUs: 1, holdTasks: true) { harness, endpoints, agent, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60)
                group.addTask { await recorder.run() }
                let offer = try await Self.offer(recorder)
                try await recorder.client.launch(offer, tasks: [Self.task("held", on: offer, cpus: 0.75)], filters: Self.noFilter)
                try await eventually("the task runs", seconds: 30) { await recorder.states(of: "held").contains(.running) }
                let before = await recorder.subscriptions.count
                harness.kill(try harness.leader())
                try await eventually("the scheduler follows the new leader", seconds: 30) {
                    await recorder.subscriptions.count > before
                }
                let next = try await Self.offer(recorder)
                let cpus = Resources(next.resources).cpus ?? 0
                #expect(cpus <= 0.25 + 1e-9, "the new leader offered \(cpus) cpus of an agent with 0.25 left")
            }
        }

        // MARK: - Helpers

        /// Unused resources come back at once, so the next step need not wait out a filter.
        static let noFilter = Filters(refuseSeconds: 0)

        static func offer(_ recorder: EventRecorder) async throws -> Offer {
            var offer: Offer?
            try await eventually("an offer", seconds: 30) {
                offer = await recorder.takeOffer()
                return offer != nil
            }
            return try #require(offer)
        }

        static func task(_ name: String, on offer: Offer, cpus: Double) -> TaskInfo {
            TaskInfo(
                name: name, taskID: TaskID(name), agentID: offer.agentID,
                resources: [.scalar("cpus", Scalar(cpus)), .scalar("mem", 16)], command: CommandInfo(value: "sleep 1000"))
        }

        static func expect(_ recorder: EventRecorder, _ task: String, _ state: TaskState, reason: TaskStatus.Reason) async throws {
            try await eventually("\(task): \(state.rawValue)", seconds: 30) {
                await recorder.updates.contains { $0.taskID == TaskID(task) && $0.state == state && $0.reason == reason }
            }
        }
    }
}
