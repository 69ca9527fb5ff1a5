import Testing

@testable import CorralRaft

@Suite struct SnapshotAndMembershipTests {
    @Test func aFollowerBehindTheLogStartReceivesTheSnapshotInChunks() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3]) { $0.snapshotChunkBytes = 3 }
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let lagging = try #require([NodeID(1), 2, 3].first { $0 != leader })
        cluster.crash(lagging)
        for value in 0..<30 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        let applied = try #require(cluster.nodes[leader]?.appliedIndex)
        let snapshotTerm = try #require(cluster.nodes[leader]?.term(at: applied))
        let membership = try #require(cluster.nodes[leader]?.membership)
        let data = Array("snapshot-state-bytes".utf8)
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: applied, term: snapshotTerm, membership: membership),
            data: data
        )
        cluster.input(leader, .snapshotTaken(snapshot, trailingEntries: 2))
        #expect(cluster.nodes[leader]?.firstIndex == applied - 1)
        cluster.start(lagging)
        cluster.effectsLog = [:]
        cluster.tick(10)
        let chunks = (cluster.effectsLog[leader] ?? []).filter {
            if case .send(let message) = $0, case .installSnapshot = message.body { return true }
            return false
        }
        #expect(chunks.count >= (data.count + 2) / 3)
        let restored = (cluster.effectsLog[lagging] ?? []).compactMap { effect -> Snapshot? in
            if case .applySnapshot(let snapshot) = effect { return snapshot }
            return nil
        }
        #expect(restored.first?.data == data)
        cluster.input(leader, .propose(id: 99, command: [99]))
        cluster.deliverAll()
        cluster.tick(2)
        #expect(cluster.nodes[lagging]?.appliedIndex == cluster.nodes[leader]?.appliedIndex)
    }

    @Test func aSnapshotWithoutDataIsFilledInWhenAFollowerNeedsIt() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let lagging = try #require([NodeID(1), 2, 3].first { $0 != leader })
        cluster.crash(lagging)
        for value in 0..<20 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        let applied = try #require(cluster.nodes[leader]?.appliedIndex)
        let term = try #require(cluster.nodes[leader]?.term(at: applied))
        let membership = try #require(cluster.nodes[leader]?.membership(at: applied))
        let meta = SnapshotMetadata(index: applied, term: term, membership: membership)
        cluster.input(leader, .snapshotTaken(Snapshot(metadata: meta, data: []), trailingEntries: 0))
        cluster.start(lagging)
        cluster.effectsLog = [:]
        cluster.tick(5)
        let asked = (cluster.effectsLog[leader] ?? []).filter { $0 == .snapshotDataNeeded }
        #expect(asked.count == 1, "the leader asks once for the data it does not hold")
        #expect(cluster.nodes[lagging]?.appliedIndex ?? 0 < applied)
        cluster.input(leader, .snapshotTaken(Snapshot(metadata: meta, data: Array("state".utf8)), trailingEntries: 0))
        cluster.tick(5)
        #expect(cluster.nodes[lagging]?.appliedIndex == applied)
        #expect(cluster.nodes[lagging]?.snapshotMetadata == meta)
    }

    @Test func aLearnerJoinsCatchesUpIsPromotedAndTheLeaderRemovesItself() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        for value in 0..<10 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        cluster.start(4)  // empty storage: learns the cluster from the leader
        cluster.input(leader, .proposeConfigChange(id: 100, change: .addLearner(4)))
        cluster.tick(3)
        #expect(cluster.nodes[4]?.membership.learners == [4])
        #expect(cluster.commands(4) == cluster.commands(leader))
        cluster.input(leader, .proposeConfigChange(id: 101, change: .promote(4)))
        cluster.tick(3)
        #expect(cluster.nodes[leader]?.membership.voters == [1, 2, 3, 4])
        cluster.input(leader, .proposeConfigChange(id: 102, change: .remove(leader)))
        cluster.tick(30)
        let newLeader = cluster.nodes.values.first { $0.role == .leader && $0.id != leader }
        #expect(newLeader != nil)
        #expect(newLeader?.membership.voters == Set([NodeID(1), 2, 3, 4]).subtracting([leader]))
        #expect(cluster.nodes[leader]?.role == .follower)
    }

    @Test func oneMembershipChangeAtATime() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        cluster.cut = Set([NodeID(1), 2, 3].filter { $0 != leader })
        cluster.input(leader, .proposeConfigChange(id: 1, change: .addLearner(4)))
        cluster.effectsLog = [:]
        cluster.input(leader, .proposeConfigChange(id: 2, change: .addLearner(5)))
        #expect(cluster.effectsLog[leader]?.contains(.proposalRejected(id: 2, reason: .configChangeInProgress)) == true)
    }

    @Test func readIndexWaitsForAQuorumAndAFollowerPointsAtTheLeader() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let follower = try #require([NodeID(1), 2, 3].first { $0 != leader })
        cluster.input(leader, .propose(id: 1, command: [1]))
        cluster.deliverAll()
        let commit = try #require(cluster.nodes[leader]?.commitIndex)
        cluster.cut = Set([NodeID(1), 2, 3].filter { $0 != leader })
        cluster.effectsLog = [:]
        cluster.input(leader, .readIndex(id: 5))
        cluster.deliverAll()
        #expect(!(cluster.effectsLog[leader] ?? []).contains(.readReady(id: 5, index: commit)))
        cluster.cut = []
        cluster.tick(1)
        #expect((cluster.effectsLog[leader] ?? []).contains(.readReady(id: 5, index: commit)))
        cluster.effectsLog = [:]
        cluster.input(follower, .readIndex(id: 6))
        #expect(cluster.effectsLog[follower] == [.readRejected(id: 6, reason: .notLeader(leader: leader))])
    }

    @Test func aRestartedNodeKeepsItsTermVoteAndLog() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        for value in 0..<5 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        cluster.tick(2)
        let before = try #require(cluster.nodes[leader])
        cluster.crash(leader)
        cluster.start(leader)
        let after = try #require(cluster.nodes[leader])
        #expect(after.term == before.term)
        #expect(after.hardState.vote == before.hardState.vote)
        #expect(after.lastIndex == before.lastIndex)
        cluster.tick(40)
        #expect(cluster.commands(leader) == (0..<5).map { [UInt8($0)] })
    }
}
