import CorralMaster
import CorralTestSupport
import Foundation
import Testing

extension RealMasters {
    /// `corral quorum add-learner`, `promote` and `remove` as an operator runs them, against
    /// real masters. (They once sent the node id as a JSON string, which every master refused
    /// with 400 "expected value of type UInt64"; the chaos harness's member-replace found it.)
    @Suite(.serialized, .offCooperativePool) struct QuorumCommandTests {
        @Test func theQuorumCommandsAddPromoteAndRemoveAMember() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            try quorum.put("before", "join", via: leader)
            try quorum.start(4, join: true)
            let ports = try #require(quorum.ports[4])
            let endpoints = quorum.initial.map(quorum.endpoint).joined(separator: ",")
            func corral(_ arguments: String...) throws -> ChildProcess.Outcome {
                try ChildProcess.run(quorum.binary, ["quorum"] + arguments + ["--endpoints", endpoints], scratch: quorum.root)
            }

            let added = try corral("add-learner", "4", "--raft", "127.0.0.1:\(ports.raft)", "--http", "127.0.0.1:\(ports.http)")
            #expect(added.status == 0 && !added.signaled, "\(added.summary)")
            #expect(added.lines.contains { $0.hasPrefix("master 4 added as a learner") }, "\(added.summary)")
            try quorum.waitUntil("the learner catches up", seconds: 20) {
                try quorum.status(4).raft.appliedIndex >= quorum.status(leader).raft.commitIndex
            }
            let promoted = try corral("promote", "4")
            #expect(promoted.status == 0, "\(promoted.summary)")
            #expect(promoted.lines.contains("master 4 promoted; voters: [1, 2, 3, 4]"), "\(promoted.summary)")

            let old = try #require(quorum.initial.first { $0 != leader })
            let removed = try corral("remove", "\(old)")
            #expect(removed.status == 0, "\(removed.summary)")
            let rest = [UInt64(1), 2, 3, 4].filter { $0 != old }
            try quorum.waitUntil("the others see the removal", seconds: 10) {
                try rest.allSatisfy { try quorum.status($0).raft.voters == rest }
            }
            let again = try corral("add-learner", "\(old)", "--raft", "127.0.0.1:1", "--http", "127.0.0.1:2")
            #expect(again.status != 0 && again.stderr.contains("never reused"), "\(again.summary)")
        }
    }
}
