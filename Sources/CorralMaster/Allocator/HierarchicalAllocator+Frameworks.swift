// MARK: - Frameworks, roles and clients

extension HierarchicalAllocator {
    public mutating func addFramework(_ id: String, roles roleNames: [String]) {
        let framework = frameworkSlot(for: id)
        frameworks[framework].registered = true
        let wanted = Set(roleNames.map { role(named: $0) })
        for (role, client) in frameworks[framework].clients.sorted(by: { $0.key < $1.key }) {
            clients[client].subscribed = wanted.contains(role)
        }
        for role in wanted.sorted() {
            let client = clientSlot(framework: framework, role: role)
            clients[client].subscribed = true
        }
    }

    @discardableResult
    public mutating func removeFramework(_ id: String) -> Bool {
        guard let framework = frameworkIndex[id] else { return false }
        let owned = Set(frameworks[framework].clients.values)
        for offerID in offers.keys.sorted() where offers[offerID].map({ owned.contains($0.client) }) ?? false {
            _ = rescind(offerID)
        }
        for client in owned.sorted() {
            for agent in clients[client].usedAgents.sorted() {
                if let used = agents[agent].usedByClient.removeValue(forKey: client) {
                    agentQuantities.subtract(used, from: .used, of: agent)
                    discharge(client: client, used)
                }
            }
            let role = clients[client].role
            roles[role].clientOrder.removeAll { $0 == client }
            clearFilters(client: client)
            clients[client].live = false
            freeClientSlots.append(client)
        }
        frameworks[framework].live = false
        frameworks[framework].clients = [:]
        frameworkIndex[id] = nil
        freeFrameworkSlots.append(framework)
        return true
    }

    @discardableResult
    public mutating func revive(framework id: String, role: String?) -> Bool {
        var revived: [Int] = []
        let known = forEachClient(of: id, role: role) { client in client.suppressed = false }
        if let framework = frameworkIndex[id] {
            for (roleIndex, client) in frameworks[framework].clients where role == nil || roles[roleIndex].name == role {
                revived.append(client)
            }
        }
        for client in revived { clearFilters(client: client) }
        return known
    }

    /// Drops every refuse filter of the client.
    mutating func clearFilters(client: Int) {
        for agent in clients[client].filteredAgents { refuseFilters.remove(agent: agent, client: client) }
        clients[client].filteredAgents = []
    }

    @discardableResult
    public mutating func suppress(framework id: String, role: String?) -> Bool {
        forEachClient(of: id, role: role) { $0.suppressed = true }
    }

    @discardableResult
    public mutating func setTakesRevocable(framework id: String, _ takes: Bool) -> Bool {
        guard let framework = frameworkIndex[id] else { return false }
        frameworks[framework].takesRevocable = takes
        return true
    }

    @discardableResult
    public mutating func setEligibleAgents(framework id: String, role: String, agents: Set<String>?) -> Bool {
        forEachClient(of: id, role: role) { $0.eligibleAgents = agents }
    }

    public mutating func setAgentEligible(framework id: String, role: String, agent: String, eligible: Bool) {
        _ = forEachClient(of: id, role: role) { client in
            guard client.eligibleAgents != nil else { return }
            if eligible { client.eligibleAgents?.insert(agent) } else { client.eligibleAgents?.remove(agent) }
        }
    }

    @discardableResult
    public mutating func setSuppressedRoles(framework id: String, roles suppressed: Set<String>) -> Bool {
        guard let framework = frameworkIndex[id] else { return false }
        for (roleIndex, client) in frameworks[framework].clients {
            clients[client].suppressed = suppressed.contains(roles[roleIndex].name)
        }
        return true
    }

    /// Applies `change` to the framework's client in `role`, or all its clients for nil.
    private mutating func forEachClient(
        of id: String, role: String?, _ change: (inout ClientSlot) -> Void
    ) -> Bool {
        guard let framework = frameworkIndex[id] else { return false }
        if let role {
            guard let roleIndex = roleIndex[role], let client = frameworks[framework].clients[roleIndex] else {
                return false
            }
            change(&clients[client])
        } else {
            for client in frameworks[framework].clients.values { change(&clients[client]) }
        }
        return true
    }

