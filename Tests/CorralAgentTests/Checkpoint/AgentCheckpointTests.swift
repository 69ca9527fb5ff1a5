import CorralAgent
import CorralModel
import CorralTestSupport
import Foundation
import Testing

@Suite struct AgentCheckpointTests {
    /// A fresh work dir, removed when `body` returns.
    func withWorkDir(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agent-checkpoint-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    static let owner = WorkDirOwner(hostname: "node-1")

    static func sampleChanges() -> [CheckpointChange] {
        let key = TaskKey("f1", "t1")
        let launch = TaskLaunch(key: key, frameworkInfo: FrameworkInfo(user: "u", name: "fw"), task: AgentHarness.task("t1"), executor: nil)
        var status = TaskStatus(taskID: "t1", state: .running, uuid: Array(repeating: 7, count: 16))
        status.containerStatus = ContainerStatus(containerID: ContainerID("c-1"), executorPID: 42)
        let task = AgentTask(key: key, launch: launch, status: status, containerID: ContainerID("c-1"), executorPID: 42, killGrace: .milliseconds(1500))
        return [
            .agentID("agent-1"), .highestTerm(5), .putTask(task),
            .putUpdate(PendingUpdate(sequence: 3, frameworkID: "f1", status: status)),
            .putUpdate(PendingUpdate(sequence: 4, frameworkID: "f1", status: TaskStatus(taskID: "t1", state: .finished, uuid: Array(repeating: 8, count: 16)))),
            .removeUpdate(sequence: 3),
            .putTask(AgentTask(key: TaskKey("f2", "gone"), launch: nil, status: TaskStatus(taskID: "gone", state: .killed))),
            .complete(TaskKey("f2", "gone"), sequence: 5),
            .complete(TaskKey("f2", "older"), sequence: 2),
            .forgetCompleted(TaskKey("f2", "older")),
            .highestTerm(4),
            .putExecutor(AgentExecutor(
                key: ExecutorKey("f1", "e1"), info: ExecutorInfo(executorID: "e1", frameworkID: "f1", command: CommandInfo(value: "./e")),
                frameworkInfo: nil, containerID: ContainerID("c-2"), pid: 43, shutdownGrace: .seconds(5))),
            .putExecutor(AgentExecutor(key: ExecutorKey("f1", "gone"), info: ExecutorInfo(executorID: "gone"), frameworkInfo: nil)),
            .removeExecutor(ExecutorKey("f1", "gone")),
        ]
    }

    @Test func changesRoundTripAndMatchTheInMemoryStore() throws {
        try withWorkDir { dir in
            let store = try AgentCheckpoint(workDir: dir, owner: Self.owner)
            #expect(try store.load() == .empty)
            try store.apply(Self.sampleChanges())
            let memory = InMemoryAgentCheckpoint()
            try memory.apply(Self.sampleChanges())
            let loaded = try store.load()
            #expect(loaded == (try memory.load()))
            #expect(loaded.agentID == AgentID("agent-1"))
            #expect(loaded.highestTerm == 5, "a lower term never replaces a higher one")
            #expect(loaded.tasks.count == 1)
            #expect(loaded.tasks[TaskKey("f1", "t1")]?.killGrace == .milliseconds(1500))
            #expect(loaded.updates.keys.sorted() == [4])
            #expect(loaded.completed == [TaskKey("f2", "gone"): 5])
            #expect(loaded.executors.keys.sorted() == [ExecutorKey("f1", "e1")])
            #expect(loaded.executors[ExecutorKey("f1", "e1")]?.shutdownGrace == .seconds(5))
            #expect(FileManager.default.fileExists(atPath: dir + "/meta/data.mdb"))
        }
    }

    /// A task's launch is written once, apart from the task's other changes, and every
    /// load (in this process or after a restart) gives the task back with it.
    @Test func aTasksLaterChangesKeepItsLaunch() throws {
        try withWorkDir { dir in
            let key = TaskKey("f1", "t1")
            let first = TaskLaunch(key: key, frameworkInfo: nil, task: AgentHarness.task("t1"), executor: nil)
            var task = AgentTask(key: key, launch: first, status: TaskStatus(taskID: "t1", state: .staging))
            do {
                let store = try AgentCheckpoint(workDir: dir, owner: Self.owner)
                try store.apply([.putTask(task)])
                task.status = TaskStatus(taskID: "t1", state: .running)
                task.containerID = ContainerID("c-1")
                try store.apply([.putTask(task)])
                #expect(try store.load().tasks[key] == task)
            }
            let reopened = try AgentCheckpoint(workDir: dir, owner: Self.owner)
            #expect(try reopened.load().tasks[key] == task)
            // A launch that changes is written again; a completed task leaves no launch behind.
            var relaunched = task
            relaunched.launch?.task.name = "renamed"
            try reopened.apply([.putTask(relaunched)])
            #expect(try AgentCheckpoint(workDir: dir, owner: Self.owner).load().tasks[key] == relaunched)
            try reopened.apply([.complete(key, sequence: 9)])
            task.status = TaskStatus(taskID: "t1", state: .finished)
            task.launch = nil
            try reopened.apply([.putTask(task)])
            #expect(try reopened.load().tasks[key]?.launch == nil)
        }
    }

    @Test func aReopenedCheckpointHoldsWhatWasWritten() throws {
        try withWorkDir { dir in
            do {
                let store = try AgentCheckpoint(workDir: dir, owner: Self.owner)
                try store.apply(Self.sampleChanges())
            }
            let reopened = try AgentCheckpoint(workDir: dir, owner: Self.owner)
            let expected = InMemoryAgentCheckpoint()
            try expected.apply(Self.sampleChanges())
            #expect(try reopened.load() == (try expected.load()))
            #expect(try reopened.owner() == WorkDirOwner(hostname: "node-1", agentID: "agent-1"))
        }
    }

    @Test func aWorkDirOfAnotherAgentIsRefusedWithItsOwner() throws {
        try withWorkDir { dir in
            do {
                let store = try AgentCheckpoint(workDir: dir, owner: WorkDirOwner(hostname: "node-1", cluster: "prod"))
                try store.apply([.agentID("agent-1")])
            }
            for other in [
                WorkDirOwner(hostname: "node-2"), WorkDirOwner(hostname: "node-1", agentID: "agent-2"),
                WorkDirOwner(hostname: "node-1", cluster: "test"),
            ] {
                do {
                    _ = try AgentCheckpoint(workDir: dir, owner: other)
                    Issue.record("opened a work dir of another agent as \(other)")
                } catch let error as AgentCheckpointError {
                    #expect(error.code == .otherOwner)
                    #expect(error.message.contains("belongs to agent agent-1 on host node-1 (cluster prod)"), "\(error.message)")
                    #expect(error.message.contains(dir))
                } catch {
                    Issue.record("unexpected error: \(error)")
                }
            }
            // The same agent, named by ID or not, opens it.
            _ = try AgentCheckpoint(workDir: dir, owner: WorkDirOwner(hostname: "node-1", agentID: "agent-1", cluster: "prod"))
            _ = try AgentCheckpoint(workDir: dir, owner: WorkDirOwner(hostname: "node-1"))
        }
    }

    @Test func aStateMachineRestartedFromTheStoreDoesNotLaunchAgain() throws {
        try withWorkDir { dir in
            var harness = AgentHarness()
            do {
                let store = try AgentCheckpoint(workDir: dir, owner: Self.owner)
                harness.startAndSubscribe()
                harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
                try store.apply(((try? harness.checkpoint.load()) ?? .empty).asChanges)
            }
            let store = try AgentCheckpoint(workDir: dir, owner: Self.owner)
            var restarted = AgentHarness(recovered: try store.load())
            let effects = restarted.startAndSubscribe(term: 1)
            #expect(effects.launches.isEmpty)
            #expect(effects.recovers.map(\.key) == [AgentHarness.key("t1")])
            #expect(effects.sentUpdates.map(\.state) == [.starting])
            #expect(restarted.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1)).launches.isEmpty)
        }
    }
}

extension AgentCheckpointState {
    /// The changes that rebuild this state in an empty store.
    var asChanges: [CheckpointChange] {
        var changes: [CheckpointChange] = [.highestTerm(highestTerm)]
        if let agentID { changes.append(.agentID(agentID)) }
        changes += tasks.values.map { .putTask($0) }
        changes += updates.values.map { .putUpdate($0) }
        changes += completed.map { .complete($0.key, sequence: $0.value) }
        return changes
    }
}
