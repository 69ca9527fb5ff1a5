/// `OperationStatus`: what became of an offer operation that asked for feedback (set `id`).
public struct OperationStatus: Codable, Hashable, Sendable {
    /// The operation's ID, as the framework gave it.
    public var operationID: OperationID?
    /// Where the operation stands.
    public var state: OperationState
    /// Why, for a person.
    public var message: String?
    /// The agent, when known.
    public var agentID: AgentID?
    /// `{"value": <base64>}`: set on a status the framework must acknowledge
    /// (ACKNOWLEDGE_OPERATION_STATUS) before the master stops sending it again.
    public var uuid: StatusUUID?

    enum CodingKeys: String, CodingKey {
        case operationID = "operation_id"
        case state, message, uuid
        case agentID = "agent_id"
    }

    /// Makes a status.
    public init(operationID: OperationID?, state: OperationState, message: String? = nil, agentID: AgentID? = nil, uuid: [UInt8]? = nil) {
        self.operationID = operationID
        self.state = state
        self.message = message
        self.agentID = agentID
        self.uuid = uuid.map(StatusUUID.init(value:))
    }

    /// Mesos's `UUID` message: `{"value": <base64 bytes>}`.
    public struct StatusUUID: Codable, Hashable, Sendable {
        @Base64Bytes public var value: [UInt8]?
        /// Wraps the bytes.
        public init(value: [UInt8]) { self.value = value }
    }
}

/// `OperationState`, by proto name.
public struct OperationState: OpenEnum {
    /// The proto name.
    public let rawValue: String
    /// Wraps a proto name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The agent cannot report on it.
    public static let unsupported: OperationState = "OPERATION_UNSUPPORTED"
    /// Sent to the agent, not yet applied.
    public static let pending: OperationState = "OPERATION_PENDING"
    /// Applied. Terminal.
    public static let finished: OperationState = "OPERATION_FINISHED"
    /// Applying it failed. Terminal.
    public static let failed: OperationState = "OPERATION_FAILED"
    /// The operation was invalid and was dropped by the master. Terminal.
    public static let error: OperationState = "OPERATION_ERROR"
    /// Dropped on its way. Terminal.
    public static let dropped: OperationState = "OPERATION_DROPPED"
    /// Its agent is unreachable.
    public static let unreachable: OperationState = "OPERATION_UNREACHABLE"
    /// An operator marked its agent gone. Terminal.
    public static let goneByOperator: OperationState = "OPERATION_GONE_BY_OPERATOR"
    /// Asked about while the agent recovers.
    public static let recovering: OperationState = "OPERATION_RECOVERING"
    /// Asked about, and not known.
    public static let unknown: OperationState = "OPERATION_UNKNOWN"

    /// Every name this build knows, in `mesos.proto` order.
    public static let known: [OperationState] = [
        .unsupported, .pending, .finished, .failed, .error, .dropped, .unreachable, .goneByOperator, .recovering,
        .unknown,
    ]
}
