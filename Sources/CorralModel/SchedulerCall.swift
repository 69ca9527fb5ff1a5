/// `scheduler.Call`: what a scheduler POSTs to `/api/v1/scheduler`
/// (`include/mesos/v1/scheduler/scheduler.proto`).
public struct SchedulerCall: Codable, Hashable, Sendable {
    /// The caller; absent only on a first SUBSCRIBE.
    public var frameworkID: FrameworkID?
    /// Which call; the matching payload is set.
    public var type: Kind?
    /// SUBSCRIBE.
    @Boxed public var subscribe: Subscribe?
    /// ACCEPT.
    @Boxed public var accept: Accept?
    /// DECLINE.
    @Boxed public var decline: Decline?
    /// REVIVE.
    @Boxed public var revive: Roles?
    /// SUPPRESS.
    @Boxed public var suppress: Roles?
    /// KILL.
    @Boxed public var kill: Kill?
    /// SHUTDOWN.
    @Boxed public var shutdown: Shutdown?
    /// ACKNOWLEDGE.
    @Boxed public var acknowledge: Acknowledge?
    /// RECONCILE.
    @Boxed public var reconcile: Reconcile?
    /// RECONCILE_OPERATIONS.
    @Boxed public var reconcileOperations: ReconcileOperations?
    /// MESSAGE.
    @Boxed public var message: SchedulerEvent.Message?
    /// UPDATE_FRAMEWORK.
    @Boxed public var updateFramework: UpdateFramework?
    /// ACKNOWLEDGE_OPERATION_STATUS.
    @Boxed public var acknowledgeOperationStatus: AcknowledgeOperationStatus?
    /// ACCEPT_INVERSE_OFFERS.
    @Boxed public var acceptInverseOffers: InverseOfferAnswer?
    /// DECLINE_INVERSE_OFFERS.
    @Boxed public var declineInverseOffers: InverseOfferAnswer?

    enum CodingKeys: String, CodingKey {
        case frameworkID = "framework_id"
        case type, subscribe, accept, decline, revive, suppress, kill, shutdown, acknowledge, reconcile,
            message
        case updateFramework = "update_framework"
        case reconcileOperations = "reconcile_operations"
        case acknowledgeOperationStatus = "acknowledge_operation_status"
        case acceptInverseOffers = "accept_inverse_offers"
        case declineInverseOffers = "decline_inverse_offers"
    }

    /// Makes a call; set the payload that matches `type`.
    public init(type: Kind?, frameworkID: FrameworkID? = nil) {
        self.type = type
        self.frameworkID = frameworkID
    }

    /// A SUBSCRIBE call.
    public static func subscribe(_ info: FrameworkInfo) -> SchedulerCall {
        var call = SchedulerCall(type: .subscribe, frameworkID: info.id)
        call.subscribe = Subscribe(frameworkInfo: info)
        return call
    }

    /// An ACCEPT call.
    public static func accept(
        _ frameworkID: FrameworkID,
        offerIDs: [OfferID],
        operations: [Offer.Operation],
        filters: Filters? = nil
    ) -> SchedulerCall {
        var call = SchedulerCall(type: .accept, frameworkID: frameworkID)
        call.accept = Accept(offerIDs: offerIDs, operations: operations, filters: filters)
        return call
    }

    /// A DECLINE call.
    public static func decline(_ frameworkID: FrameworkID, offerIDs: [OfferID], filters: Filters? = nil)
        -> SchedulerCall
    {
        var call = SchedulerCall(type: .decline, frameworkID: frameworkID)
        call.decline = Decline(offerIDs: offerIDs, filters: filters)
        return call
    }

    /// An ACKNOWLEDGE call for a status update that carries a UUID.
    public static func acknowledge(
        _ frameworkID: FrameworkID,
        agentID: AgentID,
        taskID: TaskID,
        uuid: [UInt8]
    ) -> SchedulerCall {
        var call = SchedulerCall(type: .acknowledge, frameworkID: frameworkID)
        call.acknowledge = Acknowledge(agentID: agentID, taskID: taskID, uuid: uuid)
        return call
    }

    /// `scheduler.Call.Type`.
    public struct Kind: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Unset.
        public static let unknown: Kind = "UNKNOWN"
        /// Subscribe (opens the event stream).
        public static let subscribe: Kind = "SUBSCRIBE"
        /// Tear the framework down.
        public static let teardown: Kind = "TEARDOWN"
        /// Accept offers with operations.
        public static let accept: Kind = "ACCEPT"
        /// Decline offers.
        public static let decline: Kind = "DECLINE"
        /// Accept inverse offers.
        public static let acceptInverseOffers: Kind = "ACCEPT_INVERSE_OFFERS"
        /// Decline inverse offers.
        public static let declineInverseOffers: Kind = "DECLINE_INVERSE_OFFERS"
        /// Remove filters.
        public static let revive: Kind = "REVIVE"
        /// Kill a task.
        public static let kill: Kind = "KILL"
        /// Shut an executor down.
        public static let shutdown: Kind = "SHUTDOWN"
        /// Acknowledge a status update.
        public static let acknowledge: Kind = "ACKNOWLEDGE"
        /// Acknowledge an operation status update.
        public static let acknowledgeOperationStatus: Kind = "ACKNOWLEDGE_OPERATION_STATUS"
        /// Ask for task states.
        public static let reconcile: Kind = "RECONCILE"
        /// Ask for operation states.
        public static let reconcileOperations: Kind = "RECONCILE_OPERATIONS"
        /// Send bytes to an executor.
        public static let message: Kind = "MESSAGE"
        /// Ask for resources (ignored by the built-in allocator).
        public static let request: Kind = "REQUEST"
        /// Stop offers.
        public static let suppress: Kind = "SUPPRESS"
        /// Change the FrameworkInfo.
        public static let updateFramework: Kind = "UPDATE_FRAMEWORK"
        /// Every name this build knows.
        public static let known: [Kind] = [
            .unknown, .subscribe, .teardown, .accept, .decline, .acceptInverseOffers, .declineInverseOffers,
            .revive, .kill, .shutdown, .acknowledge, .acknowledgeOperationStatus, .reconcile,
            .reconcileOperations, .message, .request, .suppress, .updateFramework,
        ]
    }
}
