import CorralModel

/// Mesos `maintenance.Schedule`: windows in which named machines are unavailable.
public struct MaintenanceSchedule: Codable, Hashable, Sendable {
    public struct MachineID: Codable, Hashable, Sendable {
        public var hostname: String?
        public var ip: String?

        public init(hostname: String? = nil, ip: String? = nil) {
            self.hostname = hostname
            self.ip = ip
        }

        /// As Mesos compares machines: the hostname without case, and an omitted field as "".
        public var normalized: MachineID { MachineID(hostname: (hostname ?? "").lowercased(), ip: ip ?? "") }

        /// `hostname (ip)`, for messages.
        public var description: String {
            [hostname, ip.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        }
    }

    public typealias Unavailability = CorralModel.Unavailability

    /// When `machine` (normalized) is scheduled to be unavailable, if it is.
    public func unavailability(of machine: MachineID) -> Unavailability? {
        windows.first { $0.machineIDs.contains { $0.normalized == machine } }?.unavailability
    }

    public struct Window: Codable, Hashable, Sendable {
        public var machineIDs: [MachineID]
        public var unavailability: Unavailability

        enum CodingKeys: String, CodingKey {
            case machineIDs = "machine_ids"
            case unavailability
        }
    }

    public var windows: [Window]

    public init(windows: [Window] = []) { self.windows = windows }

    /// Every scheduled machine, normalized.
    public var machines: Set<MachineID> { Set(windows.flatMap(\.machineIDs).map(\.normalized)) }

    /// Why the schedule cannot be taken, or nil: as Mesos checks it, every window names a
    /// machine, the machines pass `problem(listing:)`, and every machine in `down` is still in
    /// it (only STOP_MAINTENANCE takes a machine out of Down mode).
    public func problem(down: Set<MachineID>) -> String? {
        if windows.contains(where: \.machineIDs.isEmpty) { return "a maintenance window names no machine" }
        if let problem = Self.problem(listing: windows.flatMap(\.machineIDs)) { return problem }
        let scheduled = machines
        for machine in down.sorted(by: { $0.description < $1.description }) where !scheduled.contains(machine)
        {
            return
                "machine \(machine.description) is down: bring it up with STOP_MAINTENANCE before taking it out of the schedule"
        }
        return nil
    }

    /// Why a list of machines (a schedule's, or START_MAINTENANCE's) is not one, or nil: each
    /// machine has a hostname or an IP and is listed once (hostnames compared without case).
    public static func problem(listing machines: [MachineID]) -> String? {
        var seen: Set<MachineID> = []
        for machine in machines {
            if (machine.hostname ?? "").isEmpty && (machine.ip ?? "").isEmpty {
                return "a machine needs a hostname or an ip"
            }
            if !seen.insert(machine.normalized).inserted {
                return "machine \(machine.description) is listed more than once"
            }
        }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        windows = try container.decodeIfPresent([Window].self, forKey: .windows) ?? []
    }

    enum CodingKeys: String, CodingKey { case windows }
}
