@testable import CorralMaster
import CorralModel
import CorralReplication
import Testing

/// RESERVE and UNRESERVE in an ACCEPT: each is committed before the next operation is
/// checked, a LAUNCH after it may use what it reserved, and the reservation is offered back
/// to the role alone.
@Suite("LeaderStateMachine ACCEPT with RESERVE and UNRESERVE")
struct LeaderAcceptReserveTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")

    static func reserved(_ name: String, _ amount: Double, role: String = "web") -> Resource {
        RegistryReservationTests.scalar(name, amount, reservedFor: role)
    }

    static func reserve(_ resources: [Resource], id: String? = nil) -> Offer.Operation {
        var operation = Offer.Operation(type: .reserve, id: id.map(OperationID.init))
        operation.reserve = Offer.Operation.ResourceList(resources: resources)
        return operation
    }

    static func unreserve(_ resources: [Resource]) -> Offer.Operation {
        var operation = Offer.Operation(type: .unreserve)
        operation.unreserve = Offer.Operation.ResourceList(resources: resources)
        return operation
    }

    /// A task of f1 on a1 using 1 reserved CPU and 64 unreserved mem.
    static var onReservedCPU: TaskInfo {
        var task = H.task("t1")
        task.resources = [reserved("cpus", 1), .scalar("mem", Scalar(64))]
        return task
    }

    func operationStatuses(_ actions: [H.Action]) -> [OperationStatus] {
        actions.compactMap { action -> OperationStatus? in
            guard case .toScheduler(f1, let event) = action, event.type == .updateOperationStatus else {
                return nil
            }
            return event.updateOperationStatus?.status
        }
    }

    @Test func aReserveIsCommittedThenALaunchUsesItAndTheRestIsOfferedBackReserved() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (call, asked) = harness.accept(
            [offer.id],
            [Self.reserve([Self.reserved("cpus", 2)], id: "op-1"), .launch([Self.onReservedCPU])]
        )
        let at = harness.nanos()
        #expect(
            H.commands(asked) == [.reserve(agentID: a1, resources: [Self.reserved("cpus", 2)], atNanos: at)]
        )
        let reserved = try harness.commit(asked)
        // OPERATION_FINISHED is committed with a UUID, then sent, and sent again until acknowledged.
        let proposed = reserved.compactMap { action -> (FrameworkID, OperationStatus)? in
            if case .propose(.operationStatus(let framework, let status, _)) = action { (framework, status) } else { nil }
        }
        #expect(proposed.map(\.1.state) == [.finished] && proposed.first?.0 == f1)
        let status = try #require(proposed.first?.1)
        #expect(status.operationID == OperationID("op-1") && status.uuid?.value != nil)
        let sent = harness.applyChanges(.operationStatus(frameworkID: f1, status: status, atNanos: harness.nanos()))
        #expect(operationStatuses(sent) == [status])
        #expect(harness.driver.registry.frameworks[f1]?.operations == [status])
        harness.advance(.seconds(11))
        #expect(operationStatuses(harness.tick()) == [status], "sent again until acknowledged")
        _ = harness.applyChanges(.acknowledgeOperation(frameworkID: f1, operationID: OperationID("op-1"), uuid: status.uuid?.value ?? []))
        #expect(harness.driver.registry.frameworks[f1]?.operations == nil)
        harness.advance(.seconds(11))
        #expect(operationStatuses(harness.tick()).isEmpty)
        #expect(harness.driver.registry.agents[a1]?.total.reserved("web").cpus == 2)
        let launch = try #require(H.commands(reserved).first)
        guard case .launch(_, _, _, let tasks, _, _) = launch else {
            Issue.record("expected the launch next, got \(launch)")
            return
        }
        #expect(tasks == [Self.onReservedCPU])
        let launched = H.effects(try harness.commit(reserved))
        #expect(launched.contains(where: H.isLaunch))
        #expect(launched.last == .reply(call, .done))
        // The reserved CPU the task does not use comes back reserved, beside the rest.
        let next = try #require(H.offers(harness.tick()).first)
        let resources = Resources(next.resources)
        #expect(resources.reserved("web").cpus == 1, "\(resources)")
        #expect(resources.unreserved.cpus == 2, "\(resources)")
        #expect(resources.reserved("web").first?.reservations.last?.type == .dynamic)
    }

    @Test func anUnacknowledgedOperationStatusOutlivesTheLeader() throws {
        var harness = try LeaderHarness.leading()
        let status = OperationStatus(operationID: OperationID("op-1"), state: .finished, agentID: a1, uuid: [7, 7])
        _ = harness.applyChanges(.operationStatus(frameworkID: f1, status: status, atNanos: harness.nanos()))
        // A new leader on the same registry: the scheduler subscribes to it and hears the status again.
        var successor = LeaderHarness(driver: harness.driver)
        _ = successor.elect(term: 4)
        _ = try successor.subscribeFramework(try #require(harness.driver.registry.frameworks[f1]?.info))
        successor.advance(.seconds(11))
        #expect(operationStatuses(successor.tick()) == [status])
    }

    @Test func aReserveForAnotherRoleIsDroppedAndTheLaunchAfterItFindsNoReservation() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (call, asked) = harness.accept(
            [offer.id],
            [Self.reserve([Self.reserved("cpus", 2, role: "db")], id: "op-1"), .launch([Self.onReservedCPU])]
        )
        #expect(!asked.contains(where: { if case .commit(.reserve, _) = $0 { true } else { false } }))
        let statuses = operationStatuses(asked)
        #expect(statuses.map(\.state) == [.error])
        #expect(statuses.first?.message?.contains("role db") == true, "\(statuses)")
        #expect(H.commands(asked).isEmpty, "the launch needs a reservation the offers do not have")
        #expect(H.updates(asked).map(\.state) == [.error])
        #expect(asked.last == .reply(call, .done))
        #expect(harness.driver.registry.agents[a1]?.reserved == [])
    }

    @Test func aReserveOfMoreThanTheOffersHoldIsDropped() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, asked) = harness.accept([offer.id], [Self.reserve([Self.reserved("cpus", 5)], id: "op-1")])
        #expect(H.commands(asked).isEmpty)
        #expect(operationStatuses(asked).first?.message?.contains("more than the offers have left") == true)
    }

    @Test func anUnreserveGivesTheResourcesBackToEveryRole() throws {
        var harness = try LeaderHarness.leading()
        _ = harness.applyChanges(.reserve(agentID: a1, resources: [Self.reserved("cpus", 4)], atNanos: 1))
        let offer = try #require(H.offers(harness.tick()).first)
        #expect(Resources(offer.resources).reserved("web").cpus == 4)
        let (call, asked) = harness.accept([offer.id], [Self.unreserve([Self.reserved("cpus", 3)])])
        #expect(
            H.commands(asked) == [
                .unreserve(agentID: a1, resources: [Self.reserved("cpus", 3)], atNanos: harness.nanos())
            ]
        )
        #expect(H.effects(try harness.commit(asked)).last == .reply(call, .done))
        let total = try #require(harness.driver.registry.agents[a1]?.total)
        #expect(total.unreserved.cpus == 3 && total.reserved("web").cpus == 1)
        let next = try #require(H.offers(harness.tick()).first)
        #expect(
            Resources(next.resources).unreserved.cpus == 3
                && Resources(next.resources).reserved("web").cpus == 1
        )
    }

    @Test func aReservationIsOfferedOnlyToItsRole() throws {
        var harness = try LeaderHarness.leading()
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f9", roles: ["db"]))
        _ = harness.applyChanges(.reserve(agentID: a1, resources: [Self.reserved("cpus", 4)], atNanos: 1))
        let offers = harness.tick()
        let toWeb = H.offers(offers, to: f1).map { Resources($0.resources) }
        #expect(toWeb.map { $0.reserved("web").cpus ?? 0 }.reduce(0, +) == 4, "\(toWeb)")
        for offer in H.offers(offers, to: FrameworkID("f9")) {
            #expect(Resources(offer.resources).reserved().isEmpty, "role db was offered \(offer.resources)")
            #expect(Resources(offer.resources).cpus == nil)
        }
    }
}