    // MARK: - Slots

    /// The framework's slot, created unregistered if it is new.
    mutating func frameworkSlot(for id: String) -> Int {
        if let index = frameworkIndex[id] { return index }
        let slot = FrameworkSlot(id: id, live: true, registered: false, clients: [:])
        let index: Int
        if let free = freeFrameworkSlots.popLast() {
            index = free
            frameworks[index] = slot
        } else {
            index = frameworks.count
            frameworks.append(slot)
        }
        frameworkIndex[id] = index
        return index
    }

    /// The framework's client in `role`, created unsubscribed if it is new.
    mutating func clientSlot(framework: Int, role: Int) -> Int {
        if let client = frameworks[framework].clients[role] { return client }
        let slot = ClientSlot(
            framework: framework, role: role, live: true, subscribed: false, suppressed: false,
            consumed: ResourceVector(count: kinds.count), usedAgents: [], filteredAgents: [])
        let index: Int
        if let free = freeClientSlots.popLast() {
            index = free
            clients[index] = slot
        } else {
            index = clients.count
            clients.append(slot)
        }
        frameworks[framework].clients[role] = index
        roles[role].clientOrder.append(index)
        return index
    }

    /// The role named `name`, created (with its ancestors) if it is new.
    mutating func role(named name: String) -> Int {
        if let index = roleIndex[name] { return index }
        var parent: Int?
        var path: [Int] = []
        if let slash = name.lastIndex(of: "/") {
            let parentIndex = role(named: String(name[..<slash]))
            parent = parentIndex
            path = roles[parentIndex].path
        }
        let index = roles.count
        path.append(index)
        var priority = 0
        if case .strictPriority(let priorities) = configuration.policy { priority = priorities[name] ?? 0 }
        roles.append(
            RoleSlot(
                name: name, parent: parent, path: path, weight: 1, priority: priority,
                ownConsumed: ResourceVector(count: kinds.count), subtreeConsumed: ResourceVector(count: kinds.count),
                guarantee: ResourceVector(count: kinds.count),
                limit: ResourceVector(count: kinds.count, fill: Int64.max), hasGuarantee: false, hasLimit: false,
                clientOrder: [], subtreeShare: 0, ownShare: 0))
        roleIndex[name] = index
        return index
    }

    // MARK: - Accounting

    /// Adds `amount` to what the client, its role and the role's ancestors hold.
    mutating func charge(client: Int, _ amount: ResourceVector) {
        clients[client].consumed.add(amount)
        let role = clients[client].role
        roles[role].ownConsumed.add(amount)
        // Up the parent links: reading the path array would retain and release it.
        var ancestor: Int? = role
        while let next = ancestor {
            roles[next].subtreeConsumed.add(amount)
            ancestor = roles[next].parent
        }
    }

    /// Takes `amount` off what the client, its role and the role's ancestors hold.
    mutating func discharge(client: Int, _ amount: ResourceVector) {
        clients[client].consumed.subtract(amount)
        let role = clients[client].role
        roles[role].ownConsumed.subtract(amount)
        // Up the parent links: reading the path array would retain and release it.
        var ancestor: Int? = role
        while let next = ancestor {
            roles[next].subtreeConsumed.subtract(amount)
            ancestor = roles[next].parent
        }
    }

    /// Records used resources on an agent, creating the framework and role if unknown.
    mutating func addUsed(framework id: String, role name: String, agent: Int, resources: ResourceQuantities) {
        let amount = vector(resources)
        let client = clientSlot(framework: frameworkSlot(for: id), role: role(named: name))
        agentQuantities.add(amount, to: .used, of: agent)
        agents[agent].usedByClient[client, default: ResourceVector(count: kinds.count)].add(amount)
        clients[client].usedAgents.insert(agent)
        charge(client: client, amount)
    }
}
