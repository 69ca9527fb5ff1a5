// MARK: - Quantities and filters over `Resources`

extension Resources {
    /// The resources that satisfy a predicate.
    public func filter(_ isIncluded: (Resource) -> Bool) -> Resources {
        var result = Resources()
        result.elements = elements.filter(isIncluded)
        return result
    }

    /// The total of the scalar resources with a name, across roles; `nil` when there are none.
    public func scalar(named name: String) -> Scalar? {
        var total: Scalar?
        for resource in elements where resource.name == name && resource.type == .scalar {
            total = (total ?? .zero) + (resource.scalar ?? .zero)
        }
        return total
    }

    /// Total CPUs.
    public var cpus: Double? { scalar(named: "cpus")?.value }
    /// Total memory in MB.
    public var memMegabytes: Double? { scalar(named: "mem")?.value }
    /// Total disk in MB.
    public var diskMegabytes: Double? { scalar(named: "disk")?.value }
    /// Total GPUs.
    public var gpus: Double? { scalar(named: "gpus")?.value }

    /// The union of the ranges resources with a name, across roles; `nil` when there are none.
    public func ranges(named name: String) -> Ranges? {
        let found = elements.filter { $0.name == name && $0.type == .ranges }
        guard !found.isEmpty else { return nil }
        return found.reduce(Ranges()) { $0 + ($1.ranges ?? Ranges()) }
    }

    /// All ports, merged.
    public var ports: Ranges? { ranges(named: "ports") }

    /// The names present.
    public var names: Set<String> { Set(elements.map(\.name)) }

    /// The resources without any reservation.
    public var unreserved: Resources { filter(\.isUnreserved) }

    /// The reserved resources: for `role`, or for any role when `role` is `nil`.
    public func reserved(_ role: String? = nil) -> Resources {
        filter { !$0.isUnreserved && (role == nil || $0.reservationRole == role) }
    }

    /// The resources allocated to a role (their `allocation_info.role`).
    public func allocatedTo(_ role: String) -> Resources {
        filter { $0.allocationInfo?.role == role }
    }

    /// The same resources allocated to a role, as the master marks what it offers.
    public func allocated(to role: String) -> Resources {
        Resources(
            elements.map { resource in
                var copy = resource
                copy.allocationInfo = Resource.AllocationInfo(role: role)
                return copy
            }
        )
    }

    /// The same resources with every reservation removed (Mesos `toUnreserved`).
    public var toUnreserved: Resources {
        Resources(
            elements.map { resource in
                var copy = resource
                copy.reservations = []
                return copy
            }
        )
    }

    /// The same resources without their `allocation_info`: what an agent has, reservations
    /// kept, for arithmetic across offers, tasks and an agent's total.
    public var unallocated: Resources {
        Resources(
            elements.map { resource in
                var copy = resource
                copy.allocationInfo = nil
                return copy
            }
        )
    }

    /// Only the quantities: reservations and allocation removed and everything of one
    /// name merged, for comparing amounts regardless of who may use them.
    public var flattened: Resources {
        Resources(
            elements.map { resource in
                var copy = resource
                copy.reservations = []
                copy.allocationInfo = nil
                return copy
            }
        )
    }
}

extension Resource {
    /// The resource without `allocation_info`, its reservations in the refined form: as the
    /// registry keeps it (one resource of `Resources.unallocated`, refined).
    public var unallocatedRefined: Resource {
        var copy = self
        copy.allocationInfo = nil
        return copy.refined
    }
}
