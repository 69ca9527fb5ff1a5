import CorralModel
import Foundation

/// The registry's records in the shapes of Mesos's operator API (`master.proto`) and
/// `mesos.proto` `Task`.
enum OperatorViews {
    static func encode(_ value: some Encodable) -> JSONValue { .from(value) }

    /// A Mesos `TimeInfo`: nanoseconds since the epoch.
    static func time(_ nanos: UInt64) -> JSONValue { ["nanoseconds": .integer(Int64(clamping: nanos))] }

    static func task(_ task: TaskRecord) -> JSONValue {
        var view: JSONValue = [
            "name": .string(task.info.name),
            "task_id": ["value": .string(task.key.taskID.value)],
            "framework_id": ["value": .string(task.key.frameworkID.value)],
            "agent_id": ["value": .string(task.agentID.value)],
            "state": .string(task.state.rawValue),
            "resources": encode(task.info.resources),
            "statuses": encode([task.status]),
            "role": .string(task.role),
        ]
        if let executor = task.executor { view["executor_id"] = ["value": .string(executor.executorID.value)] }
        if let head = task.pending.first {
            view["status_update_state"] = .string(head.state.rawValue)
            if let uuid = head.uuid { view["status_update_uuid"] = encode(Base64Value(uuid)) }
        }
        if let container = task.info.container { view["container"] = encode(container) }
        if let labels = task.info.labels { view["labels"] = encode(labels) }
        return view
    }

    static func agent(_ agent: AgentRecord, allocated: Resources = Resources(), offered: Resources = Resources()) -> JSONValue {
        var view: JSONValue = [
            "agent_info": encode(agent.info),
            "active": .bool(agent.isActive),
            "deactivated": .bool(!agent.isActive || agent.deactivated),
            "version": .string(CorralVersion.mesosCompatible),
            "registered_time": time(agent.registeredAtNanos),
            // With the dynamic reservations made on it, as Mesos's `total_resources` has them.
            "total_resources": encode(Array(agent.total)),
            "allocated_resources": encode(Array(allocated)),
            "offered_resources": encode(Array(offered)),
        ]
        if case .unreachable(let since) = agent.state { view["unreachable_time"] = time(since) }
        if let drain = agent.drain {
            var config: JSONValue = ["mark_gone": .bool(drain.markGone)]
            if let grace = drain.maxGraceNanos { config["max_grace_period"] = ["nanoseconds": .number(Double(grace))] }
            view["drain_info"] = ["state": .string(drain.state.rawValue), "config": config]
        }
        return view
    }

    static func framework(_ framework: FrameworkRecord, connected: Bool = false, allocated: Resources = Resources(),
        offered: Resources = Resources()) -> JSONValue
    {
        let active = framework.state == .active
        return [
            "framework_info": encode(framework.info),
            "active": .bool(active),
            "connected": .bool(connected || active),
            "recovered": false,
            "registered_time": time(framework.registeredAtNanos),
            "allocated_resources": encode(Array(allocated)),
            "offered_resources": encode(Array(offered)),
        ]
    }
}

/// Bytes as Mesos JSON writes them: a base64 string.
struct Base64Value: Encodable {
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(bytes).base64EncodedString())
    }
}
