import Foundation
import Testing

@testable import CorralModel

@Suite("JSON round trips")
struct RoundTripTests {
    @Test func ids() throws {
        #expect(try Fixtures.roundTrip(FrameworkID("F-1")) == "F-1")
        #expect(try Fixtures.roundTrip(AgentID("S-1")) == "S-1")
        #expect(try Fixtures.roundTrip(OfferID("O-1")) == "O-1")
        #expect(try Fixtures.roundTrip(TaskID("T-1")) == "T-1")
        #expect(try Fixtures.roundTrip(ExecutorID("E-1")) == "E-1")
        let nested = ContainerID("child", parent: ContainerID("parent"))
        #expect(try Fixtures.roundTrip(nested) == nested)
        #expect(nested.description == "parent.child")
        let json = String(decoding: try JSONEncoder().encode(TaskID("T-1")), as: UTF8.self)
        #expect(json == #"{"value":"T-1"}"#)
    }

    @Test func resources() throws {
        for resource in Fixtures.agentResources {
            #expect(try Fixtures.roundTrip(resource) == resource)
        }
        var disk = Resource.scalar("disk", 100, role: "db")
        disk.reservations = [.dynamic("db", principal: "ops")]
        disk.disk = .init(
            persistence: .init(id: "vol-1", principal: "ops"),
            volume: Volume(mode: .readWrite, containerPath: "data"),
            source: .init(type: .mount, mount: .init(root: "/mnt/d1"))
        )
        disk.shared = .init()
        disk.providerID = "rp-1"
        #expect(try Fixtures.roundTrip(disk) == disk)
        let set = Resource.set("zones", ["a", "b"])
        #expect(try Fixtures.roundTrip(set) == set)
        let bag = Resources(Fixtures.agentResources)
        #expect(try Fixtures.roundTrip(bag) == bag)
    }

    @Test func messages() throws {
        #expect(try Fixtures.roundTrip(Fixtures.offer) == Fixtures.offer)
        #expect(try Fixtures.roundTrip(Fixtures.task) == Fixtures.task)
        #expect(try Fixtures.roundTrip(Fixtures.status) == Fixtures.status)
        #expect(try Fixtures.roundTrip(Fixtures.framework) == Fixtures.framework)
        #expect(try Fixtures.roundTrip(Fixtures.agent) == Fixtures.agent)
        let executor = ExecutorInfo(
            executorID: "E-1",
            type: .default,
            frameworkID: "F-1",
            resources: [.scalar("cpus", 0.1)],
            name: "ex",
            data: [1, 2]
        )
        #expect(try Fixtures.roundTrip(executor) == executor)
        let group = TaskGroupInfo(tasks: [Fixtures.task])
        #expect(try Fixtures.roundTrip(group) == group)
        #expect(try Fixtures.roundTrip(Filters(refuseSeconds: 30)) == Filters(refuseSeconds: 30))
        let master = MasterInfo(
            id: "m1",
            ip: 16_777_343,
            port: 5050,
            hostname: "m1",
            version: "1.11.0",
            address: Address(hostname: "m1", ip: "127.0.0.1", port: 5050),
            capabilities: [.init(type: "AGENT_UPDATE")]
        )
        #expect(try Fixtures.roundTrip(master) == master)
        let labels: Labels = ["a": "1", "b": "2"]
        #expect(try Fixtures.roundTrip(labels) == labels)
        #expect(labels["b"] == "2")
    }

    @Test func schedulerEventsAndCalls() throws {
        let events: [SchedulerEvent] = [
            .subscribed("F-1", heartbeatIntervalSeconds: 15),
            .offers([Fixtures.offer]),
            .update(Fixtures.status),
            SchedulerEvent(type: .heartbeat),
        ]
        for event in events { #expect(try Fixtures.roundTrip(event) == event) }
        let calls: [SchedulerCall] = [
            .subscribe(Fixtures.framework),
            .accept(
                "F-1",
                offerIDs: ["O-1"],
                operations: [.launch([Fixtures.task])],
                filters: Filters(refuseSeconds: 1)
            ),
            .decline("F-1", offerIDs: ["O-1", "O-2"]),
            .acknowledge("F-1", agentID: "S-1", taskID: "web-1", uuid: Array(0..<16)),
            .accept(
                "F-1",
                offerIDs: ["O-1"],
                operations: [
                    .launchGroup(
                        executor: ExecutorInfo(executorID: "E-2", type: .default),
                        tasks: [Fixtures.task]
                    )
                ]
            ),
        ]
        for call in calls { #expect(try Fixtures.roundTrip(call) == call) }
    }

    @Test func snakeCaseKeysAndOmittedDefaults() throws {
        let task = try Fixtures.object(Fixtures.task)
        #expect(
            Set(task.keys).isSuperset(of: ["task_id", "agent_id", "health_check", "kill_policy", "data"])
        )
        #expect(task["data"] as? String == "AAEC/v8=")
        let status = try Fixtures.object(Fixtures.status)
        #expect(status["state"] as? String == "TASK_RUNNING")
        #expect(status["source"] as? String == "SOURCE_EXECUTOR")
        #expect(status["container_status"] != nil)
        let bare = try Fixtures.object(TaskInfo(name: "t", taskID: "t", agentID: "a"))
        #expect(Set(bare.keys) == ["name", "task_id", "agent_id"])
        let offer = try Fixtures.object(Fixtures.offer)
        #expect(offer["id"] != nil && offer["offer_id"] == nil)
        #expect(offer["executor_ids"] != nil)
        let framework = try Fixtures.object(Fixtures.framework)
        #expect(framework["failover_timeout"] as? Double == 604_800)
        #expect(framework["webui_url"] == nil)
    }
}
