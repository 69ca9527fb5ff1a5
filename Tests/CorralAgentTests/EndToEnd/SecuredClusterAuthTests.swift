import CorralTestSupport
import Foundation
import Testing

/// The whole cluster with TLS, authentication and ACLs on at once (what
/// `Configs/three-node-tls/` sets up): the agent registers with its credentials, the CLI runs a
/// task with its principal, and callers without credentials or without the ACL are refused.
@Suite(.enabled(if: geteuid() == 0, "agents run containers as root"))
struct SecuredClusterAuthTests {
    static let acls = #"""
        {"permissive": false,
         "register_frameworks": [{"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}}],
         "run_tasks": [{"principals": {"values": ["ops"]}, "users": {"values": ["root"]}}],
         "register_agents": [{"principals": {"values": ["agent"]}}],
         "teardown_frameworks": [{"principals": {"values": ["ops"]}, "framework_principals": {"type": "ANY"}}],
         "view_frameworks": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}}],
         "view_tasks": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}}],
         "view_agents": [{"principals": {"values": ["ops"]}}],
         "get_endpoints": [{"principals": {"values": ["ops"]}, "paths": {"type": "ANY"}}],
         "access_sandboxes": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}}]}
        """#

    @Test func aTaskRunsWithTLSAuthenticationAndACLsAndStrangersAreRefused() async throws {
        try await offCooperativePool {
            let cluster = try SecuredCluster(masters: 3, agents: ["agent-a"])
            defer { cluster.stopAll() }
            let credentials = "\(cluster.root)/credentials"
            try "ops ops-secret\nagent agent-secret\neve eve-secret\n".write(toFile: credentials, atomically: true, encoding: .utf8)
            let acls = "\(cluster.root)/acls.json"
            try Self.acls.write(toFile: acls, atomically: true, encoding: .utf8)
            var secrets: [String: String] = [:]
            for (principal, secret) in ["ops": "ops-secret", "agent": "agent-secret", "eve": "eve-secret"] {
                secrets[principal] = "\(cluster.root)/\(principal).secret"
                try "\(secret)\n".write(toFile: secrets[principal]!, atomically: true, encoding: .utf8)
            }
            try await cluster.startAll(extraArguments: ["--credentials", credentials, "--acls", acls])
            try cluster.startAgent(
                "agent-a",
                extraArguments: ["--principal", "agent", "--secret-file", secrets["agent"]!, "--credentials", credentials, "--acls", acls])
            let masters = cluster.mastersURL
            let ops = ["--masters", masters, "--ca-cert", cluster.caFile, "--principal", "ops", "--secret-file", secrets["ops"]!]
            var listed = ""
            do {
                try await cluster.waitUntil("the agent registered with its credentials", seconds: 40) {
                    let agents = try cluster.run(["agents", "--json"] + ops)
                    listed = agents.summary
                    return agents.lines.joined().contains("agent-a")
                }
            } catch {
                Issue.record("corral agents: \(listed)")
                throw error
            }

            // The CLI's task: framework, launch, output from the agent's sandbox, as ops.
            let hi = try cluster.run(["run", "--timeout", "60"] + ops + ["--", "echo", "hi"])
            #expect(hi.status == 0 && !hi.signaled && hi.lines == ["hi"], "\(hi.summary)\n\(cluster.logs())")
            let ps = try cluster.run(["ps", "-a"] + ops)
            #expect(ps.status == 0 && ps.lines.contains { $0.contains("FINISHED") && $0.contains("echo hi") }, "\(ps.summary)")

            // Without credentials: 401, and nothing runs.
            let anonymous = try cluster.run(["run", "--timeout", "20", "--masters", masters, "--ca-cert", cluster.caFile, "--", "echo", "x"])
            #expect(anonymous.status != 0 && anonymous.stderr.contains("401"), "\(anonymous.summary)")
            // Authenticated but without the ACL: 403 naming the action and the principal.
            let eve = ["--masters", masters, "--ca-cert", cluster.caFile, "--principal", "eve", "--secret-file", secrets["eve"]!]
            let refused = try cluster.run(["run", "--timeout", "20"] + eve + ["--", "echo", "x"])
            #expect(refused.status != 0 && refused.stderr.contains("register_frameworks") && refused.stderr.contains("eve"), "\(refused.summary)")
            // Nothing of theirs reached the cluster: one task, ops's.
            let all = try cluster.run(["ps", "-a"] + ops)
            #expect(all.lines.filter { $0.contains("echo") }.count == 1, "\(all.summary)")
        }
    }
}
