import CorralModel

/// Registry changes as Mesos operator API events (`master.proto`, `Event`).
enum OperatorEvents {
    static func event(for change: RegistryChange) -> [UInt8]? {
        let event: JSONValue
        switch change {
        case .taskAdded(let task):
            event = ["type": "TASK_ADDED", "task_added": ["task": OperatorViews.task(task)]]
        case .taskUpdated(let task), .taskCompleted(let task):
            event = [
                "type": "TASK_UPDATED",
                "task_updated": [
                    "framework_id": ["value": .string(task.key.frameworkID.value)],
                    "status": OperatorViews.encode(task.status), "state": .string(task.state.rawValue),
                ],
            ]
        case .agentAdded(let agent):
            event = ["type": "AGENT_ADDED", "agent_added": ["agent": OperatorViews.agent(agent)]]
        case .agentUpdated(let agent) where !agent.isActive:
            event = ["type": "AGENT_REMOVED", "agent_removed": ["agent_id": ["value": .string(agent.id.value)]]]
        case .frameworkAdded(let framework):
            event = ["type": "FRAMEWORK_ADDED", "framework_added": ["framework": OperatorViews.framework(framework)]]
        case .frameworkUpdated(let framework):
            event = ["type": "FRAMEWORK_UPDATED", "framework_updated": ["framework": OperatorViews.framework(framework)]]
        case .frameworkRemoved(let framework, _):
            event = ["type": "FRAMEWORK_REMOVED", "framework_removed": ["framework_info": OperatorViews.encode(framework.info)]]
        default:
            return nil
        }
        return event.encoded
    }
}
