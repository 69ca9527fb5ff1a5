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

    /// The init joins its cgroups itself (a write of "0" to each `tasks` file); the task it
    /// forks, and what the task forks, are in every controller's cgroup of the container.
    @Test func theTaskAndItsChildrenAreInEveryCgroup() throws {
        let sandbox = try TestSandbox("cgjoin")
        defer { sandbox.expectNothingLeft() }
        let script = "cat /proc/self/cgroup; echo --; sh -c 'cat /proc/self/cgroup'"
        let container = Container(spec: try sandbox.spec(["sh", "-c", script]), paths: sandbox.paths)
        _ = try container.start()
        #expect(try container.wait().status == .exited(0), "\(sandbox.stderr())")
        let parts = sandbox.stdout().components(separatedBy: "--\n")
        try #require(parts.count == 2, "\(sandbox.stdout())")
        for part in parts {
            // Lines are "ID:CONTROLLERS:PATH"; a controller may share a line ("cpu,cpuacct").
            var paths: [String: String] = [:]
            for line in part.split(separator: "\n") {
                let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count == 3 else { continue }
                for controller in fields[1].split(separator: ",") { paths[String(controller)] = String(fields[2]) }
            }
            for controller in Cgroup.controllers {
                #expect(paths[controller] == "/corral/\(sandbox.id)", "\(controller) in \(part)")
            }
        }
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
