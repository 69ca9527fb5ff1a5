import ArgumentParser
import CorralMaster
import CorralReplication
import CorralSecurity
import Foundation

/// `corral bench replicate`: committed writes per second and their latency on a real quorum,
/// over plain TCP or mutual TLS, or both one after the other to measure what TLS costs.
struct BenchReplicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Replicated writes/s and p50/p99/max latency against a real master quorum.",
        discussion: """
            Example: corral bench replicate --masters 3 --clients 500
            With --tls the masters run mutual TLS on their Raft port (peer links and the client
            protocol), with a throw-away CA and certificates made for the run; --compare-tls runs
            a plain quorum, then a TLS one, and prints both and their ratio.
            """
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
    @Flag(help: "Start the masters with mutual TLS on the Raft port (a throw-away CA and certificates).") var tls = false
    @Flag(help: "Measure a plain quorum, then a TLS one (each for --seconds), and print the ratio.") var compareTls = false
    @OptionGroup(title: "TLS of a running quorum (with --endpoints)") var client: RaftClientTLSOptions

    /// One run's figures.
    struct Measurement {
        var result: Result
        var tls: Bool
        var leaderChanges: String
        var throughput: Double
    }

    func validate() throws {
        guard [3, 5].contains(masters) else { throw ValidationError("--masters must be 3 or 5") }
        if endpoints != nil, tls || compareTls {
            throw ValidationError("--tls and --compare-tls start their own quorum; for a running one give --tls-cert/--tls-key/--tls-ca")
        }
        if endpoints == nil, client.given {
            throw ValidationError("--tls-cert/--tls-key/--tls-ca go with --endpoints; a started quorum gets its own certificates with --tls")
        }
    }

    func run() async throws {
        let root = dataDir ?? NSTemporaryDirectory() + "corral-bench-replicate-\(getpid())"
        guard compareTls else {
            report(try await measure(tls: tls, directory: root))
            return
        }
        let plain = try await measure(tls: false, directory: root + "/plain")
        report(plain)
        let secured = try await measure(tls: true, directory: root + "/tls")
        report(secured)
        if dataDir == nil { try? FileManager.default.removeItem(atPath: root) }
        say(String(
            format: "corral replicate: TLS/plain throughput=%.2f p50=%.2fx p99=%.2fx (TLS costs %.0f%% of the plain throughput)",
            secured.throughput / max(plain.throughput, 1), secured.result.percentile(0.5) / max(plain.result.percentile(0.5), 0.001),
            secured.result.percentile(0.99) / max(plain.result.percentile(0.99), 0.001),
            100 * (1 - secured.throughput / max(plain.throughput, 1))))
    }

    private func report(_ measured: Measurement) {
        let result = measured.result
        say(String(
            format: "corral replicate: tls=%@ metrics=%@ masters=%d clients=%d key=%dB value=%dB seconds=%d writes=%d throughput=%.0f writes/s p50=%.2f ms p99=%.2f ms max=%.2f ms errors=%d unknown=%d leader-changes=%@",
            measured.tls ? "mutual" : "off", noMetrics ? "off" : "on", masters, clients, keyBytes, valueBytes, seconds, result.latencies.count,
            measured.throughput, result.percentile(0.50), result.percentile(0.99), result.percentile(1.0), result.errors, result.unknown,
            measured.leaderChanges))
    }

    /// Drives writes against `--endpoints`, or against a quorum started in `directory` (with
    /// mutual TLS when `tls`), and stops that quorum afterwards.
    private func measure(tls: Bool, directory: String) async throws -> Measurement {
        if let endpoints {
            let addresses = endpoints.split(separator: ",").compactMap { PeerAddress(String($0)) }
            guard let first = addresses.first else { throw ValidationError("--endpoints needs host:port entries") }
            let identity = try client.identity()
            let target = try await findLeader(addresses, clusterID: clusterId, tls: identity) ?? first
            let result = try await drive(target: target, clusterID: clusterId, tls: identity)
            return Measurement(result: result, tls: identity != nil, leaderChanges: "n/a", throughput: Double(result.latencies.count) / Double(seconds))
        }
        var identity: TLSIdentity?
        if tls {
            let certificates = directory + "/tls-certificates"
            if !FileManager.default.fileExists(atPath: DevelopmentCA.certificatePath(certificates)) {
                try LocalQuorum.makeCertificates(directory: certificates, count: masters)
            }
            identity = try TLSIdentity(files: LocalQuorum.clientTLSFiles(directory: certificates))
        }
        let base = LocalQuorum.freePortBase(count: 2 * masters)
        let quorum = LocalQuorum(
            count: masters, raftPort: base, httpPort: base + masters, dataDirectory: directory, clusterID: "bench-\(getpid())",
            extraArguments: (stateStoreMs.map { ["--state-store-ms=\($0)"] } ?? []) + (noMetrics ? ["--no-metrics"] : []),
            tlsDirectory: tls ? directory + "/tls-certificates" : nil)
        defer {
            quorum.stopAll()
            if dataDir == nil { try? FileManager.default.removeItem(atPath: directory) }
        }
        try quorum.startAll()
        guard let leader = quorum.waitForLeader(), let member = quorum.member(leader.raft.id) else {
            throw ValidationError("the quorum elected no leader; see the logs in \(directory)")
        }
        let result = try await drive(target: member.raft, clusterID: quorum.clusterID, tls: identity)
        var leaderChanges = "n/a"
        if let after = quorum.waitForLeader(seconds: 5) {
            leaderChanges = after.raft.term == leader.raft.term ? "0" : "yes (term \(leader.raft.term) → \(after.raft.term))"
        }
        return Measurement(result: result, tls: tls, leaderChanges: leaderChanges, throughput: Double(result.latencies.count) / Double(seconds))
    }
}
