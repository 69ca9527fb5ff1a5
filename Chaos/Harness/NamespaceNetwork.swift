import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One run's network namespaces: a bridge namespace `corral-chaos-<run>-br` holding a Linux
/// bridge, and per master a namespace `corral-chaos-<run>-mN` with a veth to the bridge and
/// the address 10.213.S.(10+N). The harness stays in its own namespace and reaches every
/// master through a veth `cc<run>` (10.213.S.1) on the same bridge, so partitions, which are
/// DROP rules by peer address inside the masters' namespaces, never cut the harness off.
///
/// `<run>` is `<pid>x<n>`: a set whose process is gone (a SIGKILLed harness) is removed by
/// `removeStale()`, which `create` calls first.
public final class NamespaceNetwork: Sendable {
    /// Every namespace of the harness begins with it.
    public static let prefix = "corral-chaos-"
    /// The iptables chain that INPUT and OUTPUT jump to in every master's namespace.
    static let chain = "CORRAL-CHAOS"
    /// The ports every master listens on (each has a namespace of its own, so they are free).
    public static let raftPort = 7070
    public static let httpPort = 8080

    /// `<pid>x<n>`.
    public let runID: String
    /// The third byte of the run's 10.213.S.0/24.
    public let subnet: Int
    public let nodes: [UInt64]
    private let removed = Mutex<Bool>(false)
    private static let counter = Atomic<Int>(0)

    init(runID: String, subnet: Int, nodes: [UInt64]) {
        self.runID = runID
        self.subnet = subnet
        self.nodes = nodes
    }

    public var bridgeNamespace: String { "\(Self.prefix)\(runID)-br" }
    public func namespace(of id: UInt64) -> String { "\(Self.prefix)\(runID)-\(Self.nodeName(id))" }
    /// `m<id>` for a master, `a<n>` for agent n (node 40 + n, see `Scenario.agentNodeBase`).
    static func nodeName(_ id: UInt64) -> String { id > Scenario.agentNodeBase ? "a\(id - Scenario.agentNodeBase)" : "m\(id)" }
    public func address(of id: UInt64) -> String { "10.213.\(subnet).\(10 + id)" }
    /// The harness's own address on the bridge.
    public var harnessAddress: String { "10.213.\(subnet).1" }
    /// The harness's end of its veth, in its own namespace (at most 15 characters).
    public var hostLink: String { "cc\(runID)" }
    /// Every namespace of the run, the bridge's last.
    public var namespaces: [String] { nodes.map(namespace(of:)) + [bridgeNamespace] }

    public var description: String {
        "network namespaces \(Self.prefix)\(runID)-*: master N on 10.213.\(subnet).(10+N), the harness on \(harnessAddress)"
    }

    /// The command that runs `arguments` (an executable and its arguments) inside master
    /// `id`'s namespace; it execs, so its pid is the program's.
    public func command(for id: UInt64, _ arguments: [String]) throws(HarnessFailure) -> (executable: String, arguments: [String]) {
        guard let ip = NetTool.path("ip") else { throw HarnessFailure("ip is not installed (Debian: apt-get install -y iproute2)") }
        return (ip, ["netns", "exec", namespace(of: id)] + arguments)
    }

    // MARK: - Set-up

    /// Removes stale sets, then makes the bridge, the harness's veth and one namespace per
    /// node. A failure half-way removes what was made and throws, saying which step failed.
    /// `runID` (`<pid>x<n>`) is for tests; by default it is this process's next one.
    public static func create(nodes: [UInt64], runID given: String? = nil) throws(HarnessFailure) -> NamespaceNetwork {
        guard geteuid() == 0 else { throw HarnessFailure("network namespaces need root (this harness runs as uid \(geteuid()))") }
        for tool in ["ip", "iptables-restore"] where NetTool.path(tool) == nil {
            throw HarnessFailure("\(tool) is not installed (Debian: apt-get install -y iptables iproute2)")
        }
        removeStale()
        let runID = given ?? "\(getpid())x\(counter.wrappingAdd(1, ordering: .relaxed).oldValue)"
        guard ownerPid(runID) != nil, runID.count <= 13 else {
            throw HarnessFailure("run id \(runID) is not <pid>x<n> (at most 13 characters)")
        }
        let lock = SubnetLock()
        defer { lock.release() }
        let network = NamespaceNetwork(runID: runID, subnet: try freeSubnet(), nodes: nodes)
        do {
            try network.makeBridge()
            for id in nodes { try network.makeNode(id) }
        } catch {
            network.remove()
            throw error
        }
        return network
    }

