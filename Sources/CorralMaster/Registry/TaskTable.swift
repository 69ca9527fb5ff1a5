import CorralModel

/// The registry's live tasks by key, with indexes by agent and by framework kept in step, so
/// finding an agent's or a framework's tasks does not scan every task. Equality and hashing
/// look at the tasks only (the indexes follow from them).
public struct TaskTable: Hashable, Sendable, Sequence {
    public private(set) var all: [TaskKey: TaskRecord] = [:]
    private var byAgent: [AgentID: Set<TaskKey>] = [:]
    private var byFramework: [FrameworkID: Set<TaskKey>] = [:]

    public init() {}

    public subscript(key: TaskKey) -> TaskRecord? {
        get { all[key] }
        set {
            guard let newValue else {
                removeValue(forKey: key)
                return
            }
            let old = all.updateValue(newValue, forKey: key)
            // A task keeps its agent and framework (part of its key) when its state changes:
            // its index entries stay as they are.
            if let old, old.agentID == newValue.agentID { return }
            if let old { unindex(old) }
            index(newValue)
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: TaskKey) -> TaskRecord? {
        guard let old = all.removeValue(forKey: key) else { return nil }
        unindex(old)
        return old
    }

    public var values: Dictionary<TaskKey, TaskRecord>.Values { all.values }
    public var keys: Dictionary<TaskKey, TaskRecord>.Keys { all.keys }
    public var count: Int { all.count }
    public var isEmpty: Bool { all.isEmpty }

    /// The keys of the tasks on an agent.
    public func keys(onAgent id: AgentID) -> Set<TaskKey> { byAgent[id] ?? [] }
    /// The keys of a framework's tasks.
    public func keys(of id: FrameworkID) -> Set<TaskKey> { byFramework[id] ?? [] }

    public func makeIterator() -> Dictionary<TaskKey, TaskRecord>.Iterator { all.makeIterator() }

    public static func == (lhs: TaskTable, rhs: TaskTable) -> Bool { lhs.all == rhs.all }
    public func hash(into hasher: inout Hasher) { hasher.combine(all) }

    private mutating func index(_ task: TaskRecord) {
        byAgent[task.agentID, default: []].insert(task.key)
        byFramework[task.key.frameworkID, default: []].insert(task.key)
    }

    private mutating func unindex(_ task: TaskRecord) {
        byAgent[task.agentID]?.remove(task.key)
        if byAgent[task.agentID]?.isEmpty == true { byAgent.removeValue(forKey: task.agentID) }
        byFramework[task.key.frameworkID]?.remove(task.key)
        if byFramework[task.key.frameworkID]?.isEmpty == true { byFramework.removeValue(forKey: task.key.frameworkID) }
    }
}
