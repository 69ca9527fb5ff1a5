@testable import CorralMaster
import CorralModel
import Testing

/// Turning allocator decisions into Mesos offers: never naming resources that tasks hold or
/// that another outstanding offer names.
@Suite("LeaderStateMachine offers")
struct MakeOffersTests {
    let f1 = FrameworkID("f1")
    let f2 = FrameworkID("f2")

    /// Agent a1 (4 cpus, 1024 mem) with one task of f1 holding 1 cpu and 64 mem.
    func registry() -> Registry {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1", cpus: 1, mem: 64)]))
        return driver.registry
    }

    func decision(_ number: UInt64, _ framework: String, agent: String = "a1", cpus: Double, mem: Double)
        -> OfferDecision
    {
        OfferDecision(
            offerID: number,
            framework: framework,
            role: "web",
            agent: agent,
            resources: ResourceQuantities(["cpus": cpus, "mem": mem]),
            offeredAtMillis: 0
        )
    }

    func total(_ offers: [LiveOffer], _ name: String) -> Double {
        offers.reduce(0) { $0 + Double(ResourceMapping.quantities($1.resources)[name]) / 1000 }
    }

    @Test func offersOnAnAgentNeverNameMoreThanItHasLeft() {
        let registry = registry()
        // An offer already out for 1 cpu and 100 mem.
        let (earlier, _) = LeaderStateMachine.makeOffers(
            [decision(1, "f2", cpus: 1, mem: 100)],
            term: 4,
            registry: registry,
            connected: [f1, f2],
            outstanding: []
        )
        #expect(earlier.map(\.offer.id) == [MesosOfferID("4-O1")])
        // The allocator asks for more than is left (3 cpus - 1 offered = 2): the cycle's offers
        // get what there is, in order, and nothing twice.
        let (made, declined) = LeaderStateMachine.makeOffers(
            [decision(2, "f1", cpus: 1.5, mem: 500), decision(3, "f2", cpus: 1.5, mem: 500)],
            term: 4,
            registry: registry,
            connected: [f1, f2],
            outstanding: earlier
        )
        #expect(declined.isEmpty)
        #expect(made.map(\.offer.id) == [MesosOfferID("4-O2"), MesosOfferID("4-O3")])
        #expect(total(made, "cpus") == 2, "4 cpus, 1 held by t1, 1 offered before")
        #expect(total(made, "mem") == 1024 - 64 - 100)
        #expect(total(Array(made.prefix(1)), "cpus") == 1.5)
        #expect(made.allSatisfy { $0.offer.resources.allSatisfy { $0.allocationInfo?.role == "web" } })
        #expect(made.first?.offer.hostname == "a1.example")
    }

    @Test func decisionsForUnknownAgentsOrAbsentSchedulersAreDeclined() {
        let (made, declined) = LeaderStateMachine.makeOffers(
            [
                decision(1, "f1", agent: "nowhere", cpus: 1, mem: 1), decision(2, "f2", cpus: 1, mem: 1),
                decision(3, "f1", cpus: 1, mem: 1),
            ],
            term: 2,
            registry: registry(),
            connected: [f1],
            outstanding: []
        )
        #expect(declined.map(\.offerID) == [1, 2])
        #expect(made.map(\.decision.offerID) == [3])
    }

