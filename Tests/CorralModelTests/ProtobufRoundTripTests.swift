import CorralProtobuf
import Foundation
import SwiftProtobuf
import Testing

@testable import CorralModel

/// Corral's Codable types through the protobuf messages of `Sources/CorralProtobuf/Protos`:
/// every field Corral writes has a field number (nothing is dropped on the way out), and a
/// value comes back from protobuf equal to what went in.
struct ProtobufRoundTripTests {
    /// Encodes `value` as `M` and decodes it back; fails if the `.proto` lacks a field of its JSON.
    func roundTrip<T: Codable & Equatable, M: SwiftProtobuf.Message>(_ value: T, as message: M.Type) throws {
        let json = try MesosJSON.encode(value)
        #expect(throws: Never.self, "\(T.self) has a field \(M.protoMessageName) lacks") {
            try ProtobufBridge.strictProtobuf(fromJSON: json, as: M.self)
        }
        let bytes = try ProtobufBridge.encode(value, as: M.self)
        #expect(try ProtobufBridge.decode(T.self, as: M.self, from: bytes) == value)
    }

    @Test func schedulerCallsSurviveProtobuf() throws {
        try roundTrip(try Fixtures.decode(SchedulerCall.self, MesosSamples.acceptLaunchCall), as: Mesos_V1_Scheduler_Call.self)
        var subscribe = try Fixtures.decode(SchedulerCall.self, MesosSamples.subscribeCall)
        // A capability name from a newer Mesos has no number in this build's enum.
        subscribe.subscribe?.frameworkInfo.capabilities.removeAll { $0.type?.rawValue == "SOMETHING_FROM_THE_FUTURE" }
        subscribe.subscribe?.suppressedRoles = ["test"]
        try roundTrip(subscribe, as: Mesos_V1_Scheduler_Call.self)
        subscribe.subscribe?.offerConstraints = OfferConstraints(roleConstraints: [
            "test": .init(groups: [
                .init([AttributeConstraint(.attribute("rack"), .textEquals("r1")), AttributeConstraint(.zone, .exists)]),
                .init([AttributeConstraint(.hostname, .textNotMatches("db-.*")), AttributeConstraint(.region, .notExists)]),
                .init([AttributeConstraint(.attribute("ssd"), .textNotEquals("no")), AttributeConstraint(.hostname, .textMatches("a.*"))]),
            ])
        ])
        try roundTrip(subscribe, as: Mesos_V1_Scheduler_Call.self)
        let framework = FrameworkID("F-1")
        try roundTrip(SchedulerCall.decline(framework, offerIDs: ["O-1", "O-2"], filters: Filters(refuseSeconds: 30)), as: Mesos_V1_Scheduler_Call.self)
        try roundTrip(SchedulerCall.acknowledge(framework, agentID: "S-1", taskID: "T-1", uuid: [1, 2, 3, 250]), as: Mesos_V1_Scheduler_Call.self)
        var kill = SchedulerCall(type: .kill, frameworkID: framework)
        kill.kill = SchedulerCall.Kill(taskID: "T-1", agentID: "S-1")
        try roundTrip(kill, as: Mesos_V1_Scheduler_Call.self)
        var revive = SchedulerCall(type: .revive, frameworkID: framework)
        revive.revive = SchedulerCall.Roles(roles: ["a", "b"])
        try roundTrip(revive, as: Mesos_V1_Scheduler_Call.self)
        var reconcile = SchedulerCall(type: .reconcile, frameworkID: framework)
        reconcile.reconcile = SchedulerCall.Reconcile(tasks: [.init(taskID: "T-1", agentID: "S-1")])
        try roundTrip(reconcile, as: Mesos_V1_Scheduler_Call.self)
        try roundTrip(SchedulerCall.updateFramework(Fixtures.framework, suppressedRoles: ["x"]), as: Mesos_V1_Scheduler_Call.self)
        var acknowledge = SchedulerCall(type: .acknowledgeOperationStatus, frameworkID: framework)
        acknowledge.acknowledgeOperationStatus = .init(operationID: "op-1", uuid: [9, 8, 7], agentID: "S-1")
        try roundTrip(acknowledge, as: Mesos_V1_Scheduler_Call.self)
        for type in [SchedulerCall.Kind.acceptInverseOffers, .declineInverseOffers] {
            var answer = SchedulerCall(type: type, frameworkID: framework)
            let payload = SchedulerCall.InverseOfferAnswer(inverseOfferIDs: ["I-1"], filters: Filters(refuseSeconds: 5))
            if type == .acceptInverseOffers { answer.acceptInverseOffers = payload } else { answer.declineInverseOffers = payload }
            try roundTrip(answer, as: Mesos_V1_Scheduler_Call.self)
        }
    }

    @Test func schedulerEventsSurviveProtobuf() throws {
        for sample in [MesosSamples.subscribedEvent, MesosSamples.offersEvent, MesosSamples.updateEvent, MesosSamples.errorEvent] {
            try roundTrip(try Fixtures.decode(SchedulerEvent.self, sample), as: Mesos_V1_Scheduler_Event.self)
        }
        try roundTrip(SchedulerEvent.offers([Fixtures.offer]), as: Mesos_V1_Scheduler_Event.self)
        try roundTrip(SchedulerEvent.update(Fixtures.status), as: Mesos_V1_Scheduler_Event.self)
        var failure = SchedulerEvent(type: .failure)
        failure.failure = .init(agentID: "S-1", executorID: "E-1", status: 9)
        try roundTrip(failure, as: Mesos_V1_Scheduler_Event.self)
        var inverse = SchedulerEvent(type: .inverseOffers)
        inverse.inverseOffers = .init(inverseOffers: [
            InverseOffer(id: "I-1", frameworkID: "F-1", agentID: "S-1", unavailability: Unavailability(start: DurationInfo(nanoseconds: 5)))
        ])
        try roundTrip(inverse, as: Mesos_V1_Scheduler_Event.self)
        var rescind = SchedulerEvent(type: .rescindInverseOffer)
        rescind.rescindInverseOffer = .init(inverseOfferID: "I-1")
        try roundTrip(rescind, as: Mesos_V1_Scheduler_Event.self)
        var operation = SchedulerEvent(type: .updateOperationStatus)
        operation.updateOperationStatus = .init(status: OperationStatus(operationID: "op-1", state: .finished, agentID: "S-1", uuid: [1, 2, 3]))
        try roundTrip(operation, as: Mesos_V1_Scheduler_Event.self)
        let status = InverseOfferStatus(status: .decline, frameworkID: "F-1", timestamp: DurationInfo(nanoseconds: 7))
        try roundTrip(status, as: Mesos_V1_InverseOfferStatus.self)
    }

    @Test func modelValuesSurviveProtobuf() throws {
        try roundTrip(Fixtures.offer, as: Mesos_V1_Offer.self)
        var draining = Fixtures.offer
        draining.unavailability = Unavailability(start: DurationInfo(nanoseconds: 5), duration: DurationInfo(nanoseconds: 60))
        try roundTrip(draining, as: Mesos_V1_Offer.self)
        try roundTrip(Fixtures.task, as: Mesos_V1_TaskInfo.self)
        try roundTrip(Fixtures.status, as: Mesos_V1_TaskStatus.self)
        try roundTrip(Fixtures.framework, as: Mesos_V1_FrameworkInfo.self)
        try roundTrip(Fixtures.agent, as: Mesos_V1_AgentInfo.self)
    }

    /// The bytes a Mesos client writes for a call carry Mesos's field numbers: checked against
    /// a hand-encoded `Call` (field 2 = type, ACKNOWLEDGE = 8; field 8 = acknowledge with
    /// agent_id = 1, task_id = 2, uuid = 3), not against bytes from the generated code.
    @Test func fieldNumbersAreMesoss() throws {
        let bytes: [UInt8] = [
            0x0a, 0x05, 0x0a, 0x03, 0x46, 0x2d, 0x31,  // 1: framework_id {1: "F-1"}
            0x10, 0x08,  // 2: type = ACKNOWLEDGE
            0x42, 0x11,  // 8: acknowledge (17 bytes)
            0x0a, 0x05, 0x0a, 0x03, 0x53, 0x2d, 0x31,  // 1: agent_id {1: "S-1"}
            0x12, 0x05, 0x0a, 0x03, 0x54, 0x2d, 0x31,  // 2: task_id {1: "T-1"}
            0x1a, 0x01, 0x07,  // 3: uuid = 0x07
        ]
        let call = try ProtobufBridge.decode(SchedulerCall.self, as: Mesos_V1_Scheduler_Call.self, from: bytes[...])
        #expect(call == SchedulerCall.acknowledge("F-1", agentID: "S-1", taskID: "T-1", uuid: [7]))
        #expect(try ProtobufBridge.encode(call, as: Mesos_V1_Scheduler_Call.self) == bytes)
        // A field this build has no number for (99, from a newer client) is ignored.
        let newer = bytes + [0x98, 0x06, 0x01]
        #expect(try ProtobufBridge.decode(SchedulerCall.self, as: Mesos_V1_Scheduler_Call.self, from: newer[...]) == call)
    }

    @Test func badBytesSayWhatWasWrong() {
        #expect {
            _ = try ProtobufBridge.decode(SchedulerCall.self, as: Mesos_V1_Scheduler_Call.self, from: [0x0a, 0xff])
        } throws: { error in
            (error as? ProtobufError)?.code == .malformedProtobuf
                && (error as? ProtobufError)?.message.contains("mesos.v1.scheduler.Call") == true
        }
        // Well-formed, but SUBSCRIBE's framework_info lacks the name Corral requires.
        var call = Mesos_V1_Scheduler_Call()
        call.type = .subscribe
        call.subscribe.frameworkInfo.user = "u"
        #expect {
            _ = try ProtobufBridge.decode(
                SchedulerCall.self, as: Mesos_V1_Scheduler_Call.self, from: try call.serializedBytes(partial: true) as [UInt8])
        } throws: { error in
            (error as? ProtobufError)?.code == .invalidContent
                && (error as? ProtobufError)?.message.contains("subscribe.framework_info.name") == true
        }
    }

    @Test func formatsAreNegotiatedAsMesosDoes() {
        #expect(MessageFormat.body(contentType: nil) == .json)
        #expect(MessageFormat.body(contentType: "application/json; charset=utf-8") == .json)
        #expect(MessageFormat.body(contentType: "application/x-protobuf") == .protobuf)
        #expect(MessageFormat.body(contentType: "text/plain") == nil)
        #expect(MessageFormat.answer(accept: nil) == .json)
        #expect(MessageFormat.answer(accept: "*/*") == .json)
        #expect(MessageFormat.answer(accept: "application/x-protobuf") == .protobuf)
        #expect(MessageFormat.answer(accept: "application/x-protobuf, application/json") == .json)
        #expect(MessageFormat.answer(accept: "application/json;q=0, application/x-protobuf") == .protobuf)
        #expect(MessageFormat.answer(accept: "text/html") == nil)
        #expect(MessageFormat.names("application/recordio", in: "application/recordio, */*"))
        #expect(!MessageFormat.names("application/recordio", in: "*/*"))
    }
}
