import Synchronization

/// What the masters answered to each operation (by history id), for a failure report.
public final class RegisterNotes: Sendable {
    private let state = Mutex<(evidence: [Int: String], unexpected: [String], finalAnswers: [String: Int])>(([:], [], [:]))

    public init() {}

    /// Keeps the evidence of operation `token` and counts its final answer.
    public func record(_ token: Int, _ result: RegisterClient.Result) {
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
    public var finalAnswers: String {
        state.withLock { $0.finalAnswers }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// The HTTP evidence of each operation, by history id.
    public var evidence: [Int: String] { state.withLock { $0.evidence } }
    /// Answers outside the KV API's contract (for example a 500).
    public var unexpected: [String] { state.withLock { $0.unexpected } }
}
