import ArgumentParser
import CorralMaster
import CorralReplication
import Foundation

/// `corral bench replicate`: committed writes per second and their latency on a real quorum.
struct BenchReplicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Replicated writes/s and p50/p99/max latency against a real master quorum.",
        discussion: "Example: corral bench replicate --masters 3 --clients 500"
    )

    @Option(help: "Masters to start (ignored with --endpoints).") var masters = 3
    @Option(help: "Concurrent clients, each with one write in flight.") var clients = 500
    @Option(help: "TCP connections the clients share.") var connections = 100
    @Option(help: "Value size in bytes.") var valueBytes = 256
    @Option(help: "Key size in bytes (keys are random, as etcdctl check perf's).") var keyBytes = 32
    @Option(help: "Measured seconds (after one second of warm-up).") var seconds = 20
    @Option(help: "A running quorum's Raft host:port list instead of starting one; writes go to the leader.")
    var endpoints: String?
    @Option(help: "The running quorum's cluster id (with --endpoints).") var clusterId = "corral-local"
    @Option(help: "Where the started masters keep their data (default: a temporary directory).") var dataDir: String?
    @Option(help: "The started masters' timing.state_store_ms (default: theirs, 100).") var stateStoreMs: Int?
    @Flag(help: "Start the masters with --no-metrics, to compare what metrics cost.") var noMetrics = false

    func run() async throws {
        guard [3, 5].contains(masters) else { throw ValidationError("--masters must be 3 or 5") }
        var quorum: LocalQuorum?
        let target: PeerAddress
        let cluster: String
        var startTerm: UInt64 = 0
        if let endpoints {
            let addresses = endpoints.split(separator: ",").compactMap { PeerAddress(String($0)) }
            guard let first = addresses.first else { throw ValidationError("--endpoints needs host:port entries") }
            target = try await findLeader(addresses, clusterID: clusterId) ?? first
            cluster = clusterId
        } else {
            let directory = dataDir ?? NSTemporaryDirectory() + "corral-bench-replicate-\(getpid())"
            let base = LocalQuorum.freePortBase(count: 2 * masters)
            let local = LocalQuorum(
                count: masters, raftPort: base, httpPort: base + masters, dataDirectory: directory, clusterID: "bench-\(getpid())",
                extraArguments: (stateStoreMs.map { ["--state-store-ms=\($0)"] } ?? []) + (noMetrics ? ["--no-metrics"] : []))
            try local.startAll()
            quorum = local
            guard let leader = local.waitForLeader(), let member = local.member(leader.raft.id) else {
                local.stopAll()
                throw ValidationError("the quorum elected no leader; see the logs in \(directory)")
            }
            target = member.raft
            cluster = local.clusterID
            startTerm = leader.raft.term
        }
        defer {
            quorum?.stopAll()
            if dataDir == nil, let quorum { try? FileManager.default.removeItem(atPath: quorum.dataDirectory) }
        }
        let result = try await drive(target: target, clusterID: cluster)
        var leaderChanges = "n/a"
        if let quorum, let after = quorum.waitForLeader(seconds: 5) {
            leaderChanges = after.raft.term == startTerm ? "0" : "yes (term \(startTerm) → \(after.raft.term))"
        }
        say(String(
            format: "corral replicate: metrics=%@ masters=%d clients=%d key=%dB value=%dB seconds=%d writes=%d throughput=%.0f writes/s p50=%.2f ms p99=%.2f ms max=%.2f ms errors=%d unknown=%d leader-changes=%@",
            noMetrics ? "off" : "on", masters, clients, keyBytes, valueBytes, seconds, result.latencies.count, Double(result.latencies.count) / Double(seconds),
            result.percentile(0.50), result.percentile(0.99), result.percentile(1.0), result.errors, result.unknown, leaderChanges))
    }

    struct Result {
        var latencies: [Double]
        /// Writes not applied (refused, redirected, failed) or not answered.
        var errors: Int
        /// Writes answered "outcome unknown": they may or may not have taken effect.
        var unknown: Int

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
    }

    private func drive(target: PeerAddress, clusterID: String) async throws -> Result {
        var pool: [KVConnection] = []
        for _ in 0..<max(1, min(connections, clients)) {
            pool.append(try await KVConnection.connect(to: target, clusterID: clusterID))
        }
        defer { pool.forEach { $0.close() } }
        let value = [UInt8](repeating: 0x61, count: valueBytes)
        let prefix = Array("bench/".utf8)
        let padding = [UInt8](repeating: 0x6B, count: max(0, keyBytes - prefix.count - 8))
        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start + .seconds(1)
        let end = measureFrom + .seconds(seconds)
        let connections = pool
        let clientCount = clients
        return await withTaskGroup(of: Result.self) { group in
            for client in 0..<clientCount {
                group.addTask {
                    let connection = connections[client % connections.count]
                    var latencies: [Double] = []
                    var errors = 0
                    var unknown = 0
                    var sequence = 0
                    while clock.now < end {
                        var key = prefix
                        withUnsafeBytes(of: (UInt64(client) << 32 | UInt64(sequence)).bigEndian) { key.append(contentsOf: $0) }
                        key.append(contentsOf: padding)
                        sequence += 1
                        let began = clock.now
                        let response = try? await connection.put(key: key, value: value)
                        let finished = clock.now
                        guard response?.status == .ok else {
                            // A write whose outcome is unknown may have taken effect: it is
                            // counted apart from writes that failed (not applied).
                            if response?.status == .outcomeUnknown { unknown += 1 } else { errors += 1 }
                            if response == nil { break }
                            continue
                        }
                        if began >= measureFrom && finished <= end {
                            let elapsed = finished - began
                            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                        }
                    }
                    return Result(latencies: latencies, errors: errors, unknown: unknown)
                }
            }
            var total = Result(latencies: [], errors: 0, unknown: 0)
            for await part in group {
                total.latencies += part.latencies
                total.errors += part.errors
                total.unknown += part.unknown
            }
            total.latencies.sort()
            return total
        }
    }

    private func findLeader(_ addresses: [PeerAddress], clusterID: String) async throws -> PeerAddress? {
        for address in addresses {
            guard let connection = try? await KVConnection.connect(to: address, clusterID: clusterID) else { continue }
            defer { connection.close() }
            let response = try await connection.get(key: Array("bench/probe".utf8))
            if response.status == .ok || response.status == .notFound { return address }
            if response.status == .notLeader, let leader = PeerAddress(String(decoding: response.body, as: UTF8.self)) {
                return leader
            }
        }
        return nil
    }
}
