import ArgumentParser
import CorralModel
import Foundation

/// `corral frameworks`: the frameworks the leader knows.
struct FrameworksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frameworks",
        abstract: "List frameworks (add -a for completed ones too).",
        discussion: "Example: corral frameworks -a --json"
    )

    @OptionGroup var cluster: ClusterOptions
    @Flag(name: .shortAndLong, help: "Also list completed (torn down) frameworks.") var all = false

    func run() throws {
        let answer = try cluster.connect().get("/master/frameworks")
        var frameworks = answer["frameworks"]?.list ?? []
        if all { frameworks += answer["completed_frameworks"]?.list ?? [] }
        let rows = frameworks.map { framework -> JSONValue in
            let live = framework["tasks"]?.list.count ?? 0
            let state = framework["unregistered_time"] != nil && framework["active"]?.bool != true
                ? (answer["completed_frameworks"]?.list.contains(framework) == true ? "completed" : "disconnected")
                : "active"
            return [
                "id": framework["id"] ?? .null, "name": framework["name"] ?? .null, "state": .string(state),
                "role": framework["role"] ?? framework["roles"] ?? .null, "tasks": .number(Double(live)),
                "used_resources": framework["used_resources"] ?? [:], "registered_time": framework["registered_time"] ?? .null,
            ]
        }
        if cluster.json {
            say(JSONValue.array(rows).pretty)
            return
        }
        let now = Date().timeIntervalSince1970
        var table = TextTable("ID", "NAME", "STATE", "TASKS", "CPUS", "MEM MB", "AGE")
        for row in rows {
            table.add([
                row["id"]?.text ?? "", row["name"]?.text ?? "", row["state"]?.text ?? "", row["tasks"]?.text ?? "0",
                AgentsCommand.format(row["used_resources"]?["cpus"]?.double), AgentsCommand.format(row["used_resources"]?["mem"]?.double),
                age(since: row["registered_time"]?.double, now: now),
            ])
        }
        say(table.text)
    }
}
