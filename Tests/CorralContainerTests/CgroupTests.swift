@testable import CorralContainer
import Foundation
import Testing

@Suite("Cgroup")
struct CgroupTests {
    @Test func limitsAreWrittenAndTheCgroupIsRemoved() throws {
        let sandbox = try TestSandbox("cg")
        defer { sandbox.expectNothingLeft() }
        let cgroup = try Cgroup.create(
            id: sandbox.id,
            limits: CgroupLimits(cpus: 0.5, memoryLimitBytes: 64 << 20, pidsLimit: 10)
        )
        defer { try? cgroup.remove() }
        let read = { (controller: String, file: String) in
            try String(contentsOfFile: cgroup.path(controller) + "/" + file, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try read("cpu", "cpu.shares") == "512")
        #expect(try read("cpu", "cpu.cfs_period_us") == "100000")
        #expect(try read("cpu", "cpu.cfs_quota_us") == "50000")
        #expect(try read("memory", "memory.limit_in_bytes") == String(64 << 20))
        #expect(try read("pids", "pids.max") == "10")
        #expect(Cgroup.existingIDs().contains(sandbox.id))
        try cgroup.freeze()
        try cgroup.thaw()
        try cgroup.killAll()
        try cgroup.remove()
        #expect(!Cgroup.existingIDs().contains(sandbox.id))
    }

    @Test func controlFileTextIsTrimmedAndKeyedLinesParsed() {
        #expect(Cgroup.trimmed(" 4096\n") == "4096")
        #expect(Cgroup.trimmed("\t\n ") == "")
        #expect(Cgroup.trimmed("max") == "max")
        #expect(Cgroup.keyedValues("oom_kill_disable 0\nunder_oom 1\noom_kill 3\nbad line here\nname x\n")
            == ["oom_kill_disable": 0, "under_oom": 1, "oom_kill": 3])
    }

    @Test func startingTwiceIsAStateError() throws {
        let sandbox = try TestSandbox("twice")
        defer { sandbox.expectNothingLeft() }
        let container = Container(spec: try sandbox.spec(["true"]), paths: sandbox.paths)
        _ = try container.start()
        let error = try #require(throws: ContainerError.self) { try container.start() }
        #expect(error.code == .state)
        #expect(error.description == "state: failed to start: container must be created")
        #expect(try container.wait().status == .exited(0))
        // Stopping an exited container does nothing; waiting twice is a state error.
        try container.stop(grace: .zero)
        #expect(throws: ContainerError.self) { try container.wait() }
        let never = Container(spec: try sandbox.spec(["true"]), paths: sandbox.paths)
        #expect(throws: ContainerError.self) { try never.stop(grace: .zero) }
    }
}
