import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Logging
import Testing

@testable import CorralAgent

/// An agent state machine driven through a few launches, with a sandbox of real files per
/// executor, and the `AgentView` and `AgentHTTP` made from them:
/// - f1 (framework "spark"): command task t1 RUNNING in container c-1 (pid 42), its updates
///   acknowledged; command task t2 FAILED, its updates not acknowledged; a task group g1, g2
///   under executor "ex" (STAGING).
/// - f2 (no FrameworkInfo): command task x STAGING.
struct AgentHTTPFixture {
    let scratch: ScratchDirectory
    let files = SandboxFiles()
    var harness: AgentHarness
    let config: AgentConfig
    /// Each executor's sandbox, by its tasks' keys.
    let sandboxes: [TaskKey: String]
    /// A directory outside every sandbox, with a file `key`.
    let outside: String
    let startTime = Date(timeIntervalSince1970: 1_700_000_000)

    static let t1 = AgentHarness.key("t1")
    static let t2 = AgentHarness.key("t2")
    static let g1 = AgentHarness.key("g1")
    static let x = AgentHarness.key("x", framework: "f2")
    static let stdout = "hello from t1\nsecond line\n"

    init() throws {
        scratch = try ScratchDirectory(prefix: "corral-agent-http")
        // The temporary directory may end in "/": sandboxes are clean absolute paths.
        let root = SandboxFiles.normalized(scratch.path)
        harness = AgentHarness()
        config = AgentConfig(
            masters: [try #require(MasterAddress("127.0.0.1:5050"))], workDirectory: scratch.path,
            resources: AgentHarness.defaultResources, attributes: [.text("rack", "r1"), .scalar("level", 2)],
            hostname: "node-1", httpListen: ListenAddress(host: "127.0.0.1", port: 0))
        // The machine registers what the configuration says (attributes included).
        harness.machine = AgentStateMachine(info: config.agentInfo(port: 5051), random: SplitMix64(seed: 1))
        outside = root + "/secret"
        var sandboxes: [TaskKey: String] = [:]
        for (key, executor) in [(Self.t1, "t1"), (Self.t2, "t2"), (Self.g1, "ex"), (AgentHarness.key("g2"), "ex"), (Self.x, "x")] {
            sandboxes[key] = root + "/work/frameworks/\(key.frameworkID)/executors/\(executor)/runs/latest"
        }
        self.sandboxes = sandboxes
        try makeFiles()
        drive()
    }

    private func makeFiles() throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("do not read".utf8).write(to: URL(fileURLWithPath: outside + "/key"))
        for directory in Set(sandboxes.values) {
            try manager.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
            let relative = directory.dropFirst(SandboxFiles.normalized(scratch.path).count + "/work".count)
            files.attach(directory, as: String(relative))
        }
        let t1 = try #require(sandboxes[Self.t1])
        try Data(Self.stdout.utf8).write(to: URL(fileURLWithPath: t1 + "/stdout"))
        try Data([0, 1, 2, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: t1 + "/binary"))
        try manager.createSymbolicLink(atPath: t1 + "/escape", withDestinationPath: outside)
        try manager.createSymbolicLink(atPath: t1 + "/escape-file", withDestinationPath: outside + "/key")
    }

    private mutating func drive() {
        harness.startAndSubscribe()
        var spark = FrameworkInfo(user: "alice", name: "spark", failoverTimeoutSeconds: 60, checkpoint: true, hostname: "sched-host")
        spark.role = "analytics"
        harness.send(AgentHarness.launch([AgentHarness.task("t1", cpus: 1, mem: 256), AgentHarness.task("t2")], term: 1, frameworkInfo: spark))
        harness.step(.taskRunning(Self.t1, containerID: ContainerID("c-1"), pid: 42))
        harness.step(.launchFailed(Self.t2, TaskEnd(state: .failed, reason: .commandExecutorFailed, message: "exit 1", exitStatus: 256)))
        acknowledgeAll(of: Self.t1)

        var group = AgentEvent(type: .launch, term: 1)
        let executor = ExecutorInfo(
            executorID: "ex", type: .default, resources: [.scalar("cpus", 0.1), .scalar("mem", 32)], name: "default executor")
        group.launch = AgentEvent.Launch(
            frameworkID: AgentHarness.framework, frameworkInfo: spark,
            tasks: [AgentHarness.task("g1", cpus: 0.5, mem: 64), AgentHarness.task("g2", cpus: 0.5, mem: 64)], executor: executor)
        harness.send(group)
        harness.send(AgentHarness.launch([AgentHarness.task("x")], term: 1, framework: "f2"))
    }

    /// Acknowledges the task's updates one by one, oldest first, as the master would.
    mutating func acknowledgeAll(of key: TaskKey) {
        while let next = harness.machine.updates.values.filter({ $0.key == key }).min(by: { $0.sequence < $1.sequence }) {
            harness.step(.callAnswered(uuid: next.uuid, .acknowledged))
        }
    }

    func view(master: MasterAddress? = MasterAddress("10.0.0.5:5050")) -> AgentView {
        AgentView(
            machine: harness.machine, config: config, startTime: startTime, address: ListenAddress(host: "127.0.0.1", port: 5051),
            master: master, sandbox: { sandboxes[$0.key] ?? "" })
    }

    func http() -> AgentHTTP {
        let view = view()
        var logger = Logger(label: "agent-http-test")
        logger.logLevel = .warning
        return AgentHTTP(view: { view }, files: files, listen: config.httpListen, logger: logger)
    }

    func remove() { scratch.remove() }
}
