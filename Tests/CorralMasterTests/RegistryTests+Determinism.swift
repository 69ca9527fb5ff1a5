import CorralModel
import Testing

@testable import CorralMaster
import CorralTestSupport

/// Random registry commands over a few frameworks, agents and task IDs, so that most of them
/// meet something that exists. Acknowledgements name updates that are pending when made.
struct RandomRegistryWorkload {
    var random: SplitMix64
    var registry = Registry()
    var log: [RegistryCommand] = []
    var now: UInt64 = 0

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    private mutating func pick<T>(_ items: [T]) -> T {
        items[Int.random(in: 0..<items.count, using: &random)]
    }

    private mutating func time() -> UInt64 {
        // Mostly forward, sometimes a little behind: leaders' clocks differ.
        now += UInt64.random(in: 0...50, using: &random)
        if now >= 30 && Int.random(in: 0..<10, using: &random) == 0 { return now - 30 }
        return now
    }

    private static let frameworks = (0..<4).map { FrameworkID("f\($0)") }
    private static let agents = (0..<3).map { AgentID("a\($0)") }
    private static let taskIDs = (0..<10).map { "t\($0)" }
    private static let states: [TaskState] = [
        .starting, .running, .killing, .finished, .failed, .killed, .lost,
    ]

    mutating func nextCommand() -> RegistryCommand {
        let framework = pick(Self.frameworks)
        let agent = pick(Self.agents)
        let at = time()
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<8:
            let aware = framework.value == "f1" || framework.value == "f3"
            return .subscribeFramework(
                info: Fixture.frameworkInfo(framework.value, partitionAware: aware),
                atNanos: at
            )
        case 8..<11:
            return .disconnectFramework(
                id: framework,
                atNanos: at,
                deadlineNanos: at + UInt64.random(in: 0...200, using: &random)
            )
        case 11..<12: return .removeFramework(id: framework, atNanos: at)
        case 12..<17: return .tick(atNanos: at)
        case 17..<22: return .admitAgent(info: Fixture.agentInfo(agent.value), atNanos: at)
        case 22..<25:
            let reported = registry.tasks(onAgent: agent).filter { _ in Bool.random(using: &random) }.map {
                ReportedTask(
                    frameworkID: $0.key.frameworkID,
                    status: TaskStatus(taskID: $0.key.taskID, state: .running)
                )
            }
            return .reregisterAgent(info: Fixture.agentInfo(agent.value), reported: reported, atNanos: at)
        case 25..<28: return .agentUnreachable(id: agent, atNanos: at)
        case 28..<29: return .markAgentGone(id: agent, atNanos: at)
        case 29..<50:
            let count = Int.random(in: 1...2, using: &random)
            let tasks = (0..<count).map { _ in
                Fixture.taskInfo(
                    pick(Self.taskIDs),
                    on: agent.value,
                    cpus: Double(Int.random(in: 1...4, using: &random)) / 2
                )
            }
            let executor = Bool.random(using: &random) ? Fixture.executorInfo(pick(["e0", "e1"])) : nil
            return Fixture.launch(framework.value, on: agent.value, tasks, executor: executor, at: at)
        case 50..<80:
            let keys = registry.tasks.keys.sorted()
            let task = keys.isEmpty ? nil : pick(keys)
            let uuid: UInt8? = Bool.random(using: &random) ? UInt8.random(in: 0...20, using: &random) : nil
            return Fixture.update(
                task?.frameworkID.value ?? framework.value,
                task?.taskID.value ?? pick(Self.taskIDs),
                pick(Self.states),
                uuid: uuid,
                at: at
            )
        case 80..<95:
            let waiting = registry.tasks.values.sorted { $0.key < $1.key }.filter { !$0.pending.isEmpty }
            guard !waiting.isEmpty else { return .tick(atNanos: at) }
            let task = pick(waiting)
            return Fixture.ack(
                task.key.frameworkID.value,
                task.key.taskID.value,
                uuid: pick(task.pending).uuid ?? []
            )
        case 95..<97:
            return .updateWeights([pick(["web", "batch"]): Double(Int.random(in: 1...4, using: &random))])
        default:
            return .updateQuota([QuotaRecord(role: "web", guarantees: ["cpus": 1], limits: ["cpus": 8])])
        }
    }

    /// Makes and applies `count` commands, checking the invariants after each.
    mutating func run(_ count: Int, seed: UInt64) {
        for index in 1...UInt64(count) {
            let command = nextCommand()
            log.append(command)
            _ = registry.apply(command, index: index)
            checkInvariants(after: command, seed: seed)
        }
    }

    func checkInvariants(after command: RegistryCommand, seed: UInt64) {
        for (id, agent) in registry.agents {
            // Counted here independently: live tasks, plus each live executor once.
            var used = Resources()
            var executors: Set<[String]> = []
            for task in registry.tasks(onAgent: id) where !task.isTerminal {
                used += task.resources.flattened
                if let executor = task.executor,
                    executors.insert([task.key.frameworkID.value, executor.executorID.value]).inserted
                {
                    used += Resources(executor.resources).flattened
                }
            }
            #expect(
                agent.total.flattened.contains(used),
                "seed \(seed): agent \(id) over-committed: \(used) of \(agent.total) after \(command)"
            )
            #expect(
                registry.allocated(onAgent: id) == used,
                "seed \(seed): allocation of \(id) after \(command)"
            )
        }
        for (key, task) in registry.tasks {
            #expect(key == task.key, "seed \(seed)")
            #expect(!task.isTerminal || !task.pending.isEmpty, "seed \(seed): \(key) should have completed")
            #expect(
                registry.frameworks[key.frameworkID] != nil,
                "seed \(seed): \(key) outlived its framework"
            )
            #expect(registry.agents[task.agentID] != nil, "seed \(seed): \(key) on an unknown agent")
        }
        #expect(registry.completedTasks.count <= Registry.completedLimit, "seed \(seed)")
    }
}

