@testable import CorralMaster
import CorralModel
import CorralSecurity
import Testing

/// `run_tasks` at ACCEPT: with ACLs, a task that would run as root is refused (TASK_ERROR
/// naming the ACL) unless a rule allows root for the framework's principal; without ACLs
/// nothing changes.
@Suite("LeaderStateMachine run_tasks ACL")
struct LeaderRunTasksACLTests {
    typealias H = LeaderHarness

    /// Accepts the first offer with one LAUNCH of `tasks` under `acls`; the statuses sent and
    /// the task IDs committed as launched.
    func launch(_ tasks: [TaskInfo], acls: ACLs?) throws -> (updates: [TaskStatus], launched: [String]) {
        var harness = try LeaderHarness.leading()
        harness.core.acls = acls
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, asked) = harness.accept([offer.id], [.launch(tasks)])
        var actions = asked
        if H.commands(asked).contains(where: { if case .launch = $0 { true } else { false } }) {
            actions += try harness.commit(asked)
        }
        let launched = H.commands(actions).flatMap { command -> [String] in
            if case .launch(_, _, _, let tasks, _, _) = command { tasks.map(\.taskID.value) } else { [] }
        }
        return (H.updates(actions), launched)
    }

    static func task(_ id: String, user: String?) -> TaskInfo {
        var task = H.task(id)
        task.command?.user = user
        return task
    }

    @Test func aRootTaskIsRefusedWithoutARuleEvenWhenPermissive() throws {
        let acls = try ACLs.parse(#"{"permissive": true, "run_tasks": [{"principals": {"type": "ANY"}, "users": {"values": ["nobody"]}}]}"#)
        let (updates, launched) = try launch([Self.task("t1", user: nil), Self.task("t2", user: "nobody")], acls: acls)
        #expect(launched == ["t2"])
        let refused = try #require(updates.first { $0.taskID == TaskID("t1") })
        #expect(refused.state == .error && refused.reason == .taskInvalid)
        #expect(refused.message?.contains("run as user 'root'") == true && refused.message?.contains("run_tasks") == true, "\(refused.message ?? "")")
        // Under a permissive file with no run_tasks rules, root is refused as well.
        let (_, none) = try launch([Self.task("t1", user: "root")], acls: try ACLs.parse(#"{"permissive": true}"#))
        #expect(none.isEmpty)
    }

    @Test func aRuleAllowingRootLetsTheTaskRun() throws {
        let acls = try ACLs.parse(#"{"run_tasks": [{"principals": {"type": "ANY"}, "users": {"values": ["root"]}}]}"#)
        let (updates, launched) = try launch([Self.task("t1", user: nil)], acls: acls)
        #expect(launched == ["t1"])
        #expect(!updates.contains { $0.state == .error })
    }

    @Test func withoutACLsEveryUserRunsAsBefore() throws {
        let (updates, launched) = try launch([Self.task("t1", user: nil), Self.task("t2", user: "root")], acls: nil)
        #expect(launched == ["t1", "t2"])
        #expect(!updates.contains { $0.state == .error })
    }

    @Test func aNonRootUserFollowsTheRulesAndPermissive() throws {
        let deny = try ACLs.parse(#"{"permissive": false, "run_tasks": [{"principals": {"type": "ANY"}, "users": {"values": ["nobody"]}}]}"#)
        let (updates, launched) = try launch([Self.task("t1", user: "daemon"), Self.task("t2", user: "nobody")], acls: deny)
        #expect(launched == ["t2"])
        #expect(updates.first { $0.taskID == TaskID("t1") }?.message?.contains("user 'daemon'") == true)
    }
}
