import CorralContainer
import CorralModel
import Foundation

/// The demo job `corral up` runs once the cluster is up: a few tasks in busybox containers,
/// through the scheduler API, the leader and an agent, with their states and output printed.
enum UpDemo {
    /// Imports busybox into the agents' image store (built from the host's `/bin/busybox`)
    /// unless an image of that name is there; returns false, saying why, when it cannot.
    static func ensureBusybox(imageRoot: String, scratch: String) -> Bool {
        do {
            let store = try ImageStore(root: imageRoot)
            if (try? store.lowerDirectories(forImage: "busybox")) != nil { return true }
            guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else {
                say("demo: no busybox image in \(imageRoot) and no /bin/busybox to make one (apt-get install busybox-static)")
                return false
            }
            let rootfs = "\(scratch)/busybox-rootfs"
            try BusyboxRootfs.build(at: rootfs)
            _ = try store.importRootfs(name: "busybox", directory: rootfs)
            try? FileManager.default.removeItem(atPath: rootfs)
            say("demo: imported the busybox image into \(imageRoot)")
            return true
        } catch {
            say("demo: could not import busybox into \(imageRoot): \(error)")
            return false
        }
    }

    /// Runs `count` tasks and prints how each ended and what it wrote.
    static func run(
        masters: [String], agentWorkDirectory: String, count: Int = 3, interrupted: @escaping @Sendable () -> Bool
    ) async {
        let framework: BenchTasksFramework
        do {
            framework = try BenchTasksFramework(masters: masters, total: count, concurrency: count, prefix: "demo", name: "corral-up-demo") { id, agent in
                var task = TaskInfo(
                    name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)],
                    command: CommandInfo(value: "echo \"hello from $MESOS_TASK_ID in a busybox container on $(hostname)\""))
                task.container = ContainerInfo(type: .mesos, mesos: ContainerInfo.MesosInfo(image: .docker("busybox")))
                return task
            }
        } catch {
            say("demo: could not start its framework: \(error)")
            return
        }
        say("demo: launching \(count) tasks in busybox containers…")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await framework.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, !interrupted(), await !framework.done {
                try? await Task.sleep(for: .milliseconds(50))
            }
            // Torn down, not just disconnected: `corral frameworks` lists it as completed.
            try? await framework.client.teardown()
            await framework.stop()
            group.cancelAll()
        }
        guard !interrupted() else { return }
        let frameworkID = await framework.client.frameworkID
        let timelines = await framework.timelines
        for id in timelines.keys.sorted(by: { $0.value < $1.value }) {
            guard let timeline = timelines[id] else { continue }
            let end = timeline.end.map { "\($0.state.rawValue)\($0.reason.map { " (\($0.rawValue))" } ?? "")" } ?? "not ended"
            let stdout = frameworkID.flatMap {
                try? String(contentsOfFile: "\(agentWorkDirectory)/sandboxes/\($0.value)/\(id.value)/stdout", encoding: .utf8)
            }
            say("demo: \(id.value) \(end): \(stdout?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "(no output)")")
        }
        if timelines.count < count || timelines.values.contains(where: { $0.end == nil }) {
            say("demo: not every task ended within 60 s; see the agent's log")
        }
    }
}
