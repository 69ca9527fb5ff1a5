import Synchronization

/// Records operations from many client threads at once, stamping each invocation and
/// completion from one monotonic clock.
///
/// A client calls `invoke` just before it sends a request and `complete` as soon as it knows
/// the outcome; an operation still open when `history()` is taken counts as indeterminate.
public final class HistoryRecorder: Sendable {
    private struct State {
        var operations: [ClientOperation] = []
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> UInt64

    /// `clock` returns nanoseconds and never goes back; by default the time since this
    /// recorder was made, on `ContinuousClock`.
    public init(clock: (@Sendable () -> UInt64)? = nil) {
        self.clock = clock ?? Self.clock(since: .now)
    }

    /// Nanoseconds since `start` on `ContinuousClock`: a clock for a recorder, and for
    /// anything that must stamp events on the same time line (a nemesis, say).
    public static func clock(since start: ContinuousClock.Instant) -> @Sendable () -> UInt64 {
        {
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        }
    }

    /// Opens an operation; returns the token to complete it with, which is also the
    /// operation's id in `history()` (invocations are stamped in order under one lock, and
    /// the clock never goes back). `value` is a write's value (ignored for a read).
    public func invoke(process: Int, _ kind: ClientOperation.Kind, key: String, value: String? = nil) -> Int {
        state.withLock { state in
            let token = state.operations.count
            state.operations.append(ClientOperation(
                id: token, process: process, kind: kind, key: key, value: kind == .write ? value : nil,
                outcome: .info, invokeNanos: clock(), completeNanos: nil))
            return token
        }
    }

    /// Closes an operation. For a read that succeeded, `value` is what it returned (`nil`:
    /// absent). An `.info` outcome leaves the operation open-ended: it may take effect later.
    public func complete(_ token: Int, _ outcome: ClientOperation.Outcome, readValue value: String? = nil) {
        state.withLock { state in
            guard state.operations.indices.contains(token) else { return }
            state.operations[token].outcome = outcome
            if outcome != .info { state.operations[token].completeNanos = clock() }
            if state.operations[token].kind == .read { state.operations[token].value = outcome == .ok ? value : nil }
        }
    }

    /// Every operation recorded so far.
    public func history() -> History {
        History(state.withLock { $0.operations })
    }
}
