import CorralModel
import CorralTestSupport
import Testing

extension RealMasters {
    /// A KILL that arrives after the task ended (a scheduler's kill racing the task's own
    /// end, which corral-chaos's scheduler-failover scenario hit) must not add a second
    /// terminal state: the scheduler hears the one the registry holds, and TASK_LOST is kept
    /// for tasks the master never knew.
    @Suite(.serialized)
    struct KillEndedTaskTests {
        @Test func killingAFinishedTaskAnswersItsTerminalStateNotTaskLost() async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2)) { _, endpoints, _, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60)
                group.addTask { await recorder.run() }
                let task = try await FrameworkFailoverTests.launchOne(recorder, "done")
                try await eventually("the task finishes", seconds: 20) { await recorder.states(of: task).contains(.finished) }
                // A kill's answer is sent once and not acknowledged (as in Mesos, a scheduler that
                // hears nothing kills again), so a stream that broke meanwhile loses it: kill again
                // until it is heard.
                var kills = 0
                try await eventually("the unknown task's kill answers TASK_LOST", seconds: 30) {
                    if kills % 40 == 0 { try await recorder.client.kill(TaskID("never-launched")) }
                    kills += 1
                    return await recorder.states(of: TaskID("never-launched")).contains(.lost)
                }
                kills = 0
                try await eventually("the kill answers TASK_FINISHED again", seconds: 30) {
                    if kills % 40 == 0 { try await recorder.client.kill(task) }
                    kills += 1
                    return await recorder.states(of: task).filter { $0 == .finished }.count >= 2
                }
                #expect(await !recorder.states(of: task).contains(.lost))
                #expect(await Set(recorder.states(of: TaskID("never-launched"))) == [.lost])
            }
        }
    }
}
