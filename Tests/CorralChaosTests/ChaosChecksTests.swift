import CorralChaos
import CorralHistory
import Testing

/// The checkers bite: each is fed a recording with one planted fault and must fail the run.
@Suite struct ChaosChecksTests {
    private func op(_ process: Int, _ kind: ClientOperation.Kind, _ value: String?, _ invoke: UInt64, _ complete: UInt64) -> ClientOperation {
        ClientOperation(process: process, kind: kind, key: "r0", value: value, outcome: .ok, invokeNanos: invoke, completeNanos: complete)
    }

    private func view(_ nanos: UInt64, _ master: UInt64, _ role: String, term: UInt64, leader: UInt64) -> LeaderView {
        LeaderView(nanos: nanos, master: master, role: role, term: term, leader: leader, commitIndex: 5, appliedIndex: 5)
    }

    private func summary() -> ChaosSummary {
        ChaosSummary(scenario: "test", seed: 1, masters: 3, network: "none", reportDirectory: "/tmp", failoverTargetSeconds: 1)
    }

    /// A fault that killed leader m1 (term 2) at 1 s and restarted it at 2 s.
    private let killedLeader = FaultRecord(
        planned: PlannedFault(step: 0, repetition: 0, kind: .kill, target: .leader, atSeconds: 1, healAfterSeconds: 1, picks: []),
        targets: [1], leaderBefore: 1, termBefore: 2, injectedNanos: 1_000_000_000, healedNanos: 2_000_000_000, members: 3)

    private let healthy = History([
        ClientOperation(process: 0, kind: .write, key: "r0", value: "a", outcome: .ok, invokeNanos: 0, completeNanos: 10),
        ClientOperation(process: 0, kind: .read, key: "r0", value: "a", outcome: .ok, invokeNanos: 20, completeNanos: 30),
    ])

    /// m2 leads term 3 from 1.3 s: one leader per term, a 300 ms fail-over.
    private var cleanViews: [LeaderView] {
        [view(500_000_000, 1, "leader", term: 2, leader: 1), view(600_000_000, 2, "follower", term: 2, leader: 1),
            view(1_300_000_000, 2, "leader", term: 3, leader: 2), view(1_400_000_000, 3, "follower", term: 3, leader: 2)]
    }

    @Test func aCleanRecordingPasses() {
        var found = summary()
        ChaosChecks.check(history: healthy, records: [killedLeader], views: cleanViews, bounds: .init(), into: &found)
        #expect(found.passed, "\(found.violations)")
        #expect(found.failoverSeconds == [0.3])
        #expect(found.failoverMedianSeconds == 0.3 && found.failoverMaxSeconds == 0.3)
        #expect(found.linearizability == ["r0": "linearizable"])
    }

    @Test func anAcknowledgedWriteThatIsLostFailsTheRun() {
        // "b" was acknowledged after "a", and a later read still sees "a": "b" was lost.
        let lost = History([
            op(0, .write, "a", 0, 10), op(1, .write, "b", 20, 30), op(2, .read, "a", 40, 50),
        ])
        var found = summary()
        ChaosChecks.check(history: lost, records: [killedLeader], views: cleanViews, bounds: .init(), into: &found)
        #expect(!found.passed)
        #expect(found.linearizability["r0"] == "violation")
        #expect(found.violations.contains { $0.hasPrefix("not linearizable") })
    }

    @Test func twoLeadersInOneTermFailTheRun() {
        var views = cleanViews
        views.append(view(1_500_000_000, 3, "leader", term: 3, leader: 3))
        var found = summary()
        ChaosChecks.check(history: healthy, records: [killedLeader], views: views, bounds: .init(), into: &found)
        #expect(found.violations.count == 1)
        #expect(found.violations.first?.hasPrefix("two leaders in one term: term 3 had 2 leaders m2, m3") == true)
    }

    @Test func aFollowerNamingAnotherLeaderInTheTermCounts() {
        let splits = LeadershipCheck.splitTerms(cleanViews + [view(1_450_000_000, 1, "follower", term: 3, leader: 1)])
        #expect(splits.map(\.term) == [3] && splits.first?.leaders == [1, 2])
    }

    @Test func noNewLeaderAfterALeaderFaultIsALivenessFailure() {
        let stale = Array(cleanViews.prefix(2))
        var found = summary()
        ChaosChecks.check(history: healthy, records: [killedLeader], views: stale, bounds: .init(), into: &found)
        #expect(found.failoverSeconds == [nil])
        #expect(found.violations.contains { $0.hasPrefix("liveness: no new leader after fault") })
    }

    @Test func aSlowFailoverIsANoteUnderTheLimitAndAViolationOverIt() {
        var found = summary()
        ChaosChecks.check(
            history: healthy, records: [killedLeader], views: cleanViews,
            bounds: .init(failoverTargetSeconds: 0.1, failoverLimitSeconds: 10), into: &found)
        #expect(found.passed && found.notes.count == 1)
        found = summary()
        ChaosChecks.check(
            history: healthy, records: [killedLeader], views: cleanViews,
            bounds: .init(failoverTargetSeconds: 0.1, failoverLimitSeconds: 0.2), into: &found)
        #expect(found.violations.contains { $0.contains("over the 0.2 s limit") })
    }

    @Test func aFailoverAfterLosingTheMajorityCountsFromTheHeal() {
        var quorum = killedLeader
        quorum.targets = [1, 2]
        let views = [view(2_250_000_000, 1, "leader", term: 3, leader: 1)]
        #expect(LeadershipCheck.failovers([quorum], views: views).map(\.nanos) == [250_000_000])
    }

    /// After an isolation only a leader on the majority side ends the fail-over; the stranded
    /// master's view of itself does not, a bridge measures none, nor does a flap's partition.
    @Test func aPartitionFailoverCountsOnlyTheMajoritySide() {
        let isolate = PlannedFault(step: 0, repetition: 0, kind: .isolate, target: .leader, atSeconds: 1, healAfterSeconds: 2, picks: [])
        let isolated = FaultRecord(
            planned: isolate, targets: [1], leaderBefore: 1, termBefore: 2, injectedNanos: 1_000_000_000, healedNanos: 3_000_000_000,
            members: 3, partition: .isolate(1, from: [1, 2, 3]), stranded: [1])
        let views = [view(1_100_000_000, 1, "leader", term: 4, leader: 1), view(1_450_000_000, 3, "leader", term: 3, leader: 3)]
        #expect(LeadershipCheck.failovers([isolated], views: views).map(\.nanos) == [450_000_000])
        var bridged = isolated
        bridged.cutOff = []
        bridged.partition = .bridge(left: [2], right: [3])
        #expect(LeadershipCheck.failovers([bridged], views: views).isEmpty)
        var flapped = isolated
        flapped.leaderBefore = 0
        #expect(LeadershipCheck.failovers([flapped], views: views).isEmpty)
    }

    @Test func aCheckerThatGivesUpFailsTheRun() {
        // Concurrent writes and reads the search cannot finish in 3 steps.
        let busy = History((0..<12).map { index in
            op(index, index % 2 == 0 ? .write : .read, "v\(index / 2 * 2)", UInt64(index), 1_000)
        })
        var found = summary()
        ChaosChecks.check(
            history: busy, records: [], views: [], bounds: .init(), into: &found, checker: LinearizabilityChecker(maxSteps: 3))
        #expect(found.linearizability["r0"]?.hasPrefix("unknown") == true, "\(found.linearizability)")
        #expect(found.violations.contains { $0.contains("undecided (the checker gave up, this is not a pass)") })
    }
}
