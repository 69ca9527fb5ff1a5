import CorralRaft
import CorralSecurity
import CorralStore
import CorralTestSupport
import Foundation
import Logging
import NIOPosix
import Testing

@testable import CorralReplication

/// Certificates for TLS tests in a scratch directory: the cluster's CA ("cluster/ca.pem")
/// with node-1 … node-5 issued for 127.0.0.1, and another CA ("other/ca.pem") with its own
/// node-1 … node-5, as a machine outside the cluster would have.
struct TLSTestCertificates: Sendable {
    let scratch: ScratchDirectory
    /// The directory of the cluster's CA and the certificates it issued.
    let clusterDirectory: String
    /// The directory of the other CA and its certificates.
    let otherDirectory: String

    init() throws {
        scratch = try ScratchDirectory(prefix: "corral-raft-tls")
        clusterDirectory = scratch.path + "/cluster"
        otherDirectory = scratch.path + "/other"
        for (directory, name) in [(clusterDirectory, "cluster CA"), (otherDirectory, "other CA")] {
            let ca = try DevelopmentCA.create(in: directory, name: name, days: 1)
            for id in 1...5 { _ = try ca.issue(name: "node-\(id)", hosts: ["127.0.0.1"], days: 1) }
        }
    }

    /// The cluster's CA, to issue more certificates.
    func clusterCA() throws -> DevelopmentCA { try DevelopmentCA.load(from: clusterDirectory) }

    /// Node `id`'s identity from the cluster's CA (or the other one).
    func identity(_ id: NodeID, otherCA: Bool = false) throws -> TLSIdentity {
        try TLSIdentity(files: .issued(directory: otherCA ? otherDirectory : clusterDirectory, name: "node-\(id)"))
    }

    func remove() { scratch.remove() }
}

/// A real `RaftServer` over a real `PeerTransport` (TLS when given an identity) on loopback,
/// with an LMDB key-value state machine and its log in memory. Its `run` task is the caller's.
final class TLSRaftNode: Sendable {
    let id: NodeID
    let server: RaftServer
    let transport: PeerTransport
    let machine: KeyValueStateMachine
    let address: PeerAddress
    /// The lines its transport logged.
    let lines: CapturingLogHandlerDouble.Lines

    /// Opens node `id` of the voters `voters` in `directory`, listening on a free loopback port.
    init(id: NodeID, voters: Set<NodeID>, tls: TLSIdentity?, directory: String) async throws {
        var quiet = Logger(label: "corral.test.raft-tls")
        quiet.logLevel = .critical
        let lines = CapturingLogHandlerDouble.Lines()
        let transport = PeerTransport(
            group: MultiThreadedEventLoopGroup.singleton, hello: Hello(clusterID: "tls-test", nodeID: id),
            options: TransportOptions(tls: tls), logger: CapturingLogHandlerDouble.logger(lines), encode: { $0.encoded() })
        let machine = try KeyValueStateMachine(environment: try StoreEnvironment(path: "\(directory)/node-\(id)"))
        let server = try RaftServer(
            // 1–2 s election timeouts: the tests assert that no term changes, which a machine
            // busy with other suites must not break by delaying heartbeats.
            config: RaftConfig(id: id, electionTimeoutTicks: 100, heartbeatTicks: 2),
            storage: InMemoryRaftLogStorage(.bootstrap(voters: voters)), machine: machine, transport: transport,
            peers: [:], logger: quiet)
        let port = try await transport.listen(host: "127.0.0.1", port: 0, onRaft: { server.deliver($0) }, onClient: { _, _ in })
        self.id = id
        self.lines = lines
        self.transport = transport
        self.machine = machine
        self.server = server
        address = PeerAddress(host: "127.0.0.1", port: port)
    }

    /// A value as this node's state machine holds it.
    func value(_ key: String) throws -> String? {
        try machine.value(for: Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Runs `body` with `count` TLS nodes (identities from `identity`) that know each other, each
/// running in a child task; stops them and removes their directory however `body` ends.
func withTLSRaftNodes(
    count: Int, identity: @Sendable (NodeID) throws -> TLSIdentity?, _ body: @Sendable ([TLSRaftNode]) async throws -> Void
) async throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let voters = Set((1...NodeID(count)).map { $0 })
    var nodes: [TLSRaftNode] = []
    for id in voters.sorted() {
        nodes.append(try await TLSRaftNode(id: id, voters: voters, tls: try identity(id), directory: directory))
    }
    let addresses = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.address) })
    for node in nodes { node.transport.setPeers(addresses.filter { $0.key != node.id }) }
    let started = nodes
    let outcome: Result<Void, any Error>
    do {
        try await offCooperativePool {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in started { group.addTask { await node.server.run() } }
                defer { group.cancelAll() }
                try await body(started)
            }
        }
        outcome = .success(())
    } catch {
        outcome = .failure(error)
    }
    for node in nodes { await node.transport.shutdown() }
    try outcome.get()
}

/// Waits for a leader that every node in `nodes` follows in one term, with its log applied.
func waitForStableLeader(_ nodes: [TLSRaftNode], seconds: Double = 20) async throws -> RaftStatus {
    var found: RaftStatus?
    try await eventually("a leader that every node follows, with its log applied", seconds: seconds) {
        var statuses: [RaftStatus] = []
        for node in nodes { statuses.append(await node.server.status) }
        guard let leader = statuses.first(where: { $0.role == "leader" }) else { return false }
        found = leader
        return statuses.allSatisfy {
            $0.leader == leader.id && $0.term == leader.term && $0.appliedIndex == leader.lastIndex
        }
    }
    return try #require(found)
}
