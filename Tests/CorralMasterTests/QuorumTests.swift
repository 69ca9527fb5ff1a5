import CorralMaster
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RealMasters {
    /// Real master processes on loopback: elections, replication, crashes, restarts,
    /// membership, leadership transfer and snapshot catch-up.
    @Suite(.serialized) struct QuorumTests {
        @Test func electsReplicatesAndSurvivesALeaderKill() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let first = try quorum.leader()
            let follower = try #require(quorum.initial.first { $0 != first })
            for n in 0..<20 { try quorum.put("k\(n)", "v\(n)", via: follower) }  // redirected to the leader
            for id in quorum.initial { #expect(try quorum.get("k19", via: id) == "v19") }

            quorum.kill(first)
            let second = try quorum.leader()
            #expect(second != first)
            for n in 20..<30 { try quorum.put("k\(n)", "v\(n)", via: second) }
            try quorum.start(first)
            try quorum.waitUntil("the restarted master catches up", seconds: 20) {
                let status = try quorum.status(first).raft
                let leaderStatus = try quorum.status(second).raft
                return status.appliedIndex == leaderStatus.appliedIndex && status.leader == second
            }
            for n in 0..<30 { #expect(try quorum.get("k\(n)", via: first) == "v\(n)") }
        }

        @Test func restartingEveryMasterKeepsEveryCommittedEntry() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            for n in 0..<50 { try quorum.put("key-\(n)", "value-\(n)", via: leader) }
            for id in quorum.initial { quorum.kill(id) }
            for id in quorum.initial { try quorum.start(id) }
            let next = try quorum.leader()
            for n in 0..<50 { #expect(try quorum.get("key-\(n)", via: next) == "value-\(n)") }
        }

        @Test func aLearnerJoinsIsPromotedAndMembersAreRemoved() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            for n in 0..<10 { try quorum.put("m\(n)", "\(n)", via: leader) }
            try quorum.start(4, join: true)
            let ports = try #require(quorum.ports[4])
            let added = try quorum.post(
                "/quorum/add-learner",
                ["id": 4, "raft": "127.0.0.1:\(ports.raft)", "http": "127.0.0.1:\(ports.http)"], via: leader)
            #expect(added.status == 200, "\(added.text)")
            try quorum.waitUntil("the learner catches up", seconds: 20) {
                let applied = try quorum.status(4).raft.appliedIndex
                let commit = try quorum.status(leader).raft.commitIndex
                return applied >= commit
            }
            #expect(try quorum.status(4).raft.learners == [4])
            let promoted = try quorum.post("/quorum/promote", ["id": 4], via: leader)
            #expect(promoted.status == 200, "\(promoted.text)")
            try quorum.waitUntil("every master sees four voters", seconds: 10) {
                try [UInt64(1), 2, 3, 4].allSatisfy { try quorum.status($0).raft.voters == [1, 2, 3, 4] }
            }
            // Remove the leader itself: it steps down and the others carry on.
            let removed = try quorum.post("/quorum/remove", ["id": leader], via: leader)
            #expect(removed.status == 200, "\(removed.text)")
            let remaining = [UInt64(1), 2, 3, 4].filter { $0 != leader }
            let next = try quorum.leader(among: remaining)
            #expect(next != leader)
            try quorum.put("after", "removal", via: next)
            for id in remaining { #expect(try quorum.get("after", via: id) == "removal") }
        }

        @Test func leadershipTransfersOnRequest() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            try quorum.put("x", "1", via: leader)
            let target = try #require(quorum.initial.first { $0 != leader })
            let response = try quorum.post("/quorum/transfer-leader", ["id": target], via: leader)
            #expect(response.status == 200, "\(response.text)")
            try quorum.waitUntil("master \(target) leads", seconds: 10) { try quorum.leader() == target }
        }

        @Test func aFollowerBehindTheCompactionPointCatchesUpBySnapshot() throws {
            let quorum = try QuorumHarness(masters: 3, extraArguments: ["--snapshot-every", "40", "--trailing-entries", "5"])
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            let lagging = try #require(quorum.initial.first { $0 != leader })
            quorum.kill(lagging)
            for n in 0..<150 { try quorum.put("s\(n)", "\(n)", via: leader) }
            try quorum.waitUntil("the leader compacts its log", seconds: 10) {
                try quorum.status(leader).raft.firstIndex > 20
            }
            try quorum.start(lagging)
            try quorum.waitUntil("the lagging master installs the snapshot and catches up", seconds: 20) {
                let status = try quorum.status(lagging).raft
                let commit = try quorum.status(leader).raft.commitIndex
                return status.snapshotIndex > 0 && status.appliedIndex >= commit
            }
            for n in stride(from: 0, to: 150, by: 7) { #expect(try quorum.get("s\(n)", via: lagging) == "\(n)") }
        }

        @Test func aRestartedLeaderStillSendsItsSnapshot() throws {
            let quorum = try QuorumHarness(masters: 3, extraArguments: ["--snapshot-every", "30", "--trailing-entries", "3"])
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            var leader = try quorum.leader()
            for n in 0..<100 { try quorum.put("r\(n)", "\(n)", via: leader) }
            // Every master restarts: the logs hold snapshot metadata only, the data is in state.
            for id in quorum.initial { quorum.kill(id) }
            for id in quorum.initial { try quorum.start(id) }
            leader = try quorum.leader()
            let lagging = try #require(quorum.initial.first { $0 != leader })
            quorum.kill(lagging)
            try? FileManager.default.removeItem(atPath: "\(quorum.root)/master-\(lagging)")
            for n in 100..<140 { try quorum.put("r\(n)", "\(n)", via: leader) }
            try quorum.start(lagging)
            try quorum.waitUntil("the emptied master catches up by snapshot", seconds: 20) {
                let status = try quorum.status(lagging).raft
                let commit = try quorum.status(leader).raft.commitIndex
                return status.snapshotIndex > 0 && status.appliedIndex >= commit
            }
            for n in stride(from: 0, to: 140, by: 9) { #expect(try quorum.get("r\(n)", via: lagging) == "\(n)") }
        }
    }
}
