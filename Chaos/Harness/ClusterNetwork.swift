/// Where a run's masters live: each in a network namespace of its own (partitions possible),
/// or on loopback addresses in the harness's namespace (process faults only).
public enum ClusterNetwork: Sendable, CustomStringConvertible {
    /// 127.0.0.(10+N) and free ports; `reason` says why (the scenario asked for it, or why
    /// namespaces could not be made).
    case loopback(reason: String)
    case namespaces(NamespaceNetwork)

    /// Makes the network `mode` asks for: `auto` falls back to loopback when namespaces cannot
    /// be made, unless the scenario cuts links, which only namespaces can do. `create` makes
    /// the namespaces (`NamespaceNetwork.create` unless a test says otherwise).
    public static func make(
        _ mode: Scenario.Network, nodes: [UInt64], partitions: Bool,
        create: ([UInt64]) throws(HarnessFailure) -> NamespaceNetwork = { nodes throws(HarnessFailure) in
            try NamespaceNetwork.create(nodes: nodes)
        }
    ) throws(HarnessFailure) -> ClusterNetwork {
        switch mode {
        case .loopback: return .loopback(reason: "the scenario asks for it")
        case .namespaces: return .namespaces(try create(nodes))
        case .auto:
            do {
                return .namespaces(try create(nodes))
            } catch {
                guard !partitions else {
                    throw HarnessFailure("the scenario's partitions need network namespaces, which could not be made: \(error)")
                }
                return .loopback(reason: "network namespaces could not be made: \(error)")
            }
        }
    }

    /// Master `id`'s address.
    public func host(of id: UInt64) -> String {
        switch self {
        case .loopback: LoopbackAddress.host(of: id)
        case .namespaces(let network): network.address(of: id)
        }
    }

    /// The namespaces, when there are any.
    public var namespaces: NamespaceNetwork? {
        if case .namespaces(let network) = self { return network }
        return nil
    }

    /// Removes the namespaces, if any.
    public func remove() { namespaces?.remove() }

    /// Said at the start of every run and kept in the summary.
    public var description: String {
        switch self {
        case .loopback(let reason): "loopback fallback (\(reason)): master N on 127.0.0.(10+N), no partitions"
        case .namespaces(let network): network.description
        }
    }
}
