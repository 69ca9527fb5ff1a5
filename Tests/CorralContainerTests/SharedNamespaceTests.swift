import CorralContainer
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A container can join another container's network, IPC and UTS namespaces (as the tasks
/// of a Mesos task group share their executor's) while keeping its own mount and PID ones.
@Suite("Shared namespaces")
struct SharedNamespaceTests {
    @Test func aContainerJoinsTheNetworkIPCAndUTSNamespacesOfAnother() throws {
        let holder = try TestSandbox("hold")
        defer { holder.expectNothingLeft() }
        let holderContainer = Container(
            spec: try holder.spec(["sleep", "30"]) { $0.hostname = "group-host" }, paths: holder.paths)
        let holderPID = try holderContainer.start()
        defer {
            try? holderContainer.stop(grace: .zero)
            _ = try? holderContainer.wait()
        }
        let link = { (kind: String, pid: Int32) in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(kind)")) ?? "none"
        }

        let member = try TestSandbox("memb")
        defer { member.expectNothingLeft() }
        let script = "hostname; for ns in net ipc uts mnt pid; do readlink /proc/self/ns/$ns; done"
        let spec = try member.spec(["sh", "-c", script]) {
            $0.network = .host
            $0.joinNamespacesOf = holderPID
            $0.hostname = "ignored"
        }
        let exit = try Container(spec: spec, paths: member.paths).run()
        #expect(exit.status == .exited(0), "\(member.stderr())")
        let lines = member.stdout().split(separator: "\n").map(String.init)
        #expect(lines.first == "group-host", "the hostname is the joined UTS namespace's")
        #expect(Array(lines.dropFirst().prefix(3)) == ["net", "ipc", "uts"].map { link($0, holderPID) })
        #expect(lines.count == 6)
        #expect(lines[4] != link("mnt", holderPID), "its own mount namespace")
        #expect(lines[5] != link("pid", holderPID), "its own PID namespace")
    }

    @Test func joiningAProcessThatIsGoneFailsAtItsStage() throws {
        let member = try TestSandbox("gone")
        defer { member.expectNothingLeft() }
        let spec = try member.spec(["true"]) {
            $0.network = .host
            $0.joinNamespacesOf = Int32.max - 1
        }
        let error = try #require(throws: ContainerError.self) { try Container(spec: spec, paths: member.paths).start() }
        #expect(error.stage.hasPrefix("open(/proc/\(Int32.max - 1)/ns/net"))
    }

    @Test func joiningNeedsTheHostNetworkMode() throws {
        var spec = LaunchSpec(id: "x", arguments: ["true"], network: .none)
        spec.joinNamespacesOf = 42
        #expect(throws: ContainerError.self) { try spec.validate() }
    }
}
