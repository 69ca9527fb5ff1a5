/// The timings and limits of `AgentStateMachine`. The defaults follow Mesos where it has one.
public struct AgentConfiguration: Sendable, Hashable {
    /// The first wait before subscribing again after a failure; doubles (jittered) each time.
    public var subscribeBackoffInitial: Duration = .milliseconds(100)
    /// The longest wait between two SUBSCRIBE attempts.
    public var subscribeBackoffMaximum: Duration = .seconds(2)
    /// How long a SUBSCRIBE may go without SUBSCRIBED before the agent gives up on it.
    public var subscribeTimeout: Duration = .seconds(10)
    /// The first wait before sending an unacknowledged status update again; doubles (jittered).
    public var updateBackoffInitial: Duration = .milliseconds(250)
    /// The longest wait between two sends of one status update.
    public var updateBackoffMaximum: Duration = .seconds(10)
    /// How many heartbeat intervals the master may stay silent before the stream is taken
    /// for dead. The leader sends a HEARTBEAT event every interval it gave in SUBSCRIBED, so
    /// four leaves room for a busy leader and a slow network.
    public var silentIntervals: Int = 4
    /// How often the shell asks another master who leads (`AgentInput.leaderSeen`); nil never.
    /// A leader that is paused, or cut off from the agent but not from the other masters, is
    /// left within this interval of its successor's election instead of `silentIntervals`
    /// heartbeats (20 s with the default 5 s heartbeat).
    public var leaderWatchInterval: Duration? = .milliseconds(500)
    /// Whether events from a term older than the highest seen are ignored (the term fence).
    /// Off only in the mutation tests, which show that a deliberately broken agent without it
    /// is caught (`AgentRandomOrderTests`).
    public var fencesTerms = true
    /// The kill grace period when neither the KILL nor the task has a kill policy (Mesos: 3 s).
    public var defaultKillGrace: Duration = .seconds(3)
    /// How many completed task keys to remember, so that a replayed LAUNCH of an ended task
    /// is recognised; the oldest are forgotten first.
    public var completedLimit: Int = 10_000
    /// How many completed tasks, executors and frameworks the views show (not checkpointed).
    public var completedHistory = CompletedHistory.Limits()
    /// Whether to report TASK_STARTING when a launch is accepted (Mesos's command executor
    /// does), before TASK_RUNNING.
    public var reportsStarting: Bool = true
    /// How long an executor told to shut down has before its container is killed, when its
    /// `ExecutorInfo.shutdown_grace_period` does not say (Mesos's `--executor_shutdown_grace_period`: 5 s).
    public var executorShutdownGrace: Duration = .seconds(5)
    /// How long a custom executor has to subscribe after it was started, or to subscribe again
    /// after an agent restart, before it is killed (Mesos's `--executor_registration_timeout`: 1 min).
    public var executorRegistrationTimeout: Duration = .seconds(60)

    /// The defaults.
    public init() {}
}
