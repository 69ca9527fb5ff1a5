import CorralContainer
import CorralModel
import Testing

@testable import CorralAgent

/// How a custom executor becomes the launch of its container, on the command tasks' path.
@Suite struct ExecutorLaunchPlanTests {
    static func executor() -> AgentExecutor {
        var command = CommandInfo(value: "./my-executor --flag")
        command.environment = Environment([("OWN", "1"), ("MESOS_RECOVERY_TIMEOUT", "1mins")])
        command.uris = [CommandInfo.URI(value: "/srv/my-executor", executable: true)]
        var info = ExecutorInfo(
            executorID: "exec-1", frameworkID: "fw-1", command: command, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)],
            name: "my executor")
        info.shutdownGracePeriod = DurationInfo(nanoseconds: 7_000_000_000)
        var framework = FrameworkInfo(user: "root", name: "test")
        framework.checkpoint = true
        return AgentExecutor(key: ExecutorKey("fw-1", "exec-1"), info: info, frameworkInfo: framework)
    }

    @Test func theExecutorRunsAsATaskNamedAfterItWithTheExecutorAPIsEnvironment() throws {
        let launch = ExecutorLaunchPlan.launch(
            for: Self.executor(), agentID: "agent-1",
            environment: ["MESOS_AGENT_ENDPOINT": "127.0.0.1:5051", "MESOS_RECOVERY_TIMEOUT": "15mins"])
        #expect(launch.key == TaskKey("fw-1", "exec-1"))
        #expect(ExecutorLaunchPlan.isExecutor(launch))
        #expect(launch.task.command?.uris.map(\.value) == ["/srv/my-executor"], "its URIs are fetched like a task's")
        #expect(Resources(launch.task.resources) == Resources([.scalar("cpus", 0.1), .scalar("mem", 32)]))

        let configuration = TaskRunnerConfiguration(workDirectory: "/work/executors", imageRoot: "/images", corralExecutable: "/bin/corral", hostname: "node-1")
        let spec = try TaskLaunchPlan.spec(
            for: launch, containerID: "c1", sandbox: "/work/executors/sandboxes/fw-1/exec-1",
            rootfs: ResolvedRootfs(image: nil, users: UserDatabase(passwd: "", group: "")), configuration: configuration
        ).get()
        #expect(spec.rootfs == .host, "no image: the host's root filesystem, as Mesos runs such an executor")
        #expect(spec.arguments == ["/bin/sh", "-c", "./my-executor --flag"])
        let environment = Dictionary(spec.environment.map { ($0.prefix { $0 != "=" }, $0.drop { $0 != "=" }.dropFirst()) }, uniquingKeysWith: { first, _ in first })
        #expect(environment["MESOS_EXECUTOR_ID"] == "exec-1")
        #expect(environment["MESOS_FRAMEWORK_ID"] == "fw-1")
        #expect(environment["MESOS_AGENT_ENDPOINT"] == "127.0.0.1:5051")
        #expect(environment["MESOS_SANDBOX"] == "/work/executors/sandboxes/fw-1/exec-1")
        #expect(environment["MESOS_DIRECTORY"] == "/work/executors/sandboxes/fw-1/exec-1")
        #expect(environment["MESOS_CHECKPOINT"] == "1")
        #expect(environment["MESOS_RECOVERY_TIMEOUT"] == "1mins", "the executor's own variables win")
        #expect(environment["OWN"] == "1")
        #expect(environment["MESOS_TASK_ID"] == nil, "an executor has no task ID of its own")
    }

    @Test func aTaskIsNotAnExecutorLaunch() {
        var task = TaskInfo(name: "t", taskID: "exec-1", agentID: "a", command: CommandInfo(value: "true"))
        let group = ExecutorInfo(executorID: "exec-1", type: .default)
        #expect(!ExecutorLaunchPlan.isExecutor(TaskLaunch(key: TaskKey("f", "exec-1"), frameworkInfo: nil, task: task, executor: group, group: ["exec-1"])))
        task.executor = ExecutorInfo(executorID: "exec-1", command: CommandInfo(value: "x"))
        #expect(!ExecutorLaunchPlan.isExecutor(TaskLaunch(key: TaskKey("f", "exec-1"), frameworkInfo: nil, task: task, executor: nil)))
    }

    @Test func durationsAreWrittenTheWayMesosWritesThem() {
        #expect(ExecutorLaunchPlan.mesosDuration(.seconds(5)) == "5secs")
        #expect(ExecutorLaunchPlan.mesosDuration(.seconds(900)) == "15mins")
        #expect(ExecutorLaunchPlan.mesosDuration(.milliseconds(250)) == "250ms")
        #expect(ExecutorLaunchPlan.mesosDuration(.seconds(90)) == "90secs")
    }
}
