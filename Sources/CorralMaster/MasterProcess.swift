import CorralRaft
import Foundation
import CorralReplication
import CorralSecurity
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// One running master: Raft over the network, the replicated state in LMDB, and the HTTP
/// endpoint for status, operators and clients.
public final class MasterProcess: Sendable {
    public let config: MasterConfig
    public let server: RaftServer
    public let machine: MasterStateMachine
    let leader: MasterLeader
    public let directory: MemberDirectory
    let transport: PeerTransport
    /// The TLS files of `config.tls`, loaded (and reloaded when they change); nil: plain TCP.
    public let tls: TLSIdentity?
    let logger: Logger
    /// The logging level operators change (`SET_LOGGING_LEVEL`, `/logging/toggle`).
    public let logLevels: LogLevelControl
    /// This master's own metrics (one registry per master, so masters sharing a process keep
    /// apart); nil with `metricsEnabled` off.
    let metrics: MasterMetrics?
    /// When this process's master started, for `master/uptime_secs`.
    let started = ContinuousClock.now
    /// Checks every HTTP call's credentials; nil: authentication is off.
    let authenticator: HTTPAuthenticator?
    /// Who may do what; nil: no ACLs, everything an authenticated caller asks is allowed.
    let acls: ACLs?

    public init(config: MasterConfig, logger: Logger) throws(MasterError) {
        try config.validate()
        let breaks = try DeliberateBreak.parse(ProcessInfo.processInfo.environment)
        self.config = config
        do {
            authenticator = try HTTPAuthenticator(settings: config.authentication)
            acls = try config.aclsFile.map { path throws(AuthError) in try ACLs.load(path: path) }
        } catch {
            throw MasterError(code: .badConfig, message: "\(error)")
        }
        let logLevels = LogLevelControl(configured: logger.logLevel)
        self.logLevels = logLevels
        var logger = logLevels.wrap(logger)
        logger[metadataKey: "node"] = "\(config.nodeID)"
        // Every line names the node and the term it is in (the Raft server keeps the gauge).
        let termGauge = TermGauge()
        logger.handler.metadataProvider = Logger.MetadataProvider { ["term": "\(termGauge.term)"] }
        self.logger = logger
        let metrics = config.metricsEnabled ? MasterMetrics() : nil
        self.metrics = metrics
        if !breaks.isEmpty {
            logger.critical(
                "this master is DELIBERATELY BROKEN, for testing the chaos checkers; never use it for real",
                metadata: ["breaks": "\(breaks.map(\.rawValue).sorted())", "variable": "\(DeliberateBreak.variable)"])
        }
        let data = try MasterDataDirectory.open(config: config)
        if data.bootstrapIgnored {
            logger.notice("--bootstrap ignored: the data directory is already initialized", metadata: ["data_dir": "\(config.dataDirectory)"])
        }
        let tls = try Self.loadTLS(config.tls)
        self.tls = tls
        let transport = PeerTransport(
            group: MultiThreadedEventLoopGroup.singleton,
            hello: Hello(clusterID: config.clusterID, nodeID: config.nodeID, address: config.advertisedRaft),
            options: TransportOptions(maxFrameBytes: config.maxFrameBytes, tls: tls),
            logger: logger,
            encode: { $0.encoded() }
        )
        self.transport = transport
        let selfID = config.nodeID
        let directory = MemberDirectory(initial: config.peers) { members in
            transport.setPeers(members.filter { $0.key != selfID }.mapValues(\.raft))
        }
        self.directory = directory
        transport.setPeers(config.raftPeers)
        do {
            machine = try MasterStateMachine(
                environment: data.stateEnvironment, storeInterval: .milliseconds(config.stateStoreMilliseconds)
            ) { key, value in
                directory.observe(key: key, value: value)
            }
            for (key, value) in try machine.entries(withPrefix: MemberDirectory.keyPrefix) {
                directory.observe(key: key, value: value)
            }
            var raftConfig = RaftConfig(
                id: config.nodeID, electionTimeoutTicks: config.electionTicks, heartbeatTicks: config.heartbeatTicks)
            raftConfig.maxMessageBytes = min(raftConfig.maxMessageBytes, config.maxFrameBytes / 2)
            raftConfig.snapshotChunkBytes = min(raftConfig.snapshotChunkBytes, config.maxFrameBytes / 2)
            server = try RaftServer(
                config: raftConfig,
                storage: data.storage,
                machine: machine,
                transport: transport,
                peers: config.raftPeers,
                options: RaftServerOptions(
                    tickInterval: .milliseconds(config.tickMilliseconds),
                    snapshotEveryEntries: config.snapshotEveryEntries,
                    trailingEntries: config.trailingEntries,
                    outcomeWait: .milliseconds(config.effectiveOutcomeWaitMilliseconds),
                    maxFrameBytes: config.maxFrameBytes),
                termGauge: termGauge,
                metrics: metrics?.raft,
                logger: logger
            )
            leader = MasterLeader(config: config, machine: machine, server: server, logger: logger, metrics: metrics, acls: acls)
        } catch {
            throw MasterError(code: .startup, message: "cannot start master \(config.nodeID)", underlying: error)
        }
    }

