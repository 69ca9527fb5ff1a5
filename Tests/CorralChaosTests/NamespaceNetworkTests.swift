import CorralContainer
import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// The namespace mode's set-up and teardown: every namespace and veth a run makes is gone
/// afterwards, after a set-up that failed half-way, and after a run that was SIGKILLed (the
/// next start removes its set by name).
@Suite(.serialized, .offCooperativePool) struct NamespaceNetworkTests {
    /// Names of every network namespace and of every link in this namespace that contain `text`.
    static func leftovers(_ text: String) throws -> [String] {
        let namespaces = try output("/usr/sbin/ip", ["netns", "list"])
        let links = try output("/usr/sbin/ip", ["-o", "link", "show"])
        return (namespaces + links).split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }

    static func output(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.runWithoutInheritedFiles()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A pid that is not running: a child that has exited and been reaped.
    static func deadPid() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.runWithoutInheritedFiles()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func setUpMakesEveryNamespaceAndTeardownRemovesThem() throws {
        let network = try NamespaceNetwork.create(nodes: [1, 2, 3])
        defer { network.remove() }
        let made = try Self.leftovers(network.runID)
        for namespace in network.namespaces { #expect(made.contains { $0.hasPrefix(namespace) }, "\(namespace) missing: \(made)") }
        #expect(made.contains { $0.contains(" \(network.hostLink)@") }, "the harness veth is missing: \(made)")
        // The harness reaches every master's address from its own namespace.
        for id in network.nodes {
            let listener = try NamespaceProbe.listener(in: network.namespace(of: id))
            defer { close(listener.socket) }
            #expect(try NamespaceProbe.connects(from: nil, to: network.address(of: id), port: listener.port))
        }
        network.remove()
        #expect(try Self.leftovers(network.runID).isEmpty)
        network.remove()  // a second call is harmless
    }

    @Test func aSetUpThatFailsHalfWayRemovesWhatItMade() throws {
        let runID = "\(getpid())x9\(Int.random(in: 100...999))"
        // Master 2's namespace already exists, so its `ip netns add` fails after the bridge and master 1 were made.
        _ = try Self.output("/usr/sbin/ip", ["netns", "add", "\(NamespaceNetwork.prefix)\(runID)-m2"])
        defer { _ = try? Self.output("/usr/sbin/ip", ["netns", "del", "\(NamespaceNetwork.prefix)\(runID)-m2"]) }
        #expect {
            _ = try NamespaceNetwork.create(nodes: [1, 2, 3], runID: runID)
        } throws: { error in
            "\(error)".contains("ip netns add \(NamespaceNetwork.prefix)\(runID)-m2 failed")
        }
        #expect(try Self.leftovers(runID).isEmpty, "left behind")
    }

    /// A run whose process died (SIGKILL) leaves its set; the next set-up removes it, and
    /// leaves the sets of live processes alone.
    @Test func theNextStartRemovesTheSetOfADeadRun() throws {
        let dead = "\(try Self.deadPid())x0"
        // Made in this order because every set-up removes stale sets first.
        let live = try NamespaceNetwork.create(nodes: [1])
        defer { live.remove() }
        // A set-up running beside this test (tests and chaos runs share the machine) removes
        // the dead run's set as soon as it sees it, which is the behaviour under test; make it
        // again until it is seen whole.
        var made: [String] = []
        for _ in 0..<10 where made.count != 4 {
            // Its own making can fail half-way for the same reason (the set removed under it).
            guard let stale = try? NamespaceNetwork.create(nodes: [1, 2], runID: dead) else { continue }
            made = try Self.leftovers(dead)
            if made.count != 4 { stale.remove() }
        }
        defer { _ = NamespaceNetwork.removeStale() }
        #expect(made.count == 4, "\(made)")
        let next = try NamespaceNetwork.create(nodes: [1])
        next.remove()
        #expect(try Self.leftovers(dead).isEmpty, "the dead run's set is still there")
        #expect(try Self.leftovers(live.runID).count == 3, "a live run's set was removed")
        #expect(NamespaceNetwork.removeStale().isEmpty)
    }

    /// Where namespaces cannot be made, `auto` falls back to loopback and says why; a scenario
    /// with partitions, or one that asks for namespaces, fails instead.
    @Test func theLoopbackFallbackSaysWhy() throws {
        let unavailable = { (_: [UInt64]) throws(HarnessFailure) -> NamespaceNetwork in throw HarnessFailure("no netns here") }
        let fallback = try ClusterNetwork.make(.auto, nodes: [1, 2, 3], partitions: false, create: unavailable)
        #expect(fallback.namespaces == nil && fallback.host(of: 2) == "127.0.0.12")
        #expect(fallback.description.hasPrefix("loopback fallback (network namespaces could not be made: no netns here)"))
        #expect(throws: HarnessFailure.self) {
            _ = try ClusterNetwork.make(.auto, nodes: [1, 2, 3], partitions: true, create: unavailable)
        }
        #expect(throws: HarnessFailure.self) {
            _ = try ClusterNetwork.make(.namespaces, nodes: [1, 2, 3], partitions: false, create: unavailable)
        }
        #expect(try ClusterNetwork.make(.loopback, nodes: [1], partitions: false, create: unavailable).namespaces == nil)
    }
}
