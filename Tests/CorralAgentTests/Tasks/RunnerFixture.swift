import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// A work dir and a runner for one test, the busybox image in a shared image store, and
/// the check every test ends with: no container, cgroup or mount of its own is left.
final class RunnerFixture: Sendable {
    let workDirectory: String
    let configuration: TaskRunnerConfiguration

    /// The image store every runner test reads `busybox` from (built once per test run).
    static let imageRoot: Result<String, any Error> = Result {
        let root = NSTemporaryDirectory() + "corral-agent-test-images"
        let rootfs = root + "/busybox-rootfs"
        try BusyboxRootfs.build(
            at: rootfs,
            passwd: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"
        )
        try ImageStore(root: root).importRootfs(name: "busybox", directory: rootfs)
        return root
    }

    /// `imageRoot` nil: the shared store with busybox.
    init(
        _ label: String, imageRoot: String? = nil, imagePulls: ImagePullSettings = ImagePullSettings(),
        userNamespace: UserNamespaceMapping? = nil
    ) throws {
        workDirectory = NSTemporaryDirectory() + "corral-agent-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        var configuration = TaskRunnerConfiguration(
            workDirectory: workDirectory,
            imageRoot: try imageRoot ?? Self.imageRoot.get(),
            corralExecutable: try CorralBinary.locate(),
            hostname: "agent-test"
        )
        configuration.imagePulls = imagePulls
        configuration.userNamespace = userNamespace
        self.configuration = configuration
        _ = try RuntimeDirectory.prepare(configuration.runtimeDirectory)
    }

    func runner() throws -> TaskRunner { try TaskRunner(configuration: configuration) }

    /// A command task on the busybox image (or the host with `image: nil`).
    static func launch(
        _ taskID: String,
        _ command: CommandInfo,
        image: String? = "busybox",
        memMegabytes: Double? = nil
    ) -> TaskLaunch {
        var task = TaskInfo(name: taskID, taskID: TaskID(taskID), agentID: "agent-1", command: command)
        task.resources = [.scalar("cpus", 0.5)] + (memMegabytes.map { [Resource.scalar("mem", Scalar($0))] } ?? [])
        if let image { task.container = ContainerInfo(type: .mesos, mesos: .init(image: .docker(image))) }
        return TaskLaunch(key: TaskKey("fw-1", TaskID(taskID)), frameworkInfo: nil, task: task, executor: nil)
    }

    func sandbox(_ taskID: String) -> String { configuration.sandbox(for: TaskKey("fw-1", TaskID(taskID))) }

    func stdout(_ taskID: String) -> String {
        (try? String(contentsOfFile: sandbox(taskID) + "/stdout", encoding: .utf8)) ?? ""
    }

    func stderr(_ taskID: String) -> String {
        (try? String(contentsOfFile: sandbox(taskID) + "/stderr", encoding: .utf8)) ?? ""
    }

    /// Polls the task's stdout (a real process writes it) until it contains `text`.
    func waitForOutput(_ taskID: String, _ text: String, within limit: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + limit
        while !stdout(taskID).contains(text) {
            try #require(ContinuousClock.now < deadline, "task \(taskID) did not print '\(text)'")
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The next end the runner reports, within `limit`.
    static func nextEnd(_ runner: TaskRunner, within limit: Duration = .seconds(30)) async throws -> (TaskKey, TaskEnd) {
        let events = runner.events
        let end = await withTaskGroup(of: (TaskKey, TaskEnd)?.self) { group in
            group.addTask {
                for await event in events {
                    if case .ended(let key, let end) = event { return (key, end) }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return try #require(end, "no task ended within \(limit)")
    }

    /// Kills whatever still runs, then checks that no cgroup or mount of this work dir's
    /// containers is left and removes the work dir.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) {
        let store = ContainerStore(root: configuration.containerRoot)
        let records = (try? store.list()) ?? []
        for record in records where record.isRunning { _ = try? store.stop(record, grace: .zero) }
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        for record in records {
            #expect(!mounts.contains(record.id), "a mount of \(record.id) is left", sourceLocation: sourceLocation)
            for controller in Cgroup.controllers {
                let path = Cgroup(id: record.id).path(controller)
                #expect(!FileManager.default.fileExists(atPath: path), "cgroup left: \(path)", sourceLocation: sourceLocation)
            }
        }
        #expect(RuntimeDirectory.release(configuration.runtimeDirectory) == nil, sourceLocation: sourceLocation)
        try? FileManager.default.removeItem(atPath: workDirectory)
    }
}