    /// A leader with f1's and f2's schedulers connected and offers 4-O1 (f1, 1 cpu), 4-O2 (f1,
    /// 1 cpu) and 4-O3 (f2, 1 cpu) out on a1, and 4-O4 (f1) on a2.
    func booked() -> LeaderStateMachine {
        var driver = RegistryDriver.standard()
        driver.accept(.admitAgent(info: Fixture.agentInfo("a2"), atNanos: 2))
        var core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: .now)
        _ = core.step(.elected(activeAgents: []), now: .now)
        _ = core.step(.schedulerSubscribed(f1, streamID: "s1"), now: .now)
        _ = core.step(.schedulerSubscribed(f2, streamID: "s2"), now: .now)
        let (made, declined) = core.offer(
            [
                decision(1, "f1", cpus: 1, mem: 10), decision(2, "f1", cpus: 1, mem: 10),
                decision(3, "f2", cpus: 1, mem: 10),
                decision(4, "f1", agent: "a2", cpus: 1, mem: 10),
            ],
            term: 4,
            registry: driver.registry
        )
        #expect(made.count == 4 && declined.isEmpty)
        return core
    }

    func ids(_ offers: [LiveOffer]) -> [String] { offers.map(\.offer.id.value) }

    @Test func anAcceptTakesItsOffersOnceAndSaysWhatIsWrongWithThem() {
        var core = booked()
        let good = core.takeOffers([MesosOfferID("4-O1"), MesosOfferID("4-O2")], of: f1)
        #expect(ids(good.taken) == ["4-O1", "4-O2"] && good.problem == nil)
        let again = core.takeOffers([MesosOfferID("4-O1")], of: f1)
        #expect(again.taken.isEmpty && again.problem?.contains("not outstanding") == true, "used already")
        let theirs = core.takeOffers([MesosOfferID("4-O3")], of: f1)
        #expect(theirs.taken.isEmpty && theirs.problem?.contains("not outstanding") == true, "f2's offer")
        #expect(core.takeOffers([], of: f1).problem == "the ACCEPT names no offers")
        var fresh = booked()
        let twice = fresh.takeOffers([MesosOfferID("4-O1"), MesosOfferID("4-O1")], of: f1)
        #expect(twice.problem == "an offer is named twice")
        var spanning = booked()
        let span = spanning.takeOffers([MesosOfferID("4-O1"), MesosOfferID("4-O4")], of: f1)
        #expect(span.problem == "the offers span more than one agent or role")
        #expect(
            ids(span.taken) == ["4-O1", "4-O4"] && spanning.offers.count == 2,
            "taken all the same, to go back to the allocator"
        )
    }

    @Test func offersLeaveTheBookByFrameworkOrDecision() {
        var core = booked()
        #expect(
            ids(core.removeOffers { $0.frameworkID == f1 && $0.agentID == AgentID("a1") }) == [
                "4-O1", "4-O2",
            ]
        )
        #expect(ids(core.removeOffers { $0.decision.offerID == 3 }) == ["4-O3"])
        #expect(core.offers.keys.map(\.value) == ["4-O4"])
        _ = core.step(.steppedDown, now: .now)
        #expect(core.offers.isEmpty, "a leader that steps down forgets its offers")
    }

    @Test func aSchedulerThatSubscribesAgainGetsItsOffersBackAsNewOnesUnlessSuppressed() {
        /// f1 connected, with the allocator's offer of all of a1 outstanding.
        func offered() -> LeaderStateMachine {
            let registry = RegistryDriver.standard().registry
            var core = LeaderStateMachine(timing: LeaderStateMachine.Timing(SchedulingConfig()), now: .now)
            _ = core.step(.elected(activeAgents: []), now: .now)
            _ = core.schedulerSubscribed(
                f1,
                streamID: "s1",
                roles: ["web"],
                suppressed: [],
                tasks: [],
                nowMillis: 0,
                now: .now
            )
            _ = core.addAgent(AgentID("a1"), registry: registry)
            let (made, _) = core.offer(core.allocator.allocate(nowMillis: 1), term: 1, registry: registry)
            #expect(made.count == 1)
            #expect(core.allocator.allocate(nowMillis: 2).isEmpty, "all of a1 is out")
            return core
        }
        // f1 fails over: its offer goes back to the allocator, which offers it again at once.
        var core = offered()
        let effects = core.schedulerSubscribed(
            f1,
            streamID: "s2",
            roles: ["web"],
            suppressed: [],
            tasks: [],
            nowMillis: 3,
            now: .now
        )
        #expect(effects.isEmpty && core.offers.isEmpty && core.schedulers[f1] == "s2")
        #expect(core.allocator.allocate(nowMillis: 4).map(\.framework) == ["f1"], "no refuse filter")
        // Subscribing with its role suppressed: the offer goes back, and nothing is offered.
        var quiet = offered()
        _ = quiet.schedulerSubscribed(
            f1,
            streamID: "s3",
            roles: ["web"],
            suppressed: ["web"],
            tasks: [],
            nowMillis: 3,
            now: .now
        )
        #expect(quiet.offers.isEmpty && quiet.allocator.allocate(nowMillis: 4).isEmpty)
    }
}
