@testable import CorralContainer
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Supervisors forked from the spawner's helper are what `corral container supervise` is:
/// detached from the helper and the caller, outliving both, and reporting launch errors.
@Suite(.serialized, .offCooperativePool) struct SupervisorSpawnerTests {
    /// A sleeping busybox container recorded in `sandbox`'s store.
    static func record(_ sandbox: TestSandbox, _ arguments: [String] = ["/bin/sleep", "30"]) throws -> (ContainerStore, ContainerRecord) {
        let store = ContainerStore(root: sandbox.root)
        let record = ContainerRecord(spec: try sandbox.spec(arguments))
        try store.save(record)
        return (store, record)
    }

    /// Stops and removes the container, then checks nothing of it is left.
    static func remove(_ record: ContainerRecord, from store: ContainerStore, _ sandbox: TestSandbox) throws {
        _ = try store.stop(store.load(id: record.id), grace: .zero)
        try waitUntil("the container's record says it exited") { !(try store.reconciled(store.load(id: record.id))).isRunning }
        try store.remove(store.load(id: record.id))
        sandbox.expectNothingLeft()
    }

    static func waitUntil(_ what: String, _ condition: () throws -> Bool) throws {
        try eventuallyBlocking(what, seconds: 15, every: .milliseconds(10), condition)
    }

