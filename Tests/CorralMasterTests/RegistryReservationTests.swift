import CorralModel
import Foundation
import Testing

@testable import CorralMaster

/// RESERVE and UNRESERVE in the registry: all or nothing, only from what is free, kept across
/// an agent's re-registration, and stored with the agent's record.
@Suite("Registry dynamic reservations")
struct RegistryReservationTests {
    let a1 = AgentID("a1")

    /// `amount` of a scalar resource, dynamically reserved for `role` (unreserved with nil).
    static func scalar(_ name: String, _ amount: Double, reservedFor role: String? = "web") -> Resource {
        var resource = Resource.scalar(name, Scalar(amount))
        if let role { resource.reservations = [.dynamic(role, principal: "ops")] }
        return resource
    }

    func reserve(_ resources: [Resource], on agent: String = "a1") -> RegistryCommand {
        .reserve(agentID: AgentID(agent), resources: resources, atNanos: 5)
    }

    func unreserve(_ resources: [Resource]) -> RegistryCommand {
        .unreserve(agentID: a1, resources: resources, atNanos: 6)
    }

    @Test func aReserveMovesFreeResourcesUnderTheReservation() throws {
        var driver = RegistryDriver.standard()
        let changes = driver.accept(reserve([Self.scalar("cpus", 3), Self.scalar("mem", 512)]))
        let record = try #require(driver.registry.agents[a1])
        #expect(changes == [.agentUpdated(record)])
        #expect(record.total.unreserved.cpus == 1 && record.total.unreserved.memMegabytes == 512)
        #expect(record.total.reserved("web").cpus == 3 && record.total.reserved("web").memMegabytes == 512)
        #expect(record.total.cpus == 4, "a reservation moves resources, it makes none")
    }

    @Test func aReserveOfMoreThanIsFreeChangesNothing() {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 2)]))
        let (outcome, changes) = driver.apply(reserve([Self.scalar("mem", 64), Self.scalar("cpus", 3)]))
        #expect(outcome.reason == "REASON_INVALID_OFFERS", "\(outcome)")
        #expect(changes.isEmpty)
        #expect(driver.registry.agents[a1]?.reserved == [], "all or nothing: the mem was not reserved either")
    }

    @Test func aReserveWithoutADynamicReservationOnTopIsRefused() {
        var driver = RegistryDriver.standard()
        var staticCPU = Resource.scalar("cpus", Scalar(1))
        staticCPU.reservations = [.static("web")]
        for resource in [Self.scalar("cpus", 1, reservedFor: nil), staticCPU] {
            let (outcome, changes) = driver.apply(reserve([resource]))
            #expect(outcome.error?.contains("dynamic reservation") == true, "\(outcome)")
            #expect(changes.isEmpty)
        }
    }

    @Test func anUnreserveGivesFreeReservedResourcesBack() throws {
        var driver = RegistryDriver.standard()
        driver.accept(reserve([Self.scalar("cpus", 3)]))
        driver.accept(unreserve([Self.scalar("cpus", 2)]))
        let record = try #require(driver.registry.agents[a1])
        #expect(record.total.unreserved.cpus == 3 && record.total.reserved("web").cpus == 1)
        driver.accept(unreserve([Self.scalar("cpus", 1)]))
        #expect(driver.registry.agents[a1]?.reserved == [])
        #expect(driver.registry.agents[a1]?.total == Resources(Fixture.agentInfo("a1").resources))
    }

    @Test func reservedResourcesATaskHoldsCannotBeUnreserved() {
        var driver = RegistryDriver.standard()
        driver.accept(reserve([Self.scalar("cpus", 2)]))
        var task = Fixture.taskInfo("t1", cpus: 0)
        task.resources = [Self.scalar("cpus", 2), .scalar("mem", Scalar(64))]
        driver.accept(Fixture.launch("f1", [task]))
        let (outcome, changes) = driver.apply(unreserve([Self.scalar("cpus", 1)]))
        #expect(outcome.error?.contains("in use") == true, "\(outcome)")
        #expect(changes.isEmpty)
        // Nor is what was never reserved.
        let (other, _) = driver.apply(unreserve([Self.scalar("cpus", 1, reservedFor: "db")]))
        #expect(other.error?.contains("not dynamically reserved") == true, "\(other)")
    }

    @Test func aReservationOutlivesTheAgentsReRegistrationAndIsSkippedWhileItDoesNotFit() throws {
        var driver = RegistryDriver.standard()
        driver.accept(reserve([Self.scalar("cpus", 3)]))
        driver.accept(.reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 7))
        #expect(driver.registry.agents[a1]?.total.reserved("web").cpus == 3)
        // The agent came back with 2 CPUs: the reservation cannot stand on them, and is kept
        // for when it fits again.
        driver.accept(.reregisterAgent(info: Fixture.agentInfo("a1", cpus: 2), reported: [], atNanos: 8))
        let smaller = try #require(driver.registry.agents[a1])
        #expect(smaller.total.cpus == 2 && smaller.total.reserved().isEmpty)
        #expect(smaller.reserved == [Self.scalar("cpus", 3)])
        driver.accept(.reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 9))
        #expect(driver.registry.agents[a1]?.total.reserved("web").cpus == 3)
    }

    @Test func aRecordStoredBeforeReservationsDecodesWithNone() throws {
        var driver = RegistryDriver.standard()
        driver.accept(reserve([Self.scalar("cpus", 1)]))
        let record = try #require(driver.registry.agents[a1])
        let stored = try MesosJSON.encode(record)
        #expect(try MesosJSON.decode(AgentRecord.self, from: stored) == record)
        var legacy = try #require(try JSONSerialization.jsonObject(with: Data(stored)) as? [String: Any])
        legacy.removeValue(forKey: "reserved")
        let old = try JSONSerialization.data(withJSONObject: legacy)
        let decoded = try MesosJSON.decode(AgentRecord.self, from: [UInt8](old))
        #expect(decoded.reserved == [] && decoded.info == record.info)
    }
}
