import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// The escape probes under runc (`runc spec`'s masked and read-only paths and device rules,
/// with Docker's capabilities and a writable root, as `docker run` sets them) and under
/// Corral print the same thing.
@Suite(.serialized) struct RuncComparisonTests {
    /// Prints what each probe saw; every line is a fact about the container, not about the host.
    static func probes() throws -> String {
        let disk = try HardeningTests.hostDisk()
        return "stat -c '%t:%T' /proc/keys /proc/timer_list; ls -A /sys/firmware | wc -l; "
            + "{ echo x > /proc/sys/kernel/hostname; } 2>/dev/null || echo sys-refused; "
            + "{ echo b > /proc/sysrq-trigger; } 2>/dev/null || echo sysrq-refused; "
            + "mknod /tmp/disk b \(disk.major) \(disk.minor) && echo made; "
            + "{ head -c 1 /tmp/disk > /dev/null; } 2>/dev/null || echo disk-refused; " + HardeningTests.awaitInitReadable
            + "readlink /proc/1/root; true"
    }

    @Test func theProbesSeeTheSameUnderRuncAndCorral() throws {
        let sandbox = try TestSandbox("runc")
        defer { sandbox.expectNothingLeft() }
        let bundle = sandbox.root + "/bundle"
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        let copied = try CombinedOutput.run("/bin/cp", ["-a", try TestSandbox.busybox.get().directory, bundle + "/rootfs"])
        try #require(copied.status == 0, "\(copied.output)")
        try #require(try CombinedOutput.run("/usr/sbin/runc", ["spec"], directory: bundle).status == 0)
        let configPath = bundle + "/config.json"
        var config = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        var process = try #require(config["process"] as? [String: Any])
        process["terminal"] = false
        process["args"] = ["/bin/sh", "-c", try Self.probes()]
        let dockerCaps = [
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
        ]
        process["capabilities"] = ["bounding": dockerCaps, "effective": dockerCaps, "permitted": dockerCaps]
        config["process"] = process
        config["root"] = ["path": "rootfs", "readonly": false]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let state = sandbox.root + "/runc-state"
        let id = "corral-test-\(sandbox.id)"
        defer { _ = try? CombinedOutput.run("/usr/sbin/runc", ["--root", state, "delete", "--force", id]) }
        let runc = try CombinedOutput.run("/usr/sbin/runc", ["--root", state, "run", "--bundle", bundle, id])
        #expect(runc.status == 0, "\(runc.output)")
        let exit = try Container(spec: try sandbox.spec(["sh", "-c", try Self.probes()]), paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        let expected = "1:3\n1:3\n0\nsys-refused\nsysrq-refused\nmade\ndisk-refused\n/\n"
        #expect(runc.output == expected, "\(runc.output)")
        #expect(sandbox.stdout() == expected, "stderr: \(sandbox.stderr())")
    }
}
