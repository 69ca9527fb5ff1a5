import CorralModel
import CorralScheduler
import CorralSecurity
import CorralTestSupport
import Foundation
import Synchronization
import Testing

/// The clients against a master with `--credentials`: the scheduler SDK subscribes with
/// Basic credentials (naming their principal), the CLI reads with `--principal` and
/// `--secret-file` or `CORRAL_TOKEN`, and says what is wrong without them.
@Suite(.serialized, .offCooperativePool)
struct AuthClientsTests {
    @Test func theSchedulerSDKSubscribesWithCredentials() async throws {
        let master = try AuthMaster()
        defer { master.stop() }
        var configuration = SchedulerConfiguration(
            masters: [master.endpoint], framework: FrameworkInfo(user: "nobody", name: "sdk-auth"),
            reconnectBackoff: (initial: .milliseconds(100), max: .seconds(1)), requestTimeout: .seconds(5))
        configuration.credentials = .basic(principal: "fw", secret: "fw-secret")
        let client = try SchedulerClient(configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run { _ in } }
            defer { group.cancelAll() }
            try await eventually("the framework is registered", seconds: 30) { try master.state().frameworks == 1 }
            // Read it while the framework is connected: stopping the client may remove it.
            let frameworks = try master.call(["type": "GET_FRAMEWORKS"], as: AuthMaster.ops).json["get_frameworks"] as? [String: Any]
            let info = ((frameworks?["frameworks"] as? [[String: Any]])?.first?["framework_info"]) as? [String: Any]
            #expect(info?["principal"] as? String == "fw")
            await client.stop()
        }
    }

    @Test func theSchedulerSDKStopsWhenItsCredentialsAreRefused() async throws {
        let master = try AuthMaster()
        defer { master.stop() }
        var configuration = SchedulerConfiguration(
            masters: [master.endpoint], framework: FrameworkInfo(user: "nobody", name: "sdk-refused"),
            reconnectBackoff: (initial: .milliseconds(100), max: .seconds(1)), requestTimeout: .seconds(5))
        configuration.credentials = .basic(principal: "fw", secret: "not-the-secret")
        let client = try SchedulerClient(configuration)
        let refusals = Mutex<[String]>([])
        // run() returns by itself: a refusal is not retried.
        await client.run(handling: { event in
            if case .refused(let reason) = event { refusals.withLock { $0.append(reason) } }
        })
        let seen = refusals.withLock { $0 }
        #expect(seen.count == 1 && seen[0].contains("401"), "\(seen)")
        #expect(try master.state().frameworks == 0)
    }

    @Test func theCLIAuthenticatesWithASecretFileOrAToken() throws {
        let master = try AuthMaster()
        defer { master.stop() }
        let secret = master.quorum.root + "/ops-secret"
        try "ops-secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let refused = try CombinedOutput.corral(["agents", "--masters", master.endpoint])
        #expect(refused.status != 0 && refused.output.contains("401"), "\(refused.output)")
        let basic = try CombinedOutput.corral(["agents", "--masters", master.endpoint, "--principal", "ops", "--secret-file", secret])
        #expect(basic.status == 0, "\(basic.output)")
        let token = TestTokens.hs256(["sub": "ops", "exp": Int(Date().timeIntervalSince1970) + 600], secret: AuthMaster.hmacSecret)
        let bearer = try CombinedOutput.corral(["frameworks", "--masters", master.endpoint], environment: ["CORRAL_TOKEN": token])
        #expect(bearer.status == 0, "\(bearer.output)")
        let half = try CombinedOutput.corral(["agents", "--masters", master.endpoint, "--principal", "ops"])
        #expect(half.status != 0 && half.output.contains("--secret-file"), "\(half.output)")
    }

    @Test func aMasterWithAnUnusableAuthFileRefusesToStartAndSaysWhich() throws {
        let scratch = try ScratchDirectory(prefix: "corral-auth-start")
        defer { scratch.remove() }
        let base = ["master", "--node-id", "1", "--data-dir", scratch.path + "/data", "--peer=1=127.0.0.1:1,127.0.0.1:2"]
        let missing = try CombinedOutput.corral(base + ["--credentials", scratch.path + "/none.json"])
        #expect(missing.status != 0 && missing.output.contains("credentials file '\(scratch.path)/none.json' does not exist"), "\(missing.output)")
        try #"{"permissive": false, "run_task": []}"#.write(toFile: scratch.path + "/acls.json", atomically: true, encoding: .utf8)
        let acls = try CombinedOutput.corral(base + ["--acls", scratch.path + "/acls.json"])
        #expect(acls.status != 0 && acls.output.contains("unknown action 'run_task'"), "\(acls.output)")
    }
}
