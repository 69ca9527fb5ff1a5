import CorralSecurity
import CorralModel

/// How a `SchedulerClient` finds the masters, who it is, and how it behaves on failures.
public struct SchedulerConfiguration: Sendable {
    /// The masters as `host:port` (`[v6addr]:port` for IPv6), tried in order; `https://host:port`
    /// for masters that serve HTTPS (all or none of them).
    public var masters: [String]
    /// For HTTPS masters: the CA certificate to trust (`ca`; nil: the system's CAs) and a
    /// client certificate to present (`certificate`, `key`). Set, the masters are reached over
    /// HTTPS even when their addresses say no scheme.
    public var tls: TLSFiles?
    /// Who the scheduler is; `id` is nil on a first run and set to re-register an existing framework.
    public var framework: FrameworkInfo
    /// Whether the client acknowledges every UPDATE that carries a UUID right after yielding it.
    public var implicitAcknowledgements: Bool
    /// How many heartbeat intervals the event stream may stay silent (not a byte received)
    /// before the client closes it and subscribes again; 0 turns the watchdog off.
    public var missedHeartbeats: Int
    /// The first and the largest delay between failed subscription attempts; each delay is
    /// jittered between half and all of the current value, which doubles after each failure.
    public var reconnectBackoff: (initial: Duration, max: Duration)
    /// How long a call, or a SUBSCRIBE waiting for its first event, may take.
    public var requestTimeout: Duration
    /// How long opening a connection may take.
    public var connectTimeout: Duration
    /// Seeds the backoff jitter, so a run replays; nil draws a seed from the system.
    public var randomSeed: UInt64?
    /// How often, while subscribed, the client asks the other masters who leads
    /// (`LeaderReport`); a leader in a newer term ends the stream and the client subscribes to
    /// it. A paused leader is then left within about this long of its successor's election
    /// instead of `missedHeartbeats` heartbeats (75 s with Mesos's 15 s). nil: never.
    public var leaderWatchInterval: Duration? = .milliseconds(500)
    /// Which agents each role may be offered (Mesos 1.11 `offer_constraints`), sent with
    /// every SUBSCRIBE; `updateFramework` replaces them. nil: every agent.
    public var offerConstraints: OfferConstraints?
    /// What the client authenticates with on every request (HTTP Basic or a bearer token);
    /// nil: nothing, for masters without authentication. With Basic credentials and no
    /// `framework.principal`, SUBSCRIBE names the credentials' principal, as the master requires.
    public var credentials: ClientCredentials?

    /// Makes a configuration.
    public init(
        masters: [String],
        framework: FrameworkInfo,
        implicitAcknowledgements: Bool = true,
        missedHeartbeats: Int = 5,
        reconnectBackoff: (initial: Duration, max: Duration) = (.milliseconds(500), .seconds(30)),
        requestTimeout: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(5),
        randomSeed: UInt64? = nil
    ) {
        self.masters = masters
        self.framework = framework
        self.implicitAcknowledgements = implicitAcknowledgements
        self.missedHeartbeats = missedHeartbeats
        self.reconnectBackoff = reconnectBackoff
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.randomSeed = randomSeed
    }
}
