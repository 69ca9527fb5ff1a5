import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// The `corral image` and `corral container` verbs, run as a user runs them: the built
/// binary, a private state root, and the busybox image imported from Debian's busybox-static.
@Suite(.serialized) struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
    }

    private static func corral(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locateBinary())
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

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
            ["container", "run", "--name", name, "--image", "busybox"] + root + ["--", "/bin/sh", "-c", "hostname; echo out; exit 3"])
        #expect(run.status == 3, "the container's exit code comes back: \(run.output)")
        #expect(run.output.contains("out"))

        let ps = try Self.corral(["container", "ps", "-a"] + root)
        #expect(ps.output.contains(name))
        #expect(ps.output.contains("Exited (3)"), "\(ps.output)")
        #expect(try Self.corral(["container", "logs", name] + root).output.contains("out"))
        #expect(try Self.corral(["container", "rm", name] + root).status == 0)
        #expect(!(try Self.corral(["container", "ps", "-a"] + root).output.contains(name)))

        let missing = try Self.corral(["container", "run", "--image", "nope"] + root + ["--", "/bin/true"])
        #expect(missing.status != 0)
        #expect(missing.output.contains("nope"), "a missing image is named: \(missing.output)")
    }
}
