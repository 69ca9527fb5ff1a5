extension Resource {
    /// One reservation in a resource's stack: `{"type", "role", "principal", "labels"}`.
    public struct ReservationInfo: Codable, Hashable, Sendable {
        /// `STATIC` (from the agent's flags) or `DYNAMIC` (made by a RESERVE operation).
        public var type: Kind?
        /// The role the resource is reserved for.
        public var role: String?
        /// Who made a dynamic reservation.
        public var principal: String?
        /// Labels of a dynamic reservation.
        public var labels: Labels?

        /// Makes a reservation.
        public init(type: Kind?, role: String?, principal: String? = nil, labels: Labels? = nil) {
            self.type = type
            self.role = role
            self.principal = principal
            self.labels = labels
        }

        /// A static reservation for a role.
        public static func `static`(_ role: String) -> ReservationInfo {
            ReservationInfo(type: .static, role: role)
        }

        /// A dynamic reservation for a role.
        public static func dynamic(_ role: String, principal: String? = nil) -> ReservationInfo {
            ReservationInfo(type: .dynamic, role: role, principal: principal)
        }

        /// `ReservationInfo.Type`.
        public struct Kind: OpenEnum {
            /// The proto name.
            public let rawValue: String
            /// Wraps a proto name.
            public init(rawValue: String) { self.rawValue = rawValue }
            /// Unset.
            public static let unknown: Kind = "UNKNOWN"
            /// Made by the agent's `--resources` flag.
            public static let `static`: Kind = "STATIC"
            /// Made by a RESERVE operation.
            public static let dynamic: Kind = "DYNAMIC"
            /// Every name this build knows.
            public static let known: [Kind] = [.unknown, .static, .dynamic]
        }
    }
}

extension Resource {
    /// The same resource in the "post-reservation-refinement" format: the deprecated
    /// `role` and `reservation` moved into `reservations` (Mesos `convertResourceFormat`,
    /// `src/common/resources_utils.cpp`). Role `*` or no role is unreserved.
    public var refined: Resource {
        guard role != nil || reservation != nil else { return self }
        var copy = self
        copy.role = nil
        copy.reservation = nil
        guard reservations.isEmpty, let role, role != "*" else { return copy }
        if var dynamic = reservation {
            dynamic.type = .dynamic
            dynamic.role = role
            copy.reservations = [dynamic]
        } else {
            copy.reservations = [.static(role)]
        }
        return copy
    }

    /// Whether the resource carries no reservation (it is for any role).
    public var isUnreserved: Bool { refined.reservations.isEmpty }

    /// The role of the innermost reservation, or `nil` when unreserved.
    public var reservationRole: String? { refined.reservations.last?.role }

    /// Whether the resource is a persistent volume.
    public var isPersistentVolume: Bool { disk?.persistence != nil }
}

extension Resource {
    /// The resource as it was before its innermost reservation, when that one is dynamic
    /// (what a RESERVE takes it from and an UNRESERVE gives it back as); nil otherwise.
    public var beforeDynamicReservation: Resource? {
        var copy = refined
        guard copy.reservations.last?.type == .dynamic else { return nil }
        copy.reservations.removeLast()
        return copy
    }
}

extension Resources {
    /// The same resources with every dynamic reservation taken off their stacks: what an
    /// agent counts against what it has, since dynamic reservations are the master's books.
    public var withoutDynamicReservations: Resources {
        Resources(
            map { resource in
                var copy = resource.refined
                copy.reservations.removeAll { $0.type == .dynamic }
                return copy
            }
        )
    }
}
