import Logging
import Synchronization

/// Decides which failed TLS handshakes are logged: the first from each source, then at most
/// one line per `interval` saying how many more there were. A node outside the cluster that
/// redials every few milliseconds is then one line a minute, not thousands.
struct HandshakeLogLimiter {
    private struct Source {
        var loggedAt: ContinuousClock.Instant
        var suppressed: Int
    }

    let interval: Duration
    private var sources: [String: Source] = [:]

    init(interval: Duration) {
        self.interval = interval
    }

    /// Counts a failure from `source` at `now`. Returns nil when it is not to be logged, or
    /// the number of failures from that source left unlogged since the last line.
    mutating func record(_ source: String, at now: ContinuousClock.Instant) -> Int? {
        guard var known = sources[source] else {
            // Sources that went quiet are forgotten, so the table stays small.
            sources = sources.filter { now - $0.value.loggedAt < interval }
            sources[source] = Source(loggedAt: now, suppressed: 0)
            return 0
        }
        guard now - known.loggedAt >= interval else {
            known.suppressed += 1
            sources[source] = known
            return nil
        }
        let suppressed = known.suppressed
        sources[source] = Source(loggedAt: now, suppressed: 0)
        return suppressed
    }
}

/// Where a transport logs TLS handshakes that failed (connections refused for want of a
/// certificate from the cluster's CA, or peers whose certificate this node does not trust),
/// rate-limited per remote host by `HandshakeLogLimiter`.
final class HandshakeLog: Sendable {
    private let logger: Logger
    private let message: Logger.Message
    private let limiter: Mutex<HandshakeLogLimiter>
    private let counted = Atomic<Int>(0)

    /// `message` is the line logged (at warning) for a failure.
    init(logger: Logger, message: Logger.Message, interval: Duration = .seconds(60)) {
        self.logger = logger
        self.message = message
        limiter = Mutex(HandshakeLogLimiter(interval: interval))
    }

    /// Handshakes that failed so far, logged or not.
    var failures: Int { counted.load(ordering: .relaxed) }

    /// Counts a failed handshake with `remote` ("host:port") and logs it if the limiter lets it.
    func failed(remote: String, host: String, error: any Error) {
        counted.add(1, ordering: .relaxed)
        guard let suppressed = limiter.withLock({ $0.record(host, at: .now) }) else { return }
        var metadata: Logger.Metadata = ["remote": "\(remote)", "reason": "\(error)"]
        if suppressed > 0 { metadata["unlogged_since_last"] = "\(suppressed)" }
        logger.warning(message, metadata: metadata)
    }
}
