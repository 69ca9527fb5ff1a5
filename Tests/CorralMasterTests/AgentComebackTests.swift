@testable import CorralMaster
import CorralModel
import Testing

/// An agent coming back races the leader's decision that it is unreachable: neither a
/// decision taken before its re-registration nor an update it sent before it was marked
/// unreachable may undo what the other side was told.
@Suite("Agents coming back")
struct AgentComebackTests {
    typealias H = LeaderHarness
    let a1 = AgentID("a1")

    @Test func anUnreachableDecidedBeforeTheReRegistrationIsStale() {
        var driver = RegistryDriver.standard()
        driver.accept(.reregisterAgent(info: Fixture.agentInfo("a1"), reported: [], atNanos: 10))
        #expect(driver.accept(.agentUnreachable(id: a1, atNanos: 5)).isEmpty)
        #expect(driver.registry.agents[a1]?.isActive == true)
        driver.accept(.agentUnreachable(id: a1, atNanos: 11))
        #expect(driver.registry.agents[a1]?.isActive == false)
    }

    @Test func anAgentsUpdateAfterItsTaskWasReportedLostIsRefusedButNotForAPartitionAwareFramework() {
        var driver = RegistryDriver.standard()
        driver.accept(Fixture.launch("f1", [Fixture.taskInfo("t1")]))
        driver.accept(Fixture.launch("f2", [Fixture.taskInfo("t2")]))
        driver.accept(.agentUnreachable(id: a1, atNanos: 5))
        for (framework, task, refused) in [("f1", "t1", true), ("f2", "t2", false)] {
            var status = TaskStatus(taskID: TaskID(task), state: .finished, source: .executor, uuid: [9])
            status.agentID = a1
            let (outcome, changes) = driver.apply(
                .statusUpdate(frameworkID: FrameworkID(framework), status: status, atNanos: 6)
            )
            #expect((outcome.error != nil) == refused, "\(framework): \(outcome)")
            #expect(changes.isEmpty == refused)
        }
    }

    @Test func anAgentReRegisteringIsNotProposedUnreachableWhileItsCommitWaits() throws {
        var driver = RegistryDriver()
        driver.accept(.subscribeFramework(info: Fixture.frameworkInfo("f1"), atNanos: 1))
        driver.accept(.admitAgent(info: Fixture.agentInfo("a1"), atNanos: 1))
        var harness = LeaderHarness(driver: driver)
        _ = harness.elect(term: 4)
        let grace = harness.core.timing.electionGrace
        harness.advance(grace - .milliseconds(100))
        let subscribe = AgentCall.Subscribe(agentInfo: Fixture.agentInfo("a1"), tasks: [], highestTerm: 3)
        let (_, asked) = harness.call { $0.subscribeAgent(subscribe, ip: "10.0.0.1", id: $1, in: $2) }
        harness.advance(.milliseconds(200))
        let meanwhile = harness.tick()
        #expect(!H.commands(meanwhile).contains(.agentUnreachable(id: a1, atNanos: harness.nanos())))
        #expect(!meanwhile.contains { if case .propose(.agentUnreachable) = $0 { true } else { false } })
        #expect(
            H.effects(try harness.commit(asked)).contains {
                if case .reply(_, .agentStream) = $0 { true } else { false }
            }
        )
    }
}
