import CorralModel
import Synchronization

/// Where the agent checkpoints what `AgentStateMachine` asks it to (`AgentEffect.persist`).
public protocol AgentCheckpointStore: Sendable {
    /// Everything checkpointed so far, for `AgentInput.started(recovered:)`.
    func load() throws(AgentCheckpointError) -> AgentCheckpointState
    /// Writes a batch of changes atomically and durably; when it returns they survive a crash.
    func apply(_ changes: [CheckpointChange]) throws(AgentCheckpointError)
}

/// A checkpoint kept in memory, for tests and simulations: the same contract as
/// `AgentCheckpoint` except that it does not survive the process.
public final class InMemoryAgentCheckpoint: AgentCheckpointStore {
    private let state: Mutex<AgentCheckpointState>

    /// A checkpoint holding `state` (empty by default).
    public init(_ state: AgentCheckpointState = .empty) { self.state = Mutex(state) }

    public func load() throws(AgentCheckpointError) -> AgentCheckpointState { state.withLock { $0 } }

    public func apply(_ changes: [CheckpointChange]) throws(AgentCheckpointError) {
        state.withLock { $0.apply(changes) }
    }
}

/// The agent that owns a work dir: recorded on first use, checked on every later start.
public struct WorkDirOwner: Codable, Hashable, Sendable, CustomStringConvertible {
    public var hostname: String
    /// The agent's ID; recorded once the master gives it.
    public var agentID: AgentID?
    /// The masters' cluster, when known.
    public var cluster: String?

    enum CodingKeys: String, CodingKey {
        case hostname
        case agentID = "agent_id"
        case cluster
    }

    public init(hostname: String, agentID: AgentID? = nil, cluster: String? = nil) {
        self.hostname = hostname
        self.agentID = agentID
        self.cluster = cluster
    }

    /// `agent X on host H (cluster C)`.
    public var description: String {
        var text = "agent \(agentID?.value ?? "(not registered yet)") on host \(hostname)"
        if let cluster { text += " (cluster \(cluster))" }
        return text
    }
}

/// Why the checkpoint could not be opened, read or written.
public struct AgentCheckpointError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Hashable {
        /// The work dir belongs to another agent.
        case otherOwner
        /// The store could not be opened, read or written (disk full, permissions, …).
        case storage
        /// A record could not be decoded.
        case damaged
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}
