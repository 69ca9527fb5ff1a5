import CorralChaos
import CorralHistory
import CorralMaster
import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One run of the Jepsen-style register test: a real quorum, concurrent clients reading and
/// writing unique values on a few keys, a nemesis that kills or pauses the leader on a
/// seeded schedule, then a linearizability check of the whole history.
struct RegisterTestRun {
    enum Fault: String, Sendable { case kill, pause }

    var masters: Int
    var fault: Fault
    var seed: UInt64
    var seconds: Double
    var clients = 8
    var keys = ["r0", "r1", "r2"]
    /// Longer than a pause (at most 1.6 s) plus the time a deposed leader waits to learn a
    /// proposal's outcome from its log (`outcome_wait`, 3 s by default), so that its late
    /// answer — applied, not applied or unknown — still reaches the client and is checked.
    var requestTimeoutSeconds = 6

    /// What a run found; `problems` is empty when it passed.
    struct Report {
        var summary: String
        var problems: [String]
    }

    func run() throws -> Report {
        let quorum = try QuorumHarness(masters: masters)
        defer { quorum.stopAll() }
        for id in quorum.initial { try quorum.start(id) }
        try quorum.leader()

        let clock = HistoryRecorder.clock(since: .now)
        let recorder = HistoryRecorder(clock: clock)
        let register = RegisterClient(
            client: MasterClient(timeoutSeconds: requestTimeoutSeconds), endpoints: quorum.initial.map { quorum.endpoint($0) },
            names: Dictionary(uniqueKeysWithValues: quorum.initial.map { (quorum.endpoint($0), "m\($0)") }))
        let workload = RegisterWorkload(clients: clients, keys: keys, seed: seed, register: register, recorder: recorder)
        let notes = workload.notes
        let deadline = UInt64(seconds * 1e9)
        let group = workload.start(clock: clock, until: deadline)

        var nemesis = RegisterNemesis(fault: fault, seed: seed, quorum: quorum, clock: clock)
        let nemesisError = Result { try nemesis.run(until: deadline) }
        group.wait()
        try nemesisError.get()
        try quorum.leader()
        do {
            try workload.finalReads()
        } catch {
            throw HarnessError("\(error):\n\(quorum.logs())")
        }

        let history = recorder.history()
        let checkStart = ContinuousClock.now
        let report = LinearizabilityChecker().check(history)
        let checkTime = ContinuousClock.now - checkStart
        let elapsed = Double(clock()) / 1e9
        let summary = """
            register test: \(masters) masters, leader \(fault), seed \(seed), \(String(format: "%.1f", elapsed)) s, \
            \(nemesis.faults) faults, \(history.operations.count) operations \
            (\(String(format: "%.0f", Double(history.operations.count) / elapsed)) ops/s; \(history.summary)), \
            checked \(report.checkedOperations.values.reduce(0, +)) in \(checkTime); answers: \(notes.finalAnswers)
            """
        var problems: [String] = []
        let answers = notes.evidence
        for violation in report.violations {
            let said = violation.operations.map { "    #\($0.id): \(answers[$0.id] ?? "-")" }.joined(separator: "\n")
            problems.append("""
                NOT LINEARIZABLE (replay with CORRAL_REGISTER_SEED=\(seed)):
                \(violation)
                  what the masters answered:
                \(said)
                  nemesis:
                \(nemesis.events.joined(separator: "\n"))
                """)
        }
        for (key, verdict) in report.verdicts {
            if case .unknown(let reason) = verdict { problems.append("seed \(seed): key \(key) undecided: \(reason)") }
        }
        problems += notes.unexpected.map { "seed \(seed): an answer outside the KV contract: \($0)" }
        let counts = history.counts
        if nemesis.faults == 0 { problems.append("seed \(seed): the nemesis injected no fault; the run proves nothing") }
        if (counts[.write]?[.ok] ?? 0) < 20 || (counts[.read]?[.ok] ?? 0) < 20 {
            problems.append("seed \(seed): too few successful operations to mean anything: \(history.summary)\n\(quorum.logs())")
        }
        if !problems.isEmpty { problems.append("masters' logs:\n\(quorum.logs())") }
        return Report(summary: summary, problems: problems)
    }
}
