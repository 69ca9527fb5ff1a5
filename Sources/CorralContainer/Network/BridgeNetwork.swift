import Foundation

/// Docker-style bridge networking: a Linux bridge (`corral0`) holding the first address of a
/// subnet, and per container a veth pair with one end on the bridge and the other as `eth0`
/// in the container's network namespace, with the next free address and a default route
/// through the bridge; outbound traffic is masqueraded, published ports are DNAT rules.
///
/// Each container's address is leased in a file under
/// `/run/corral/network/<network namespace>/<bridge>/leases/`, named by the address and holding
/// the container's id, its state root and its published ports: one bridge serves every state
/// root of a network namespace (the agent's and `corral container run`'s), and a lease (its
/// link, its rules) can be released by whoever comes next in the same root after a crash
/// (`sweep`). Everything is in the network namespace of the calling process.
public struct BridgeNetwork: Sendable {
    public static let defaultName = "corral0"
    public static let defaultSubnet = "10.88.0.0/16"
    /// Where leases live by default: a tmpfs, so they go when the links do, at reboot.
    public static let defaultStateDirectory = "/run/corral/network"
    /// The nat chain that holds every published port; PREROUTING and OUTPUT jump to it for
    /// traffic to a local address.
    static let portsChain = "CORRAL-PORTS"

    /// The bridge's interface name.
    public let name: String
    public let subnet: IPv4Subnet
    /// The state root whose containers this value leases for.
    public let root: String
    /// `<state directory>/<network namespace>/<name>`.
    public let directory: String

