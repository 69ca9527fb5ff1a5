import CorralContainer
import Foundation
import Testing

@Suite("Isolation")
struct IsolationTests {
    @Test func pidOneIsTheContainersInitAndOnlyItsProcessesAreVisible() throws {
        let sandbox = try TestSandbox("pid")
        defer { sandbox.expectNothingLeft() }
        let script = "echo $$; cat /proc/1/comm; echo /proc/[0-9]*"
        let exit = try Container(spec: try sandbox.spec(["sh", "-c", script]), paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        // sh is PID 2 under our init; /proc lists only init and sh (the glob runs in sh).
        #expect(sandbox.stdout().split(separator: "\n") == ["2", "corral-init", "/proc/1 /proc/2"])
    }

    @Test func noHostMountsAreVisible() throws {
        let sandbox = try TestSandbox("mnt")
        defer { sandbox.expectNothingLeft() }
        let exit = try Container(spec: try sandbox.spec(["cat", "/proc/mounts"]), paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        let points = sandbox.stdout().split(separator: "\n").map { String($0.split(separator: " ")[1]) }
        #expect(Array(points.prefix(6)) == ["/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/sys"])
        // The rest are Docker's masked and read-only paths, all under /proc and /sys.
        #expect(points.dropFirst(6).allSatisfy { $0.hasPrefix("/proc/") || $0.hasPrefix("/sys/") }, "\(points)")
        // The host's root device (mounted on / out here) is not mounted anywhere inside.
        let hostMounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        let hostRoot = hostMounts.split(separator: "\n").first { $0.split(separator: " ")[1] == "/" }
        let hostDevice = try #require(hostRoot?.split(separator: " ").first)
        #expect(!sandbox.stdout().contains(hostDevice + " "))
    }

    @Test func networkNoneHasOnlyLoopbackAndItIsUp() throws {
        let sandbox = try TestSandbox("net")
        defer { sandbox.expectNothingLeft() }
        let script = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/flags"
        let exit = try Container(spec: try sandbox.spec(["sh", "-c", script]), paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        let lines = sandbox.stdout().split(separator: "\n")
        #expect(lines.first == "lo" && lines.count == 2)
        let flags = lines.last.flatMap { Int($0.dropFirst(2), radix: 16) } ?? 0
        #expect(flags & 0x1 == 0x1, "lo is not up: \(sandbox.stdout())")
    }

    @Test func capabilitiesAreDockersDefaultAndMountFails() throws {
        let sandbox = try TestSandbox("cap")
        defer { sandbox.expectNothingLeft() }
        let script = "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; "
            + "mount -t tmpfs none /tmp && echo mounted"
        let exit = try Container(spec: try sandbox.spec(["sh", "-c", script]), paths: sandbox.paths).run()
        #expect(exit.status == .exited(1))
        let fields = sandbox.stdout().split(separator: "\n").map {
            $0.split(separator: "\t").map(String.init)
        }
        #expect(
            fields == [
                ["CapEff:", "00000000a80425fb"], ["CapBnd:", "00000000a80425fb"], ["NoNewPrivs:", "1"],
            ]
        )
        #expect(sandbox.stderr().contains("ermission denied") || sandbox.stderr().contains("not permitted"))
    }

    @Test func hostRootfsStillGetsItsOwnPidNamespace() throws {
        let sandbox = try TestSandbox("hst")
        defer { sandbox.expectNothingLeft() }
        let spec = LaunchSpec(
            id: sandbox.id,
            arguments: ["/bin/sh", "-c", "echo $$; test -d \(sandbox.root)"]
        )
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        #expect(sandbox.stdout() == "2\n")
    }

    @Test func aFailedExecReportsItsStageAndLeavesNothing() throws {
        let sandbox = try TestSandbox("err")
        defer { sandbox.expectNothingLeft() }
        let container = Container(spec: try sandbox.spec(["/no/such/program"]), paths: sandbox.paths)
        let error = try #require(throws: ContainerError.self) { try container.start() }
        #expect(error.code == .launch)
        #expect(error.stage == "execve(/no/such/program)")
        #expect(error.errorNumber == ENOENT)
        #expect(throws: ContainerError.self) { try container.wait() }
    }
}

@Suite("Process settings")
struct ProcessSettingTests {
    @Test func userRlimitsWorkdirAndEnvironmentApply() throws {
        let sandbox = try TestSandbox("usr")
        defer { sandbox.expectNothingLeft() }
        let script = "id -u; id -g; ulimit -n; pwd; echo $GREETING; grep CapEff /proc/self/status"
        let spec = try sandbox.spec(["sh", "-c", script]) {
            $0.user = UserSpec(uid: 1000, gid: 1001)
            $0.resourceLimits = [ResourceLimit(.openFiles, soft: 64, hard: 64)]
            $0.workingDirectory = "/tmp"
            $0.environment += ["GREETING=hi"]
        }
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        // A non-root task keeps no effective capability across exec (no ambient set).
        #expect(sandbox.stdout() == "1000\n1001\n64\n/tmp\nhi\nCapEff:\t0000000000000000\n")
    }

    @Test func hostNetworkSeesTheHostsInterfaces() throws {
        let sandbox = try TestSandbox("hnet")
        defer { sandbox.expectNothingLeft() }
        let spec = try sandbox.spec(["cat", "/proc/net/dev"]) { $0.network = .host }
        #expect(try Container(spec: spec, paths: sandbox.paths).run().status == .exited(0))
        let inside = sandbox.stdout().split(separator: "\n").dropFirst(2).map { $0.split(separator: ":")[0] }
        let host = try String(contentsOfFile: "/proc/net/dev", encoding: .utf8)
            .split(separator: "\n").dropFirst(2).map { $0.split(separator: ":")[0] }
        #expect(
            Set(inside.map { $0.trimmingCharacters(in: .whitespaces) })
                == Set(host.map { $0.trimmingCharacters(in: .whitespaces) })
        )
    }
}
