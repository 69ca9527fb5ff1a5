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
    /// Corral's `KILL_TASK` (`LeaderStateMachine.operatorKill`).
    func operatorKill(_ taskID: TaskID, frameworkID: FrameworkID?) throws(MasterError) -> TaskKey {
        _ = try requireLeading()
        let (key, actions) = try core.operatorKill(taskID, frameworkID: frameworkID, in: context())
        perform(actions)
        return key
    }
}
