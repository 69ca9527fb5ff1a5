// The per-resource rules behind `Resources`: which two resources Mesos combines
// (`addable` / `subtractable` in `src/v1/resources.cpp`) and how their amounts combine.

extension Resource {
    /// Whether the amount is zero: a zero scalar, no ranges, no items. Other types are
    /// never empty.
    var isEmptyAmount: Bool {
        switch type {
        case .scalar: return (scalar ?? .zero) == .zero
        case .ranges: return (ranges ?? Ranges()).isEmpty
        case .set: return (set?.item ?? []).isEmpty
        default: return false
        }
    }

    /// Whether the type has amounts to add and subtract (scalar, ranges, set). A resource
    /// of a type this build does not know is kept whole: equal copies are counted, not merged.
    var hasArithmetic: Bool { type == .scalar || type == .ranges || type == .set }

    /// What must match for two resources to be one: everything but the amount.
    private func sameKind(as other: Resource) -> Bool {
        name == other.name && type == other.type && allocationInfo == other.allocationInfo
            && reservations == other.reservations && disk == other.disk
            && (revocable == nil) == (other.revocable == nil) && providerID == other.providerID
            && hasArithmetic
    }

    /// Mesos `addable`: same kind, not shared, and not an exclusive disk or a volume.
    func isAddable(with other: Resource) -> Bool {
        guard shared == nil, other.shared == nil, sameKind(as: other) else { return false }
        if let disk {
            if disk.persistence != nil { return false }
            switch disk.source?.type {
            case .some(.mount), .some(.block): return false
            case .some(.raw): return disk.source?.id == nil
            default: break
            }
        }
        return true
    }

    /// Mesos `subtractable`: same kind; shared resources, exclusive disks, identified raw
    /// disks and volumes only when equal.
    func isSubtractable(by other: Resource) -> Bool {
        guard (shared == nil) == (other.shared == nil) else { return false }
        if shared != nil || !hasArithmetic { return self == other }
        guard sameKind(as: other) else { return false }
        if let disk {
            if disk.persistence != nil && self != other { return false }
            switch disk.source?.type {
            case .some(.mount), .some(.block): return self == other
            case .some(.raw): return disk.source?.id == nil || self == other
            default: break
            }
        }
        return true
    }

    /// Whether this resource alone covers `other` (Mesos `Resource_::contains`).
    func covers(_ other: Resource) -> Bool {
        guard isSubtractable(by: other) else { return false }
        switch type {
        case .scalar: return (other.scalar ?? .zero) <= (scalar ?? .zero)
        case .ranges: return (ranges ?? Ranges()).contains(other.ranges ?? Ranges())
        case .set: return (set ?? Value.ValueSet()).contains(other.set ?? Value.ValueSet())
        default: return self == other
        }
    }

    /// Adds the other's amount to this one's (the kinds already match).
    mutating func addAmount(of other: Resource) {
        switch type {
        case .scalar: scalar = (scalar ?? .zero) + (other.scalar ?? .zero)
        case .ranges: ranges = (ranges ?? Ranges()) + (other.ranges ?? Ranges())
        case .set: set = (set ?? Value.ValueSet()) + (other.set ?? Value.ValueSet())
        default: break
        }
    }

    /// Subtracts the other's amount from this one's (the kinds already match).
    mutating func subtractAmount(of other: Resource) {
        switch type {
        case .scalar: scalar = (scalar ?? .zero) - (other.scalar ?? .zero)
        case .ranges: ranges = (ranges ?? Ranges()) - (other.ranges ?? Ranges())
        case .set: set = (set ?? Value.ValueSet()) - (other.set ?? Value.ValueSet())
        default: break
        }
    }
}

extension Resources {
    /// Adds every resource of `other`.
    public mutating func add(_ other: Resources) {
        for resource in other.elements { add(resource) }
    }

    /// Subtracts every resource of `other`.
    public mutating func subtract(_ other: Resources) {
        for resource in other.elements { subtract(resource) }
    }

    /// The sum.
    public static func + (lhs: Resources, rhs: Resources) -> Resources {
        var sum = lhs
        sum.add(rhs)
        return sum
    }

    /// The difference (what cannot be subtracted is ignored, as in Mesos).
    public static func - (lhs: Resources, rhs: Resources) -> Resources {
        var difference = lhs
        difference.subtract(rhs)
        return difference
    }

    /// Adds in place.
    public static func += (lhs: inout Resources, rhs: Resources) { lhs.add(rhs) }
    /// Subtracts in place.
    public static func -= (lhs: inout Resources, rhs: Resources) { lhs.subtract(rhs) }
    /// Adds one resource in place.
    public static func += (lhs: inout Resources, rhs: Resource) { lhs.add(rhs) }
    /// Subtracts one resource in place.
    public static func -= (lhs: inout Resources, rhs: Resource) { lhs.subtract(rhs) }
}
