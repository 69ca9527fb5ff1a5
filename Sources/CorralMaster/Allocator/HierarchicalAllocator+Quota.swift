// MARK: - Weights and quota

extension HierarchicalAllocator {
    public mutating func setWeight(_ weight: Double, role name: String) {
        guard weight > 0, weight.isFinite else { return }
        roles[role(named: name)].weight = weight
    }

    public mutating func setQuota(role name: String, guarantee: ResourceQuantities, limit: ResourceQuantities?) {
        let index = role(named: name)
        roles[index].guarantee = vector(guarantee)
        roles[index].hasGuarantee = !guarantee.isEmpty
        if let limit {
            register(limit)
            roles[index].limit = kinds.vector(limit, fill: Int64.max)
            roles[index].hasLimit = true
        } else {
            roles[index].limit = ResourceVector(count: kinds.count, fill: Int64.max)
            roles[index].hasLimit = false
        }
    }

    /// Whether the role (with its subroles) holds less than its guarantee of some resource.
    func isBelowGuarantee(_ role: Int) -> Bool {
        roles[role].hasGuarantee && !roles[role].guarantee.isLessThanOrEqual(roles[role].subtreeConsumed)
    }

    /// Sums what every role still lacks of its guarantee into `requiredHeadroom`; returns
    /// whether anything is lacking.
    @discardableResult
    mutating func refreshRequiredHeadroom() -> Bool {
        requiredHeadroom = ResourceVector(count: kinds.count)
        var lacking = false
        for role in roles.indices where roles[role].hasGuarantee {
            for kind in 0..<kinds.count {
                let missing = roles[role].guarantee.millis[kind] - roles[role].subtreeConsumed.millis[kind]
                if missing > 0 {
                    requiredHeadroom.millis[kind] += missing
                    lacking = true
                }
            }
        }
        return lacking
    }

    /// Lowers `offerable` so that no role on `role`'s path goes past its limit.
    func capToLimits(_ offerable: inout ResourceVector, role: Int) {
        for ancestor in roles[role].path where roles[ancestor].hasLimit {
            for kind in offerable.millis.indices where roles[ancestor].limit.millis[kind] != Int64.max {
                let room = max(0, roles[ancestor].limit.millis[kind] - roles[ancestor].subtreeConsumed.millis[kind])
                offerable.millis[kind] = min(offerable.millis[kind], room)
            }
        }
    }

    /// Lowers `offerable` so that what stays unallocated still covers unmet guarantees.
    func capToHeadroom(_ offerable: inout ResourceVector) {
        for kind in offerable.millis.indices where requiredHeadroom.millis[kind] > 0 {
            let spare = max(0, unallocated.millis[kind] - requiredHeadroom.millis[kind])
            offerable.millis[kind] = min(offerable.millis[kind], spare)
        }
    }
}
