@testable import CorralMaster
import CorralModel
import Testing

/// Offer constraints (Mesos 1.11): a framework's role is offered only agents that match one
/// of its groups of attribute constraints.
@Suite("Offer constraints")
struct LeaderOfferConstraintsTests {
    typealias H = LeaderHarness

    static func agent(_ id: String, rack: String?, gpus: Double? = nil) -> AgentInfo {
        var info = Fixture.agentInfo(id)
        if let rack { info.attributes.append(.text("rack", rack)) }
        if let gpus { info.attributes.append(.scalar("gpus", Scalar(gpus))) }
        return info
    }

    static func only(_ role: String, _ constraints: AttributeConstraint...) -> OfferConstraints {
        OfferConstraints(roleConstraints: [role: .init(groups: [.init(constraints)])])
    }

    @Test func mesosJSONDecodesAndEncodesBack() throws {
        let json = #"""
            {"role_constraints":{"web":{"groups":[
              {"attribute_constraints":[{"selector":{"attribute_name":"rack"},"predicate":{"text_equals":{"value":"r1"}}}]},
              {"attribute_constraints":[{"selector":{"pseudoattribute_type":"HOSTNAME"},"predicate":{"text_matches":{"regex":"a2\\..*"}}},
                                        {"selector":{"pseudoattribute_type":"ZONE"},"predicate":{"not_exists":{}}}]}]}}}
            """#
        let constraints = try MesosJSON.decode(OfferConstraints.self, from: Array(json.utf8))
        let groups = try #require(constraints.roleConstraints["web"]?.groups)
        #expect(
            groups.map(\.attributeConstraints) == [
                [AttributeConstraint(.attribute("rack"), .textEquals("r1"))],
                [
                    AttributeConstraint(.hostname, .textMatches("a2\\..*")),
                    AttributeConstraint(.zone, .notExists),
                ],
            ]
        )
        #expect(
            try MesosJSON.decode(OfferConstraints.self, from: MesosJSON.encode(constraints)) == constraints
        )
        let bad =
            #"{"role_constraints":{"web":{"groups":[{"attribute_constraints":[{"selector":{"attribute_name":"rack"},"predicate":{"text_like":{}}}]}]}}}"#
        #expect(throws: (any Error).self) {
            try MesosJSON.decode(OfferConstraints.self, from: Array(bad.utf8))
        }
    }

    @Test func predicatesHoldAsMesosSpecifies() throws {
        let agent = Self.agent("a1", rack: "r1", gpus: 2)
        func holds(_ selector: AttributeConstraint.Selector, _ predicate: AttributeConstraint.Predicate)
            throws -> Bool
        {
            try OfferConstraintMatcher(
                .init(groups: [.init([AttributeConstraint(selector, predicate)])]),
                role: "web"
            ).matches(agent)
        }
        #expect(try holds(.attribute("rack"), .exists) && !holds(.attribute("disk"), .exists))
        #expect(try holds(.attribute("disk"), .notExists) && !holds(.attribute("rack"), .notExists))
        #expect(
            try holds(.attribute("rack"), .textEquals("r1")) && !holds(.attribute("rack"), .textEquals("r2"))
        )
        #expect(try !holds(.attribute("disk"), .textEquals("r1")), "a missing attribute equals nothing")
        #expect(try holds(.attribute("disk"), .textNotEquals("r1")), "and differs from everything")
        #expect(
            try holds(.attribute("gpus"), .textEquals("7")) && holds(.attribute("gpus"), .textNotEquals("2")),
            "a SCALAR attribute passes text predicates: the scheduler filters it"
        )
        #expect(
            try holds(.hostname, .textMatches("a1\\.exam.*")) && !holds(.hostname, .textMatches("a1")),
            "a regular expression matches the whole value"
        )
        #expect(try holds(.hostname, .textNotMatches("b.*")) && !holds(.hostname, .textNotMatches(".*")))
        #expect(
            try !holds(.region, .exists) && holds(.zone, .notExists),
            "an agent without a fault domain has no region"
        )
        var zoned = agent
        zoned.domain = DomainInfo(faultDomain: .init(region: .init(name: "eu"), zone: .init(name: "eu-1")))
        let zone = try OfferConstraintMatcher(
            .init(groups: [.init([AttributeConstraint(.zone, .textEquals("eu-1"))])]),
            role: "web"
        )
        #expect(zone.matches(zoned) && !zone.matches(agent))
        // One group of two: both must hold; two groups: either.
        let both = try OfferConstraintMatcher(
            .init(groups: [
                .init([
                    AttributeConstraint(.attribute("rack"), .textEquals("r1")),
                    AttributeConstraint(.hostname, .textEquals("x")),
                ])
            ]),
            role: "web"
        )
        #expect(!both.matches(agent))
        let either = try OfferConstraintMatcher(
            .init(groups: [
                .init([AttributeConstraint(.hostname, .textEquals("x"))]),
                .init([AttributeConstraint(.attribute("rack"), .exists)]),
            ]),
            role: "web"
        )
        #expect(either.matches(agent))
    }

    @Test func badConstraintsAreRefusedWithA400ThatSaysWhy() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        let cases: [(OfferConstraints, String)] = [
            (
                Self.only("batch", AttributeConstraint(.attribute("rack"), .exists)),
                "not one of the framework's roles"
            ),
            (OfferConstraints(roleConstraints: ["web": .init(groups: [])]), "needs at least one group"),
            (
                OfferConstraints(roleConstraints: ["web": .init(groups: [.init([])])]),
                "a group needs at least one attribute constraint"
            ),
            (
                Self.only("web", AttributeConstraint(.hostname, .textMatches("(unclosed"))),
                "is not a valid regular expression"
            ),
        ]
        for (constraints, message) in cases {
            let subscribe = SchedulerCall.Subscribe(
                frameworkInfo: Fixture.frameworkInfo("f1"),
                offerConstraints: constraints
            )
            let (_, actions) = harness.call { $0.subscribe(subscribe, id: $1, in: $2) }
            guard case .reply(_, .failed(let error))? = actions.last else {
                Issue.record("\(constraints) was taken: \(actions)")
                continue
            }
            #expect(error.code == .request && error.message.contains(message), "\(error.message)")
            #expect(H.commands(actions).isEmpty, "nothing is committed")
        }
    }

    @Test func aConstrainedRoleIsOfferedOnlyTheAgentsThatMatch() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        _ = try harness.subscribeAgent(Self.agent("a1", rack: "r1"))
        _ = try harness.subscribeAgent(Self.agent("a2", rack: "r2"))
        let constraints = Self.only("web", AttributeConstraint(.attribute("rack"), .textEquals("r2")))
        let (f1, stream) = try harness.subscribeFramework(
            Fixture.frameworkInfo("f1"),
            constraints: constraints
        )
        #expect(harness.core.offerConstraints[f1] == constraints)
        #expect(H.offers(harness.tick()).map(\.agentID.value) == ["a2"])
        // An agent that registers later and matches is offered; one that does not is not.
        _ = try harness.subscribeAgent(Self.agent("a3", rack: "r2"))
        _ = try harness.subscribeAgent(Self.agent("a4", rack: nil))
        harness.advance(.seconds(2))
        #expect(H.offers(harness.tick()).map(\.agentID.value) == ["a3"])
        // UPDATE_FRAMEWORK without constraints: every agent.
        var update = SchedulerCall.updateFramework(Fixture.frameworkInfo("f1"))
        update.frameworkID = f1
        let (_, asked) = harness.scheduler(update, stream: stream)
        _ = try harness.commit(asked)
        #expect(harness.core.offerConstraints[f1] == nil)
        harness.advance(.seconds(2))
        #expect(Set(H.offers(harness.tick()).map(\.agentID.value)) == ["a1", "a4"])
    }

    @Test func anotherFrameworkIsNotHeldToThem() throws {
        var harness = LeaderHarness()
        _ = harness.elect(term: 3)
        _ = try harness.subscribeAgent(Self.agent("a1", rack: "r1"))
        _ = try harness.subscribeFramework(
            Fixture.frameworkInfo("f1"),
            constraints: Self.only("web", AttributeConstraint(.attribute("rack"), .textEquals("r9")))
        )
        _ = try harness.subscribeFramework(Fixture.frameworkInfo("f2"))
        let offers = harness.tick()
        #expect(H.offers(offers, to: FrameworkID("f1")).isEmpty)
        #expect(H.offers(offers, to: FrameworkID("f2")).map(\.agentID.value) == ["a1"])
    }
}
