import ArgumentParser
import CorralMaster
import CorralReplication
import CorralSecurity
import Foundation

/// `corral bench failover`: SIGKILL the leader under a light write load and time how long
/// until the next write commits; the killed master restarts after each trial.
struct BenchFailover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Time from SIGKILL of the leader to the next committed write (median and max).",
        discussion: "Example: corral bench failover --masters 3 --trials 10"
    )

    @Option(help: "Masters to start.") var masters = 3
    @Option(help: "Leader kills to time.") var trials = 10
    @Option(help: "Where the masters keep their data (default: a temporary directory).") var dataDir: String?
    @Flag(help: "Pause the leader (SIGSTOP, then SIGCONT) instead of killing it: no connection is refused, so the followers wait out the election timeout, as in a partition.")
    var pause = false
    @Flag(help: "Start the masters with mutual TLS on the Raft port (a throw-away CA and certificates); the writer connects with TLS.")
    var tls = false

    func run() async throws {
        guard [3, 5].contains(masters) else { throw ValidationError("--masters must be 3 or 5") }
        guard trials > 0 else { throw ValidationError("--trials must be positive") }
        let directory = dataDir ?? NSTemporaryDirectory() + "corral-bench-failover-\(getpid())"
        let base = LocalQuorum.freePortBase(count: 2 * masters)
        let certificates = directory + "/tls-certificates"
        if tls, !FileManager.default.fileExists(atPath: DevelopmentCA.certificatePath(certificates)) {
            try LocalQuorum.makeCertificates(directory: certificates, count: masters)
        }
        let quorum = LocalQuorum(
            count: masters, raftPort: base, httpPort: base + masters, dataDirectory: directory, clusterID: "failover-\(getpid())",
            tlsDirectory: tls ? certificates : nil)
        try quorum.startAll()
        defer {
            quorum.stopAll()
            if dataDir == nil { try? FileManager.default.removeItem(atPath: directory) }
        }
        guard quorum.waitForLeader() != nil else { throw ValidationError("no leader; see the logs in \(directory)") }
        let identity = tls ? try TLSIdentity(files: LocalQuorum.clientTLSFiles(directory: certificates)) : nil
        let writer = FailoverWriter(members: quorum.members.map(\.raft), clusterID: quorum.clusterID, tls: identity)
        let clock = ContinuousClock()
        var samples: [Double] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await writer.run() }
            for trial in 1...trials {
                guard let leader = quorum.waitForLeader(), await writer.waitForWrite(after: clock.now, seconds: 10) != nil else {
                    throw ValidationError("trial \(trial): the quorum did not settle; see the logs in \(directory)")
                }
                let killedAt = clock.now
                if pause {
                    quorum.signal(leader.raft.id, SIGSTOP)
                } else {
                    quorum.kill(leader.raft.id)
                }
                guard let committed = await writer.waitForWrite(after: killedAt, seconds: 30) else {
                    throw ValidationError("trial \(trial): no write committed within 30 s of the kill")
                }
                let elapsed = committed - killedAt
                let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                samples.append(milliseconds)
                say(String(format: "trial %d: %@ master %llu, next write committed after %.1f ms", trial, pause ? "paused" : "killed", leader.raft.id, milliseconds))
                if pause {
                    quorum.signal(leader.raft.id, SIGCONT)
                } else {
                    try quorum.start(leader.raft.id)
                }
                try await waitCaughtUp(quorum, leader.raft.id)
            }
            await writer.stop()
            group.cancelAll()
        }
        samples.sort()
        say(String(
            format: "corral failover (%@%@): masters=%d trials=%d median=%.1f ms max=%.1f ms",
            pause ? "SIGSTOP" : "SIGKILL", tls ? ", mutual TLS" : "", masters, trials, samples[samples.count / 2], samples.last ?? 0))
    }

    private func waitCaughtUp(_ quorum: LocalQuorum, _ id: UInt64) async throws {
        for _ in 0..<400 {
            if let mine = quorum.status(id), let leader = quorum.waitForLeader(seconds: 1),
                mine.raft.appliedIndex + 50 >= leader.raft.commitIndex, mine.raft.leader == leader.raft.id
            {
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ValidationError("master \(id) did not catch up after its restart")
    }
}

/// Writes continuously, one at a time, to whichever master leads, and records when each
/// write committed.
actor FailoverWriter {
    private let members: [PeerAddress]
    private let clusterID: String
    private let tls: TLSIdentity?
    private var connections: [Int: KVConnection] = [:]
    private var commits: [(began: ContinuousClock.Instant, committed: ContinuousClock.Instant)] = []
    private var stopped = false
    private let clock = ContinuousClock()

    init(members: [PeerAddress], clusterID: String, tls: TLSIdentity? = nil) {
        self.tls = tls
        self.members = members
        self.clusterID = clusterID
    }

    func stop() { stopped = true }

    func run() async {
        var current = 0
        var sequence = 0
        while !stopped && !Task.isCancelled {
            sequence += 1
            guard let connection = await connection(current) else {
                current = (current + 1) % members.count
                try? await Task.sleep(for: .milliseconds(2))
                continue
            }
            let began = clock.now
            let response = try? await connection.put(
                key: Array("failover/\(sequence % 100)".utf8), value: Array(repeating: 0x62, count: 256),
                timeout: .milliseconds(100))
            switch response?.status {
            case .ok?:
                commits.append((began, clock.now))
                if commits.count > 10_000 { commits.removeFirst(5_000) }
                try? await Task.sleep(for: .milliseconds(2))
            case .notLeader? where response?.leader != 0:
                current = Int((response?.leader ?? 1) - 1) % members.count
            default:
                if response == nil {
                    connections[current]?.close()
                    connections[current] = nil
                }
                current = (current + 1) % members.count
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
        connections.values.forEach { $0.close() }
    }

    private func connection(_ index: Int) async -> KVConnection? {
        if let existing = connections[index] { return existing }
        let made = try? await KVConnection.connect(to: members[index], clusterID: clusterID, tls: tls)
        connections[index] = made
        return made
    }

    /// When the first write begun after `instant` committed, waiting up to `seconds` for it.
    func waitForWrite(after instant: ContinuousClock.Instant, seconds: Int) async -> ContinuousClock.Instant? {
        let deadline = clock.now + .seconds(seconds)
        while clock.now < deadline {
            if let found = commits.first(where: { $0.began > instant }) { return found.committed }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }
}
