import Testing

@testable import CorralRaft
import CorralTestSupport

@Suite struct ReplicationTests {
    @Test func aLeaderSendsBeforeItsOwnWriteAndAFollowerRepliesAfterItsWrite() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let leader = try #require(elected)
        cluster.effectsLog = [:]
        cluster.input(leader, .propose(id: 1, command: [42]))
        let leaderEffects = cluster.effectsLog[leader] ?? []
        let firstSend = try #require(leaderEffects.firstIndex { if case .send = $0 { return true } else { return false } })
        let persist = try #require(leaderEffects.firstIndex { if case .persistEntries = $0 { return true } else { return false } })
        #expect(firstSend < persist, "the leader replicates in parallel with its own write")
        cluster.deliverAll()
        for follower in [NodeID(1), 2, 3] where follower != leader {
            let effects = cluster.effectsLog[follower] ?? []
            let write = try #require(effects.firstIndex { if case .persistEntries = $0 { return true } else { return false } })
            let reply = try #require(
                effects.firstIndex {
                    if case .send(let message) = $0, case .appendResponse = message.body { return true }
                    return false
                })
            #expect(write < reply, "a follower acknowledges only after its write")
        }
    }

    @Test func theLeaderDoesNotCountItselfBeforeItsWriteIsDurable() throws {
        var rng = SeededGenerator(seed: 3)
        var node = try RaftNode(config: RaftConfig(id: 1), state: .bootstrap(voters: [1]))
        var effects: [RaftEffect] = []
        for _ in 0..<30 { effects += node.step(.tick, rng: &rng) }
        #expect(node.role == .candidate, "a lone voter's own vote waits for its write")
        // The shell hands the node its own vote back once the term and vote are durable.
        let ownVote = try #require(
            effects.compactMap { effect -> Message? in
                if case .send(let message) = effect, message.to == 1 { return message }
                return nil
            }.last)
        _ = node.step(.message(ownVote), rng: &rng)
        #expect(node.role == .leader)
        #expect(node.commitIndex == 0, "the no-op is not durable yet")
        effects = node.step(.entriesDurable(index: 1, term: node.term), rng: &rng)
        #expect(node.commitIndex == 1)
        #expect(effects.contains { if case .apply = $0 { return true } else { return false } })
    }

    @Test func aDivergentFollowerIsRepairedWithFewRoundTrips() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        let elected = cluster.electLeader()
        let first = try #require(elected)
        let others = [NodeID(1), 2, 3].filter { $0 != first }
        // The first leader appends many entries that only it holds.
        cluster.cut = [first]
        for value in 0..<200 { cluster.input(first, .propose(id: UInt64(value), command: [1])) }
        cluster.inbox.removeAll()
        cluster.tick(40)
        let secondElected = cluster.leader
        let second = try #require(secondElected)
        #expect(others.contains(second))
        for value in 0..<5 { cluster.input(second, .propose(id: UInt64(value), command: [2])) }
        cluster.deliverAll()
        cluster.cut = []
        var rejections = 0
        cluster.effectsLog = [:]
        cluster.tick(5)
        for effect in cluster.effectsLog[first] ?? [] {
            if case .send(let message) = effect, case .appendResponse(let response) = message.body, response.rejected {
                rejections += 1
            }
        }
        #expect(rejections <= 3, "fast backtracking skips a whole conflicting term at once")
        #expect(cluster.commands(first) == cluster.commands(second))
        #expect(cluster.commands(first) == Array(repeating: [2], count: 5))
    }

    @Test func aPreviousTermEntryIsNotCommittedByCounting() throws {
        // Raft paper Figure 8: a leader that re-replicates an entry of an earlier term to a
        // majority must not mark it committed until an entry of its own term is replicated.
        var cluster = ClusterDouble(voters: [1, 2, 3, 4, 5])
        let elected = cluster.electLeader()
        let first = try #require(elected)
        cluster.cut = Set([NodeID(1), 2, 3, 4, 5].filter { $0 != first })
        cluster.input(first, .propose(id: 1, command: [7]))
        let index = try #require(cluster.nodes[first]?.lastIndex)
        let oldTerm = try #require(cluster.nodes[first]?.term)
        var node = try #require(cluster.nodes[first])
        // Pretend a new term began while this node kept its old entry, then it leads again.
        node.term += 2
        node.becomeLeader()
        let progress = node.leaderState.progress.keys.sorted()
        for peer in progress.prefix(2) {
            var state = try #require(node.leaderState.progress[peer])
            _ = state.update(match: index)
            node.leaderState.progress[peer] = state
        }
        _ = node.maybeCommit()
        #expect(node.term(at: index) == oldTerm)
        #expect(node.commitIndex < index, "an old-term entry held by a majority is not committed by counting")
    }
}
