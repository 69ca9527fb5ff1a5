/// `DurationInfo` / `TimeInfo`: `{"nanoseconds": Int64}`.
public struct DurationInfo: Codable, Hashable, Sendable {
    /// The duration (or time since the epoch) in nanoseconds.
    public var nanoseconds: Int64
    /// Makes a duration.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    enum CodingKeys: String, CodingKey { case nanoseconds }

    /// Decodes `{"nanoseconds"}`; a number written as a string is accepted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        nanoseconds = try container.decodeInteger(Int64.self, forKey: .nanoseconds)
    }
    /// A whole number of seconds.
    public static func seconds(_ seconds: Int64) -> DurationInfo {
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return DurationInfo(nanoseconds: overflow ? (seconds < 0 ? .min : .max) : nanoseconds)
    }
}

/// `KillPolicy`: `{"grace_period": {"nanoseconds"}}`, how long between SIGTERM and SIGKILL.
public struct KillPolicy: Codable, Hashable, Sendable {
    /// The grace period.
    public var gracePeriod: DurationInfo?
    enum CodingKeys: String, CodingKey { case gracePeriod = "grace_period" }
    /// Makes a kill policy.
    public init(gracePeriod: DurationInfo?) { self.gracePeriod = gracePeriod }
}

/// `HealthCheck`, minimal: timings and type; a COMMAND check's command, HTTP and TCP ports.
public struct HealthCheck: Codable, Hashable, Sendable {
    /// Seconds before the first check (Mesos default 15).
    public var delaySeconds: Double?
    /// Seconds between checks (default 10).
    public var intervalSeconds: Double?
    /// Seconds a check may take (default 20).
    public var timeoutSeconds: Double?
    /// Failures in a row that kill the task (default 3).
    public var consecutiveFailures: UInt32?
    /// Seconds after start when failures do not count (default 10).
    public var gracePeriodSeconds: Double?
    /// `COMMAND`, `HTTP` or `TCP`.
    public var type: String?
    /// The command of a COMMAND check.
    public var command: CommandInfo?
    /// `{"port", "path"?, "scheme"?}` of an HTTP check.
    public var http: Endpoint?
    /// `{"port"}` of a TCP check.
    public var tcp: Endpoint?

    enum CodingKeys: String, CodingKey {
        case delaySeconds = "delay_seconds"
        case intervalSeconds = "interval_seconds"
        case timeoutSeconds = "timeout_seconds"
        case consecutiveFailures = "consecutive_failures"
        case gracePeriodSeconds = "grace_period_seconds"
        case type, command, http, tcp
    }

    /// Makes a health check.
    public init(type: String?, command: CommandInfo? = nil, http: Endpoint? = nil, tcp: Endpoint? = nil) {
        self.type = type
        self.command = command
        self.http = http
        self.tcp = tcp
    }

    /// `{"port", "path"?, "scheme"?}`.
    public struct Endpoint: Codable, Hashable, Sendable {
        /// The port.
        public var port: UInt32
        /// The HTTP path.
        public var path: String?
        /// `http` or `https`.
        public var scheme: String?
        /// Makes an endpoint.
        public init(port: UInt32, path: String? = nil, scheme: String? = nil) {
            self.port = port
            self.path = path
            self.scheme = scheme
        }
    }
}

/// `DiscoveryInfo`, minimal: how service discovery sees a task.
public struct DiscoveryInfo: Codable, Hashable, Sendable {
    /// `FRAMEWORK`, `CLUSTER` or `EXTERNAL`.
    public var visibility: String
    /// The service name.
    public var name: String?
    /// `prod`, `staging`, ….
    public var environment: String?
    /// Where it runs.
    public var location: String?
    /// The version.
    public var version: String?
    /// `{"ports": [{"number", "name"?, "protocol"?}]}`.
    public var ports: Ports?
    /// Labels.
    public var labels: Labels?

    /// Makes discovery info.
    public init(visibility: String, name: String? = nil, ports: Ports? = nil) {
        self.visibility = visibility
        self.name = name
        self.ports = ports
    }

    /// `{"ports": [...]}`.
    public struct Ports: Codable, Hashable, Sendable {
        /// The ports.
        @Repeated public var ports: [Port]
        /// Makes a port list.
        public init(ports: [Port]) { self.ports = ports }
    }

    /// `{"number", "name"?, "protocol"?}`.
    public struct Port: Codable, Hashable, Sendable {
        /// The port number.
        public var number: UInt32
        /// Its name.
        public var name: String?
        /// `tcp` or `udp`.
        public var `protocol`: String?
        /// Makes a port.
        public init(number: UInt32, name: String? = nil, protocol: String? = nil) {
            self.number = number
            self.name = name
            self.protocol = `protocol`
        }
    }
}
