import CorralModel
import CorralStore
import Foundation
import Synchronization

/// The agent's checkpoint: an LMDB environment in `<work-dir>/meta`, written with full
/// durability (a batch survives power loss once `apply` returns).
///
/// Databases: `owner` (who owns the work dir, and the highest term), `tasks` (one record
/// per task key, without its launch), `launches` (each task's launch, written when it first
/// comes or changes rather than with every change of the task), `updates` (pending status
/// updates by sequence), `completed` (the keys of acknowledged-terminal tasks, with their
/// sequence) and `executors` (one record per custom executor). Values are JSON.
///
/// A work dir records its owner (hostname, agent ID once known, cluster if known) on first
/// use; opening it for another hostname, or with an explicitly different agent ID or cluster,
/// is refused with an error that says whose it is.
public final class AgentCheckpoint: AgentCheckpointStore {
    /// `<work-dir>/meta`.
    public let path: String
    private let environment: StoreEnvironment
    private let meta: StoreDatabase
    private let taskRecords: StoreDatabase
    private let updateRecords: StoreDatabase
    private let completedRecords: StoreDatabase
    private let executorRecords: StoreDatabase
    private let launchRecords: StoreDatabase
    /// The launch last written for each task, so that a task's other changes do not write it again.
    private let writtenLaunches = Mutex<[TaskKey: TaskLaunch]>([:])

    private static let ownerKey = Array("owner".utf8)
    private static let termKey = Array("highest_term".utf8)

    /// Opens (creating if needed) the checkpoint of `workDir` for `owner`; refuses a work dir
    /// that belongs to another agent.
    public init(workDir: String, owner: WorkDirOwner) throws(AgentCheckpointError) {
        path = (workDir as NSString).appendingPathComponent("meta")
        do {
            environment = try StoreEnvironment(path: path, options: StoreOptions(mapSizeBytes: 16 << 20))
            meta = try environment.openDatabase("owner")
            taskRecords = try environment.openDatabase("tasks")
            updateRecords = try environment.openDatabase("updates")
            completedRecords = try environment.openDatabase("completed")
            executorRecords = try environment.openDatabase("executors")
            launchRecords = try environment.openDatabase("launches")
        } catch {
            throw AgentCheckpointError(code: .storage, message: "cannot open the agent checkpoint in \(path)", underlying: error)
        }
        try claim(for: owner, workDir: workDir)
    }

    /// Who owns the work dir, as recorded.
    public func owner() throws(AgentCheckpointError) -> WorkDirOwner? {
        try guarded("read the owner") {
            try environment.read { txn in try txn.get(Self.ownerKey, in: meta) }.map { try JSONDecoder().decode(WorkDirOwner.self, from: Data($0)) }
        }
    }

    private func claim(for owner: WorkDirOwner, workDir: String) throws(AgentCheckpointError) {
        guard var recorded = try self.owner() else {
            try write { txn in try self.put(owner, Self.ownerKey, in: self.meta, txn) }
            return
        }
        let sameHost = recorded.hostname == owner.hostname
        let sameID = owner.agentID == nil || recorded.agentID == nil || owner.agentID == recorded.agentID
        let sameCluster = owner.cluster == nil || recorded.cluster == nil || owner.cluster == recorded.cluster
        guard sameHost, sameID, sameCluster else {
            throw AgentCheckpointError(
                code: .otherOwner,
                message: "the work dir \(workDir) belongs to \(recorded), but this agent is \(owner). "
                    + "Start that agent on it, or point --work-dir at an empty directory.")
        }
        guard recorded.agentID == nil && owner.agentID != nil || recorded.cluster == nil && owner.cluster != nil else { return }
        recorded.agentID = recorded.agentID ?? owner.agentID
        recorded.cluster = recorded.cluster ?? owner.cluster
        try write { txn in try self.put(recorded, Self.ownerKey, in: self.meta, txn) }
    }

    public func load() throws(AgentCheckpointError) -> AgentCheckpointState {
        try guarded("read the checkpoint") {
            let decoder = JSONDecoder()
            return try environment.read { txn in
                var state = AgentCheckpointState()
                if let bytes = try txn.get(Self.ownerKey, in: meta) {
                    state.agentID = try decoder.decode(WorkDirOwner.self, from: Data(bytes)).agentID
                }
                if let bytes = try txn.get(Self.termKey, in: meta) { state.highestTerm = BigEndianKey.decode(bytes) ?? 0 }
                var launches: [TaskKey: TaskLaunch] = [:]
                for record in try txn.records(in: launchRecords) {
                    let launch = try decoder.decode(TaskLaunch.self, from: Data(record.value))
                    launches[launch.key] = launch
                }
                for record in try txn.records(in: taskRecords) {
                    var task = try decoder.decode(AgentTask.self, from: Data(record.value))
                    task.launch = task.launch ?? launches[task.key]
                    state.tasks[task.key] = task
                }
                writtenLaunches.withLock { $0 = launches }
                for record in try txn.records(in: updateRecords) {
                    let update = try decoder.decode(PendingUpdate.self, from: Data(record.value))
                    state.updates[update.sequence] = update
                }
                for record in try txn.records(in: completedRecords) {
                    let entry = try decoder.decode(CompletedEntry.self, from: Data(record.value))
                    state.completed[entry.key] = entry.sequence
                }
                for record in try txn.records(in: executorRecords) {
                    let executor = try decoder.decode(AgentExecutor.self, from: Data(record.value))
                    state.executors[executor.key] = executor
                }
                return state
            }
        }
    }

