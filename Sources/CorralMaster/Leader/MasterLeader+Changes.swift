import CorralModel

extension MasterLeader {
    /// Acts on what the registry applied: operator subscribers hear of it, and `core`
    /// forwards updates, frees resources, kills the tasks of removed frameworks, and keeps
    /// the allocator's agents, quota and weights in step.
    func registryChanged(_ batch: [RegistryChange]) {
        for change in batch { publish(change) }
        for change in batch { perform(core.registryChanged(change, in: context())) }
    }
}
