import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// Real containers under detached supervisors (root only): ends, limits, kills.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct TaskRunnerTests {
    @Test func aCommandTaskFinishesWithItsOutputInTheSandbox() async throws {
        let fixture = try RunnerFixture("finish")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let script = "echo hello; echo oops >&2; pwd; echo $MESOS_SANDBOX $MESOS_TASK_ID; ls /mnt/mesos/sandbox"
        let launched = await runner.launch(RunnerFixture.launch("hello", .shell(script)))
        let running = try launched.get()
        #expect(running.pid > 0)
        #expect(running.sandbox == fixture.sandbox("hello"))
        let (key, end) = try await RunnerFixture.nextEnd(runner)
        #expect(key == TaskKey("fw-1", "hello"))
        #expect(end.state == .finished, "\(end)")
        #expect(end.exitStatus == 0)
        let lines = fixture.stdout("hello").split(separator: "\n")
        #expect(lines.first == "hello")
        #expect(lines.dropFirst().first == "/mnt/mesos/sandbox")
        #expect(lines.dropFirst(2).first == "/mnt/mesos/sandbox hello")
        #expect(lines.contains("stdout") && lines.contains("stderr"), "the sandbox is mounted: \(fixture.stdout("hello"))")
        let errors = try String(contentsOfFile: fixture.sandbox("hello") + "/stderr", encoding: .utf8)
        #expect(errors == "oops\n")
        try await runner.release(key)
    }

    @Test func aHostTaskRunsInItsSandboxAsTheNamedUser() async throws {
        let fixture = try RunnerFixture("host")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        var command = CommandInfo.shell("pwd; id -u; touch mine")
        command.user = "65534"
        _ = try await runner.launch(RunnerFixture.launch("host", command, image: nil)).get()
        let (_, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .finished, "\(end): \(fixture.stdout("host"))")
        #expect(fixture.stdout("host") == "\(fixture.sandbox("host"))\n65534\n")
        let owner = try FileManager.default.attributesOfItem(atPath: fixture.sandbox("host") + "/mine")[.ownerAccountID]
        #expect(owner as? Int == 65534)
    }

    @Test func aNamedUserOfTheImageRunsTheTaskAndAnUnknownOneFails() async throws {
        let fixture = try RunnerFixture("user")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        var command = CommandInfo.shell("id -u; id -g")
        command.user = "nobody"
        _ = try await runner.launch(RunnerFixture.launch("nobody", command)).get()
        let (_, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .finished, "\(end)")
        #expect(fixture.stdout("nobody") == "65534\n65534\n")
        command.user = "ghost"
        let refused = await runner.launch(RunnerFixture.launch("ghost", command))
        guard case .failure(let failure) = refused else { Issue.record("a task of an unknown user ran"); return }
        #expect(failure.state == .failed)
        #expect(failure.message.contains("'ghost'"))
    }

    @Test func aFailingCommandFailsWithItsStatus() async throws {
        let fixture = try RunnerFixture("fail")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        _ = try await runner.launch(RunnerFixture.launch("fail", .shell("exit 3"))).get()
        let (_, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .failed)
        #expect(end.reason == .commandExecutorFailed)
        #expect(end.message.contains("exited with status 3"), "\(end.message)")
        #expect(end.exitStatus == 3 << 8)
    }

    @Test func aTaskOverItsMemoryIsAMemoryLimitation() async throws {
        let fixture = try RunnerFixture("oom")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let hog = RunnerFixture.launch(
            "hog",
            .shell("a=0123456789abcdef; while true; do a=\"$a$a\"; done"),
            memMegabytes: 32
        )
        _ = try await runner.launch(hog).get()
        let (_, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .failed)
        #expect(end.reason == .containerLimitationMemory, "\(end)")
        #expect(end.message.contains("32 MB"))
    }

    /// The writable layer lives in the runtime tmpfs, so what a task writes to its root
    /// filesystem counts against its memory, as the README says.
    @Test func writesToTheRootFilesystemCountAgainstTheTasksMemory() async throws {
        let fixture = try RunnerFixture("rootfs-writes")
        defer { fixture.finish() }
        #expect(RuntimeDirectory.isTmpfs(fixture.configuration.runtimeDirectory))
        let runner = try fixture.runner()
        let filler = RunnerFixture.launch("filler", .shell("dd if=/dev/zero of=/filler bs=1M count=64"), memMegabytes: 32)
        _ = try await runner.launch(filler).get()
        let (key, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .failed, "\(end)")
        #expect(end.reason == .containerLimitationMemory, "\(end)")
        try await runner.release(key)
        let small = RunnerFixture.launch("small", .shell("dd if=/dev/zero of=/small bs=1M count=8"), memMegabytes: 32)
        _ = try await runner.launch(small).get()
        let (_, smallEnd) = try await RunnerFixture.nextEnd(runner)
        #expect(smallEnd.state == .finished, "\(smallEnd)")
    }

    @Test func aMissingImageFailsThePreparationAndSaysHowToImportIt() async throws {
        let fixture = try RunnerFixture("image")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let result = await runner.launch(RunnerFixture.launch("img", .shell("true"), image: "no-such-image:1"))
        guard case .failure(let end) = result else { Issue.record("a task without its image ran"); return }
        #expect(end.state == .failed)
        #expect(end.reason == .containerPreparationFailed)
        #expect(end.message.contains("'no-such-image:1'"))
        #expect(end.message.contains("corral image import"))
        let records = try ContainerStore(root: fixture.configuration.containerRoot).list()
        #expect(records.isEmpty, "no container record is left of a task that never started")
    }
}
