import CorralContainer
import CorralModel
import CorralSecurity
import CorralScheduler
import CorralSecurity

/// Everything `corral agent` needs to start: the masters, where it keeps its state, what it
/// offers, who it says it is, where it listens, and its timing. Built from `AgentSettings`
/// (flags over a TOML file, `AgentConfig+Settings.swift`) with the machine's own resources
/// filling the gaps, and checked by `validate()`.
public struct AgentConfig: Sendable, Hashable {
    /// The agent's timeouts and backoff towards the masters.
    public struct Timing: Sendable, Hashable {
        /// How long opening a connection to a master may take (`timing.connect_timeout_ms`).
        public var connectTimeoutMilliseconds: Int
        /// How long a call may wait for its answer (`timing.request_timeout_ms`); an UPDATE
        /// is answered once committed, so this covers a commit during an election.
        public var requestTimeoutMilliseconds: Int
        /// A master stream silent this long is closed and the agent subscribes again
        /// (`timing.master_silence_seconds`; 0 for never). The leader sends HEARTBEAT every
        /// `scheduling.heartbeat_interval_seconds` (15 by default).
        public var masterSilenceSeconds: Double
        /// The first wait after a failed SUBSCRIBE (`timing.registration_backoff_ms`); it
        /// doubles, jittered, per failure.
        public var registrationBackoffMilliseconds: Int
        /// The longest wait between SUBSCRIBE attempts (`timing.registration_backoff_max_ms`).
        public var registrationBackoffMaximumMilliseconds: Int
        /// How often the agent measures the persistent volumes its tasks use and fails a task
        /// whose volume outgrew its size (`timing.disk_watch_interval_seconds`; 0 for never;
        /// Mesos's `--container_disk_watch_interval`, 15 s).
        public var diskWatchIntervalSeconds: Double = 15

        /// The defaults: 2 s to connect, 15 s per call, 45 s of silence, backoff 50 ms to 1 s.
        public init(
            connectTimeoutMilliseconds: Int = 2_000,
            requestTimeoutMilliseconds: Int = 15_000,
            masterSilenceSeconds: Double = 45,
            registrationBackoffMilliseconds: Int = 50,
            registrationBackoffMaximumMilliseconds: Int = 1_000
        ) {
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
            self.masterSilenceSeconds = masterSilenceSeconds
            self.registrationBackoffMilliseconds = registrationBackoffMilliseconds
            self.registrationBackoffMaximumMilliseconds = registrationBackoffMaximumMilliseconds
        }
    }

    /// Any masters of the quorum; the agent finds the leader through them (`masters`).
    public var masters: [MasterAddress]
    /// Where the agent keeps its checkpoints and sandboxes (`work_dir`), absolute.
    public var workDirectory: String
    /// Where the agent keeps its containers' runtime state (`runtime_dir`), absolute: records,
    /// overlay directories and mount points. The agent mounts a tmpfs there when it is not on
    /// one already, as runc keeps its state in `/run/runc` and Mesos in `--runtime_dir`.
    public var runtimeDirectory: String
    /// Everything the agent offers: the given resources plus detected `cpus`, `mem`, `disk`
    /// and `ports` for the names not given.
    public var resources: [Resource]
    /// The agent's attributes (`attributes`).
    public var attributes: [Attribute]
    /// The name the agent registers under (`hostname`; default the machine's).
    public var hostname: String
    /// Where the agent's HTTP server listens (`http_listen`; default `0.0.0.0:5051`).
    public var httpListen: ListenAddress
    /// Timeouts and backoff (`[timing]`).
    public var timing: Timing
    /// The agent's certificate and key, and the CA it trusts for the masters (`[tls]`,
    /// `--tls-cert`, `--tls-key`, `--tls-ca`): with them the agent serves HTTPS and reaches
    /// the masters over HTTPS. nil: plain HTTP both ways.
    public var tls: TLSFiles?
    /// What the agent authenticates to the masters with (`--principal` and `--secret-file`,
    /// or `--token-file`); nil: nothing, for masters without authentication.
    public var credentials: ClientCredentials?
    /// Who may call the agent's own HTTP API (`--credentials`, `--jwt-…`); empty: everyone.
    public var authentication = HTTPAuthenticator.Settings()
    /// The agent's ACLs file (`--acls`): `access_sandboxes`, `view_agents`, `get_endpoints`.
    public var aclsFile: String?

