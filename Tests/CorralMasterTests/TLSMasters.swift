import CorralContainer
import CorralMaster
import CorralReplication
import CorralSecurity
import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Real `corral master` processes with mutual TLS on their Raft port, started with
/// `MasterCommandLine.arguments(…, tls:)` as the launchers start them: a development CA and a
/// certificate per master (for 127.0.0.1) in a unique directory, free loopback ports,
/// `--exit-with-parent`. They are reached through the binary client protocol only (over TLS),
/// so nothing here depends on the HTTP side. `stopAll()` kills them and removes the directory.
final class TLSMasters: @unchecked Sendable {
    // @unchecked: used from one test task at a time.
    let binary: String
    let scratch: ScratchDirectory
    let ca: DevelopmentCA
    let clusterID = "raft-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let members: [MasterCommandLine.Peer]
    private var processes: [UInt64: Process] = [:]

    init(masters: Int) throws {
        binary = try CorralBinary.locate()
        scratch = try ScratchDirectory(prefix: "corral-raft-tls-masters")
        ca = try DevelopmentCA.create(in: scratch.path + "/ca", name: "test cluster CA", days: 1)
        members = try (1...UInt64(masters)).map {
            MasterCommandLine.Peer(id: $0, raft: "127.0.0.1:\(try LoopbackPort.free())", http: "127.0.0.1:\(try LoopbackPort.free())")
        }
        for member in members { _ = try ca.issue(name: "master-\(member.id)", hosts: ["127.0.0.1"], days: 1) }
        _ = try ca.issue(name: "client", hosts: ["127.0.0.1"], days: 1)
    }

    /// The TLS files of master `id` (or of "client").
    func files(_ name: String) -> TLSFiles { .issued(directory: ca.directory, name: name) }

    /// A client identity from the cluster's CA.
    func clientIdentity() throws -> TLSIdentity { try TLSIdentity(files: files("client")) }

    /// The Raft address of master `id`.
    func raft(_ id: UInt64) -> PeerAddress {
        members.first { $0.id == id }.flatMap { PeerAddress($0.raft) } ?? PeerAddress(host: "127.0.0.1", port: 1)
    }

    func startAll() throws {
        for member in members {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = MasterCommandLine.arguments(
                member: member, peers: members, clusterID: clusterID, dataDirectory: "\(scratch.path)/master-\(member.id)",
                logLevel: "notice", bootstrap: true, tls: files("master-\(member.id)"))
            let log = "\(scratch.path)/master-\(member.id).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.runWithoutInheritedFiles()
            processes[member.id] = process
        }
    }

    /// Finds the leader by writing `key` through each master over TLS until one commits it.
    func leader(writing key: String, seconds: Double = 30) async throws -> UInt64 {
        let identity = try clientIdentity()
        var found: UInt64 = 0
        do {
            try await eventually("a TLS master that commits a write", seconds: seconds) {
                for member in self.members {
                    guard let connection = try? await KVConnection.connect(to: self.raft(member.id), clusterID: self.clusterID, tls: identity)
                    else { continue }
                    defer { connection.close() }
                    if (try? await connection.put(key: Array(key.utf8), value: [1], timeout: .seconds(5)))?.status == .ok {
                        found = member.id
                        return true
                    }
                }
                return false
            }
        } catch {
            throw HarnessError("\(error)\n\(logs())")
        }
        return found
    }

    /// How many lines of master `id`'s log contain `text`.
    func logLines(_ id: UInt64, containing text: String) -> Int {
        let log = (try? String(contentsOfFile: "\(scratch.path)/master-\(id).log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains(text) }.count
    }

    func logs() -> String {
        members.map { member in
            let log = (try? String(contentsOfFile: "\(scratch.path)/master-\(member.id).log", encoding: .utf8)) ?? ""
            return "--- master \(member.id):\n\(log.suffix(2000))"
        }.joined(separator: "\n")
    }

    func stopAll() {
        for process in processes.values {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes = [:]
        scratch.remove()
    }
}
