extension SchedulerCall {
    /// `{"framework_info", "suppressed_roles"?}`.
    public struct Subscribe: Codable, Hashable, Sendable {
        /// Who the scheduler is.
        public var frameworkInfo: FrameworkInfo
        /// Roles to subscribe suppressed.
        @Repeated public var suppressedRoles: [String]
        /// Which agents may be offered to each role (Mesos 1.11).
        public var offerConstraints: OfferConstraints?
        enum CodingKeys: String, CodingKey {
            case frameworkInfo = "framework_info"
            case suppressedRoles = "suppressed_roles"
            case offerConstraints = "offer_constraints"
        }
        /// Makes the payload.
        public init(frameworkInfo: FrameworkInfo, suppressedRoles: [String] = [], offerConstraints: OfferConstraints? = nil) {
            self.frameworkInfo = frameworkInfo
            self.suppressedRoles = suppressedRoles
            self.offerConstraints = offerConstraints
        }
    }

    /// `{"offer_ids", "operations", "filters"?}`.
    public struct Accept: Codable, Hashable, Sendable {
        /// The offers used, all from one agent.
        @Repeated public var offerIDs: [OfferID]
        /// What to do with them.
        @Repeated public var operations: [Offer.Operation]
        /// How long to refuse what is left.
        public var filters: Filters?
        enum CodingKeys: String, CodingKey {
            case offerIDs = "offer_ids"
            case operations, filters
        }
        /// Makes the payload.
        public init(offerIDs: [OfferID], operations: [Offer.Operation], filters: Filters? = nil) {
            self.offerIDs = offerIDs
            self.operations = operations
            self.filters = filters
        }
    }

    /// `{"inverse_offer_ids", "filters"?}` of ACCEPT_INVERSE_OFFERS and DECLINE_INVERSE_OFFERS.
    public struct InverseOfferAnswer: Codable, Hashable, Sendable {
        /// The inverse offers answered.
        @Repeated public var inverseOfferIDs: [OfferID]
        /// How long to ask no more for the same agent.
        public var filters: Filters?
        enum CodingKeys: String, CodingKey {
            case inverseOfferIDs = "inverse_offer_ids"
            case filters
        }
        /// Makes the payload.
        public init(inverseOfferIDs: [OfferID], filters: Filters? = nil) {
            self.inverseOfferIDs = inverseOfferIDs
            self.filters = filters
        }
    }

    /// `{"offer_ids", "filters"?}`.
    public struct Decline: Codable, Hashable, Sendable {
        /// The offers declined.
        @Repeated public var offerIDs: [OfferID]
        /// How long to refuse them.
        public var filters: Filters?
        enum CodingKeys: String, CodingKey {
            case offerIDs = "offer_ids"
            case filters
        }
        /// Makes the payload.
        public init(offerIDs: [OfferID], filters: Filters? = nil) {
            self.offerIDs = offerIDs
            self.filters = filters
        }
    }

    /// `{"roles"}` of REVIVE and SUPPRESS; empty means every role.
    public struct Roles: Codable, Hashable, Sendable {
        /// The roles.
        @Repeated public var roles: [String]
        /// Makes the payload.
        public init(roles: [String] = []) { self.roles = roles }
    }

