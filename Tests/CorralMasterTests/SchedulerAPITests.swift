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
    /// The scheduler API driven over HTTP against three real masters, with an agent double.
    @Suite(.serialized)
    struct SchedulerAPITests {
        @Test func tasksLaunchAndFinishAcrossALeaderKill() async throws {
            try await withCluster(scheduling: fastScheduling()) { harness, endpoints, agent, group in
                let first = try harness.leader()
                // One task per offer, so launches are still in flight when the leader dies.
                let scheduler = try LaunchingScheduler(masters: endpoints, taskCount: 24, perOffer: 1)
                // Half the tasks before the kill, at most: the rest must go through the new leader.
                await scheduler.allowLaunches(upTo: 12)
                group.addTask { await scheduler.run() }
                try await eventually("6 tasks finished", seconds: 30) { await scheduler.finished >= 6 }
                let termBefore = await agent.highestTerm
                // Kill the leader with launches, updates and acknowledgements in flight.
                harness.kill(first)
                let finishedAtKill = await scheduler.finished
                await scheduler.allowLaunches(upTo: 24)
                let second = try harness.leader(among: (UInt64(1)...3).filter { $0 != first })
                try await eventually("all 24 tasks finished after the fail-over", seconds: 60) {
                    await scheduler.finished == 24
                }
                #expect(second != first)
                #expect(await agent.highestTerm > termBefore, "events to the agent carry the new leader's term")
                #expect(finishedAtKill < 24, "the kill came mid-stream (\(finishedAtKill) of 24 finished)")
                // Every update was acknowledged: finished tasks leave the live set only then.
                try await eventually("the registry holds 24 completed tasks and no live one", seconds: 30) {
                    let reply = try OperatorClient.call(harness.endpoint(second), ["type": "GET_TASKS"])
                    let tasks = reply.json["get_tasks"] as? [String: Any] ?? [:]
                    let live = (tasks["tasks"] as? [Any])?.count ?? -1
                    let completed = (tasks["completed_tasks"] as? [[String: Any]]) ?? []
                    return live == 0 && completed.count == 24
                        && completed.allSatisfy { $0["state"] as? String == "TASK_FINISHED" }
                }
                let starts = await agent.starts
                #expect(starts.count == 24, "every task ran: \(starts.count)")
                #expect(starts.values.allSatisfy { $0 == 1 }, "no task ran twice: \(starts.filter { $0.value > 1 })")
                let refused = await scheduler.refused
                #expect(refused.isEmpty, "refused: \(refused)")
                let frameworks = await scheduler.frameworkIDs
                #expect(frameworks.count >= 2, "the scheduler subscribed again after the fail-over")
                #expect(Set(frameworks).count == 1, "the same framework throughout: \(frameworks)")
                let masters = await scheduler.masters
                #expect(Set(masters).count >= 2, "it followed the new leader: \(masters)")
            }
        }

        @Test func tasksSurviveRepeatedLeaderKillsAndRestarts() async throws {
            try await withCluster(scheduling: fastScheduling()) { harness, endpoints, agent, group in
                let scheduler = try LaunchingScheduler(masters: endpoints, taskCount: 40, perOffer: 2)
                await scheduler.allowLaunches(upTo: 10)
                var leaders: [UInt64] = []
                group.addTask { await scheduler.run() }
                for round in 1...3 {
                    try await eventually("\(round * 10 - 5) tasks finished", seconds: 60) {
                        await scheduler.finished >= round * 10 - 5
                    }
                    let leader = try harness.leader()
                    leaders.append(leader)
                    harness.kill(leader)
                    await scheduler.allowLaunches(upTo: (round + 1) * 10)
                    _ = try harness.leader(among: (UInt64(1)...3).filter { $0 != leader })
                    try harness.start(leader)  // back on its data, as a follower
                }
                do {
                    try await eventually("all 40 tasks finished", seconds: 90) { await scheduler.finished == 40 }
                } catch {
                    Issue.record("\(error): scheduler: \(await scheduler.summary); \(await agent.summary); logs: \(harness.logs())")
                    throw error
                }
                let starts = await agent.starts
                #expect(starts.count == 40 && starts.values.allSatisfy { $0 == 1 }, "each task ran once: \(starts.filter { $0.value != 1 })")
                #expect(await scheduler.refused.isEmpty)
                #expect(Set(await scheduler.frameworkIDs).count == 1)
                #expect(leaders.count == 3)
            }
        }

        /// A paused leader is replaced; when it resumes it is deposed, and nothing it still had
        /// queued may launch or kill anything (the agent fences it by term).
        @Test func tasksSurviveAPausedLeader() async throws {
            try await withCluster(scheduling: fastScheduling()) { harness, endpoints, agent, group in
                let scheduler = try LaunchingScheduler(masters: endpoints, taskCount: 20, perOffer: 1)
                await scheduler.allowLaunches(upTo: 10)
                group.addTask { await scheduler.run() }
                try await eventually("5 tasks finished", seconds: 60) { await scheduler.finished >= 5 }
                let paused = try harness.leader()
                harness.signal(paused, SIGSTOP)
                await scheduler.allowLaunches(upTo: 20)
                let next = try harness.leader(among: (UInt64(1)...3).filter { $0 != paused }, seconds: 30)
                do {
                    try await eventually("all 20 tasks finished under the new leader", seconds: 90) {
                        await scheduler.finished == 20
                    }
                } catch {
                    Issue.record("\(error): scheduler: \(await scheduler.summary); \(await agent.summary); logs: \(harness.logs())")
                    throw error
                }
                harness.signal(paused, SIGCONT)
                _ = try harness.leader(seconds: 30)
                #expect(next != paused)
                let starts = await agent.starts
                #expect(starts.count == 20 && starts.values.allSatisfy { $0 == 1 }, "each task ran once: \(starts.filter { $0.value != 1 })")
                #expect(await scheduler.refused.isEmpty)
            }
        }

        @Test func badInputIsRefusedWithAMessage() throws {
            let harness = try QuorumHarness(masters: 3, config: fastScheduling())
            defer { harness.stopAll() }
            for id in UInt64(1)...3 { try harness.start(id) }
            let leader = try harness.leader()
            let follower = (UInt64(1)...3).first { $0 != leader } ?? 1
            let client = harness.client
            let path = "/api/v1/scheduler"
            let leaderEndpoint = harness.endpoint(leader)

            func post(_ body: String, headers: [String: String] = ["Content-Type": "application/json"]) throws -> MasterClient.Response {
                try client.once("POST", leaderEndpoint, path, body: Array(body.utf8), headers: headers)
            }
            let protobuf = try post("x", headers: ["Content-Type": "application/x-protobuf"])
            #expect(protobuf.status == 400 && protobuf.text.contains("malformed protobuf"), "\(protobuf.text)")
            let malformed = try post("{\"type\":")
            #expect(malformed.status == 400 && malformed.text.contains("malformed JSON"))
            let unknown = try post(#"{"type":"FLY"}"#)
            #expect(unknown.status == 400 && unknown.text.contains("FLY"))
            let noStream = try post(#"{"type":"REVIVE","framework_id":{"value":"f"}}"#)
            #expect(noStream.status == 400 && noStream.text.contains("Mesos-Stream-Id"))
            let notSubscribed = try post(
                #"{"type":"REVIVE","framework_id":{"value":"f"}}"#,
                headers: ["Content-Type": "application/json", "Mesos-Stream-Id": "nope"])
            #expect(notSubscribed.status == 403)
            let huge = try post(String(repeating: " ", count: 2 << 20))
            #expect(huge.status == 413)
            let redirected = try client.once(
                "POST", harness.endpoint(follower), path, body: Array(#"{"type":"REVIVE","framework_id":{"value":"f"}}"#.utf8),
                headers: ["Content-Type": "application/json", "Mesos-Stream-Id": "x"])
            #expect(redirected.status == 307)
            #expect(redirected.headers["location"] == "//\(leaderEndpoint)\(path)")
            let redirect = try client.once("GET", harness.endpoint(follower), "/master/redirect")
            #expect(redirect.status == 307 && redirect.headers["location"] == "//\(leaderEndpoint)")
            let version = try client.once("GET", harness.endpoint(follower), "/version")
            #expect(version.status == 200 && version.text.contains(#""version":"1.11.0""#))
        }
    }
}
