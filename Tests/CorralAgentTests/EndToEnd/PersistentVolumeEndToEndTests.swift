import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// Persistent volumes on real processes: an operator reserves disk for `db` and makes a
/// volume on it through the v1 operator API of a 3-master quorum; a `db` task writes to the
/// volume on a real agent; the agent is killed and restarted, the leader is killed; a second
/// task finds the data; DESTROY_VOLUMES removes the volume and the agent deletes its data.
@Suite(.serialized, .offCooperativePool) struct PersistentVolumeEndToEndTests {
    typealias E = DynamicReservationEndToEndTests

    /// 100 MB of disk dynamically reserved for `db`, as JSON.
    static let reservedDisk = """
        {"name":"disk","type":"SCALAR","scalar":{"value":100},\
        "reservations":[{"type":"DYNAMIC","role":"db","principal":"ops"}]}
        """

    /// Volume v1: 64 MB of that disk, seen by tasks at `<sandbox>/data`, as JSON.
    static let volumeJSON = """
        {"name":"disk","type":"SCALAR","scalar":{"value":64},\
        "reservations":[{"type":"DYNAMIC","role":"db","principal":"ops"}],\
        "disk":{"persistence":{"id":"v1","principal":"ops"},"volume":{"mode":"RW","container_path":"data"}}}
        """

    /// The same volume, as a task names it.
    static var volume: Resource {
        get throws { try MesosJSON.decode(Resource.self, from: Array(volumeJSON.utf8)) }
    }

