import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// Where volumes live on the agent, how a task sees them, and how the agent keeps their data
/// in line with the leader's VOLUMES list.
@Suite struct PersistentVolumesTests {
    /// A volume `id` of 10 MB for `role` at `path`.
    static func volume(_ id: String, role: String = "db", path: String = "data", mode: Volume.Mode = .readWrite) -> Resource {
        var volume = Resource.scalar("disk", 10)
        volume.reservations = [.dynamic(role, principal: "ops")]
        volume.disk = Resource.DiskInfo(persistence: .init(id: id), volume: Volume(mode: mode, containerPath: path))
        return volume
    }

    @Test func aVolumeLivesUnderItsRoleAndIsMountedInTheSandbox() throws {
        #expect(PersistentVolumes.directory(of: Self.volume("v1", role: "eng/db"), workDirectory: "/w") == "/w/volumes/roles/eng%2Fdb/v1")
        #expect(PersistentVolumes.directory(of: .scalar("disk", 10), workDirectory: "/w") == nil)
        let resources = [Resource.scalar("cpus", 1), Self.volume("v1"), Self.volume("v2", path: "/srv/ro", mode: .readOnly)]
        let onImage = try PersistentVolumes.mounts(of: resources, inside: "/mnt/mesos/sandbox", hasImage: true, workDirectory: "/w").get()
        #expect(
            onImage == [
                BindMount(source: "/w/volumes/roles/db/v1", target: "/mnt/mesos/sandbox/data"),
                BindMount(source: "/w/volumes/roles/db/v2", target: "/srv/ro", readOnly: true),
            ])
        let onHost = PersistentVolumes.mounts(of: resources, inside: "/w/sandboxes/f/t", hasImage: false, workDirectory: "/w")
        guard case .failure(let problem) = onHost else {
            Issue.record("an absolute container_path on the host's root filesystem was mounted: \(onHost)")
            return
        }
        #expect(problem.why.contains("needs a container image"))
        let relative = try PersistentVolumes.mounts(of: [Self.volume("v1")], inside: "/w/sandboxes/f/t", hasImage: false, workDirectory: "/w").get()
        #expect(relative == [BindMount(source: "/w/volumes/roles/db/v1", target: "/w/sandboxes/f/t/data")])
    }

    @Test func aTaskWithAVolumeGetsItsMountAndOneThatEscapesIsAnError() throws {
        let configuration = TaskLaunchPlanTests.configuration
        var task = TaskInfo(name: "t", taskID: "t", agentID: "a", resources: [.scalar("cpus", 1), Self.volume("v1")])
        task.command = CommandInfo(value: "true")
        let launch = TaskLaunch(key: TaskKey("f", "t"), frameworkInfo: nil, task: task, executor: nil, group: nil)
        let rootfs = ResolvedRootfs(image: nil, users: UserDatabase(passwd: "", group: ""))
        let spec = try TaskLaunchPlan.spec(for: launch, containerID: "c", sandbox: "/s", rootfs: rootfs, configuration: configuration).get()
        #expect(
            spec.bindMounts == [
                BindMount(source: "/s", target: "/s"), BindMount(source: "\(configuration.workDirectory)/volumes/roles/db/v1", target: "/s/data"),
            ])
        var escaping = launch
        escaping.task.resources = [Self.volume("v1", path: "../../etc")]
        guard case .failure(let end) = TaskLaunchPlan.spec(for: escaping, containerID: "c", sandbox: "/s", rootfs: rootfs, configuration: configuration)
        else {
            Issue.record("a container_path with '..' was mounted")
            return
        }
        #expect(end.state == .error && end.message.contains("'..'"), "\(end)")
    }

    @Test func syncKeepsListedAndUsedVolumesAndDeletesTheRest() throws {
        let scratch = try ScratchDirectory(prefix: "corral-volumes")
        defer { scratch.remove() }
        let work = scratch.path
        let kept = Self.volume("kept"), used = Self.volume("used", role: "eng/db"), destroyed = Self.volume("destroyed")
        for volume in [used, destroyed] {
            let path = try #require(PersistentVolumes.directory(of: volume, workDirectory: work))
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try "data".write(toFile: "\(path)/file", atomically: true, encoding: .utf8)
        }
        let deleted = try PersistentVolumes.sync(listed: [kept], inUse: [used], workDirectory: work)
        #expect(deleted == ["\(work)/volumes/roles/db/destroyed"])
        #expect(FileManager.default.fileExists(atPath: "\(work)/volumes/roles/db/kept"), "a listed volume's directory is made")
        #expect(FileManager.default.fileExists(atPath: "\(work)/volumes/roles/eng%2Fdb/used/file"), "a used volume keeps its data")
        #expect(try PersistentVolumes.sync(listed: [kept], inUse: [used], workDirectory: work).isEmpty, "a second sync changes nothing")
    }

    @Test func theAgentCountsAVolumeAsTheDiskItWasMadeFromAndPassesItsVolumesOn() {
        var harness = AgentHarness()
        harness.startAndSubscribe(term: 1)
        var task = AgentHarness.task("t1")
        var big = Self.volume("v1")
        big.scalar = 9_000
        task.resources.append(big)
        let effects = harness.send(AgentHarness.launch([task], term: 1))
        #expect(effects.launches.map(\.key) == [AgentHarness.key("t1")], "the volume's disk fits in the agent's 10,000 MB")
        #expect(harness.machine.freeResources.diskMegabytes == 1_000)
        var event = AgentEvent(type: .volumes, term: 1)
        event.volumes = AgentEvent.Volumes(volumes: [Self.volume("v2")])
        let kept = harness.send(event).compactMap { effect -> ([Resource], [Resource])? in
            if case .keepVolumes(let listed, let inUse) = effect { (listed, inUse) } else { nil }
        }
        #expect(kept.count == 1)
        #expect(kept.first?.0 == [Self.volume("v2")] && kept.first?.1 == [big], "the running task's volume is kept too")
    }

    @Test func aVolumeThatOutgrewItsSizeIsNamed() throws {
        let scratch = try ScratchDirectory(prefix: "corral-volumes")
        defer { scratch.remove() }
        var oneMB = Self.volume("v1")
        oneMB.scalar = 1
        let path = try #require(PersistentVolumes.directory(of: oneMB, workDirectory: scratch.path))
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 512 * 1024).write(to: URL(fileURLWithPath: "\(path)/half"))
        let half = PersistentVolumes.usedBytes(path)
        #expect(half >= 512 * 1024 && half < 1_048_576, "\(half)")
        #expect(PersistentVolumes.usage([oneMB], workDirectory: scratch.path).compactMap(\.overLimit).isEmpty)
        try Data(repeating: 7, count: 1024 * 1024).write(to: URL(fileURLWithPath: "\(path)/more"))
        let over = PersistentVolumes.usage([oneMB, .scalar("cpus", 1)], workDirectory: scratch.path).compactMap(\.overLimit)
        #expect(over.count == 1 && over.first?.contains("persistent volume v1 exceeds its size (1048576 bytes)") == true, "\(over)")
    }
}
