import ArgumentParser
import CorralMaster
import CorralReplication
import CorralSecurity
import Foundation
import Logging

/// `corral master`: run one master of a quorum.
struct MasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master",
        abstract: "Run one master of a Raft quorum.",
        discussion: """
            Settings come from --config (TOML, see Configs/README.md); flags override them.

            Example: corral master --config Configs/three-node/master-1.toml --bootstrap
            """
    )

    @Option(help: "A TOML config file, e.g. Configs/three-node/master-1.toml.") var config: String?
    @Option(help: "This master's node id.") var nodeId: UInt64?
    @Option(help: "The cluster id every master of the quorum shares.") var clusterId: String?
    @Option(help: "Where this master keeps its Raft log and state.") var dataDir: String?
    @Option(help: "host:port for Raft traffic.") var raftListen: String?
    @Option(help: "host:port for HTTP (status, operators, clients).") var httpListen: String?
    @Option(help: "A master of the quorum as ID=RAFT_HOST:PORT,HTTP_HOST:PORT (repeat).") var peer: [String] = []
    @Flag(help: "Join an existing quorum: start empty and wait for `corral quorum add-learner`.") var join = false
    @Flag(help: "Found a new cluster with the --peer masters as voters. Give it on each founding master's first start only; an initialized data directory ignores it, and a member that lost its data refuses to start either way.")
    var bootstrap = false
    @Option(help: "Tick length in milliseconds.") var tickMs: Int?
    @Option(help: "Heartbeat interval in ticks.") var heartbeatTicks: Int?
    @Option(help: "Election timeout in ticks (randomized up to twice this).") var electionTicks: Int?
    @Option(help: "How long applied changes may stay in memory before the state store is written (0: every batch).")
    var stateStoreMs: Int?
    @Option(help: "Take a state snapshot every this many applied entries.") var snapshotEvery: UInt64?
    @Option(help: "Entries kept behind a snapshot.") var trailingEntries: UInt64?
    @Option(help: "The most bytes the LMDB stores may grow to; past it the master stops accepting writes.") var maxStoreBytes: Int?
    @Flag(help: "Measure nothing and serve no /metrics (to compare what metrics cost).") var noMetrics = false
    @Option(help: "PEM certificate chain for TLS on Raft links and HTTPS (corral certs issue makes one).") var tlsCert: String?
    @Option(help: "The private key of --tls-cert.") var tlsKey: String?
    @Option(help: "The cluster's CA certificate: peers must present a certificate it issued.") var tlsCa: String?
    @Option(help: "A credentials file (Mesos JSON or 'principal secret' lines): HTTP Basic is required on the API.")
    var credentials: String?
    @Option(help: "A file holding the HS256 secret bearer tokens (JWTs) are signed with.") var jwtHmacSecretFile: String?
    @Option(help: "A PEM RSA public key that RS256 bearer tokens (JWTs) are verified with.") var jwtRsaPublicKey: String?
    @Option(help: "A Mesos-style ACLs JSON file: who may register frameworks, run tasks as which user, ... (see README).")
    var acls: String?
    /// Set by `corral up`, the benchmarks and the tests: the master ends when the process
    /// that started it ends, so no master outlives a killed parent.
    @Flag(help: .hidden) var exitWithParent = false
    /// The pid of the process that started this one, for `--exit-with-parent`: a parent that died
    /// before the watch began is noticed too.
    @Option(help: .hidden) var parentPid: Int32?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @OptionGroup(title: "Request limits") var limitOptions: MasterLimitOptions

    func run() async throws {
        var settings = try config.map { try MasterConfig.load(path: $0) } ?? MasterConfig()
        if let nodeId { settings.nodeID = nodeId }
        if let clusterId { settings.clusterID = clusterId }
        if let dataDir { settings.dataDirectory = dataDir }
        if let raftListen { settings.raftListen = try address(raftListen, "--raft-listen") }
        if let httpListen { settings.httpListen = try address(httpListen, "--http-listen") }
        if !peer.isEmpty { settings.peers = try peer.map(parsePeer) }
        if join { settings.join = true }
        settings.bootstrap = bootstrap
        if let tickMs { settings.tickMilliseconds = tickMs }
        if let heartbeatTicks { settings.heartbeatTicks = heartbeatTicks }
        if let electionTicks { settings.electionTicks = electionTicks }
        if let stateStoreMs { settings.stateStoreMilliseconds = stateStoreMs }
        if let snapshotEvery { settings.snapshotEveryEntries = snapshotEvery }
        if let trailingEntries { settings.trailingEntries = trailingEntries }
        if let maxStoreBytes { settings.maxStoreBytes = maxStoreBytes }
        if noMetrics { settings.metricsEnabled = false }
        limitOptions.apply(to: &settings.limits)
        if tlsCert != nil || tlsKey != nil || tlsCa != nil {
            var files = settings.tls ?? TLSFiles()
            if let tlsCert { files.certificate = tlsCert }
            if let tlsKey { files.key = tlsKey }
            if let tlsCa { files.ca = tlsCa }
            settings.tls = files
        }
        if let credentials { settings.authentication.credentials = credentials }
        if let jwtHmacSecretFile { settings.authentication.jwtHMACSecretFile = jwtHmacSecretFile }
        if let jwtRsaPublicKey { settings.authentication.jwtRSAPublicKey = jwtRsaPublicKey }
        if let acls { settings.aclsFile = acls }
        var logger = Logger(label: "corral.master")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let master = try MasterProcess(config: settings, logger: logger)
        if exitWithParent { ParentWatch.exitWhenOrphaned(expectedParent: parentPid) }
        let final = settings
        try await master.run { raftPort, httpPort in
            let line = "master \(final.nodeID) listening: raft \(final.raftListen.host):\(raftPort) http \(final.httpListen.host):\(httpPort)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }

    private func address(_ text: String, _ flag: String) throws -> PeerAddress {
        guard let address = PeerAddress(text) else { throw ValidationError("\(flag) \(text) is not host:port") }
        return address
    }

    private func parsePeer(_ text: String) throws -> MasterConfig.Peer {
        let parts = text.split(separator: "=", maxSplits: 1)
        let addresses = parts.count == 2 ? parts[1].split(separator: ",") : []
        guard parts.count == 2, let id = UInt64(parts[0]), addresses.count == 2,
            let raft = PeerAddress(String(addresses[0])), let http = PeerAddress(String(addresses[1]))
        else { throw ValidationError("--peer \(text) should be ID=RAFT_HOST:PORT,HTTP_HOST:PORT") }
        return MasterConfig.Peer(id: id, raft: raft, http: http)
    }
}
