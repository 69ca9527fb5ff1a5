import ArgumentParser
import CorralModel
import Foundation

/// `corral stop`: kills tasks through Corral's `KILL_TASK` operator call.
///
/// Mesos 1.11's master operator API can tear down a whole framework but has no call to kill
/// one task, and a CLI cannot subscribe as another scheduler's framework without taking it
/// over. So the leader takes `KILL_TASK` (a Corral call, beside Mesos's): it tells the agent
/// as the framework's own KILL would, and the KILLED update reaches the framework as usual.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Kill tasks and wait until they have ended.",
        discussion: "Example: corral stop run-3f2a1c web-0 web-1"
    )

    @OptionGroup var cluster: ClusterOptions
    @Option(help: "The tasks' framework ID, when a task ID is live in more than one framework.") var framework: String?
    @Option(help: "How long to wait for each task to end, in seconds (0: do not wait).") var timeout: Double = 30
    @Argument(help: "Task IDs (see corral ps).") var tasks: [String]

    func validate() throws {
        guard !tasks.isEmpty else { throw ValidationError("name at least one task to stop, e.g. corral stop run-3f2a1c") }
    }

    func run() throws {
        let connection = try cluster.connect()
        var results: [JSONValue] = []
        var failed = false
        for id in tasks {
            var kill: JSONValue = ["task_id": ["value": .string(id)]]
            if let framework { kill["framework_id"] = ["value": .string(framework)] }
            let response = try connection.call(["type": "KILL_TASK", "kill_task": kill])
            guard response.status == 202 else {
                failed = true
                let reason = ClusterConnection.message(response)
                results.append(["id": .string(id), "error": .string(reason)])
                if !cluster.json { FileHandle.standardError.write(Data("cannot stop \(id): \(reason)\n".utf8)) }
                continue
            }
            let state = timeout > 0 ? waitForEnd(id, connection: connection) : nil
            results.append(["id": .string(id), "state": state.map(JSONValue.string) ?? .null])
            if !cluster.json { say(state.map { "\(id) \($0)" } ?? "\(id) is being killed") }
            if let state, !TaskState(rawValue: state).isTerminal { failed = true }
            retireDetachedRun(of: id, connection: connection)
        }
        if cluster.json { say(JSONValue.array(results).pretty) }
        if failed { throw ExitCode(1) }
    }

    /// `corral run -d` leaves its framework registered (disconnected, with a long failover
    /// timeout) so the master keeps its tasks; once the last of them is stopped, the
    /// framework is torn down here rather than lingering until the timeout.
    private func retireDetachedRun(of id: String, connection: ClusterConnection) {
        guard let frameworkID = (try? connection.task(id, framework: framework))?["framework_id"]?.text,
            let record = (try? connection.get("/master/frameworks?framework_id=\(ClusterConnection.escape(frameworkID))"))?["frameworks"]?.list.first,
            record["name"]?.text?.hasPrefix(RunCommand.frameworkNamePrefix) == true, record["connected"]?.bool == false,
            record["tasks"]?.list.allSatisfy({ TaskState(rawValue: $0["state"]?.text ?? "").isTerminal }) == true
        else { return }
        _ = try? connection.send("POST", "/master/teardown", body: Array("frameworkId=\(ClusterConnection.escape(frameworkID))".utf8))
    }

    /// The task's state once it is terminal, or the last state seen when `timeout` passes.
    private func waitForEnd(_ id: String, connection: ClusterConnection) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var state: String?
        repeat {
            state = (try? connection.task(id, framework: framework))?["state"]?.text
            if let state, TaskState(rawValue: state).isTerminal { return state }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        return state.map { "\($0) (not ended after \(Int(timeout)) s)" }
    }
}
