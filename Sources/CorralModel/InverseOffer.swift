/// `InverseOffer`: the master asks a framework to give back what it uses on an agent by a
/// time (maintenance). Empty `resources` means everything on the agent.
public struct InverseOffer: Codable, Hashable, Sendable {
    /// The inverse offer's ID (an offer ID, as Mesos has it).
    public var id: OfferID
    /// The agent's URL.
    public var url: MesosURL?
    /// The framework asked.
    public var frameworkID: FrameworkID
    /// The agent to leave.
    public var agentID: AgentID?
    /// When the agent's machine becomes unavailable, and for how long.
    public var unavailability: Unavailability
    /// What is asked back; empty: all of it.
    @Repeated public var resources: [Resource]

    enum CodingKeys: String, CodingKey {
        case id, url
        case frameworkID = "framework_id"
        case agentID = "agent_id"
        case unavailability, resources
    }

    /// Makes an inverse offer for everything on `agentID`.
    public init(id: OfferID, frameworkID: FrameworkID, agentID: AgentID?, unavailability: Unavailability, resources: [Resource] = []) {
        self.id = id
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.unavailability = unavailability
        self.resources = resources
    }
}

/// `InverseOfferStatus`: a framework's last answer to the inverse offers for a machine, as
/// GET_MAINTENANCE_STATUS reports it.
public struct InverseOfferStatus: Codable, Hashable, Sendable {
    /// UNKNOWN (asked, no answer yet), ACCEPT or DECLINE.
    public var status: Kind
    /// The framework.
    public var frameworkID: FrameworkID
    /// When it answered (or was asked), since the epoch.
    public var timestamp: DurationInfo

    enum CodingKeys: String, CodingKey {
        case status
        case frameworkID = "framework_id"
        case timestamp
    }

    /// Makes a status.
    public init(status: Kind, frameworkID: FrameworkID, timestamp: DurationInfo) {
        self.status = status
        self.frameworkID = frameworkID
        self.timestamp = timestamp
    }

    /// `InverseOfferStatus.Status`.
    public struct Kind: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Asked, no answer yet.
        public static let unknown: Kind = "UNKNOWN"
        /// It will leave in time.
        public static let accept: Kind = "ACCEPT"
        /// It will not.
        public static let decline: Kind = "DECLINE"
        /// Every name this build knows.
        public static let known: [Kind] = [.unknown, .accept, .decline]
    }
}
