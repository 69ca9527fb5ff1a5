import CorralModel
import CorralStore

/// How the registry is stored: one LMDB record per agent, framework, task, completed task,
/// quota and setting, as JSON, so a batch of commands writes only what it changed.
extension MasterStateMachine {
    private struct ClockRecord: Codable {
        var clockNanos: UInt64
        var nextCompletedSequence: UInt64
    }

    /// The maintenance record: the schedule, and the machines in Down mode (absent in a record
    /// written before START_MAINTENANCE acted).
    private struct MaintenanceRecord: Codable {
        var windows: [MaintenanceSchedule.Window]?
        var downMachines: [MaintenanceSchedule.MachineID]?
        enum CodingKeys: String, CodingKey {
            case windows
            case downMachines = "down_machines"
        }
    }

    /// The stored form of each record in `dirty`: its key, and its JSON, or nil when the
    /// record is gone.
    static func records(_ dirty: Set<RegistryKey>, of registry: borrowing Registry) throws -> [([UInt8], [UInt8]?)] {
        try dirty.map { key in
            let value: [UInt8]?
            switch key {
            case .clock:
                value = try MesosJSON.encode(
                    ClockRecord(clockNanos: registry.clockNanos, nextCompletedSequence: registry.nextCompletedSequence))
            case .agent(let id): value = try registry.agents[id].map(MesosJSON.encode)
            case .framework(let id): value = try registry.frameworks[id].map(MesosJSON.encode)
            case .task(let taskKey): value = try registry.tasks[taskKey].map(MesosJSON.encode)
            case .completedTask(let sequence): value = try registry.completedTasks[sequence].map(MesosJSON.encode)
            case .completedFramework(let id): value = try registry.completedFrameworks[id].map(MesosJSON.encode)
            case .quota(let role): value = try registry.quotas[role].map(MesosJSON.encode)
            case .weights: value = try MesosJSON.encode(registry.weights)
            case .maintenance:
                let down = registry.downMachines.sorted { $0.description < $1.description }
                value = try MesosJSON.encode(
                    MaintenanceRecord(windows: registry.maintenance.windows, downMachines: down.isEmpty ? nil : down))
            }
            return (key.bytes, value)
        }
    }

    /// Puts each record with a value and deletes each without one.
    static func store(_ records: [([UInt8], [UInt8]?)], to txn: borrowing WriteTransaction, _ db: StoreDatabase) throws {
        for (key, value) in records {
            if let value {
                try txn.put(value, for: key, in: db)
            } else {
                _ = try txn.delete(key, in: db)
            }
        }
    }

    static func load(_ environment: StoreEnvironment, _ db: StoreDatabase) throws -> Registry {
        var registry = Registry()
        try environment.read { txn in
            try txn.scan(in: db) { key, value in
                guard let first = key.first else { return true }
                switch first {
                case UInt8(ascii: "c"):
                    let clock = try MesosJSON.decode(ClockRecord.self, from: value)
                    registry.clockNanos = clock.clockNanos
                    registry.nextCompletedSequence = clock.nextCompletedSequence
                case UInt8(ascii: "a"):
                    let record = try MesosJSON.decode(AgentRecord.self, from: value)
                    registry.agents[record.id] = record
                case UInt8(ascii: "f"):
                    let record = try MesosJSON.decode(FrameworkRecord.self, from: value)
                    registry.frameworks[record.id] = record
                case UInt8(ascii: "t"):
                    let record = try MesosJSON.decode(TaskRecord.self, from: value)
                    registry.tasks[record.key] = record
                case UInt8(ascii: "x"):
                    let sequence = BigEndianKey.decode(Array(key.dropFirst(2))) ?? 0
                    registry.completedTasks[sequence] = try MesosJSON.decode(TaskRecord.self, from: value)
                case UInt8(ascii: "y"):
                    let record = try MesosJSON.decode(FrameworkRecord.self, from: value)
                    registry.completedFrameworks[record.id] = record
                case UInt8(ascii: "q"):
                    let record = try MesosJSON.decode(QuotaRecord.self, from: value)
                    registry.quotas[record.role] = record
                case UInt8(ascii: "w"):
                    registry.weights = try MesosJSON.decode([String: Double].self, from: value)
                case UInt8(ascii: "m"):
                    registry.maintenance = try MesosJSON.decode(MaintenanceSchedule.self, from: value)
                    registry.downMachines = Set(
                        try MesosJSON.decode(MaintenanceRecord.self, from: value).downMachines?.map(\.normalized) ?? [])
                default:
                    break
                }
                return true
            }
        }
        return registry
    }
}
