import CorralModel
import CorralTestSupport
import Foundation
import Testing

@testable import CorralAgent

/// What ended shows in `GET /state` and the v1 Operator API as mesos-agent shows it:
/// `completed_tasks`, `completed_executors` and `completed_frameworks`.
@Suite(.offCooperativePool) struct AgentHTTPCompletedTests {
    /// The fixture, with t2's end acknowledged and f2's only task x failed and acknowledged.
    private func fixture() throws -> AgentHTTPFixture {
        var fixture = try AgentHTTPFixture()
        fixture.acknowledgeAll(of: AgentHTTPFixture.t2)
        fixture.harness.step(.launchFailed(AgentHTTPFixture.x, TaskEnd(state: .failed, reason: .commandExecutorFailed, message: "exit 2")))
        fixture.acknowledgeAll(of: AgentHTTPFixture.x)
        return fixture
    }

    @Test(arguments: AgentHTTPTransport.allCases)
    func stateListsCompletedTasksExecutorsAndFrameworks(_ transport: AgentHTTPTransport) async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try await AgentHTTPClient.with(fixture.http(), transport) { client in
            let state = try await client.get("/state").object
            let frameworks = state["frameworks"] as? [[String: Any]] ?? []
            #expect(frameworks.compactMap { $0["id"] as? String } == ["f1"])

            // t2 is gone from the table but still shown, under its completed executor.
            let f1 = try #require(frameworks.first)
            let completedExecutors = f1["completed_executors"] as? [[String: Any]] ?? []
            #expect(completedExecutors.compactMap { $0["id"] as? String } == ["t2"])
            let t2Executor = try #require(completedExecutors.first)
            #expect(t2Executor["directory"] as? String == fixture.sandboxes[AgentHTTPFixture.t2])
            #expect((t2Executor["tasks"] as? [Any])?.isEmpty == true)
            let t2 = try #require((t2Executor["completed_tasks"] as? [[String: Any]])?.first)
            #expect(t2["id"] as? String == "t2")
            #expect(t2["state"] as? String == "TASK_FAILED")
            #expect((t2["statuses"] as? [[String: Any]])?.last?["state"] as? String == "TASK_FAILED")

            // f2 has nothing left running: a completed framework, its executor completed.
            let completed = state["completed_frameworks"] as? [[String: Any]] ?? []
            #expect(completed.compactMap { $0["id"] as? String } == ["f2"])
            let f2 = try #require(completed.first)
            #expect((f2["executors"] as? [Any])?.isEmpty == true)
            let x = (f2["completed_executors"] as? [[String: Any]])?.first
            #expect(x?["id"] as? String == "x")
            #expect(x?["directory"] as? String == fixture.sandboxes[AgentHTTPFixture.x])
            let xTasks = x?["completed_tasks"] as? [[String: Any]] ?? []
            #expect(xTasks.compactMap { $0["id"] as? String } == ["x"])
            #expect(xTasks.first?["state"] as? String == "TASK_FAILED")
        }
    }

    @Test func theOperatorAPIListsThemAsCompleted() throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        let view = fixture.view()
        let tasks = AgentOperatorViews.getTasks(view)
        func ids(_ field: String) -> [String] {
            guard case .array(let items)? = tasks[field] else { return [] }
            return items.compactMap { item in
                guard case .string(let id)? = item["task_id"]?["value"] else { return nil }
                return id
            }.sorted()
        }
        #expect(ids("completed_tasks") == ["t2", "x"])
        #expect(ids("terminated_tasks").isEmpty)
        #expect(ids("launched_tasks") == ["g1", "g2", "t1"])
        let frameworks = AgentOperatorViews.getFrameworks(view)
        guard case .array(let completed)? = frameworks["completed_frameworks"] else {
            Issue.record("no completed_frameworks")
            return
        }
        #expect(completed.count == 1)
        #expect(completed.first?["framework_info"]?["id"]?["value"] == .string("f2"))
    }
}
