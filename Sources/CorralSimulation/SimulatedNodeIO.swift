import CorralRaft

/// One simulated node's storage and transport, as the effect interpreter sees them: writes
/// go to the node's simulated disk, messages onto the simulated network.
struct SimulatedNodeIO: RaftStorageQueue, RaftMessageSender {
    let engine: SimulationEngine
    /// The node's index in `engine.shells`.
    let index: Int

    func submit(_ write: RaftStorageWrite) {
        engine.persist(write, on: index)
    }

    func send(_ messages: [Message]) {
        for message in messages {
            if case .voteResponse(granted: true) = message.body {
                engine.checker.observeVote(message.from, term: message.term, for: message.to)
            }
            engine.transmit(message)
        }
    }
}
