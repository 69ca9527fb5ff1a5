import CorralTestSupport
import Testing

@_spi(Testing) @testable import CorralRaft

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

@Suite struct LeaderDownTests {
    /// Ticks the cluster, reporting `leader` unreachable to every node in `reporters` before
    /// each tick; returns the ticks until one of them leads, or nil within `limit`.
    static func ticksUntilANewLeader(
        _ cluster: inout ClusterDouble, reporters: [NodeID], about leader: NodeID, limit: Int
    ) -> Int? {
        for elapsed in 1...limit {
            for reporter in reporters { cluster.input(reporter, .peerUnreachable(leader)) }
            cluster.tick()
            if reporters.contains(where: { cluster.nodes[$0]?.role == .leader }) { return elapsed }
        }
        return nil
    }

    @Test func aPersistentRefusalStartsAnElectionBeforeTheElectionTimeout() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let followers = [NodeID(1), 2, 3].filter { $0 != leader }
        cluster.tick(2)
        cluster.crash(leader)
        let config = RaftConfig(id: 1)
        let ticks = Self.ticksUntilANewLeader(&cluster, reporters: followers, about: leader, limit: config.electionTimeoutTicks)
        let bound = 2 * config.heartbeatTicks + 4  // persistence, then rank 0 with its jitter
        let elapsed = try #require(ticks, "no election within the election timeout")
        #expect(elapsed <= bound)
    }

    /// Every follower of a healthy 5-voter cluster hears one false report at once (a proxy
    /// in front of the leader resets connections) while the leader's heartbeats are held up
    /// for a few ticks (a pause shorter than the election timeout); then the run goes on.
    /// Returns whether the leader was deposed.
    static func oneRefusalDuringAShortPause(brokenRules: Set<BrokenRule>) throws -> Bool {
        var cluster = ClusterDouble(voters: [1, 2, 3, 4, 5]) { $0.brokenRules = brokenRules }
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let term = try #require(cluster.nodes[leader]?.term)
        let followers = [NodeID(1), 2, 3, 4, 5].filter { $0 != leader }
        cluster.tick(2)
        for follower in followers { cluster.input(follower, .peerUnreachable(leader)) }
        for _ in 0..<4 {
            for follower in followers { cluster.input(follower, .tick) }
            cluster.deliverAll()
        }
        cluster.tick(30)
        return cluster.nodes[leader]?.role != .leader || cluster.nodes.values.contains { $0.term != term }
    }

    @Test func aSingleRefusalStartsNoElection() throws {
        #expect(try Self.oneRefusalDuringAShortPause(brokenRules: []) == false)
    }

    @Test func refusalsWhileHeartbeatsArriveStartNoElection() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3, 4, 5])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let term = try #require(cluster.nodes[leader]?.term)
        let followers = [NodeID(1), 2, 3, 4, 5].filter { $0 != leader }
        cluster.tick(2)
        let ticks = Self.ticksUntilANewLeader(&cluster, reporters: followers, about: leader, limit: 60)
        #expect(ticks == nil)
        #expect(cluster.nodes[leader]?.role == .leader)
        #expect(cluster.nodes[leader]?.term == term)
    }

    /// The ticks each follower of a 5-voter cluster waits before campaigning once the
    /// refusal of its crashed leader is confirmed, by rank (the order of the node ids).
    static func campaignDelays(seed: UInt64, heartbeatTicks: Int, brokenRules: Set<BrokenRule> = []) throws -> [Int] {
        var cluster = ClusterDouble(voters: [1, 2, 3, 4, 5]) {
            $0.heartbeatTicks = heartbeatTicks
            $0.electionTimeoutTicks = 100
            $0.brokenRules = brokenRules
        }
        cluster.rng = SeededGenerator(seed: seed)
        let elected = cluster.electLeader(maxTicks: 1_000)
        let leader = try #require(elected)
        let followers = [NodeID(1), 2, 3, 4, 5].filter { $0 != leader }
        cluster.tick(heartbeatTicks)
        cluster.crash(leader)
        for follower in followers { cluster.input(follower, .peerUnreachable(leader)) }
        for _ in 0..<(2 * heartbeatTicks) {
            for follower in followers { cluster.input(follower, .tick) }
        }
        for follower in followers { cluster.input(follower, .peerUnreachable(leader)) }
        return try followers.map { follower in
            let node = try #require(cluster.nodes[follower])
            #expect(node.leader == 0, "n\(follower) forgot the leader it was told is down")
            return node.randomizedElectionTimeout - node.electionElapsed
        }
    }

    @Test(arguments: [1, 5])
    func ranksAreMoreThanAnElectionRoundApartWithJitterWithin(heartbeatTicks: Int) throws {
        let round = max(2, 2 * heartbeatTicks)
        var delaysOfRankZero: Set<Int> = []
        for seed: UInt64 in 1...20 {
            let delays = try Self.campaignDelays(seed: seed, heartbeatTicks: heartbeatTicks)
            delaysOfRankZero.insert(delays[0])
            for (earlier, later) in zip(delays, delays.dropFirst()) {
                #expect(later - earlier > round, "seed \(seed): delays \(delays)")
            }
        }
        #expect(delaysOfRankZero.count > 1, "the delay within a rank is jittered")
    }

    @Test func theOldRuleCampaignsOnASingleRefusalOneHeartbeatApart() throws {
        #expect(try Self.oneRefusalDuringAShortPause(brokenRules: [.campaignOnSingleRefusal]), "a healthy leader was deposed")
        let delays = try Self.campaignDelays(seed: 1, heartbeatTicks: 5, brokenRules: [.campaignOnSingleRefusal])
        #expect(zip(delays, delays.dropFirst()).contains { $1 - $0 <= 10 })
    }

    @Test func aReportAboutAnotherPeerChangesNothing() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        let followers = [NodeID(1), 2, 3].filter { $0 != leader }
        let term = try #require(cluster.nodes[leader]?.term)
        for _ in 0..<8 {
            cluster.input(followers[0], .peerUnreachable(followers[1]))
            cluster.tick()
        }
        #expect(cluster.nodes[leader]?.role == .leader)
        #expect(cluster.nodes[leader]?.term == term)
    }
}
