// MARK: - Shares and orders
//
// Roles are kept in one flat array sorted as a depth-first walk of the role tree that takes
// the lowest-share child first at every level would visit them; a role's own frameworks
// form a virtual leaf that competes with its subroles (as in Mesos). Frameworks within a
// role are sorted by their DRF share. Both orders are rebuilt at the start of a cycle and
// then repaired locally after each offer, since only the offered client's role path moves.

extension HierarchicalAllocator {
    /// Recomputes every share and rebuilds the role and client orders.
    mutating func prepareOrders() {
        let liveFrameworks = frameworks.indices.filter { frameworks[$0].live }
        let sortedFrameworks = liveFrameworks.sorted { frameworks[$0].id < frameworks[$1].id }
        frameworkRank = Array(repeating: 0, count: frameworks.count)
        for (rank, framework) in sortedFrameworks.enumerated() { frameworkRank[framework] = rank }
        roleRank = Array(repeating: 0, count: roles.count)
        for (rank, role) in roles.indices.sorted(by: { roles[$0].name < roles[$1].name }).enumerated() {
            roleRank[role] = rank
        }
        clientSortKeys = Array(repeating: ClientSortKey(share: 0, rank: 0), count: clients.count)
        for index in clients.indices where clients[index].live {
            clientSortKeys[index] = ClientSortKey(
                share: clients[index].consumed.dominantShare(of: clusterTotal), rank: frameworkRank[clients[index].framework])
        }
        for role in roles.indices {
            refreshShare(role: role)
            let order = roles[role].clientOrder.sorted { clientLess($0, $1) }
            roles[role].clientOrder = order
            roles[role].revocableOrder =
                kinds.revocable.isEmpty ? [] : order.filter { frameworks[clients[$0].framework].takesRevocable }
        }
        rolePathStride = max(1, roles.map(\.path.count).max() ?? 1)
        rolePaths = Array(repeating: 0, count: roles.count * rolePathStride)
        roleDepth = roles.map(\.path.count)
        for role in roles.indices {
            for (level, ancestor) in roles[role].path.enumerated() { rolePaths[role * rolePathStride + level] = ancestor }
        }
        let active = roles.indices.filter { role in
            roles[role].clientOrder.contains { clients[$0].subscribed && frameworks[clients[$0].framework].registered }
        }
        roleOrder = active.sorted { roleLess($0, $1) }
        roleBlockSize = Array(repeating: 0, count: roles.count)
        for role in roleOrder { roleBlockSize[roles[role].path[0]] += 1 }
    }

    /// Recomputes a role's two shares from what it holds.
    mutating func refreshShare(role: Int) {
        let weight = roles[role].weight
        roles[role].subtreeShare = roles[role].subtreeConsumed.dominantShare(of: clusterTotal) / weight
        roles[role].ownShare = roles[role].ownConsumed.dominantShare(of: clusterTotal) / weight
    }

    /// Whether client `a` goes before client `b` of the same role: lower share, then framework id.
    func clientLess(_ a: Int, _ b: Int) -> Bool {
        // From the flat table of keys: a cycle's binary searches read it over and over.
        let (left, right) = (clientSortKeys[a], clientSortKeys[b])
        if left.share != right.share { return left.share < right.share }
        return left.rank < right.rank
    }

    /// The sort key of a role-tree node as a branch: its subtree share, or its negated priority.
    private func nodeKey(_ role: Int) -> Double {
        if case .strictPriority = configuration.policy { return -Double(roles[role].priority) }
        return roles[role].subtreeShare
    }

    /// The sort key of a role's own frameworks as a virtual leaf among its subroles.
    private func leafKey(_ role: Int) -> Double {
        if case .strictPriority = configuration.policy { return -Double(roles[role].priority) }
        return roles[role].ownShare
    }

