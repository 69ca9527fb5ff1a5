import CorralSecurity
import Testing

/// The ACL engine: first matching rule decides, NONE denies, `permissive` for the rest.
struct ACLsTests {
    static let file = #"""
        {"permissive": false,
         "register_frameworks": [
           {"principals": {"values": ["fw"]}, "roles": {"values": ["web", "batch"]}},
           {"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}},
           {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}],
         "run_tasks": [{"principals": {"values": ["ops"]}, "users": {"values": ["root"]}},
                       {"principals": {"type": "ANY"}, "users": {"values": ["nobody"]}}],
         "update_membership": [{"principals": {"values": ["ops"]}}]}
        """#

    @Test func firstMatchingRuleDecides() throws {
        let acls = try ACLs.parse(Self.file)
        #expect(acls.allows(.registerFrameworks, principal: "fw", object: "web"))
        #expect(!acls.allows(.registerFrameworks, principal: "fw", object: "prod"))
        #expect(acls.allows(.registerFrameworks, principal: "ops", object: "prod"))
        #expect(!acls.allows(.registerFrameworks, principal: "eve", object: "web"))
        #expect(acls.allows(.runTasks, principal: "ops", object: "root"))
        #expect(!acls.allows(.runTasks, principal: "fw", object: "root"))
        #expect(acls.allows(.runTasks, principal: "fw", object: "nobody"))
        #expect(!acls.allows(.runTasks, principal: nil, object: "root"))
        #expect(acls.allows(.updateMembership, principal: "ops"))
        #expect(!acls.allows(.updateMembership, principal: "fw"))
        // No rules for the action: permissive decides.
        #expect(!acls.allows(.updateWeights, principal: "ops", object: "web"))
        #expect(try ACLs.parse(#"{"update_membership": []}"#).allows(.updateWeights, principal: nil, object: "web"))
    }

    @Test(arguments: [
        (#"[]"#, "not a JSON object"), (#"{"permissive": "no"}"#, "permissive must be true or false"),
        (#"{"launch_everything": []}"#, "unknown action 'launch_everything'"),
        (#"{"run_tasks": [{"principals": {"type": "ANY"}, "roles": {"type": "ANY"}}]}"#, "unknown field 'roles'; a run_tasks rule has principals and users"),
        (#"{"run_tasks": [{"principals": {"type": "SOME"}}]}"#, "run_tasks[0].principals must be"),
        (#"{"run_tasks": {"principals": {"type": "ANY"}}}"#, "run_tasks must be a list of rules"),
    ])
    func badFilesNameWhatIsWrong(text: String, expected: String) {
        let error = #expect(throws: AuthError.self) { _ = try ACLs.parse(text) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }
}
