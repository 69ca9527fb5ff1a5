import CorralMaster
import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

extension RealMasters {
    /// One ACCEPT, several operations: as in Mesos, a bad operation is dropped on its own and
    /// the good ones in the same call go ahead.
    @Suite(.serialized)
    struct AcceptPartialTests {
        typealias Checks = AcceptValidationTests

        @Test func aBadOperationDoesNotStopTheGoodOnes() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), agentCPUs: 2, holdTasks: true) { _, endpoints, agent, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60)
                group.addTask { await recorder.run() }
                let offer = try await Checks.offer(recorder)
                #expect(abs((Resources(offer.resources).cpus ?? 0) - 2) < 1e-9)

                var reserve = Offer.Operation(type: .reserve, id: OperationID("reserve-1"))
                reserve.reserve = Offer.Operation.ResourceList(resources: [.scalar("cpus", 0.1)])
                try await recorder.client.accept(
                    [offer.id],
                    operations: [
                        .launch([Checks.task("good", on: offer, cpus: 0.5)]),
                        .launch([Checks.task("greedy", on: offer, cpus: 100)]),
                        .launch([Checks.task("twin", on: offer, cpus: 0.1), Checks.task("twin", on: offer, cpus: 0.1)]),
                        reserve,
                        .launch([Checks.task("twin", on: offer, cpus: 0.1)]),
                    ],
                    filters: Checks.noFilter)

                try await Checks.expect(recorder, "greedy", .error, reason: .taskInvalid)
                let greedy = await recorder.updates.first { $0.taskID == TaskID("greedy") }
                let message = greedy?.message ?? ""
                #expect(message.contains("greedy") && message.contains("cpus:100"), "the message names the task and what it asked: \(message)")
                #expect(greedy?.source == .master)

                try await eventually("the good tasks run", seconds: 30) {
                    let good = await recorder.states(of: "good").contains(.running)
                    let twin = await recorder.states(of: "twin").contains(.running)
                    return good && twin
                }
                // The two other "twin"s are refused as duplicates, the one that runs is untouched.
                try await eventually("two TASK_ERRORs for the duplicate ID", seconds: 30) {
                    await recorder.updates.filter {
                        $0.taskID == TaskID("twin") && $0.state == .error && $0.reason == .taskInvalid
                            && ($0.message ?? "").contains("already in use")
                    }.count == 2
                }
                try await eventually("OPERATION_ERROR for the RESERVE", seconds: 30) {
                    await recorder.operationUpdates.contains { $0.operationID == OperationID("reserve-1") && $0.state == .error }
                }
                let starts = await agent.starts
                #expect(starts.map { "\($0.key.task)=\($0.value)" }.sorted() == ["good=1", "twin=1"])

                // What the good tasks did not take (2 - 0.5 - 0.1 cpus) is offered again at once.
                let next = try await Checks.offer(recorder)
                let cpus = Resources(next.resources).cpus ?? 0
                #expect(abs(cpus - 1.4) < 1e-9, "the offer after the ACCEPT holds \(cpus) cpus, not 1.4")
            }
        }

        @Test func executorsAreCheckedAndPaidForOnce() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), agentCPUs: 2, holdTasks: true) { _, endpoints, agent, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60)
                group.addTask { await recorder.run() }
                func executorTask(_ name: String, on offer: Offer, executor: String, command: String, cpus: Double) -> TaskInfo {
                    var task = Checks.task(name, on: offer, cpus: 0.1)
                    task.command = nil
                    task.executor = ExecutorInfo(
                        executorID: ExecutorID(executor), command: CommandInfo(value: command), resources: [.scalar("cpus", Scalar(cpus))])
                    return task
                }
                let offer = try await Checks.offer(recorder)
                try await recorder.client.accept(
                    [offer.id],
                    operations: [
                        .launch([
                            executorTask("first", on: offer, executor: "shared", command: "./run", cpus: 0.5),
                            executorTask("second", on: offer, executor: "shared", command: "./run", cpus: 0.5),
                        ]),
                        .launch([executorTask("other", on: offer, executor: "shared", command: "./other", cpus: 0.5)]),
                        .launch([executorTask("huge", on: offer, executor: "huge", command: "./run", cpus: 100)]),
                    ],
                    filters: Checks.noFilter)
                try await Checks.expect(recorder, "other", .error, reason: .taskInvalid)
                try await Checks.expect(recorder, "huge", .error, reason: .taskInvalid)
                let other = await recorder.updates.first { $0.taskID == TaskID("other") }?.message ?? ""
                #expect(other.contains("executor shared differs"), "\(other)")
                try await eventually("both tasks of the shared executor run", seconds: 30) {
                    let first = await recorder.states(of: "first").contains(.running)
                    let second = await recorder.states(of: "second").contains(.running)
                    return first && second
                }
                // Two tasks at 0.1 and their executor at 0.5, once: 1.3 of 2 cpus are left.
                let next = try await Checks.offer(recorder)
                let cpus = Resources(next.resources).cpus ?? 0
                #expect(abs(cpus - 1.3) < 1e-9, "the offer after the ACCEPT holds \(cpus) cpus, not 1.3")
                #expect(await agent.starts.keys.map(\.task.value).sorted() == ["first", "second"])
            }
        }

        @Test func invalidOffersDropTheTasksOfPartitionAwareFrameworks() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), agentCPUs: 1, holdTasks: true) { _, endpoints, agent, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60, partitionAware: true)
                group.addTask { await recorder.run() }
                let offer = try await Checks.offer(recorder)
                var unknown = offer
                unknown.id = OfferID("no-such-offer")
                try await recorder.client.accept(
                    [offer.id, unknown.id], operations: [.launch([Checks.task("orphan", on: offer, cpus: 0.1)])],
                    filters: Checks.noFilter)
                try await Checks.expect(recorder, "orphan", .dropped, reason: .invalidOffers)
                let dropped = await recorder.updates.first { $0.taskID == TaskID("orphan") }
                let message = dropped?.message ?? ""
                #expect(message.contains("no-such-offer"), "the message names the bad offer: \(message)")
                // The good offer named with the bad one comes back whole.
                let next = try await Checks.offer(recorder)
                #expect(abs((Resources(next.resources).cpus ?? 0) - 1) < 1e-9)
                #expect(await agent.starts.isEmpty)
            }
        }
    }
}
