import ArgumentParser
import CorralModel
import Foundation

/// `corral ps`: tasks cluster-wide, like `docker ps`.
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List tasks cluster-wide (running ones; -a for ended ones too).",
        discussion: "Example: corral ps -a"
    )

    @OptionGroup var cluster: ClusterOptions
    @Flag(name: .shortAndLong, help: "Also list tasks that ended.") var all = false

    func run() throws {
        let connection = try cluster.connect()
        let tasks = try connection.get("/master/tasks?limit=-1&order=asc")["tasks"]?.list ?? []
        let frameworksAnswer = try connection.get("/master/frameworks")
        var frameworkNames: [String: String] = [:]
        for framework in (frameworksAnswer["frameworks"]?.list ?? []) + (frameworksAnswer["completed_frameworks"]?.list ?? []) {
            if let id = framework["id"]?.text { frameworkNames[id] = framework["name"]?.text }
        }
        let agents = try connection.agents()
        let rows = tasks.filter { all || !TaskState(rawValue: $0["state"]?.text ?? "").isTerminal }
            .sorted { ClusterConnection.launchTime($0) < ClusterConnection.launchTime($1) }
            .map { task -> JSONValue in
                let frameworkID = task["framework_id"]?.text ?? ""
                let agentID = task["slave_id"]?.text ?? ""
                return [
                    "id": task["id"] ?? .null, "name": task["name"] ?? .null,
                    "framework_id": .string(frameworkID), "framework": .string(frameworkNames[frameworkID] ?? ""),
                    "agent_id": .string(agentID), "agent": agents[agentID]?["hostname"] ?? .null,
                    "state": task["state"] ?? .null, "launched": .number(ClusterConnection.launchTime(task)),
                    "image": Self.image(task).map(JSONValue.string) ?? .null,
                    "command": Self.command(task).map(JSONValue.string) ?? .null,
                ]
            }
        if cluster.json {
            say(JSONValue.array(rows).pretty)
            return
        }
        let now = Date().timeIntervalSince1970
        var table = TextTable("ID", "FRAMEWORK", "AGENT", "STATE", "AGE", "IMAGE", "COMMAND")
        for row in rows {
            table.add([
                row["id"]?.text ?? "", row["framework"]?.text ?? "", row["agent"]?.text ?? row["agent_id"]?.text ?? "",
                (row["state"]?.text ?? "").replacingOccurrences(of: "TASK_", with: ""),
                age(since: row["launched"]?.double, now: now), row["image"]?.text ?? "-", Self.shorten(row["command"]?.text ?? "-"),
            ])
        }
        say(table.text)
    }

    /// The container image a task runs in (docker or appc name), if any.
    static func image(_ task: JSONValue) -> String? {
        let image = task["container"]?["mesos"]?["image"]
        return image?["docker"]?["name"]?.text ?? image?["appc"]?["name"]?.text
    }

    /// The command `corral run` recorded in the task's `corral.command` label.
    static func command(_ task: JSONValue) -> String? {
        task["labels"]?.list.first { $0["key"]?.text == RunCommand.commandLabel }?["value"]?.text
    }

    static func shorten(_ text: String) -> String { text.count > 40 ? String(text.prefix(39)) + "…" : text }
}
