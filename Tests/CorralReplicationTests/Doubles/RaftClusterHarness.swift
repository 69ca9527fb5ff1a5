import CorralRaft
import CorralReplication
import CorralStore
import CorralTestSupport
import Foundation
import Logging

/// Real `RaftServer`s with LMDB key-value state machines, in one process, joined by a
/// `LoopbackNetworkDouble`. Each node runs in its own task; `withRaftCluster` stops them and
/// removes their directories however the test ends.
final class RaftClusterHarness: Sendable {
    let network = LoopbackNetworkDouble()
    let servers: [NodeID: RaftServer]
    let machines: [NodeID: KeyValueStateMachine]
    let directory: String
    private let stops: [NodeID: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)]

    init(count: Int, options: RaftServerOptions) throws {
        directory = try makeTemporaryDirectory()
        let ids = Set((1...UInt64(count)).map { $0 })
        var servers: [NodeID: RaftServer] = [:]
        var machines: [NodeID: KeyValueStateMachine] = [:]
        for id in ids.sorted() {
            let environment = try StoreEnvironment(path: "\(directory)/node-\(id)")
            let machine = try KeyValueStateMachine(environment: environment)
            var logger = Logger(label: "corral.test.raft")
            logger.logLevel = .warning
            let server = try RaftServer(
                config: RaftConfig(id: id, electionTimeoutTicks: 10, heartbeatTicks: 1),
                storage: InMemoryRaftLogStorage(.bootstrap(voters: ids)),
                machine: machine,
                transport: network.endpoint(id),
                peers: [:],
                options: options,
                logger: logger)
            network.attach(server)
            servers[id] = server
            machines[id] = machine
        }
        self.servers = servers
        self.machines = machines
        stops = Dictionary(uniqueKeysWithValues: ids.map { ($0, AsyncStream.makeStream(of: Void.self)) })
    }

    /// Stops node `id` (its `run` returns), as a process that is shut down.
    func stop(_ id: NodeID) {
        stops[id]?.continuation.finish()
    }

    /// Runs node `id` until `stop(id)` or cancellation.
    func run(_ id: NodeID) async {
        guard let server = servers[id], let stop = stops[id] else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask { for await _ in stop.stream {} }
            await group.next()
            group.cancelAll()
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func server(_ id: NodeID) -> RaftServer {
        guard let server = servers[id] else { preconditionFailure("no node \(id) in this cluster") }
        return server
    }

    func status(_ id: NodeID) async -> RaftStatus { await server(id).status }

    /// Waits for one leader that every node follows and that has committed its whole log.
    func waitForStableLeader(seconds: Double = 20) async throws -> NodeID {
        var found: NodeID = 0
        try await eventually("a leader that every node follows, with its log committed", seconds: seconds) {
            var statuses: [RaftStatus] = []
            for id in servers.keys.sorted() { statuses.append(await status(id)) }
            guard let leader = statuses.first(where: { $0.role == "leader" }) else { return false }
            let settled = statuses.allSatisfy {
                $0.leader == leader.id && $0.term == leader.term && $0.commitIndex == leader.lastIndex
                    && $0.appliedIndex == leader.lastIndex
            }
            found = leader.id
            return settled
        }
        return found
    }

    /// A value as the state machine of node `id` holds it.
    func value(_ key: String, on id: NodeID) throws -> String? {
        try machines[id]?.value(for: Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Runs `body` with a running cluster, on the test executor; every node stops when it returns or throws.
func withRaftCluster(
    count: Int = 3, options: RaftServerOptions = RaftServerOptions(),
    _ body: @Sendable (RaftClusterHarness) async throws -> Void
) async throws {
    let cluster = try RaftClusterHarness(count: count, options: options)
    try await offCooperativePool {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in cluster.servers.keys {
                group.addTask { await cluster.run(id) }
            }
            defer { group.cancelAll() }
            try await body(cluster)
        }
    }
}

/// A put command for the key-value state machine.
func putCommand(_ key: String, _ value: String) -> [UInt8] {
    KeyValueStateMachine.Command.put(key: Array(key.utf8), value: Array(value.utf8)).encoded
}
