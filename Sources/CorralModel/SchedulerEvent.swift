/// `scheduler.Event`: what the master streams to a subscribed scheduler
/// (`include/mesos/v1/scheduler/scheduler.proto`).
public struct SchedulerEvent: Codable, Hashable, Sendable {
    /// Which event; the matching payload is set.
    public var type: Kind?
    /// SUBSCRIBED.
    @Boxed public var subscribed: Subscribed?
    /// OFFERS.
    @Boxed public var offers: Offers?
    /// RESCIND.
    @Boxed public var rescind: Rescind?
    /// UPDATE.
    @Boxed public var update: Update?
    /// MESSAGE.
    @Boxed public var message: Message?
    /// FAILURE.
    @Boxed public var failure: Failure?
    /// ERROR.
    @Boxed public var error: ErrorPayload?
    /// UPDATE_OPERATION_STATUS.
    @Boxed public var updateOperationStatus: UpdateOperationStatus?
    /// INVERSE_OFFERS.
    @Boxed public var inverseOffers: InverseOffers?
    /// RESCIND_INVERSE_OFFER.
    @Boxed public var rescindInverseOffer: RescindInverseOffer?

    /// Makes an event; set the payload that matches `type`.
    public init(type: Kind?) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case type, subscribed, offers, rescind, update, message, failure, error
        case updateOperationStatus = "update_operation_status"
        case inverseOffers = "inverse_offers"
        case rescindInverseOffer = "rescind_inverse_offer"
    }

    /// Decodes an event. Two examples in `docs/scheduler-http-api.md` differ from the proto,
    /// and both shapes decode: OFFERS with `"offers": [...]` where the proto has
    /// `"offers": {"offers": [...]}`, and ERROR with a top-level `"message": "..."` where the
    /// proto has `"error": {"message"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(Kind.self, forKey: .type)
        subscribed = try container.decodeIfPresent(Subscribed.self, forKey: .subscribed)
        if (try? container.nestedUnkeyedContainer(forKey: .offers)) != nil {
            offers = Offers(offers: try container.decode([Offer].self, forKey: .offers))
        } else {
            offers = try container.decodeIfPresent(Offers.self, forKey: .offers)
        }
        rescind = try container.decodeIfPresent(Rescind.self, forKey: .rescind)
        update = try container.decodeIfPresent(Update.self, forKey: .update)
        failure = try container.decodeIfPresent(Failure.self, forKey: .failure)
        error = try container.decodeIfPresent(ErrorPayload.self, forKey: .error)
        updateOperationStatus = try container.decodeIfPresent(UpdateOperationStatus.self, forKey: .updateOperationStatus)
        inverseOffers = try container.decodeIfPresent(InverseOffers.self, forKey: .inverseOffers)
        rescindInverseOffer = try container.decodeIfPresent(RescindInverseOffer.self, forKey: .rescindInverseOffer)
        if type == .error, error == nil,
            let text = try? container.decodeIfPresent(String.self, forKey: .message)
        {
            error = ErrorPayload(message: text)
        } else {
            message = try container.decodeIfPresent(Message.self, forKey: .message)
        }
    }

    /// A SUBSCRIBED event.
    public static func subscribed(_ frameworkID: FrameworkID, heartbeatIntervalSeconds: Double? = nil)
        -> SchedulerEvent
    {
        var event = SchedulerEvent(type: .subscribed)
        event.subscribed = Subscribed(
            frameworkID: frameworkID,
            heartbeatIntervalSeconds: heartbeatIntervalSeconds
        )
        return event
    }

    /// An OFFERS event.
    public static func offers(_ offers: [Offer]) -> SchedulerEvent {
        var event = SchedulerEvent(type: .offers)
        event.offers = Offers(offers: offers)
        return event
    }

    /// An UPDATE event.
    public static func update(_ status: TaskStatus) -> SchedulerEvent {
        var event = SchedulerEvent(type: .update)
        event.update = Update(status: status)
        return event
    }

    /// An UPDATE_OPERATION_STATUS event.
    public static func operationStatus(_ status: OperationStatus) -> SchedulerEvent {
        var event = SchedulerEvent(type: .updateOperationStatus)
        event.updateOperationStatus = UpdateOperationStatus(status: status)
        return event
    }

    /// `{"framework_id", "heartbeat_interval_seconds"?, "master_info"?}`.
    public struct Subscribed: Codable, Hashable, Sendable {
        /// The framework's ID, new or confirmed.
        public var frameworkID: FrameworkID
        /// How often HEARTBEAT events come.
        public var heartbeatIntervalSeconds: Double?
        /// The leading master.
        public var masterInfo: MasterInfo?
        enum CodingKeys: String, CodingKey {
            case frameworkID = "framework_id"
            case heartbeatIntervalSeconds = "heartbeat_interval_seconds"
            case masterInfo = "master_info"
        }
        /// Makes the payload.
        public init(
            frameworkID: FrameworkID,
            heartbeatIntervalSeconds: Double? = nil,
            masterInfo: MasterInfo? = nil
        ) {
            self.frameworkID = frameworkID
            self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
            self.masterInfo = masterInfo
        }
    }

    /// `{"offers": [...]}`.
    public struct Offers: Codable, Hashable, Sendable {
        /// The offers.
        @Repeated public var offers: [Offer]
        /// Makes the payload.
        public init(offers: [Offer]) { self.offers = offers }
    }

    /// `{"offer_id"}`.
    public struct Rescind: Codable, Hashable, Sendable {
        /// The offer taken back.
        public var offerID: OfferID
        enum CodingKeys: String, CodingKey { case offerID = "offer_id" }
        /// Makes the payload.
        public init(offerID: OfferID) { self.offerID = offerID }
    }

    /// `{"inverse_offers"}`.
    public struct InverseOffers: Codable, Hashable, Sendable {
        /// The inverse offers.
        @Repeated public var inverseOffers: [InverseOffer]
        enum CodingKeys: String, CodingKey { case inverseOffers = "inverse_offers" }
        /// Makes the payload.
        public init(inverseOffers: [InverseOffer]) { self.inverseOffers = inverseOffers }
    }

    /// `{"inverse_offer_id"}`.
    public struct RescindInverseOffer: Codable, Hashable, Sendable {
        /// The inverse offer taken back.
        public var inverseOfferID: OfferID
        enum CodingKeys: String, CodingKey { case inverseOfferID = "inverse_offer_id" }
        /// Makes the payload.
        public init(inverseOfferID: OfferID) { self.inverseOfferID = inverseOfferID }
    }

    /// `{"status"}`.
    public struct Update: Codable, Hashable, Sendable {
        /// The status update.
        public var status: TaskStatus
        /// Makes the payload.
        public init(status: TaskStatus) { self.status = status }
    }

    /// `{"status"}`: what became of an operation that asked for feedback.
    public struct UpdateOperationStatus: Codable, Hashable, Sendable {
        /// The operation status.
        public var status: OperationStatus
        /// Makes the payload.
        public init(status: OperationStatus) { self.status = status }
    }

    /// `{"agent_id", "executor_id", "data"}`: a message from an executor.
    public struct Message: Codable, Hashable, Sendable {
        /// The executor's agent.
        public var agentID: AgentID
        /// The executor.
        public var executorID: ExecutorID
        /// The bytes (base64 in JSON).
        @Base64Bytes public var data: [UInt8]?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case executorID = "executor_id"
            case data
        }
        /// Makes the payload.
        public init(agentID: AgentID, executorID: ExecutorID, data: [UInt8]) {
            self.agentID = agentID
            self.executorID = executorID
            self.data = data
        }
    }

    /// `{"agent_id"?, "executor_id"?, "status"?}`: an agent or executor failed.
    public struct Failure: Codable, Hashable, Sendable {
        /// The agent.
        public var agentID: AgentID?
        /// The executor.
        public var executorID: ExecutorID?
        /// The executor's exit status.
        public var status: Int32?
        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case executorID = "executor_id"
            case status
        }
        /// Makes the payload.
        public init(agentID: AgentID? = nil, executorID: ExecutorID? = nil, status: Int32? = nil) {
            self.agentID = agentID
            self.executorID = executorID
            self.status = status
        }
    }

    /// `{"message"}`.
    public struct ErrorPayload: Codable, Hashable, Sendable {
        /// What went wrong.
        public var message: String
        /// Makes the payload.
        public init(message: String) { self.message = message }
    }

    /// `scheduler.Event.Type`.
    public struct Kind: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Unset.
        public static let unknown: Kind = "UNKNOWN"
        /// The subscription is accepted.
        public static let subscribed: Kind = "SUBSCRIBED"
        /// New offers.
        public static let offers: Kind = "OFFERS"
        /// New inverse offers (maintenance).
        public static let inverseOffers: Kind = "INVERSE_OFFERS"
        /// An offer is withdrawn.
        public static let rescind: Kind = "RESCIND"
        /// An inverse offer is withdrawn.
        public static let rescindInverseOffer: Kind = "RESCIND_INVERSE_OFFER"
        /// A task status update.
        public static let update: Kind = "UPDATE"
        /// An operation status update.
        public static let updateOperationStatus: Kind = "UPDATE_OPERATION_STATUS"
        /// A message from an executor.
        public static let message: Kind = "MESSAGE"
        /// An agent or executor failed.
        public static let failure: Kind = "FAILURE"
        /// An asynchronous error; the scheduler should abort.
        public static let error: Kind = "ERROR"
        /// The connection is alive.
        public static let heartbeat: Kind = "HEARTBEAT"
        /// Every name this build knows.
        public static let known: [Kind] = [
            .unknown, .subscribed, .offers, .inverseOffers, .rescind, .rescindInverseOffer, .update,
            .updateOperationStatus, .message, .failure, .error, .heartbeat,
        ]
    }
}
