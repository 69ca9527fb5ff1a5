extension TaskStatus {
    /// `TaskStatus.Reason`: every reason name in `mesos.proto`.
    public struct Reason: OpenEnum {
        /// The proto name.
        public let rawValue: String
        /// Wraps a proto name.
        public init(rawValue: String) { self.rawValue = rawValue }

        // MARK: - Containers and executors

        /// The command executor failed.
        public static let commandExecutorFailed: Reason = "REASON_COMMAND_EXECUTOR_FAILED"
        /// The container could not be launched.
        public static let containerLaunchFailed: Reason = "REASON_CONTAINER_LAUNCH_FAILED"
        /// The container could not be prepared (e.g. its image is not available).
        public static let containerPreparationFailed: Reason = "REASON_CONTAINER_PREPARATION_FAILED"
        /// The container hit a limit.
        public static let containerLimitation: Reason = "REASON_CONTAINER_LIMITATION"
        /// The container hit its disk limit.
        public static let containerLimitationDisk: Reason = "REASON_CONTAINER_LIMITATION_DISK"
        /// The container hit its memory limit.
        public static let containerLimitationMemory: Reason = "REASON_CONTAINER_LIMITATION_MEMORY"
        /// The container was preempted.
        public static let containerPreempted: Reason = "REASON_CONTAINER_PREEMPTED"
        /// The container's resources could not be updated.
        public static let containerUpdateFailed: Reason = "REASON_CONTAINER_UPDATE_FAILED"
        /// The task ran past its `max_completion_time`.
        public static let maxCompletionTimeReached: Reason = "REASON_MAX_COMPLETION_TIME_REACHED"
        /// The executor did not register in time.
        public static let executorRegistrationTimeout: Reason = "REASON_EXECUTOR_REGISTRATION_TIMEOUT"
        /// The executor did not re-register in time.
        public static let executorReregistrationTimeout: Reason = "REASON_EXECUTOR_REREGISTRATION_TIMEOUT"
        /// The executor terminated.
        public static let executorTerminated: Reason = "REASON_EXECUTOR_TERMINATED"
        /// The executor unregistered.
        public static let executorUnregistered: Reason = "REASON_EXECUTOR_UNREGISTERED"
        /// The I/O switchboard exited.
        public static let ioSwitchboardExited: Reason = "REASON_IO_SWITCHBOARD_EXITED"

        // MARK: - Master and framework

        /// The framework was removed.
        public static let frameworkRemoved: Reason = "REASON_FRAMEWORK_REMOVED"
        /// Garbage collection failed.
        public static let gcError: Reason = "REASON_GC_ERROR"
        /// The framework ID was invalid.
        public static let invalidFrameworkID: Reason = "REASON_INVALID_FRAMEWORKID"
        /// The offers were invalid.
        public static let invalidOffers: Reason = "REASON_INVALID_OFFERS"
        /// The agent lost its master.
        public static let masterDisconnected: Reason = "REASON_MASTER_DISCONNECTED"
        /// A reconciliation answer.
        public static let reconciliation: Reason = "REASON_RECONCILIATION"
        /// The resources are unknown.
        public static let resourcesUnknown: Reason = "REASON_RESOURCES_UNKNOWN"

        // MARK: - Agents

        /// The agent disconnected.
        public static let agentDisconnected: Reason = "REASON_AGENT_DISCONNECTED"
        /// The agent is draining.
        public static let agentDraining: Reason = "REASON_AGENT_DRAINING"
        /// The agent was removed.
        public static let agentRemoved: Reason = "REASON_AGENT_REMOVED"
        /// An operator removed the agent.
        public static let agentRemovedByOperator: Reason = "REASON_AGENT_REMOVED_BY_OPERATOR"
        /// The agent re-registered.
        public static let agentReregistered: Reason = "REASON_AGENT_REREGISTERED"
        /// The agent restarted.
        public static let agentRestarted: Reason = "REASON_AGENT_RESTARTED"
        /// The agent is unknown.
        public static let agentUnknown: Reason = "REASON_AGENT_UNKNOWN"

        // MARK: - Tasks

        /// Killed while launching.
        public static let taskKilledDuringLaunch: Reason = "REASON_TASK_KILLED_DURING_LAUNCH"
        /// A check's status changed.
        public static let taskCheckStatusUpdated: Reason = "REASON_TASK_CHECK_STATUS_UPDATED"
        /// A health check's status changed.
        public static let taskHealthCheckStatusUpdated: Reason = "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"
        /// The task group was invalid.
        public static let taskGroupInvalid: Reason = "REASON_TASK_GROUP_INVALID"
        /// The task group was not authorized.
        public static let taskGroupUnauthorized: Reason = "REASON_TASK_GROUP_UNAUTHORIZED"
        /// The task was invalid.
        public static let taskInvalid: Reason = "REASON_TASK_INVALID"
        /// The task was not authorized.
        public static let taskUnauthorized: Reason = "REASON_TASK_UNAUTHORIZED"
        /// The task is unknown.
        public static let taskUnknown: Reason = "REASON_TASK_UNKNOWN"

        /// Every name this build knows.
        public static let known: [Reason] = [
            .commandExecutorFailed, .containerLaunchFailed, .containerPreparationFailed, .containerLimitation, .containerLimitationDisk,
            .containerLimitationMemory, .containerPreempted, .containerUpdateFailed,
            .maxCompletionTimeReached,
            .executorRegistrationTimeout, .executorReregistrationTimeout, .executorTerminated,
            .executorUnregistered, .ioSwitchboardExited, .frameworkRemoved, .gcError, .invalidFrameworkID,
            .invalidOffers, .masterDisconnected, .reconciliation, .resourcesUnknown, .agentDisconnected,
            .agentDraining, .agentRemoved, .agentRemovedByOperator, .agentReregistered, .agentRestarted,
            .agentUnknown, .taskKilledDuringLaunch, .taskCheckStatusUpdated, .taskHealthCheckStatusUpdated,
            .taskGroupInvalid, .taskGroupUnauthorized, .taskInvalid, .taskUnauthorized, .taskUnknown,
        ]
    }
}
