@testable import CorralRaft
import CorralTestSupport

/// A test double of a cluster: nodes with in-memory storage whose writes are durable at
/// once, and a network that delivers every message in order unless the link is cut.
struct ClusterDouble {
    var nodes: [NodeID: RaftNode] = [:]
    var storages: [NodeID: InMemoryRaftLogStorage] = [:]
    var applied: [NodeID: [Entry]] = [:]
    var inbox: [Message] = []
    var cut: Set<NodeID> = []
    var down: Set<NodeID> = []
    var effectsLog: [NodeID: [RaftEffect]] = [:]
    var rng = SeededGenerator(seed: 1)
    var configure: (inout RaftConfig) -> Void

    init(voters: [NodeID], configure: @escaping (inout RaftConfig) -> Void = { _ in }) {
        self.configure = configure
        for id in voters {
            let storage = InMemoryRaftLogStorage(.bootstrap(voters: Set(voters)))
            storages[id] = storage
            start(id)
        }
    }

    mutating func start(_ id: NodeID) {
        var config = RaftConfig(id: id)
        configure(&config)
        let storage = storages[id] ?? InMemoryRaftLogStorage()
        storages[id] = storage
        let state = (try? storage.load()) ?? RaftPersistentState()
        nodes[id] = RaftNode(config: config, state: state)
        applied[id] = []
        down.remove(id)
    }

    mutating func crash(_ id: NodeID) {
        nodes[id] = nil
        down.insert(id)
        inbox.removeAll { $0.to == id }
    }

    mutating func input(_ id: NodeID, _ input: RaftInput) {
        guard var node = nodes[id] else { return }
        let effects = node.step(input, rng: &rng)
        nodes[id] = node
        effectsLog[id, default: []].append(contentsOf: effects)
        carryOut(id, effects)
    }

    private mutating func carryOut(_ id: NodeID, _ effects: [RaftEffect]) {
        guard let storage = storages[id] else { return }
        var acks: [RaftInput] = []
        for effect in effects {
            switch effect {
            case .persistHardState(let hardState):
                try? storage.write(RaftWriteBatch(hardState: hardState))
            case .persistEntries(let entries):
                try? storage.write(RaftWriteBatch(entries: entries))
                if let last = entries.last { acks.append(.entriesDurable(index: last.index, term: last.term)) }
            case .persistSnapshot(let snapshot):
                try? storage.write(RaftWriteBatch(snapshot: snapshot))
                acks.append(.snapshotDurable(index: snapshot.metadata.index, term: snapshot.metadata.term))
            case .compactLog(let index):
                try? storage.compact(through: index)
            case .send(let message):
                if !cut.contains(message.from) && !cut.contains(message.to) { inbox.append(message) }
            case .apply(let entries):
                applied[id, default: []].append(contentsOf: entries)
            case .applySnapshot(let snapshot):
                applied[id] = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index, payload: .empty)]
            default:
                break
            }
        }
        for ack in acks { input(id, ack) }
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
