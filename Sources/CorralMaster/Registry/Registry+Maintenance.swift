import CorralModel

// MARK: - Machines down and up (START_MAINTENANCE, STOP_MAINTENANCE)

extension Registry {
    /// A refusal for an agent on a machine in Down mode, or nil.
    func machineDown(hostname: String, ip: String?) -> RegistryOutcome? {
        let machine = MaintenanceSchedule.MachineID(hostname: hostname, ip: ip).normalized
        guard downMachines.contains(machine) else { return nil }
        return RegistryOutcome(
            error:
                "the agent's machine \(machine.description) is down for maintenance; STOP_MAINTENANCE brings it up",
            reason: "REASON_AGENT_REMOVED"
        )
    }

    /// Why `machines` cannot be taken down or brought up, or nil: as Mesos checks them, the
    /// list is not empty and passes `MaintenanceSchedule.problem(listing:)`.
    private static func problem(with machines: [MaintenanceSchedule.MachineID]) -> String? {
        machines.isEmpty ? "the list of machines is empty" : MaintenanceSchedule.problem(listing: machines)
    }

    mutating func startMaintenance(
        _ machines: [MaintenanceSchedule.MachineID],
        at: UInt64,
        changes: inout [RegistryChange]
    ) -> RegistryOutcome {
        if let problem = Self.problem(with: machines) { return RegistryOutcome(error: problem) }
        let scheduled = maintenance.machines
        for machine in machines where !scheduled.contains(machine.normalized) {
            return RegistryOutcome(
                error: "machine \(machine.description) is not in the maintenance schedule; schedule it first"
            )
        }
        let down = Set(machines.map(\.normalized))
        downMachines.formUnion(down)
        touch(.maintenance)
        changes.append(.maintenanceChanged)
        for id in agents.keys.sorted() {
            guard var record = agents[id], !record.machineDown, down.contains(record.machine) else {
                continue
            }
            if case .gone = record.state { continue }
            record.machineDown = true
            agents[id] = record
            touch(.agent(id))
            changes.append(.agentUpdated(record))
            for task in tasks(onAgent: id) where !task.isTerminal {
                var status = masterStatus(
                    for: task,
                    state: .lost,
                    reason: .agentRemoved,
                    message: "the agent's machine was taken down for maintenance",
                    at: at
                )
                status.uuid = makeUUID()
                _ = statusUpdate(task.key, status, at: at, changes: &changes)
            }
        }
        return .ok
    }

    mutating func stopMaintenance(
        _ machines: [MaintenanceSchedule.MachineID],
        changes: inout [RegistryChange]
    ) -> RegistryOutcome {
        if let problem = Self.problem(with: machines) { return RegistryOutcome(error: problem) }
        for machine in machines where !downMachines.contains(machine.normalized) {
            return RegistryOutcome(error: "machine \(machine.description) is not down")
        }
        let up = Set(machines.map(\.normalized))
        downMachines.subtract(up)
        // As Mesos: machines brought up leave the schedule; a window left empty goes.
        var windows = maintenance.windows
        for index in windows.indices { windows[index].machineIDs.removeAll { up.contains($0.normalized) } }
        maintenance.windows = windows.filter { !$0.machineIDs.isEmpty }
        touch(.maintenance)
        changes.append(.maintenanceChanged)
        for id in agents.keys.sorted() {
            guard var record = agents[id], record.machineDown, up.contains(record.machine) else { continue }
            record.machineDown = false
            agents[id] = record
            touch(.agent(id))
            changes.append(.agentUpdated(record))
        }
        return .ok
    }
}