    /// Loads the TLS files and makes the server and client contexts once, so that a key that
    /// does not match its certificate stops the master at startup, not at its first connection.
    static func loadTLS(_ files: TLSFiles?) throws(MasterError) -> TLSIdentity? {
        guard let files else { return nil }
        do {
            let identity = try TLSIdentity(files: files)
            _ = try identity.serverContext(requireClientCertificate: true)
            _ = try identity.clientContext()
            return identity
        } catch {
            throw MasterError(
                code: .startup, message: "cannot serve TLS (Raft and HTTPS): check the TLS files ([tls] or --tls-cert/--tls-key/--tls-ca): \(error)")
        }
    }

    /// Runs until SIGTERM or SIGINT (or until the task is cancelled). `onListening` is called
    /// with the bound Raft and HTTP ports.
    public func run(onListening: @escaping @Sendable (_ raftPort: Int, _ httpPort: Int) -> Void = { _, _ in }) async throws {
        let server = self.server
        let endpoint = MasterHTTP(master: self)
        let raftPort = try await transport.listen(
            host: config.raftListen.host,
            port: config.raftListen.port,
            onRaft: { message in server.deliver(message) },
            onClient: { [self] frame, channel in
                guard let request = try? ClientRequest(decoding: frame.payload) else {
                    self.logger.warning("closing a client connection: malformed request frame")
                    channel.close(promise: nil)
                    return
                }
                channel.eventLoop.makeFutureWithTask { await self.serve(request) }.whenSuccess { response in
                    channel.writeAndFlush(Frame(kind: .client, payload: response.encoded), promise: nil)
                }
            }
        )
        let http = try endpoint.application { httpPort in
            onListening(raftPort, httpPort)
        }
        logger.info(
            "master started",
            metadata: [
                "cluster": "\(config.clusterID)", "raft": "\(config.raftListen.host):\(raftPort)", "http": "\(config.httpListen)",
                "raft_tls": "\(tls == nil ? "off" : "mutual")",
            ])
        let group = ServiceGroup(
            configuration: .init(
                services: [RaftService(server: server), http, LeaderService(leader: leader)],
                // Shut down in reverse: the leader first closes the scheduler and agent streams,
                // so the HTTP server can drain; Raft stops last.
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        await transport.shutdown()
    }
}

/// Runs the Raft node as a service of the master's service group.
struct RaftService: Service {
    let server: RaftServer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await server.run()
        }
    }
}

/// Runs the leader's duties (idle while following) as a service of the master's group.
struct LeaderService: Service {
    let leader: MasterLeader

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await leader.run()
        }
    }
}
