import CorralContainer
import CorralTestSupport
import Foundation

/// A network namespace of the test's own (`ip netns add`), in which a test runs `corral` and
/// probes: the bridge, its links and its iptables rules all live there, and go with it.
/// Commands enter it with `nsenter --net`, which (unlike `ip netns exec`) keeps this
/// process's mounts, so cgroups stay where the launcher looks for them.
final class TestNetworkNamespace {
    let name: String
    var path: String { "/run/netns/\(name)" }

    init() throws {
        name = "corral-test-\(getpid())-\(UUID().uuidString.prefix(6).lowercased())"
        try NetworkTool.run("ip", ["netns", "add", name])
        try NetworkTool.run("ip", ["-n", name, "link", "set", "lo", "up"])
    }

    /// Where the namespace's bridge leases live (`BridgeNetwork`'s default state directory).
    var leaseDirectory: String {
        var info = stat()
        let inode = stat(path, &info) == 0 ? String(info.st_ino) : "?"
        return "\(BridgeNetwork.defaultStateDirectory)/net-\(inode)"
    }

    /// The leased addresses on its `corral0`.
    func leases() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: leaseDirectory + "/corral0/leases")) ?? []
    }

    /// Removes the namespace and with it every link and rule made in it, and its leases.
    func remove() {
        try? FileManager.default.removeItem(atPath: leaseDirectory)
        _ = try? NetworkTool.attempt("ip", ["netns", "del", name])
    }

    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs `arguments` (a program and its arguments) inside the namespace; stdout and
    /// stderr together.
    func run(_ arguments: [String]) throws -> Run {
        let outcome = try NetworkTool.attempt("nsenter", ["--net=\(path)"] + arguments)
        return Run(status: outcome.status, output: outcome.output + outcome.errors)
    }

    /// Runs the built `corral` inside the namespace.
    func corral(_ arguments: [String]) throws -> Run { try run([try CorralBinary.locate()] + arguments) }

    /// The nat rules of the published ports.
    func portRules() throws -> String { try run(["iptables", "-w", "-t", "nat", "-S", "CORRAL-PORTS"]).output }

    /// The links' names.
    func links() throws -> String { try run(["ip", "-br", "link"]).output }
}
