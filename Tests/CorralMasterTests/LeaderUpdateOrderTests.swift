@testable import CorralMaster
import CorralModel
import Testing

/// A scheduler hears a task's updates in order, even when the leader hears of registry changes
/// after later entries were applied (the apply thread runs ahead of the leader's actor).
@Suite("LeaderStateMachine update order")
struct LeaderUpdateOrderTests {
    typealias H = LeaderHarness
    let f1 = FrameworkID("f1")
    let a1 = AgentID("a1")

    func update(_ state: TaskState, uuid: UInt8) -> TaskStatus {
        var status = TaskStatus(taskID: TaskID("t1"), state: state, source: .executor, uuid: [uuid])
        status.agentID = a1
        return status
    }

    /// Found by the chaos run `agent-desync` (CI, seed 1): "task s1-24 got an update
    /// TASK_RUNNING at 9.053 s, after its terminal update TASK_FINISHED".
    @Test func aChangeHeardLateDoesNotSendAnUpdateTheRegistryHasMovedPast() throws {
        var harness = try LeaderHarness.leading()
        let offer = try #require(H.offers(harness.tick()).first)
        let (_, asked) = harness.accept([offer.id], [.launch([H.task("t1")])])
        _ = try harness.commit(asked)
        let running = harness.applyChanges(.statusUpdate(frameworkID: f1, status: update(.running, uuid: 1), atNanos: 2))
        #expect(H.updates(running).map(\.state) == [.running])

        // FINISHED is committed, then the scheduler's acknowledgement of RUNNING; the leader has
        // heard of neither when its retry timer fires.
        let (_, finished) = harness.driver.apply(.statusUpdate(frameworkID: f1, status: update(.finished, uuid: 2), atNanos: 3))
        let (_, acknowledged) = harness.driver.apply(.acknowledge(frameworkID: f1, taskID: TaskID("t1"), uuid: [1]))
        harness.advance(.seconds(60))
        let retried = harness.tick()
        #expect(H.updates(retried).map(\.state) == [.finished], "the retry sends the head as it is now")

        // Then the changes arrive: the older one must not send RUNNING again.
        let late = (finished + acknowledged).flatMap { harness.core.registryChanged($0, in: harness.context) }
        #expect(!H.updates(late).contains { $0.state == .running }, "\(H.updates(late).map(\.state))")

        // Once FINISHED is acknowledged the task is no longer live: its last change sends nothing.
        let (_, done) = harness.driver.apply(.acknowledge(frameworkID: f1, taskID: TaskID("t1"), uuid: [2]))
        let stale = finished.flatMap { harness.core.registryChanged($0, in: harness.context) }
        #expect(H.updates(stale).isEmpty)
        _ = done.flatMap { harness.core.registryChanged($0, in: harness.context) }
    }
}
