import CorralModel

// MARK: - Persistent volumes: CREATE, DESTROY, GROW_VOLUME, SHRINK_VOLUME

extension Registry {
    /// What makes a resource a volume CREATE can make, whatever the agent has: a scalar
    /// `disk` with a persistence ID that names a directory and a `container_path`, reserved
    /// for a role, neither revocable nor shared. Nil when it is one; else why not.
    static func volumeProblem(_ volume: Resource) -> String? {
        let shown = Resources([volume])
        guard volume.name == "disk", volume.scalar != nil, let id = volume.persistenceID else {
            return "\(shown) is not a persistent volume: give a scalar disk with disk.persistence.id"
        }
        guard Resource.namesAVolumeDirectory(id) else {
            return "volume ID '\(id)' cannot name a directory (empty, '.', '..', with '/', or over 255 bytes)"
        }
        guard let path = volume.disk?.volume?.containerPath, !path.isEmpty else {
            return "volume \(id) has no disk.volume.container_path: say where tasks see it"
        }
        guard !Resource.climbsOut(path) else {
            return "volume \(id): container_path '\(path)' must not contain '..'"
        }
        guard volume.reservationRole != nil else {
            return "volume \(id) is on unreserved disk: RESERVE the disk for a role first"
        }
        guard volume.revocable == nil, volume.shared == nil else {
            return "volume \(id): a volume cannot be revocable, and Corral does not offer shared volumes"
        }
        return nil
    }

    /// Makes `volumes` on the agent, all or none: each is a volume (`volumeProblem`), its ID
    /// is new for its role there, and the reserved disk it is made from is free.
    mutating func createVolumes(_ volumes: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape(volumes, on: agentID, name: "CREATE", changes: &changes) { volume, free, record in
            if let problem = Self.volumeProblem(volume) { return RegistryOutcome(error: problem) }
            if record.volumes.contains(where: { $0.isSameVolume(as: volume) }) {
                return RegistryOutcome(
                    error: "agent \(agentID) already has volume \(volume.persistenceID ?? "") for role \(volume.reservationRole ?? "")")
            }
            let source = volume.volumeSource
            guard free.contains(source) else {
                return Self.notFree("agent \(agentID) has not got \(Resources([source])) free to make volume \(volume.persistenceID ?? "") (free: \(free))")
            }
            free.subtract(source)
            free.add(volume)
            record.volumes.append(volume)
            return nil
        }
    }

    /// Removes `volumes` from the agent, all or none: each exists there and no live task
    /// uses it. Its disk goes back to its role, reserved; the agent deletes its data.
    mutating func destroyVolumes(_ volumes: [Resource], on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape(volumes, on: agentID, name: "DESTROY", changes: &changes) { volume, free, record in
            guard let index = record.volumes.firstIndex(where: { $0.isSameVolume(as: volume) }) else { return Self.noVolume(volume, on: agentID) }
            let existing = record.volumes[index]
            guard free.contains(existing) else { return Self.inUse(existing, on: agentID) }
            free.subtract(existing)
            free.add(existing.volumeSource)
            record.volumes.remove(at: index)
            return nil
        }
    }

    /// Adds `addition` (free disk of the same reservation, no volume) to a volume no live
    /// task uses.
    mutating func growVolume(_ volume: Resource, by addition: Resource, on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape([volume], on: agentID, name: "GROW_VOLUME", changes: &changes) { volume, free, record in
            guard let index = record.volumes.firstIndex(where: { $0.isSameVolume(as: volume) }) else { return Self.noVolume(volume, on: agentID) }
            let existing = record.volumes[index]
            let added = addition.unallocatedRefined
            guard added.name == "disk", let amount = added.scalar, amount > .zero, !added.isPersistentVolume,
                added.reservations == existing.reservations, added.disk == existing.volumeSource.disk
            else {
                return RegistryOutcome(
                    error: "GROW_VOLUME adds \(Resources([added])): give a positive scalar disk with the volume's reservation and no volume of its own")
            }
            guard free.contains(existing), free.contains(added) else {
                return Self.notFree("GROW_VOLUME of \(existing.persistenceID ?? "") on agent \(agentID): the volume must be unused and \(Resources([added])) free (free: \(free))")
            }
            var grown = existing
            grown.scalar = (existing.scalar ?? .zero) + amount
            free.subtract(existing)
            free.subtract(added)
            free.add(grown)
            record.volumes[index] = grown
            return nil
        }
    }

    /// Takes `subtract` of disk off a volume no live task uses (leaving it some); the disk
    /// goes back to the volume's role, reserved.
    mutating func shrinkVolume(_ volume: Resource, by subtract: Scalar, on agentID: AgentID, changes: inout [RegistryChange])
        -> RegistryOutcome
    {
        reshape([volume], on: agentID, name: "SHRINK_VOLUME", changes: &changes) { volume, free, record in
            guard let index = record.volumes.firstIndex(where: { $0.isSameVolume(as: volume) }) else { return Self.noVolume(volume, on: agentID) }
            let existing = record.volumes[index]
            let size = existing.scalar ?? .zero
            guard subtract > .zero, subtract < size else {
                return RegistryOutcome(error: "SHRINK_VOLUME of \(existing.persistenceID ?? ""): subtract \(subtract) must be above 0 and below its size, \(size)")
            }
            guard free.contains(existing) else { return Self.inUse(existing, on: agentID) }
            var shrunk = existing
            shrunk.scalar = size - subtract
            var freed = existing.volumeSource
            freed.scalar = subtract
            free.subtract(existing)
            free.add(shrunk)
            free.add(freed)
            record.volumes[index] = shrunk
            return nil
        }
    }

    /// The refusal of an operation on a volume a live task or executor holds.
    private static func inUse(_ volume: Resource, on agentID: AgentID) -> RegistryOutcome {
        notFree("volume \(volume.persistenceID ?? "") on agent \(agentID) is in use by a task or executor")
    }

    /// The refusal of an operation on a volume the agent does not have.
    private static func noVolume(_ volume: Resource, on agentID: AgentID) -> RegistryOutcome {
        RegistryOutcome(error: "agent \(agentID) has no volume \(volume.persistenceID ?? "(no ID)") for role \(volume.reservationRole ?? "(none)")")
    }
}
