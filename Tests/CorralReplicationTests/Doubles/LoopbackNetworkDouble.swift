import CorralRaft
import CorralReplication
import Synchronization

/// A test double of `PeerTransport`: an in-memory network between `RaftServer`s in one
/// process, with a filter a test sets to lose messages (partitions, lost replies). It also
/// records every message a node put on the network addressed to itself, which a shell must
/// never do.
final class LoopbackNetworkDouble: Sendable {
    private struct State {
        var servers: [NodeID: RaftServer] = [:]
        /// Messages for which this returns true are lost.
        var drop: @Sendable (Message) -> Bool = { _ in false }
        var selfAddressed: [Message] = []
    }

    private let state = Mutex(State())

    /// The transport of node `id`.
    func endpoint(_ id: NodeID) -> Endpoint { Endpoint(network: self, id: id) }

    func attach(_ server: RaftServer) {
        state.withLock { $0.servers[server.id] = server }
    }

    /// Loses every message for which `drop` returns true, until the next call.
    func setDrop(_ drop: @escaping @Sendable (Message) -> Bool) {
        state.withLock { $0.drop = drop }
    }

    /// Cuts `node` off: nothing it sends arrives, nothing sent to it arrives.
    func isolate(_ node: NodeID) {
        setDrop { $0.from == node || $0.to == node }
    }

    /// Every message arrives again.
    func heal() {
        setDrop { _ in false }
    }

    /// Messages a node sent to itself over the network.
    var selfAddressed: [Message] { state.withLock { $0.selfAddressed } }

    fileprivate func send(_ messages: [Message], from id: NodeID) {
        let deliveries: [(RaftServer, Message)] = state.withLock { state in
            var out: [(RaftServer, Message)] = []
            for message in messages {
                if message.to == id {
                    state.selfAddressed.append(message)
                    continue
                }
                guard !state.drop(message), let server = state.servers[message.to] else { continue }
                out.append((server, message))
            }
            return out
        }
        for (server, message) in deliveries { server.deliver(message) }
    }

    /// One node's side of the network.
    struct Endpoint: RaftTransport {
        let network: LoopbackNetworkDouble
        let id: NodeID

        func send(_ messages: [Message]) { network.send(messages, from: id) }
        func onPeerRefused(_ handler: @escaping @Sendable (NodeID) -> Void) {}
    }
}
