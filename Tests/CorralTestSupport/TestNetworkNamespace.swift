import CorralContainer
import Foundation

/// A network namespace of the test's own (`ip netns add`), in which a test runs `corral` and
/// probes: the bridge, its links and its iptables rules all live there, and go with it.
/// Commands enter it with `nsenter --net`, which (unlike `ip netns exec`) keeps this
/// process's mounts, so cgroups stay where the launcher looks for them.
public final class TestNetworkNamespace {
    public let name: String
    public var path: String { "/run/netns/\(name)" }

    public init() throws {
        name = "corral-test-\(getpid())-\(UUID().uuidString.prefix(6).lowercased())"
        try NetworkTool.run("ip", ["netns", "add", name])
        try NetworkTool.run("ip", ["-n", name, "link", "set", "lo", "up"])
    }

    /// Where the namespace's bridge leases live (`BridgeNetwork`'s default state directory).
    public var leaseDirectory: String {
        var info = stat()
        let inode = stat(path, &info) == 0 ? String(info.st_ino) : "?"
        return "\(BridgeNetwork.defaultStateDirectory)/net-\(inode)"
    }

    /// The leased addresses on its `corral0`.
    public func leases() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: leaseDirectory + "/corral0/leases")) ?? []
    }

    /// Removes the namespace and with it every link and rule made in it, and its leases.
    public func remove() {
        try? FileManager.default.removeItem(atPath: leaseDirectory)
        _ = try? NetworkTool.attempt("ip", ["netns", "del", name])
    }

    public typealias Run = CombinedOutput.Run

    /// Runs `arguments` (a program and its arguments) inside the namespace; stdout and
    /// stderr together.
    public func run(_ arguments: [String]) throws -> Run {
        let outcome = try NetworkTool.attempt("nsenter", ["--net=\(path)"] + arguments)
        return Run(status: outcome.status, output: outcome.output + outcome.errors)
    }

    /// A script that runs the built `corral` inside the namespace, for code that starts
    /// `corral` itself (an agent's supervisors); written under `directory`.
    public func corralWrapper(in directory: String) throws -> String {
        let path = directory + "/corral-in-\(name)"
        let script = "#!/bin/sh\nexec nsenter --net=\(self.path) \(try CorralBinary.locate()) \"$@\"\n"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// Runs the built `corral` inside the namespace.
    public func corral(_ arguments: [String]) throws -> Run { try run([try CorralBinary.locate()] + arguments) }

    /// The nat rules of the published ports.
    public func portRules() throws -> String { try run(["iptables", "-w", "-t", "nat", "-S", "CORRAL-PORTS"]).output }

    /// The links' names.
    public func links() throws -> String { try run(["ip", "-br", "link"]).output }
}
