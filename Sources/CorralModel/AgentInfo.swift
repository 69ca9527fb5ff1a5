/// `AgentInfo`: an agent's registration: where it is and what it has.
public struct AgentInfo: Codable, Hashable, Sendable {
    /// The agent's hostname.
    public var hostname: String
    /// The agent's port (Mesos default 5051).
    public var port: Int32?
    /// Its total resources.
    @Repeated public var resources: [Resource]
    /// Its attributes.
    @Repeated public var attributes: [Attribute]
    /// Assigned by the master at first registration.
    public var id: AgentID?
    /// Its fault domain.
    public var domain: DomainInfo?

    /// Makes agent info.
    public init(
        hostname: String,
        port: Int32? = nil,
        resources: [Resource] = [],
        attributes: [Attribute] = [],
        id: AgentID? = nil,
        domain: DomainInfo? = nil
    ) {
        self.hostname = hostname
        self.port = port
        self.resources = resources
        self.attributes = attributes
        self.id = id
        self.domain = domain
    }

    /// The port in effect (5051 when unset, as in Mesos).
    public var effectivePort: Int32 { port ?? 5051 }
}
