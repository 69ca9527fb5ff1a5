import ArgumentParser
import CorralModel
import Foundation

/// `corral agents`: the agents the leader knows, with total, used and free resources.
struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List agents with their total, used and free cpus, memory and disk.",
        discussion: "Example: corral agents --masters 127.0.0.1:5051,127.0.0.1:5052"
    )

    @OptionGroup var cluster: ClusterOptions

    func run() throws {
        let agents = try cluster.connect().get("/master/slaves")["slaves"]?.list ?? []
        let rows = agents.map(Self.summary)
        if cluster.json {
            say(JSONValue.array(rows).pretty)
            return
        }
        var table = TextTable("ID", "HOSTNAME", "ADDRESS", "ACTIVE", "CPUS (USED/TOTAL)", "MEM MB (USED/TOTAL)", "DISK MB (USED/TOTAL)")
        for row in rows {
            func pair(_ name: String) -> String {
                "\(Self.format(row["used"]?[name]?.double))/\(Self.format(row["total"]?[name]?.double))"
            }
            table.add([
                row["id"]?.text ?? "", row["hostname"]?.text ?? "", row["address"]?.text ?? "",
                row["active"]?.bool == true ? "yes" : "no", pair("cpus"), pair("mem"), pair("disk"),
            ])
        }
        say(table.text)
    }

    /// One agent as `{id, hostname, address, active, total, used, free}`.
    static func summary(_ agent: JSONValue) -> JSONValue {
        let total = agent["resources"]?.fields ?? [:]
        let used = agent["used_resources"]?.fields ?? [:]
        var free: [String: JSONValue] = [:]
        for (name, value) in total {
            guard let quantity = value.double else { continue }
            free[name] = .number(max(0, quantity - (used[name]?.double ?? 0)))
        }
        let scalars = { (fields: [String: JSONValue]) in JSONValue.object(fields.filter { $0.value.double != nil }) }
        return [
            "id": agent["id"] ?? .null, "hostname": agent["hostname"] ?? .null,
            "address": ClusterConnection.address(ofAgent: agent).map(JSONValue.string) ?? .null,
            "active": agent["active"] ?? .null,
            "total": scalars(total), "used": scalars(used), "free": .object(free),
        ]
    }

    static func format(_ value: Double?) -> String {
        guard let value else { return "0" }
        return value == value.rounded() ? String(Int64(value)) : String(format: "%.2f", value)
    }
}
