import Testing

@_spi(Testing) @testable import CorralRaft

/// Issue 13 defect 3: a candidate's own vote counts only once its term and vote are durable.
@Suite struct DurableVoteTests {
    @Test func aLoneVoterLeadsOnlyOnceItsTermAndVoteAreDurable() throws {
        var cluster = ClusterDouble(voters: [1])
        cluster.slowDisks = [1]
        cluster.tick(25)
        let node = try #require(cluster.nodes[1])
        #expect(node.role == .candidate)
        let heldVote = (cluster.interpreters[1]?.heldMessages ?? []).contains {
            $0.to == 1 && $0.body == .voteResponse(granted: true)
        }
        #expect(heldVote, "the own vote waits behind the write of the term and vote")
        cluster.sync(1)
        #expect(cluster.nodes[1]?.role == .leader)
        let stored = try #require(try cluster.storages[1]?.load())
        #expect(stored.hardState.term == cluster.nodes[1]?.term)
        #expect(stored.hardState.vote == 1)
    }

    @Test func aCandidateSendsItsOwnVoteToItselfAfterPersistingIt() throws {
        var cluster = ClusterDouble(voters: [1, 2, 3])
        cluster.slowDisks = [1]
        cluster.input(1, .message(Message(from: 2, to: 1, term: 0, body: .timeoutNow)))
        let effects = cluster.effectsLog[1] ?? []
        let persist = try #require(effects.firstIndex { if case .persistHardState = $0 { return true } else { return false } })
        let ownVote = try #require(
            effects.firstIndex {
                if case .send(let message) = $0, message.from == 1, message.to == 1 { return true }
                return false
            })
        #expect(persist < ownVote)
        #expect(cluster.nodes[1]?.role == .candidate)
        #expect(cluster.inbox.allSatisfy { $0.to != 1 }, "the own vote never goes on the network")
    }

    /// One voter and two learners; the voter's disk is slow and the voter loses power after
    /// it campaigned and a client proposed. The voter then restarts from what its disk held.
    static func loseTheVotersWrites(brokenRules: Set<BrokenRule>) -> ClusterDouble {
        var cluster = ClusterDouble(voters: [1], learners: [2, 3]) { $0.brokenRules = brokenRules }
        cluster.slowDisks = [1]
        for _ in 0..<40 where cluster.nodes[1]?.role != .leader && cluster.nodes[1]?.role != .candidate {
            cluster.tick()
        }
        cluster.input(1, .propose(id: 1, command: [0xA]))
        cluster.deliverAll()
        cluster.crash(1)  // the term, the vote and the entries were never synced
        cluster.slowDisks = []
        cluster.start(1)
        _ = cluster.electLeader()
        cluster.input(1, .propose(id: 2, command: [0xB]))
        cluster.deliverAll()
        cluster.tick(3)
        return cluster
    }

    /// Every pair of nodes that hold an entry at the same (index, term) hold the same entry.
    static func divergence(in cluster: ClusterDouble) -> String? {
        let ids = cluster.nodes.keys.sorted()
        for first in ids {
            for second in ids where second > first {
                guard let a = cluster.nodes[first], let b = cluster.nodes[second] else { continue }
                let upTo = min(a.lastIndex, b.lastIndex)
                guard upTo >= 1 else { continue }
                for index in 1...upTo {
                    if let x = a.entry(at: index), let y = b.entry(at: index), x.term == y.term, x != y {
                        return "n\(first) and n\(second) hold different entries at index \(index), term \(x.term)"
                    }
                }
            }
        }
        return nil
    }

    @Test func aLostVoteWriteNeverLetsALearnerHoldAnotherEntryThanTheLeader() throws {
        let cluster = Self.loseTheVotersWrites(brokenRules: [])
        #expect(Self.divergence(in: cluster) == nil)
        #expect(cluster.nodes[1]?.role == .leader)
        for learner: NodeID in [2, 3] {
            #expect(cluster.commands(learner) == cluster.commands(1))
        }
        #expect(cluster.commands(1) == [[0xB]])
    }

    /// The same run with the old rule (the own vote counted at once) shows what the test
    /// above guards against: the lone voter led before its term was durable, its learners
    /// took an entry of that term, and after the restart it reused the term.
    @Test func countingTheOwnVoteEarlyLetsALearnerHoldAnotherEntry() throws {
        let cluster = Self.loseTheVotersWrites(brokenRules: [.countSelfVoteBeforeDurable])
        #expect(Self.divergence(in: cluster) != nil)
        #expect(cluster.commands(2) != cluster.commands(1))
    }

    @Test func aPreCandidateCountsItsOwnPreVoteAtOnce() throws {
        // Pre-votes change no durable state, so a lone voter moves from pre-candidate to
        // candidate in one step; only the real vote waits.
        var cluster = ClusterDouble(voters: [1])
        cluster.slowDisks = [1]
        for _ in 0..<40 where cluster.nodes[1]?.role == .follower { cluster.tick() }
        #expect(cluster.nodes[1]?.role == .candidate)
        #expect(cluster.nodes[1]?.term == 1)
    }
}
