import CorralMaster
import CorralStore
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real quorum of `corral master` processes for one chaos run: each in its own network
/// namespace (or, in the loopback fallback, on 127.0.0.(10+id) with free ports), with its data
/// directory and log under the report directory. Every process is adopted by
/// `ChildReaper.shared`.
public final class ChaosCluster: Sendable {
    /// One master's addresses.
    public struct Member: Sendable, Hashable {
        public var id: UInt64
        public var raft: String
        public var http: String
        var peer: MasterCommandLine.Peer { MasterCommandLine.Peer(id: id, raft: raft, http: http) }
    }

    public let binary: String
    public let directory: String
    public let clusterID: String
    /// The founding members, which every master is started with as its peers.
    public let members: [Member]
    /// Masters that start empty with `--join` when a `replace` step adds them (ids after the
    /// founders'); see `ChaosCluster+Spares.swift`.
    public let spares: [Member]
    /// The members of the quorum now (voters and learners), as the harness changed it.
    let current: Mutex<[UInt64]>
    public let logLevel: String
    public let network: ClusterNetwork
    /// Variables added to the masters' environment.
    public let environment: [String: String]
    /// Whether each master reads a wall-clock offset file (`clockOffsetPath`), for clock jumps.
    public let clockOffsets: Bool
    /// The link proxies the masters reach each other through, when the scenario has `lossy` faults.
    public let proxies: LinkProxies?
    /// A TOML file every master is started with (`--config`), if any.
    public let config: String?
    private let children = ChildProcesses<UInt64>()

    /// Picks addresses for `count` masters on `network`; nothing runs until `start`.
    public init(
        masters count: Int, binary: String, directory: String, network: ClusterNetwork,
        logLevel: String = "info", proxied: Bool = false, seed: UInt64 = 0, spares: Int = 0, environment: [String: String] = [:],
        clockOffsets: Bool = false, config: String? = nil
    ) throws(HarnessFailure) {
        self.clockOffsets = clockOffsets
        self.binary = binary
        self.config = config
        self.environment = environment
        self.directory = directory
        self.logLevel = logLevel
        self.network = network
        clusterID = "chaos-\(getpid())"
        var members: [Member] = []
        for id in 1...UInt64(count + spares) {
            let host = network.host(of: id)
            if network.namespaces != nil {
                members.append(Member(id: id, raft: "\(host):\(NamespaceNetwork.raftPort)", http: "\(host):\(NamespaceNetwork.httpPort)"))
            } else {
                members.append(Member(
                    id: id, raft: "\(host):\(try LoopbackAddress.freePort(on: host))",
                    http: "\(host):\(try LoopbackAddress.freePort(on: host))"))
            }
        }
        self.members = Array(members.prefix(count))
        self.spares = Array(members.dropFirst(count))
        current = Mutex(self.members.map(\.id))
        proxies = proxied
            ? try LinkProxies(members: members.map { ($0.id, $0.raft) }, host: network.namespaces?.harnessAddress ?? "127.0.0.1", seed: seed)
            : nil
    }

    /// The members of the quorum now: the founders until a `replace` step changes them.
    public var ids: [UInt64] { current.withLock { $0 }.sorted() }
    public func member(_ id: UInt64) -> Member? { allMembers.first { $0.id == id } }
    public func logPath(_ id: UInt64) -> String { "\(directory)/master-\(id).log" }
    public func dataPath(_ id: UInt64) -> String { "\(directory)/data/master-\(id)" }
    /// The file master `id` reads its wall clock's offset from (milliseconds), with `clockOffsets`.
    public func clockOffsetPath(_ id: UInt64) -> String { "\(directory)/master-\(id).clock-offset" }

    /// Steps master `id`'s wall clock to `millis` ahead of the real one (0: back to it); it
    /// notices within `WallClock.recheckNanos`. Written whole and renamed into place.
    public func setClockOffset(_ id: UInt64, millis: Int64) throws(HarnessFailure) {
        let path = clockOffsetPath(id)
        do {
            try "\(millis)\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw HarnessFailure("cannot write master \(id)'s clock offset file \(path): \(error)")
        }
    }

    /// The peers master `id` is started with: through the link proxies, when there are any.
    func peers(of id: UInt64) -> [MasterCommandLine.Peer] {
        members.map { member in
            var peer = member.peer
            if member.id != id, let proxied = proxies?.address(from: id, to: member.id) { peer.raft = proxied }
            return peer
        }
    }

    /// Whether master `id`'s process is running (it may have exited on its own).
    public func isAlive(_ id: UInt64) -> Bool { children.isAlive(id) }

    /// Masters started and not killed.
    public var running: [UInt64] { children.running }
    /// Running masters that are not paused.
    public var live: [UInt64] { children.live }

    /// Starts master `id` (founding members bootstrap on their first start only, when the data
    /// directory is missing or empty; spares always start with `--join`); its output is
    /// appended to its log. `failpoints`, when given, is its `CORRAL_FAILPOINTS`.
    public func start(_ id: UInt64, failpoints: String? = nil) throws(HarnessFailure) {
        guard let member = member(id) else { throw HarnessFailure("no master \(id)") }
        let data = dataPath(id)
        let spare = spares.contains { $0.id == id }
        var arguments = MasterCommandLine.arguments(
            member: member.peer, peers: peers(of: id), clusterID: clusterID, dataDirectory: data, logLevel: logLevel,
            bootstrap: !spare && ((try? FileManager.default.contentsOfDirectory(atPath: data).isEmpty) ?? true))
            + (config.map { ["--config", $0] } ?? [])
        if spare { arguments.append("--join") }
        let command = try network.namespaces?.command(for: id, [binary] + arguments) ?? (executable: binary, arguments: arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        var environment = ProcessInfo.processInfo.environment.merging(self.environment) { _, added in added }
        environment["CORRAL_FAILPOINTS"] = failpoints
        if clockOffsets { environment[WallClock.variable] = clockOffsetPath(id) }
        process.environment = environment
        do {
            try FileManager.default.createDirectory(atPath: "\(directory)/data", withIntermediateDirectories: true)
        } catch {
            throw HarnessFailure("cannot start master \(id) (\(binary)): \(error)")
        }
        try children.start(id, process, log: logPath(id), what: "master \(id) (\(binary))")
    }

    /// Sends `signal` and, for SIGKILL or SIGTERM, waits for the exit (SIGKILL after 10 s).
    public func signal(_ id: UInt64, _ signal: Int32) { children.signal(id, signal) }

    /// Resumes and kills every master.
    public func stopAll() {
        for id in running { signal(id, SIGKILL) }
    }

    /// Master `id`'s view of the quorum, or nil when it does not answer within a second.
    public func status(_ id: UInt64) -> QuorumStatus? {
        guard let member = member(id) else { return nil }
        return try? MasterClient(timeoutSeconds: 1).json(QuorumStatus.self, "GET", member.http, "/quorum/status")
    }

    /// Waits until every live master agrees on one leader; returns its id and term.
    public func leader(seconds: Double) -> (id: UInt64, term: UInt64)? {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let members = live
            if let leader = QuorumStatus.agreedLeader(members.compactMap(status), expected: members.count) {
                return (leader.raft.id, leader.raft.term)
            }
            usleep(50_000)
        } while Date() < deadline
        return nil
    }

    /// The last `bytes` of master `id`'s log.
    public func logTail(_ id: UInt64, bytes: Int = 3000) -> String {
        (try? String(contentsOfFile: logPath(id), encoding: .utf8)).map { String($0.suffix(bytes)) } ?? ""
    }
}
