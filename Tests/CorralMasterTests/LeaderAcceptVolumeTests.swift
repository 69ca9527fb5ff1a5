@testable import CorralMaster
import CorralModel
import CorralReplication
import Testing

/// CREATE and DESTROY in an ACCEPT: RESERVE, CREATE and LAUNCH in one ACCEPT (the way
/// stateful frameworks start), each committed before the next; the volume is offered back to
/// its role whole when the task ends; the agent hears its volumes after every change.
@Suite("LeaderStateMachine ACCEPT with persistent volumes")
struct LeaderAcceptVolumeTests {
    typealias H = LeaderHarness
    typealias V = RegistryVolumeTests
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")

    /// Leading, with f1 (role web) and a1 (4 CPUs, 1 GB, 1000 MB of disk) subscribed.
    static func leading() throws -> LeaderHarness {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f1"))
        var info = Fixture.agentInfo("a1")
        info.resources.append(.scalar("disk", Scalar(1000)))
        _ = try harness.subscribeAgent(info)
        return harness
    }

    static func create(_ volumes: [Resource], id: String? = nil) -> Offer.Operation {
        var operation = Offer.Operation(type: .create, id: id.map(OperationID.init))
        operation.create = Offer.Operation.VolumeList(volumes: volumes)
        return operation
    }

    static func destroy(_ volumes: [Resource]) -> Offer.Operation {
        var operation = Offer.Operation(type: .destroy)
        operation.destroy = Offer.Operation.VolumeList(volumes: volumes)
        return operation
    }

    /// A task of f1 on a1 with 1 CPU, 64 MB and volume v1.
    static var withVolume: TaskInfo {
        var task = H.task("t1")
        task.resources.append(V.volume("v1", 200))
        return task
    }

    /// The VOLUMES events `actions` send to a1, as lists of volume IDs.
    func volumeLists(_ actions: [H.Action]) -> [[String]] {
        actions.compactMap { action -> [String]? in
            guard case .toAgent(a1, let event) = action, event.type == .volumes else { return nil }
            return event.volumes?.volumes.compactMap(\.persistenceID)
        }
    }

    @Test func reserveCreateAndLaunchInOneAcceptThenTheVolumeComesBackWhole() throws {
        var harness = try Self.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (call, asked) = harness.accept(
            [offer.id],
            [LeaderAcceptReserveTests.reserve([V.disk(600)]), Self.create([V.volume("v1", 200)], id: "op-v1"), .launch([Self.withVolume])]
        )
        #expect(H.commands(asked) == [.reserve(agentID: a1, resources: [V.disk(600)], atNanos: harness.nanos())])
        let reserved = try harness.commit(asked)
        #expect(H.commands(reserved) == [.createVolumes(agentID: a1, volumes: [V.volume("v1", 200)], atNanos: harness.nanos())])
        let created = try harness.commit(reserved)
        #expect(volumeLists(created) == [["v1"]], "the agent hears of its new volume")
        let statuses = created.compactMap { action -> OperationStatus? in
            if case .propose(.operationStatus(_, let status, _)) = action { status } else { nil }
        }
        #expect(statuses.map(\.operationID) == [OperationID("op-v1")] && statuses.map(\.state) == [.finished])
        let launch = try #require(H.commands(created).first)
        guard case .launch(_, _, _, let tasks, _, _) = launch else {
            Issue.record("expected the launch next, got \(launch)")
            return
        }
        #expect(tasks == [Self.withVolume])
        #expect(H.effects(try harness.commit(created)).last == .reply(call, .done))
        // While the task runs, the volume is not offered; once it ends, it comes back whole.
        let during = H.offers(harness.tick()).flatMap(\.resources)
        #expect(Resources(during).volumes.isEmpty, "\(during)")
        _ = harness.applyChanges(Fixture.update("f1", "t1", .finished, uuid: 1))
        harness.advance(.seconds(6))
        let after = H.offers(harness.tick()).flatMap(\.resources)
        let volumes = Resources(after).volumes
        #expect(volumes.count == 1 && volumes.first?.persistenceID == "v1" && volumes.first?.scalar == Scalar(200), "\(after)")
        #expect(volumes.first?.allocationInfo?.role == "web")
    }

    @Test func aDestroyGivesTheDiskBackAndTheAgentHearsItsVolumesAreGone() throws {
        var harness = try Self.leading()
        _ = harness.applyChanges(.reserve(agentID: a1, resources: [V.disk(600)], atNanos: 1))
        let made = harness.applyChanges(.createVolumes(agentID: a1, volumes: [V.volume("v1", 200)], atNanos: 1))
        #expect(volumeLists(made) == [["v1"]])
        let offer = try #require(H.offers(harness.tick()).first)
        let offered = try #require(Resources(offer.resources).volumes.first)
        let (call, asked) = harness.accept([offer.id], [Self.destroy([offered])])
        #expect(H.commands(asked) == [.destroyVolumes(agentID: a1, volumes: [V.volume("v1", 200)], atNanos: harness.nanos())])
        let destroyed = try harness.commit(asked)
        #expect(volumeLists(destroyed) == [[]])
        #expect(H.effects(destroyed).last == .reply(call, .done))
        #expect(harness.driver.registry.agents[a1]?.total.reserved("web").diskMegabytes == 600)
    }

    @Test func aCreateOnDiskOfAnotherRoleOrNotInTheOffersIsDropped() throws {
        var harness = try Self.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, asked) = harness.accept(
            [offer.id], [Self.create([V.volume("v1", 100, role: "db")], id: "a"), Self.create([V.volume("v2", 100)], id: "b")])
        #expect(H.commands(asked).isEmpty)
        let messages = asked.compactMap { action -> String? in
            guard case .toScheduler(f1, let event) = action else { return nil }
            return event.updateOperationStatus?.status.message
        }
        #expect(messages.count == 2)
        #expect(messages.first?.contains("reserved for role db") == true, "\(messages)")
        #expect(messages.last?.contains("more than the offers have left") == true, "\(messages)")
    }

    @Test func anAgentHearsItsVolumesWhenItSubscribes() throws {
        var harness = try Self.leading()
        _ = harness.applyChanges(.reserve(agentID: a1, resources: [V.disk(600)], atNanos: 1))
        _ = harness.applyChanges(.createVolumes(agentID: a1, volumes: [V.volume("v1", 200), V.volume("v2", 100)], atNanos: 1))
        var info = Fixture.agentInfo("a1")
        info.resources.append(.scalar("disk", Scalar(1000)))
        let subscribe = AgentCall.Subscribe(agentInfo: info, tasks: [], highestTerm: harness.core.term)
        let (_, asked) = harness.call { $0.subscribeAgent(subscribe, ip: "10.0.0.1", id: $1, in: $2) }
        let subscribed = try harness.commit(asked)
        // The re-registration's own change may send the list too: a list is idempotent.
        #expect(volumeLists(subscribed).last == ["v1", "v2"], "\(volumeLists(subscribed))")
    }
}