/// Operation feedback beyond UPDATE_OPERATION_STATUS: RECONCILE_OPERATIONS answers for each
/// operation asked about, as Mesos does for one the master does not hold; an
/// ACKNOWLEDGE_OPERATION_STATUS is accepted.
@Suite("LeaderStateMachine operation reconciliation")
struct LeaderReconcileOperationsTests {
    typealias H = LeaderHarness

    @Test func operationsAreAnsweredByTheirAgentsState() throws {
        var harness = try LeaderHarness.leading()
        _ = try harness.subscribeAgent(Fixture.agentInfo("a2"))
        _ = harness.applyChanges(.agentUnreachable(id: AgentID("a2"), atNanos: harness.nanos()))
        var call = SchedulerCall(type: .reconcileOperations, frameworkID: FrameworkID("f1"))
        call.reconcileOperations = SchedulerCall.ReconcileOperations(operations: [
            .init(operationID: OperationID("on-a1"), agentID: AgentID("a1")),
            .init(operationID: OperationID("on-a2"), agentID: AgentID("a2")),
            .init(operationID: OperationID("anywhere")),
        ])
        let (id, actions) = harness.scheduler(call, stream: H.id(1))
        let statuses = actions.compactMap { action -> OperationStatus? in
            guard case .toScheduler(_, let event) = action, event.type == .updateOperationStatus else {
                return nil
            }
            return event.updateOperationStatus?.status
        }
        #expect(statuses.map(\.state) == [.unknown, .unreachable, .unknown])
        #expect(statuses.map(\.operationID) == ["on-a1", "on-a2", "anywhere"].map { OperationID($0) })
        #expect(actions.last == .reply(id, .done))
        var ack = SchedulerCall(type: .acknowledgeOperationStatus, frameworkID: FrameworkID("f1"))
        let (bareID, bare) = harness.scheduler(ack, stream: H.id(1))
        #expect(bare == [.reply(bareID, .failed(LeaderStateMachine.missing("acknowledge_operation_status.uuid")))])
        ack.acknowledgeOperationStatus = .init(operationID: OperationID("on-a1"), uuid: [1, 2])
        let (ackID, acked) = harness.scheduler(ack, stream: H.id(1))
        #expect(
            acked == [
                .propose(.acknowledgeOperation(frameworkID: FrameworkID("f1"), operationID: OperationID("on-a1"), uuid: [1, 2])),
                .reply(ackID, .done),
            ])
    }
}
