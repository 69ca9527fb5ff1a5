import CorralModel

extension LeaderStateMachine {
    /// Checks a CREATE, DESTROY, GROW_VOLUME or SHRINK_VOLUME against the ACCEPT's offers, as
    /// Mesos's `validation::operation` does: a CREATE's volumes are volumes
    /// (`Registry.volumeProblem`) on disk reserved for the offers' role (or an ancestor), by
    /// the framework's principal if they name one, made from disk the offers still hold; a
    /// DESTROY, GROW_VOLUME or SHRINK_VOLUME names volumes as they were offered. The registry
    /// checks again when the command is applied (the agent's books may have moved).
    static func checkVolumes(_ operation: Offer.Operation, run: AcceptRun, principal: String?)
        -> Result<AcceptRun.Reshape, AcceptRun.ReshapeProblem>
    {
        let name = operation.type?.rawValue ?? "UNKNOWN"
        var taken = Resources()
        var given = Resources()
        switch operation.type {
        case .some(.create):
            let volumes = Resources(operation.create?.volumes ?? []).unallocated.map(\.refined)
            guard !volumes.isEmpty else { return .failure(.init(why: "the CREATE names no volumes")) }
            var ids: Set<String> = []
            for volume in volumes {
                if let problem = Registry.volumeProblem(volume) { return .failure(.init(why: "CREATE: \(problem)")) }
                let role = volume.reservationRole ?? ""
                guard ResourceMapping.mayUse(run.role, reservedFor: role) else {
                    return .failure(
                        .init(why: "CREATE of volume \(volume.persistenceID ?? ""): its disk is reserved for role \(role), not for the offers' role \(run.role)"))
                }
                if let asked = volume.disk?.persistence?.principal, let principal, asked != principal {
                    return .failure(.init(why: "CREATE of volume \(volume.persistenceID ?? ""): principal \(asked) is not the framework's, \(principal)"))
                }
                guard ids.insert("\(role)/\(volume.persistenceID ?? "")").inserted else {
                    return .failure(.init(why: "CREATE names volume \(volume.persistenceID ?? "") twice"))
                }
                taken.add(volume.volumeSource)
                given.add(volume)
            }
        case .some(.destroy):
            let volumes = Resources(operation.destroy?.volumes ?? []).unallocated.map(\.refined)
            guard !volumes.isEmpty else { return .failure(.init(why: "the DESTROY names no volumes")) }
            for volume in volumes {
                guard volume.isPersistentVolume else {
                    return .failure(.init(why: "DESTROY of \(Resources([volume])): it is not a persistent volume"))
                }
                taken.add(volume)
                given.add(volume.volumeSource)
            }
        case .some(.growVolume):
            guard let grow = operation.growVolume else { return .failure(.init(why: "the GROW_VOLUME has no grow_volume")) }
            let volume = grow.volume.unallocatedRefined
            let addition = grow.addition.unallocatedRefined
            guard volume.isPersistentVolume, !addition.isPersistentVolume, addition.name == "disk", (addition.scalar ?? .zero) > .zero else {
                return .failure(.init(why: "GROW_VOLUME needs a persistent volume and a positive disk addition without a volume"))
            }
            var grown = volume
            grown.scalar = (volume.scalar ?? .zero) + (addition.scalar ?? .zero)
            taken = Resources([volume, addition])
            given = Resources([grown])
        case .some(.shrinkVolume):
            guard let shrink = operation.shrinkVolume else { return .failure(.init(why: "the SHRINK_VOLUME has no shrink_volume")) }
            let volume = shrink.volume.unallocatedRefined
            let size = volume.scalar ?? .zero
            guard volume.isPersistentVolume, shrink.subtract > .zero, shrink.subtract < size else {
                return .failure(.init(why: "SHRINK_VOLUME needs a persistent volume and a subtract above 0 and below its size"))
            }
            var shrunk = volume
            shrunk.scalar = size - shrink.subtract
            var freed = volume.volumeSource
            freed.scalar = shrink.subtract
            taken = Resources([volume])
            given = Resources([shrunk, freed])
        default:
            return .failure(.init(why: "\(name) is not a volume operation"))
        }
        guard run.remaining.contains(taken) else {
            return .failure(.init(why: "the \(name) needs \(taken), more than the offers have left (\(run.remaining))"))
        }
        return .success(AcceptRun.Reshape(operation: operation, taken: taken, given: given))
    }
}
