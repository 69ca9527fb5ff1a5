import CorralModel
import Foundation
import Testing

@testable import CorralMaster

/// START_MAINTENANCE and STOP_MAINTENANCE in the registry, as Mesos's maintenance modes: a
/// scheduled machine (Draining) goes Down, its agents are removed with their tasks TASK_LOST
/// and cannot register; brought Up, it leaves the schedule and its agents come back.
@Suite("Registry maintenance")
struct RegistryMaintenanceTests {
    typealias Machine = MaintenanceSchedule.MachineID
    let a1 = AgentID("a1")
    static let machine = Machine(hostname: "a1.example", ip: "10.0.0.1")
    static let other = Machine(hostname: "a2.example", ip: "10.0.0.2")

    static func schedule(_ machines: [Machine]) -> RegistryCommand {
        .updateMaintenance(
            MaintenanceSchedule(windows: [
                .init(
                    machineIDs: machines,
                    unavailability: .init(start: DurationInfo(nanoseconds: 5), duration: nil)
                )
            ])
        )
    }

    /// f1 and f2 subscribed, a1 admitted from 10.0.0.1 with task t1 running, its machine scheduled.
    static func driver() -> RegistryDriver {
        var driver = RegistryDriver()
        driver.accept(.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 1))
        driver.accept(.admitAgent(info: Fixture.agentInfo("a1"), atNanos: 1, ip: "10.0.0.1"))
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        driver.accept(schedule([machine, other]))
        return driver
    }

    @Test func aMachineTakenDownLosesItsAgentAndItsTasks() throws {
        var driver = Self.driver()
        let changes = driver.accept(
            .startMaintenance(machines: [Machine(hostname: "A1.EXAMPLE", ip: "10.0.0.1")], atNanos: 10)
        )
        #expect(driver.registry.downMachines == [Self.machine], "the hostname is compared without case")
        let record = try #require(driver.registry.agents[a1])
        #expect(record.machineDown && !record.isActive)
        let task = try #require(driver.task("f1", "t1"))
        #expect(task.state == .lost && task.status.reason == .agentRemoved && task.status.source == .master)
        #expect(changes.contains(.maintenanceChanged) && changes.contains(.agentUpdated(record)))
        #expect(
            driver.registry.maintenance.machines == [Self.machine, Self.other],
            "a down machine stays scheduled"
        )
        // Its agent cannot come back, nor a new one register there; other machines can.
        let (back, none) = driver.apply(
            .reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 11, ip: "10.0.0.1")
        )
        #expect(back.error?.contains("down for maintenance") == true && none.isEmpty, "\(back)")
        let (fresh, _) = driver.apply(
            .admitAgent(
                info: Fixture.agentInfo("a1-new", cpus: 1).renamed("a1.example"),
                atNanos: 11,
                ip: "10.0.0.1"
            )
        )
        #expect(fresh.error?.contains("STOP_MAINTENANCE") == true, "\(fresh)")
        driver.accept(.admitAgent(info: Fixture.agentInfo("a3"), atNanos: 11, ip: "10.0.0.3"))
        // Nothing launches on it.
        let (launch, _) = driver.apply(Fixture.launch("f1", [Fixture.taskInfo("t2")]))
        #expect(launch.error != nil, "\(launch)")
    }

    @Test func aMachineBroughtUpLeavesTheScheduleAndItsAgentComesBack() throws {
        var driver = Self.driver()
        driver.accept(.startMaintenance(machines: [Self.machine], atNanos: 10))
        let (refused, _) = driver.apply(Self.schedule([Self.other]))
        #expect(
            refused.error?.contains("is down") == true,
            "a down machine cannot leave the schedule: \(refused)"
        )
        driver.accept(.stopMaintenance(machines: [Self.machine], atNanos: 12))
        #expect(driver.registry.downMachines.isEmpty)
        #expect(driver.registry.maintenance.machines == [Self.other])
        #expect(driver.registry.agents[a1]?.machineDown == false)
        driver.accept(
            .reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 13, ip: "10.0.0.1")
        )
        #expect(driver.registry.agents[a1]?.isActive == true)
        #expect(driver.task("f1", "t1")?.state == .lost, "its task stays lost")
        // The last machine of a window brought up takes the window with it.
        driver.accept(.startMaintenance(machines: [Self.other], atNanos: 14))
        driver.accept(.stopMaintenance(machines: [Self.other], atNanos: 15))
        #expect(driver.registry.maintenance.windows.isEmpty)
    }

    @Test func badMachineListsAreRefusedAndChangeNothing() {
        var driver = Self.driver()
        let cases: [(RegistryCommand, String)] = [
            (.startMaintenance(machines: [], atNanos: 10), "empty"),
            (
                .startMaintenance(machines: [Machine(hostname: "x.example", ip: "10.0.0.9")], atNanos: 10),
                "not in the maintenance schedule"
            ),
            (
                .startMaintenance(
                    machines: [Self.machine, Machine(hostname: "A1.example", ip: "10.0.0.1")],
                    atNanos: 10
                ), "more than once"
            ),
            (.startMaintenance(machines: [Machine()], atNanos: 10), "hostname or an ip"),
            (.stopMaintenance(machines: [Self.machine], atNanos: 10), "is not down"),
        ]
        for (command, message) in cases {
            let (outcome, changes) = driver.apply(command)
            #expect(outcome.error?.contains(message) == true, "\(command): \(outcome)")
            #expect(changes.isEmpty)
        }
        #expect(driver.registry.downMachines.isEmpty)
        #expect(driver.task("f1", "t1")?.state == .running || driver.task("f1", "t1")?.state == .staging)
    }
}

extension AgentInfo {
    /// The same agent info under another hostname.
    fileprivate func renamed(_ hostname: String) -> AgentInfo {
        var info = self
        info.hostname = hostname
        return info
    }
}
