import CorralModel

/// Mesos `maintenance.Schedule`: windows in which named machines are unavailable.
public struct MaintenanceSchedule: Codable, Hashable, Sendable {
    public struct MachineID: Codable, Hashable, Sendable {
        public var hostname: String?
        public var ip: String?
    }

    public struct Unavailability: Codable, Hashable, Sendable {
        public var start: DurationInfo
        public var duration: DurationInfo?
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

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        windows = try container.decodeIfPresent([Window].self, forKey: .windows) ?? []
    }

    enum CodingKeys: String, CodingKey { case windows }
}
