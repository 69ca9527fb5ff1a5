import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// `corral run -p` through a master and a real agent: the task takes its host port from an
/// offer, runs on the agent's bridge, answers on that port, and the port goes with it. The
/// master, the agent and the CLI all run in a network namespace of the test's own (through a
/// wrapper), where the bridge and its rules live.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .serialized, .offCooperativePool)
struct ClusterPortMappingTests {
    @Test func corralRunPublishesATaskPortOnItsAgent() async throws {
        try await offCooperativePool {
            let namespace = try TestNetworkNamespace()
            defer { namespace.remove() }
            let wrapperDirectory = NSTemporaryDirectory() + "corral-cluster-ports-\(UUID().uuidString.prefix(8).lowercased())"
            try FileManager.default.createDirectory(atPath: wrapperDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: wrapperDirectory) }
            let wrapper = try namespace.corralWrapper(in: wrapperDirectory)
            let cluster = try MasterQuorum(masters: 1, binary: wrapper)
            defer { cluster.stopAll() }
            try await cluster.startAll(waitForHealth: false)
            try cluster.startAgent("a", resources: "cpus:2;mem:512;disk:100;ports:[31000-31010]", imageRoot: try RunnerFixture.imageRoot.get())
            let masters = cluster.address(1).description
            func corral(_ arguments: String...) throws -> ChildProcess.Outcome {
                try ChildProcess.run(wrapper, arguments, scratch: cluster.root)
            }
            try await cluster.waitUntil("the agent listed by corral agents", seconds: 30) {
                (try corral("agents", "--masters", masters, "--json")).lines.joined().contains("agent-a")
            }

            let bad = try corral("run", "--masters", masters, "-p", "80", "--", "true")
            #expect(bad.status == 64 && bad.stderr.contains("give HOSTPORT:CONTAINERPORT[/tcp|udp]"), "\(bad.summary)")

            let started = try corral(
                "run", "--masters", masters, "-d", "--name", "web", "--image", "busybox", "-p", "31005:80", "--",
                "mkdir -p /www && echo from-$MESOS_TASK_ID > /www/index.html && exec httpd -f -p 80 -h /www")
            #expect(started.status == 0 && started.lines == ["web"], "\(started.summary)\n\(cluster.logs())")
            try await cluster.waitUntil("the task answers on host port 31005", seconds: 30) {
                try namespace.run(["busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:31005/"]).output.contains("from-web")
            }
            #expect(try namespace.portRules().contains("--dport 31005"))

            let stopped = try corral("stop", "--masters", masters, "web")
            #expect(stopped.status == 0, "\(stopped.summary)")
            try await cluster.waitUntil("the port and the lease go with the task", seconds: 30) {
                !(try namespace.portRules().contains("31005")) && namespace.leases().isEmpty
            }
        }
    }
}
