import Testing

@testable import CorralModel

/// Dynamic reservations in the model: what a RESERVE takes a resource from, what an agent
/// counts a dynamically reserved resource as, and the v0 `reserved_resources` by role.
@Suite struct ReservationTests {
    static func cpus(_ amount: Double, _ stack: [Resource.ReservationInfo]) -> Resource {
        var resource = Resource.scalar("cpus", Scalar(amount))
        resource.reservations = stack
        return resource
    }

    @Test func aDynamicReservationComesOffTheTopOfTheStackAndAStaticOneNever() {
        let refined = Self.cpus(1, [.static("ml"), .dynamic("ml/train", principal: "ops")])
        #expect(refined.beforeDynamicReservation == Self.cpus(1, [.static("ml")]))
        #expect(Self.cpus(1, [.static("ml")]).beforeDynamicReservation == nil)
        #expect(Self.cpus(1, []).beforeDynamicReservation == nil)
        // The deprecated format: a role with a `reservation` is a dynamic reservation.
        var old = Resource.scalar("cpus", Scalar(1))
        old.role = "ml"
        old.reservation = Resource.ReservationInfo(type: nil, role: nil, principal: "ops")
        #expect(old.beforeDynamicReservation == Self.cpus(1, []))
    }

    @Test func anAgentCountsDynamicallyReservedResourcesAsWhatTheyCameFrom() {
        let held = Resources([
            Self.cpus(1, [.dynamic("web")]), Self.cpus(2, [.static("ml"), .dynamic("ml")]),
        ])
        #expect(
            held.withoutDynamicReservations == Resources([Self.cpus(1, []), Self.cpus(2, [.static("ml")])])
        )
    }

    @Test func reservedResourcesAreListedByRole() {
        let total = Resources([
            Self.cpus(4, []), Self.cpus(1, [.static("ml")]), Self.cpus(2, [.dynamic("web")]),
        ])
        guard case .object(let byRole) = MesosV0JSON.reservedByRole(total) else {
            Issue.record("not an object")
            return
        }
        #expect(byRole.keys.sorted() == ["ml", "web"])
        #expect(byRole["ml"]?["cpus"] == .number(1))
        #expect(byRole["web"]?["cpus"] == .number(2))
    }
}
