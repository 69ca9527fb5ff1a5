import CorralChaos
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `replace` step: how it is read and planned, the end-of-run membership check, and one
/// short real run in which a spare replaces the leader while the leader is killed.
@Suite(.serialized, .offCooperativePool) struct MemberReplaceTests {
    static let step = "\n[[faults]]\nkind = \"replace\"\ntarget = \"follower\"\nstart = [1, 2]\nheal_after = [0.5, 1]\n"

    @Test func aReplaceStepIsReadAndNeedsASpare() throws {
        let scenario = try Scenario.parse("duration_seconds = 30" + Self.step + Self.step.replacingOccurrences(of: "follower", with: "leader"), name: "r")
        #expect(scenario.faults.map(\.kind) == [.replace, .replace])
        #expect(scenario.faults.map(\.target) == [.follower, .leader])
        #expect(scenario.spareMasters == 2)
        #expect(scenario.networkNodes == [1, 2, 3, 4, 5])
        // Each repetition leaves the spare's set-up time beyond heal_after.
        #expect(scenario.longestSchedule == 2 * (2 + 1 + Scenario.replaceSetupSeconds))
    }

    static let bad: [(String, String)] = [
        ("duration_seconds = 30" + step.replacingOccurrences(of: "follower", with: "all"), "faults[0].target"),
        ("duration_seconds = 30" + step.replacingOccurrences(of: "follower", with: "majority"), "faults[0].target"),
        ("duration_seconds = 8" + step, "duration_seconds"),
        ("duration_seconds = 40" + step + "\n[[faults]]\nkind = \"lossy\"\ntarget = \"all\"\nstart = 1\nheal_after = 1\nlinks = \"loss=0.1\"\n", "faults[1].kind"),
        ("duration_seconds = 40" + step + "\n[[faults]]\nkind = \"disk-full\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\n", "faults[1].kind"),
        ("duration_seconds = 90" + step + "repeat = 7\n", "faults[0].repeat"),
    ]

    @Test(arguments: 0..<bad.count) func aBadReplaceStepNamesTheField(_ index: Int) {
        let (text, field) = Self.bad[index]
        FaultFieldsTests.expectRefused(text, field: field)
    }

    @Test func thePlanDrawsTheKillDelayAndLeavesRoomForTheSetUp() throws {
        let scenario = try Scenario.parse("duration_seconds = 30" + Self.step + "repeat = 2\ngap = 1\n", name: "r")
        let plans = (1...20).map { FaultSchedule.plan(scenario, seed: UInt64($0)) }
        for plan in plans {
            #expect(plan.count == 2)
            #expect(plan.allSatisfy { $0.picks.count == 2 && (0...Scenario.replaceKillDelayMilliseconds).contains($0.picks[1]) })
            #expect(abs(plan[1].atSeconds - plan[0].atSeconds - (plan[0].healAfterSeconds + Scenario.replaceSetupSeconds + 1)) < 1e-9)
        }
        #expect(Set(plans.map { $0[0].picks[1] }).count > 5, "the delay should vary with the seed")
        #expect(FaultSchedule.plan(scenario, seed: 3) == plans[2])
    }

    @Test func aRandomPickOfARemovedMasterStandsForItsSuccessor() {
        let fault = PlannedFault(step: 0, repetition: 0, kind: .kill, target: .random, atSeconds: 1, healAfterSeconds: 1, picks: [2])
        #expect(fault.targets(leader: 1, members: [1, 2, 3]) == [2])
        #expect(fault.targets(leader: 1, members: [1, 3, 4]) == [3])
    }

    @Test func theMembershipCheckWantsExactlyTheExpectedVoters() {
        let good = MembershipCheck.View(voters: [1, 3, 4], learners: [])
        #expect(MembershipCheck.violations(expected: [1, 3, 4], removed: [2], views: [1: good, 3: good, 4: good]).isEmpty)
        let stale = MembershipCheck.View(voters: [1, 2, 3, 4], learners: [])
        let found = MembershipCheck.violations(expected: [1, 3, 4], removed: [2], views: [1: good, 3: stale, 4: good])
        #expect(found.count == 2 && found.allSatisfy { $0.contains("m3") }, "\(found)")
        #expect(found.contains { $0.contains("removed m2") })
        let learner = MembershipCheck.View(voters: [1, 3], learners: [4])
        #expect(MembershipCheck.violations(expected: [1, 3, 4], removed: [2], views: [1: good, 3: good, 4: learner]).count == 1)
        let none: MembershipCheck.View? = nil
        let silent = MembershipCheck.violations(expected: [1, 3, 4], removed: [2], views: [1: good, 3: good, 4: none])
        #expect(silent.count == 1 && silent[0].contains("m4 did not answer"), "\(silent)")
    }

