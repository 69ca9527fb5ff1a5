@testable import CorralMaster
import CorralReplication
import CorralSecurity
import CorralTestSupport
import Foundation
import Testing

/// `corral master --tls-cert/--tls-key/--tls-ca`: three real masters run mutual TLS on their
/// Raft port, elect a leader and commit writes sent over TLS by a client with a certificate
/// from the cluster's CA; a client without one (no certificate, another CA, plain TCP) is
/// refused, its write is not applied, and the master logs the refusals once.
@Suite(.timeLimit(.minutes(2)), .offCooperativePool)
struct RaftTLSMasterTests {
    @Test func tlsMastersCommitWritesFromClientsWithTheClusterCertificateOnly() async throws {
        let masters = try TLSMasters(masters: 3)
        defer { masters.stopAll() }
        try masters.startAll()
        let leader = try await masters.leader(writing: "first")
        let address = masters.raft(leader)
        let identity = try masters.clientIdentity()
        let connection = try await KVConnection.connect(to: address, clusterID: masters.clusterID, tls: identity)
        defer { connection.close() }
        #expect(try await connection.put(key: Array("second".utf8), value: Array("2".utf8)).status == .ok)
        #expect(try await connection.get(key: Array("second".utf8)).body == Array("2".utf8))

        // Callers the leader must refuse, each trying one write.
        let other = try DevelopmentCA.create(in: masters.scratch.path + "/other", name: "other CA", days: 1)
        _ = try other.issue(name: "client", hosts: ["127.0.0.1"], days: 1)
        let callers: [(String, TLSIdentity?)] = [
            ("no certificate", try TLSIdentity(files: TLSFiles(ca: masters.ca.directory + "/ca.pem"))),
            ("another CA's certificate", try TLSIdentity(files: .issued(directory: other.directory, name: "client"))),
            ("plain TCP", nil),
        ]
        for (index, (caller, tls)) in callers.enumerated() {
            let key = Array("refused-\(index)".utf8)
            var outcome = "connected"
            do {
                let refused = try await KVConnection.connect(to: address, clusterID: masters.clusterID, tls: tls)
                defer { refused.close() }
                let response = try await refused.put(key: key, value: [1], timeout: .seconds(5))
                outcome = "answered \(response.status)"
            } catch {
                outcome = "failed: \(error)"
            }
            #expect(outcome.hasPrefix("failed"), "\(caller): \(outcome)")
            if tls == nil { #expect(outcome.contains("speaks TLS"), "a plain caller is told why: \(outcome)") }
            #expect(try await connection.get(key: key).status == .notFound, "\(caller)")
        }
        // One line for the three refusals from this address (rate-limited), however many dials.
        try await eventually("the leader logged the refusal", seconds: 10) {
            masters.logLines(leader, containing: "at the TLS handshake") >= 1
        }
        #expect(masters.logLines(leader, containing: "at the TLS handshake") == 1, "\(masters.logs())")
    }

    @Test func aMasterWithTLSFilesThatDoNotMatchRefusesToStart() throws {
        let scratch = try ScratchDirectory(prefix: "corral-raft-tls-bad")
        defer { scratch.remove() }
        let ca = try DevelopmentCA.create(in: scratch.path, name: "test CA", days: 1)
        _ = try ca.issue(name: "a", hosts: ["127.0.0.1"], days: 1)
        _ = try ca.issue(name: "b", hosts: ["127.0.0.1"], days: 1)
        // a's certificate with b's key.
        let files = TLSFiles(certificate: scratch.path + "/a.pem", key: scratch.path + "/b-key.pem", ca: scratch.path + "/ca.pem")
        let thrown = #expect(throws: MasterError.self) { try MasterProcess.loadTLS(files) }
        #expect(thrown?.code == .startup)
        #expect(thrown.map { "\($0)".contains("TLS files") } == true, "\(String(describing: thrown))")
        #expect(try MasterProcess.loadTLS(.issued(directory: scratch.path, name: "a")) != nil)
        #expect(try MasterProcess.loadTLS(nil) == nil)
    }
}
