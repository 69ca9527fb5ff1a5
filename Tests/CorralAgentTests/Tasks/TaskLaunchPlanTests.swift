import CorralContainer
import CorralModel
import Testing

@testable import CorralAgent

/// How a `TaskLaunch` becomes a container spec, without running anything.
@Suite struct TaskLaunchPlanTests {
    static let configuration = TaskRunnerConfiguration(
        workDirectory: "/work",
        imageRoot: "/images",
        corralExecutable: "/bin/corral",
        taskEnvironment: ["MESOS_AGENT_ENDPOINT": "10.0.0.1:5051", "SHARED": "agent"],
        hostname: "node-1"
    )
    static let key = TaskKey("fw-1", "task-1")
    static let image = (name: "busybox", lowerDirectories: ["/images/layers/a"], config: ImageConfig(
        env: ["PATH=/image/bin", "FROM_IMAGE=1", "SHARED=image"],
        cmd: ["serve", "--port", "80"],
        entrypoint: ["/bin/app"]
    ))

    static func launch(_ command: CommandInfo?, resources: [Resource] = []) -> TaskLaunch {
        var info = FrameworkInfo(user: "root", name: "test")
        info.checkpoint = true
        return TaskLaunch(
            key: key,
            frameworkInfo: info,
            task: TaskInfo(name: "t", taskID: "task-1", agentID: "agent-1", resources: resources, command: command),
            executor: nil
        )
    }

    static func plan(_ launch: TaskLaunch, image: Bool = false, users: UserDatabase = UserDatabase(passwd: "", group: ""))
        -> Result<LaunchSpec, TaskEnd>
    {
        TaskLaunchPlan.spec(
            for: launch,
            containerID: "c1",
            sandbox: "/work/sandboxes/fw-1/task-1",
            rootfs: ResolvedRootfs(image: image ? Self.image : nil, users: users),
            configuration: configuration
        )
    }

