import CorralModel
import Logging
import NIOHTTP1

/// A scheduler's connection to the masters over the Mesos v1 Scheduler HTTP API.
///
/// `run()` subscribes in the background and keeps subscribing: it follows `307` redirects to
/// the leader, moves to the next master on `503`, a refused connection, an ended stream or a
/// missed heartbeat, waits a jittered backoff between failures, and re-subscribes with the
/// framework ID it was given, so the framework keeps its tasks. Read what happens from
/// `events`; make calls with `accept`, `decline`, `kill`, … while subscribed.
///
/// Offers received before a re-subscription are stale: the master that made them may no
/// longer lead, and a new leader rescinds nothing it never sent. Drop offers you hold when
/// you see `.disconnected`, and expect fresh OFFERS after the next `.subscribed`.
public actor SchedulerClient {
    /// What the client reports, in order.
    public enum Event: Sendable {
        /// A SUBSCRIBED event: the client is subscribed to `master` (`host:port`).
        case subscribed(SchedulerEvent.Subscribed, master: String)
        /// Any other event from the master, HEARTBEATs included.
        case event(SchedulerEvent)
        /// The subscribed stream ended; the client is re-subscribing.
        case disconnected(reason: String)
        /// The leader refused SUBSCRIBE for who the client is (401: no or wrong credentials;
        /// 403: the ACLs or the principal do not allow it). Not transient: the client stops,
        /// and `run()` returns.
        case refused(reason: String)
    }

    /// The configuration the client was made with.
    public nonisolated let configuration: SchedulerConfiguration
    /// Events, connection changes included. Single consumer; it ends after `run()` returns.
    public nonisolated let events: AsyncStream<Event>

    let logger: Logger
    let http: HTTPStreamClient
    let eventSink: AsyncStream<Event>.Continuation
    private let stopSignal: AsyncStream<Never>
    private let stopSink: AsyncStream<Never>.Continuation

    /// An open, subscribed event stream.
    struct Session: Sendable {
        let master: MasterAddress
        let streamID: String
        let frameworkID: FrameworkID
        let control: HTTPStreamControl
    }

    /// Where the client is in its life.
    enum State: Sendable {
        case idle
        case connecting(MasterAddress)
        case subscribed(Session)
        case stopped
    }

    var state: State = .idle
    var knownFrameworkID: FrameworkID?
    /// The FrameworkInfo of the last successful UPDATE_FRAMEWORK; re-subscriptions send it.
    var updatedFramework: FrameworkInfo?
    /// The offer constraints of the last successful UPDATE_FRAMEWORK (none: an empty value);
    /// re-subscriptions send them.
    var updatedConstraints: OfferConstraints?
    var rotation: MasterRotation
    /// A master named by a `307` answer to a call; the next subscription goes there.
    var redirectHint: MasterAddress?
    /// The term in which the master of the stream `streamID` said it led (the leader watch).
    var sessionTerm: (streamID: String, term: UInt64)?
    /// The leader watch's HTTP client: short timeouts, so a paused master costs one round.
    let watchHTTP: HTTPStreamClient

    /// Makes a client; nothing happens until `run()`.
    ///
    /// - Throws: `SchedulerError` `.invalidArgument` when `masters` is empty or holds an
    ///   entry that is not `host[:port]` (after an optional `http://` or `https://`), or when
    ///   the TLS files cannot be read.
    public init(
        _ configuration: SchedulerConfiguration,
        logger: Logger = Logger(label: "corral.scheduler")
    ) throws {
        let (masters, tls) = try Self.masters(configuration)
        self.configuration = configuration
        self.logger = logger
        self.http = HTTPStreamClient(
            connectTimeout: configuration.connectTimeout,
            readTimeout: configuration.requestTimeout,
            tls: tls
        )
        watchHTTP = HTTPStreamClient(connectTimeout: .milliseconds(500), readTimeout: .milliseconds(500), tls: tls)
        self.rotation = MasterRotation(
            masters: masters,
            initialDelay: configuration.reconnectBackoff.initial,
            maximumDelay: configuration.reconnectBackoff.max,
            seed: configuration.randomSeed ?? UInt64.random(in: .min ... .max)
        )
        self.knownFrameworkID = configuration.framework.id
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        (stopSignal, stopSink) = AsyncStream.makeStream()
    }

    /// The framework ID: the configured one, or the one the last SUBSCRIBED carried.
    public var frameworkID: FrameworkID? { knownFrameworkID }

    /// Whether an event stream is subscribed now.
    public var isSubscribed: Bool {
        if case .subscribed = state { return true }
        return false
    }

    // MARK: - Lifecycle

    /// Subscribes and keeps subscribing until `stop()` or until the calling task is cancelled;
    /// then closes the stream and ends `events`. Runs once; a second call returns at once.
    public func run() async {
        guard case .idle = state else { return }
        state = .connecting(rotation.current)
        let stopSignal = self.stopSignal
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.subscribeLoop() }
            if let interval = configuration.leaderWatchInterval {
                group.addTask { await self.watchLeader(every: interval) }
            }
            group.addTask { for await _ in stopSignal {} }
            await group.next()
            group.cancelAll()
        }
        state = .stopped
        eventSink.finish()
    }

    /// Stops `run()`: closes the event stream and ends `events`. Calls fail from now on.
    public func stop() {
        if case .subscribed(let session) = state { session.control.close() }
        if case .idle = state { eventSink.finish() }
        state = .stopped
        stopSink.finish()
    }

    // MARK: - Reconnect loop

    /// How one subscription attempt ended.
    enum Outcome: Sendable {
        /// The master is not the leader and named another (nil if it named none usable).
        case redirected(MasterAddress?)
        /// No subscription was made.
        case failed(String)
        /// A subscribed stream ended.
        case ended(String)
        /// SUBSCRIBE was refused for the client's credentials or the ACLs (401, 403).
        case refused(String)
    }

    private func subscribeLoop() async {
        while !Task.isCancelled {
            if case .stopped = state { return }
            let master = rotation.current
            state = .connecting(master)
            var wait = Duration.zero
            switch await subscribe(to: master) {
            case .redirected(let target):
                logger.info(
                    "master is not the leader",
                    metadata: ["master": "\(master)", "leader": "\(target.map { "\($0)" } ?? "?")"]
                )
                if !rotation.redirected(to: target) { wait = rotation.failed() }
            case .failed(let reason):
                logger.warning(
                    "subscription failed",
                    metadata: ["master": "\(master)", "reason": "\(reason)"]
                )
                wait = rotation.failed()
            case .refused(let reason):
                logger.error("the master refused SUBSCRIBE; stopping", metadata: ["master": "\(master)", "reason": "\(reason)"])
                eventSink.yield(.refused(reason: reason))
                return
            case .ended(let reason):
                if case .stopped = state { return }
                logger.warning(
                    "event stream ended",
                    metadata: ["master": "\(master)", "reason": "\(reason)"]
                )
                state = .connecting(master)
                eventSink.yield(.disconnected(reason: reason))
                wait = rotation.failed()
            }
            if let hint = redirectHint {
                redirectHint = nil
                if rotation.redirected(to: hint) { wait = .zero }
            }
            if wait > .zero { try? await Task.sleep(for: wait) }
        }
    }
}