    /// Makes a configuration from parts already parsed; `validate()` checks it.
    public init(
        masters: [MasterAddress],
        workDirectory: String,
        runtimeDirectory: String? = nil,
        resources: [Resource],
        attributes: [Attribute] = [],
        hostname: String,
        httpListen: ListenAddress = .default,
        timing: Timing = Timing()
    ) {
        self.masters = masters
        self.workDirectory = workDirectory
        self.runtimeDirectory = runtimeDirectory ?? RuntimeDirectory.defaultPath(workDirectory: workDirectory)
        self.resources = resources
        self.attributes = attributes
        self.hostname = hostname
        self.httpListen = httpListen
        self.timing = timing
    }

    /// Checks the settings; the error names the field and what is wrong with it.
    public func validate() throws(AgentConfigError) {
        if masters.isEmpty {
            throw AgentConfigError(field: "masters", "no master is given; list them as --masters HOST:PORT,HOST:PORT")
        }
        if workDirectory.isEmpty {
            throw AgentConfigError(field: "work_dir", "is not set; give --work-dir DIR (or work_dir in the config file)")
        }
        if !runtimeDirectory.hasPrefix("/") {
            throw AgentConfigError(field: "runtime_dir", "\"\(runtimeDirectory)\" is not an absolute path")
        }
        if hostname.isEmpty || hostname.contains(where: \.isWhitespace) {
            throw AgentConfigError(field: "hostname", "\"\(hostname)\" is not a host name")
        }
        for resource in resources { try ResourceText.check(resource) }
        for name in ["cpus", "mem"] {
            let total = resources.filter { $0.name == name }.reduce(Scalar.zero) { $0 + ($1.scalar ?? .zero) }
            if total <= .zero {
                throw AgentConfigError(field: "resources", "\(name) is \(total); an agent needs more than 0 \(name) to run a task")
            }
        }
        try timing.validate()
    }

    /// What the agent registers with: hostname, port, resources and attributes, without an ID
    /// (the master assigns one; set `id` when re-registering). `port` is the port the HTTP
    /// server really listens on, which differs from `httpListen.port` when that is 0.
    public func agentInfo(port: Int? = nil) -> AgentInfo {
        AgentInfo(
            hostname: hostname, port: Int32(port ?? httpListen.port), resources: resources, attributes: attributes)
    }
}

extension AgentConfig.Timing {
    /// Checks the timing; the error names the `timing.` key.
    public func validate() throws(AgentConfigError) {
        func bad(_ key: String, _ message: String) -> AgentConfigError {
            AgentConfigError(field: "timing.\(key)", message)
        }
        if connectTimeoutMilliseconds < 1 { throw bad("connect_timeout_ms", "must be at least 1") }
        if requestTimeoutMilliseconds < 1 { throw bad("request_timeout_ms", "must be at least 1") }
        if !masterSilenceSeconds.isFinite || masterSilenceSeconds < 0 {
            throw bad("master_silence_seconds", "must be 0 (never) or more")
        }
        if registrationBackoffMilliseconds < 1 { throw bad("registration_backoff_ms", "must be at least 1") }
        if !diskWatchIntervalSeconds.isFinite || diskWatchIntervalSeconds < 0 {
            throw bad("disk_watch_interval_seconds", "must be 0 (never) or more")
        }
        if registrationBackoffMaximumMilliseconds < registrationBackoffMilliseconds {
            throw bad(
                "registration_backoff_max_ms",
                "(\(registrationBackoffMaximumMilliseconds)) must be at least timing.registration_backoff_ms (\(registrationBackoffMilliseconds))")
        }
    }
}
