import CorralReplication
import CorralSecurity

/// Everything a master needs to start: who it is, who its peers are, where it listens,
/// where it keeps its data, and its timing. Read from TOML (`MasterConfig+TOML.swift`),
/// overridable by flags, and checked by `validate()`.
public struct MasterConfig: Sendable, Hashable {
    /// One master of the quorum and where it listens.
    public struct Peer: Sendable, Hashable {
        public var id: UInt64
        public var raft: PeerAddress
        public var http: PeerAddress

        public init(id: UInt64, raft: PeerAddress, http: PeerAddress) {
            self.id = id
            self.raft = raft
            self.http = http
        }
    }

    public var clusterID: String
    public var nodeID: UInt64
    public var dataDirectory: String
    public var raftListen: PeerAddress
    public var httpListen: PeerAddress
    /// The masters of the initial quorum (this one included, unless it joins later).
    public var peers: [Peer]
    /// Start with an empty log and wait to be added with `corral quorum add-learner`.
    public var join: Bool
    /// Found a new cluster with `peers` as its voters, if the data directory is empty. Set by
    /// `corral master --bootstrap` on a founding member's first start only; never read from
    /// a config file, so a member whose data is wiped cannot silently found a cluster again.
    public var bootstrap: Bool = false
    public var tickMilliseconds: Int
    public var heartbeatTicks: Int
    public var electionTicks: Int
    /// How long a master that lost office keeps waiting to learn whether a write it had
    /// appended was committed before answering `504` "outcome unknown" (`timing.outcome_wait_ms`);
    /// nil: five of the longest election timeouts.
    public var outcomeWaitMilliseconds: Int?
    /// How long applied changes may stay in memory before the state's store is written
    /// (`timing.state_store_ms`; 0: after every applied batch). The Raft log holds them meanwhile.
    public var stateStoreMilliseconds: Int = 100
    public var snapshotEveryEntries: UInt64
    public var trailingEntries: UInt64
    public var maxFrameBytes: Int
    /// The LMDB map may grow to this size; past it the node stops accepting writes.
    public var maxStoreBytes: Int
    /// Whether the master measures itself and serves `/metrics` (`corral master --no-metrics`
    /// turns it off, for measuring what metrics cost).
    public var metricsEnabled = true
    /// Offers, heartbeats and timeouts of the scheduler and agent APIs.
    public var scheduling = SchedulingConfig()
    /// TLS for the Raft peer links (mutual: peers need a certificate from `tls.ca`) and HTTPS
    /// for the HTTP API; nil: plain TCP (`[tls]` in the config file, `--tls-cert`, `--tls-key`,
    /// `--tls-ca` on the command line).
    public var tls: TLSFiles?
    /// Who may call the HTTP API (`[auth]` in the config file; `--credentials`,
    /// `--jwt-hmac-secret-file`, `--jwt-rsa-public-key`): empty, every caller is served as before.
    public var authentication = HTTPAuthenticator.Settings()
    /// A Mesos-style ACLs file (`auth.acls`, `--acls`); nil: no authorization, as before.
    public var aclsFile: String?
    /// Request limits of the HTTP API: body sizes, rates, subscribers, connections and
    /// slow-client timeouts (`[limits]`; see `MasterLimits` for the defaults).
    public var limits = MasterLimits()

    public init(
        clusterID: String = "corral",
        nodeID: UInt64 = 0,
        dataDirectory: String = "",
        raftListen: PeerAddress = PeerAddress(host: "127.0.0.1", port: 7101),
        httpListen: PeerAddress = PeerAddress(host: "127.0.0.1", port: 5051),
        peers: [Peer] = [],
        join: Bool = false,
        tickMilliseconds: Int = 10,
        heartbeatTicks: Int = 5,
        electionTicks: Int = 30,
        snapshotEveryEntries: UInt64 = 100_000,
        trailingEntries: UInt64 = 5_000,
        maxFrameBytes: Int = 64 << 20,
        maxStoreBytes: Int = 8 << 30
    ) {
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.dataDirectory = dataDirectory
        self.raftListen = raftListen
        self.httpListen = httpListen
        self.peers = peers
        self.join = join
        self.tickMilliseconds = tickMilliseconds
        self.heartbeatTicks = heartbeatTicks
        self.electionTicks = electionTicks
        self.snapshotEveryEntries = snapshotEveryEntries
        self.trailingEntries = trailingEntries
        self.maxFrameBytes = maxFrameBytes
        self.maxStoreBytes = maxStoreBytes
    }

