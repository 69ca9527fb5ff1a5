import CorralModel
import Testing

@testable import CorralMaster

/// `/master/state`'s task and executor views, built from registry records.
@Suite struct MasterStateV0Tests {
    private func record(_ id: String, agent: String, executor: ExecutorInfo?, state: TaskState) -> TaskRecord {
        TaskRecord(
            key: TaskKey(FrameworkID("f1"), TaskID(id)), agentID: AgentID(agent), role: "*",
            info: TaskInfo(name: id, taskID: TaskID(id), agentID: AgentID(agent), resources: [.scalar("cpus", 0.1)]),
            executor: executor, state: state, status: TaskStatus(taskID: TaskID(id), state: state, timestamp: 2000),
            pending: [], recentUUIDs: [], launchedAtNanos: 1_000_000_000_000)
    }

    @Test func executorsOfLiveTasksAreListedOncePerAgentWithTheirAgentID() throws {
        let group = ExecutorInfo(executorID: ExecutorID("e1"), type: .default, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)])
        let tasks = [
            record("a", agent: "s1", executor: group, state: .running),
            record("b", agent: "s1", executor: group, state: .running),
            record("c", agent: "s2", executor: group, state: .staging),
            record("d", agent: "s3", executor: group, state: .finished),
            record("plain", agent: "s1", executor: nil, state: .running),
        ]
        let executors = MasterStateV0.executors(of: tasks)
        #expect(executors.count == 2)
        #expect(executors.map { $0["slave_id"] } == [.string("s1"), .string("s2")])
        let first = try #require(executors.first)
        #expect(first["executor_id"] == .string("e1") && first["framework_id"] == .string("f1") && first["type"] == .string("DEFAULT"))
        #expect(first["resources"]?["mem"] == .number(32))
    }

    @Test func aTaskListsItsLaunchAsTheFirstStatus() {
        let running = MasterStateV0.task(record("a", agent: "s1", executor: nil, state: .running))
        #expect(running["statuses"] == [["state": "TASK_STAGING", "timestamp": 1000], ["state": "TASK_RUNNING", "timestamp": 2000]])
        let staging = MasterStateV0.task(record("b", agent: "s1", executor: nil, state: .staging))
        #expect(staging["statuses"] == [["state": "TASK_STAGING", "timestamp": 2000]])
    }

    @Test func everyStatusNamesTheTasksContainer() {
        var task = record("a", agent: "s1", executor: nil, state: .running)
        task.status.containerStatus = ContainerStatus(containerID: ContainerID("c-1"), executorPID: 42)
        let view = MasterStateV0.task(task)
        let container = OperatorViews.encode(task.status.containerStatus)
        #expect(container["container_id"] == ["value": "c-1"])
        #expect(view["statuses"] == [
            ["state": "TASK_STAGING", "timestamp": 1000, "container_status": container],
            ["state": "TASK_RUNNING", "timestamp": 2000, "container_status": container],
        ])
    }
}
