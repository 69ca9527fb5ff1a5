import CorralRaft
import CorralTestSupport
import Testing

@testable import CorralReplication

/// A proposal whose leader lost office is answered from the log, never guessed: the entry
/// committed at its index in its term means applied, another term there means not applied,
/// and not learning it (in time, or before the node stops) means "outcome unknown". Such an
/// answer is never `.unavailable`, which promises "not applied".
@Suite(.serialized, .timeLimit(.minutes(2)), .offCooperativePool)
struct ProposalOutcomeTests {
    static let options = RaftServerOptions(tickInterval: .milliseconds(10), outcomeWait: .seconds(60))

    /// The followers store the entry, the leader never hears that they did.
    static func loseAcksTo(_ leader: NodeID) -> @Sendable (Message) -> Bool {
        { message in
            if case .appendResponse = message.body { return message.to == leader }
            return false
        }
    }

    static func followers(of leader: NodeID, in cluster: RaftClusterHarness) -> [NodeID] {
        cluster.servers.keys.filter { $0 != leader }.sorted()
    }

    /// Waits until the followers hold the entry at `index`.
    static func waitUntilReplicated(_ index: UInt64, to followers: [NodeID], in cluster: RaftClusterHarness) async throws {
        try await eventually("the followers hold entry \(index)", seconds: 10) {
            for id in followers where await cluster.status(id).lastIndex < index { return false }
            return true
        }
    }

    /// Waits for a leader among `candidates` in a term after `term` that committed `index`.
    static func waitForNewLeader(
        among candidates: [NodeID], after term: UInt64, committing index: UInt64, in cluster: RaftClusterHarness
    ) async throws -> NodeID {
        var found: NodeID = 0
        try await eventually("a new leader that committed entry \(index)", seconds: 20) {
            for id in candidates {
                let status = await cluster.status(id)
                if status.role == "leader", status.term > term, status.appliedIndex >= index {
                    found = id
                    return true
                }
            }
            return false
        }
        return found
    }

    @Test func aDeposedLeaderAnswersSuccessForAnEntryTheNextLeaderCommitted() async throws {
        try await withRaftCluster(options: Self.options) { cluster in
            let old = try await cluster.waitForStableLeader()
            let before = await cluster.status(old)
            let index = before.lastIndex + 1
            let others = Self.followers(of: old, in: cluster)
            cluster.network.setDrop(Self.loseAcksTo(old))
            async let answer = cluster.server(old).propose(putCommand("weights", "applied"))
            try await Self.waitUntilReplicated(index, to: others, in: cluster)
            cluster.network.isolate(old)
            let next = try await Self.waitForNewLeader(among: others, after: before.term, committing: index, in: cluster)
            #expect(try cluster.value("weights", on: next) == "applied")
            cluster.network.heal()
            do {
                _ = try await answer
            } catch {
                Issue.record("the write was committed, but its deposed leader answered \(error)")
            }
            #expect(try cluster.value("weights", on: old) == "applied")
        }
    }

