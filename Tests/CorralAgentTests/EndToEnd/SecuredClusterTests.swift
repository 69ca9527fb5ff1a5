import CorralScheduler
import CorralSecurity
import CorralTestSupport
import Foundation
import Testing

/// A cluster on HTTPS end to end, with real processes: three masters started with their
/// `--tls-*` files, an agent on HTTPS, and the CLI trusting the cluster's CA with `--ca-cert`.
@Suite(.serialized, .offCooperativePool) struct SecuredClusterTests {
    @Test func aTaskRunsOnAnHTTPSClusterAndClientsWithoutTheCAAreRefused() async throws {
        try await offCooperativePool {
            let cluster = try SecuredCluster(masters: 3, agents: ["agent-a"])
            defer { cluster.stopAll() }
            try await cluster.startAll()
            let masters = cluster.mastersURL
            // corral events follows the leader over HTTPS, and sees the agent join.
            let events = try cluster.background(["events", "--masters", masters, "--ca-cert", cluster.caFile, "--json"], name: "events")
            func eventsLog() -> String { (try? String(contentsOfFile: events, encoding: .utf8)) ?? "" }
            try await cluster.waitUntil("corral events subscribed over HTTPS", seconds: 20) { eventsLog().contains("\"subscribed\"") }
            try cluster.startAgent("agent-a")
            try await cluster.waitUntil("corral events seeing the agent join", seconds: 20) { eventsLog().contains("\"agent_joined\"") }
            try await cluster.waitUntil("the agent listed by corral agents over HTTPS", seconds: 40) {
                let agents = try cluster.run(["agents", "--masters", masters, "--ca-cert", cluster.caFile, "--json"])
                return agents.lines.joined().contains("agent-a")
            }

            // The CLI's task: the framework (scheduler SDK), the leader's API, the agent's sandbox, all on HTTPS.
            let hi = try cluster.run(["run", "--timeout", "60", "--masters", masters, "--ca-cert", cluster.caFile, "--", "echo", "hi"])
            #expect(hi.status == 0 && !hi.signaled, "\(hi.summary)\n\(cluster.logs())")
            #expect(hi.lines == ["hi"], "\(hi.summary)")
            #expect(hi.stderr.contains("TASK_FINISHED"), "\(hi.summary)")
            // Without a scheme, --ca-cert alone means HTTPS.
            let bare = masters.replacingOccurrences(of: "https://", with: "")
            let ps = try cluster.run(["ps", "-a", "--masters", bare, "--ca-cert", cluster.caFile])
            #expect(ps.status == 0 && ps.lines.contains { $0.contains("FINISHED") && $0.contains("echo hi") }, "\(ps.summary)")

            // Plain HTTP to the HTTPS port: refused, saying to use https://.
            let plain = try cluster.run(["ps", "--masters", masters.replacingOccurrences(of: "https://", with: "http://")])
            #expect(plain.status != 0 && plain.stderr.contains("https://"), "\(plain.summary)")
            #expect(!plain.stderr.contains("corral up"), "not told to start a cluster: \(plain.summary)")
            // A client that does not trust the cluster's CA: refused, naming --ca-cert.
            try cluster.corral("certs", "init", "--dir", "\(cluster.root)/other")
            let stranger = try cluster.run(["ps", "--masters", masters, "--ca-cert", "\(cluster.root)/other/ca.pem"])
            #expect(stranger.status != 0 && stranger.stderr.contains("not trusted") && stranger.stderr.contains("--ca-cert"), "\(stranger.summary)")
            let systemRoots = try cluster.run(["ps", "--masters", masters])
            #expect(systemRoots.status != 0 && systemRoots.stderr.contains("--ca-cert"), "\(systemRoots.summary)")

            // A follower redirects to the leader with an https:// Location.
            var location = ""
            try await cluster.waitUntil("a follower naming the leader", seconds: 20) {
                for port in cluster.ports.values.map(\.http) {
                    let answer = try? await cluster.get("/master/redirect", port: port)
                    if answer?.status.code == 307, let named = answer?.headers.first(name: "Location") { location = named }
                }
                return !location.isEmpty
            }
            #expect(location.hasPrefix("https://127.0.0.1:"), "\(location)")
            // The dashboard's calls from a follower to the other masters go over HTTPS too.
            let follower = try #require(cluster.ports.values.map(\.http).first { !location.contains(":\($0)") })
            let quorum = try await cluster.get("/ui/api/quorum", port: follower)
            #expect(quorum.status.code == 200 && !quorum.bodyText.contains("\"error\""), "\(quorum.bodyText)")
            let health = try await cluster.get("/ui/api/call/GET_HEALTH", port: follower)
            #expect(health.status.code == 200 && health.bodyText.contains("healthy"), "\(health.bodyText)")

            // The agent serves HTTPS only.
            let agentPort = try #require(cluster.agentPort("agent-a"), "\(cluster.logs())")
            #expect(try await cluster.get("/health", port: agentPort).status.code == 200)
            await #expect(throws: SchedulerError.self) {
                _ = try await HTTPStreamClient(connectTimeout: .seconds(1), readTimeout: .seconds(2))
                    .execute(HTTPStreamRequest(path: "/health"), host: "127.0.0.1", port: agentPort)
            }
        }
    }

    @Test func replacedMasterAndAgentCertificatesAreServedToTheNextConnection() async throws {
        try await offCooperativePool {
            let cluster = try SecuredCluster(masters: 1, agents: ["agent-a"])
            defer { cluster.stopAll() }
            try await cluster.startAll()
            try cluster.startAgent("agent-a")
            var agentPort: Int?
            try await cluster.waitUntil("the agent listening", seconds: 20) {
                agentPort = cluster.agentPort("agent-a")
                return agentPort != nil
            }
            // A second CA issues the replacements; a client trusting only it is refused first.
            let next = "\(cluster.root)/next"
            try cluster.corral("certs", "init", "--dir", next)
            let trustingNext = HTTPStreamClient(
                connectTimeout: .seconds(1), readTimeout: .seconds(3), tls: try TLSIdentity(files: TLSFiles(ca: "\(next)/ca.pem")))
            let trustingFirst = HTTPStreamClient(
                connectTimeout: .seconds(1), readTimeout: .seconds(3), tls: try TLSIdentity(files: TLSFiles(ca: cluster.caFile)))
            for (name, port) in [("master-1", cluster.ports[1]!.http), ("agent-a", agentPort!)] {
                let health = HTTPStreamRequest(path: "/health")
                let refused = await #expect(throws: SchedulerError.self) {
                    _ = try await trustingNext.execute(health, host: "127.0.0.1", port: port)
                }
                #expect(refused?.isTLSFailure == true && refused?.message.contains("not trusted") == true, "\(String(describing: refused))")
                #expect(try await cluster.get("/health", port: port).status.code == 200)

                // Replace the files in place (renamed over, as a certificate tool does), no restart.
                try cluster.corral("certs", "issue", "--dir", next, name, "--host", "127.0.0.1")
                let current = TLSFiles.issued(directory: cluster.certs, name: name)
                for (from, to) in [("\(next)/\(name)-key.pem", current.key!), ("\(next)/\(name).pem", current.certificate!)] {
                    try FileManager.default.copyItem(atPath: from, toPath: to + ".new")
                    _ = rename(to + ".new", to)
                }
                #expect(try await trustingNext.execute(health, host: "127.0.0.1", port: port).status.code == 200, "\(name)")
                await #expect(throws: SchedulerError.self, "\(name): the first CA no longer matches the served certificate") {
                    _ = try await trustingFirst.execute(health, host: "127.0.0.1", port: port)
                }
            }
        }
    }

    @Test func aMasterWithoutItsCertificateFileRefusesToStartNamingIt() throws {
        let cluster = try SecuredCluster(masters: 1)
        defer { cluster.stopAll() }
        let ports = cluster.ports[1]!
        let files = TLSFiles.issued(directory: cluster.certs, name: "master-1")
        let outcome = try cluster.run([
            "master", "--node-id", "1", "--cluster-id", cluster.clusterID, "--data-dir", "\(cluster.root)/master-1",
            "--raft-listen", "127.0.0.1:\(ports.raft)", "--http-listen", "127.0.0.1:\(ports.http)",
            "--peer=1=127.0.0.1:\(ports.raft),127.0.0.1:\(ports.http)", "--bootstrap",
            "--tls-cert", "\(cluster.root)/missing.pem", "--tls-key", files.key!, "--tls-ca", files.ca!,
        ])
        #expect(outcome.status != 0 && outcome.stderr.contains("cannot serve TLS") && outcome.stderr.contains("missing.pem"), "\(outcome.summary)")
    }
}
