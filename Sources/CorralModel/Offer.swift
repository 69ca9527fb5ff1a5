/// `Offer`: one agent's resources offered to one framework.
///
/// The JSON key of the ID is `id` (`mesos.proto`); the OFFERS example in
/// `docs/scheduler-http-api.md` writes `offer_id`, so that spelling is accepted on decode too.
public struct Offer: Codable, Hashable, Sendable {
    /// The offer's ID.
    public var id: OfferID
    /// The framework it is offered to.
    public var frameworkID: FrameworkID
    /// The agent whose resources these are.
    public var agentID: AgentID
    /// The agent's hostname.
    public var hostname: String
    /// The agent's URL.
    public var url: MesosURL?
    /// The agent's fault domain.
    public var domain: DomainInfo?
    /// The resources offered.
    @Repeated public var resources: [Resource]
    /// The agent's attributes.
    @Repeated public var attributes: [Attribute]
    /// Executors of this framework already running on the agent.
    @Repeated public var executorIDs: [ExecutorID]
    /// The role the offer is allocated to.
    public var allocationInfo: Resource.AllocationInfo?
    /// When the agent's machine is scheduled to be unavailable (maintenance), if it is.
    public var unavailability: Unavailability?

    enum CodingKeys: String, CodingKey {
        case id
        case frameworkID = "framework_id"
        case agentID = "agent_id"
        case hostname, url, domain, resources, attributes
        case executorIDs = "executor_ids"
        case allocationInfo = "allocation_info"
        case unavailability
        case legacyOfferID = "offer_id"
    }

    /// Makes an offer.
    public init(
        id: OfferID,
        frameworkID: FrameworkID,
        agentID: AgentID,
        hostname: String,
        resources: [Resource] = [],
        attributes: [Attribute] = [],
        executorIDs: [ExecutorID] = [],
        allocationInfo: Resource.AllocationInfo? = nil,
        url: MesosURL? = nil,
        domain: DomainInfo? = nil
    ) {
        self.id = id
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.hostname = hostname
        self.resources = resources
        self.attributes = attributes
        self.executorIDs = executorIDs
        self.allocationInfo = allocationInfo
        self.url = url
        self.domain = domain
    }

    /// Decodes an offer, accepting `offer_id` where `id` is missing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try container.decodeIfPresent(OfferID.self, forKey: .id) {
            self.id = id
        } else {
            id = try container.decode(OfferID.self, forKey: .legacyOfferID)
        }
        frameworkID = try container.decode(FrameworkID.self, forKey: .frameworkID)
        agentID = try container.decode(AgentID.self, forKey: .agentID)
        hostname = try container.decode(String.self, forKey: .hostname)
        url = try container.decodeIfPresent(MesosURL.self, forKey: .url)
        domain = try container.decodeIfPresent(DomainInfo.self, forKey: .domain)
        resources = try container.decodeIfPresent([Resource].self, forKey: .resources) ?? []
        attributes = try container.decodeIfPresent([Attribute].self, forKey: .attributes) ?? []
        executorIDs = try container.decodeIfPresent([ExecutorID].self, forKey: .executorIDs) ?? []
        allocationInfo = try container.decodeIfPresent(Resource.AllocationInfo.self, forKey: .allocationInfo)
        unavailability = try container.decodeIfPresent(Unavailability.self, forKey: .unavailability)
    }

    /// Encodes an offer with Mesos's key `id`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(frameworkID, forKey: .frameworkID)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(hostname, forKey: .hostname)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(domain, forKey: .domain)
        if !resources.isEmpty { try container.encode(resources, forKey: .resources) }
        if !attributes.isEmpty { try container.encode(attributes, forKey: .attributes) }
        if !executorIDs.isEmpty { try container.encode(executorIDs, forKey: .executorIDs) }
        try container.encodeIfPresent(allocationInfo, forKey: .allocationInfo)
        try container.encodeIfPresent(unavailability, forKey: .unavailability)
    }
}

/// Mesos `Unavailability`: `{"start": {"nanoseconds"}, "duration"?: {"nanoseconds"}}`, a
/// window from `start` (nanoseconds since the epoch) lasting `duration` (open-ended without).
public struct Unavailability: Codable, Hashable, Sendable {
    public var start: DurationInfo
    public var duration: DurationInfo?

    public init(start: DurationInfo, duration: DurationInfo? = nil) {
        self.start = start
        self.duration = duration
    }
}
