import CorralModel
import Logging

/// What the shell must do, in list order. A `.persist` must be durable before any effect
/// after it in the same list is carried out (an update is checkpointed before it is sent,
/// a launch before it runs).
public enum AgentEffect: Sendable, Hashable {
    /// Write these changes to the checkpoint in one durable transaction, before anything
    /// that follows.
    case persist([CheckpointChange])
    /// Open a new connection: POST this SUBSCRIBE to a master (following 307s to the leader)
    /// and report `subscribeAnswered`, `event`s and `streamEnded` / `subscribeFailed` with
    /// this `connection` number. Any older stream should be closed first.
    case subscribe(AgentCall, connection: UInt64)
    /// POST a call (UPDATE, HEARTBEAT, MESSAGE) on the subscribed stream, with its
    /// `Corral-Agent-Stream-Id`. For UPDATE, report the answer with `callAnswered(uuid:)`.
    case post(AgentCall, streamID: String)
    /// Close the stream of this connection: the agent gave up on it (silent, or a deposed
    /// leader's). Do not report its end.
    case closeStream(connection: UInt64)
    /// Start the task's container (or its group's) and report `taskRunning` / `launchFailed`.
    case launch(TaskLaunch)
    /// After a restart: the task was live when the agent stopped. Re-attach to its container
    /// and report `taskRunning`, or report how it ended (`taskEnded` / `launchFailed`). Never
    /// start it anew.
    case recover(AgentTask)
    /// Stop the task: SIGTERM, then SIGKILL after `grace`; report `taskEnded`.
    case kill(TaskKey, grace: Duration)
    /// Run the task's health check: after its `delay_seconds`, every `interval_seconds`, each
    /// within `timeout_seconds`; report each result with `healthChecked`.
    case startHealthChecks(TaskKey, HealthCheck)
    /// Stop running the task's health check (it ended).
    case stopHealthChecks(TaskKey)
    /// Start a custom executor's container (with the Executor API's environment) and report
    /// `executorRunning` / `executorEnded`.
    case launchExecutor(AgentExecutor)
    /// After a restart: re-attach to the executor's container and report `executorRunning`, or
    /// report how it ended (`executorEnded`). Never start it anew.
    case recoverExecutor(AgentExecutor)
    /// Send an event on an executor's subscription stream.
    case sendExecutor(stream: UInt64, ExecutorEvent)
    /// End an executor's subscription stream (a newer one replaced it, or the executor is gone).
    case closeExecutorStream(stream: UInt64)
    /// Kill the executor's container after `after`, unless it exited by then; report `executorEnded`.
    case killExecutor(ExecutorKey, after: Duration)
    /// Send `.tick` at this instant (replacing any timer armed before).
    case armTimer(at: ContinuousClock.Instant)
    /// Keep the data of the listed volumes (and of those live tasks use); delete any other
    /// volume's (`PersistentVolumes.sync`).
    case keepVolumes(listed: [Resource], inUse: [Resource])
    /// Log a line. Metadata names IDs and terms, never payloads.
    case log(Logger.Level, String, [String: String])
}