    /// A `db` scheduler that runs one task with the volume and `script`; returns the task's
    /// final state and the scheduler's summary.
    static func runTask(_ cluster: MasterQuorum, _ script: String) async throws -> (TaskState?, String) {
        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        let volume = try Self.volume
        let scheduler = try LaunchingScheduler(masters: masters, taskCount: 1, role: "db", declineRefuseSeconds: 1) { id, agent in
            TaskInfo(
                name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16), volume],
                command: CommandInfo(value: script))
        }
        let running = Task(executorPreference: TestExecutor.shared) { await scheduler.run() }
        defer { running.cancel() }
        try await cluster.waitUntil("the db task ended", seconds: 60) { await scheduler.ended == 1 }
        let state = await scheduler.states.values.first
        return (state, await scheduler.summary)
    }

    @Test func aVolumeKeepsItsDataAcrossTasksAnAgentRestartAndALeaderKillUntilDestroyed() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:200")
        var leader = try await cluster.leader()
        var agentID = ""
        try await cluster.waitUntil("the leader has the agent", seconds: 60) {
            agentID = (try? await E.agent(cluster, leader))?.id ?? ""
            return !agentID.isEmpty
        }
        let agent = #"{"value":"\#(agentID)"}"#
        let (reserved, reservedBody) = try await E.call(
            cluster, leader, #"{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":\#(agent),"resources":[\#(Self.reservedDisk)]}}"#)
        #expect(reserved == 202, "\(reservedBody)")
        let create = #"{"type":"CREATE_VOLUMES","create_volumes":{"agent_id":\#(agent),"volumes":[\#(Self.volumeJSON)]}}"#
        let (created, createdBody) = try await E.call(cluster, leader, create)
        #expect(created == 202, "\(createdBody)")
        let (again, againBody) = try await E.call(cluster, leader, create)
        #expect(again == 400, "the same volume twice: \(again) \(againBody)")
        #expect(againBody.contains("already has volume v1"), "\(againBody)")
        let directory = "\(cluster.workDirectory("a"))/volumes/roles/db/v1"
        try await cluster.waitUntil("the agent made the volume's directory", seconds: 30) {
            FileManager.default.fileExists(atPath: directory)
        }

        let (wrote, wroteSummary) = try await Self.runTask(cluster, "echo kept > data/greeting && test -s data/greeting")
        #expect(wrote == .finished, "\(wroteSummary)")
        #expect((try? String(contentsOfFile: "\(directory)/greeting", encoding: .utf8)) == "kept\n")

        // The agent restarts on its work dir, and the leader dies: the volume is in the registry.
        cluster.killAgent("a")
        try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:200")
        cluster.kill(leader)
        try await Task.sleep(for: .milliseconds(200))
        leader = try await cluster.leader()
        var total = Resources()
        try await cluster.waitUntil("the new leader has the agent with its volume", seconds: 60) {
            total = (try? await E.agent(cluster, leader))?.total ?? Resources()
            return !total.volumes.isEmpty
        }
        #expect(total.volumes.first?.persistenceID == "v1" && total.volumes.first?.scalar == Scalar(64), "\(total)")
        #expect(total.diskMegabytes == 200, "a volume moves disk, it makes none: \(total)")

        let (read, readSummary) = try await Self.runTask(cluster, #"test "$(cat data/greeting)" = kept"#)
        #expect(read == .finished, "the second task found the first one's data: \(readSummary)")

        let destroy = #"{"type":"DESTROY_VOLUMES","destroy_volumes":{"agent_id":\#(agent),"volumes":[\#(Self.volumeJSON)]}}"#
        var destroyed = 0
        var destroyedBody = ""
        // The task's end may still be on its way to the registry: the volume is in use until then.
        try await cluster.waitUntil("DESTROY_VOLUMES is accepted", seconds: 30) {
            (destroyed, destroyedBody) = try await E.call(cluster, leader, destroy)
            return destroyed != 409
        }
        #expect(destroyed == 202, "\(destroyedBody)")
        try await cluster.waitUntil("the agent deleted the volume's data", seconds: 30) {
            !FileManager.default.fileExists(atPath: directory)
        }
        let after = try #require(try await E.agent(cluster, leader)).total
        #expect(after.volumes.isEmpty && after.reserved("db").diskMegabytes == 100, "\(after)")
    }

    /// Three masters and an agent measuring volumes every 0.2 s, with a 1 MB volume `v1` for
    /// `db` on it; returns the volume as tasks name it.
    static func clusterWithSmallVolume(_ cluster: MasterQuorum) async throws -> Resource {
        try await cluster.startAll()
        try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:200", arguments: ["--disk-watch-interval-seconds", "0.2"])
        let leader = try await cluster.leader()
        var agentID = ""
        try await cluster.waitUntil("the leader has the agent", seconds: 60) {
            agentID = (try? await E.agent(cluster, leader))?.id ?? ""
            return !agentID.isEmpty
        }
        let agent = #"{"value":"\#(agentID)"}"#
        let small = Self.volumeJSON.replacingOccurrences(of: #""value":64"#, with: #""value":1"#)
        _ = try await E.call(
            cluster, leader, #"{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":\#(agent),"resources":[\#(Self.reservedDisk)]}}"#)
        let (created, body) = try await E.call(
            cluster, leader, #"{"type":"CREATE_VOLUMES","create_volumes":{"agent_id":\#(agent),"volumes":[\#(small)]}}"#)
        #expect(created == 202, "\(body)")
        return try MesosJSON.decode(Resource.self, from: Array(small.utf8))
    }

    /// A `db` scheduler running one task with `volume` and `script`.
    static func scheduler(_ cluster: MasterQuorum, volume: Resource, _ script: String) throws -> LaunchingScheduler {
        let masters = [UInt64(1), 2, 3].map { cluster.address($0).description }
        return try LaunchingScheduler(masters: masters, taskCount: 1, role: "db", declineRefuseSeconds: 1) { id, agent in
            TaskInfo(
                name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16), volume],
                command: CommandInfo(value: script))
        }
    }

    /// A task that writes more than its volume's size is failed by the agent's disk watch
    /// (REASON_CONTAINER_LIMITATION_DISK), whatever the filesystem.
    @Test func aTaskThatOverfillsItsVolumeFails() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        let volume = try await Self.clusterWithSmallVolume(cluster)
        let scheduler = try Self.scheduler(cluster, volume: volume, "head -c 3000000 /dev/zero > data/big && sleep 60")
        let running = Task(executorPreference: TestExecutor.shared) { await scheduler.run() }
        defer { running.cancel() }
        try await cluster.waitUntil("the task ended", seconds: 60) { await scheduler.ended == 1 }
        let status = await scheduler.statuses[TaskID("task-0")]?.last
        #expect(status?.state == .failed && status?.reason == .containerLimitationDisk, "\(String(describing: status))")
        #expect(status?.message?.contains("exceeds its size") == true, "\(String(describing: status?.message))")
    }

    /// The agent's GET_CONTAINERS reports what a running task's volume takes on disk against
    /// its size (`resource_statistics.disk_statistics`), as the disk watch measured it.
    @Test func getContainersReportsAVolumesUse() async throws {
        let cluster = try MasterQuorum(masters: 3)
        defer { cluster.stopAll() }
        let volume = try await Self.clusterWithSmallVolume(cluster)
        let scheduler = try Self.scheduler(cluster, volume: volume, "head -c 500000 /dev/zero > data/half && sleep 60")
        let running = Task(executorPreference: TestExecutor.shared) { await scheduler.run() }
        defer { running.cancel() }
        let port = try #require(cluster.agentPort("a"))
        var disk: [String: Any] = [:]
        try await cluster.waitUntil("GET_CONTAINERS reports the volume's 500 kB", seconds: 60) {
            let request = HTTPStreamRequest(
                method: .POST, path: "/api/v1", headers: ["Content-Type": "application/json", "Accept": "application/json"],
                body: Array(#"{"type":"GET_CONTAINERS"}"#.utf8))
            guard let response = try? await E.client.execute(request, host: "127.0.0.1", port: port),
                let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let containers = (object["get_containers"] as? [String: Any])?["containers"] as? [[String: Any]],
                let statistics = containers.first?["resource_statistics"] as? [String: Any],
                let first = (statistics["disk_statistics"] as? [[String: Any]])?.first
            else { return false }
            disk = first
            return (first["used_bytes"] as? Double ?? 0) >= 500_000
        }
        #expect(disk["limit_bytes"] as? Double == 1_048_576)
        #expect((disk["persistence"] as? [String: Any])?["id"] as? String == "v1")
    }
}
