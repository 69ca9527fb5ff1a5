@testable import CorralRaft
import CorralTestSupport

/// A test double of a cluster: nodes with in-memory storage and a network that delivers
/// every message in order unless the link is cut.
///
/// A node's writes are durable at once, unless the node is in `slowDisks`: then its writes
/// wait in `unsynced` until `sync(_:)`, together with the messages that must wait for them
/// (`Message.waitsForPersistence`), and `crash(_:)` loses them, as a power cut loses what
/// was never synced. A message a node addresses to itself (a candidate's own vote) goes
/// back into that node once the writes before it are durable, never onto the network.
struct ClusterDouble {
    /// One thing a slow disk holds back: a write (with the input that reports it durable),
    /// or a message that waits for the writes before it.
    enum Unsynced {
        case write(RaftWriteBatch, ack: RaftInput?)
        case compact(through: UInt64)
        case send(Message)
    }

    var nodes: [NodeID: RaftNode] = [:]
    var storages: [NodeID: InMemoryRaftLogStorage] = [:]
    var applied: [NodeID: [Entry]] = [:]
    var inbox: [Message] = []
    var cut: Set<NodeID> = []
    var down: Set<NodeID> = []
    var slowDisks: Set<NodeID> = []
    var unsynced: [NodeID: [Unsynced]] = [:]
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
        down.insert(id)
        unsynced[id] = nil
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
        var feedback: [RaftInput] = []
        for effect in effects {
            switch effect {
            case .persistHardState(let hardState):
                write(id, RaftWriteBatch(hardState: hardState), ack: nil, feedback: &feedback)
            case .persistEntries(let entries):
                let ack = entries.last.map { RaftInput.entriesDurable(index: $0.index, term: $0.term) }
                write(id, RaftWriteBatch(entries: entries), ack: ack, feedback: &feedback)
            case .persistSnapshot(let snapshot):
                let meta = snapshot.metadata
                write(id, RaftWriteBatch(snapshot: snapshot), ack: .snapshotDurable(index: meta.index, term: meta.term), feedback: &feedback)
            case .compactLog(let index):
                if slowDisks.contains(id) {
                    unsynced[id, default: []].append(.compact(through: index))
                } else {
                    try? storages[id]?.compact(through: index)
                }
            case .send(let message):
                let waits = message.waitsForPersistence && !(unsynced[id] ?? []).isEmpty
                if waits {
                    unsynced[id, default: []].append(.send(message))
                } else {
                    release(message, feedback: &feedback)
                }
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
        for next in feedback { input(id, next) }
    }

    private mutating func write(_ id: NodeID, _ batch: RaftWriteBatch, ack: RaftInput?, feedback: inout [RaftInput]) {
        if slowDisks.contains(id) {
            unsynced[id, default: []].append(.write(batch, ack: ack))
            return
        }
        try? storages[id]?.write(batch)
        if let ack { feedback.append(ack) }
    }

    /// A message to the sender itself goes back into it; any other goes on the network.
    private mutating func release(_ message: Message, feedback: inout [RaftInput]) {
        if message.to == message.from {
            feedback.append(.message(message))
        } else if !cut.contains(message.from) && !cut.contains(message.to) {
            inbox.append(message)
        }
    }

    /// Makes every write `id`'s slow disk holds durable, in order, releasing the messages
    /// that waited for them and reporting the writes to the node.
    mutating func sync(_ id: NodeID) {
        var feedback: [RaftInput] = []
        while let next = unsynced[id]?.first {
            unsynced[id]?.removeFirst()
            switch next {
            case .write(let batch, let ack):
                try? storages[id]?.write(batch)
                if let ack { feedback.append(ack) }
            case .compact(let index):
                try? storages[id]?.compact(through: index)
            case .send(let message):
                release(message, feedback: &feedback)
            }
        }
        for next in feedback { input(id, next) }
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
