import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// The `corral image` and `corral container` verbs, run as a user runs them: the built
/// binary, a private state root, and the busybox image imported from Debian's busybox-static.
@Suite(.serialized) struct CommandLineTests {
    typealias Run = CombinedOutput.Run

    private static func corral(_ arguments: [String]) throws -> Run { try CombinedOutput.corral(arguments) }

    private static func locateBinary() throws -> String { try CorralBinary.locate() }

    @Test func importRunPsLogsAndRemoveFromTheCommandLine() throws {
        let sandbox = try TestSandbox("cli")
        defer { try? FileManager.default.removeItem(atPath: sandbox.root) }
        let rootfs = try TestSandbox.busybox.get().directory
        let root = ["--root", sandbox.root]

        let imported = try Self.corral(["image", "import-rootfs", "busybox", rootfs] + root)
        #expect(imported.status == 0, "\(imported.output)")
        #expect(try Self.corral(["image", "ls"] + root).output.contains("busybox"))

        let name = "cli-\(sandbox.id)"
        let run = try Self.corral(
            ["container", "run", "--net", "none", "--name", name, "--image", "busybox"] + root + ["--", "/bin/sh", "-c", "hostname; echo out; exit 3"])
        #expect(run.status == 3, "the container's exit code comes back: \(run.output)")
        #expect(run.output.contains("out"))

        let ps = try Self.corral(["container", "ps", "-a"] + root)
        #expect(ps.output.contains(name))
        #expect(ps.output.contains("Exited (3)"), "\(ps.output)")
        #expect(try Self.corral(["container", "logs", name] + root).output.contains("out"))
        #expect(try Self.corral(["container", "rm", name] + root).status == 0)
        #expect(!(try Self.corral(["container", "ps", "-a"] + root).output.contains(name)))

        let missing = try Self.corral(["container", "run", "--net", "none", "--image", "nope"] + root + ["--", "/bin/true"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("nope"), "a missing image is named: \(missing.output)")
    }

    /// A running container writes a file and deletes one; `container commit` makes an image
    /// of it, and a container of that image sees both, while the first one ran on.
    @Test func commitARunningContainerAndRunItsImage() throws {
        let sandbox = try TestSandbox("commit")
        defer { try? FileManager.default.removeItem(atPath: sandbox.root) }
        let root = ["--root", sandbox.root]
        #expect(try Self.corral(["image", "import-rootfs", "busybox", try TestSandbox.busybox.get().directory] + root).status == 0)
        let name = "commit-\(sandbox.id)"
        defer { _ = try? Self.corral(["container", "stop", name, "--grace", "0"] + root) }
        let started = try Self.corral(
            ["container", "run", "--net", "none", "-d", "--name", name, "--image", "busybox"] + root
                + ["--", "/bin/sh", "-c", "echo patched > /etc/motd; rm /bin/vi; touch /ready; sleep 60"])
        #expect(started.status == 0, "\(started.output)")
        let upper = sandbox.root + "/containers"
        var ready = false
        for _ in 0..<200 where !ready {
            ready = (try? FileManager.default.subpathsOfDirectory(atPath: upper))?.contains { $0.hasSuffix("upper/ready") } ?? false
            if !ready { usleep(50_000) }
        }
        try #require(ready, "the container never wrote /ready")
        let committed = try Self.corral(["container", "commit", name, "busybox:patched"] + root)
        #expect(committed.status == 0, "\(committed.output)")
        #expect(try Self.corral(["container", "ps"] + root).output.contains(name), "it runs on after the commit")
        let check = try Self.corral(
            ["container", "run", "--net", "none", "--image", "busybox:patched"] + root
                + ["--", "/bin/sh", "-c", "cat /etc/motd; test -e /bin/vi && echo vi-still-there; test -e /ready && echo ready"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("patched") && check.output.contains("ready"), "\(check.output)")
        #expect(!check.output.contains("vi-still-there"), "a deleted file stays deleted: \(check.output)")

        _ = try Self.corral(["container", "stop", name, "--grace", "0"] + root)
        let stopped = try Self.corral(["container", "commit", name, "busybox:late"] + root)
        #expect(stopped.status != 0 && stopped.output.contains("running"), "\(stopped.output)")
    }
}
