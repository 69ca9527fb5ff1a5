import CorralModel

/// What happens to the agent: the shell turns I/O and timers into these and feeds them to
/// `AgentStateMachine.step(_:now:)`.
///
/// Inputs about the master connection carry the `connection` number of the
/// `AgentEffect.subscribe` that opened it; inputs about an older connection are ignored, so
/// a stream the machine already gave up on cannot disturb the new one.
public enum AgentInput: Sendable, Hashable {
    /// The agent process started, with what its checkpoint held (`.empty` on a first start).
    case started(recovered: AgentCheckpointState)
    /// The timer armed by `AgentEffect.armTimer` fired. Extra ticks are harmless.
    case tick
    /// The master accepted SUBSCRIBE: the stream is open with this `Corral-Agent-Stream-Id`.
    case subscribeAnswered(connection: UInt64, streamID: String)
    /// SUBSCRIBE failed: no master reachable, refused, or an error status.
    case subscribeFailed(connection: UInt64, message: String)
    /// The event stream ended or broke.
    case streamEnded(connection: UInt64, message: String)
    /// An event arrived on the stream.
    case event(AgentEvent, connection: UInt64)
    /// Another master said that `leader` leads `term` (the shell's leader watch asks the
    /// masters the agent is not subscribed to, so that a leader that stopped answering, paused
    /// or cut off from the agent, is left within a watch interval, not a silence limit).
    case leaderSeen(term: UInt64, leader: UInt64)
    /// The master answered the UPDATE call for the status update with this UUID.
    case callAnswered(uuid: [UInt8], CallOutcome)
    /// The runner started (or, after a restart, re-attached to) the task's container.
    case taskRunning(TaskKey, containerID: ContainerID, pid: UInt32?)
    /// The task's container ended.
    case taskEnded(TaskKey, TaskEnd)
    /// The runner could not start the task (no container ever ran it, or it never reached running).
    case launchFailed(TaskKey, TaskEnd)
    /// A health check of a running task passed or failed (`message` says why it failed).
    case healthChecked(TaskKey, healthy: Bool, message: String)
    /// An executor has a message for its framework's scheduler (sent at most once, as in Mesos).
    case executorMessage(AgentCall.FrameworkMessage)
    /// A custom executor's container runs (launched, or re-attached after a restart).
    case executorRunning(ExecutorKey, containerID: ContainerID, pid: UInt32?)
    /// A custom executor's container exited, or could not be started.
    case executorEnded(ExecutorKey, TaskEnd)
    /// The executor subscribed at `/api/v1/executor`; its events go to `stream`.
    case executorSubscribed(ExecutorKey, stream: UInt64, ExecutorCall.Subscribe)
    /// The executor's subscription `stream` ended.
    case executorDisconnected(ExecutorKey, stream: UInt64)
    /// The executor sent UPDATE (accepted by `AgentStateMachine.executorCallRefusal` first).
    case executorUpdate(ExecutorKey, TaskStatus)

    /// How the master answered a call.
    public enum CallOutcome: Sendable, Hashable {
        /// `202 Accepted`: committed.
        case acknowledged
        /// A `4xx`: the master refuses the call on this stream (e.g. the stream is not its
        /// current one); the agent subscribes again.
        case refused(String)
        /// No answer, a `5xx`, or a broken connection: the update is sent again later.
        case failed(String)
    }
}
