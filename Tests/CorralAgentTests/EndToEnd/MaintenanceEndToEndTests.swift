import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// Maintenance on real processes: the agent's machine is scheduled, and the scheduler with a
/// task on it gets an inverse offer, which it declines (GET_MAINTENANCE_STATUS says so); then
/// the machine is taken down with `/master/machine/down`: its running task ends TASK_LOST, the agent leaves GET_AGENTS and
/// the status lists the machine as down; after the leader is killed it is still kept out;
/// `/master/machine/up` lets it register again.
@Suite(.serialized, .offCooperativePool) struct MaintenanceEndToEndTests {
    static let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(10))
    static let machine = #"{"hostname":"agent-a","ip":"127.0.0.1"}"#

    /// `POST path` on master `id` with a JSON body; returns the status and the body.
    static func post(_ cluster: MasterQuorum, _ id: UInt64, _ path: String, _ json: String) async throws -> (
        Int, String
    ) {
        let address = cluster.address(id)
        let request = HTTPStreamRequest(
            method: .POST,
            path: path,
            headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: Array(json.utf8)
        )
        let response = try await client.execute(request, host: address.host, port: address.port)
        return (Int(response.status.code), String(decoding: response.body, as: UTF8.self))
    }

    static func agentListed(_ cluster: MasterQuorum, _ leader: UInt64) async throws -> Bool {
        let (status, body) = try await DynamicReservationEndToEndTests.call(
            cluster,
            leader,
            #"{"type":"GET_AGENTS"}"#
        )
        return status == 200 && body.contains("agent-a")
    }

    @Test func aMachineTakenDownLosesItsTasksAndKeepsItsAgentOutUntilItIsUp() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:100;ports:[31000-31010]")
        var leader = try await cluster.leader()
        try await cluster.waitUntil("the leader has the agent", seconds: 60) {
            try await Self.agentListed(cluster, leader)
        }
        let schedule =
            #"{"windows":[{"machine_ids":[\#(Self.machine)],"unavailability":{"start":{"nanoseconds":0}}}]}"#
        let (scheduled, scheduledBody) = try await Self.post(
            cluster,
            leader,
            "/master/maintenance/schedule",
            schedule
        )
        #expect(scheduled == 200, "\(scheduledBody)")

        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        let scheduler = try LaunchingScheduler(masters: masters, taskCount: 1) { id, agent in
            TaskInfo(
                name: id.value,
                taskID: id,
                agentID: agent,
                resources: [.scalar("cpus", 0.1), .scalar("mem", 16)],
                command: CommandInfo(value: "sleep 60")
            )
        }
        let running = Task(executorPreference: TestExecutor.shared) { await scheduler.run() }
        defer { running.cancel() }
        try await cluster.waitUntil("the task runs", seconds: 60) {
            await scheduler.states[TaskID("task-0")] == .running
        }

        try await cluster.waitUntil("the scheduler gets an inverse offer for the agent", seconds: 30) {
            await !scheduler.inverseOffers.isEmpty
        }
        let inverse = try #require(await scheduler.inverseOffers.first)
        #expect(inverse.unavailability.start.nanoseconds == 0 && inverse.agentID != nil)
        try await scheduler.answerInverseOffers(accept: false)
        let frameworkID = try #require(await scheduler.frameworkIDs.last)
        try await cluster.waitUntil("GET_MAINTENANCE_STATUS has the framework's DECLINE", seconds: 30) {
            let (_, body) = try await DynamicReservationEndToEndTests.call(cluster, leader, #"{"type":"GET_MAINTENANCE_STATUS"}"#)
            return body.contains("DECLINE") && body.contains(frameworkID.value)
        }

        let (down, downBody) = try await Self.post(
            cluster,
            leader,
            "/master/machine/down",
            "[\(Self.machine)]"
        )
        #expect(down == 200, "\(downBody)")
        try await cluster.waitUntil("the scheduler hears TASK_LOST", seconds: 30) {
            await scheduler.states[TaskID("task-0")] == .lost
        }
        let lost = await scheduler.statuses[TaskID("task-0")]?.last
        #expect(lost?.reason == .agentRemoved, "\(String(describing: lost))")
        #expect(try await !Self.agentListed(cluster, leader), "a down machine's agent is not listed")
        let (_, status) = try await DynamicReservationEndToEndTests.call(
            cluster,
            leader,
            #"{"type":"GET_MAINTENANCE_STATUS"}"#
        )
        #expect(status.contains("down_machines") && status.contains("agent-a"), "\(status)")
        // A machine that is down cannot leave the schedule.
        let (refused, refusedBody) = try await Self.post(
            cluster,
            leader,
            "/master/maintenance/schedule",
            #"{"windows":[]}"#
        )
        #expect(refused == 400 && refusedBody.contains("STOP_MAINTENANCE"), "\(refused) \(refusedBody)")

        cluster.kill(leader)
        leader = try await cluster.leader()
        try await Task.sleep(for: .seconds(2))
        #expect(try await !Self.agentListed(cluster, leader), "still kept out after the fail-over")

        let up = #"{"type":"STOP_MAINTENANCE","stop_maintenance":{"machines":[\#(Self.machine)]}}"#
        let (upStatus, upBody) = try await DynamicReservationEndToEndTests.call(cluster, leader, up)
        #expect(upStatus == 202, "\(upBody)")
        try await cluster.waitUntil("the agent is back", seconds: 60) {
            try await Self.agentListed(cluster, leader)
        }
        let (_, schedule2) = try await DynamicReservationEndToEndTests.call(
            cluster,
            leader,
            #"{"type":"GET_MAINTENANCE_SCHEDULE"}"#
        )
        #expect(!schedule2.contains("agent-a"), "the machine left the schedule: \(schedule2)")
    }
}