    static let replaceLeader = Scenario(
        name: "test-replace-leader", masters: 3, network: .auto, durationSeconds: 14, workload: .init(clients: 4),
        faults: [.init(kind: .replace, target: .leader, start: .init(1, 1.5), healAfter: .init(0.5, 1))])

    /// A spare (m4) joins, is promoted, and the leader is removed and killed at once: the run
    /// passes every checker, the report has each step, and nothing is left.
    @Test func aReplaceLeaderRunPassesAndLeavesNothing() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let (summary, report) = try ChaosRunTests.run(Self.replaceLeader, seed: 5, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.failoverSeconds.count == 1 && summary.failoverSeconds.allSatisfy { $0 != nil })
        let faults = try ChaosRunTests.jsonLines("\(report)/faults.jsonl").filter { $0["type"] as? String == "fault" }
        #expect(faults.compactMap { $0["action"] as? String } == ["add-learner", "promote", "remove", "kill"], "\(faults)")
        let removed = faults.first { $0["action"] as? String == "remove" }?["member"] as? Int
        let killed = faults.first { $0["action"] as? String == "kill" }?["member"] as? Int
        #expect(removed != nil && removed == killed, "the leader is the member removed")
        // The spare answered as a voter, and the removed leader never led again.
        let views = try ChaosRunTests.jsonLines("\(report)/leaders.jsonl")
        #expect(views.contains { $0["master"] as? Int == 4 && ["follower", "leader"].contains($0["role"] as? String ?? "") })
        let time = faults.first { $0["action"] as? String == "kill" }?["time"] as? Double ?? 0
        // (A poll already on its way at the kill may still land just after it.)
        #expect(!views.contains { $0["master"] as? Int == removed && ($0["time"] as? Double ?? 0) > time + 0.5 })
        #expect(FileManager.default.fileExists(atPath: "\(report)/master-4.log"))
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters left running after the run")
        if summary.network.hasPrefix("network namespaces") {
            let set = summary.network.split(separator: " ").first { $0.hasPrefix(NamespaceNetwork.prefix) }.map { String($0.dropLast(2)) }
            if let set { #expect(try NamespaceNetworkTests.leftovers(set).isEmpty, "namespaces left after the run") }
        }
    }

    static let replaceFollower = Scenario(
        name: "test-replace-follower", masters: 3, network: .loopback, durationSeconds: 14, workload: .init(clients: 4),
        faults: [.init(kind: .replace, target: .follower, start: .init(1, 1.5), healAfter: .init(0.5, 1))])

    /// On the loopback fallback (m4 on 127.0.0.14): a follower is replaced while the leader is
    /// killed; the follower is stopped once removed, the killed leader restarts and is a voter.
    @Test func aReplaceFollowerRunOnLoopbackPasses() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let (summary, report) = try ChaosRunTests.run(Self.replaceFollower, seed: 8, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.network.hasPrefix("loopback fallback"), "\(summary.network)")
        let faults = try ChaosRunTests.jsonLines("\(report)/faults.jsonl").filter { $0["type"] as? String == "fault" }
        #expect(Set(faults.compactMap { $0["action"] as? String }) == ["add-learner", "promote", "remove", "stop", "kill"], "\(faults)")
        let removed = faults.first { $0["action"] as? String == "remove" }?["member"] as? Int
        let stopped = faults.first { $0["action"] as? String == "stop" }?["member"] as? Int
        let killed = faults.first { $0["action"] as? String == "kill" }
        #expect(removed != nil && removed == stopped && removed != killed?["member"] as? Int)
        #expect(killed?["outcome"] as? String == "restarted")
        // The restarted leader answered again afterwards, as a member.
        let views = try ChaosRunTests.jsonLines("\(report)/leaders.jsonl")
        let time = killed?["time"] as? Double ?? 0
        #expect(views.contains { $0["master"] as? Int == killed?["member"] as? Int && ($0["time"] as? Double ?? 0) > time + 0.5 })
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters left running after the run")
    }
}
