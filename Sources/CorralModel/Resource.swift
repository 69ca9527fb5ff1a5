/// One resource of an agent, in Mesos's v1 JSON shape (`include/mesos/v1/mesos.proto`).
///
/// Decoding is faithful to the input: the deprecated `role` and `reservation` fields are kept
/// as written. `Resources` converts them to the `reservations` stack (Mesos's
/// "post-reservation-refinement" format) before it does arithmetic.
public struct Resource: Codable, Hashable, Sendable {
    /// The resource provider that contributes this resource, if not the agent itself.
    public var providerID: ResourceProviderID?
    /// `cpus`, `mem`, `disk`, `gpus`, `ports`, or a custom name.
    public var name: String
    /// Which payload is used.
    public var type: Value.ValueType
    /// The amount, for `SCALAR` resources.
    public var scalar: Scalar?
    /// The integers, for `RANGES` resources (ports).
    public var ranges: Ranges?
    /// The items, for `SET` resources.
    public var set: Value.ValueSet?
    /// Deprecated: the reserved role (`*` is unreserved). Use `reservations`.
    public var role: String?
    /// The role the resource is allocated to, in offers and tasks.
    public var allocationInfo: AllocationInfo?
    /// Deprecated: the dynamic reservation of the pre-refinement format.
    public var reservation: ReservationInfo?
    /// The stack of reservations, outermost (least refined) first.
    @Repeated public var reservations: [ReservationInfo]
    /// Disk details: persistent volume, mount or path source.
    @Boxed public var disk: DiskInfo?
    /// Set when the resource is revocable (may be taken back, e.g. oversubscribed).
    public var revocable: Marker?
    /// Set when the resource is shared between tasks (persistent volumes).
    public var shared: Marker?

    enum CodingKeys: String, CodingKey {
        case providerID = "provider_id"
        case name, type, scalar, ranges, set, role
        case allocationInfo = "allocation_info"
        case reservation, reservations, disk, revocable, shared
    }

    /// Makes a resource; set the payload that matches `type`.
    public init(
        name: String,
        type: Value.ValueType,
        scalar: Scalar? = nil,
        ranges: Ranges? = nil,
        set: Value.ValueSet? = nil,
        reservations: [ReservationInfo] = [],
        allocationInfo: AllocationInfo? = nil,
        disk: DiskInfo? = nil,
        providerID: ResourceProviderID? = nil,
        revocable: Marker? = nil,
        shared: Marker? = nil
    ) {
        self.name = name
        self.type = type
        self.scalar = scalar
        self.ranges = ranges
        self.set = set
        self.reservations = reservations
        self.allocationInfo = allocationInfo
        self.disk = disk
        self.providerID = providerID
        self.revocable = revocable
        self.shared = shared
    }

    /// A scalar resource, e.g. `.scalar("cpus", 0.5)`.
    public static func scalar(_ name: String, _ value: Scalar, role: String? = nil) -> Resource {
        Resource(name: name, type: .scalar, scalar: value, reservations: role.map { [.static($0)] } ?? [])
    }

    /// A ranges resource, e.g. `.ranges("ports", Ranges(31000...32000))`.
    public static func ranges(_ name: String, _ value: Ranges, role: String? = nil) -> Resource {
        Resource(name: name, type: .ranges, ranges: value, reservations: role.map { [.static($0)] } ?? [])
    }

    /// A set resource.
    public static func set(_ name: String, _ items: [String], role: String? = nil) -> Resource {
        Resource(
            name: name,
            type: .set,
            set: Value.ValueSet(items),
            reservations: role.map { [.static($0)] } ?? []
        )
    }

    // MARK: - Nested messages

    /// `{"role": "..."}`: the role a resource is allocated to.
    public struct AllocationInfo: Codable, Hashable, Sendable {
        /// The role.
        public var role: String?
        /// Makes allocation info.
        public init(role: String?) { self.role = role }
    }

    /// An empty proto message whose presence is the information (`{}`).
    public struct Marker: Codable, Hashable, Sendable {
        /// Makes the marker.
        public init() {}
    }
}
