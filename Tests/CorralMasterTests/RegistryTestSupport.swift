import CorralModel
import CorralStore
import Foundation
import Testing

@testable import CorralMaster

/// Builders for registry commands, and a registry that numbers the entries it applies.
enum Fixture {
    static let second: UInt64 = 1_000_000_000

    static func frameworkInfo(_ id: String, partitionAware: Bool = false, roles: [String] = ["web"])
        -> FrameworkInfo
    {
        var capabilities = [FrameworkInfo.Capability(.multiRole)]
        if partitionAware { capabilities.append(FrameworkInfo.Capability(.partitionAware)) }
        return FrameworkInfo(
            user: "corral",
            name: "scheduler-\(id)",
            id: FrameworkID(id),
            failoverTimeoutSeconds: 60,
            roles: roles,
            capabilities: capabilities
        )
    }

    static func agentInfo(_ id: String, cpus: Double = 4, mem: Double = 1024) -> AgentInfo {
        AgentInfo(
            hostname: "\(id).example",
            port: 5051,
            resources: [.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))],
            id: AgentID(id)
        )
    }

    static func taskInfo(_ id: String, on agent: String = "a1", cpus: Double = 1, mem: Double = 64)
        -> TaskInfo
    {
        TaskInfo(
            name: "task \(id)",
            taskID: TaskID(id),
            agentID: AgentID(agent),
            resources: [.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))]
        )
    }

    static func executorInfo(_ id: String, cpus: Double = 0.5, mem: Double = 32) -> ExecutorInfo {
        ExecutorInfo(
            executorID: ExecutorID(id),
            type: "DEFAULT",
            resources: [.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))]
        )
    }

    static func launch(
        _ framework: String,
        on agent: String = "a1",
        _ tasks: [TaskInfo],
        executor: ExecutorInfo? = nil,
        at: UInt64 = 10
    ) -> RegistryCommand {
        .launch(
            frameworkID: FrameworkID(framework),
            agentID: AgentID(agent),
            role: "web",
            tasks: tasks,
            executor: executor,
            atNanos: at
        )
    }

    static func update(
        _ framework: String,
        _ task: String,
        _ state: TaskState,
        uuid: UInt8?,
        at: UInt64 = 20
    ) -> RegistryCommand {
        .statusUpdate(
            frameworkID: FrameworkID(framework),
            status: TaskStatus(
                taskID: TaskID(task),
                state: state,
                source: .executor,
                uuid: uuid.map { [0xAB, $0] }
            ),
            atNanos: at
        )
    }

    static func ack(_ framework: String, _ task: String, uuid: [UInt8]) -> RegistryCommand {
        .acknowledge(frameworkID: FrameworkID(framework), taskID: TaskID(task), uuid: uuid)
    }

    static func key(_ framework: String, _ task: String) -> TaskKey {
        TaskKey(FrameworkID(framework), TaskID(task))
    }

    static func cpus(_ resources: Resources) -> Double { resources.cpus ?? 0 }
}

/// A registry fed one log entry at a time, as the state machine feeds it.
struct RegistryDriver {
    var registry = Registry()
    var index: UInt64 = 0

    /// Applies `command` as the next entry.
    @discardableResult
    mutating func apply(_ command: RegistryCommand) -> (RegistryOutcome, [RegistryChange]) {
        index += 1
        return registry.apply(command, index: index)
    }

    /// Applies `command` and records an issue if it was refused.
    @discardableResult
    mutating func accept(_ command: RegistryCommand, sourceLocation: SourceLocation = #_sourceLocation)
        -> [RegistryChange]
    {
        let (outcome, changes) = apply(command)
        #expect(outcome.error == nil, "\(command) was refused: \(outcome)", sourceLocation: sourceLocation)
        return changes
    }

    /// A registry with framework `f1` (and `f2`, partition-aware) subscribed and agent `a1`
    /// (4 cpus, 1024 mem) admitted, all at time 1.
    static func standard() -> RegistryDriver {
        var driver = RegistryDriver()
        driver.accept(.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 1))
        driver.accept(
            .subscribeFramework(info: Fixture.frameworkInfo("f2", partitionAware: true), atNanos: 1)
        )
        driver.accept(.admitAgent(info: Fixture.agentInfo("a1"), atNanos: 1))
        return driver
    }

    var tasks: TaskTable { registry.tasks }

    func task(_ framework: String, _ task: String) -> TaskRecord? {
        registry.tasks[Fixture.key(framework, task)]
    }
}

extension MasterStateMachine {
    /// Every stored key of the registry database and every key-value record, read from disk.
    func storedRecords() throws -> (registryKeys: [[UInt8]], values: [StoreRecord]) {
        let registry = try environment.openDatabase("registry", flags: [])
        let values = try environment.openDatabase("kv", flags: [])
        return try environment.read { txn in
            (try txn.records(in: registry).map(\.key), try txn.records(in: values))
        }
    }
}