    /// Field `index` (1-based, after the command) of /proc/<pid>/stat: 4 is the parent, 6 the session.
    static func stat(_ pid: Int32, field index: Int) -> Int32? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > index - 3 ? Int32(fields[index - 3]) : nil
    }

    /// The pids of live `corral container spawner --root ROOT` helpers (the supervisors forked
    /// from one, and their containers' inits, share its command line: those are left out).
    static func helpers(root: String) -> [Int32] {
        let supervisors = Set(((try? ContainerStore(root: root).list()) ?? []).compactMap { record -> Int32? in
            if case .running(_, let supervisor) = record.state { return supervisor.pid }
            return nil
        })
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.dropFirst().starts(with: ["container", "spawner", "--root", root]) && !isGone(pid)
                && !supervisors.contains(pid) && !supervisors.contains(stat(pid, field: 4) ?? 0)
        }
    }

    /// Exited: no such process, or a zombie waiting for init to reap it.
    static func isGone(_ pid: Int32) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")")
        else { return true }
        return text[text.index(after: close)...].hasPrefix(" Z")
    }

    @Test func theSupervisorIsADetachedCopyOfTheHelper() throws {
        let sandbox = try TestSandbox("spawn")
        let (store, record) = try Self.record(sandbox)
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        let started = try spawner.start(record)
        let helper = try #require(Self.helpers(root: store.root).first)
        guard case .running(let initProcess, let supervisor) = try store.load(id: record.id).state else {
            Issue.record("the record is not running: \(try store.load(id: record.id).state)")
            return
        }
        #expect(started?.initProcess == initProcess, "start reports the processes the record names")
        #expect(started?.supervisor == supervisor)
        #expect(initProcess.isAlive)
        #expect(supervisor.isAlive)
        #expect(supervisor.pid != helper && supervisor.pid != getpid())
        #expect(Self.stat(supervisor.pid, field: 6) != Self.stat(getpid(), field: 6), "its own session")
        #expect(Self.stat(supervisor.pid, field: 6) != Self.stat(helper, field: 6), "not the helper's session")
        try Self.remove(record, from: store, sandbox)
    }

    @Test func anEndedSupervisorIsReapedNotLeftAZombieOfTheHelper() throws {
        let sandbox = try TestSandbox("spawnreap")
        let (store, record) = try Self.record(sandbox)
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        try spawner.start(record)
        let helper = try #require(Self.helpers(root: store.root).first)
        guard case .running(_, let supervisor) = try store.load(id: record.id).state else {
            Issue.record("the record is not running: \(try store.load(id: record.id).state)")
            return
        }
        _ = try store.stop(store.load(id: record.id), grace: .zero)
        try Self.waitUntil("the container's record says it exited") { !(try store.load(id: record.id)).isRunning }
        // Not even a zombie: the helper ignores SIGCHLD, so the kernel reaps its copies.
        try Self.waitUntil("the supervisor \(supervisor.pid) is reaped") {
            !FileManager.default.fileExists(atPath: "/proc/\(supervisor.pid)")
                || Self.stat(supervisor.pid, field: 4) != helper
        }
        #expect(!Self.isGone(helper), "the helper still serves")
        try store.remove(store.load(id: record.id))
        sandbox.expectNothingLeft()
    }

    /// `corral` starts the helper before any worker thread exists, so it forks without first
    /// waiting for other threads to go quiet; a second thread would make every start wait.
    @Test func theHelperHasOneThreadAfterServingAStart() throws {
        let sandbox = try TestSandbox("spawnthreads")
        let (store, record) = try Self.record(sandbox)
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        try spawner.start(record)
        let helper = try #require(Self.helpers(root: store.root).first)
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(helper)/task")
        #expect(threads == ["\(helper)"], "the helper's threads: \(threads)")
        try Self.remove(record, from: store, sandbox)
    }

    @Test func theWarmUpRoundTripsARecordInEveryState() {
        #expect(SupervisorSpawner.warmUp().map(\.statusText).map { $0.prefix(4) } == ["Crea", "Up", "Exit", "Fail"])
    }

    @Test func containersOutliveAKilledHelper() throws {
        let sandbox = try TestSandbox("spawnkill")
        let (store, record) = try Self.record(sandbox)
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        try spawner.start(record)
        let helper = try #require(Self.helpers(root: store.root).first)
        kill(helper, SIGKILL)
        try Self.waitUntil("the helper is gone") { Self.isGone(helper) }
        guard case .running(let initProcess, let supervisor) = try store.load(id: record.id).state else {
            Issue.record("the record is not running")
            return
        }
        #expect(initProcess.isAlive, "the container outlives its helper")
        #expect(supervisor.isAlive, "so does its supervisor")
        try Self.remove(record, from: store, sandbox)
    }

    @Test func aStartAfterTheHelperStoppedBringsANewOne() throws {
        let first = try TestSandbox("spawnagain1")
        let second = try TestSandbox("spawnagain2")
        let (store, record) = try Self.record(first)
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        try spawner.start(record)
        let helper = try #require(Self.helpers(root: store.root).first)
        spawner.stopHelper()
        try Self.waitUntil("the helper exits") { Self.isGone(helper) }
        // The second container's record lives beside the first (one store root).
        let other = ContainerRecord(spec: try second.spec(["/bin/sleep", "30"]))
        try store.save(other)
        try spawner.start(other)
        let helpers = Self.helpers(root: store.root)
        #expect(helpers.count == 1 && !helpers.contains(helper), "helpers now: \(helpers), the stopped one: \(helper)")
        #expect(try store.load(id: other.id).isRunning)
        try Self.remove(other, from: store, second)
        try Self.remove(record, from: store, first)
    }

    @Test func theHelperExitsWhenItsCallerLetsGoAndItsContainersStay() throws {
        let sandbox = try TestSandbox("spawnstop")
        let (store, record) = try Self.record(sandbox)
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        try spawner.start(record)
        let helper = try #require(Self.helpers(root: store.root).first)
        spawner.stopHelper()
        try Self.waitUntil("the helper exits") { Self.isGone(helper) }
        #expect(try store.reconciled(store.load(id: record.id)).isRunning)
        try Self.remove(record, from: store, sandbox)
    }

    @Test func aLaunchErrorComesBackAndNothingIsLeft() throws {
        let sandbox = try TestSandbox("spawnfail")
        let (store, record) = try Self.record(sandbox, ["/no/such/program"])
        let spawner = SupervisorSpawner(root: store.root, executable: try CorralBinary.locate())
        #expect(throws: ContainerError.self) { try spawner.start(record) }
        let state = try store.load(id: record.id).state
        guard case .failed(let message) = state else {
            Issue.record("expected a failed record, got \(state)")
            return
        }
        #expect(message.contains("/no/such/program"), "\(message)")
        try store.remove(store.load(id: record.id))
        sandbox.expectNothingLeft()
    }
}
