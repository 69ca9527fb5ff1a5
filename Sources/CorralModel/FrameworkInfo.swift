/// `FrameworkInfo`: who a scheduler is, sent in SUBSCRIBE and kept by the master.
public struct FrameworkInfo: Codable, Hashable, Sendable {
    /// The OS user tasks run as by default.
    public var user: String
    /// The framework's name.
    public var name: String
    /// Set when re-subscribing after a fail-over.
    public var id: FrameworkID?
    /// How long the master waits for a disconnected scheduler before tearing it down.
    public var failoverTimeoutSeconds: Double?
    /// Whether agents checkpoint the framework's tasks.
    public var checkpoint: Bool?
    /// Deprecated single role; use `roles` with the MULTI_ROLE capability.
    public var role: String?
    /// The roles the framework subscribes as.
    @Repeated public var roles: [String]
    /// The scheduler's host.
    public var hostname: String?
    /// The principal it authenticates as.
    public var principal: String?
    /// Its web UI.
    public var webuiURL: String?
    /// What the framework can handle, e.g. `MULTI_ROLE`, `PARTITION_AWARE`.
    @Repeated public var capabilities: [Capability]
    /// Labels.
    public var labels: Labels?
    /// Per-role offer filters (`min_allocatable_resources`), kept as decoded.
    public var offerFilters: [String: OfferFilters]?

    enum CodingKeys: String, CodingKey {
        case user, name, id
        case failoverTimeoutSeconds = "failover_timeout"
        case checkpoint, role, roles, hostname, principal
        case webuiURL = "webui_url"
        case capabilities, labels
        case offerFilters = "offer_filters"
    }

    /// Makes framework info.
    public init(
        user: String,
        name: String,
        id: FrameworkID? = nil,
        failoverTimeoutSeconds: Double? = nil,
        checkpoint: Bool? = nil,
        roles: [String] = [],
        hostname: String? = nil,
        principal: String? = nil,
        capabilities: [Capability] = [],
        labels: Labels? = nil
    ) {
        self.user = user
        self.name = name
        self.id = id
        self.failoverTimeoutSeconds = failoverTimeoutSeconds
        self.checkpoint = checkpoint
        self.roles = roles
        self.hostname = hostname
        self.principal = principal
        self.capabilities = capabilities
        self.labels = labels
    }

    /// Whether it takes revocable resources (the REVOCABLE_RESOURCES capability).
    public var takesRevocable: Bool { capabilities.contains { $0.type == .revocableResources } }

    /// The roles in effect: `roles` with MULTI_ROLE, else the single `role` (default `*`).
    public var effectiveRoles: [String] {
        if capabilities.contains(Capability(.multiRole)) { return roles }
        return [role ?? "*"]
    }

    /// `{"type": "MULTI_ROLE"}`.
    public struct Capability: Codable, Hashable, Sendable {
        /// The capability.
        public var type: Kind?
        /// Makes a capability.
        public init(_ type: Kind?) { self.type = type }

        /// `FrameworkInfo.Capability.Type`.
        public struct Kind: OpenEnum {
            /// The proto name.
            public let rawValue: String
            /// Wraps a proto name.
            public init(rawValue: String) { self.rawValue = rawValue }
            /// Unset.
            public static let unknown: Kind = "UNKNOWN"
            /// Accepts revocable resources.
            public static let revocableResources: Kind = "REVOCABLE_RESOURCES"
            /// Understands TASK_KILLING.
            public static let taskKillingState: Kind = "TASK_KILLING_STATE"
            /// Accepts GPU agents.
            public static let gpuResources: Kind = "GPU_RESOURCES"
            /// Accepts shared resources.
            public static let sharedResources: Kind = "SHARED_RESOURCES"
            /// Understands TASK_UNREACHABLE and TASK_GONE.
            public static let partitionAware: Kind = "PARTITION_AWARE"
            /// Subscribes with `roles`.
            public static let multiRole: Kind = "MULTI_ROLE"
            /// Understands reservation stacks.
            public static let reservationRefinement: Kind = "RESERVATION_REFINEMENT"
            /// Accepts offers from other regions.
            public static let regionAware: Kind = "REGION_AWARE"
            /// Every name this build knows.
            public static let known: [Kind] = [
                .unknown, .revocableResources, .taskKillingState, .gpuResources, .sharedResources,
                .partitionAware, .multiRole, .reservationRefinement, .regionAware,
            ]
        }
    }

    /// `OfferFilters`: `{"min_allocatable_resources": {"quantities": [{"quantities": {name: Scalar}}]}}`.
    public struct OfferFilters: Codable, Hashable, Sendable {
        /// The smallest bundles worth offering.
        public var minAllocatableResources: MinAllocatableResources?

        enum CodingKeys: String, CodingKey { case minAllocatableResources = "min_allocatable_resources" }

        /// Makes offer filters.
        public init(minAllocatableResources: MinAllocatableResources?) {
            self.minAllocatableResources = minAllocatableResources
        }

        /// A list of alternative bundles.
        public struct MinAllocatableResources: Codable, Hashable, Sendable {
            /// The bundles.
            @Repeated public var quantities: [ResourceQuantities]
            /// Makes the list.
            public init(quantities: [ResourceQuantities]) { self.quantities = quantities }
        }

        /// One bundle: a quantity per resource name.
        public struct ResourceQuantities: Codable, Hashable, Sendable {
            /// Quantities by resource name.
            public var quantities: [String: Scalar]?
            /// Makes a bundle.
            public init(quantities: [String: Scalar]) { self.quantities = quantities }
        }
    }
}