    /// Checks the settings; the error says which one is wrong and what to do.
    public func validate() throws(MasterError) {
        func bad(_ message: String) -> MasterError { MasterError(code: .badConfig, message: message) }
        if clusterID.isEmpty || clusterID.utf8.count > 200 { throw bad("cluster_id must be 1–200 characters") }
        if nodeID == 0 { throw bad("node_id must be a positive integer (set node_id or --node-id)") }
        if dataDirectory.isEmpty { throw bad("data_dir is not set (set data_dir or --data-dir)") }
        if Set(peers.map(\.id)).count != peers.count { throw bad("two [[peers]] entries share an id") }
        if !join && !peers.contains(where: { $0.id == nodeID }) {
            throw bad("node_id \(nodeID) is not among [[peers]]; list this master there, or set join = true to join an existing quorum")
        }
        if join && bootstrap {
            throw bad("--bootstrap founds a new cluster and --join (join = true) joins a running one; give one of them")
        }
        if !join && ![1, 3, 5, 7].contains(peers.count) {
            throw bad("a quorum has 1, 3, 5 or 7 masters; [[peers]] lists \(peers.count)")
        }
        if tickMilliseconds < 1 || tickMilliseconds > 1_000 { throw bad("timing.tick_ms must be in 1...1000") }
        if heartbeatTicks < 1 { throw bad("timing.heartbeat_ticks must be at least 1") }
        if electionTicks <= heartbeatTicks * 2 {
            throw bad("timing.election_ticks (\(electionTicks)) must exceed twice timing.heartbeat_ticks (\(heartbeatTicks))")
        }
        if stateStoreMilliseconds < 0 || stateStoreMilliseconds > 10_000 {
            throw bad("timing.state_store_ms (\(stateStoreMilliseconds)) must be in 0...10000")
        }
        if let wait = outcomeWaitMilliseconds, wait < tickMilliseconds {
            throw bad("timing.outcome_wait_ms (\(wait)) must be at least one tick (timing.tick_ms = \(tickMilliseconds))")
        }
        if maxFrameBytes < 1 << 16 { throw bad("log.max_frame_bytes must be at least 65536") }
        try scheduling.validate()
        try limits.validate()
        if let tls, tls.certificate == nil || tls.key == nil || tls.ca == nil {
            throw bad(
                "[tls] needs certificate, key and ca (the cluster's CA: Raft peers are mutually authenticated); "
                    + "make them with `corral certs init` and `corral certs issue`")
        }
    }

    /// The effective `outcomeWaitMilliseconds`: five of the longest election timeouts unless set.
    public var effectiveOutcomeWaitMilliseconds: Int {
        outcomeWaitMilliseconds ?? 5 * 2 * electionTicks * tickMilliseconds
    }

    /// Raft addresses of every known master but this one.
    /// Where other masters reach this one's Raft port: its own entry in `peers`, else
    /// `raftListen` unless that is a wildcard address.
    public var advertisedRaft: PeerAddress? {
        if let own = peers.first(where: { $0.id == nodeID }) { return own.raft }
        return ["0.0.0.0", "::", "[::]", ""].contains(raftListen.host) ? nil : raftListen
    }

    public var raftPeers: [UInt64: PeerAddress] {
        Dictionary(uniqueKeysWithValues: peers.filter { $0.id != nodeID }.map { ($0.id, $0.raft) })
    }
}
