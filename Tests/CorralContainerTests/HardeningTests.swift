import CorralContainer
import Foundation
import Testing

/// Escape probes run as real containers, each against what Docker's defaults refuse.
@Suite("Hardening")
struct HardeningTests {
    /// Shell that waits (up to 10 s) until PID 1 can be looked at: it is not while the init is
    /// still dropping its privileges and unmapping its memory, right after the task's exec.
    static let awaitInitReadable = "i=0; while ! readlink /proc/1/root >/dev/null 2>&1 && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "

    /// Runs `script` with busybox's sh in a busybox container configured by `configure`.
    static func run(
        _ sandbox: TestSandbox, _ script: String, configure: (inout LaunchSpec) -> Void = { _ in }
    ) throws -> ContainerExit {
        try Container(spec: try sandbox.spec(["sh", "-c", script], configure: configure), paths: sandbox.paths).run()
    }

    /// "MAJOR MINOR" of the host's first disk (/proc/partitions), which the probe tries to read.
    static func hostDisk() throws -> (major: String, minor: String) {
        let lines = try String(contentsOfFile: "/proc/partitions", encoding: .utf8).split(separator: "\n")
        let fields = try #require(lines.dropFirst().first { !$0.isEmpty }).split(separator: " ")
        return (String(fields[0]), String(fields[1]))
    }

    @Test func aBlockDeviceNodeCanBeMadeButNotRead() throws {
        let sandbox = try TestSandbox("dev")
        defer { sandbox.expectNothingLeft() }
        let disk = try Self.hostDisk()
        let script = "mknod /tmp/disk b \(disk.major) \(disk.minor) && echo made; "
            + "head -c 512 /tmp/disk > /dev/null && echo read; echo ok > /dev/null && echo null"
        let exit = try Self.run(sandbox, script)
        #expect(exit.status == .exited(0))
        #expect(sandbox.stdout() == "made\nnull\n", "stderr: \(sandbox.stderr())")
        #expect(sandbox.stderr().contains("not permitted"))
    }

    @Test func dockersMaskedPathsAreEmptyAndItsReadOnlyPathsRefuseWrites() throws {
        let sandbox = try TestSandbox("msk")
        defer { sandbox.expectNothingLeft() }
        let script = "stat -c '%t:%T' /proc/keys /proc/timer_list; cat /proc/timer_list | wc -c; "
            + "ls -A /sys/firmware | wc -l; echo x > /proc/sys/kernel/hostname && echo wrote; "
            + "echo b > /proc/sysrq-trigger && echo triggered; hostname"
        let exit = try Self.run(sandbox, script) { $0.hostname = "probe" }
        #expect(exit.status == .exited(0))
        // /dev/null (1:3) over the files, an empty tmpfs over /sys/firmware; no write went through.
        #expect(sandbox.stdout() == "1:3\n1:3\n0\n0\nprobe\n", "stderr: \(sandbox.stderr())")
        #expect(sandbox.stderr().contains("Read-only file system"))
    }

    @Test(arguments: [UserSpec.root, UserSpec(uid: 1000, gid: 1000)])
    func pidOnesRootIsTheContainersRootAndItsMemoryHoldsNothingOfTheHost(user: UserSpec) throws {
        let sandbox = try TestSandbox("p1r")
        defer { sandbox.expectNothingLeft() }
        // The init kept only its code and stack: no library, no heap of the launching process.
        // It becomes readable a moment after the task starts (once it has dropped its privileges
        // and its memory), so the script waits for that first, up to 10 s.
        let script = Self.awaitInitReadable
            + "readlink /proc/1/root; ls /proc/1/root/bin/busybox; grep -c -e '[.]so' -e heap /proc/1/maps; true"
        let exit = try Self.run(sandbox, script) { $0.user = user }
        #expect(exit.status == .exited(0), "stderr: \(sandbox.stderr())")
        #expect(sandbox.stdout() == "/\n/proc/1/root/bin/busybox\n0\n", "stderr: \(sandbox.stderr())")
    }

    @Test func dockersSeccompProfileRefusesUnshareUnlessUnconfined() throws {
        let confined = try TestSandbox("scp")
        defer { confined.expectNothingLeft() }
        let script = "grep Seccom /proc/self/status | head -1 | tr -d '\\t'; unshare -U true && echo unshared"
        #expect(try Self.run(confined, script).status == .exited(1))
        #expect(confined.stdout() == "Seccomp:2\n")
        #expect(confined.stderr().contains("Operation not permitted"), "stderr: \(confined.stderr())")
        let unconfined = try TestSandbox("sco")
        defer { unconfined.expectNothingLeft() }
        let exit = try Self.run(unconfined, script) { $0.security.seccomp = .unconfined }
        #expect(exit.status == .exited(0), "stderr: \(unconfined.stderr())")
        #expect(unconfined.stdout() == "Seccomp:0\nunshared\n")
    }

