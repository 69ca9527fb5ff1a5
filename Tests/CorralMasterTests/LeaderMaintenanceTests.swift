@testable import CorralMaster
import CorralModel
import Testing

/// START_MAINTENANCE on the leader: the down machine's agent has its tasks killed, its
/// stream closed with an error and its offers rescinded; schedulers hear the agent is lost;
/// it cannot subscribe again until STOP_MAINTENANCE.
@Suite("Leader maintenance")
struct LeaderMaintenanceTests {
    typealias H = LeaderHarness
    /// a1's machine: `Fixture.agentInfo("a1")` subscribes from 10.0.0.1 in the harness.
    static let machine = MaintenanceSchedule.MachineID(hostname: "a1.example", ip: "10.0.0.1")

    @Test func aDownMachinesAgentIsStoppedAndKeptOut() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, launched) = harness.accept([offer.id], [.launch([H.task("t1")])])
        _ = try harness.commit(launched)
        let before = try #require(H.offers(harness.tick()).first, "the rest of a1 is offered")
        #expect(before.unavailability == nil)
        // Scheduled, the machine is draining: its offer is made again, with when it goes away.
        let scheduled = harness.applyChanges(RegistryMaintenanceTests.schedule([Self.machine]))
        #expect(
            scheduled.contains {
                if case .toScheduler(_, let event) = $0 { event.rescind?.offerID == before.id } else { false }
            }
        )
        let draining = try #require(H.offers(harness.tick()).first)
        #expect(draining.unavailability == Unavailability(start: DurationInfo(nanoseconds: 5)))
        let actions = harness.applyChanges(.startMaintenance(machines: [Self.machine], atNanos: 10))
        #expect(H.agentEvents(actions, .kill).map { $0.1.kill?.taskID.value } == ["t1"])
        let closed = actions.compactMap { action -> AgentEvent? in
            if case .closeAgent(AgentID("a1"), let last) = action { last } else { nil }
        }
        #expect(closed.first?.error?.message.contains("maintenance") == true, "\(actions)")
        #expect(
            actions.contains {
                if case .toScheduler(_, let event) = $0 { event.type == .failure } else { false }
            }
        )
        #expect(
            actions.contains {
                if case .toScheduler(_, let event) = $0 { event.type == .rescind } else { false }
            }
        )
        #expect(harness.core.offers.isEmpty)
        #expect(H.updates(actions).map(\.state) == [.lost], "f1 hears TASK_LOST: \(H.updates(actions))")
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).isEmpty)
        #expect(throws: (any Error).self) { _ = try harness.subscribeAgent(Fixture.agentInfo("a1")) }
        _ = harness.applyChanges(.stopMaintenance(machines: [Self.machine], atNanos: 20))
        _ = try harness.subscribeAgent(Fixture.agentInfo("a1"))
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).count == 1, "back up, a1 is offered again")
    }

    @Test func theOperatorCallsDecodeToTheCommands() throws {
        for (type, starting) in [("START_MAINTENANCE", true), ("STOP_MAINTENANCE", false)] {
            let json =
                #"{"type":"\#(type)","\#(type.lowercased())":{"machines":[{"hostname":"a1.example","ip":"10.0.0.1"}]}}"#
            let call = try MesosJSON.decode(OperatorCall.self, from: Array(json.utf8))
            let kind = try #require(call.type.flatMap(OperatorCall.Kind.init(rawValue:)))
            #expect(kind.isMutating)
            let expected: RegistryCommand =
                starting
                ? .startMaintenance(machines: [Self.machine], atNanos: 3)
                : .stopMaintenance(machines: [Self.machine], atNanos: 3)
            #expect(try call.command(for: kind)(3) == expected)
        }
        let empty = try MesosJSON.decode(
            OperatorCall.self,
            from: Array(#"{"type":"START_MAINTENANCE","start_maintenance":{}}"#.utf8)
        )
        #expect(throws: MasterError.self) { try empty.command(for: .startMaintenance) }
    }
}
