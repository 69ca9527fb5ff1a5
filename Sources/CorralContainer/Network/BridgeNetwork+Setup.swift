import Foundation

// MARK: - The bridge and its rules

extension BridgeNetwork {
    /// Makes the bridge with the gateway address if it is missing, turns on forwarding, and
    /// adds the NAT and forwarding rules it needs if they are missing. Call under the lock.
    func ensureBridge() throws {
        let gateway = "\(IPv4Subnet.text(subnet.gateway))/\(subnet.prefixLength)"
        let shown = try NetworkTool.attempt("ip", ["-o", "-4", "addr", "show", "dev", name])
        if shown.status != 0 {
            try NetworkTool.run(
                "ip", ["-batch", "-"],
                input: """
                    link add \(name) type bridge
                    addr add \(gateway) dev \(name)
                    link set \(name) up

                    """)
        } else if !shown.output.contains(" \(gateway) ") {
            throw ContainerError(
                .network, stage: "bridge \(name)",
                cause: "it exists without the address \(gateway); remove it (ip link del \(name)) or name another subnet")
        }
        try writeSysctl("net/ipv4/ip_forward", "1")
        // Published ports answer on 127.0.0.1 too: the DNAT'd packets keep a loopback source,
        // which the bridge must route and the masquerade below rewrites.
        try writeSysctl("net/ipv4/conf/\(name)/route_localnet", "1")
        _ = try NetworkTool.attempt("iptables", ["-w", "-t", "nat", "-N", Self.portsChain])
        let rules: [(table: String, chain: String, rule: [String])] = [
            ("nat", "PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", Self.portsChain]),
            ("nat", "OUTPUT", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", Self.portsChain]),
            ("nat", "POSTROUTING", ["-s", subnet.description, "!", "-o", name, "-j", "MASQUERADE"]),
            ("nat", "POSTROUTING", ["-o", name, "-m", "addrtype", "--src-type", "LOCAL", "-j", "MASQUERADE"]),
            ("filter", "FORWARD", ["-i", name, "-j", "ACCEPT"]),
            ("filter", "FORWARD", ["-o", name, "-j", "ACCEPT"]),
        ]
        for (table, chain, rule) in rules {
            let present = try NetworkTool.attempt("iptables", ["-w", "-t", table, "-C", chain] + rule)
            if present.status != 0 { try NetworkTool.run("iptables", ["-w", "-t", table, "-A", chain] + rule) }
        }
    }

    private func writeSysctl(_ key: String, _ value: String) throws {
        let path = "/proc/sys/" + key
        if let current = try? ContainerSyscall.readFile(path), current.trimmingCharacters(in: .whitespacesAndNewlines) == value {
            return
        }
        do {
            try ContainerSyscall.writeFile(path, value, code: .network)
        } catch {
            throw ContainerError(.network, stage: "sysctl \(key.replacingOccurrences(of: "/", with: ".")) = \(value)", cause: "\(error)")
        }
    }

    // MARK: - Name resolution files

    /// Writes the container's `hosts` (its name on its address) and `resolv.conf` (the host's
    /// name servers that a container can reach: not loopback ones) into `directory`, and
    /// returns the bind mounts that put them at `/etc/hosts` and `/etc/resolv.conf`.
    /// `lowerDirectories` (top first) are the image's: a file the image has as a symlink is
    /// left to the image, since a bind mount refuses to follow it.
    public func nameFiles(
        for lease: Lease, hostname: String, directory: String, lowerDirectories: [String]?
    ) throws -> [BindMount] {
        let hosts = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            \(lease.addressText)\t\(hostname)

            """
        let servers = ((try? ContainerSyscall.readFile("/etc/resolv.conf")) ?? "")
            .split(separator: "\n")
            .filter { line in
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard words.first == "nameserver", words.count > 1 else { return words.first == "search" || words.first == "options" }
                return !words[1].hasPrefix("127.") && words[1] != "::1"
            }
        let resolv = "# written by corral for a container on bridge \(name)\n" + servers.joined(separator: "\n") + "\n"
        var mounts: [BindMount] = []
        for (file, text) in [("hosts", hosts), ("resolv.conf", resolv)] {
            let target = "/etc/" + file
            if let lowerDirectories, Self.isSymlinkInImage(target, lowerDirectories) { continue }
            let path = "\(directory)/\(file)"
            try Syscall.writeAtomically(Array(text.utf8), to: path)
            mounts.append(BindMount(source: path, target: target))
        }
        return mounts
    }

    /// Whether the topmost layer that has `path` has it as a symlink.
    static func isSymlinkInImage(_ path: String, _ lowerDirectories: [String]) -> Bool {
        for layer in lowerDirectories {
            var info = stat()
            if lstat(layer + path, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFLNK }
        }
        return false
    }
}