    public func apply(_ changes: [CheckpointChange]) throws(AgentCheckpointError) {
        guard !changes.isEmpty else { return }
        // The record of written launches changes only once the transaction commits (a write
        // may run its closure again, after growing the map).
        try writtenLaunches.withLock { (written: inout [TaskKey: TaskLaunch]) throws(AgentCheckpointError) in
            let before = written
            var after = before
            try write { txn in
                after = before
                for change in changes { try self.apply(change, txn, launches: &after) }
            }
            written = after
        }
    }

    private func apply(
        _ change: CheckpointChange, _ txn: borrowing WriteTransaction, launches: inout [TaskKey: TaskLaunch]
    ) throws {
        switch change {
        case .agentID(let id):
            let bytes = try txn.get(Self.ownerKey, in: meta)
            var owner = try bytes.map { try JSONDecoder().decode(WorkDirOwner.self, from: Data($0)) } ?? WorkDirOwner(hostname: "")
            owner.agentID = id
            try put(owner, Self.ownerKey, in: meta, txn)
        case .highestTerm(let term):
            let old = try txn.get(Self.termKey, in: meta).flatMap(BigEndianKey.decode) ?? 0
            try txn.put(BigEndianKey.encode(max(old, term)), for: Self.termKey, in: meta)
        case .putTask(var task):
            if let launch = task.launch, launches[task.key] != launch {
                try put(launch, Self.key(task.key), in: launchRecords, txn)
                launches[task.key] = launch
            }
            task.launch = nil
            try put(task, Self.key(task.key), in: taskRecords, txn)
        case .putUpdate(let update):
            try put(update, BigEndianKey.encode(update.sequence), in: updateRecords, txn)
        case .removeUpdate(let sequence):
            _ = try txn.delete(BigEndianKey.encode(sequence), in: updateRecords)
        case .complete(let key, let sequence):
            _ = try txn.delete(Self.key(key), in: taskRecords)
            _ = try txn.delete(Self.key(key), in: launchRecords)
            launches[key] = nil
            try put(CompletedEntry(key: key, sequence: sequence), Self.key(key), in: completedRecords, txn)
        case .forgetCompleted(let key):
            _ = try txn.delete(Self.key(key), in: completedRecords)
        case .putExecutor(let executor):
            try put(executor, Self.key(TaskKey(executor.key.frameworkID, TaskID(executor.key.executorID.value))), in: executorRecords, txn)
        case .removeExecutor(let key):
            _ = try txn.delete(Self.key(TaskKey(key.frameworkID, TaskID(key.executorID.value))), in: executorRecords)
        }
    }

    // MARK: - Encoding

    private struct CompletedEntry: Codable {
        var key: TaskKey
        var sequence: UInt64
    }

    /// A task key as a unique byte string: the framework ID's length, the framework ID, the task ID.
    private static func key(_ key: TaskKey) -> [UInt8] {
        let framework = Array(key.frameworkID.value.utf8)
        return withUnsafeBytes(of: UInt32(framework.count).bigEndian) { Array($0) } + framework + Array(key.taskID.value.utf8)
    }

    private func put(_ value: some Encodable, _ key: [UInt8], in db: StoreDatabase, _ txn: borrowing WriteTransaction) throws {
        try txn.put(StreamingJSONEncoder.encode(value), for: key, in: db)
    }

    private func write(_ body: (borrowing WriteTransaction) throws -> Void) throws(AgentCheckpointError) {
        try guarded("write the checkpoint") { try environment.write(durability: .full, body) }
    }

    private func guarded<T>(_ what: String, _ body: () throws -> T) throws(AgentCheckpointError) -> T {
        do {
            return try body()
        } catch let error as AgentCheckpointError {
            throw error
        } catch let error as DecodingError {
            throw AgentCheckpointError(code: .damaged, message: "cannot \(what) in \(path): a record is damaged", underlying: error)
        } catch {
            throw AgentCheckpointError(code: .storage, message: "cannot \(what) in \(path)", underlying: error)
        }
    }
}
