import CorralRaft
import CorralSecurity
import CorralTestSupport
import Foundation
import Testing

@testable import CorralReplication

/// Raft over mutual TLS: masters with certificates from the cluster's CA elect a leader and
/// replicate; a node with a certificate from another CA, or with none (plain TCP), is refused
/// at the handshake: it cannot join, gets no entries and does not disturb the quorum (no new
/// term, the same leader), and the refusals are logged once, not once per dial.
@Suite(.timeLimit(.minutes(2)), .offCooperativePool)
struct RaftTLSQuorumTests {
    @Test func threeTLSMastersElectALeaderAndReplicate() async throws {
        let certificates = try TLSTestCertificates()
        defer { certificates.remove() }
        try await withTLSRaftNodes(count: 3, identity: { try certificates.identity($0) }) { nodes in
            let leader = try await waitForStableLeader(nodes)
            let server = try #require(nodes.first { $0.id == leader.id }).server
            for index in 0..<20 { _ = try await server.propose(putCommand("key-\(index)", "value-\(index)")) }
            try await eventually("every node applied the writes", seconds: 10) {
                try nodes.allSatisfy { try $0.value("key-19") == "value-19" }
            }
            #expect(nodes.allSatisfy { $0.transport.inboundHandshakes.failures == 0 })
        }
    }

    enum Intruder: String, CaseIterable, Sendable {
        /// A node with a certificate from another CA.
        case otherCA
        /// A node speaking plain TCP.
        case plainTCP
    }

    @Test(arguments: Intruder.allCases)
    func aNodeWithoutTheClusterCertificateCannotJoinOrDisrupt(_ intruder: Intruder) async throws {
        let certificates = try TLSTestCertificates()
        defer { certificates.remove() }
        try await withTLSRaftNodes(count: 3, identity: { try certificates.identity($0) }) { nodes in
            let before = try await waitForStableLeader(nodes)
            let leader = try #require(nodes.first { $0.id == before.id })
            _ = try await leader.server.propose(putCommand("before", "1"))
            // Node 4 believes it is a voter of {1, 2, 3, 4}: it campaigns, with ever higher
            // terms, and would pull the quorum into its terms if its messages arrived.
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let rogue = try await TLSRaftNode(
                id: 4, voters: [1, 2, 3, 4], tls: intruder == .otherCA ? try certificates.identity(4, otherCA: true) : nil,
                directory: directory)
            rogue.transport.setPeers(Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0.address) }))
            let initial = await rogue.server.status
            var window = Duration.zero
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await rogue.server.run() }
                defer { group.cancelAll() }
                // The intruder's election timeouts are 1 to 2 s: it campaigns a few times, with
                // writes, for 5 s and until every member has refused it twice (at most 30 s: a
                // loaded machine may give it fewer campaigns in the first 5).
                let started = ContinuousClock.now
                var written = 0
                while ContinuousClock.now < started + .seconds(5)
                    || (ContinuousClock.now < started + .seconds(30) && nodes.contains { $0.transport.inboundHandshakes.failures < 2 })
                {
                    _ = try await leader.server.propose(putCommand("during-\(written)", "x"))
                    written += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
                window = ContinuousClock.now - started
                let status = await rogue.server.status
                #expect(
                    status.lastIndex == initial.lastIndex && status.commitIndex == initial.commitIndex && status.leader == 0,
                    "the intruder got nothing: \(status)")
                #expect(try rogue.value("before") == nil)
            }
            await rogue.transport.shutdown()
            let after = try await waitForStableLeader(nodes, seconds: 5)
            #expect(after.id == before.id && after.term == before.term, "before \(before), after \(after)")
            for node in nodes {
                #expect(await node.server.status.term == before.term)
                #expect(try node.value("during-0") == "x")
            }
            // Every member was dialled again and again, with a growing backoff (20, 40, … ms up
            // to 1 s: about 8 dials in the first 3 s, then one a second, not a tight loop), and
            // said so once.
            let most = 20 + Int(window.components.seconds)
            for node in nodes {
                let failures = node.transport.inboundHandshakes.failures
                #expect(failures >= 2 && failures <= most, "node \(node.id) refused \(failures) handshakes in \(window)")
                let logged = node.lines.count(containing: "refused a connection on the Raft port at the TLS handshake")
                #expect(logged == 1, "node \(node.id) logged \(logged) refusals")
            }
            if intruder == .otherCA {
                #expect(rogue.transport.outboundHandshakes.failures >= 1)
            }
        }
    }
}
