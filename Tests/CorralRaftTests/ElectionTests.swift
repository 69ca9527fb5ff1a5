import Testing

@testable import CorralRaft

@Suite struct ElectionTests {
    @Test func singleNodeElectsItselfAndCommits() {
        var cluster = ClusterDouble(voters: [1])
        let leader = cluster.electLeader()
        #expect(leader == 1)
        cluster.input(1, .propose(id: 7, command: [1, 2, 3]))
        cluster.deliverAll()
        #expect(cluster.commands(1) == [[1, 2, 3]])
    }

    @Test func threeNodesElectOneLeaderAndReplicate() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let leaders = cluster.nodes.values.filter { $0.role == .leader }
        #expect(leaders.count == 1)
        for value in 0..<20 { cluster.input(leader, .propose(id: UInt64(value), command: [UInt8(value)])) }
        cluster.deliverAll()
        cluster.tick(2)
        for id: NodeID in [1, 2, 3] {
            #expect(cluster.commands(id) == (0..<20).map { [UInt8($0)] })
        }
    }

    @Test func preVoteKeepsAnIsolatedNodeFromRaisingItsTerm() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let follower = try #require([1, 2, 3].first { $0 != leader })
        let termBefore = try #require(cluster.nodes[follower]?.term)
        cluster.cut = [follower]
        cluster.tick(100)
        #expect(cluster.nodes[follower]?.term == termBefore)
        cluster.cut = []
        cluster.tick(5)
        #expect(cluster.nodes[leader]?.role == .leader)
        #expect(cluster.nodes[leader]?.term == termBefore)
    }

    @Test func checkQuorumMakesAnIsolatedLeaderStepDown() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        cluster.cut = [leader]
        cluster.tick(30)
        #expect(cluster.nodes[leader]?.role == .follower)
        let others = [NodeID(1), 2, 3].filter { $0 != leader }
        #expect(others.contains { cluster.nodes[$0]?.role == .leader })
    }

    @Test func aStaleLogCannotWinAnElection() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let lagging = try #require([NodeID(1), 2, 3].first { $0 != leader })
        cluster.cut = [lagging]
        cluster.input(leader, .propose(id: 1, command: [9]))
        cluster.deliverAll()
        cluster.cut = []
        cluster.crash(leader)
        // The lagging node campaigns first but the remaining voter has a longer log.
        cluster.input(lagging, .message(Message(from: leader, to: lagging, term: 99, body: .timeoutNow)))
        cluster.deliverAll()
        #expect(cluster.nodes[lagging]?.role != .leader)
    }

    @Test func leaderTransferHandsOverToTheTarget() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let target = try #require([NodeID(1), 2, 3].first { $0 != leader })
        cluster.input(leader, .propose(id: 1, command: [1]))
        cluster.deliverAll()
        cluster.input(leader, .transferLeadership(to: target))
        cluster.deliverAll()
        #expect(cluster.nodes[target]?.role == .leader)
        #expect(cluster.nodes[leader]?.role == .follower)
    }
}
