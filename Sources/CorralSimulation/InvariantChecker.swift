import CorralRaft

/// The safety checkers. The simulator feeds it what each node does as it happens; every
/// check is incremental, so it can run after every step.
///
/// It holds global records that the first observer sets and every later observer must
/// agree with: the leader of each term, each (index, term)'s payload and predecessor term,
/// the term committed at each index, and the entry and hash chain applied at each index.
public struct InvariantChecker: Sendable {
    private struct LogKey: Hashable {
        var index: UInt64
        var term: UInt64
    }

    private struct LogRecord {
        var payloadHash: UInt64
        var previousTerm: UInt64?
    }

    struct Ack {
        var command: UInt64
        var index: UInt64
        var entryHash: UInt64
    }

    public private(set) var violations: [Violation] = []
    private var step: UInt64 = 0
    private var timeMicros: UInt64 = 0

    private var leaders: [UInt64: NodeID] = [:]
    private var logRecords: [LogKey: LogRecord] = [:]
    /// `committedTerms[i]` is the term of the entry committed at index i (index 0 unused).
    var committedTerms: [UInt64?] = [nil]
    /// `commitTerms[i]` is the lowest term in which some node knew index i committed: every
    /// leader of a later term must hold the entry.
    var commitTerms: [UInt64?] = [nil]
    /// `appliedEntries[i]` / `appliedChains[i]`: the entry hash and hash chain applied at i.
    var appliedEntries: [UInt64?] = [nil]
    var appliedChains: [UInt64?] = [0]
    var acks: [Ack] = []
    var pendingReads: [UInt64: UInt64] = [:]
    /// `votes[VoteKey(node, term)]` is the candidate `node` voted for in `term`: granted,
    /// made durable, or counted for itself. It survives the node's restarts.
    var votes: [VoteKey: NodeID] = [:]
    /// The highest durable term and commit index each node has had.
    var durableTerms: [NodeID: UInt64] = [:]
    /// The process incarnation in which each node won each term.
    var electedIncarnations: [VoteKey: UInt64] = [:]
    var durableCommits: [NodeID: UInt64] = [:]

    struct VoteKey: Hashable {
        var node: NodeID
        var term: UInt64
    }

    /// Campaigns started while a healthy leader of an earlier term held a quorum.
    public internal(set) var needlessElections = 0
    var lastNeedlessCampaign: String?

    /// The highest index of an acknowledged write.
    public internal(set) var maxAckedIndex: UInt64 = 0
    /// The highest index any node reported committed.
    public private(set) var maxCommittedIndex: UInt64 = 0
    /// How many commands were acknowledged.
    public var acknowledgedCount: Int { acks.count }

    /// A checker with empty records.
    public init() {}

    /// Sets the step and time stamped on violations found from now on.
    public mutating func advance(step: UInt64, timeMicros: UInt64) {
        self.step = step
        self.timeMicros = timeMicros
    }

    mutating func report(_ rule: Violation.Rule, _ message: String) {
        violations.append(Violation(rule: rule, step: step, timeMicros: timeMicros, message: message))
    }

    // MARK: - Elections

    /// `node` is leader in `term`. At most one node may be.
    public mutating func observeLeader(_ node: NodeID, term: UInt64) {
        if let existing = leaders[term] {
            if existing != node {
                report(.electionSafety, "two leaders in term \(term): n\(existing) and n\(node)")
            }
        } else {
            leaders[term] = node
        }
    }

    /// `node` just became leader of `term`: it must hold the newest entry committed in an
    /// earlier term, in its log (`termAt`) or under its snapshot. (A leader of an old term
    /// can still win late, on delayed votes, after a newer term committed more; that is
    /// allowed.) By log matching, holding that entry means holding every one before it.
    public mutating func observeBecameLeader(_ node: NodeID, term: UInt64, snapshotIndex: UInt64, termAt: (UInt64) -> UInt64?) {
        var candidate = maxCommittedIndex
        while candidate > snapshotIndex {
            if let known = commitTerms[Int(candidate)], known < term { break }
            candidate -= 1
        }
        let index = candidate
        guard index > snapshotIndex, let committed = committedTerms[Int(index)] else { return }
        let held = termAt(index)
        if held != committed {
            report(
                .leaderCompleteness,
                "n\(node) leads term \(term) without committed entry \(index) (term \(committed)); it has term \(held.map(String.init) ?? "none")"
            )
        }
    }

    // MARK: - Logs

    /// `node` put `entry` in its log after an entry of `previousTerm` (nil if unknown).
    public mutating func observeLogEntry(_ node: NodeID, entry: Entry, previousTerm: UInt64?) {
        let key = LogKey(index: entry.index, term: entry.term)
        let hash = SimulatedStateMachine.entryHash(entry)
        guard let record = logRecords[key] else {
            logRecords[key] = LogRecord(payloadHash: hash, previousTerm: previousTerm)
            return
        }
        if record.payloadHash != hash {
            report(.logMatching, "n\(node) holds a different entry at index \(entry.index) term \(entry.term)")
        }
        if let previousTerm, let recorded = record.previousTerm {
            if previousTerm != recorded {
                report(
                    .logMatching,
                    "n\(node) has entry \(entry.index) term \(entry.term) after term \(previousTerm); another log has it after term \(recorded)"
                )
            }
        } else if record.previousTerm == nil {
            logRecords[key]?.previousTerm = previousTerm
        }
    }

    /// `node`, in `term`, moved its commit index from `from` to `to`; `termAt` reads its log.
    public mutating func observeCommit(_ node: NodeID, term nodeTerm: UInt64, from: UInt64, to: UInt64, termAt: (UInt64) -> UInt64?) {
        guard to > from else { return }
        while committedTerms.count <= Int(to) {
            committedTerms.append(nil)
            commitTerms.append(nil)
        }
        for index in (from + 1)...to {
            commitTerms[Int(index)] = min(commitTerms[Int(index)] ?? .max, nodeTerm)
            guard let term = termAt(index) else { continue }
            if let committed = committedTerms[Int(index)] {
                if committed != term {
                    report(.commitSafety, "n\(node) commits term \(term) at index \(index); term \(committed) was committed there")
                }
            } else {
                committedTerms[Int(index)] = term
            }
        }
        maxCommittedIndex = max(maxCommittedIndex, to)
    }
}
