import CorralModel

/// The one place Mesos `Resources` meet the allocator's `ResourceQuantities`.
///
/// Reserved resources are quantities of their own, named as Mesos writes them: two CPUs
/// reserved for `ml` are `cpus(ml)`, apart from unreserved `cpus`, so the allocator offers
/// them only to `ml` and its sub-roles (`ResourceKinds.reservedRole(ofKind:)`).
enum ResourceMapping {
    /// Scalars in thousandths; ranges and sets count their values, times 1000.
    static func quantities(_ resources: Resources) -> ResourceQuantities {
        var millis: [String: Int64] = [:]
        for resource in resources {
            millis[key(resource), default: 0] += count(resource)
        }
        return ResourceQuantities(millis: millis)
    }

    /// The quantity a resource counts toward: its name, with its reservation's role; a
    /// revocable one `name[revocable]`, apart from the same name's firm resources.
    static func key(_ resource: Resource) -> String {
        let name = resource.revocable == nil ? resource.name : resource.name + revocableSuffix
        return resource.reservationRole.map { "\(name)(\($0))" } ?? name
    }

    /// What ends a revocable quantity's key.
    static let revocableSuffix = "[revocable]"

    /// Whether a quantity key names revocable resources.
    static func isRevocable(key: String) -> Bool { key.hasSuffix(revocableSuffix) }

    /// The role a quantity key is reserved for (`cpus(ml)` → `ml`), or nil for unreserved.
    static func reservedRole(ofKey key: String) -> String? {
        guard key.hasSuffix(")"), let open = key.firstIndex(of: "(") else { return nil }
        return String(key[key.index(after: open)..<key.index(before: key.endIndex)])
    }

    /// Whether resources reserved for `reservedRole` may be offered to a framework of `role`:
    /// the same role or one of its sub-roles, as Mesos's hierarchical roles have it.
    static func mayUse(_ role: String, reservedFor reservedRole: String) -> Bool {
        role == reservedRole || role.hasPrefix(reservedRole + "/")
    }

    private static func count(_ resource: Resource) -> Int64 {
        if let scalar = resource.scalar { return scalar.millis }
        if let ranges = resource.ranges {
            return Int64(ranges.range.reduce(UInt64(0)) { $0 + $1.count }) * 1000
        }
        if let set = resource.set { return Int64(set.item.count) * 1000 }
        return 0
    }

    /// Takes `wanted` out of `available` as Mesos resources: scalars by amount (a persistent
    /// volume whole, or not), ranges and sets from their lowest values. Every resource is marked allocated to `role`.
    static func carve(_ wanted: ResourceQuantities, from available: Resources, role: String) -> Resources {
        var result = Resources()
        for resource in available {
            let kind = key(resource)
            var left = wanted[kind] - quantities(result.filter { key($0) == kind })[kind]
            guard left > 0 else { continue }
            var taken = resource
            if resource.isPersistentVolume {
                // A volume is offered whole or not at all.
                guard let scalar = resource.scalar, scalar.millis <= left else { continue }
            } else if let scalar = resource.scalar {
                taken.scalar = Scalar(millis: min(scalar.millis, left))
            } else if let ranges = resource.ranges {
                var picked: [ValueRange] = []
                for range in ranges.normalized.range where left >= 1000 {
                    let take = min(Int64(range.count) * 1000, left)
                    picked.append(ValueRange(begin: range.begin, end: range.begin + UInt64(take / 1000) - 1))
                    left -= take
                }
                taken.ranges = Ranges(picked)
            } else if let set = resource.set {
                taken.set = Value.ValueSet(Array(set.item.prefix(Int(left / 1000))))
            }
            taken.allocationInfo = Resource.AllocationInfo(role: role)
            result.add(taken)
        }
        return result
    }
}

extension ResourceQuantities {
    /// The smaller of the two amounts, name by name.
    func clamped(to limit: ResourceQuantities) -> ResourceQuantities {
        ResourceQuantities(millis: Dictionary(uniqueKeysWithValues: entries.map { ($0.name, min($0.millis, limit[$0.name])) }))
    }
}
