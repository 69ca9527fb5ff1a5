import CorralModel
import Foundation

extension MasterLeader {
    /// Opens an operator event stream (operator API SUBSCRIBE); `first` is its SUBSCRIBED record.
    func subscribeOperator(first: [UInt8]) throws(MasterError) -> (id: String, stream: RecordStream) {
        _ = try requireLeading()
        let id = UUID().uuidString.lowercased()
        let (stream, sink) = RecordStream.makeStream()
        sink.yield(RecordIO.encode(first))
        operators[id] = sink
        return (id, stream)
    }

    func operatorStreamEnded(_ id: String) {
        operators.removeValue(forKey: id)?.finish()
    }

    /// Sends a registry change to operator subscribers as a Mesos operator event.
    func publish(_ change: RegistryChange) {
        guard !operators.isEmpty, let event = OperatorEvents.event(for: change) else { return }
        let record = RecordIO.encode(event)
        for sink in operators.values { sink.yield(record) }
    }

    /// Outstanding offers, for the state endpoints.
    var outstandingOffers: [Offer] { core.offers.values.map(\.offer).sorted { $0.id < $1.id } }

    /// Agents with a stream to this leader.
    var connectedAgents: Set<AgentID> { Set(core.agents.keys) }
}

extension MasterLeader {
    /// Corral's `KILL_TASK`: the agent is told to kill a live task of any framework, as that
    /// framework's own KILL would; the update reaches the framework (or waits for it) as
    /// usual. `frameworkID` may be nil when exactly one live task has `taskID`.
    func operatorKill(_ taskID: TaskID, frameworkID: FrameworkID?) throws(MasterError) -> TaskKey {
        _ = try requireLeading()
        let live = machine.registry.tasks.values.filter {
            $0.key.taskID == taskID && !$0.isTerminal && (frameworkID == nil || $0.key.frameworkID == frameworkID)
        }
        guard let task = live.first else {
            throw MasterError(code: .notFound, message: "no live task \(taskID.value)\(frameworkID.map { " of framework \($0.value)" } ?? "") is known")
        }
        guard live.count == 1 else {
            throw MasterError(
                code: .request,
                message: "task ID \(taskID.value) is live in \(live.count) frameworks; give kill_task.framework_id")
        }
        killTask(task.key, policy: nil)
        return task.key
    }
}
