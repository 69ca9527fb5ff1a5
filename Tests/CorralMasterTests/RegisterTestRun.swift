import CorralHistory
import CorralMaster
import CorralTestSupport
import Foundation
import Synchronization

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
        let notes = RegisterNotes()
        let register = RegisterClient(
            client: MasterClient(timeoutSeconds: requestTimeoutSeconds), endpoints: quorum.initial.map { quorum.endpoint($0) },
            names: Dictionary(uniqueKeysWithValues: quorum.initial.map { (quorum.endpoint($0), "m\($0)") }))
        let deadline = UInt64(seconds * 1e9)
        let group = DispatchGroup()
        for index in 0..<clients {
            group.enter()
            let thread = Thread { [keys, clients, seed] in
                defer { group.leave() }
                var rng = SplitMix64(seed: seed &+ 0x9E37_79B9 &* UInt64(index + 1))
                var process = index
                var written = 0
                while clock() < deadline {
                    let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                    let isWrite = Bool.random(using: &rng)
                    written += isWrite ? 1 : 0
                    let value = isWrite ? "c\(index)-\(written)" : nil
                    let first = Int.random(in: 0..<register.endpoints.count, using: &rng)
                    let token = recorder.invoke(process: process, isWrite ? .write : .read, key: key, value: value)
                    let result = register.perform(isWrite ? .write : .read, key: key, value: value, first: first)
                    recorder.complete(token, result.outcome, readValue: result.value)
                    notes.record(token, result)
                    if result.outcome == .info { process += clients }  // its operation stays open
                    if result.outcome != .ok { usleep(50_000) }
                }
            }
            thread.name = "register-client-\(index)"
            thread.start()
        }

        var nemesis = RegisterNemesis(fault: fault, seed: seed, quorum: quorum, clock: clock)
        let nemesisError = Result { try nemesis.run(until: deadline) }
        group.wait()
        try nemesisError.get()
        try finalReads(quorum: quorum, register: register, recorder: recorder, notes: notes)

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

    /// After the faults: one successful read of every key from the healed quorum, so that a
    /// write acknowledged and then lost shows up in the history.
    private func finalReads(
        quorum: QuorumHarness, register: RegisterClient, recorder: HistoryRecorder, notes: RegisterNotes
    ) throws {
        try quorum.leader()
        for key in keys {
            var done = false
            for attempt in 0..<40 where !done {
                let token = recorder.invoke(process: 1_000 + attempt, .read, key: key)
                let result = register.perform(.read, key: key, value: nil, first: attempt)
                recorder.complete(token, result.outcome, readValue: result.value)
                notes.record(token, result)
                done = result.outcome == .ok
                if !done { usleep(100_000) }
            }
            if !done { throw HarnessError("no final read of \(key) succeeded after the faults:\n\(quorum.logs())") }
        }
    }
}

/// What the masters answered to each operation (by history id), for a failure report.
final class RegisterNotes: Sendable {
    private let state = Mutex<(evidence: [Int: String], unexpected: [String], finalAnswers: [String: Int])>(([:], [], [:]))

    func record(_ token: Int, _ result: RegisterClient.Result) {
        // "m2: 307 -> m1: 503 {...}" ends with "503"; "m1: refused (...)" with "refused".
        let last = result.evidence.components(separatedBy: " -> ").last ?? ""
        let answer = last.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
        state.withLock { state in
            state.evidence[token] = result.evidence
            state.finalAnswers[answer, default: 0] += 1
            if result.unexpected { state.unexpected.append(result.evidence) }
        }
    }

    /// How often each final answer came back: `200 812, 204 790, 503 4, refused 310, ...`.
    var finalAnswers: String {
        state.withLock { $0.finalAnswers }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    var evidence: [Int: String] { state.withLock { $0.evidence } }
    var unexpected: [String] { state.withLock { $0.unexpected } }
}
