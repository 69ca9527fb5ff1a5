@testable import CorralRaft
import CorralTestSupport

/// A test double of a cluster: nodes with in-memory storage and a network that delivers
/// every message in order unless the link is cut. Each node's effects go through the
/// shipped `RaftEffectInterpreter`, as in `RaftServer` and the simulator.
///
/// A node's writes are durable at once, unless the node is in `slowDisks`: then its writes
/// wait in `unsynced` until `sync(_:)`, and the messages that must wait for them
/// (`Message.waitsForPersistence`) wait in its interpreter; `crash(_:)` loses both, as a
/// power cut loses what was never synced. A message a node addresses to itself (a
/// candidate's own vote) goes back into that node once the writes before it are durable,
/// never onto the network.
struct ClusterDouble {
    var nodes: [NodeID: RaftNode] = [:]
    var interpreters: [NodeID: RaftEffectInterpreter] = [:]
    var storages: [NodeID: InMemoryRaftLogStorage] = [:]
    var applied: [NodeID: [Entry]] = [:]
    var inbox: [Message] = []
    var cut: Set<NodeID> = []
    var down: Set<NodeID> = []
    var slowDisks: Set<NodeID> = []
    /// Writes of a slow disk that are not durable yet, oldest first.
    var unsynced: [NodeID: [RaftStorageWrite]] = [:]
    /// Nodes that could not start (their `RaftStateError`) or stopped with `.fatal`.
    var stopped: [NodeID: String] = [:]
    var effectsLog: [NodeID: [RaftEffect]] = [:]
    var rng = SeededGenerator(seed: 1)
    var configure: (inout RaftConfig) -> Void

    init(voters: [NodeID], learners: [NodeID] = [], configure: @escaping (inout RaftConfig) -> Void = { _ in }) {
        self.configure = configure
        for id in voters + learners {
            var state = RaftPersistentState.bootstrap(voters: Set(voters))
            state.snapshot?.metadata.membership = Membership(voters: Set(voters), learners: Set(learners))
            storages[id] = InMemoryRaftLogStorage(state)
            start(id)
        }
    }

    mutating func start(_ id: NodeID) {
        var config = RaftConfig(id: id)
        configure(&config)
        let storage = storages[id] ?? InMemoryRaftLogStorage()
        storages[id] = storage
        let state = (try? storage.load()) ?? RaftPersistentState()
        applied[id] = []
        down.remove(id)
        interpreters[id] = RaftEffectInterpreter(id: id, outcomeWaitTicks: 100)
        do {
            nodes[id] = try RaftNode(config: config, state: state)
            stopped[id] = nil
        } catch {
            nodes[id] = nil
            stopped[id] = error.message
        }
    }

    /// Stops the node's process: what its disk had not synced is lost.
    mutating func crash(_ id: NodeID) {
        nodes[id] = nil
        interpreters[id] = nil
        down.insert(id)
        unsynced[id] = nil
        inbox.removeAll { $0.to == id }
    }

    mutating func input(_ id: NodeID, _ input: RaftInput) {
        guard var node = nodes[id], var interpreter = interpreters[id] else { return }
        let effects = node.step(input, rng: &rng)
        nodes[id] = node
        effectsLog[id, default: []].append(contentsOf: effects)
        let io = ShellIODouble()
        let work = interpreter.carryOut(effects, storage: io)
        interpreters[id] = interpreter
        handOver(id, work.handOffs)
        var inputs = work.inputs
        if slowDisks.contains(id) {
            unsynced[id, default: []] += io.writes
        } else {
            inputs += store(id, io.writes)
        }
        release(id, inputs)
    }

    /// Makes every write `id`'s slow disk holds durable, in order, releasing the messages
    /// that waited for them and reporting the writes to the node.
    mutating func sync(_ id: NodeID) {
        release(id, store(id, unsynced.removeValue(forKey: id) ?? []))
    }

    /// Writes to the node's storage and tells its interpreter they are durable; returns
    /// what the node is to hear next.
    private mutating func store(_ id: NodeID, _ writes: [RaftStorageWrite]) -> [RaftInput] {
        guard let last = writes.last else { return [] }
        for write in writes {
            switch write.operation {
            case .batch(let batch): try? storages[id]?.write(batch)
            case .compact(let index): try? storages[id]?.compact(through: index)
            }
        }
        return interpreters[id]?.durable(through: last.sequence).inputs ?? []
    }

    /// Puts what is ready on the network, then steps the node with `inputs`.
    private mutating func release(_ id: NodeID, _ inputs: [RaftInput]) {
        let io = ShellIODouble()
        interpreters[id]?.flush(to: io)
        for message in io.sent where !cut.contains(message.from) && !cut.contains(message.to) {
            inbox.append(message)
        }
        for next in inputs { input(id, next) }
    }

    private mutating func handOver(_ id: NodeID, _ handOffs: [RaftHandOff]) {
        for handOff in handOffs {
            switch handOff {
            case .apply(let entries):
                applied[id, default: []].append(contentsOf: entries)
            case .applySnapshot(let snapshot):
                applied[id] = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index, payload: .empty)]
            case .fatal(let reason):
                stopped[id] = reason
            default:
                break
            }
        }
    }

    /// Delivers the oldest message in flight, if any.
    mutating func deliverOne() {
        guard !inbox.isEmpty else { return }
        let message = inbox.removeFirst()
        guard nodes[message.to] != nil, !cut.contains(message.to) else { return }
        input(message.to, .message(message))
    }

    /// Delivers messages until none are left (bounded).
    mutating func deliverAll(limit: Int = 100_000) {
        var steps = 0
        while !inbox.isEmpty && steps < limit {
            let message = inbox.removeFirst()
            steps += 1
            guard nodes[message.to] != nil, !cut.contains(message.to) else { continue }
            input(message.to, .message(message))
        }
    }

    /// Ticks every live node once and delivers.
    mutating func tick(_ count: Int = 1) {
        for _ in 0..<count {
            for id in nodes.keys.sorted() { input(id, .tick) }
            deliverAll()
        }
    }

    /// Ticks until some node leads (bounded).
    mutating func electLeader(maxTicks: Int = 200) -> NodeID? {
        for _ in 0..<maxTicks {
            if let leader = leader { return leader }
            tick()
        }
        return leader
    }

    var leader: NodeID? {
        let leaders = nodes.values.filter { $0.role == .leader && !cut.contains($0.id) }
        return leaders.max { $0.term < $1.term }?.id
    }

    func commands(_ id: NodeID) -> [[UInt8]] {
        (applied[id] ?? []).compactMap { entry in
            if case .command(let bytes) = entry.payload { return bytes }
            return nil
        }
    }
}
