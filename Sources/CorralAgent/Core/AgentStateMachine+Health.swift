import CorralModel

extension AgentStateMachine {
    /// How a task's health checks stand: consecutive failures, and when failures start to count.
    struct HealthState: Sendable, Hashable {
        var failures = 0
        /// Failures before this instant (the check's grace period from the task's start) do not count.
        var countsFrom: ContinuousClock.Instant
    }

    /// The task's health check as it applies: Mesos's defaults filled in.
    struct HealthPolicy: Sendable, Hashable {
        var consecutiveFailures: Int
        var gracePeriod: Duration

        init(_ check: HealthCheck) {
            consecutiveFailures = max(1, Int(check.consecutiveFailures ?? 3))
            gracePeriod = .milliseconds(Int64((check.gracePeriodSeconds ?? 10) * 1_000))
        }
    }

    /// The task started running: its health checks (if it has any) start now.
    mutating func startHealthChecks(_ task: AgentTask, now: ContinuousClock.Instant) {
        guard let check = task.launch?.task.healthCheck, health[task.key] == nil else { return }
        health[task.key] = HealthState(countsFrom: now + HealthPolicy(check).gracePeriod)
        output.append(.startHealthChecks(task.key, check))
    }

    /// The task ended: its checks stop.
    mutating func stopHealthChecks(_ key: TaskKey) {
        guard health.removeValue(forKey: key) != nil else { return }
        output.append(.stopHealthChecks(key))
    }

    /// One check's result. The first result and every change are reported as TASK_RUNNING with
    /// `healthy` (REASON_TASK_HEALTH_CHECK_STATUS_UPDATED); `consecutive_failures` failures in
    /// a row after the grace period kill the task, whose end then says it was unhealthy.
    mutating func healthChecked(_ key: TaskKey, healthy: Bool, message: String, now: ContinuousClock.Instant) {
        guard var state = health[key], let task = tasks[key], task.isLive, task.state == .running,
            let check = task.launch?.task.healthCheck
        else { return }
        if healthy {
            state.failures = 0
        } else if now >= state.countsFrom {
            state.failures += 1
        }
        health[key] = state
        if task.status.healthy != healthy {
            var status = task.status
            status.healthy = healthy
            status.reason = .taskHealthCheckStatusUpdated
            status.message = healthy ? "the health check passed" : "the health check failed: \(message)"
            report(status, for: task, now: now)
        }
        let policy = HealthPolicy(check)
        guard !healthy, state.failures >= policy.consecutiveFailures, let live = tasks[key], live.killGrace == nil else { return }
        log(.notice, "killing a task that failed its health checks", ["task": "\(key)", "failures": "\(state.failures)"])
        kill(key, policy: live.launch?.task.killPolicy, now: now)
    }
}
