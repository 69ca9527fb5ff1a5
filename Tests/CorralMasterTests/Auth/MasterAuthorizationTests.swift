import CorralTestSupport
import Foundation
import Testing

/// A real master with `--acls`: a refused call answers 403 naming the action and the
/// principal and changes nothing; the state endpoints show a principal only what it may view.
@Suite(.serialized, .offCooperativePool)
struct MasterAuthorizationTests {
    static let acls = #"""
        {"permissive": false,
         "register_frameworks": [{"principals": {"values": ["fw"]}, "roles": {"values": ["web"]}}],
         "update_weights": [{"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}}],
         "teardown_frameworks": [{"principals": {"values": ["ops"]}, "framework_principals": {"type": "ANY"}}],
         "view_frameworks": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}}],
         "view_tasks": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}}],
         "view_agents": [{"principals": {"type": "ANY"}}],
         "get_endpoints": [{"principals": {"values": ["ops"]}, "paths": {"type": "ANY"}}],
         "update_membership": [{"principals": {"values": ["ops"]}}],
         "register_agents": [{"principals": {"values": ["ops"]}}]}
        """#

    static let agentSubscribe =
        #"{"type": "SUBSCRIBE", "subscribe": {"agent_info": {"hostname": "h", "resources": []}, "tasks": [], "highest_term": 0, "version": 1}}"#

    static func refusal(_ reply: OperatorClient.Reply) -> (action: String, principal: String) {
        (reply.json["action"] as? String ?? "", reply.json["principal"] as? String ?? "")
    }

    @Test func refusedCallsNameTheActionAndPrincipalAndChangeNothing() throws {
        let master = try AuthMaster(acls: Self.acls)
        defer { master.stop() }
        let weights = try master.call(
            ["type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": "web", "weight": 2.0]]]], as: AuthMaster.fw)
        #expect(weights.status == 403 && Self.refusal(weights) == ("update_weights", "fw"), "\(weights.text)")
        #expect(weights.text.contains("principal 'fw' is not authorized to update_weights"), "\(weights.text)")
        let prod = try master.subscribe(principal: "fw", roles: ["prod"], as: AuthMaster.fw)
        #expect(prod.status == 403 && prod.body.contains("register_frameworks") && prod.body.contains("'fw'"), "\(prod)")
        let remove = try master.request("POST", "/quorum/remove", body: Array(#"{"id": 1}"#.utf8), as: AuthMaster.fw)
        #expect(remove.status == 403 && Self.refusal(remove) == ("update_membership", "fw"), "\(remove.text)")
        let metrics = try master.request("GET", "/metrics", as: AuthMaster.fw)
        #expect(metrics.status == 403 && Self.refusal(metrics) == ("get_endpoints", "fw"), "\(metrics.text)")
        let agent = try master.request(
            "POST", "/corral/v1/agent", body: Array(Self.agentSubscribe.utf8),
            as: AuthMaster.fw)
        #expect(agent.status == 403 && Self.refusal(agent) == ("register_agents", "fw"), "\(agent.text)")
        let after = try master.state()
        #expect(after.frameworks == 0 && after.weights == 0 && after.agents == 0, "\(after)")
        #expect(try master.quorum.status(1).members.count == 1)
        // What the ACLs allow goes through.
        let allowed = try master.call(
            ["type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": "web", "weight": 2.0]]]], as: AuthMaster.ops)
        #expect(allowed.status == 202, "\(allowed.text)")
        #expect(try master.state().weights == 1)
    }

    @Test func aRegisteredFrameworkIsVisibleOnlyToWhoMayViewIt() throws {
        let master = try AuthMaster(acls: Self.acls)
        defer { master.stop() }
        #expect(try master.subscribe(principal: "fw", roles: ["web"], as: AuthMaster.fw).status == 200)
        try master.quorum.waitUntil("the framework is registered", seconds: 30) { try master.state().frameworks == 1 }
        let seen = try master.call(["type": "GET_FRAMEWORKS"], as: AuthMaster.fw).json["get_frameworks"] as? [String: Any]
        #expect((seen?["frameworks"] as? [Any])?.count == 0, "fw may not view frameworks: \(seen ?? [:])")
        let v0 = try master.request("GET", "/master/frameworks", as: AuthMaster.fw).json
        #expect((v0["frameworks"] as? [Any])?.count == 0, "\(v0)")
        let state = try master.request("GET", "/master/state", as: AuthMaster.ops).json
        #expect((state["frameworks"] as? [Any])?.count == 1, "\(state.keys)")
        // fw may not tear frameworks down; ops may.
        let id = (((state["frameworks"] as? [[String: Any]])?.first)?["id"] as? String) ?? ""
        let teardown = try master.request("POST", "/master/teardown", body: Array("frameworkId=\(id)".utf8), as: AuthMaster.fw)
        #expect(teardown.status == 403 && Self.refusal(teardown) == ("teardown_frameworks", "fw"), "\(teardown.text)")
        #expect(try master.state().frameworks == 1)
    }
}