    @Test func aDeposedLeaderAnswersNotAppliedForAnEntryTheNextLeaderReplaced() async throws {
        try await withRaftCluster(options: Self.options) { cluster in
            let old = try await cluster.waitForStableLeader()
            let before = await cluster.status(old)
            let index = before.lastIndex + 1
            let others = Self.followers(of: old, in: cluster)
            // The entry never leaves the leader; heartbeats still keep it in office.
            cluster.network.setDrop { message in
                if case .append = message.body { return message.from == old }
                return false
            }
            async let answer = cluster.server(old).propose(putCommand("weights", "lost"))
            try await eventually("the leader appended the proposal", seconds: 10) {
                await cluster.status(old).lastIndex >= index
            }
            cluster.network.isolate(old)
            _ = try await Self.waitForNewLeader(among: others, after: before.term, committing: index, in: cluster)
            cluster.network.heal()
            do {
                _ = try await answer
                Issue.record("the entry was replaced by the next leader's, yet its proposal succeeded")
            } catch let error as ReplicationError {
                #expect(error.code == .unavailable, "not applied is known from the log: \(error)")
            }
            try await eventually("the old leader applied the new leader's entry", seconds: 10) {
                await cluster.status(old).appliedIndex >= index
            }
            for id in cluster.servers.keys { #expect(try cluster.value("weights", on: id) == nil) }
        }
    }

    @Test func aDeposedLeaderThatNeverLearnsTheOutcomeAnswersUnknown() async throws {
        var options = Self.options
        options.outcomeWait = .seconds(1)
        try await withRaftCluster(options: options) { cluster in
            let old = try await cluster.waitForStableLeader()
            let before = await cluster.status(old)
            let index = before.lastIndex + 1
            let others = Self.followers(of: old, in: cluster)
            cluster.network.setDrop(Self.loseAcksTo(old))
            async let answer = cluster.server(old).propose(putCommand("weights", "applied"))
            try await Self.waitUntilReplicated(index, to: others, in: cluster)
            cluster.network.isolate(old)
            let next = try await Self.waitForNewLeader(among: others, after: before.term, committing: index, in: cluster)
            // The write took effect: an answer of "not applied" would be a lie.
            #expect(try cluster.value("weights", on: next) == "applied")
            do {
                _ = try await answer
                Issue.record("the cut-off leader cannot know the entry was committed, yet it answered success")
            } catch let error as ReplicationError {
                #expect(error.code == .outcomeUnknown, "\(error)")
            }
        }
    }

    @Test func aStoppingLeaderAnswersAppendedProposalsUnknown() async throws {
        try await withRaftCluster(options: Self.options) { cluster in
            let old = try await cluster.waitForStableLeader()
            let index = await cluster.status(old).lastIndex + 1
            let others = Self.followers(of: old, in: cluster)
            cluster.network.setDrop(Self.loseAcksTo(old))
            async let answer = cluster.server(old).propose(putCommand("weights", "applied"))
            try await Self.waitUntilReplicated(index, to: others, in: cluster)
            cluster.stop(old)
            do {
                _ = try await answer
                Issue.record("the stopped leader never learned the outcome, yet it answered success")
            } catch let error as ReplicationError {
                #expect(error.code == .outcomeUnknown, "\(error)")
            }
        }
    }

    @Test func aMembershipChangeOfADeposedLeaderIsAnsweredFromTheLog() async throws {
        try await withRaftCluster(count: 3, options: Self.options) { cluster in
            let old = try await cluster.waitForStableLeader()
            let before = await cluster.status(old)
            let index = before.lastIndex + 1
            let others = Self.followers(of: old, in: cluster)
            cluster.network.setDrop(Self.loseAcksTo(old))
            // A learner that never starts changes no quorum.
            async let answer: Void = cluster.server(old).changeMembership(.addLearner(4))
            try await Self.waitUntilReplicated(index, to: others, in: cluster)
            cluster.network.isolate(old)
            let next = try await Self.waitForNewLeader(among: others, after: before.term, committing: index, in: cluster)
            #expect(await cluster.status(next).learners == [4])
            cluster.network.heal()
            do {
                try await answer
            } catch {
                Issue.record("the change was committed, but its deposed leader answered \(error)")
            }
        }
    }

    @Test func aMessageToItselfGoesBackIntoTheNodeNotOntoTheNetwork() async throws {
        try await withRaftCluster(options: Self.options) { cluster in
            let leader = try await cluster.waitForStableLeader()
            guard let follower = Self.followers(of: leader, in: cluster).first else { return }
            let term = await cluster.status(follower).term
            let server = cluster.server(follower)
            await server.carryOut([.send(Message(from: follower, to: follower, term: term, body: .timeoutNow))])
            await server.flushOutbox()
            try await eventually("the follower campaigns on its own TimeoutNow", seconds: 10) {
                await cluster.status(follower).term > term
            }
            #expect(cluster.network.selfAddressed.isEmpty)
        }
    }
}
