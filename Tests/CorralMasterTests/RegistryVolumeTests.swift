import CorralModel
import Foundation
import Testing

@testable import CorralMaster

/// CREATE, DESTROY, GROW_VOLUME and SHRINK_VOLUME in the registry: a volume is made only on
/// free reserved disk, all or nothing; it stays with the agent's record across its
/// re-registration; it cannot be destroyed or resized while a task uses it.
@Suite("Registry persistent volumes")
struct RegistryVolumeTests {
    let a1 = AgentID("a1")

    /// Disk reserved for `role` (dynamically, by ops).
    static func disk(_ amount: Double, role: String = "web") -> Resource {
        RegistryReservationTests.scalar("disk", amount, reservedFor: role)
    }

    /// A volume `id` of `amount` MB on disk reserved for `role`, seen at `path`.
    static func volume(_ id: String, _ amount: Double, role: String = "web", path: String = "data", mode: Volume.Mode = .readWrite) -> Resource {
        var volume = disk(amount, role: role)
        volume.disk = Resource.DiskInfo(
            persistence: .init(id: id, principal: "ops"), volume: Volume(mode: mode, containerPath: path))
        return volume
    }

    /// a1 with 4 CPUs, 1 GB and 1000 MB of disk, 600 of it reserved for web.
    static func driver() -> RegistryDriver {
        var driver = RegistryDriver.standard()
        var info = Fixture.agentInfo("a1")
        info.resources.append(.scalar("disk", Scalar(1000)))
        driver.accept(.reregisterAgent(info: info, reported: [], atNanos: 2))
        driver.accept(.reserve(agentID: AgentID("a1"), resources: [disk(600)], atNanos: 3))
        return driver
    }

    func create(_ volumes: [Resource]) -> RegistryCommand { .createVolumes(agentID: a1, volumes: volumes, atNanos: 5) }
    func destroy(_ volumes: [Resource]) -> RegistryCommand { .destroyVolumes(agentID: a1, volumes: volumes, atNanos: 6) }

    @Test func aCreateTurnsFreeReservedDiskIntoAVolume() throws {
        var driver = Self.driver()
        let changes = driver.accept(create([Self.volume("v1", 200)]))
        let record = try #require(driver.registry.agents[a1])
        #expect(changes == [.agentUpdated(record)])
        #expect(record.volumes == [Self.volume("v1", 200)])
        let total = record.total
        #expect(total.volumes == [Self.volume("v1", 200)])
        #expect(total.reserved("web").filter { !$0.isPersistentVolume }.diskMegabytes == 400, "\(total)")
        #expect(total.diskMegabytes == 1000, "a volume moves disk, it makes none")
    }

    @Test func aCreateIsAllOrNothing() {
        var driver = Self.driver()
        let (outcome, changes) = driver.apply(create([Self.volume("v1", 200), Self.volume("v2", 500)]))
        #expect(outcome.reason == "REASON_INVALID_OFFERS", "\(outcome)")
        #expect(outcome.error?.contains("v2") == true, "\(outcome)")
        #expect(changes.isEmpty)
        #expect(driver.registry.agents[a1]?.volumes == [], "v1 was not made either")
    }

    @Test func aVolumeMustBeOnReservedDiskAndNameADirectory() {
        var driver = Self.driver()
        var unreserved = Self.volume("v1", 10)
        unreserved.reservations = []
        var noPath = Self.volume("v2", 10)
        noPath.disk?.volume = nil
        for (volume, why) in [
            (unreserved, "RESERVE the disk"), (Self.volume("..", 10), "cannot name a directory"),
            (Self.volume("a/b", 10), "cannot name a directory"), (noPath, "container_path"),
            (Self.volume("v3", 10, path: "../escape"), "'..'"), (Self.volume("v4", 10, role: "db"), "free"),
        ] {
            let (outcome, changes) = driver.apply(create([volume]))
            #expect(outcome.error?.contains(why) == true, "\(why): \(outcome)")
            #expect(changes.isEmpty)
        }
    }

    @Test func aVolumeIDIsUniquePerRoleOnTheAgent() {
        var driver = Self.driver()
        driver.accept(create([Self.volume("v1", 100)]))
        let (outcome, _) = driver.apply(create([Self.volume("v1", 100, path: "other")]))
        #expect(outcome.error?.contains("already has volume v1") == true, "\(outcome)")
    }

