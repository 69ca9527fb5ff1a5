import CorralMaster
import CorralReplication
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RealMasters {
    /// Bad input and bad circumstances: garbage on the wire, another node's data directory,
    /// a full store, bad configs.
    @Suite(.serialized) struct MasterFailureTests {
        @Test func garbageAndOversizedFramesCloseTheConnectionNotTheMaster() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            let raftPort = try #require(quorum.ports[leader]?.raft)
            let garbage: [[UInt8]] = [
                Array("GET / HTTP/1.1\r\n\r\n".utf8),
                [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3],  // claims a 4 GiB frame
                [0, 0, 0, 10, 9, 1, 0, 0, 0, 0, 1, 2, 3, 4],  // unknown version
                [0, 0, 0, 10, 1, 2, 0, 0, 0, 0, 1, 2, 3, 4],  // a raft frame before hello, bad checksum
                (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) },
            ]
            for bytes in garbage {
                let closed = try sendAndWaitForClose(port: raftPort, bytes: bytes)
                #expect(closed, "the master closes a connection that sent garbage")
            }
            try quorum.put("still", "alive", via: leader)
            #expect(try quorum.get("still", via: leader) == "alive")
            #expect(quorum.processes[leader]?.isRunning == true)
        }

        @Test func aDataDirectoryOfAnotherNodeIsRefused() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            try quorum.start(1)
            quorum.kill(1, signal: SIGTERM)
            // Master 2 pointed at master 1's data directory must refuse to start.
            #expect(throws: HarnessError.self) { try quorum.start(2, dataDirOf: 1) }
            #expect(quorum.log(2).contains("belongs to cluster"))
            #expect(quorum.log(2).contains("node 1"))
        }

        /// A voter whose Raft log is wiped must not come back as a fresh voter (it could vote
        /// twice in a term); it refuses, says how to replace it, and the replacement works.
        @Test func aVoterWithAWipedLogRefusesAndIsReplaced() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            for n in 0..<10 { try quorum.put("w\(n)", "\(n)", via: leader) }
            let wiped = try #require(quorum.initial.first { $0 != leader })
            quorum.kill(wiped)
            try FileManager.default.removeItem(atPath: "\(quorum.root)/master-\(wiped)/raft")
            #expect(throws: HarnessError.self) { try quorum.start(wiped) }
            #expect(quorum.log(wiped).contains("will not start"), "\(quorum.log(wiped))")
            #expect(quorum.log(wiped).contains("corral quorum remove \(wiped)"))

            // The steps the message gives: remove it, start a new member with --join, add, promote.
            let removed = try quorum.post("/quorum/remove", ["id": wiped], via: leader)
            #expect(removed.status == 200, "\(removed.text)")
            let reused = try quorum.post(
                "/quorum/add-learner", ["id": wiped, "raft": "127.0.0.1:1", "http": "127.0.0.1:2"], via: leader)
            #expect(reused.status == 400 && reused.text.contains("never reused"), "\(reused.status) \(reused.text)")
            try quorum.start(4, join: true)
            let ports = try #require(quorum.ports[4])
            let added = try quorum.post(
                "/quorum/add-learner", ["id": 4, "raft": "127.0.0.1:\(ports.raft)", "http": "127.0.0.1:\(ports.http)"],
                via: leader)
            #expect(added.status == 200, "\(added.text)")
            try quorum.waitUntil("the new member catches up", seconds: 20) {
                try quorum.status(4).raft.appliedIndex >= quorum.status(leader).raft.commitIndex
            }
            let promoted = try quorum.post("/quorum/promote", ["id": 4], via: leader)
            #expect(promoted.status == 200, "\(promoted.text)")
            let voters = quorum.initial.filter { $0 != wiped } + [4]
            try quorum.waitUntil("the new member votes", seconds: 10) {
                try voters.allSatisfy { try quorum.status($0).raft.voters == voters.sorted() }
            }
            for n in 0..<10 { #expect(try quorum.get("w\(n)", via: 4) == "\(n)") }
        }

        @Test func anEmptyDataDirectoryWithoutBootstrapOrJoinRefuses() throws {
            let quorum = try QuorumHarness(masters: 3)
            defer { quorum.stopAll() }
            try FileManager.default.createDirectory(atPath: "\(quorum.root)/master-1", withIntermediateDirectories: true)
            #expect(throws: HarnessError.self) { try quorum.start(1) }  // the directory exists: no --bootstrap
            #expect(quorum.log(1).contains("--bootstrap"), "\(quorum.log(1))")
        }

        @Test func aFullStoreStopsWritesAndNothingAcknowledgedIsLost() throws {
            let quorum = try QuorumHarness(masters: 3, extraArguments: ["--max-store-bytes", "\(1 << 20)"])
            defer { quorum.stopAll() }
            for id in quorum.initial { try quorum.start(id) }
            let leader = try quorum.leader()
            let value = String(repeating: "x", count: 16 << 10)
            var acknowledged: [String] = []
            var refusal = ""
            for n in 0..<400 {
                let response = try quorum.client.request("PUT", quorum.endpoint(leader), "/v1/kv/big\(n)", body: Array(value.utf8))
                if response.status == 204 {
                    acknowledged.append("big\(n)")
                } else {
                    refusal = response.text
                    break
                }
            }
            #expect(!refusal.isEmpty, "writes stop once the store is full")
            let reasons = quorum.initial.compactMap { try? quorum.status($0).raft.failure }
            #expect(reasons.contains { $0.contains("MDB_MAP_FULL") || $0.contains("map") }, "\(reasons) \(refusal)")
            // A master that stopped claims no role and names no leader, itself least of all, so
            // clients that ask it for the leader look elsewhere instead of coming back to it.
            for id in quorum.initial {
                guard let raft = try? quorum.status(id).raft, raft.failure != nil else { continue }
                #expect(raft.role == RaftStatus.stoppedRole && raft.leader == 0, "master \(id): \(raft.role), leader \(raft.leader)")
                let redirect = try quorum.client.request("GET", quorum.endpoint(id), "/master/redirect")
                #expect(redirect.status == 503, "master \(id) answered /master/redirect with \(redirect.status) \(redirect.text)")
            }
            // Every acknowledged write is on disk: restart with room and read it back.
            for id in quorum.initial { quorum.kill(id) }
            quorum.extraArguments = []
            for id in quorum.initial { try quorum.start(id) }
            let next = try quorum.leader()
            for key in acknowledged.suffix(5) + acknowledged.prefix(5) {
                #expect(try quorum.get(key, via: next) == value)
            }
        }

        @Test func badConfigsSayWhatIsWrong() throws {
            let cases: [(String, String)] = [
                ("node_id = 1\ndata_dir = \"/tmp/x\"\n[[peers]]\nid = 2\nraft = \"127.0.0.1:1\"\nhttp = \"127.0.0.1:2\"\n", "not among [[peers]]"),
                ("node_id = \"one\"\n", "node_id"),
                ("node_id = 1\nraft_listen = \"nowhere\"\n", "raft_listen"),
                ("this is = = not toml", "not valid TOML"),
            ]
            for (text, expected) in cases {
                do {
                    let config = try MasterConfig.parse(text, source: "test.toml")
                    try config.validate()
                    Issue.record("accepted a bad config: \(text)")
                } catch {
                    #expect(error.message.contains(expected), "\(error.message)")
                }
            }
        }

        private func sendAndWaitForClose(port: Int, bytes: [UInt8]) throws -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw HarnessError("connect failed") }
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }
    }
}