    @Test func theSeccompProfileKeepsOrdinaryWorkWorking() throws {
        let sandbox = try TestSandbox("sck")
        defer { sandbox.expectNothingLeft() }
        // fork, pipes, an AF_INET socket, chroot (CAP_SYS_CHROOT), personality queries.
        let script = "echo a | cat | tr a b; (sleep 0; echo sub) & wait; wget -q -O- http://127.0.0.1:1/ 2>&1 | grep -c refused; "
            + "chroot / true && echo chroot; uname -m"
        let exit = try Self.run(sandbox, script)
        #expect(exit.status == .exited(0), "stderr: \(sandbox.stderr())")
        #expect(sandbox.stdout() == "b\nsub\n1\nchroot\nx86_64\n")
    }

    @Test func aReadOnlyRootRefusesWritesButNotToDevShm() throws {
        let sandbox = try TestSandbox("rof")
        defer { sandbox.expectNothingLeft() }
        let script = "touch /probe && echo wrote; echo x > /dev/shm/x && echo shm"
        let exit = try Self.run(sandbox, script) { $0.security.readOnlyRootfs = true }
        #expect(exit.status == .exited(0))
        #expect(sandbox.stdout() == "shm\n", "stderr: \(sandbox.stderr())")
        #expect(sandbox.stderr().contains("Read-only file system"))
    }

    @Test func aHostRootTaskSeesOnlyItsOwnSandboxOfTheHiddenWorkDirectory() throws {
        let sandbox = try TestSandbox("hid")
        defer { sandbox.expectNothingLeft() }
        let work = sandbox.root + "/work"
        let own = work + "/sandboxes/own"
        let other = work + "/sandboxes/other"
        for directory in [own, other, work + "/meta"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try "secret".write(toFile: other + "/secret", atomically: true, encoding: .utf8)
        var spec = LaunchSpec(
            id: sandbox.id,
            arguments: [
                "/bin/sh", "-c",
                "ls -A \(work) \(work)/sandboxes; cat \(other)/secret; echo out > \(own)/out; touch \(work)/new",
            ],
            bindMounts: [BindMount(source: own, target: own)]
        )
        spec.security.hiddenPaths = [work, sandbox.root + "/absent"]  // an absent one has nothing to hide
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.status == .exited(1))
        #expect(sandbox.stdout() == "\(work):\nsandboxes\n\n\(work)/sandboxes:\nown\n", "stderr: \(sandbox.stderr())")
        #expect(sandbox.stderr().contains("No such file"))
        #expect((try? String(contentsOfFile: own + "/out", encoding: .utf8)) == "out\n")
        #expect(!FileManager.default.fileExists(atPath: work + "/new"))
    }

    @Test func hiddenPathsNeedTheHostRootAndAbsolutePaths() throws {
        let sandbox = try TestSandbox("hiv")
        defer { sandbox.expectNothingLeft() }
        var onImage = try sandbox.spec(["true"])
        onImage.security.hiddenPaths = ["/work"]
        #expect(throws: ContainerError.self) { try onImage.validate() }
        var relative = LaunchSpec(id: sandbox.id, arguments: ["true"])
        relative.security.hiddenPaths = ["work"]
        #expect(throws: ContainerError.self) { try relative.validate() }
    }
}

/// A user namespace with a subordinate range: root inside is an unprivileged host uid.
@Suite("User namespace")
struct UserNamespaceTests {
    @Test func rootInTheContainerIsTheRangesFirstHostIDAndTheImageIsStillItsOwn() throws {
        let sandbox = try TestSandbox("usn")
        defer { sandbox.expectNothingLeft() }
        let shared = sandbox.root + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        chmod(shared, 0o777)
        let script = "id -u; cat /proc/self/uid_map | tr -s ' '; stat -c %u /bin/busybox; echo x > /etc/motd && echo wrote; "
            + "touch /shared/made; httpd -p 127.0.0.1:80 && echo bound"
        let spec = try sandbox.spec(["sh", "-c", script]) {
            $0.security.userNamespace = UserNamespaceMapping(hostUID: 200_000, hostGID: 200_000)
            $0.bindMounts = [BindMount(source: shared, target: "/shared")]
        }
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.status == .exited(0), "stderr: \(sandbox.stderr())")
        #expect(sandbox.stdout() == "0\n 0 200000 65536\n0\nwrote\nbound\n", "stderr: \(sandbox.stderr())")
        // Outside, the file the container's root made belongs to the range's first uid.
        var info = stat()
        #expect(stat(shared + "/made", &info) == 0 && info.st_uid == 200_000)
    }

    @Test func aMappingThatCannotHoldTheUserOrHasNoImageIsRefused() throws {
        let sandbox = try TestSandbox("usv")
        defer { sandbox.expectNothingLeft() }
        var small = try sandbox.spec(["true"])
        small.user = UserSpec(uid: 1000, gid: 1000)
        small.security.userNamespace = UserNamespaceMapping(hostUID: 200_000, hostGID: 200_000, size: 1000)
        #expect(throws: ContainerError.self) { try small.validate() }
        var host = LaunchSpec(id: sandbox.id, arguments: ["true"])
        host.security.userNamespace = UserNamespaceMapping(hostUID: 200_000, hostGID: 200_000)
        #expect(throws: ContainerError.self) { try host.validate() }
    }
}
