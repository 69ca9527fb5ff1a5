import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// A task group (LAUNCH_GROUP) on a real agent: its tasks run under the agent's default
/// executor, share that executor container's network, IPC and UTS namespaces (each with its
/// own mount namespace), and are killed together when one of them fails; the executor's
/// container goes once no task is left.
@Suite(.serialized, .offCooperativePool) struct AgentTaskGroupEndToEndTests {
    /// Prints the namespaces and hostname a task sees, then waits to be killed.
    static let report = "for ns in net ipc uts mnt; do echo $ns $(readlink /proc/self/ns/$ns); done; echo host $(hostname); "
        + "trap 'exit 0' TERM; while :; do sleep 0.05; done"

    @Test func aGroupSharesItsExecutorsNamespacesAndIsKilledWhenOneTaskFails() async throws {
        let cluster = try MasterQuorum(masters: 1)
        defer { cluster.stopAll() }
        try await cluster.startAll()
        try cluster.startAgent("a")
        let names = ["left", "right", "failer"]
        let executor = ExecutorInfo(
            executorID: "group-executor", type: .default, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)])
        let failerStarts = cluster.root + "/failer-go"
        let framework = try LaunchingScheduler(
            masters: [cluster.address(1).description], taskCount: names.count, perOffer: names.count, groupExecutor: executor
        ) { id, agent in
            let index = Int(id.value.split(separator: "-").last ?? "") ?? 0
            let name = names[index]
            // The failer waits until the test has seen the others' reports.
            let command = name == "failer" ? "while [ ! -e \(failerStarts) ]; do sleep 0.05; done; exit 2" : Self.report
            return TaskInfo(
                name: name, taskID: TaskID(name), agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16)],
                command: CommandInfo(value: command))
        }
        let running = Task(executorPreference: TestExecutor.shared) { await framework.run() }
        defer { running.cancel() }
        try await cluster.waitUntil("the group runs", seconds: 60) {
            let states = await framework.states
            return names.allSatisfy { states[TaskID($0)] == .running }
        }
        let frameworkID = try #require(await framework.frameworkIDs.first)
        func report(_ name: String) -> [String: String] {
            let path = "\(cluster.workDirectory("a"))/sandboxes/\(frameworkID.value)/\(name)/stdout"
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
            return Dictionary(lines.map { ($0.split(separator: " ").first.map(String.init) ?? "", $0.split(separator: " ").dropFirst().joined()) },
                              uniquingKeysWith: { first, _ in first })
        }
        try await cluster.waitUntil("both reports written", seconds: 30) { report("left")["host"] != nil && report("right")["host"] != nil }
        let left = report("left")
        let right = report("right")
        let own = { (kind: String) in (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(kind)")) ?? "" }
        for kind in ["net", "ipc", "uts", "host"] {
            #expect(left[kind] != nil && left[kind] == right[kind], "\(kind) is shared: \(left) \(right)")
        }
        #expect(left["ipc"] != own("ipc") && left["uts"] != own("uts"), "the group's IPC and UTS namespaces are its executor's, not the host's")
        #expect(left["mnt"] != right["mnt"], "each task has its own mount namespace")

        _ = FileManager.default.createFile(atPath: failerStarts, contents: nil)
        try await cluster.waitUntil("the group ended", seconds: 60) { await framework.ended == names.count }
        let last = await framework.statuses.mapValues { $0.last }
        #expect(last[TaskID("failer")]??.state == .failed)
        #expect(last[TaskID("left")]??.state == .killed, "killed with its group")
        #expect(last[TaskID("right")]??.state == .killed, "killed with its group")
        let containers = AgentChild.executorRecords(workDirectory: cluster.workDirectory("a"))
        try await cluster.waitUntil("the default executor's container is gone", seconds: 30) {
            ((try? FileManager.default.contentsOfDirectory(atPath: containers)) ?? []).isEmpty
        }
    }
}
