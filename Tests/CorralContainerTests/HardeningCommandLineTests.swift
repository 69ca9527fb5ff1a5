import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// `corral container run --read-only`, `--security-opt` and `--userns`, run as a user runs them.
@Suite(.serialized) struct HardeningCommandLineTests {
    @Test func readOnlyAndSeccompUnconfinedReachTheContainerAndABadOptionIsNamed() throws {
        let sandbox = try TestSandbox("clih")
        defer { try? FileManager.default.removeItem(atPath: sandbox.root) }
        let root = ["--root", sandbox.root]
        let imported = try CombinedOutput.corral(["image", "import-rootfs", "busybox", try TestSandbox.busybox.get().directory] + root)
        #expect(imported.status == 0, "\(imported.output)")
        let script = "grep Seccomp: /proc/self/status | tr -d '\\t'; touch /probe && echo wrote; true"
        let run = ["container", "run", "--net", "none", "--image", "busybox"] + root
        let confined = try CombinedOutput.corral(run + ["--", "/bin/sh", "-c", script])
        #expect(confined.status == 0, "\(confined.output)")
        #expect(confined.output.contains("Seccomp:2") && confined.output.contains("wrote"), "\(confined.output)")
        let hardened = try CombinedOutput.corral(
            run + ["--read-only", "--security-opt", "seccomp=unconfined", "--", "/bin/sh", "-c", script])
        #expect(hardened.status == 0, "\(hardened.output)")
        #expect(hardened.output.contains("Seccomp:0") && !hardened.output.contains("wrote"), "\(hardened.output)")
        #expect(hardened.output.contains("Read-only file system"), "\(hardened.output)")
        let bad = try CombinedOutput.corral(run + ["--security-opt", "apparmor=x", "--", "/bin/true"])
        #expect(bad.status != 0)
        #expect(bad.output.contains("seccomp=unconfined"), "the known options are named: \(bad.output)")
        let mapped = try CombinedOutput.corral(run + ["--userns", "300000:300000:1000", "--", "/bin/sh", "-c", "id -u; cat /proc/self/uid_map"])
        #expect(mapped.status == 0, "\(mapped.output)")
        #expect(mapped.output.split(whereSeparator: \.isWhitespace) == ["0", "0", "300000", "1000"], "\(mapped.output)")
        let unreadable = try CombinedOutput.corral(run + ["--userns", "many", "--", "/bin/true"])
        #expect(unreadable.status != 0)
        #expect(unreadable.output.contains("HOSTUID[:HOSTGID[:SIZE]]"), "\(unreadable.output)")
    }
}
