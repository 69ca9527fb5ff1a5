/// `Address`: where a process listens: `{"hostname"?, "ip"?, "port"}`.
public struct Address: Codable, Hashable, Sendable {
    /// The hostname.
    public var hostname: String?
    /// The IP address, as text.
    public var ip: String?
    /// The port.
    public var port: Int32

    /// Makes an address.
    public init(hostname: String? = nil, ip: String? = nil, port: Int32) {
        self.hostname = hostname
        self.ip = ip
        self.port = port
    }
}

/// `URL`: `{"scheme", "address", "path"?, "query"?, "fragment"?}`, e.g. an agent's URL in an offer.
public struct MesosURL: Codable, Hashable, Sendable {
    /// `http` or `https`.
    public var scheme: String
    /// The host and port.
    public var address: Address
    /// The path, e.g. `/slave(1)`.
    public var path: String?
    /// Query parameters.
    @Repeated public var query: [Parameter]
    /// The fragment.
    public var fragment: String?

    /// Makes a URL.
    public init(
        scheme: String,
        address: Address,
        path: String? = nil,
        query: [Parameter] = [],
        fragment: String? = nil
    ) {
        self.scheme = scheme
        self.address = address
        self.path = path
        self.query = query
        self.fragment = fragment
    }
}

/// `DomainInfo`: the fault domain (region and zone) of a master or agent.
public struct DomainInfo: Codable, Hashable, Sendable {
    /// The fault domain, when configured.
    public var faultDomain: FaultDomain?

    enum CodingKeys: String, CodingKey { case faultDomain = "fault_domain" }

    /// Makes domain info.
    public init(faultDomain: FaultDomain?) { self.faultDomain = faultDomain }

    /// Domain info for a region and zone.
    public init(region: String, zone: String) {
        faultDomain = FaultDomain(region: Name(name: region), zone: Name(name: zone))
    }

    /// `{"region": {"name"}, "zone": {"name"}}`.
    public struct FaultDomain: Codable, Hashable, Sendable {
        /// The region.
        public var region: Name
        /// The zone within the region.
        public var zone: Name
        /// Makes a fault domain.
        public init(region: Name, zone: Name) {
            self.region = region
            self.zone = zone
        }
    }

    /// `{"name"}`.
    public struct Name: Codable, Hashable, Sendable {
        /// The name.
        public var name: String
        /// Makes a name.
        public init(name: String) { self.name = name }
    }
}

/// `MasterInfo`: the leading master, as sent in SUBSCRIBED.
public struct MasterInfo: Codable, Hashable, Sendable {
    /// The master's ID.
    public var id: String
    /// The IPv4 address packed in network order, as Mesos still sends it.
    public var ip: UInt32
    /// The port (Mesos default 5050).
    public var port: UInt32
    /// The libprocess PID, e.g. `master@10.0.0.1:5050`.
    public var pid: String?
    /// The hostname.
    public var hostname: String?
    /// The version, e.g. `1.11.0`.
    public var version: String?
    /// The address.
    public var address: Address?
    /// The fault domain.
    public var domain: DomainInfo?
    /// Capabilities, e.g. `AGENT_UPDATE`.
    @Repeated public var capabilities: [Capability]

    /// Makes master info.
    public init(
        id: String,
        ip: UInt32 = 0,
        port: UInt32 = 5050,
        hostname: String? = nil,
        version: String? = nil,
        address: Address? = nil,
        capabilities: [Capability] = []
    ) {
        self.id = id
        self.ip = ip
        self.port = port
        self.hostname = hostname
        self.version = version
        self.address = address
        self.capabilities = capabilities
    }

    /// `{"type": "AGENT_UPDATE"}`; any type name is kept.
    public struct Capability: Codable, Hashable, Sendable {
        /// The capability's proto name.
        public var type: String?
        /// Makes a capability.
        public init(type: String?) { self.type = type }
    }
}