    /// A bridge `name` on `subnet` for the containers of state root `root`.
    public init(
        root: String, name: String = BridgeNetwork.defaultName, subnet: IPv4Subnet,
        stateDirectory: String = BridgeNetwork.defaultStateDirectory
    ) throws {
        guard !name.isEmpty, name.count <= 15, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ContainerError(
                .invalidArgument, stage: "bridge name '\(name)'", cause: "use 1-15 letters, digits, '-' or '_'")
        }
        self.name = name
        self.subnet = subnet
        self.root = root
        directory = "\(stateDirectory)/\(try Self.namespaceKey())/\(name)"
    }

    /// The default bridge, for the containers of state root `root`.
    public static func standard(root: String) throws -> BridgeNetwork {
        try BridgeNetwork(root: root, subnet: IPv4Subnet(parsing: defaultSubnet))
    }

    /// `net-<inode>` of this process's network namespace.
    static func namespaceKey() throws -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/self/ns/net", &buffer, buffer.count - 1)
        guard length > 0 else { throw ContainerError.system(.network, "readlink(/proc/self/ns/net)", errno: errno) }
        let text = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "net-" + text.filter(\.isNumber)
    }

    var leasesDirectory: String { directory + "/leases" }
    var lockPath: String { directory + "/.lock" }

    // MARK: - Leases

    /// One container's address on the bridge.
    public struct Lease: Codable, Sendable, Equatable {
        public var containerID: String
        /// The state root of the container.
        public var root: String
        /// Host byte order.
        public var address: UInt32
        public var ports: [PortMapping]

        public var addressText: String { IPv4Subnet.text(address) }
        /// The host's end of the container's veth pair: named by the address, so unique.
        public var hostLink: String { "vc" + String(format: "%08x", address) }
        /// The container's end until it is moved and renamed `eth0`.
        var peerLink: String { "vp" + String(format: "%08x", address) }
    }

    /// Leases the lowest free address to the container, refusing host ports another
    /// container publishes or something on this host listens on.
    public func lease(containerID: String, ports: [PortMapping]) throws -> Lease {
        try Syscall.makeDirectories(leasesDirectory)
        return try StoreLock.withExclusive(lockPath) {
            let held = try leases()
            if let existing = held.first(where: { $0.containerID == containerID && $0.root == root }) { return existing }
            var wanted: Set<PortMapping.Transport.RawValue> = []
            for port in ports {
                let key = "\(port.hostPort)/\(port.transport.rawValue)"
                guard wanted.insert(key).inserted else {
                    throw ContainerError(.invalidArgument, stage: "publish \(port)", cause: "host port \(key) is given twice")
                }
                if let owner = held.first(where: { $0.ports.contains { $0.hostPort == port.hostPort && $0.transport == port.transport } }) {
                    throw ContainerError(
                        .invalidArgument, stage: "publish \(port)",
                        cause: "host port \(key) is already published by container \(owner.containerID)")
                }
                try PortProbe.checkFree(port)
            }
            let taken = Set(held.map(\.address))
            guard let address = subnet.hosts.first(where: { !taken.contains($0) }) else {
                throw ContainerError(
                    .network, stage: "lease an address on \(name)", cause: "every address of \(subnet) is leased; remove stopped containers")
            }
            let lease = Lease(containerID: containerID, root: root, address: address, ports: ports)
            let bytes = try JSONEncoder().encode(lease)
            try Syscall.writeAtomically(Array(bytes), to: leasePath(address))
            return lease
        }
    }

    /// Every lease, in address order.
    public func leases() throws -> [Lease] {
        guard ContainerSyscall.exists(leasesDirectory) else { return [] }
        return try Syscall.listDirectory(leasesDirectory).sorted().compactMap { file -> Lease? in
            guard IPv4Subnet.address(file) != nil else { return nil }
            let bytes = try Syscall.readFile(leasesDirectory + "/" + file)
            return try? JSONDecoder().decode(Lease.self, from: Data(bytes))
        }.sorted { $0.address < $1.address }
    }

    func leasePath(_ address: UInt32) -> String { leasesDirectory + "/" + IPv4Subnet.text(address) }

    // MARK: - Attaching and releasing

    /// Gives the container whose init is `pid` (in its own network namespace) its `eth0`
    /// with the lease's address, and publishes the lease's ports. Undoes its links and rules
    /// if a step fails.
    public func attach(_ lease: Lease, pid: pid_t) throws {
        try StoreLock.withExclusive(lockPath) { try ensureBridge() }
        do {
            try NetworkTool.run(
                "ip", ["-batch", "-"],
                input: """
                    link add \(lease.hostLink) type veth peer name \(lease.peerLink)
                    link set \(lease.hostLink) master \(name)
                    link set \(lease.hostLink) up
                    link set \(lease.peerLink) netns \(pid)

                    """)
            try NetworkTool.run(
                "nsenter", ["--net=/proc/\(pid)/ns/net", "ip", "-batch", "-"],
                input: """
                    link set \(lease.peerLink) name eth0
                    addr add \(lease.addressText)/\(subnet.prefixLength) dev eth0
                    link set eth0 up
                    route add default via \(IPv4Subnet.text(subnet.gateway))

                    """)
            for port in lease.ports { try NetworkTool.run("iptables", ["-w", "-t", "nat", "-A"] + dnatRule(port, lease)) }
        } catch {
            removeLinksAndRules(lease)
            throw error
        }
    }

    /// Removes the container's host link, its published ports and its lease; what is
    /// already gone is skipped.
    public func release(containerID: String) throws {
        guard ContainerSyscall.exists(leasesDirectory) else { return }
        try StoreLock.withExclusive(lockPath) {
            for lease in try leases() where lease.containerID == containerID && lease.root == root {
                removeLinksAndRules(lease)
                try Syscall.removeTree(leasePath(lease.address))
            }
        }
    }

    /// Releases the leases of this root's containers `isRunning` says are gone (a supervisor
    /// that died before it released them). Returns their container ids.
    @discardableResult
    public func sweep(isRunning: (String) -> Bool) -> [String] {
        guard let held = try? leases() else { return [] }
        var released: [String] = []
        for lease in held where lease.root == root && !isRunning(lease.containerID) {
            if (try? release(containerID: lease.containerID)) != nil { released.append(lease.containerID) }
        }
        return released
    }

    /// The `iptables -t nat` rule (after `-A` or `-D`) that publishes `port` to the lease.
    func dnatRule(_ port: PortMapping, _ lease: Lease) -> [String] {
        [
            Self.portsChain, "-p", port.transport.rawValue, "--dport", String(port.hostPort), "-m", "comment", "--comment",
            "corral:\(lease.containerID)", "-j", "DNAT", "--to-destination", "\(lease.addressText):\(port.containerPort)",
        ]
    }

    private func removeLinksAndRules(_ lease: Lease) {
        for port in lease.ports { _ = try? NetworkTool.attempt("iptables", ["-w", "-t", "nat", "-D"] + dnatRule(port, lease)) }
        // The host end goes with its namespace; it is still there if the container is not gone.
        _ = try? NetworkTool.attempt("ip", ["link", "del", lease.hostLink])
    }
}
