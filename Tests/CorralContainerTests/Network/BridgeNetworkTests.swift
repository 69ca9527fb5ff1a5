import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// `corral container run --net bridge`, run as a user runs it, inside a network namespace of
/// the test's own: each container gets an address on the bridge, name files, outbound NAT and
/// its published ports; everything is removed when it stops, or swept after its supervisor
/// dies.
@Suite(.serialized) struct BridgeNetworkTests {
    /// Runs `attempt` until it exits 0 (a server may take a moment to listen), at most 5 s.
    static func eventually(_ attempt: () throws -> TestNetworkNamespace.Run) throws -> TestNetworkNamespace.Run {
        var last = try attempt()
        for _ in 0..<100 where last.status != 0 {
            usleep(50_000)
            last = try attempt()
        }
        return last
    }

    /// Kills what a failed test may have left running in its root (before the namespace and
    /// the root go): every container's cgroup members, its supervisor first.
    /// `container rm` (in the namespace, where its links and rules are) then removes the rest.
    static func killEverything(in sandbox: TestSandbox, _ namespace: TestNetworkNamespace) {
        for record in (try? ContainerStore(root: sandbox.root).list()) ?? [] {
            if case .running(_, let supervisor) = record.state { kill(supervisor.pid, SIGKILL) }
            let members = (try? String(contentsOfFile: "/sys/fs/cgroup/pids/corral/\(record.id)/cgroup.procs", encoding: .utf8)) ?? ""
            for pid in members.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            _ = try? namespace.corral(["container", "rm", record.id, "--root", sandbox.root])
        }
    }

    /// A detached web server on the bridge: it answers with its hostname.
    static func startServer(_ name: String, in namespace: TestNetworkNamespace, root: [String]) throws -> TestNetworkNamespace.Run {
        try namespace.corral(
            ["container", "run", "-d", "--name", name, "--image", "busybox", "-p", "18080:8080"] + root
                + ["--", "/bin/sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"])
    }

