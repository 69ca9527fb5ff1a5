import CorralMaster
import CorralReplication
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RealMasters {
    /// A write's answer never lies: `503` means not applied, and a write whose leader lost
    /// office before it learned the outcome is answered `504` with `"outcome": "unknown"`.
    @Suite(.serialized) struct WriteOutcomeTests {
        /// Elections of one to two seconds, so the leader surely still leads when the write
        /// arrives after its followers are paused; it gives up learning after three seconds.
        static let config = """
            [timing]
            election_ticks = 100
            outcome_wait_ms = 3000
            """

        @Test func aWriteWhoseLeaderLostItsQuorumIsAnswered504NotA503() throws {
            let quorum = try QuorumHarness(masters: 3, config: Self.config)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            try quorum.put("before", "1", via: leader)
            let followers = quorum.initial.filter { $0 != leader }
            // The leader appends the write but can never learn whether it was committed: its
            // followers hold it (or not) and may commit it under a new leader once resumed.
            for id in followers { quorum.signal(id, SIGSTOP) }
            let response = try MasterClient(timeoutSeconds: 30).once(
                "PUT", quorum.endpoint(leader), "/v1/kv/during", body: Array("maybe".utf8))
            for id in followers { quorum.signal(id, SIGCONT) }
            #expect(response.status == 504, "\(response.status): \(response.text)\n\(quorum.logs())")
            let body = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
            #expect(body?["outcome"] == "unknown", "\(response.text)")
            #expect(body?["message"]?.isEmpty == false)
            // The quorum carries on; the write may or may not be there, and reading it is fine.
            let next = try quorum.leader()
            #expect(try quorum.get("before", via: next) == "1")
            _ = try quorum.get("during", via: next)
        }

        /// The write of issue 13: an UPDATE_WEIGHTS whose leader was cut off.
        @Test func anOperatorWriteWhoseLeaderLostItsQuorumIsAnswered504NotA503() throws {
            let quorum = try QuorumHarness(masters: 3, config: Self.config)
            defer { quorum.stopAll() }
            let reply = try Self.withFollowersPaused(quorum, ready: "GET_HEALTH") { endpoint in
                try OperatorClient.call(endpoint, [
                    "type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": "analytics", "weight": 2.5]]],
                ])
            }
            #expect(reply.status == 504, "\(reply.status): \(reply.text)\n\(quorum.logs())")
            #expect(reply.json["outcome"] as? String == "unknown", "\(reply.text)")
        }

        /// A registry read is linearizable: a leader whose followers are paused cannot confirm
        /// that it still leads, so it answers GET_WEIGHTS with an error, never from its own copy
        /// (a stranded leader's copy may miss writes a new leader has acknowledged).
        @Test func anOperatorReadWithoutAQuorumIsNotAnsweredFromTheLeadersCopy() throws {
            let quorum = try QuorumHarness(masters: 3, config: Self.config)
            defer { quorum.stopAll() }
            let (read, state, health) = try Self.withFollowersPaused(quorum, ready: "GET_WEIGHTS") { endpoint in
                (
                    try OperatorClient.call(endpoint, ["type": "GET_WEIGHTS"]), try OperatorClient.call(endpoint, ["type": "GET_STATE"]),
                    try OperatorClient.call(endpoint, ["type": "GET_HEALTH"])
                )
            }
            #expect(read.status == 503 || read.status == 307, "\(read.status): \(read.text)")
            #expect(state.status == 503 || state.status == 307, "\(state.status): \(state.text)")
            #expect(health.status != 500, "GET_HEALTH reads no registry: \(health.status)")
            try quorum.waitUntil("GET_WEIGHTS is answered again", seconds: 30) {
                (try? OperatorClient.call(quorum.endpoint(try quorum.leader()), ["type": "GET_WEIGHTS"]))?.status == 200
            }
        }

        /// Starts the quorum, waits until its leader answers the operator call `ready`, pauses
        /// the followers, runs `body` against the leader's endpoint, and resumes them.
        static func withFollowersPaused<T>(_ quorum: QuorumHarness, ready: String, _ body: (String) throws -> T) throws -> T {
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            let endpoint = quorum.endpoint(leader)
            try quorum.waitUntil("the leader answers \(ready)", seconds: 20) {
                (try? OperatorClient.call(endpoint, ["type": ready]))?.status == 200
            }
            let followers = quorum.initial.filter { $0 != leader }
            for id in followers { quorum.signal(id, SIGSTOP) }
            defer { for id in followers { quorum.signal(id, SIGCONT) } }
            return try body(endpoint)
        }

        /// The binary client protocol says the same with its own status.
        @Test func aClientProtocolPutWhoseLeaderLostItsQuorumIsAnsweredOutcomeUnknown() async throws {
            try await offCooperativePool {
                let quorum = try QuorumHarness(masters: 3, config: Self.config)
                defer { quorum.stopAll() }
                for id in quorum.initial { try quorum.start(id) }
                let leader = try quorum.leader()
                let raftPort = try #require(quorum.ports[leader]?.raft)
                let connection = try await KVConnection.connect(
                    to: PeerAddress(host: "127.0.0.1", port: raftPort), clusterID: quorum.clusterID)
                defer { connection.close() }
                #expect(try await connection.put(key: Array("before".utf8), value: [1]).status == .ok)
                let followers = quorum.initial.filter { $0 != leader }
                for id in followers { quorum.signal(id, SIGSTOP) }
                let response = try await connection.put(key: Array("during".utf8), value: [2], timeout: .seconds(30))
                for id in followers { quorum.signal(id, SIGCONT) }
                #expect(response.status == .outcomeUnknown, "\(response.status): \(String(decoding: response.body, as: UTF8.self))")
            }
        }

        @Test func proposalErrorsMapToWhatBecameOfTheWrite() {
            func code(_ replication: ReplicationError.Code) -> MasterError.Code {
                MasterError.committing("the write", ReplicationError(code: replication, operation: "propose", message: "m")).code
            }
            #expect(code(.outcomeUnknown) == .outcomeUnknown)
            #expect(code(.unavailable) == .unavailable)
            #expect(code(.notLeader) == .notLeader)
            #expect(code(.tooLarge) == .tooLarge)
            #expect(code(.invalidRequest) == .request)
        }

        /// A value whose log entry could not travel in one frame never reaches the log.
        @Test func aWriteTooLargeForOneFrameIsAnswered413() throws {
            let quorum = try QuorumHarness(masters: 1, config: "[log]\nmax_frame_bytes = 65536\n")
            defer { quorum.stopAll() }
            try quorum.start(1)
            _ = try quorum.leader()
            let before = try quorum.status(1).raft.lastIndex
            let response = try quorum.client.request(
                "PUT", quorum.endpoint(1), "/v1/kv/big", body: [UInt8](repeating: 0x61, count: 70_000))
            #expect(response.status == 413, "\(response.status): \(response.text)")
            #expect(response.text.contains("65536"), "the answer names the frame limit: \(response.text)")
            #expect(try quorum.status(1).raft.lastIndex == before)
            try quorum.put("small", String(repeating: "a", count: 60_000), via: 1)
        }
    }
}
