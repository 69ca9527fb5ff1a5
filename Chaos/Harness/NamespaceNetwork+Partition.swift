extension NamespaceNetwork {
    /// Makes `partition` the one in force: replaces the DROP rules in every master's
    /// namespace (INPUT by the source address of each peer it must not hear, OUTPUT by the
    /// destination address of each peer it must not reach), one atomic iptables-restore per
    /// namespace. `Partition.none` heals.
    public func cut(_ partition: Partition) throws(HarnessFailure) {
        for id in nodes {
            var rules = "*filter\n:\(Self.chain) - [0:0]\n"
            for peer in partition.dropsFrom(id) { rules += "-A \(Self.chain) -s \(address(of: peer))/32 -j DROP\n" }
            for peer in partition.dropsTo(id) { rules += "-A \(Self.chain) -d \(address(of: peer))/32 -j DROP\n" }
            rules += "COMMIT\n"
            try NetTool.run("ip", ["netns", "exec", namespace(of: id), "iptables-restore", "--noflush"], input: rules)
        }
    }

    /// Removes every DROP rule.
    public func heal() throws(HarnessFailure) { try cut(.none) }

    /// The rules of master `id`'s chain as `iptables -S` prints them.
    public func rules(of id: UInt64) throws(HarnessFailure) -> [String] {
        try NetTool.run("ip", ["netns", "exec", namespace(of: id), "iptables", "-S", Self.chain]).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("-A ") }
    }
}
