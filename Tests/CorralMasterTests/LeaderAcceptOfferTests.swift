@testable import CorralMaster
import CorralModel
import Testing

/// ACCEPTs whose offers or operations are not good: dropped without touching the replicated
/// log, with the updates Mesos sends, while the good operations of the same call go ahead.
@Suite("LeaderStateMachine ACCEPT checks")
struct LeaderAcceptOfferTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")
    let unknownOffer = "offer 3-O9 is not outstanding for this framework (unknown, rescinded or already used)"

    /// Leading (f1 PARTITION_AWARE or not) with f1's offer of all of a1 out.
    func offered(partitionAware: Bool = false) throws -> (LeaderHarness, Offer) {
        var harness = try LeaderHarness.leading(partitionAware: partitionAware)
        let offer = try #require(H.offers(harness.tick()).first)
        return (harness, offer)
    }

    func operationErrors(_ actions: [H.Action]) -> [OperationStatus] {
        actions.compactMap { action -> OperationStatus? in
            guard case .toScheduler(f1, let event) = action, event.type == .updateOperationStatus else {
                return nil
            }
            return event.updateOperationStatus?.status
        }
    }

    func reserve(id: String?) -> Offer.Operation {
        var operation = Offer.Operation(type: .reserve, id: id.map { OperationID($0) })
        operation.reserve = Offer.Operation.ResourceList(resources: [.scalar("cpus", 1)])
        return operation
    }

    /// A CREATE, which Corral does not do yet.
    func createDisk(id: String?) -> Offer.Operation {
        Offer.Operation(type: .createDisk, id: id.map { OperationID($0) })
    }

    func cpusOffered(_ harness: inout LeaderHarness) -> [Double] {
        H.offers(harness.tick()).map { Resources($0.resources).cpus ?? 0 }
    }

    @Test func invalidOffersDropEveryOperationWithoutACommit() throws {
        for partitionAware in [false, true] {
            var (harness, offer) = try offered(partitionAware: partitionAware)
            let committed = harness.driver.index
            let (call, actions) = harness.accept(
                [offer.id, MesosOfferID("3-O9")],
                [.launch([H.task("t1"), H.task("t2")]), reserve(id: "r1")]
            )
            let state: TaskState = partitionAware ? .dropped : .lost
            let message = "Task launched with invalid offers: \(unknownOffer)"
            #expect(
                H.updates(actions)
                    == ["t1", "t2"].map {
                        TaskStatus(
                            taskID: TaskID($0),
                            state: state,
                            message: message,
                            source: .master,
                            reason: .invalidOffers,
                            agentID: a1
                        )
                    },
                "partition aware: \(partitionAware)"
            )
            #expect(
                operationErrors(actions) == [
                    OperationStatus(
                        operationID: OperationID("r1"),
                        state: .error,
                        message: "Operation attempted with invalid offers: \(unknownOffer)"
                    )
                ]
            )
            #expect(H.commands(actions).isEmpty && harness.driver.index == committed)
            #expect(H.agentEvents(actions, .launch).isEmpty)
            #expect(actions.last == .reply(call, .done))
            // The good offer named with the bad one went back to the allocator, unfiltered.
            #expect(harness.core.offers.isEmpty)
            #expect(cpusOffered(&harness) == [4])
        }
    }

    @Test func whatIsWrongWithTheOffersIsSaid() throws {
        var (harness, offer) = try offered()
        func message(_ offers: [MesosOfferID]) -> String? {
            H.updates(harness.accept(offers, [.launch([H.task("t1")])]).1).first?.message
        }
        #expect(
            message([offer.id, offer.id]) == "Task launched with invalid offers: an offer is named twice"
        )
        #expect(cpusOffered(&harness) == [4], "the offer named twice went back")
        #expect(message([]) == "Task launched with invalid offers: the ACCEPT names no offers")
        let again = try #require(harness.core.offers.keys.first)
        let (_, used) = harness.accept([again], [.launch([H.task("t1")])])
        _ = try harness.commit(used)
        #expect(
            message([again])
                == "Task launched with invalid offers: offer \(again) is not outstanding for this "
                + "framework (unknown, rescinded or already used)"
        )
    }

    @Test func operationsCorralDoesNotDoAreDroppedAndTheLaunchesGoAhead() throws {
        var (harness, offer) = try offered()
        var identified = Offer.Operation.launch([H.task("t3")])
        identified.id = OperationID("op-1")
        let destroy = Offer.Operation(type: .destroyDisk)
        let (call, asked) = harness.accept(
            [offer.id],
            [createDisk(id: "r1"), destroy, identified, .launch([H.task("t4")])]
        )
        #expect(
            operationErrors(asked) == [
                OperationStatus(
                    operationID: OperationID("r1"),
                    state: .error,
                    message:
                        "Corral does not support CREATE_DISK operations; it accepts LAUNCH, LAUNCH_GROUP, RESERVE, UNRESERVE, CREATE, DESTROY, GROW_VOLUME and SHRINK_VOLUME",
                    agentID: a1
                )
            ],
            "DESTROY_DISK did not ask for feedback"
        )
        let warnings = asked.filter { if case .log(let line) = $0 { line.level == .warning } else { false } }
        #expect(warnings.count == 2, "both dropped operations are logged")
        #expect(
            H.updates(asked) == [
                TaskStatus(
                    taskID: TaskID("t3"),
                    state: .error,
                    message: "The `id` field cannot be set on LAUNCH operations",
                    source: .master,
                    reason: .taskInvalid,
                    agentID: a1
                )
            ]
        )
        #expect(H.commands(asked).count == 1 && !asked.contains(.reply(call, .done)))
        #expect(H.effects(asked).last.map(H.isCommit) == true, "the commit comes after the drops")
        let decided = H.effects(try harness.commit(asked))
        #expect(H.agentEvents(decided, .launch).map { $0.1.launch?.tasks.map(\.taskID.value) } == [["t4"]])
        #expect(decided.last == .reply(call, .done))
    }

    @Test func badTasksAreRefusedAndTheGoodOnesOfTheOperationCommitted() throws {
        var (harness, offer) = try offered()
        let (call, asked) = harness.accept(
            [offer.id],
            [.launch([H.task("greedy", cpus: 100), H.task("fits", cpus: 2)])]
        )
        let refused = H.updates(asked)
        #expect(refused.map(\.taskID.value) == ["greedy"])
        #expect(refused.first?.state == .error && refused.first?.reason == .taskInvalid)
        #expect(refused.first?.message?.contains("more than the offers have left") == true)
        let at = harness.nanos()
        #expect(
            H.commands(asked) == [
                .launch(
                    frameworkID: f1,
                    agentID: a1,
                    role: "web",
                    tasks: [H.task("fits", cpus: 2)],
                    executor: nil,
                    atNanos: at
                )
            ]
        )
        #expect(try harness.commit(asked).last == .reply(call, .done))
        #expect(cpusOffered(&harness) == [2])
    }

    @Test func anAcceptWithNothingToLaunchAnswersAtOnceAndReturnsTheOffer() throws {
        var (harness, offer) = try offered()
        let (call, actions) = harness.accept([offer.id], [.launch([H.task("greedy", cpus: 100)])], refuse: 10)
        #expect(H.commands(actions).isEmpty && actions.last == .reply(call, .done))
        #expect(H.updates(actions).map(\.state) == [.error])
        harness.advance(.seconds(2))
        #expect(cpusOffered(&harness).isEmpty, "refused for 10 s, as the ACCEPT asked")
        harness.advance(.seconds(9))
        #expect(cpusOffered(&harness) == [4])
    }
}
