import CorralTestSupport
import Testing

@_spi(Testing) @testable import CorralRaft

/// Issue 13 defect 2: a snapshot transfer never sends, and a follower never installs, a
/// snapshot without its data.
@Suite struct SnapshotTransferTests {
    struct Run {
        var cluster: ClusterDouble
        var leader: NodeID
        var lagging: NodeID
        var first: Snapshot
        var second: Snapshot
    }

    /// A leader starts sending snapshot `first` (with data) to a lagging follower; when the
    /// follower holds its first chunk, the leader takes a newer snapshot `second` that has
    /// metadata only (as a shell's sync point does), then the run goes on.
    static func takeAMetadataOnlySnapshotMidTransfer(brokenRules: Set<BrokenRule>) throws -> Run {
        var cluster = ClusterDouble(voters: [1, 2, 3]) {
            $0.snapshotChunkBytes = 4
            $0.brokenRules = brokenRules
        }
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let lagging = try #require([NodeID(1), 2, 3].first { $0 != leader })
        cluster.crash(lagging)
        for value in 0..<10 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        let first = try snapshot(of: cluster, leader, data: Array("the state at the first snapshot".utf8))
        cluster.input(leader, .snapshotTaken(first, trailingEntries: 0))
        for value in 10..<20 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        let second = try snapshot(of: cluster, leader, data: [])
        #expect(second.metadata.index > first.metadata.index)
        cluster.start(lagging)
        // Only the leader's clock runs, and messages go one at a time, until the lagging
        // node holds part of the first snapshot.
        var steps = 0
        while (cluster.nodes[lagging]?.incoming?.data.count ?? 0) == 0, steps < 10_000 {
            if cluster.inbox.isEmpty { cluster.input(leader, .tick) } else { cluster.deliverOne() }
            steps += 1
        }
        let held = cluster.nodes[lagging]?.incoming?.data.count ?? 0
        #expect(held > 0 && held < first.data.count, "the transfer is under way")
        cluster.input(leader, .snapshotTaken(second, trailingEntries: 0))
        cluster.deliverAll()
        cluster.tick(5)
        return Run(cluster: cluster, leader: leader, lagging: lagging, first: first, second: second)
    }

    static func snapshot(of cluster: ClusterDouble, _ leader: NodeID, data: [UInt8]) throws -> Snapshot {
        let node = try #require(cluster.nodes[leader])
        let index = node.appliedIndex
        let term = try #require(node.term(at: index))
        let membership = try #require(node.membership(at: index))
        return Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership), data: data)
    }

    static func installed(_ effects: [RaftEffect]) -> [Snapshot] {
        effects.compactMap { effect -> Snapshot? in
            if case .persistSnapshot(let snapshot) = effect { return snapshot }
            return nil
        }
    }

    @Test func aTransferKeepsTheSnapshotItStartedWithWhenANewerOneHasNoData() throws {
        var run = try Self.takeAMetadataOnlySnapshotMidTransfer(brokenRules: [])
        let installed = Self.installed(run.cluster.effectsLog[run.lagging] ?? [])
        #expect(installed.allSatisfy { !$0.data.isEmpty }, "no snapshot without data is installed")
        #expect(installed.first == run.first, "the transfer finished with the snapshot it began with")
        // The follower now needs the newer snapshot, whose data the leader must ask for.
        let asked = (run.cluster.effectsLog[run.leader] ?? []).filter { $0 == .snapshotDataNeeded }
        #expect(asked.count == 1)
        var filled = run.second
        filled.data = Array("the state at the second snapshot".utf8)
        run.cluster.input(run.leader, .snapshotTaken(filled, trailingEntries: 0))
        run.cluster.tick(5)
        let restored = (run.cluster.effectsLog[run.lagging] ?? []).compactMap { effect -> Snapshot? in
            if case .applySnapshot(let snapshot) = effect { return snapshot }
            return nil
        }
        #expect(restored == [run.first, filled])
        #expect(run.cluster.nodes[run.lagging]?.appliedIndex == run.cluster.nodes[run.leader]?.appliedIndex)
    }

    /// The same run with the old rule (chunks from whatever the latest snapshot is) shows the
    /// defect the test above guards against: the follower installs zero bytes.
    @Test func sendingFromTheLatestSnapshotInstallsAnEmptyOne() throws {
        let run = try Self.takeAMetadataOnlySnapshotMidTransfer(brokenRules: [.sendMetadataOnlySnapshot])
        let installed = Self.installed(run.cluster.effectsLog[run.lagging] ?? [])
        #expect(installed.contains { $0.data.isEmpty && $0.metadata.index > 0 })
    }

    static func follower() throws -> RaftNode {
        try RaftNode(config: RaftConfig(id: 2), state: .bootstrap(voters: [1, 2]))
    }

    static func chunk(index: UInt64, offset: Int, total: Int, data: [UInt8]) -> RaftInput {
        let meta = SnapshotMetadata(index: index, term: 1, membership: Membership(voters: [1, 2]))
        let body = MessageBody.installSnapshot(SnapshotChunk(metadata: meta, offset: offset, totalBytes: total, data: data))
        return .message(Message(from: 1, to: 2, term: 1, body: body))
    }

    @Test func aFollowerRefusesASnapshotOfZeroBytesAboveIndexZero() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.follower()
        let effects = node.step(Self.chunk(index: 50, offset: 0, total: 0, data: []), rng: &rng)
        #expect(Self.installed(effects).isEmpty)
        #expect(node.snapshotMetadata?.index == 0)
        #expect(node.commitIndex == 0)
        let acks = effects.compactMap { effect -> SnapshotAck? in
            if case .send(let message) = effect, case .snapshotResponse(let ack) = message.body { return ack }
            return nil
        }
        #expect(acks == [SnapshotAck(index: 50, term: 1, nextOffset: 0, installed: false)])
    }

    @Test func aFollowerAppendsReceivedChunksInPlace() throws {
        var rng = SeededGenerator(seed: 1)
        var node = try Self.follower()
        let total = 4_096
        var addresses: Set<UInt> = []
        for offset in stride(from: 0, to: total - 64, by: 64) {
            _ = node.step(Self.chunk(index: 50, offset: offset, total: total, data: Array(repeating: 7, count: 64)), rng: &rng)
            let buffer = try #require(node.incoming?.data)
            #expect(buffer.count == offset + 64)
            addresses.insert(buffer.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) })
        }
        #expect(addresses.count == 1, "the received bytes are not copied for every chunk")
        let effects = node.step(
            Self.chunk(index: 50, offset: total - 64, total: total, data: Array(repeating: 7, count: 64)), rng: &rng)
        #expect(Self.installed(effects).map(\.data.count) == [total])
    }
}
