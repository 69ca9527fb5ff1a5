import CorralContainer
import CorralMaster
import CorralReplication
import CorralSecurity
import Foundation

/// Master processes on loopback, started from this executable: `corral up` and the
/// quorum benchmarks use it.
final class LocalQuorum {
    struct Member {
        var id: UInt64
        var raft: PeerAddress
        var http: PeerAddress
        var peer: MasterCommandLine.Peer { MasterCommandLine.Peer(id: id, raft: "\(raft)", http: "\(http)") }
    }

    let members: [Member]
    let dataDirectory: String
    let clusterID: String
    let extraArguments: [String]
    /// With a directory, the masters run TLS with the files `makeCertificates` put there.
    let tlsDirectory: String?
    private(set) var processes: [UInt64: Process] = [:]
    /// With TLS, the client identity HTTP calls to the masters use (they serve HTTPS then).
    private(set) lazy var httpsClient: TLSIdentity? = tlsDirectory.flatMap {
        try? TLSIdentity(files: Self.clientTLSFiles(directory: $0))
    }
    private let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path

    init(
        count: Int, raftPort: Int, httpPort: Int, dataDirectory: String, clusterID: String, extraArguments: [String] = [],
        tlsDirectory: String? = nil
    ) {
        self.tlsDirectory = tlsDirectory
        members = (1...count).map {
            Member(
                id: UInt64($0),
                raft: PeerAddress(host: "127.0.0.1", port: raftPort + $0 - 1),
                http: PeerAddress(host: "127.0.0.1", port: httpPort + $0 - 1))
        }
        self.dataDirectory = dataDirectory
        self.clusterID = clusterID
        self.extraArguments = extraArguments
    }

    var httpEndpoints: [String] { members.map { "\($0.http)" } }

    func member(_ id: UInt64) -> Member? { members.first { $0.id == id } }

    /// Starts master `id`; its output goes to `<data>/master-<id>.log` unless `inheritOutput`.
    func start(_ id: UInt64, inheritOutput: Bool = false, logLevel: String = "warning") throws {
        guard let member = member(id) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let memberDirectory = "\(dataDirectory)/master-\(id)"
        // Founding members bootstrap on their first start only: a member whose data was
        // lost afterwards must refuse to start, not found the cluster again.
        process.arguments = MasterCommandLine.arguments(
            member: member.peer, peers: members.map(\.peer), clusterID: clusterID, dataDirectory: memberDirectory,
            logLevel: logLevel, bootstrap: !FileManager.default.fileExists(atPath: memberDirectory),
            tls: tlsDirectory.map { Self.tlsFiles(directory: $0, member: id) }) + extraArguments
        if !inheritOutput {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            let log = "\(dataDirectory)/master-\(id).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        }
        try process.runWithoutInheritedFiles()
        processes[id] = process
    }

    func startAll(inheritOutput: Bool = false, logLevel: String = "warning") throws {
        for member in members { try start(member.id, inheritOutput: inheritOutput, logLevel: logLevel) }
    }

    func kill(_ id: UInt64, signal: Int32 = SIGKILL) {
        guard let process = processes.removeValue(forKey: id) else { return }
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// Sends `signal` to master `id` without forgetting it (SIGSTOP / SIGCONT).
    func signal(_ id: UInt64, _ signal: Int32) {
        guard let process = processes[id] else { return }
        Foundation.kill(process.processIdentifier, signal)
    }

    func stopAll() {
        for process in processes.values { Foundation.kill(process.processIdentifier, SIGCONT) }
        for process in processes.values where process.isRunning { process.terminate() }
        for process in processes.values { process.waitUntilExit() }
        processes = [:]
    }

    func status(_ id: UInt64, timeoutSeconds: Int = 1) -> QuorumStatus? {
        guard let member = member(id) else { return nil }
        return try? MasterClient(timeoutSeconds: timeoutSeconds, tls: httpsClient).json(
            QuorumStatus.self, "GET", "\(member.http)", "/quorum/status")
    }

    /// Waits until the running masters (those not `excluded`) agree on a leader; returns it,
    /// or nil after `seconds`.
    func waitForLeader(seconds: Double = 15, excluding excluded: Set<UInt64> = []) -> QuorumStatus? {
        let deadline = Date().addingTimeInterval(seconds)
        let members = processes.keys.filter { !excluded.contains($0) }
        while Date() < deadline {
            if let leader = QuorumStatus.agreedLeader(members.compactMap { status($0) }, expected: members.count) {
                return leader
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// Ports that are free now (bound to port 0 and released).
    static func freePortBase(count: Int) -> Int {
        for base in stride(from: 20000 + Int(getpid() % 2000) * 10, to: 60000, by: 97) {
            if (0..<count).allSatisfy({ isFree(base + $0) }) { return base }
        }
        return 27101
    }

    private static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
