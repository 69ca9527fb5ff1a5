import CorralAgent
import CorralModel
import Testing

/// Health checks: results become TASK_RUNNING updates with `healthy` when they change, and
/// failures in a row past the grace period kill the task.
@Suite struct AgentHealthTests {
    static func checked(failures: UInt32 = 2, grace: Double = 1) -> TaskInfo {
        var task = AgentHarness.task("t1")
        var check = HealthCheck(type: "COMMAND", command: CommandInfo(value: "true"))
        check.consecutiveFailures = failures
        check.gracePeriodSeconds = grace
        task.healthCheck = check
        return task
    }

    @Test func resultsAreReportedWhenTheyChangeAndFailuresPastTheGraceKill() {
        var harness = AgentTaskLifecycleTests.harness()
        let key = AgentHarness.key("t1")
        harness.send(AgentHarness.launch([Self.checked()], term: 1))
        let running = harness.step(.taskRunning(key, containerID: ContainerID("c-1"), pid: 7))
        #expect(running.contains { if case .startHealthChecks(key, _) = $0 { true } else { false } })
        harness.step(.callAnswered(uuid: running.sentUpdates.first?.uuid ?? [], .acknowledged))

        let healthy = harness.step(.healthChecked(key, healthy: true, message: "")).sentUpdates
        #expect(healthy.map(\.healthy) == [true])
        #expect(healthy.first?.state == .running)
        #expect(healthy.first?.reason == .taskHealthCheckStatusUpdated)
        harness.step(.callAnswered(uuid: healthy.first?.uuid ?? [], .acknowledged))
        // No change, no update.
        #expect(harness.step(.healthChecked(key, healthy: true, message: "")).sentUpdates.isEmpty)

        // Failures inside the grace period are reported but do not count.
        let unhealthy = harness.step(.healthChecked(key, healthy: false, message: "exit 1")).sentUpdates
        #expect(unhealthy.map(\.healthy) == [false])
        harness.step(.callAnswered(uuid: unhealthy.first?.uuid ?? [], .acknowledged))
        #expect(harness.step(.healthChecked(key, healthy: false, message: "exit 1")).kills.isEmpty)
        #expect(harness.step(.healthChecked(key, healthy: false, message: "exit 1")).kills.isEmpty)

        harness.advance(.seconds(2))
        #expect(harness.step(.healthChecked(key, healthy: false, message: "exit 1")).kills.isEmpty)
        let killed = harness.step(.healthChecked(key, healthy: false, message: "exit 1"))
        #expect(killed.kills.map(\.0) == [key])
        // Further failures do not kill twice.
        #expect(harness.step(.healthChecked(key, healthy: false, message: "exit 1")).kills.isEmpty)

        let ended = harness.step(.taskEnded(key, TaskEnd(state: .killed, reason: nil, message: "killed by SIGTERM")))
        #expect(ended.contains { if case .stopHealthChecks(key) = $0 { true } else { false } })
        #expect(ended.sentUpdates.last?.state == .killed)
        #expect(ended.sentUpdates.last?.healthy == false)
    }

    @Test func aTaskWithoutAHealthCheckStartsNone() {
        var harness = AgentTaskLifecycleTests.harness()
        let key = AgentHarness.key("t1")
        harness.send(AgentHarness.launch([AgentHarness.task("t1")], term: 1))
        let running = harness.step(.taskRunning(key, containerID: ContainerID("c-1"), pid: 7))
        #expect(!running.contains { if case .startHealthChecks = $0 { true } else { false } })
        #expect(harness.step(.healthChecked(key, healthy: false, message: "")).sentUpdates.isEmpty)
    }
}