    @Test func bridgedContainersGetAddressesNamesNATAndPublishedPorts() throws {
        let sandbox = try TestSandbox("bridge")
        let namespace = try TestNetworkNamespace()
        let root = ["--root", sandbox.root]
        let web = "web-\(sandbox.id)"
        defer {
            _ = try? namespace.corral(["container", "stop", web, "--grace", "0"] + root)
            Self.killEverything(in: sandbox, namespace)
            namespace.remove()
            sandbox.expectNothingLeft()
        }
        #expect(try namespace.corral(["image", "import-rootfs", "busybox", try TestSandbox.busybox.get().directory] + root).status == 0)

        let started = try Self.startServer(web, in: namespace, root: root)
        try #require(started.status == 0, "\(started.output)")
        // The published port answers on the namespace's own loopback, as Docker's does.
        let fetched = try Self.eventually { try namespace.run(["busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:18080/"]) }
        #expect(fetched.status == 0 && fetched.output.contains(web), "\(fetched.output)")

        // A second container has the next address and its own name in /etc/hosts; it reaches
        // the first across the bridge, and an address off the bridge through the gateway.
        try namespace.run(["ip", "link", "add", "outside0", "type", "veth", "peer", "name", "outside1"]).expectSuccess()
        try namespace.run(["ip", "link", "set", "outside1", "up"]).expectSuccess()
        try namespace.run(["ip", "addr", "add", "192.0.2.1/24", "dev", "outside0"]).expectSuccess()
        try namespace.run(["ip", "link", "set", "outside0", "up"]).expectSuccess()
        let probe = try namespace.corral(
            ["container", "run", "--name", "probe-\(sandbox.id)", "--image", "busybox"] + root
                + [
                    "--", "/bin/sh", "-c",
                    "ip -4 -o addr show eth0; cat /etc/hosts; wget -q -O - http://10.88.0.2:8080/; ping -c 1 -W 2 192.0.2.1 >/dev/null && echo outside-ok",
                ])
        #expect(probe.status == 0, "\(probe.output)")
        #expect(probe.output.contains("inet 10.88.0.3/16"), "\(probe.output)")
        #expect(probe.output.contains("10.88.0.3\tprobe-\(sandbox.id)"), "\(probe.output)")
        #expect(probe.output.contains(web), "it reaches the server across the bridge: \(probe.output)")
        #expect(probe.output.contains("outside-ok"), "\(probe.output)")
        let nat = try namespace.run(["iptables", "-w", "-t", "nat", "-S", "POSTROUTING"]).output
        #expect(nat.contains("-s 10.88.0.0/16 ! -o corral0 -j MASQUERADE"), "\(nat)")

        // A host port another container publishes is refused, saying by whom.
        let clash = try namespace.corral(["container", "run", "--image", "busybox", "-p", "18080:80"] + root + ["--", "true"])
        #expect(clash.status != 0 && clash.output.contains("already published by container"), "\(clash.output)")
        // So is one something on the host listens on (a server in the namespace, outside any
        // container), and -p without the bridge.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        holder.arguments = ["--net=\(namespace.path)", "/bin/busybox", "nc", "-l", "-p", "18082"]
        try holder.runWithoutInheritedFiles()
        defer {
            // SIGKILL: a child of the test runner starts with SIGTERM blocked.
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        var held = try namespace.corral(["container", "run", "--image", "busybox", "-p", "18082:80"] + root + ["--", "true"])
        for _ in 0..<100 where !held.output.contains("in use") {
            usleep(20_000)
            held = try namespace.corral(["container", "run", "--image", "busybox", "-p", "18082:80"] + root + ["--", "true"])
        }
        #expect(held.status != 0 && held.output.contains("host port 18082/tcp is in use on this host"), "\(held.output)")
        let notBridged = try namespace.corral(
            ["container", "run", "--net", "none", "-p", "18081:80"] + root + ["--", "true"])
        #expect(notBridged.status != 0 && notBridged.output.contains("bridge"), "\(notBridged.output)")

        // Stopping the server removes its rule, its link and its lease.
        #expect(try namespace.portRules().contains("--dport 18080"))
        #expect(try namespace.corral(["container", "stop", web, "--grace", "0"] + root).status == 0)
        #expect(!(try namespace.portRules().contains("18080")), "the DNAT rule is removed")
        let links = try namespace.links()
        #expect(!links.contains("vc"), "the veth pair is gone: \(links)")
        #expect(namespace.leases().isEmpty, "\(namespace.leases())")
    }

    @Test func aDeadSupervisorsAddressAndPortsAreSweptByTheNextRun() throws {
        let sandbox = try TestSandbox("sweep")
        let namespace = try TestNetworkNamespace()
        let root = ["--root", sandbox.root]
        defer {
            Self.killEverything(in: sandbox, namespace)
            namespace.remove()
            sandbox.expectNothingLeft()
        }
        #expect(try namespace.corral(["image", "import-rootfs", "busybox", try TestSandbox.busybox.get().directory] + root).status == 0)
        let started = try Self.startServer("web-\(sandbox.id)", in: namespace, root: root)
        try #require(started.status == 0, "\(started.output)")
        let record = try #require(try ContainerStore(root: sandbox.root).list().first)
        guard case .running(let initProcess, let supervisor) = record.state else {
            Issue.record("not running: \(record.state)")
            return
        }
        // The supervisor dies, and the container with it (its init, PID 1 of its namespace),
        // before either could release anything.
        for pid in [supervisor.pid, initProcess.pid] {
            kill(pid, SIGKILL)
            var gone = false
            for _ in 0..<100 where !gone {
                gone = !(ProcessIdentity.of(pid: pid).map { $0 == (pid == supervisor.pid ? supervisor : initProcess) } ?? false)
                if !gone { usleep(20_000) }
            }
        }
        #expect(try namespace.portRules().contains("--dport 18080"), "the rule outlives the supervisor")

        // The next run in the same root sweeps: the server is killed, its rule, link and
        // lease removed; the port is free again.
        let next = try namespace.corral(["container", "run", "--image", "busybox", "-p", "18080:80"] + root + ["--", "true"])
        #expect(next.status == 0, "\(next.output)")
        #expect(!(try namespace.portRules().contains("18080")))
        let links = try namespace.links()
        #expect(!links.contains("vc"), "\(links)")
        #expect(namespace.leases().isEmpty, "\(namespace.leases())")
    }
}

extension TestNetworkNamespace.Run {
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 0, "\(output)", sourceLocation: sourceLocation)
    }
}
