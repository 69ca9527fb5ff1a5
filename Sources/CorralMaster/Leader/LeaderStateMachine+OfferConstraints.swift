import CorralModel

// MARK: - Offer constraints (Mesos 1.11)

extension LeaderStateMachine {
    /// Takes a framework's offer constraints (checked before its call was committed) and
    /// tells the allocator which connected agents each of its roles may be offered: roles
    /// with constraints only those that match, the others every agent.
    mutating func setOfferConstraints(
        _ constraints: OfferConstraints?,
        of id: FrameworkID,
        roles: [String],
        registry: Registry
    ) {
        let byRole = constraints?.roleConstraints ?? [:]
        offerConstraints[id] = byRole.isEmpty ? nil : OfferConstraints(roleConstraints: byRole)
        for role in roles {
            guard let roleConstraints = byRole[role],
                let matcher = try? OfferConstraintMatcher(roleConstraints, role: role)
            else {
                allocator.setEligibleAgents(framework: id.value, role: role, agents: nil)
                continue
            }
            let eligible = registry.agents.values.filter { matcher.matches($0.info) }.compactMap(
                \.info.id?.value
            )
            allocator.setEligibleAgents(framework: id.value, role: role, agents: Set(eligible))
        }
    }

    /// An agent entered the allocator (registered, re-registered, reactivated): each role
    /// with offer constraints learns whether it may be offered the agent.
    mutating func applyOfferConstraints(toAgent agent: AgentInfo) {
        guard let agentID = agent.id, !offerConstraints.isEmpty else { return }
        for (framework, constraints) in offerConstraints.sorted(by: { $0.key.value < $1.key.value }) {
            for (role, roleConstraints) in constraints.roleConstraints.sorted(by: { $0.key < $1.key }) {
                guard let matcher = try? OfferConstraintMatcher(roleConstraints, role: role) else { continue }
                allocator.setAgentEligible(
                    framework: framework.value,
                    role: role,
                    agent: agentID.value,
                    eligible: matcher.matches(agent)
                )
            }
        }
    }
}