extension RegistryTests {
    // MARK: - Determinism

    @Test(
        "the same commands give equal registries, and no agent is ever over-committed",
        arguments: [
            1, 2, 3, 42, 2024, 0xC0FF_EE00, 0xDEAD_BEEF_F00D,
        ] as [UInt64]
    )
    func determinism(seed: UInt64) {
        var workload = RandomRegistryWorkload(seed: seed)
        workload.run(1_500, seed: seed)

        var replica = Registry()
        for (offset, command) in workload.log.enumerated() {
            _ = replica.apply(command, index: UInt64(offset + 1))
        }
        #expect(replica == workload.registry, "seed \(seed): a replica applying the same log differs")

        // Replaying from the seed makes the same log.
        var again = RandomRegistryWorkload(seed: seed)
        again.run(1_500, seed: seed)
        #expect(again.log == workload.log, "seed \(seed): the workload does not replay")

        // The workload reaches the interesting paths.
        #expect(!workload.registry.completedTasks.isEmpty, "seed \(seed): no task completed")
        #expect(!workload.registry.agents.isEmpty, "seed \(seed): no agent admitted")
    }

    @Test("outcomes and changes are the same on every replica", arguments: [7, 99] as [UInt64])
    func changesAreDeterministic(seed: UInt64) {
        var workload = RandomRegistryWorkload(seed: seed)
        workload.run(800, seed: seed)
        var first = Registry()
        var second = Registry()
        for (offset, command) in workload.log.enumerated() {
            let index = UInt64(offset + 1)
            let left = first.apply(command, index: index)
            let right = second.apply(command, index: index)
            #expect(left.0 == right.0, "seed \(seed): outcome of entry \(index) differs")
            #expect(left.1 == right.1, "seed \(seed): changes of entry \(index) differ")
        }
    }
}