    @Test func aDestroyGivesTheDiskBackReservedButNotWhileATaskUsesIt() throws {
        var driver = Self.driver()
        driver.accept(create([Self.volume("v1", 200)]))
        var task = Fixture.taskInfo("t1", cpus: 1)
        task.resources.append(Self.volume("v1", 200))
        driver.accept(Fixture.launch("f1", [task]))
        let (busy, changes) = driver.apply(destroy([Self.volume("v1", 200)]))
        #expect(busy.error?.contains("in use") == true, "\(busy)")
        #expect(changes.isEmpty)
        // Nor can the disk under it be unreserved.
        let (unreserve, _) = driver.apply(.unreserve(agentID: a1, resources: [Self.disk(600)], atNanos: 7))
        #expect(unreserve.error?.contains("persistent volume") == true, "\(unreserve)")
        driver.accept(Fixture.update("f1", "t1", .finished, uuid: 1))
        driver.accept(destroy([Self.volume("v1", 200)]))
        let record = try #require(driver.registry.agents[a1])
        #expect(record.volumes.isEmpty)
        #expect(record.total.reserved("web").diskMegabytes == 600)
        let (again, _) = driver.apply(destroy([Self.volume("v1", 200)]))
        #expect(again.error?.contains("has no volume v1") == true, "\(again)")
    }

    @Test func volumesStayWithTheAgentAcrossItsReregistration() throws {
        var driver = Self.driver()
        driver.accept(create([Self.volume("v1", 200)]))
        var info = Fixture.agentInfo("a1")
        info.resources.append(.scalar("disk", Scalar(1000)))
        driver.accept(.agentUnreachable(id: a1, atNanos: 10))
        driver.accept(.reregisterAgent(info: info, reported: [], atNanos: 11))
        #expect(driver.registry.agents[a1]?.total.volumes == [Self.volume("v1", 200)])
    }

    @Test func aVolumeGrowsFromFreeDiskOfItsReservationAndShrinksBack() throws {
        var driver = Self.driver()
        driver.accept(create([Self.volume("v1", 200)]))
        driver.accept(.growVolume(agentID: a1, volume: Self.volume("v1", 200), addition: Self.disk(300), atNanos: 7))
        #expect(driver.registry.agents[a1]?.volumes == [Self.volume("v1", 500)])
        #expect(driver.registry.agents[a1]?.total.reserved("web").filter { !$0.isPersistentVolume }.diskMegabytes == 100)
        let (tooMuch, _) = driver.apply(.growVolume(agentID: a1, volume: Self.volume("v1", 500), addition: Self.disk(200), atNanos: 8))
        #expect(tooMuch.error?.contains("free") == true, "\(tooMuch)")
        let (otherRole, _) = driver.apply(
            .growVolume(agentID: a1, volume: Self.volume("v1", 500), addition: Self.disk(50, role: "db"), atNanos: 8))
        #expect(otherRole.error?.contains("reservation") == true, "\(otherRole)")
        driver.accept(.shrinkVolume(agentID: a1, volume: Self.volume("v1", 500), subtract: Scalar(450), atNanos: 9))
        #expect(driver.registry.agents[a1]?.volumes == [Self.volume("v1", 50)])
        #expect(driver.registry.agents[a1]?.total.reserved("web").filter { !$0.isPersistentVolume }.diskMegabytes == 550)
        let (whole, _) = driver.apply(.shrinkVolume(agentID: a1, volume: Self.volume("v1", 50), subtract: Scalar(50), atNanos: 9))
        #expect(whole.error?.contains("below its size") == true, "\(whole)")
    }

    @Test func volumesSurviveTheRecordsEncoding() throws {
        var driver = Self.driver()
        driver.accept(create([Self.volume("v1", 200, mode: .readOnly)]))
        let record = try #require(driver.registry.agents[a1])
        let decoded = try MesosJSON.decode(AgentRecord.self, from: try MesosJSON.encode(record))
        #expect(decoded == record)
        let command = create([Self.volume("v2", 10)])
        #expect(try RegistryCommand(decoding: command.encoded) == command)
    }
}
