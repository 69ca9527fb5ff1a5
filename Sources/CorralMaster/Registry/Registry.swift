import CorralStore
import CorralModel

/// The replicated registry: agents, frameworks, tasks (and so every agent's allocation),
/// quota, weights and maintenance. A pure value: commands go in, changes come out, and the
/// same log gives the same registry on every replica.
public struct Registry: Hashable, Sendable {
    /// How many finished tasks and removed frameworks are kept for the state endpoints.
    public static let completedLimit = 1000

    /// The replicated clock: the largest time any applied command carried.
    public internal(set) var clockNanos: UInt64 = 0
    public internal(set) var agents: [AgentID: AgentRecord] = [:]
    public internal(set) var frameworks: [FrameworkID: FrameworkRecord] = [:]
    /// Live tasks: not terminal, or terminal with updates the scheduler has not acknowledged.
    public internal(set) var tasks = TaskTable()
    /// Finished tasks, oldest first, by sequence number.
    public internal(set) var completedTasks: [UInt64: TaskRecord] = [:]
    var nextCompletedSequence: UInt64 = 0
    public internal(set) var completedFrameworks: [FrameworkID: FrameworkRecord] = [:]
    public internal(set) var quotas: [String: QuotaRecord] = [:]
    public internal(set) var weights: [String: Double] = [:]
    public internal(set) var maintenance = MaintenanceSchedule()
    /// Machines in Down mode (START_MAINTENANCE), normalized; stored with the schedule.
    public internal(set) var downMachines: Set<MaintenanceSchedule.MachineID> = []

    /// What applying needs but the registry's value is not: equal registries may differ here.
    var bookkeeping = Bookkeeping()

    /// Scratch state for applying and storing. It is not stored, so it compares equal
    /// whatever it holds; otherwise a registry loaded from LMDB would differ from the one
    /// that wrote it.
    struct Bookkeeping: Hashable, Sendable {
        /// Records changed since the last `takeDirty()`.
        var dirty: Set<RegistryKey> = []
        /// The entry being applied, for deterministic UUIDs of master-made updates.
        var applyingIndex: UInt64 = 0
        var madeUUIDs: UInt64 = 0

        static func == (lhs: Self, rhs: Self) -> Bool { true }
        func hash(into hasher: inout Hasher) {}
    }

    public init() {}

    // MARK: - Queries

    /// The live tasks on an agent.
    public func tasks(onAgent id: AgentID) -> [TaskRecord] {
        tasks.keys(onAgent: id).sorted().compactMap { tasks[$0] }
    }

    /// The live tasks of a framework.
    public func tasks(of framework: FrameworkID) -> [TaskRecord] {
        tasks.keys(of: framework).sorted().compactMap { tasks[$0] }
    }

    /// What non-terminal tasks hold on an agent (quantities, reservations and roles set
    /// aside): the agent's replicated allocation. A task group's executor is counted once,
    /// while any of its tasks is live.
    public func allocated(onAgent id: AgentID) -> Resources {
        var total = Resources()
        var executors: Set<ExecutorKey> = []
        for key in tasks.keys(onAgent: id) {
            guard let task = tasks[key], !task.isTerminal else { continue }
            // Added one by one: the same sum as `task.resources.unallocated`, without
            // building two collections per task on this hot path.
            for resource in task.info.resources { total.add(resource.unallocatedRefined) }
            if let executor = task.executor,
                executors.insert(ExecutorKey(task.key.frameworkID, executor.executorID)).inserted
            {
                for resource in executor.resources { total.add(resource.unallocatedRefined) }
            }
        }
        return total
    }

    /// The executor `executor` of `framework` as a live task on `agent` runs it, if any does.
    func liveExecutor(_ executor: ExecutorID, of framework: FrameworkID, onAgent agent: AgentID) -> ExecutorInfo? {
        for key in tasks.keys(onAgent: agent) where key.frameworkID == framework {
            if let task = tasks[key], !task.isTerminal, let info = task.executor, info.executorID == executor {
                return info
            }
        }
        return nil
    }

    /// Whether a live task of `framework` on `agent` runs in the executor `executor`.
    func hasLiveExecutor(_ executor: ExecutorID, of framework: FrameworkID, onAgent agent: AgentID) -> Bool {
        tasks.keys(onAgent: agent).contains { key in
            guard key.frameworkID == framework, let task = tasks[key] else { return false }
            return task.executor?.executorID == executor && !task.isTerminal
        }
    }

    /// Executor IDs are unique per framework, as task IDs are.
    struct ExecutorKey: Hashable {
        var frameworkID: FrameworkID
        var executorID: ExecutorID

        init(_ frameworkID: FrameworkID, _ executorID: ExecutorID) {
            self.frameworkID = frameworkID
            self.executorID = executorID
        }
    }

    /// Frameworks that are not removed.
    public var liveFrameworks: [FrameworkRecord] {
        frameworks.values.filter { !$0.isRemoved }.sorted { $0.id < $1.id }
    }

    mutating func touch(_ key: RegistryKey) { bookkeeping.dirty.insert(key) }

    mutating func takeDirty() -> Set<RegistryKey> {
        defer { bookkeeping.dirty = [] }
        return bookkeeping.dirty
    }

    /// A UUID for an update the master makes, the same on every replica.
    mutating func makeUUID() -> [UInt8] {
        bookkeeping.madeUUIDs += 1
        return BigEndianKey.encode(bookkeeping.applyingIndex) + BigEndianKey.encode(bookkeeping.madeUUIDs)
    }

    mutating func advanceClock(_ atNanos: UInt64) {
        if atNanos > clockNanos {
            clockNanos = atNanos
            touch(.clock)
        }
    }
}
