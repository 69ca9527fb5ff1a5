import ArgumentParser
import CorralModel
import Foundation

/// `corral logs`: a task's stdout and stderr, read from its sandbox through the agent's `/files`.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a task's output (stdout to stdout, stderr to stderr); -f follows it until the task ends.",
        discussion: "Example: corral logs -f run-3f2a1c"
    )

    @OptionGroup var cluster: ClusterOptions
    @Flag(name: .shortAndLong, help: "Keep printing new output until the task ends.") var follow = false
    @Option(help: "The task's framework ID, when the task ID is used in more than one framework.") var framework: String?
    @Argument(help: "A task ID (see corral ps -a).") var task: String

    func run() throws {
        let connection = try cluster.connect()
        var record = try connection.task(task, framework: framework)
        let sandbox = try locate(record, connection: connection)
        var offsets = ["stdout": 0, "stderr": 0]
        var collected = ["stdout": "", "stderr": ""]
        while true {
            // Read the state first: output written before the task ended is read after it.
            let ended = TaskState(rawValue: record["state"]?.text ?? "").isTerminal
            for file in ["stdout", "stderr"] {
                let (text, next) = try sandbox.read(file, from: offsets[file] ?? 0, client: connection.client)
                offsets[file] = next
                if cluster.json { collected[file, default: ""] += text } else { write(text, to: file) }
            }
            if !follow || ended { break }
            Thread.sleep(forTimeInterval: 0.5)
            record = try connection.task(task, framework: framework)
        }
        if cluster.json {
            say(JSONValue.object([
                "id": .string(task), "state": record["state"] ?? .null,
                "stdout": .string(collected["stdout"] ?? ""), "stderr": .string(collected["stderr"] ?? ""),
            ]).pretty)
        }
    }

    /// The sandbox, waiting (with -f) while a just-launched task's agent has not made it yet.
    private func locate(_ record: JSONValue, connection: ClusterConnection) throws -> Sandbox {
        let deadline = Date().addingTimeInterval(follow ? 30 : 0)
        while true {
            do {
                return try connection.sandbox(of: record)
            } catch {
                if Date() >= deadline { throw error }
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    private func write(_ text: String, to file: String) {
        guard !text.isEmpty else { return }
        (file == "stderr" ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
    }
}
