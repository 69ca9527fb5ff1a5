import CorralMaster
import Testing

/// UPDATE_FRAMEWORK's `suppressed_roles`: exactly the listed roles are suppressed, the
/// framework's other roles are offered again, and their refuse filters stay (only REVIVE
/// clears filters).
@Suite struct AllocatorSuppressedRolesTests {
    @Test func theListedRolesAreSuppressedAndTheOthersUnsuppressedKeepingFilters() throws {
        var allocator = HierarchicalAllocator(configuration: AllocatorConfiguration())
        allocator.addAgent("one", total: res(cpus: 1, mem: 100), used: [])
        allocator.addFramework("framework", roles: ["a", "b"])
        allocator.suppress(framework: "framework", role: nil)
        #expect(allocator.allocate(nowMillis: 0).isEmpty)

        let known = allocator.setSuppressedRoles(framework: "framework", roles: ["a"])
        #expect(known)
        let offer = try #require(allocator.allocate(nowMillis: 1).first)
        #expect(offer.role == "b", "only the unsuppressed role is offered")
        allocator.decline(offer: offer.offerID, refuseSeconds: 60, nowMillis: 1)
        #expect(allocator.allocate(nowMillis: 2).isEmpty, "b filtered the agent; a is suppressed")

        allocator.setSuppressedRoles(framework: "framework", roles: [])
        let second = try #require(allocator.allocate(nowMillis: 3).first)
        #expect(second.role == "a", "a is offered again; b's filter still holds")
        let unknown = allocator.setSuppressedRoles(framework: "unknown", roles: [])
        #expect(!unknown)
    }
}