    /// `{"task_id", "agent_id"?, "kill_policy"?}`.
    public struct Kill: Codable, Hashable, Sendable {
        /// The task.
        public var taskID: TaskID
        /// Its agent.
        public var agentID: AgentID?
        /// Overrides the task's kill policy.
        public var killPolicy: KillPolicy?
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case agentID = "agent_id"
            case killPolicy = "kill_policy"
        }
        /// Makes the payload.
        public init(taskID: TaskID, agentID: AgentID? = nil, killPolicy: KillPolicy? = nil) {
            self.taskID = taskID
            self.agentID = agentID
            self.killPolicy = killPolicy
        }
    }

    /// `{"executor_id", "agent_id"}`.
    public struct Shutdown: Codable, Hashable, Sendable {
        /// The executor.
        public var executorID: ExecutorID
        /// Its agent.
        public var agentID: AgentID
        enum CodingKeys: String, CodingKey {
            case executorID = "executor_id"
            case agentID = "agent_id"
        }
        /// Makes the payload.
        public init(executorID: ExecutorID, agentID: AgentID) {
            self.executorID = executorID
            self.agentID = agentID
        }
    }

    /// `{"agent_id", "task_id", "uuid"}`; `uuid` is base64 in JSON.
    public struct Acknowledge: Codable, Hashable, Sendable {
        /// The task's agent.
        public var agentID: AgentID
        /// The task.
        public var taskID: TaskID
        /// The acknowledged update's UUID.
        @Base64Bytes public var uuid: [UInt8]?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case taskID = "task_id"
            case uuid
        }
        /// Makes the payload.
        public init(agentID: AgentID, taskID: TaskID, uuid: [UInt8]) {
            self.agentID = agentID
            self.taskID = taskID
            self.uuid = uuid
        }
    }

    /// `{"operations": [{"operation_id", "agent_id"?}]}` of RECONCILE_OPERATIONS.
    /// `{"agent_id"?, "uuid", "operation_id"}` of ACKNOWLEDGE_OPERATION_STATUS. The proto's
    /// `uuid` is bytes (a base64 string in JSON); pymesos sends the status's `{"value": …}`
    /// UUID message instead, and both decode.
    public struct AcknowledgeOperationStatus: Codable, Hashable, Sendable {
        public var agentID: AgentID?
        @Base64Bytes public var uuid: [UInt8]?
        public var operationID: OperationID
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case uuid
            case operationID = "operation_id"
        }
        /// Makes the payload.
        public init(operationID: OperationID, uuid: [UInt8], agentID: AgentID? = nil) {
            self.operationID = operationID
            self.uuid = uuid
            self.agentID = agentID
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            agentID = try container.decodeIfPresent(AgentID.self, forKey: .agentID)
            operationID = try container.decode(OperationID.self, forKey: .operationID)
            if let wrapped = try? container.decodeIfPresent(OperationStatus.StatusUUID.self, forKey: .uuid) {
                uuid = wrapped.value
            } else {
                _uuid = try container.decode(Base64Bytes.self, forKey: .uuid)
            }
        }
    }

    public struct ReconcileOperations: Codable, Hashable, Sendable {
        /// The operations asked about; none asks about every operation the master knows.
        @Repeated public var operations: [Operation]
        /// Makes the payload.
        public init(operations: [Operation] = []) { self.operations = operations }

        /// One operation.
        public struct Operation: Codable, Hashable, Sendable {
            public var operationID: OperationID
            public var agentID: AgentID?
            enum CodingKeys: String, CodingKey {
                case operationID = "operation_id"
                case agentID = "agent_id"
            }
            /// Names one operation.
            public init(operationID: OperationID, agentID: AgentID? = nil) {
                self.operationID = operationID
                self.agentID = agentID
            }
        }
    }

    /// `{"tasks": [{"task_id", "agent_id"?}]}`; empty asks for every task.
    public struct Reconcile: Codable, Hashable, Sendable {
        /// The tasks asked about.
        @Repeated public var tasks: [Task]
        /// Makes the payload.
        public init(tasks: [Task] = []) { self.tasks = tasks }

        /// One task.
        public struct Task: Codable, Hashable, Sendable {
            /// The task.
            public var taskID: TaskID
            /// Its agent.
            public var agentID: AgentID?
            enum CodingKeys: String, CodingKey {
                case taskID = "task_id"
                case agentID = "agent_id"
            }
            /// Makes the entry.
            public init(taskID: TaskID, agentID: AgentID? = nil) {
                self.taskID = taskID
                self.agentID = agentID
            }
        }
    }
}
