/// What an executor POSTs to its agent's `/api/v1/executor` (Mesos's v1 Executor HTTP API,
/// `mesos.v1.executor.Call`, JSON). SUBSCRIBE opens the event stream; UPDATE and MESSAGE are
/// answered `202 Accepted`.
public struct ExecutorCall: Codable, Hashable, Sendable {
    /// Which call; the matching payload is set.
    public var type: Kind
    /// The executor's framework (`MESOS_FRAMEWORK_ID`).
    public var frameworkID: FrameworkID
    /// The executor (`MESOS_EXECUTOR_ID`).
    public var executorID: ExecutorID
    public var subscribe: Subscribe?
    public var update: Update?
    public var message: Message?

    enum CodingKeys: String, CodingKey {
        case type
        case frameworkID = "framework_id"
        case executorID = "executor_id"
        case subscribe, update, message
    }

    public init(type: Kind, frameworkID: FrameworkID, executorID: ExecutorID) {
        self.type = type
        self.frameworkID = frameworkID
        self.executorID = executorID
    }

    /// SUBSCRIBE: what a re-subscribing executor has not seen acknowledged yet.
    public struct Subscribe: Codable, Hashable, Sendable {
        /// Tasks it got with LAUNCH and for which no update was acknowledged.
        @Repeated public var unacknowledgedTasks: [TaskInfo]
        /// Updates it sent and for which no ACKNOWLEDGED came.
        @Repeated public var unacknowledgedUpdates: [Update]

        enum CodingKeys: String, CodingKey {
            case unacknowledgedTasks = "unacknowledged_tasks"
            case unacknowledgedUpdates = "unacknowledged_updates"
        }

        public init(unacknowledgedTasks: [TaskInfo] = [], unacknowledgedUpdates: [Update] = []) {
            self.unacknowledgedTasks = unacknowledgedTasks
            self.unacknowledgedUpdates = unacknowledgedUpdates
        }
    }

    /// UPDATE: a task's status, with a UUID the agent acknowledges.
    public struct Update: Codable, Hashable, Sendable {
        public var status: TaskStatus

        public init(status: TaskStatus) { self.status = status }
    }

    /// MESSAGE: bytes for the framework's scheduler (delivered at most once).
    public struct Message: Codable, Hashable, Sendable {
        @Base64Bytes public var data: [UInt8]?

        public init(data: [UInt8]) { self.data = data }
    }

    /// `mesos.v1.executor.Call.Type`.
    public struct Kind: OpenEnum {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let subscribe: Kind = "SUBSCRIBE"
        public static let update: Kind = "UPDATE"
        public static let message: Kind = "MESSAGE"
        public static let known: [Kind] = [.subscribe, .update, .message]
    }
}
