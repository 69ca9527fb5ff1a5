import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// KILL with a grace period, and a runner that comes back after the agent went away.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct TaskRunnerKillTests {
    @Test func aTaskThatHandlesSIGTERMIsKilledBeforeTheGraceEnds() async throws {
        let fixture = try RunnerFixture("term")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let script = "trap 'echo bye; exit 0' TERM; echo ready; sleep 1000 & wait"
        _ = try await runner.launch(RunnerFixture.launch("term", .shell(script))).get()
        try await fixture.waitForOutput("term", "ready")
        let clock = ContinuousClock()
        let started = clock.now
        try await runner.kill(TaskKey("fw-1", "term"), grace: .seconds(20))
        #expect(clock.now - started < .seconds(10), "it ended on SIGTERM, long before the grace period")
        let (_, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .killed, "\(end)")
        #expect(fixture.stdout("term").contains("bye"))
    }

    @Test func aTaskThatIgnoresSIGTERMIsKilledAfterTheGrace() async throws {
        let fixture = try RunnerFixture("ignore")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        _ = try await runner.launch(RunnerFixture.launch("stubborn", .shell("trap '' TERM; echo ready; exec sleep 1000")))
            .get()
        try await fixture.waitForOutput("stubborn", "ready")
        let clock = ContinuousClock()
        let started = clock.now
        try await runner.kill(TaskKey("fw-1", "stubborn"), grace: .milliseconds(500))
        #expect(clock.now - started >= .milliseconds(500))
        let (_, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .killed, "\(end)")
        #expect(end.message.contains("SIGKILL"), "\(end.message)")
    }

    @Test func aNewRunnerReattachesRunningTasksAndReportsThoseThatEndedMeanwhile() async throws {
        let fixture = try RunnerFixture("recover")
        defer { fixture.finish() }
        let waitFor = { (file: String, code: Int) in
            CommandInfo.shell("echo ready; while [ ! -e \(file) ]; do sleep 0.02; done; exit \(code)")
        }
        var first: TaskRunner? = try fixture.runner()
        let long = try await #require(first).launch(RunnerFixture.launch("long", waitFor("stop", 0))).get()
        let short = try await #require(first).launch(RunnerFixture.launch("short", waitFor("go", 7))).get()
        try await fixture.waitForOutput("long", "ready")
        try await fixture.waitForOutput("short", "ready")
        first = nil  // The agent is gone; its containers are not.

        // The short task exits while no runner watches it.
        #expect(FileManager.default.createFile(atPath: fixture.sandbox("short") + "/go", contents: nil))
        let store = ContainerStore(root: fixture.configuration.containerRoot)
        let deadline = ContinuousClock.now + .seconds(20)
        while try store.load(id: short.containerID).isRunning {
            try #require(ContinuousClock.now < deadline, "the short task did not exit")
            try await Task.sleep(for: .milliseconds(10))
        }

        let second = try fixture.runner()
        let recovered = await second.recover()
        let byTask = Dictionary(uniqueKeysWithValues: recovered.map { ($0.key.taskID.value, $0) })
        #expect(byTask.count == 2)
        #expect(byTask["long"]?.state == .running(long))
        guard case .ended(let shortEnd) = byTask["short"]?.state else {
            Issue.record("the short task is not reported as ended: \(recovered)")
            return
        }
        #expect(shortEnd.state == .failed)
        #expect(shortEnd.message.contains("exited with status 7"), "\(shortEnd.message)")

        #expect(FileManager.default.createFile(atPath: fixture.sandbox("long") + "/stop", contents: nil))
        let (key, end) = try await RunnerFixture.nextEnd(second)
        #expect(key == long.key)
        #expect(end.state == .finished, "\(end)")
        try await second.release(long.key)
        try await second.release(short.key)
        #expect(try store.list().isEmpty)
    }

    @Test func aContainerWhoseSupervisorDiesIsStoppedAndReportedFailed() async throws {
        let fixture = try RunnerFixture("orphan")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let running = try await runner.launch(RunnerFixture.launch("orphan", .shell("echo ready; exec sleep 1000"))).get()
        try await fixture.waitForOutput("orphan", "ready")
        let store = ContainerStore(root: fixture.configuration.containerRoot)
        guard case .running(_, let supervisor) = try store.load(id: running.containerID).state else {
            Issue.record("the container is not recorded as running")
            return
        }
        #expect(Glibc.kill(supervisor.pid, SIGKILL) == 0)
        let (key, end) = try await RunnerFixture.nextEnd(runner)
        #expect(key == running.key)
        #expect(end.state == .failed)
        #expect(end.message.contains("supervisor died"), "\(end.message)")
        #expect(ProcessIdentity.of(pid: running.pid) == nil, "the task does not run on unsupervised")
    }
}

/// A container whose end cannot be written to its record (its directory on a full or
/// read-only disk) is reported ended all the same, not left TASK_RUNNING for good.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct TaskRunnerUnwritableEndTests {
    @Test func anEndWhoseRecordCannotBeWrittenIsStillReported() async throws {
        let fixture = try RunnerFixture("unwritable")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let started = try await runner.launch(RunnerFixture.launch("stuck", .shell("echo ready; exec sleep 1000"))).get()
        try await fixture.waitForOutput("stuck", "ready")
        let store = ContainerStore(root: fixture.configuration.containerRoot)
        guard case .running(let initProcess, let supervisor) = try store.load(id: started.containerID).state else {
            Issue.record("the container is not running")
            return
        }
        // From now on neither its supervisor nor the agent can write the container's record.
        let directory = store.paths(for: started.containerID).directory
        try Self.run("/bin/mount", ["--bind", directory, directory])
        defer { try? Self.run("/bin/umount", [directory]) }
        try Self.run("/bin/mount", ["-o", "remount,ro,bind", directory])
        // The task's init dies; its supervisor cannot record the exit and gives up.
        kill(initProcess.pid, SIGKILL)
        _ = supervisor
        let (key, end) = try await RunnerFixture.nextEnd(runner)
        #expect(key == TaskKey("fw-1", "stuck"))
        #expect(end.state == .failed, "\(end)")
        #expect(end.message.contains("could not be recorded"), "\(end.message)")
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.runWithoutInheritedFiles()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) \(arguments) failed")
    }
}
