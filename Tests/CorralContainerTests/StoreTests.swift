import CorralContainer
import Foundation
import Testing

@Suite("State root and supervisor")
struct StoreTests {
    @Test func theSupervisorRecordsRunningThenTheExit() throws {
        let sandbox = try TestSandbox("sup")
        defer { sandbox.expectNothingLeft() }
        let store = ContainerStore(root: sandbox.root)
        let record = ContainerRecord(spec: try sandbox.spec(["sh", "-c", "exit 5"]))
        try store.save(record)
        var seenRunning = false
        let exit = try Supervisor(store: store).run(record) { result in
            if case .success(let running) = result, running.isRunning { seenRunning = true }
        }
        #expect(seenRunning)
        #expect(exit.exitCode == 5)
        let final = try store.find(record.name)
        guard case .exited(let code, let oom, _) = final.state else {
            Issue.record("not exited: \(final.state)")
            return
        }
        #expect(code == 5 && !oom)
        try store.remove(final)
        #expect(throws: ContainerError.self) { try store.find(record.id) }
    }

    @Test func aRecordedRunningContainerWhosePidsAreGoneIsMarkedExited() throws {
        let sandbox = try TestSandbox("rec")
        defer { sandbox.expectNothingLeft() }
        let store = ContainerStore(root: sandbox.root)
        let gone = ProcessIdentity(pid: Int32.max - 1, startTicks: 1)
        var record = ContainerRecord(spec: LaunchSpec(id: sandbox.id, arguments: ["true"]))
        record.state = .running(initProcess: gone, supervisor: gone)
        try store.save(record)
        let listed = try #require(try store.list().first)
        guard case .exited(let code, _, _) = listed.state else {
            Issue.record("still \(listed.state)")
            return
        }
        #expect(code == nil)
        // The change is persisted.
        guard case .exited(nil, false, _) = try store.load(id: sandbox.id).state else {
            Issue.record("not persisted")
            return
        }
    }

    @Test func aLiveRecordedContainerStaysRunning() throws {
        let sandbox = try TestSandbox("live")
        defer { sandbox.expectNothingLeft() }
        let store = ContainerStore(root: sandbox.root)
        let me = try #require(ProcessIdentity.of(pid: getpid()))
        var record = ContainerRecord(spec: LaunchSpec(id: sandbox.id, arguments: ["true"]))
        record.state = .running(initProcess: me, supervisor: me)
        try store.save(record)
        #expect(try store.find(sandbox.id).isRunning)
        #expect(throws: ContainerError.self) { try store.remove(record) }
    }

    @Test func theSweepRemovesLeftoversOfContainersThatNoLongerRun() throws {
        let sandbox = try TestSandbox("swp")
        defer { sandbox.expectNothingLeft() }
        let store = ContainerStore(root: sandbox.root)
        var record = ContainerRecord(spec: LaunchSpec(id: sandbox.id, arguments: ["true"]))
        record.state = .exited(exitCode: 0, oomKilled: false, finishedAt: Date())
        try store.save(record)
        // What a supervisor killed mid-cleanup leaves: a cgroup and overlay directories.
        _ = try Cgroup.create(id: sandbox.id, limits: CgroupLimits())
        try FileManager.default.createDirectory(
            atPath: sandbox.paths.upper + "/x",
            withIntermediateDirectories: true
        )
        #expect(store.sweep() == [sandbox.id])
        #expect(!Cgroup.existingIDs().contains(sandbox.id))
        #expect(!FileManager.default.fileExists(atPath: sandbox.paths.upper))
    }

    @Test func stopThroughTheStoreKillsASupervisedContainer() throws {
        let sandbox = try TestSandbox("sst")
        defer { sandbox.expectNothingLeft() }
        let store = ContainerStore(root: sandbox.root)
        let fifo = sandbox.root + "/ready"
        #expect(mkfifo(fifo, 0o600) == 0)
        let script = "trap '' TERM; echo ready > \(fifo); exec sleep 1000"
        let record = ContainerRecord(spec: LaunchSpec(id: sandbox.id, arguments: ["/bin/sh", "-c", script]))
        try store.save(record)
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        let thread = Thread {
            outcome.set(Result { try Supervisor(store: store).run(record) { _ in started.signal() } })
            finished.signal()
        }
        thread.start()
        started.wait()
        #expect(try TestSandbox.readFIFO(fifo) == "ready\n")
        let stopped = try store.stop(try store.find(record.name), grace: .milliseconds(100))
        finished.wait()
        let exit = try #require(try outcome.get()?.get())
        #expect(exit.status == .signaled(SIGKILL))
        _ = stopped
        guard case .exited(let code, _, _) = try store.find(record.id).state else {
            Issue.record("not exited")
            return
        }
        #expect(code == 137)
    }
}

/// Hands a result from the supervisor thread to the test.
final class OutcomeBox: @unchecked Sendable {
    // Written once by the thread before `finished` is signalled, read after the wait.
    private var value: Result<ContainerExit, any Error>?
    func set(_ result: Result<ContainerExit, any Error>) { value = result }
    func get() -> Result<ContainerExit, any Error>? { value }
}
