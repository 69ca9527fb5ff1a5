import CorralChaos
import Foundation
import Testing

/// Scenario files: every shipped one parses and fits its duration; each kind of bad file is
/// refused with an error that names the field.
@Suite struct ScenarioParsingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Chaos/Scenarios").path

    static let shipped = [
        "leader-kill-under-load", "paused-leader", "kill-quorum-and-restart", "rolling-restart", "five-node-mix", "isolate-leader",
        "asymmetric-partition", "flapping-partitions", "bridge-node",
        "disk-full-leader", "slow-fsync-follower", "lossy-links", "agent-kill-restart", "scheduler-failover",
        "clock-jumps", "member-replace", "member-replace-five", "agent-init-kill", "agent-partition", "agent-disk-full",
        "agent-desync",
    ]

    @Test func everyShippedFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".toml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.shipped))
    }

    @Test(arguments: shipped) func shippedScenarioParses(_ name: String) throws {
        let scenario = try Scenario.load(path: "\(Self.folder)/\(name).toml")
        #expect(scenario.name == name)
        #expect(!scenario.faults.isEmpty)
        #expect(scenario.longestSchedule + 1 <= scenario.durationSeconds)
    }

    @Test func everyFieldIsRead() throws {
        let scenario = try Scenario.parse(
            """
            description = "d"
            masters = 5
            duration_seconds = 20.5
            [workload]
            kind = "register"
            clients = 3
            keys = ["a", "b"]
            request_timeout_seconds = 4
            [checks]
            failover_target_seconds = 0.5
            failover_limit_seconds = 8
            convergence_seconds = 12
            [[faults]]
            kind = "pause"
            target = "follower"
            start = [1, 2.5]
            heal_after = 1.5
            repeat = 2
            gap = [1, 2]
            """, name: "full")
        #expect(scenario.masters == 5 && scenario.durationSeconds == 20.5 && scenario.description == "d")
        #expect(scenario.workload == Scenario.Workload(clients: 3, keys: ["a", "b"], requestTimeoutSeconds: 4))
        #expect(scenario.bounds == Scenario.Bounds(failoverTargetSeconds: 0.5, failoverLimitSeconds: 8, convergenceSeconds: 12))
        #expect(scenario.faults == [Scenario.FaultStep(
            kind: .pause, target: .follower, start: .init(1, 2.5), healAfter: .init(1.5, 1.5), repeats: 2, gap: .init(1, 2))])
    }

    @Test func networkAndToggleAreRead() throws {
        let scenario = try Scenario.parse(
            """
            network = "namespaces"
            duration_seconds = 10
            [[faults]]
            kind = "flap"
            target = "random"
            start = 1
            heal_after = 4
            toggle = [0.3, 0.6]
            """, name: "flap")
        #expect(scenario.network == .namespaces && scenario.hasPartitions)
        #expect(scenario.faults.first?.toggle == .init(0.3, 0.6) && scenario.faults.first?.kind == .flap)
        #expect(try Scenario.parse("duration_seconds = 10" + Self.fault, name: "plain").network == .auto)
    }

    static let fault = "\n[[faults]]\nkind = \"kill\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\n"

    /// A bad file and the field its error must name.
    static let bad: [(text: String, field: String)] = [
        ("masters = 3\nduration_seconds = [", "file"),
        ("masters = 3" + fault, "duration_seconds"),
        ("masters = 4\nduration_seconds = 10" + fault, "masters"),
        ("masters = \"three\"\nduration_seconds = 10" + fault, "masters"),
        ("duration_seconds = 10\nnemesis = 1" + fault, "nemesis"),
        ("duration_seconds = 10", "faults"),
        ("duration_seconds = 2" + fault, "duration_seconds"),
        ("duration_seconds = 10\n[workload]\nkind = \"bank\"" + fault, "workload.kind"),
        ("duration_seconds = 10\n[workload]\nclients = 0" + fault, "workload.clients"),
        ("duration_seconds = 10\n[workload]\nkeys = [1]" + fault, "workload.keys[0]"),
        ("duration_seconds = 10\n[checks]\nconvergence_seconds = -1" + fault, "checks.convergence_seconds"),
        ("duration_seconds = 10" + fault.replacingOccurrences(of: "\"kill\"", with: "\"explode\""), "faults[0].kind"),
        ("duration_seconds = 10" + fault.replacingOccurrences(of: "\"leader\"", with: "\"agent\""), "faults[0].target"),
        ("duration_seconds = 10" + fault.replacingOccurrences(of: "start = 1", with: "start = [3, 1]"), "faults[0].start"),
        ("duration_seconds = 10" + fault.replacingOccurrences(of: "heal_after = 1\n", with: ""), "faults[0].heal_after"),
        ("duration_seconds = 10" + fault + "repeat = 0\n", "faults[0].repeat"),
        ("network = \"bogus\"\nduration_seconds = 10" + fault, "network"),
        ("network = \"loopback\"\nduration_seconds = 10" + fault.replacingOccurrences(of: "\"kill\"", with: "\"isolate\""), "faults[0].kind"),
        ("duration_seconds = 10" + fault.replacingOccurrences(of: "\"kill\"\ntarget = \"leader\"", with: "\"split\"\ntarget = \"all\""), "faults[0].target"),
        ("duration_seconds = 10" + fault.replacingOccurrences(of: "\"kill\"", with: "\"flap\""), "faults[0].target"),
        ("duration_seconds = 10" + fault + "toggle = 1\n", "faults[0].toggle"),
    ]

    @Test(arguments: 0..<bad.count) func badFileNamesTheField(_ index: Int) {
        let (text, field) = Self.bad[index]
        FaultFieldsTests.expectRefused(text, field: field)
    }

    @Test func missingFileSaysSo() {
        #expect(throws: ScenarioError.self) { _ = try Scenario.load(path: "/nonexistent/chaos.toml") }
    }
}
