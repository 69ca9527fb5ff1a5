import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// Dynamic reservations on real processes: an operator reserves a CPU through the v1 operator
/// API of a 3-master quorum; the reservation is committed, survives the leader's death, is
/// offered to its role alone, runs a task on a real agent, and is unreserved again.
@Suite(.serialized, .offCooperativePool) struct DynamicReservationEndToEndTests {
    static let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(10))

    /// One CPU dynamically reserved for `ml`, as JSON.
    static let reservedCPU = """
        {"name":"cpus","type":"SCALAR","scalar":{"value":1},\
        "reservations":[{"type":"DYNAMIC","role":"ml","principal":"ops"}]}
        """

    /// `POST /api/v1` on master `id`; returns the status and the body.
    static func call(_ cluster: MasterQuorum, _ id: UInt64, _ json: String) async throws -> (Int, String) {
        let address = cluster.address(id)
        let request = HTTPStreamRequest(
            method: .POST,
            path: "/api/v1",
            headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: Array(json.utf8)
        )
        let response = try await client.execute(request, host: address.host, port: address.port)
        return (Int(response.status.code), String(decoding: response.body, as: UTF8.self))
    }

    /// The agent's ID and `total_resources` as the leader's GET_AGENTS has them.
    static func agent(_ cluster: MasterQuorum, _ leader: UInt64) async throws -> (
        id: String, total: Resources
    )? {
        let (status, body) = try await call(cluster, leader, #"{"type":"GET_AGENTS"}"#)
        guard status == 200,
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let agents = (object["get_agents"] as? [String: Any])?["agents"] as? [[String: Any]],
            let first = agents.first,
            let id = ((first["agent_info"] as? [String: Any])?["id"] as? [String: Any])?["value"] as? String,
            let total = first["total_resources"]
        else { return nil }
        let data = try JSONSerialization.data(withJSONObject: total)
        return (id, Resources(try MesosJSON.decode([Resource].self, from: [UInt8](data))))
    }

    @Test func aReservationIsCommittedSurvivesTheLeadersDeathRunsItsRolesTaskAndIsUnreserved() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:100;ports:[31000-31010]")
        var leader = try await cluster.leader()
        var agentID = ""
        try await cluster.waitUntil("the leader has the agent", seconds: 60) {
            agentID = (try? await Self.agent(cluster, leader))?.id ?? ""
            return !agentID.isEmpty
        }
        let reserve =
            #"{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":{"value":"\#(agentID)"},"resources":[\#(Self.reservedCPU)]}}"#
        let (reserved, reservedBody) = try await Self.call(cluster, leader, reserve)
        #expect(reserved == 202, "\(reservedBody)")
        // Two more CPUs are not free: 409, and nothing changes.
        let tooMuch = reserve.replacingOccurrences(of: #""value":1}"#, with: #""value":2}"#)
        let (conflict, conflictBody) = try await Self.call(cluster, leader, tooMuch)
        #expect(conflict == 409, "\(conflictBody)")
        #expect(conflictBody.contains("free"), "\(conflictBody)")

        cluster.kill(leader)
        try await Task.sleep(for: .milliseconds(200))
        leader = try await cluster.leader()
        var total = Resources()
        try await cluster.waitUntil("the new leader answers GET_AGENTS", seconds: 60) {
            total = (try? await Self.agent(cluster, leader))?.total ?? Resources()
            return !total.isEmpty
        }
        #expect(total.reserved("ml").cpus == 1, "after the fail-over: \(total)")
        #expect(total.unreserved.cpus == 1, "after the fail-over: \(total)")
        #expect(total.reserved("ml").first?.reservations.last?.type == .dynamic)

        // ml's task on the reserved CPU runs on the real agent, which counts it as one of its CPUs.
        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        let ml = try LaunchingScheduler(masters: masters, taskCount: 1, role: "ml", declineRefuseSeconds: 1) {
            id,
            agent in
            var cpu = Resource.scalar("cpus", 1)
            cpu.reservations = [.dynamic("ml", principal: "ops")]
            return TaskInfo(
                name: id.value,
                taskID: id,
                agentID: agent,
                resources: [cpu, .scalar("mem", 16)],
                command: CommandInfo(value: "true")
            )
        }
        let running = Task(executorPreference: TestExecutor.shared) { await ml.run() }
        defer { running.cancel() }
        try await cluster.waitUntil("ml's task finished", seconds: 60) { await ml.finished == 1 }
        let refused = await ml.refused
        let summary = await ml.summary
        #expect(refused.isEmpty, "\(summary)")
        let offers = await ml.offeredResources
        #expect(offers.contains { $0.reserved("ml").cpus == 1 }, "ml is offered its reservation: \(offers)")
        running.cancel()

        let unreserve =
            #"{"type":"UNRESERVE_RESOURCES","unreserve_resources":{"agent_id":{"value":"\#(agentID)"},"resources":[\#(Self.reservedCPU)]}}"#
        var unreserved = 0
        var unreservedBody = ""
        // The task's end may still be on its way to the registry: its CPU is in use until then.
        try await cluster.waitUntil("UNRESERVE_RESOURCES is accepted", seconds: 30) {
            (unreserved, unreservedBody) = try await Self.call(cluster, leader, unreserve)
            return unreserved != 409
        }
        #expect(unreserved == 202, "\(unreservedBody)")
        let after = try #require(try await Self.agent(cluster, leader)).total
        #expect(after.reserved().isEmpty && after.cpus == 2, "\(after)")
    }
}