    /// A task whose container names a network gets the agent's bridge, its port mappings
    /// published; a host port must be one of its `ports` resources.
    @Test func portMappingsPublishTheTasksPortsOnTheBridge() throws {
        func launch(_ mappings: [NetworkInfo.PortMapping]) -> TaskLaunch {
            var launch = Self.launch(.shell("httpd -f -p 80"), resources: [.scalar("cpus", 0.5), .ranges("ports", Ranges(31000...31001))])
            launch.task.container = ContainerInfo(type: .mesos, networkInfos: [NetworkInfo(name: "corral", portMappings: mappings)])
            return launch
        }
        let spec = try Self.plan(launch([.init(hostPort: 31000, containerPort: 80), .init(hostPort: 31001, containerPort: 53, protocol: "udp")])).get()
        #expect(spec.network == .bridge)
        #expect(spec.portMappings == [
            CorralContainer.PortMapping(hostPort: 31000, containerPort: 80), CorralContainer.PortMapping(hostPort: 31001, containerPort: 53, transport: .udp),
        ])
        #expect(try Self.plan(launch([])).get().network == .bridge, "a named network without mappings is still the bridge")
        #expect(try Self.plan(Self.launch(.shell("true"))).get().network == .host)
        guard case .failure(let outside) = Self.plan(launch([.init(hostPort: 8080, containerPort: 80)])) else {
            Issue.record("a host port outside the task's ports was accepted")
            return
        }
        #expect(outside.message.contains("not among the task's ports resources"), "\(outside)")
        guard case .failure(let badProtocol) = Self.plan(launch([.init(hostPort: 31000, containerPort: 80, protocol: "sctp")])) else {
            Issue.record("sctp was accepted")
            return
        }
        #expect(badProtocol.reason == .taskInvalid)
    }

    @Test func aShellCommandOnTheHostRunsInItsSandboxWithItsLimitsAndLogs() throws {
        let launch = Self.launch(.shell("echo hi"), resources: [.scalar("cpus", 0.5), .scalar("mem", 64)])
        let spec = try Self.plan(launch).get()
        #expect(spec.arguments == ["/bin/sh", "-c", "echo hi"])
        #expect(spec.rootfs == .host)
        #expect(spec.workingDirectory == "/work/sandboxes/fw-1/task-1")
        // The agent's directories are hidden; only its own sandbox is bound back, at its path.
        let sandbox = "/work/sandboxes/fw-1/task-1"
        #expect(spec.bindMounts == [BindMount(source: sandbox, target: sandbox)])
        #expect(spec.security.hiddenPaths == ["/work", "/images"])
        #expect(spec.security.seccomp == .dockerDefault)
        #expect(spec.logDirectory == "/work/sandboxes/fw-1/task-1")
        #expect(spec.cpus == 0.5)
        #expect(spec.memoryLimitBytes == 64 << 20)
        #expect(spec.network == .host)
        #expect(spec.hostname == "node-1")
        #expect(spec.user == .root)
        #expect(spec.environment.contains("MESOS_SANDBOX=/work/sandboxes/fw-1/task-1"))
    }

    @Test func anImageTaskSeesItsSandboxAtTheMesosPath() throws {
        let spec = try Self.plan(Self.launch(.shell("true")), image: true).get()
        #expect(spec.rootfs == .overlay(lowerDirectories: ["/images/layers/a"]))
        #expect(spec.bindMounts == [BindMount(source: "/work/sandboxes/fw-1/task-1", target: "/mnt/mesos/sandbox")])
        #expect(spec.security.hiddenPaths.isEmpty)
        #expect(spec.workingDirectory == "/mnt/mesos/sandbox")
        #expect(spec.logDirectory == "/work/sandboxes/fw-1/task-1")
        #expect(spec.environment.contains("MESOS_SANDBOX=/mnt/mesos/sandbox"))
        #expect(spec.environment.contains("MESOS_DIRECTORY=/work/sandboxes/fw-1/task-1"))
    }

    @Test func theArgvFormRunsTheValueWithTheArgumentsAfterArgvZero() {
        let argv = CommandInfo(value: "/bin/echo", shell: false, arguments: ["echo", "a b", "c"])
        #expect(TaskLaunchPlan.arguments(argv, image: nil) == ["/bin/echo", "a b", "c"])
        let bare = CommandInfo(value: "/bin/true", shell: false)
        #expect(TaskLaunchPlan.arguments(bare, image: nil) == ["/bin/true"])
        // Without a value the image's entrypoint runs, with the arguments or else its cmd.
        let none = CommandInfo(value: nil, shell: false)
        #expect(TaskLaunchPlan.arguments(none, image: Self.image.config) == ["/bin/app", "serve", "--port", "80"])
        let arguments = CommandInfo(value: nil, shell: false, arguments: ["check"])
        #expect(TaskLaunchPlan.arguments(arguments, image: Self.image.config) == ["/bin/app", "check"])
        #expect(TaskLaunchPlan.arguments(none, image: nil) == nil)
    }

    @Test func theTasksOwnVariablesWinOverMesosTheAgentAndTheImage() throws {
        let command = CommandInfo(
            value: "env",
            environment: Environment([("SHARED", "task"), ("MESOS_TASK_ID", "mine")])
        )
        let spec = try Self.plan(Self.launch(command), image: true).get()
        let environment = spec.environment
        #expect(environment.filter { $0.hasPrefix("SHARED=") } == ["SHARED=task"])
        #expect(environment.filter { $0.hasPrefix("MESOS_TASK_ID=") } == ["MESOS_TASK_ID=mine"])
        #expect(environment.filter { $0.hasPrefix("PATH=") } == ["PATH=/image/bin"])
        for expected in [
            "MESOS_FRAMEWORK_ID=fw-1", "MESOS_EXECUTOR_ID=task-1", "MESOS_AGENT_ID=agent-1", "MESOS_SLAVE_ID=agent-1",
            "MESOS_CHECKPOINT=1", "MESOS_AGENT_ENDPOINT=10.0.0.1:5051", "FROM_IMAGE=1",
        ] {
            #expect(environment.contains(expected), "\(expected) in \(environment)")
        }
    }

    @Test func aNamedUserComesFromTheRootfsAndAnUnknownOneFailsTheTask() throws {
        let users = UserDatabase(
            passwd: "root:x:0:0::/root:/bin/sh\n# comment\nweb:x:1001:1002::/home/web:/bin/sh\n",
            group: "web:x:1002:\nlogs:x:1500:admin,web\nother:x:1600:admin\n"
        )
        var command = CommandInfo.shell("id")
        command.user = "web"
        let spec = try Self.plan(Self.launch(command), image: true, users: users).get()
        #expect(spec.user == UserSpec(uid: 1001, gid: 1002, additionalGroups: [1500]))
        command.user = "4242"
        #expect(try Self.plan(Self.launch(command), users: users).get().user == UserSpec(uid: 4242, gid: 4242))
        command.user = "nobody"
        let end = try #require(Self.failure(Self.plan(Self.launch(command), image: true, users: users)))
        #expect(end.state == .failed)
        #expect(end.reason == .containerLaunchFailed)
        #expect(end.message.contains("'nobody'") && end.message.contains("image 'busybox'"))
    }

    @Test func aTaskWithoutACommandOrWithABadIDIsAnError() throws {
        let none = try #require(Self.failure(Self.plan(Self.launch(nil))))
        #expect(none.state == .error && none.reason == .taskInvalid)
        let empty = try #require(Self.failure(Self.plan(Self.launch(CommandInfo(value: nil)))))
        #expect(empty.state == .error)
        for bad in ["..", ".", "", "a/b"] {
            let end = try #require(TaskLaunchPlan.invalidID(TaskKey("fw", TaskID(bad))))
            #expect(end.state == .error && end.reason == .taskInvalid)
        }
        #expect(TaskLaunchPlan.invalidID(TaskKey("fw-1", "web.1")) == nil)
    }

    @Test func anImageNameIsLookedUpUnderDockersSpellings() {
        #expect(TaskLauncher.candidates(for: "busybox") == ["busybox", "busybox:latest"])
        #expect(
            TaskLauncher.candidates(for: "docker.io/library/busybox")
                == ["docker.io/library/busybox", "library/busybox", "busybox", "docker.io/library/busybox:latest",
                    "library/busybox:latest", "busybox:latest"]
        )
        #expect(TaskLauncher.candidates(for: "registry:5000/app:1") == ["registry:5000/app:1"])
        var task = TaskInfo(name: "t", taskID: "t", agentID: "a")
        task.container = ContainerInfo(type: .mesos, mesos: .init(image: .docker("busybox")))
        #expect(TaskLaunchPlan.imageName(of: task) == "busybox")
    }

    static func failure(_ result: Result<LaunchSpec, TaskEnd>) -> TaskEnd? {
        if case .failure(let end) = result { return end }
        return nil
    }
}