    /// Whether role `a`'s frameworks are visited before role `b`'s (during a cycle: it reads
    /// the role paths `prepareOrders` tabulated).
    func roleLess(_ a: Int, _ b: Int) -> Bool {
        guard a != b else { return false }
        // The paths from the flat table `prepareOrders` fills: reading `roles[a].path` would
        // retain and release two arrays per comparison.
        let (left, right) = (a * rolePathStride, b * rolePathStride)
        let common = min(roleDepth[a], roleDepth[b])
        for level in 0..<common where rolePaths[left + level] != rolePaths[right + level] {
            let (x, y) = (rolePaths[left + level], rolePaths[right + level])
            let (keyX, keyY) = (nodeKey(x), nodeKey(y))
            return keyX != keyY ? keyX < keyY : roleRank[x] < roleRank[y]
        }
        if roleDepth[a] < roleDepth[b] {
            // `a` is an ancestor of `b`: a's own leaf against b's branch; the leaf wins ties.
            return leafKey(a) <= nodeKey(rolePaths[right + common])
        }
        return nodeKey(rolePaths[left + common]) < leafKey(b)
    }

    /// Moves the client to where its grown share belongs in its role's orders. A position
    /// given is where it stands in that order now; one not given is looked up.
    mutating func repositionClient(role: Int, client: Int, orderPosition: Int?, revocablePosition: Int?) {
        // Where it goes is found reading the order in place; then the order is changed in
        // place, by one move of the clients it passes.
        if let (from, to) = move(client, at: orderPosition, revocable: false, of: role) {
            roles[role].clientOrder.withUnsafeMutableBufferPointer { Self.shift(client, from: from, to: to, in: $0) }
        }
        guard !kinds.revocable.isEmpty, frameworks[clients[client].framework].takesRevocable else { return }
        if let (from, to) = move(client, at: revocablePosition, revocable: true, of: role) {
            roles[role].revocableOrder.withUnsafeMutableBufferPointer { Self.shift(client, from: from, to: to, in: $0) }
        }
    }

    /// Where `client` stands (at `position`, or looked up) in the role's `clientOrder` (or
    /// its `revocableOrder`), and the position right of it where `clientLess` puts it now
    /// that its share grew.
    /// It changes nothing: `mutating` only so that the call passes the allocator by
    /// reference, where a plain method's call copied all of it.
    private mutating func move(_ client: Int, at position: Int?, revocable: Bool, of role: Int) -> (Int, Int)? {
        func order(_ index: Int) -> Int { revocable ? roles[role].revocableOrder[index] : roles[role].clientOrder[index] }
        let count = revocable ? roles[role].revocableOrder.count : roles[role].clientOrder.count
        guard let position = position ?? (0..<count).first(where: { order($0) == client }) else { return nil }
        var low = position + 1
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if clientLess(client, order(middle)) { high = middle } else { low = middle + 1 }
        }
        return (position, low - 1)
    }

    /// Moves the clients in `from + 1 ... to` one place left and puts `client` at `to`.
    private static func shift(_ client: Int, from: Int, to: Int, in order: UnsafeMutableBufferPointer<Int>) {
        guard to > from, let base = order.baseAddress else { return }
        UnsafeMutableRawPointer(base + from).copyMemory(from: base + from + 1, byteCount: (to - from) * MemoryLayout<Int>.stride)
        base[to] = client
    }

    /// Restores the role order after `role`'s shares (and its ancestors') grew.
    mutating func repositionRole(_ role: Int, at position: Int) {
        guard case .dominantResourceFairness = configuration.policy else { return }
        let top = roles[role].path[0]
        if roleBlockSize[top] == 1 {
            // Its share only grew: it moves right, past the roles now before it, found by
            // reading the order in place and then shifted in place.
            var low = position + 1
            var high = roleOrder.count
            while low < high {
                let middle = (low + high) / 2
                if roleLess(role, roleOrder[middle]) { high = middle } else { low = middle + 1 }
            }
            roleOrder.withUnsafeMutableBufferPointer { Self.shift(role, from: position, to: low - 1, in: $0) }
            return
        }
        // Every role under the same top-level role may move: take them out, sort, merge back.
        let inBlock = roleOrder.map { roles[$0].path[0] == top }
        let moved = roleOrder.indices.filter { inBlock[$0] }.map { roleOrder[$0] }.sorted { roleLess($0, $1) }
        var order = roleOrder.indices.filter { !inBlock[$0] }.map { roleOrder[$0] }
        for role in moved {
            var low = 0
            var high = order.count
            while low < high {
                let middle = (low + high) / 2
                if roleLess(role, order[middle]) { high = middle } else { low = middle + 1 }
            }
            order.insert(role, at: low)
        }
        roleOrder = order
    }
}