    private func makeBridge() throws(HarnessFailure) {
        let bridge = bridgeNamespace
        try NetTool.run("ip", ["netns", "add", bridge])
        try NetTool.run("ip", ["-n", bridge, "link", "set", "lo", "up"])
        try NetTool.run("ip", ["-n", bridge, "link", "add", "br0", "type", "bridge"])
        try NetTool.run("ip", ["-n", bridge, "link", "set", "br0", "up"])
        try NetTool.run("ip", ["link", "add", hostLink, "type", "veth", "peer", "name", "harness", "netns", bridge])
        try NetTool.run("ip", ["-n", bridge, "link", "set", "harness", "master", "br0", "up"])
        try NetTool.run("ip", ["addr", "add", "\(harnessAddress)/24", "dev", hostLink])
        try NetTool.run("ip", ["link", "set", hostLink, "up"])
    }

    private func makeNode(_ id: UInt64) throws(HarnessFailure) {
        let bridge = bridgeNamespace, node = namespace(of: id)
        try NetTool.run("ip", ["netns", "add", node])
        try NetTool.run("ip", ["-n", bridge, "link", "add", Self.nodeName(id), "type", "veth", "peer", "name", "eth0", "netns", node])
        try NetTool.run("ip", ["-n", bridge, "link", "set", Self.nodeName(id), "master", "br0", "up"])
        try NetTool.run("ip", ["-n", node, "addr", "add", "\(address(of: id))/24", "dev", "eth0"])
        try NetTool.run("ip", ["-n", node, "link", "set", "eth0", "up"])
        try NetTool.run("ip", ["-n", node, "link", "set", "lo", "up"])
        let hooks = "*filter\n:\(Self.chain) - [0:0]\n-A INPUT -j \(Self.chain)\n-A OUTPUT -j \(Self.chain)\nCOMMIT\n"
        try NetTool.run("ip", ["netns", "exec", node, "iptables-restore", "--noflush"], input: hooks)
    }

    /// The first 10.213.S.0/24 that no address or route of this namespace uses.
    private static func freeSubnet() throws(HarnessFailure) -> Int {
        let used = (try NetTool.run("ip", ["-4", "-o", "addr", "show"])) + (try NetTool.run("ip", ["-4", "route", "show", "table", "all"]))
        let first = Int(getpid()) % 256
        for offset in 0..<256 {
            let subnet = (first + offset) % 256
            if !used.contains("10.213.\(subnet).") { return subnet }
        }
        throw HarnessFailure("every 10.213.S.0/24 subnet is in use on this machine; remove stale corral-chaos links (ip link)")
    }

    // MARK: - Teardown

    /// Deletes the harness's veth and every namespace of the run (their veths and iptables
    /// rules go with them). Safe to call twice and after a half-made set-up.
    public func remove() {
        let first = removed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        _ = try? NetTool.run("ip", ["link", "del", hostLink])
        for namespace in namespaces { _ = try? NetTool.run("ip", ["netns", "del", namespace]) }
    }

    /// Removes every namespace and harness veth of a run whose process is gone; returns their
    /// names.
    @discardableResult
    public static func removeStale() -> [String] {
        var gone: [String] = []
        let links = (try? NetTool.run("ip", ["-o", "link", "show"])) ?? ""
        for line in links.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 1 else { continue }
            let name = String(fields[1].split(separator: "@").first ?? "").trimmingCharacters(in: CharacterSet(charactersIn: ":"))
            guard name.hasPrefix("cc"), let pid = ownerPid(String(name.dropFirst(2))), !alive(pid) else { continue }
            if (try? NetTool.run("ip", ["link", "del", name])) != nil { gone.append(name) }
        }
        let listed = (try? NetTool.run("ip", ["netns", "list"])) ?? ""
        for line in listed.split(separator: "\n") {
            guard let name = line.split(separator: " ").first.map(String.init), name.hasPrefix(prefix),
                let pid = ownerPid(String(name.dropFirst(prefix.count).prefix { $0 != "-" })), !alive(pid)
            else { continue }
            if (try? NetTool.run("ip", ["netns", "del", name])) != nil { gone.append(name) }
        }
        return gone
    }

    /// The pid in a run id `<pid>x<n>`, or nil when `text` is not one.
    static func ownerPid(_ text: String) -> pid_t? {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
        return pid_t(parts[0])
    }

    private static func alive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }
}

/// Serialises the choice of a subnet between harnesses on one machine (an flock on a file).
private struct SubnetLock {
    let descriptor: Int32

    init() {
        descriptor = open("/tmp/corral-chaos-network.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if descriptor >= 0 { while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {} }
    }

    func release() {
        if descriptor >= 0 { close(descriptor) }
    }
}
