import Foundation

/// What the state root remembers about one container (`<root>/containers/<id>/config.json`).
public struct ContainerRecord: Codable, Sendable, Equatable {
    /// The persisted lifecycle.
    public enum State: Codable, Sendable, Equatable {
        /// Recorded, not launched yet.
        case created
        /// Launched: the container's init and the process supervising it.
        case running(initProcess: ProcessIdentity, supervisor: ProcessIdentity)
        /// Ended; the exit code is nil when it vanished without its supervisor seeing it.
        case exited(exitCode: Int32?, oomKilled: Bool, finishedAt: Date)
        /// The launch itself failed.
        case failed(message: String)
    }

    /// The launch spec (id, name, rootfs, command, limits).
    public var spec: LaunchSpec
    /// When it was recorded.
    public var createdAt: Date
    /// Where it is in its lifecycle.
    public var state: State
    /// What its owner tags it with (e.g. the agent's task key); set before it starts.
    public var labels: [String: String]

    /// A new record in state `created`.
    public init(
        spec: LaunchSpec,
        createdAt: Date = Date(),
        state: State = .created,
        labels: [String: String] = [:]
    ) {
        self.spec = spec
        self.createdAt = createdAt
        self.state = state
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case spec, createdAt, state, labels
    }

    /// Decodes a record; records written before labels existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(LaunchSpec.self, forKey: .spec)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        state = try container.decode(State.self, forKey: .state)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
    }

    /// The id.
    public var id: String { spec.id }
    /// The name.
    public var name: String { spec.name }

    /// Whether the record says the container runs.
    public var isRunning: Bool {
        if case .running = state { return true }
        return false
    }

    /// `Up`, `Exited (N)`, `Created`, … as `ps` shows it.
    public var statusText: String {
        switch state {
        case .created: "Created"
        case .running: "Up"
        case .exited(let code, let oom, _):
            "Exited (\(code.map(String.init) ?? "?"))" + (oom ? " OOMKilled" : "")
        case .failed(let message): "Failed: \(message)"
        }
    }
}
